package handlers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/uptrace/bun"

	"examcert/internal/blobstore"
	"examcert/internal/ident"
	"examcert/internal/printout"
	"examcert/models"
)

// The 准考证 documents, made the same way for a download and for a background document task (models.DocumentTask):
// an organization's tickets of a plan, and the registry's 考场照片阵列, 桌签, 考场门贴 and photo ZIP. Each reads its
// tickets a page at a time and writes as it goes, so memory is bounded by one part of printout.TicketBook (perFile
// tickets) or one room, never by the size of the plan.

type bytesBuffer = bytes.Buffer

// documentApps finds the App (its photo store and parsed fonts) of a database handle: a document task gets only the
// database, and each App registers itself by its own (ticketRoutes). The App is held weakly, so that registering
// keeps nothing alive (tests build hundreds of Apps in one process).
var documentApps sync.Map // *bun.DB → weak.Pointer[App]

// ticketTokens caches each database's ticket-signing key (models.NewTicketTokens reads, and the first time makes,
// the shared secret).
var ticketTokens sync.Map // bun.IDB → models.TicketTokens

// ticketPrinter makes ticket documents from one database, photo store and renderer.
type ticketPrinter struct {
	db      bun.IDB
	blobs   blobstore.Store
	r       *printout.Renderer
	tokens  models.TicketTokens
	perFile int // tickets in one PDF of a batch
}

func (a *App) ticketPrinter(ctx context.Context) (*ticketPrinter, error) {
	return a.ticketPrinterOn(ctx, a.DB)
}

func (a *App) ticketPrinterOn(ctx context.Context, db bun.IDB) (*ticketPrinter, error) {
	r, err := a.renderer()
	if err != nil {
		return nil, err
	}
	tok, ok := ticketTokens.Load(db)
	if !ok {
		t, err := models.NewTicketTokens(ctx, db)
		if err != nil {
			return nil, err
		}
		tok, _ = ticketTokens.LoadOrStore(db, t)
	}
	return &ticketPrinter{db: db, blobs: a.Blobs, r: r, tokens: tok.(models.TicketTokens), perFile: a.ticketsPerFile()}, nil
}

// photo reads a stored photo ("" → none).
func (p *ticketPrinter) photo(ctx context.Context, key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	return p.blobs.Get(ctx, key)
}

// ticketKinds is the 准考证 variant of each 考试方式.
var ticketKinds = map[models.ExamMode]printout.TicketKind{
	models.ModeComputer: printout.TicketTheory, models.ModePractical: printout.TicketPractical, models.ModeOnline: printout.TicketOnline,
}

// printed is a ticket as printout prints it, in its plan's variant, the QR code carrying the signed token.
func (p *ticketPrinter) printed(t *models.TicketView, subjects []models.ExamSubject, photo []byte) printout.Ticket {
	pt := printout.Ticket{Kind: ticketKinds[t.ExamMode], Name: t.PersonName, IDNumber: t.IDNumber, Employer: t.Employer, Category: t.Category, Post: t.Post(),
		TicketNo: t.TicketNo, RoomNo: t.RoomNo, SeatNo: strconv.Itoa(t.SeatNo), Remark: t.Remark(),
		Site: t.SiteName + "（" + t.SiteAddress + "）", Token: p.tokens.Sign(t.TicketNo, t.DrawID), Photo: photo,
		Footer: "打印时间：" + models.Now().In(models.Beijing).Format("2006-01-02 15:04")}
	for _, s := range subjects {
		pt.Subjects = append(pt.Subjects, printout.TicketSubject{Name: s.Name, Date: s.StartsAt.In(models.Beijing).Format("2006-01-02"),
			Time: s.StartsAt.In(models.Beijing).Format("15:04") + "–" + s.EndsAt.In(models.Beijing).Format("15:04")})
	}
	if len(subjects) == 0 { // no subjects set: the room's time
		pt.Subjects = []printout.TicketSubject{{Name: t.Category, Date: t.RoomStartsAt.In(models.Beijing).Format("2006-01-02"),
			Time: t.RoomStartsAt.In(models.Beijing).Format("15:04") + "–" + t.RoomEndsAt.In(models.Beijing).Format("15:04")}}
	}
	return pt
}

// named is told a document's file names and type before its first byte is written.
type named func(name, ascii, contentType string)

const (
	ctypePDF    = "application/pdf"
	ctypeZIP    = "application/zip"
	ticketsPage = 100 // tickets read at a time
)

// organizationTickets writes the actor's tickets of plan to w as one PDF, made perFile tickets at a time and
// streamed (printout.TicketBook): memory depends on perFile, never on the number of tickets. It returns the audit
// detail.
func (p *ticketPrinter) organizationTickets(ctx context.Context, actor models.Actor, plan *models.ExamPlan, perFile int,
	name named, w io.Writer) (string, error) {
	_, total, err := models.ListTickets(ctx, p.db, actor, models.TicketFilter{PlanID: plan.ID, Limit: 1})
	if err != nil {
		return "", err
	}
	if total == 0 {
		return "", models.ErrNotFound
	}
	subjects, err := models.PlanSubjects(ctx, p.db, plan.ID)
	if err != nil {
		return "", err
	}
	name("准考证-"+plan.Name+".pdf", "tickets-"+strconv.FormatInt(plan.ID, 10)+".pdf", ctypePDF)
	b := p.r.NewTicketBook(w, perFile)
	err = models.EachTicketPage(ctx, p.db, actor, plan.ID, 0, ticketsPage, func(page []models.TicketView) error {
		for i := range page {
			photo, err := p.photo(ctx, page[i].PhotoKey)
			if err != nil {
				return err
			}
			if err := b.Add(p.printed(&page[i], subjects, photo)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = b.Close()
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d张准考证（含完整证件号码），考试计划：%s", b.Count(), plan.Name), nil
}

// Kinds of the registry's documents.
const (
	docRoomPhotos = "room-photos"
	docDeskLabels = "desk-labels"
	docDoorSigns  = "door-signs"
	docPhotoZip   = "photo-zip"
)

var docNames = map[string]struct{ label, ascii string }{
	docRoomPhotos: {"考场照片阵列", "room-photos"},
	docDeskLabels: {"桌签", "desk-labels"},
	docDoorSigns:  {"考场门贴", "door-signs"},
	docPhotoZip:   {"考生照片", "photos"},
}

// errBadDocument is a document kind this file does not make.
var errBadDocument = errors.New("unknown registry document")

// registryDocument writes one of the registry's documents of a released plan (admins only), for one room (roomID)
// or all: a room's documents as one PDF; all rooms' 考场照片阵列 as a ZIP of one PDF per room (photos are large);
// all rooms' 桌签 and 门贴 as one PDF; the photo ZIP as <准考证号>.jpg files. It returns the audit detail.
func (p *ticketPrinter) registryDocument(ctx context.Context, actor models.Actor, kind string, plan *models.ExamPlan, roomID int64,
	name named, w io.Writer) (string, error) {
	dn, ok := docNames[kind]
	if !ok {
		return "", errBadDocument
	}
	rooms, err := models.ReleasedRooms(ctx, p.db, actor, plan.ID, roomID)
	if err != nil {
		return "", err
	}
	subjects, err := models.PlanSubjects(ctx, p.db, plan.ID)
	if err != nil {
		return "", err
	}
	base, ascii := dn.label+"-"+plan.Name, dn.ascii+"-"+strconv.FormatInt(plan.ID, 10)
	if roomID != 0 {
		base += "-第" + rooms[0].RoomNo + "考场"
		ascii += "-" + strconv.FormatInt(roomID, 10)
	}
	detail := fmt.Sprintf("%s，考试计划：%s，%d个考场", dn.label, plan.Name, len(rooms))
	switch {
	case kind == docPhotoZip:
		name(base+".zip", ascii+".zip", ctypeZIP)
		return detail, p.photoZip(ctx, actor, plan.ID, rooms, w)
	case kind == docRoomPhotos && roomID == 0:
		name(base+".zip", ascii+".zip", ctypeZIP)
		return detail, p.roomPhotosZip(ctx, actor, plan, rooms, subjects, dn.label, w)
	}
	name(base+".pdf", ascii+".pdf", ctypePDF)
	return detail, p.roomsPDF(ctx, actor, kind, plan, rooms, subjects, w)
}

// roomPhotosZip writes every room's 考场照片阵列 as one PDF each in a ZIP, one room in memory at a time.
func (p *ticketPrinter) roomPhotosZip(ctx context.Context, actor models.Actor, plan *models.ExamPlan, rooms []models.TicketRoom,
	subjects []models.ExamSubject, label string, w io.Writer) error {
	zw := zip.NewWriter(w)
	var buf bytes.Buffer
	for _, r := range rooms {
		room, err := p.room(ctx, actor, plan, &r, subjects, true)
		if err != nil {
			return err
		}
		buf.Reset()
		if err := p.r.RoomPhotosPDF(&buf, room); err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: zipEntryName(label + "-" + r.Site.Name + "-第" + r.RoomNo + "考场.pdf"),
			Method: zip.Store, Modified: time.Now()})
		if err == nil {
			_, err = fw.Write(buf.Bytes())
		}
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// roomsPDF writes the rooms' documents of kind (考场照片阵列, 桌签 or 门贴) as one PDF.
func (p *ticketPrinter) roomsPDF(ctx context.Context, actor models.Actor, kind string, plan *models.ExamPlan, rooms []models.TicketRoom,
	subjects []models.ExamSubject, w io.Writer) error {
	var docs []printout.Room
	for _, r := range rooms {
		room, err := p.room(ctx, actor, plan, &r, subjects, kind == docRoomPhotos)
		if err != nil {
			return err
		}
		docs = append(docs, room)
	}
	switch kind {
	case docRoomPhotos:
		return p.r.RoomPhotosPDF(w, docs...)
	case docDeskLabels:
		return p.r.DeskLabelsPDF(w, docs...)
	default:
		return p.r.DoorSignsPDF(w, docs...)
	}
}

// room reads a room's candidates in 准考证号 order (photos only when asked); ID numbers are masked, as in every
// list (SECURITY.md 14): the photo, the name and the 准考证号 identify the candidate at the door.
func (p *ticketPrinter) room(ctx context.Context, actor models.Actor, plan *models.ExamPlan, r *models.TicketRoom,
	subjects []models.ExamSubject, photos bool) (printout.Room, error) {
	room := printout.Room{PlanName: plan.Name, RoomNo: r.RoomNo, Footer: "打印时间：" + models.Now().In(models.Beijing).Format("2006-01-02 15:04")}
	if r.Site != nil {
		room.Site, room.Address = r.Site.Name, r.Site.Address
	}
	if r.FirstTicketNo != "" {
		room.Range = r.FirstTicketNo + "～" + r.LastTicketNo
	}
	for _, s := range subjects {
		room.Times = append(room.Times, s.Name+" "+s.StartsAt.In(models.Beijing).Format("2006-01-02 15:04")+"–"+s.EndsAt.In(models.Beijing).Format("15:04"))
	}
	if len(subjects) == 0 {
		room.Times = []string{r.StartsAt.In(models.Beijing).Format("2006-01-02 15:04") + "–" + r.EndsAt.In(models.Beijing).Format("15:04")}
	}
	err := models.EachTicketPage(ctx, p.db, actor, plan.ID, r.ID, ticketsPage, func(page []models.TicketView) error {
		for i := range page {
			t := &page[i]
			c := printout.Candidate{SeatNo: strconv.Itoa(t.SeatNo), Name: t.PersonName, IDNumber: ident.MaskIDNumber(t.IDNumber), TicketNo: t.TicketNo}
			if photos {
				b, err := p.photo(ctx, t.PhotoKey)
				if err != nil {
					return err
				}
				c.Photo = b
			}
			room.Candidates = append(room.Candidates, c)
		}
		return nil
	})
	if room.Range == "" && len(room.Candidates) > 0 {
		room.Range = room.Candidates[0].TicketNo + "～" + room.Candidates[len(room.Candidates)-1].TicketNo
	}
	return room, err
}

// photoZip writes every candidate's photo as <准考证号>.jpg (the 机考 system's import), room after room, a page of
// photos at a time. Candidates without a photo are left out.
func (p *ticketPrinter) photoZip(ctx context.Context, actor models.Actor, planID int64, rooms []models.TicketRoom, w io.Writer) error {
	zw := zip.NewWriter(w)
	for _, r := range rooms {
		err := models.EachTicketPage(ctx, p.db, actor, planID, r.ID, ticketsPage, func(page []models.TicketView) error {
			for i := range page {
				b, err := p.photo(ctx, page[i].PhotoKey)
				if err != nil {
					return err
				}
				if b == nil {
					continue
				}
				fw, err := zw.CreateHeader(&zip.FileHeader{Name: page[i].TicketNo + ".jpg", Method: zip.Store, Modified: time.Now()})
				if err == nil {
					_, err = fw.Write(b)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// zipEntryName keeps a file name inside the archive: names typed by admins (考点, 考场号) may hold path
// separators or "..", which an unzip tool would follow out of the folder it extracts into.
func zipEntryName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, s)
	return strings.ReplaceAll(s, "..", "_")
}

// Background document tasks: the same documents, made by the job runner for the account that asked.
func init() {
	models.RegisterDocument(models.DocumentTask{Name: taskOrganizationTickets, Label: "打印准考证（全部）",
		Make: makeOrganizationTickets, Check: checkOrganizationTickets})
	for _, k := range []struct{ task, kind, label string }{
		{registryTasks[docRoomPhotos], docRoomPhotos, "考场照片阵列"},
		{registryTasks[docDeskLabels], docDeskLabels, "桌签"},
		{registryTasks[docDoorSigns], docDoorSigns, "考场门贴"},
		{registryTasks[docPhotoZip], docPhotoZip, "考生照片包"},
	} {
		models.RegisterDocument(models.DocumentTask{Name: k.task, Label: k.label, Make: makeRegistryDocument(k.kind),
			Check: checkRegistryDocument})
	}
}

// The document tasks' names: an organization's tickets, and the registry's documents by kind.
const taskOrganizationTickets = "tickets.organization"

var registryTasks = map[string]string{
	docRoomPhotos: "tickets.room_photos",
	docDeskLabels: "tickets.desk_labels",
	docDoorSigns:  "tickets.door_signs",
	docPhotoZip:   "tickets.photo_zip",
}

// paramPlan is the plan params["plan"] names, as the actor may open it for tickets (else ErrNotFound).
func paramPlan(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string) (*models.ExamPlan, error) {
	id, err := strconv.ParseInt(params["plan"], 10, 64)
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return models.TicketPlan(ctx, db, actor, id)
}

// paramRoom is params["room"] (0: all rooms); anything but a positive id is ErrNotFound.
func paramRoom(params map[string]string) (int64, error) {
	s := params["room"]
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// checkOrganizationTickets: an organization asks for its own tickets of a released plan in which it has some.
func checkOrganizationTickets(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string) error {
	if !actor.Is(models.RoleEnterprise, models.RoleTraining) {
		return models.ErrNotFound
	}
	_, err := paramPlan(ctx, db, actor, params)
	return err
}

// checkRegistryDocument: an admin asks for a released plan's documents, all rooms' or one room of that plan's.
func checkRegistryDocument(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string) error {
	if !actor.Is(models.RoleAdmin) {
		return models.ErrNotFound
	}
	plan, err := paramPlan(ctx, db, actor, params)
	if err != nil {
		return err
	}
	roomID, err := paramRoom(params)
	if err != nil || roomID == 0 {
		return err
	}
	_, err = models.ReleasedRooms(ctx, db, actor, plan.ID, roomID) // ErrNotFound: not a room of the plan
	return err
}

// errNoDocumentApp: a document task ran on a database no App of this process serves (so no photo store is known).
var errNoDocumentApp = errors.New("tickets: no server is set up for this database")

// documentTask finds the printer for a task's database and the plan its params name (as the actor may open it).
func documentTask(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string) (*ticketPrinter, *models.ExamPlan, error) {
	var app *App
	if d, ok := db.(*bun.DB); ok {
		if v, ok := documentApps.Load(d); ok {
			app = v.(weak.Pointer[App]).Value()
		}
	}
	if app == nil {
		return nil, nil, errNoDocumentApp
	}
	plan, err := paramPlan(ctx, db, actor, params)
	if err != nil {
		return nil, nil, err
	}
	p, err := app.ticketPrinterOn(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	return p, plan, nil
}

func makeOrganizationTickets(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string, w io.Writer) (string, error) {
	if !actor.Is(models.RoleEnterprise, models.RoleTraining) {
		return "", models.ErrNotFound
	}
	p, plan, err := documentTask(ctx, db, actor, params)
	if err != nil {
		return "", err
	}
	var filename string
	detail, err := p.organizationTickets(ctx, actor, plan, p.perFile, func(name, _, _ string) { filename = name }, w)
	if err != nil {
		return "", err
	}
	return filename, actor.Audit(ctx, db, models.EventExport, models.PlanTicketsObject(plan.ID), "ok", detail+"（后台生成）")
}

func makeRegistryDocument(kind string) func(context.Context, bun.IDB, models.Actor, map[string]string, io.Writer) (string, error) {
	return func(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string, w io.Writer) (string, error) {
		if !actor.Is(models.RoleAdmin) {
			return "", models.ErrNotFound
		}
		p, plan, err := documentTask(ctx, db, actor, params)
		if err != nil {
			return "", err
		}
		roomID, err := paramRoom(params)
		if err != nil {
			return "", err
		}
		var filename string
		detail, err := p.registryDocument(ctx, actor, kind, plan, roomID, func(name, _, _ string) { filename = name }, w)
		if err != nil {
			return "", err
		}
		return filename, actor.Audit(ctx, db, models.EventExport, models.PlanTicketsObject(plan.ID), kind, detail+"（后台生成）")
	}
}
