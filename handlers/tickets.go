package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"weak"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/internal/printout"
	"examcert/models"
	"examcert/views/pages"
)

// Tickets is 打印准考证 (LIFECYCLE §5) for practitioners, enterprises and training institutions: 考试名称 opens the
// plan picker (released plans holding a ticket of the caller's), 【查询】 lists the candidates of the plan in the
// caller's scope (models/ticket.go says whose), 【详细】 opens the ticket page, 【打印】 gives it as PDF or Word, and an
// organization prints all of its candidates' tickets at once. A ticket out of scope, of an unreleased plan or of a
// registration not 已放号 is 404 by every path: list, page, photo, PDF, Word, batch.
type Tickets struct{ *App }

// ticketUsers may use 打印准考证; admins use the picker too (the registry's documents).
var ticketUsers = []models.Role{models.RolePractitioner, models.RoleEnterprise, models.RoleTraining, models.RoleAdmin}

func ticketRoutes(a *App) []route {
	h := &Tickets{App: a}
	documentApps.Store(a.DB, weak.Make(a)) // background document tasks find this server's photos and fonts by its database
	// Downloads that stream (batches, the registry's documents) live under …/batch/, which compressPages skips:
	// their ZIPs are deflated already, and a gzip layer would only cost time.
	return []route{
		{method: http.MethodGet, path: "/tickets", name: routes.TicketPage, handler: h.Page, roles: applicants},
		{method: http.MethodGet, path: "/tickets/plans", name: routes.TicketPlanPicker, handler: h.Picker, roles: ticketUsers},
		{method: http.MethodGet, path: "/tickets/batch/print", name: routes.TicketPrintAll, handler: h.PrintAll, roles: organizations},
		{method: http.MethodPost, path: "/tickets/documents", name: routes.TicketRequestAll, handler: h.RequestAll, roles: organizations},
		{method: http.MethodGet, path: "/tickets/:id", name: routes.TicketDetail, handler: h.Detail, roles: applicants},
		{method: http.MethodGet, path: "/tickets/:id/photo", name: routes.TicketPhoto, handler: h.Photo, roles: applicants},
		{method: http.MethodGet, path: "/tickets/:id/pdf", name: routes.TicketPDF, handler: h.PDF, roles: applicants},
		{method: http.MethodGet, path: "/tickets/:id/docx", name: routes.TicketDOCX, handler: h.DOCX, roles: applicants},
		{method: http.MethodGet, path: "/admin/tickets", name: routes.AdminTicketDocs, handler: h.Docs, roles: admin},
		{method: http.MethodGet, path: "/admin/tickets/batch/room-photos", name: routes.AdminTicketRoomPhotos, handler: h.RoomPhotos, roles: admin},
		{method: http.MethodGet, path: "/admin/tickets/batch/desk-labels", name: routes.AdminTicketDeskLabels, handler: h.DeskLabels, roles: admin},
		{method: http.MethodGet, path: "/admin/tickets/batch/door-signs", name: routes.AdminTicketDoorSigns, handler: h.DoorSigns, roles: admin},
		{method: http.MethodGet, path: "/admin/tickets/batch/photo-zip", name: routes.AdminTicketPhotoZip, handler: h.PhotoZip, roles: admin},
		{method: http.MethodPost, path: "/admin/tickets/documents", name: routes.AdminTicketDocRequest, handler: h.RequestDocs, roles: admin},
	}
}

// ticketRowsPerPage is how many candidates the list shows at a time.
const ticketRowsPerPage = 50

// planParam reads ?plan= as a plan the caller may open here (else 404).
func (h *Tickets) planParam(c echo.Context) (*models.ExamPlan, error) {
	id, err := strconv.ParseInt(c.QueryParam("plan"), 10, 64)
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return models.TicketPlan(c.Request().Context(), h.DB, actor(c), id)
}

func planInfo(p *models.ExamPlan) string {
	return p.CategoryName() + "，" + p.Level + "；考试时间 " + p.ExamAt.In(models.Beijing).Format("2006-01-02 15:04")
}

func (h *Tickets) pickerField(c echo.Context, back routes.Name, plan *models.ExamPlan) pages.PlanField {
	f := pages.PlanField{PickerURL: reverse(c, routes.TicketPlanPicker) + "?return=" + url.QueryEscape(reverse(c, back))}
	if plan != nil {
		f.PlanID, f.PlanName = plan.ID, plan.Name
	}
	return f
}

// Page is 打印准考证: without ?plan= it asks for the plan; with it, 【查询】's list.
func (h *Tickets) Page(c echo.Context) error {
	p := pages.TicketsPage{Shell: h.shell(c, "打印准考证", routes.TicketPage), Action: reverse(c, routes.TicketPage),
		Picker: h.pickerField(c, routes.TicketPage, nil)}
	if c.QueryParam("plan") == "" {
		return h.render(c, http.StatusOK, pages.TicketsPageView(p), nil)
	}
	plan, err := h.planParam(c)
	if err != nil {
		return err
	}
	lq, err := readList(c, ticketRowsPerPage, "plan")
	if err != nil {
		return err
	}
	p.Picker = h.pickerField(c, routes.TicketPage, plan)
	p.PlanChosen, p.PlanID, p.PlanInfo, p.Query = true, strconv.FormatInt(plan.ID, 10), planInfo(plan), lq.Q
	ts, total, err := models.ListTickets(c.Request().Context(), h.DB, actor(c),
		models.TicketFilter{PlanID: plan.ID, Query: lq.Q, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	for i := range ts {
		t := &ts[i]
		id := t.RegistrationID
		p.Rows = append(p.Rows, pages.TicketRow{TicketNo: t.TicketNo, Name: t.PersonName, IDMasked: ident.MaskIDNumber(t.IDNumber),
			Room: t.Room(), Seat: strconv.Itoa(t.SeatNo), DetailURL: reverse(c, routes.TicketDetail, id),
			PDFURL: reverse(c, routes.TicketPDF, id), DOCXURL: reverse(c, routes.TicketDOCX, id)})
	}
	p.Pager = lq.pager(reverse(c, routes.TicketPage), total)
	if actor(c).Is(models.RoleEnterprise, models.RoleTraining) && lq.Q == "" && total > 0 {
		p.BatchURL = reverse(c, routes.TicketPrintAll) + "?plan=" + p.PlanID
		p.RequestURL = reverse(c, routes.TicketRequestAll)
		p.BatchNote = "共" + strconv.Itoa(total) + "张，生成一个PDF文件" // always one PDF (PrintAll), whatever the number
	}
	return h.render(c, http.StatusOK, pages.TicketsPageView(p), nil)
}

// Picker is the 考试名称 picker of 打印准考证 (and of 考场资料): released plans in which the caller has a ticket.
// A popup panel with JavaScript (htmx swaps it in), a page without.
func (h *Tickets) Picker(c echo.Context) error {
	ret := safeNext(c.QueryParam("return"))
	if ret == "" {
		ret = reverse(c, routes.TicketPage)
	}
	cid, _ := strconv.ParseInt(c.QueryParam("category"), 10, 64)
	from, _ := parseDay(c.QueryParam("from"))
	to, _ := parseDay(c.QueryParam("to"))
	plans, err := models.TicketPlans(c.Request().Context(), h.DB, actor(c),
		models.PlanFilter{Query: c.QueryParam("q"), CategoryID: cid, From: from, To: to, Limit: 100})
	if err != nil {
		return err
	}
	cats, err := h.categoryOptions(c, "全部", true)
	if err != nil {
		return err
	}
	active := routes.TicketPage
	if actor(c).Is(models.RoleAdmin) {
		active = routes.AdminTicketDocs
	}
	p := pages.PlanPicker{Shell: h.shell(c, "选择考试", active), Action: reverse(c, routes.TicketPlanPicker), Return: ret,
		Query: c.QueryParam("q"), Category: c.QueryParam("category"), From: c.QueryParam("from"), To: c.QueryParam("to"), Categories: cats}
	sep := "?"
	if strings.Contains(ret, "?") {
		sep = "&"
	}
	for _, pl := range plans {
		p.Rows = append(p.Rows, pages.PickerRow{Name: pl.Name, Category: pl.CategoryName(), Level: pl.Level,
			ExamAt: pl.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"), Status: "已放号",
			ChooseURL: ret + sep + "plan=" + strconv.FormatInt(pl.ID, 10)})
	}
	return h.render(c, http.StatusOK, pages.PlanPickerPage(p), pages.PlanPickerPanel(p))
}

// ticket loads the ticket of :id (a registration id) in the caller's scope, else 404.
func (h *Tickets) ticket(c echo.Context) (*models.TicketView, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.TicketInScope(c.Request().Context(), h.DB, actor(c), id)
}

// Detail is 【详细】: the ticket page, with the full ID number (the candidate's own ticket, or one the organization
// prints for its candidate): audited as a view.
func (h *Tickets) Detail(c echo.Context) error {
	t, err := h.ticket(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := h.ticketPrinter(ctx)
	if err != nil {
		return err
	}
	subjects, err := models.PlanSubjects(ctx, h.DB, t.PlanID)
	if err != nil {
		return err
	}
	pt := p.printed(t, subjects, nil)
	svg, err := printout.QRSVG(pt.Token, 150)
	if err != nil {
		return err
	}
	s := pages.TicketSheet{Shell: h.shell(c, "准考证", routes.TicketPage), Title: pt.Kind.Title(), QRSVG: svg, QRLabel: pt.Kind.QRLabel(),
		Rules: pt.Kind.Rules(), Fields: ticketSheetFields(&pt), PDFURL: reverse(c, routes.TicketPDF, t.RegistrationID),
		DOCXURL: reverse(c, routes.TicketDOCX, t.RegistrationID),
		BackURL: reverse(c, routes.TicketPage) + "?plan=" + strconv.FormatInt(t.PlanID, 10)}
	for _, x := range pt.Subjects {
		s.Subjects = append(s.Subjects, pages.TicketSubjectRow{Name: x.Name, Date: x.Date, Time: x.Time})
	}
	if t.PhotoKey != "" {
		s.PhotoURL = reverse(c, routes.TicketPhoto, t.RegistrationID)
	}
	h.audit(c, models.EventRegViewed, models.TicketObject(t.TicketNo), "ok", "准考证（含完整证件号码）")
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.TicketSheetPage(s), nil)
}

// ticketSheetFields are the ticket page's fields, as the variant prints them: a 网考 has a 考试平台 and a 场次, and
// no 座位号.
func ticketSheetFields(pt *printout.Ticket) []pages.Pair {
	site, room := pages.Pair{Label: "考点名称（地址）", Value: pt.Site}, pages.Pair{Label: "考场号", Value: pt.RoomNo}
	seat := []pages.Pair{{Label: "座位号", Value: pt.SeatNo}}
	if pt.Kind.Online() {
		site, room, seat = pages.Pair{Label: "考试平台", Value: pt.Site}, pages.Pair{Label: "场次", Value: pt.RoomNo}, nil
	}
	fs := []pages.Pair{{Label: "准考证号", Value: pt.TicketNo}, {Label: "姓名", Value: pt.Name}, {Label: "证件号码", Value: pt.IDNumber},
		{Label: "工作单位", Value: pt.Employer}, {Label: "岗位类别", Value: pt.Category}, {Label: "岗位名称", Value: pt.Post}, site, room}
	return append(append(fs, seat...), pages.Pair{Label: "备注", Value: pt.Remark})
}

// Photo serves the photo printed on the ticket.
func (h *Tickets) Photo(c echo.Context) error {
	t, err := h.ticket(c)
	if err != nil {
		return err
	}
	return h.servePhoto(c, &models.Person{PhotoKey: t.PhotoKey})
}

// PDF is 【打印】 of one ticket as PDF.
func (h *Tickets) PDF(c echo.Context) error { return h.download(c, false) }

// DOCX is 【打印】 of one ticket as a Word file.
func (h *Tickets) DOCX(c echo.Context) error { return h.download(c, true) }

func (h *Tickets) download(c echo.Context, word bool) error {
	t, err := h.ticket(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := h.ticketPrinter(ctx)
	if err != nil {
		return err
	}
	subjects, err := models.PlanSubjects(ctx, h.DB, t.PlanID)
	if err != nil {
		return err
	}
	photo, err := p.photo(ctx, t.PhotoKey)
	if err != nil {
		return err
	}
	pt := p.printed(t, subjects, photo)
	var b bytesBuffer
	if word {
		err = printout.TicketDOCX(&b, pt)
	} else {
		err = p.r.TicketPDF(&b, pt)
	}
	if err != nil {
		return err
	}
	body := b.Bytes()
	kind, ext, ctype := "pdf", ".pdf", "application/pdf"
	if word {
		kind, ext, ctype = "docx", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	h.audit(c, models.EventExport, models.TicketObject(t.TicketNo), kind, "准考证")
	return sendDownload(c, ctype, "ticket-"+t.TicketNo+ext, "准考证-"+t.TicketNo+ext, body)
}

// PrintAll is 打印全部准考证 for an organization: all its candidates' tickets of the plan, read a page at a time, as
// one PDF made ticketsPerFile tickets at a time and streamed as each part is made (printout.TicketBook), so memory
// stays bounded for any number of tickets. At most printSlotCount such prints (and 打印报名表s) run at once; another
// gets 503.
func (h *Tickets) PrintAll(c echo.Context) error {
	plan, err := h.planParam(c)
	if err != nil {
		return err
	}
	select {
	case h.printSlots <- struct{}{}:
		defer func() { <-h.printSlots }()
	default:
		return echo.NewHTTPError(http.StatusServiceUnavailable, msgPrintBusy)
	}
	ctx := c.Request().Context()
	p, err := h.ticketPrinter(ctx)
	if err != nil {
		return err
	}
	w := &lazyDownload{c: c}
	res, err := p.organizationTickets(ctx, actor(c), plan, p.perFile, func(name, ascii, ctype string) {
		w.name, w.ascii, w.contentType = name, ascii, ctype
	}, w)
	if err != nil {
		if w.started {
			h.Log.Error("打印全部准考证: writing", "err", err)
			return nil // the response is under way: nothing else can be said
		}
		return err
	}
	h.audit(c, models.EventExport, models.PlanTicketsObject(plan.ID), "ok", res)
	return nil
}

// ticketsPerFile is how many tickets an organization's one PDF is made of at a time (printout.TicketBook; the
// 报名表's PrintChunk setting serves both): 100 keeps a print of any size near 40 MB of heap.
func (a *App) ticketsPerFile() int {
	if a.PrintChunk > 0 {
		return a.PrintChunk
	}
	return ticketsPerChunk
}

const ticketsPerChunk = 100
