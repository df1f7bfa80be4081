package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/internal/ident"
	"examcert/models"
)

// ticketWorld is a released plan with two rooms and tickets of several callers' candidates, an unreleased plan
// with a ticket of zhangsan's, and a ticket row of a registration that is not 已放号; inserted directly (the
// arrangement's screens are another area's).
type ticketWorld struct {
	plan, unreleased *models.ExamPlan
	rooms            []models.ExamRoom
	otherRoom        models.ExamRoom // a room of the unreleased plan
	byOwner          map[string][]string
	regOf            map[string]int64 // 准考证号 → registration id
	notTicketed      string           // a ticket row whose registration is only 审核通过
	unreleasedNo     string
}

func ticketFixture(t testing.TB, e *env) *ticketWorld {
	t.Helper()
	ctx := context.Background()
	w := &ticketWorld{byOwner: map[string][]string{}, regOf: map[string]int64{}}
	w.plan = benchPlan(t, e, "2026年第七期建筑施工特种作业人员考试")
	w.unreleased = benchPlan(t, e, "2026年第八期建筑施工特种作业人员考试（未放号）")
	now := models.Now()
	if _, err := e.db.NewUpdate().TableExpr("exam_plans").Set("released_at = ?", now).Set("number_in_year = 7").
		Where("id = ?", w.plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	site := &models.ExamSite{Name: "北京市建设职业技能培训中心", Address: "北京市丰台区南四环西路188号", ContactName: "王老师",
		ContactPhone: "010-88880000", RoomCount: 3, Capacity: 90, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := e.db.NewInsert().Model(site).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 20, 1, 0, 0, 0, time.UTC) // 09:00 Beijing
	subjects := []models.ExamSubject{
		{PlanID: w.plan.ID, Name: "安全生产知识考核", StartsAt: start, EndsAt: start.Add(90 * time.Minute), SortOrder: 1},
		{PlanID: w.plan.ID, Name: "专业基础知识", StartsAt: start.Add(5 * time.Hour), EndsAt: start.Add(390 * time.Minute), SortOrder: 2},
	}
	if _, err := e.db.NewInsert().Model(&subjects).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	room := func(planID int64, no, first, last string) models.ExamRoom {
		r := models.ExamRoom{PlanID: planID, SiteID: site.ID, RoomNo: no, Capacity: 30, StartsAt: start, EndsAt: start.Add(90 * time.Minute),
			FirstTicketNo: first, LastTicketNo: last, CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(&r).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return r
	}
	w.rooms = []models.ExamRoom{room(w.plan.ID, "01", "260070001", "260070005"), room(w.plan.ID, "02", "260070006", "260070009")}
	w.otherRoom = room(w.unreleased.ID, "01", "260080001", "260080001")
	draw := func(planID int64) int64 {
		d := &models.Draw{PlanID: planID, Seed: "00ff", Candidates: 9, BatchNo: "FHXX00000001", DrawnAt: now}
		if _, err := e.db.NewInsert().Model(d).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	drawID, otherDraw := draw(w.plan.ID), draw(w.unreleased.ID)
	key, err := e.app.Blobs.Put(ctx, testPhoto(t, 295, 413, "jpeg"))
	if err != nil {
		t.Fatal(err)
	}

	newPerson := func(name string, org *int64) int64 {
		idn, _ := ident.ParseIDNumber(benchIDNumber())
		birth := idn.BirthDate
		p := &models.Person{IDNumber: idn.Number, Name: name, Gender: idn.Gender.String(), BirthDate: &birth, Education: "本科",
			Phone: "13800001234", OrganizationID: org}
		if err := models.InsertPerson(ctx, e.db, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	seq := 0
	add := func(owner string, personID int64, channel models.Channel, org *int64, plan int64, roomID, draw int64, no string, status models.RegStatus) {
		seq++
		r := &models.Registration{PlanID: plan, PersonID: personID, Channel: channel, OrganizationID: org, EmployerName: "北京城建示范工程有限公司",
			Resume: "[]", PhotoKey: key, Status: status, CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(r).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		tk := &models.Ticket{RegistrationID: r.ID, PlanID: plan, RoomID: roomID, DrawID: draw, SeatNo: seq, TicketNo: no}
		if _, err := e.db.NewInsert().Model(tk).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		w.regOf[no] = r.ID
		if owner != "" {
			w.byOwner[owner] = append(w.byOwner[owner], no)
		}
	}
	zhang, li := e.account("zhangsan"), e.account("lisi")
	js, js2, px := e.account("jianshe"), e.account("jianshe2"), e.account("peixun")
	r1, r2 := w.rooms[0].ID, w.rooms[1].ID
	add("zhangsan", *zhang.PersonID, models.ChannelSelf, nil, w.plan.ID, r1, drawID, "260070001", models.RegTicketed)
	add("lisi", *li.PersonID, models.ChannelSelf, nil, w.plan.ID, r1, drawID, "260070002", models.RegTicketed)
	for i, no := range []string{"260070003", "260070004", "260070006"} {
		rid := r1
		if i == 2 {
			rid = r2
		}
		add("jianshe", newPerson("城建考生"+strconv.Itoa(i+1), js.OrganizationID), models.ChannelEnterprise, js.OrganizationID, w.plan.ID, rid, drawID, no, models.RegTicketed)
	}
	add("jianshe2", newPerson("宏远考生", js2.OrganizationID), models.ChannelEnterprise, js2.OrganizationID, w.plan.ID, r2, drawID, "260070007", models.RegTicketed)
	for i, no := range []string{"260070005", "260070008"} {
		rid := r1
		if i == 1 {
			rid = r2
		}
		add("peixun", newPerson("培训考生"+strconv.Itoa(i+1), nil), models.ChannelTraining, px.OrganizationID, w.plan.ID, rid, drawID, no, models.RegTicketed)
	}
	w.notTicketed = "260070009"
	add("", newPerson("未放号考生", js.OrganizationID), models.ChannelEnterprise, js.OrganizationID, w.plan.ID, r2, drawID, w.notTicketed, models.RegApproved)
	w.unreleasedNo = "260080001"
	add("", *zhang.PersonID, models.ChannelSelf, nil, w.unreleased.ID, w.otherRoom.ID, otherDraw, w.unreleasedNo, models.RegTicketed)
	return w
}

func (w *ticketWorld) allTickets() []string {
	var all []string
	for _, nos := range w.byOwner {
		all = append(all, nos...)
	}
	return append(all, w.notTicketed, w.unreleasedNo)
}

func listedTickets(p *page) []string {
	var nos []string
	p.Doc.Find(`[data-testid="ticket-no"]`).Each(func(_ int, s *goquerySelection) { nos = append(nos, s.Text()) })
	slices.Sort(nos)
	return nos
}

// 【查询】 lists exactly the caller's tickets; every path of every other ticket (another organization's, another
// person's, an unreleased plan's, a registration not 已放号) is 404: page, photo, PDF, Word.
func TestTicketScopeEveryPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := ticketFixture(t, e)
	sp := strconv.FormatInt(w.plan.ID, 10)
	for _, user := range []string{"zhangsan", "lisi", "jianshe", "jianshe2", "peixun", "peixun2"} {
		c := e.client().signIn(user)
		mine := slices.Clone(w.byOwner[user])
		slices.Sort(mine)
		list := c.get("/tickets?plan=" + sp)
		if len(mine) == 0 {
			if list.Status != http.StatusNotFound {
				t.Errorf("%s: a plan without any of its tickets: %d, want 404", user, list.Status)
			}
		} else if got := listedTickets(list); !slices.Equal(got, mine) {
			t.Errorf("%s lists %v, want %v", user, got, mine)
		}
		for _, no := range w.allTickets() {
			id := strconv.FormatInt(w.regOf[no], 10)
			want := http.StatusNotFound
			if slices.Contains(mine, no) {
				want = http.StatusOK
			}
			for _, path := range []string{"/tickets/" + id, "/tickets/" + id + "/photo", "/tickets/" + id + "/pdf", "/tickets/" + id + "/docx"} {
				if p := c.get(path); p.Status != want {
					t.Errorf("%s GET %s (%s): %d, want %d", user, path, no, p.Status, want)
				}
			}
		}
		// The unreleased plan: nothing, not even for zhangsan who has a ticket row there.
		if p := c.get("/tickets?plan=" + strconv.FormatInt(w.unreleased.ID, 10)); p.Status != http.StatusNotFound {
			t.Errorf("%s: unreleased plan's list: %d", user, p.Status)
		}
		picker := c.get("/tickets/plans")
		if strings.Contains(picker.Body, w.unreleased.Name) {
			t.Errorf("%s: the picker offers the unreleased plan", user)
		}
		if len(mine) > 0 != strings.Contains(picker.Body, w.plan.Name) {
			t.Errorf("%s: picker offers the plan: %v, has tickets: %v", user, strings.Contains(picker.Body, w.plan.Name), len(mine) > 0)
		}
	}
	// The batch: each organization gets its own candidates only; an organization without any gets 404.
	for _, org := range []string{"jianshe", "jianshe2", "peixun"} {
		c := e.client().signIn(org)
		p := c.get("/tickets/batch/print?plan=" + sp)
		if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%s batch: %d %s", org, p.Status, p.Header.Get("Content-Type"))
		}
		if !strings.Contains(p.Header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("%s batch: Content-Disposition %q", org, p.Header.Get("Content-Disposition"))
		}
		text := pdfToText(t, []byte(p.Body))
		for _, no := range w.allTickets() {
			if got, want := strings.Contains(text, no), slices.Contains(w.byOwner[org], no); got != want {
				t.Errorf("%s batch: has %s: %v, want %v", org, no, got, want)
			}
		}
	}
	if p := e.client().signIn("peixun2").get("/tickets/batch/print?plan=" + sp); p.Status != http.StatusNotFound {
		t.Errorf("peixun2 batch: %d, want 404", p.Status)
	}
	if p := e.client().signIn("jianshe").get("/tickets/batch/print?plan=" + strconv.FormatInt(w.unreleased.ID, 10)); p.Status != http.StatusNotFound {
		t.Errorf("unreleased plan's batch: %d, want 404", p.Status)
	}
	// Admins' 考场资料 of the unreleased plan, and a room of another plan, are 404 too.
	adm := e.client().signIn("admin")
	for _, path := range []string{"/admin/tickets?plan=" + strconv.FormatInt(w.unreleased.ID, 10),
		"/admin/tickets/batch/room-photos?plan=" + strconv.FormatInt(w.unreleased.ID, 10),
		"/admin/tickets/batch/photo-zip?plan=" + strconv.FormatInt(w.unreleased.ID, 10),
		"/admin/tickets/batch/desk-labels?plan=" + sp + "&room=" + strconv.FormatInt(w.otherRoom.ID, 10),
		"/admin/tickets/batch/door-signs?plan=" + sp + "&room=abc"} {
		if p := adm.get(path); p.Status != http.StatusNotFound {
			t.Errorf("admin GET %s: %d, want 404", path, p.Status)
		}
	}
}

// The practitioner's flow without JavaScript: 考试名称 → the picker page → choose → 查询 → 详细 → PDF; with htmx the
// picker comes as a panel. The ticket page shows the fields and the QR code, and is audited; the PDF carries them.
func TestTicketFlowAndDocuments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := ticketFixture(t, e)
	c := e.client().signIn("zhangsan")
	start := c.get("/tickets")
	href, _ := start.Doc.Find(`[data-testid="plan-pick"]`).Attr("href")
	if start.Status != http.StatusOK || href == "" {
		t.Fatalf("打印准考证: %d, picker link %q", start.Status, href)
	}
	panel := c.getHX(href)
	if panel.Doc.Find(`[data-testid="plan-picker"]`).Length() != 1 || strings.Contains(panel.Body, "<html") {
		t.Errorf("the picker with htmx is not a panel: %.200s", panel.Body)
	}
	picker := c.get(href)
	if !strings.Contains(picker.Body, "<html") {
		t.Error("the picker without JavaScript is not a page")
	}
	choose, _ := picker.Doc.Find(`[data-testid="picker-choose"]`).First().Attr("href")
	list := c.get(choose)
	if got := listedTickets(list); !slices.Equal(got, []string{"260070001"}) {
		t.Fatalf("查询: %v", got)
	}
	if strings.Contains(list.Body, e.personIDNumber(t, "zhangsan")) {
		t.Error("the list shows the full ID number")
	}
	detail, _ := list.Doc.Find(`[data-testid="ticket-detail"]`).Attr("href")
	d := c.get(detail)
	for label, want := range map[string]string{"准考证号": "260070001", "考场号": "01", "座位号": "1",
		"考点名称（地址）": "北京市建设职业技能培训中心（北京市丰台区南四环西路188号）", "姓名": "张三"} {
		if got := d.Text(`[data-testid="ticket-` + label + `"]`); got != want {
			t.Errorf("ticket page %s = %q, want %q", label, got, want)
		}
	}
	if d.Doc.Find(`[data-testid="ticket-qr"] svg path`).Length() != 1 || d.Doc.Find(`[data-testid="ticket-rules"] li`).Length() < 4 {
		t.Error("the ticket page lacks the QR code or the 考生须知")
	}
	if d.Header.Get("Cache-Control") != "no-store" || len(e.auditEvents(models.EventRegViewed)) == 0 {
		t.Error("the ticket page is cached or not audited")
	}
	pdfURL, _ := d.Doc.Find(`[data-testid="ticket-print"]`).Attr("href")
	pdf := c.get(pdfURL)
	if pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	text := pdfToText(t, []byte(pdf.Body))
	for _, want := range []string{"北京市住房和城乡建设行业从业人员考核准考证", "260070001", "安全生产知识考核", "09:00–10:30", "对号入座"} {
		if !strings.Contains(text, want) {
			t.Errorf("ticket PDF lacks %q", want)
		}
	}
	docxURL, _ := d.Doc.Find(`[data-testid="ticket-export"]`).Attr("href")
	if p := c.get(docxURL); !bytes.HasPrefix([]byte(p.Body), []byte("PK")) || !strings.Contains(p.Header.Get("Content-Disposition"), ".docx") {
		t.Errorf("Word: %d %q", p.Status, p.Header.Get("Content-Disposition"))
	}
	if n := len(e.auditEvents(models.EventExport)); n < 2 {
		t.Errorf("%d export audit rows, want the PDF and the Word file", n)
	}

	// An organization with more tickets than one chunk holds still gets one PDF, every ticket in 准考证号 order.
	e.app.PrintChunk = 2
	js := e.client().signIn("jianshe")
	page := js.get("/tickets?plan=" + strconv.FormatInt(w.plan.ID, 10))
	batch, _ := page.Doc.Find(`[data-testid="tickets-print-all"]`).Attr("href")
	if note := page.Doc.Find(`[data-testid="tickets-print-all"]`).Parent().Text(); !strings.Contains(note, "共3张，生成一个PDF文件") || strings.Contains(note, "ZIP") {
		t.Errorf("the hint of 打印全部准考证 at 2 a chunk: %q, want one PDF of 3", note)
	}
	z := js.get(batch)
	if z.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(z.Body, "%PDF-") {
		t.Fatalf("batch of 3 at 2 a chunk: %d %s", z.Status, z.Header.Get("Content-Type"))
	}
	release := e.app.TakePrintSlots(2)
	busy, busyDocs := js.get(batch), e.client().signIn("admin").get("/admin/tickets/batch/door-signs?plan="+strconv.FormatInt(w.plan.ID, 10))
	release()
	if busy.Status != http.StatusServiceUnavailable || busyDocs.Status != http.StatusServiceUnavailable || !strings.Contains(busy.Body, "打印任务较多") {
		t.Errorf("a third print at once: %d, 考场资料 %d; want 503", busy.Status, busyDocs.Status)
	}
	all := pdfToText(t, []byte(z.Body))
	if i, j, k := strings.Index(all, "260070003"), strings.Index(all, "260070004"), strings.Index(all, "260070006"); i < 0 || j < i || k < j {
		t.Errorf("one PDF of all three, in order: %q", all)
	}

	// 考场资料: the page lists the rooms; every document downloads; the photo ZIP names files by 准考证号.
	adm := e.client().signIn("admin")
	sp := strconv.FormatInt(w.plan.ID, 10)
	docs := adm.get("/admin/tickets?plan=" + sp)
	if n := docs.Doc.Find(`[data-testid="docs-room"]`).Length(); n != 2 {
		t.Errorf("考场资料 lists %d rooms, want 2", n)
	}
	r1 := strconv.FormatInt(w.rooms[0].ID, 10)
	for path, ctype := range map[string]string{
		"/admin/tickets/batch/room-photos?plan=" + sp + "&room=" + r1: "application/pdf",
		"/admin/tickets/batch/room-photos?plan=" + sp:                 "application/zip",
		"/admin/tickets/batch/desk-labels?plan=" + sp:                 "application/pdf",
		"/admin/tickets/batch/door-signs?plan=" + sp + "&room=" + r1:  "application/pdf",
		"/admin/tickets/batch/photo-zip?plan=" + sp:                   "application/zip",
	} {
		p := adm.get(path)
		if p.Status != http.StatusOK || p.Header.Get("Content-Type") != ctype {
			t.Errorf("GET %s: %d %s", path, p.Status, p.Header.Get("Content-Type"))
			continue
		}
		if strings.Contains(path, "desk-labels") {
			text := pdfToText(t, []byte(p.Body))
			for _, no := range []string{"260070001", "260070008"} {
				if !strings.Contains(text, no) {
					t.Errorf("desk labels lack %s", no)
				}
			}
			if strings.Contains(text, w.notTicketed) {
				t.Error("desk labels print a registration that is not 已放号")
			}
		}
		if strings.Contains(path, "photo-zip") {
			want := []string{"260070001.jpg", "260070002.jpg", "260070003.jpg", "260070004.jpg", "260070005.jpg",
				"260070006.jpg", "260070007.jpg", "260070008.jpg"}
			if got := zipNames(t, []byte(p.Body)); !slices.Equal(got, want) {
				t.Errorf("photo ZIP: %v", got)
			}
		}
	}
}

// The document tasks make the same documents for the job runner, as the actor, and refuse what the actor may not.
func TestTicketDocumentTasks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := ticketFixture(t, e)
	ctx := context.Background()
	params := map[string]string{"plan": strconv.FormatInt(w.plan.ID, 10)}
	as := func(user string) models.Actor { return models.Actor{Account: e.account(user)} }
	task, ok := models.DocumentTaskNamed("tickets.organization")
	if !ok {
		t.Fatal("tickets.organization is not registered")
	}
	var buf bytes.Buffer
	name, err := task.Make(ctx, e.db, as("jianshe2"), params, &buf)
	if err != nil || !strings.HasSuffix(name, ".pdf") {
		t.Fatalf("jianshe2: %q %v", name, err)
	}
	if text := pdfToText(t, buf.Bytes()); !strings.Contains(text, "260070007") || strings.Contains(text, "260070003") {
		t.Error("the background batch is not the organization's own")
	}
	for _, user := range []string{"peixun2", "zhangsan", "admin"} {
		if _, err := task.Make(ctx, e.db, as(user), params, io.Discard); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", user, err)
		}
	}
	if _, err := task.Make(ctx, e.db, as("jianshe"), map[string]string{"plan": strconv.FormatInt(w.unreleased.ID, 10)}, io.Discard); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unreleased plan: err = %v", err)
	}
	for _, n := range []string{"tickets.room_photos", "tickets.desk_labels", "tickets.door_signs", "tickets.photo_zip"} {
		task, ok := models.DocumentTaskNamed(n)
		if !ok {
			t.Fatalf("%s is not registered", n)
		}
		var buf bytes.Buffer
		if name, err := task.Make(ctx, e.db, as("admin"), params, &buf); err != nil || name == "" || buf.Len() == 0 {
			t.Errorf("%s: %q %v (%d bytes)", n, name, err, buf.Len())
		}
		if _, err := task.Make(ctx, e.db, as("jianshe"), params, io.Discard); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s as an enterprise: err = %v", n, err)
		}
	}
}

func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

// pdfToText extracts a PDF's text with Poppler's pdftotext (all whitespace removed), or skips without it.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("E2E_REQUIRED") != "" {
			t.Fatal("pdftotext is required (Debian: poppler-utils)")
		}
		t.Skip("pdftotext not installed (Debian: poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

func (e *env) personIDNumber(t *testing.T, username string) string {
	t.Helper()
	var p models.Person
	if err := e.db.NewSelect().Model(&p).Where("id = ?", *e.account(username).PersonID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p.IDNumber
}
