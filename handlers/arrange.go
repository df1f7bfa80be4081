package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Arrange is 考务编排 for admins: 考点, and per plan its 科目, 考场, 放号 (the draw), 取消放号, 校验 and the room lists.
type Arrange struct{ *App }

func arrangeRoutes(a *App) []route {
	h := &Arrange{App: a}
	return []route{
		{method: http.MethodGet, path: "/admin/exam-sites", name: routes.AdminSites, handler: h.Sites, roles: admin},
		{method: http.MethodGet, path: "/admin/exam-sites/new", name: routes.AdminSitesNew, handler: h.NewSite, roles: admin},
		{method: http.MethodPost, path: "/admin/exam-sites", name: routes.AdminSitesCreate, handler: h.CreateSite, roles: admin},
		{method: http.MethodGet, path: "/admin/exam-sites/:id", name: routes.AdminSitesEdit, handler: h.EditSite, roles: admin},
		{method: http.MethodPost, path: "/admin/exam-sites/:id", name: routes.AdminSitesUpdate, handler: h.UpdateSite, roles: admin},
		{method: http.MethodPost, path: "/admin/exam-sites/:id/toggle", name: routes.AdminSitesToggle, handler: h.ToggleSite, roles: admin},
		{method: http.MethodGet, path: "/admin/arrange", name: routes.AdminArrange, handler: h.Plans, roles: admin},
		{method: http.MethodGet, path: "/admin/arrange/:id", name: routes.AdminArrangePlan, handler: h.Plan, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/:id/subjects", name: routes.AdminArrangeSubjectAdd, handler: h.AddSubject, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/subjects/:id/delete", name: routes.AdminArrangeSubjectDelete, handler: h.DeleteSubject, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/:id/rooms", name: routes.AdminArrangeRoomAdd, handler: h.AddRoom, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/:id/rooms/generate", name: routes.AdminArrangeRoomsGenerate, handler: h.GenerateRooms, roles: admin},
		{method: http.MethodGet, path: "/admin/arrange/rooms/:id", name: routes.AdminArrangeRoomEdit, handler: h.EditRoom, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/rooms/:id", name: routes.AdminArrangeRoomUpdate, handler: h.UpdateRoom, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/rooms/:id/delete", name: routes.AdminArrangeRoomDelete, handler: h.DeleteRoom, roles: admin},
		{method: http.MethodGet, path: "/admin/arrange/rooms/:id/seats", name: routes.AdminArrangeRoomSeats, handler: h.RoomSeats, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/:id/release", name: routes.AdminArrangeRelease, handler: h.Release, roles: admin},
		{method: http.MethodPost, path: "/admin/arrange/:id/cancel", name: routes.AdminArrangeCancel, handler: h.Cancel, roles: admin},
		{method: http.MethodGet, path: "/admin/arrange/:id/seating", name: routes.AdminArrangeSeating, handler: h.Seating, roles: admin},
		{method: http.MethodGet, path: "/admin/arrange/draws/:id/verify", name: routes.AdminArrangeVerify, handler: h.Verify, roles: admin},
	}
}

const sitesPerPage = 20

var siteNotices = map[string]string{"created": "考点已新增", "saved": "修改保存成功", "toggled": "考点状态已更新"}

func paramID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, models.ErrNotFound
	}
	return id, nil
}

func beijing(t time.Time) string { return t.In(models.Beijing).Format("2006-01-02 15:04") }

func localInput(t time.Time) string { return t.In(models.Beijing).Format("2006-01-02T15:04") }

func timeRange(a, b time.Time) string {
	if a.In(models.Beijing).YearDay() == b.In(models.Beijing).YearDay() {
		return beijing(a) + "～" + b.In(models.Beijing).Format("15:04")
	}
	return beijing(a) + "～" + beijing(b)
}

// Sites is 考点管理.
func (h *Arrange) Sites(c echo.Context) error {
	lq, err := readList(c, sitesPerPage)
	if err != nil {
		return err
	}
	ss, total, err := models.ListSites(c.Request().Context(), h.DB, models.SiteFilter{Query: lq.Q, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	l := pages.SiteList{Shell: h.shell(c, "考点管理", routes.AdminArrange), Query: lq.Q, ListURL: reverse(c, routes.AdminSites),
		NewURL: reverse(c, routes.AdminSitesNew), BackURL: reverse(c, routes.AdminArrange),
		Pager: lq.pager(reverse(c, routes.AdminSites), total), Success: siteNotices[c.QueryParam("ok")]}
	for _, s := range ss {
		id := strconv.FormatInt(s.ID, 10)
		l.Rows = append(l.Rows, pages.SiteRow{ID: s.ID, Name: s.Name, Address: s.Address, Contact: s.ContactName, Phone: s.ContactPhone,
			RoomCount: s.RoomCount, Capacity: s.Capacity, Active: s.Active,
			EditURL: reverse(c, routes.AdminSitesEdit, id), ToggleURL: reverse(c, routes.AdminSitesToggle, id)})
	}
	return h.render(c, http.StatusOK, pages.SitePage(l), pages.SiteResults(l))
}

func readSiteValues(c echo.Context) pages.SiteValues {
	return pages.SiteValues{Name: c.FormValue("name"), Address: c.FormValue("address"), ContactName: c.FormValue("contact_name"),
		ContactPhone: c.FormValue("contact_phone"), RoomCount: c.FormValue("room_count"), Capacity: c.FormValue("capacity")}
}

func siteInput(v pages.SiteValues) models.SiteInput {
	return models.SiteInput{Name: v.Name, Address: v.Address, ContactName: v.ContactName, ContactPhone: v.ContactPhone,
		RoomCount: v.RoomCount, Capacity: v.Capacity}
}

func (h *Arrange) renderSiteForm(c echo.Context, f pages.SiteForm) error {
	return h.render(c, http.StatusOK, pages.SiteFormPage(h.shell(c, f.Title, routes.AdminArrange), f), nil)
}

// NewSite is 新增考点.
func (h *Arrange) NewSite(c echo.Context) error {
	return h.renderSiteForm(c, pages.SiteForm{Title: "新增考点", Action: reverse(c, routes.AdminSitesCreate), BackURL: reverse(c, routes.AdminSites)})
}

// CreateSite stores a new 考点.
func (h *Arrange) CreateSite(c echo.Context) error {
	f := pages.SiteForm{Title: "新增考点", Action: reverse(c, routes.AdminSitesCreate), BackURL: reverse(c, routes.AdminSites), In: readSiteValues(c)}
	_, err := models.CreateSite(c.Request().Context(), h.DB, actor(c), siteInput(f.In))
	if show, err := formOutcome(err, &f.FormState, "该考点", nil); show || err != nil {
		return orRender(err, func() error { return h.renderSiteForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminSites)+"?ok=created")
}

func (h *Arrange) siteForm(c echo.Context, s *models.ExamSite) pages.SiteForm {
	f := pages.SiteForm{Title: "编辑考点", Action: reverse(c, routes.AdminSitesUpdate, strconv.FormatInt(s.ID, 10)), BackURL: reverse(c, routes.AdminSites),
		In: pages.SiteValues{Name: s.Name, Address: s.Address, ContactName: s.ContactName, ContactPhone: s.ContactPhone,
			RoomCount: strconv.Itoa(s.RoomCount), Capacity: strconv.Itoa(s.Capacity)}}
	f.Version = s.Version
	return f
}

func (h *Arrange) loadSite(c echo.Context) (*models.ExamSite, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.GetSite(c.Request().Context(), h.DB, id)
}

// EditSite shows a 考点's form.
func (h *Arrange) EditSite(c echo.Context) error {
	s, err := h.loadSite(c)
	if err != nil {
		return err
	}
	return h.renderSiteForm(c, h.siteForm(c, s))
}

// UpdateSite saves a 考点; a stale version gets the conflict message and the stored values.
func (h *Arrange) UpdateSite(c echo.Context) error {
	s, err := h.loadSite(c)
	if err != nil {
		return err
	}
	f := h.siteForm(c, s)
	f.In, f.Version = readSiteValues(c), formVersion(c)
	_, err = models.UpdateSite(c.Request().Context(), h.DB, actor(c), s.ID, siteInput(f.In), f.Version)
	reload := func() error {
		fresh, err := h.loadSite(c)
		if err == nil {
			f = h.siteForm(c, fresh)
		}
		return err
	}
	if show, err := formOutcome(err, &f.FormState, "该考点", reload); show || err != nil {
		return orRender(err, func() error { return h.renderSiteForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminSites)+"?ok=saved")
}

// ToggleSite stops or resumes offering a 考点 for new 考场.
func (h *Arrange) ToggleSite(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := models.ToggleSite(c.Request().Context(), h.DB, actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminSites)+"?ok=toggled")
}

// Plans is 考务编排: the plans, each with its arrangement.
func (h *Arrange) Plans(c echo.Context) error {
	lq, err := readList(c, plansPerPage)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ps, total, err := models.ListPlans(ctx, h.DB, models.PlanFilter{Query: lq.Q, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	l := pages.ArrangePlanList{Shell: h.shell(c, "考务编排", routes.AdminArrange), Query: lq.Q, ListURL: reverse(c, routes.AdminArrange),
		SitesURL: reverse(c, routes.AdminSites), Pager: lq.pager(reverse(c, routes.AdminArrange), total)}
	for _, p := range ps {
		at, err := models.ReleasedAt(ctx, h.DB, p.ID)
		if err != nil {
			return err
		}
		released := "未放号"
		if at != nil {
			released = "已放号（" + beijing(*at) + "）"
		}
		l.Rows = append(l.Rows, pages.ArrangePlanRow{ID: p.ID, Name: p.Name, Category: p.CategoryName(), ExamAt: beijing(p.ExamAt),
			Status: p.Status.Label(), Released: released, ArrangeURL: reverse(c, routes.AdminArrangePlan, strconv.FormatInt(p.ID, 10))})
	}
	return h.render(c, http.StatusOK, pages.ArrangePlansPage(l), pages.ArrangePlansResults(l))
}

var arrangeNotices = map[string]string{
	"subject": "科目已添加", "subject_deleted": "科目已删除", "room": "考场已添加", "generated": "考场已生成",
	"room_saved": "考场已保存", "room_deleted": "考场已删除", "released": "放号完成", "already": "该考试计划已放号，本次未作任何改动",
	"cancelled": "已取消放号，准考证已作废",
}

// arrangement fills a plan's 考务编排 view (in = what the forms carry back, e.g. after a refusal).
func (h *Arrange) arrangement(c echo.Context, planID int64, in pages.ArrangeValues) (pages.Arrange, error) {
	v, err := models.LoadArrangementView(c.Request().Context(), h.DB, planID)
	if err != nil {
		return pages.Arrange{}, err
	}
	p, sum, id := v.Plan, v.Summary, strconv.FormatInt(planID, 10)
	a := pages.Arrange{Shell: h.shell(c, "考务编排", routes.AdminArrange), PlanName: p.Name, ExamAt: beijing(p.ExamAt), PlanStatus: p.Status.Label(),
		ReadyLabel: sum.ReadyLabel, Ready: sum.Ready, Capacity: sum.Capacity, Missing: sum.Missing(), Ticketed: sum.Ticketed,
		SubjectURL: reverse(c, routes.AdminArrangeSubjectAdd, id), RoomURL: reverse(c, routes.AdminArrangeRoomAdd, id),
		GenerateURL: reverse(c, routes.AdminArrangeRoomsGenerate, id), ReleaseURL: reverse(c, routes.AdminArrangeRelease, id),
		CancelURL: reverse(c, routes.AdminArrangeCancel, id), SeatingURL: reverse(c, routes.AdminArrangeSeating, id),
		SitesURL: reverse(c, routes.AdminSites), BackURL: reverse(c, routes.AdminArrange), In: in, First: v.First, Last: v.Last,
		SiteOptions: []components.Option{{Value: "", Label: "请选择"}}}
	if sum.ReleasedAt != nil {
		a.Released = beijing(*sum.ReleasedAt)
	}
	for _, s := range sum.Sites {
		a.Sites = append(a.Sites, pages.SiteSumRow{Name: s.Site.Name, Rooms: s.Rooms, Capacity: s.Capacity, Seated: s.Seated})
	}
	for _, s := range v.Subjects {
		a.Subjects = append(a.Subjects, pages.SubjectRow{Name: s.Name, Time: timeRange(s.StartsAt, s.EndsAt),
			DeleteURL: reverse(c, routes.AdminArrangeSubjectDelete, strconv.FormatInt(s.ID, 10))})
	}
	for _, r := range v.Rooms {
		a.Rooms = append(a.Rooms, h.roomRow(c, &r, v.Seated[r.ID]))
	}
	for _, s := range v.Sites {
		a.SiteOptions = append(a.SiteOptions, components.Option{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
	}
	a.Draws, a.Live = h.drawRows(c, v.Draws)
	// The forms start from the plan's exam time.
	if a.In.GenStarts == "" && a.In.GenEnds == "" {
		a.In.GenStarts, a.In.GenEnds = localInput(p.ExamAt), localInput(p.ExamAt.Add(2*time.Hour))
	}
	if a.In.Starts == "" && a.In.Ends == "" {
		a.In.Starts, a.In.Ends = localInput(p.ExamAt), localInput(p.ExamAt.Add(2*time.Hour))
	}
	return a, nil
}

// drawRows are a plan's draws as the page lists them, and the live one (nil when none).
func (h *Arrange) drawRows(c echo.Context, draws []models.DrawRecord) (rows []pages.DrawRow, live *pages.DrawRow) {
	for _, d := range draws {
		row := pages.DrawRow{ID: d.ID, BatchNo: d.BatchNo, Seed: d.Seed, DrawnAt: beijing(d.DrawnAt), Candidates: d.Candidates,
			Spread: d.SpreadOrganizations, VerifyURL: reverse(c, routes.AdminArrangeVerify, strconv.FormatInt(d.ID, 10))}
		if d.CancelledAt != nil {
			row.Cancelled, row.CancelReason = beijing(*d.CancelledAt), d.CancelReason
		} else {
			l := row
			live = &l
		}
		rows = append(rows, row)
	}
	return rows, live
}

func (h *Arrange) roomRow(c echo.Context, r *models.ExamRoom, seated int) pages.ArrangeRoomRow {
	id := strconv.FormatInt(r.ID, 10)
	row := pages.ArrangeRoomRow{ID: r.ID, Site: r.Site.Name, RoomNo: r.RoomNo, Time: timeRange(r.StartsAt, r.EndsAt), Capacity: r.Capacity,
		Seated: seated, EditURL: reverse(c, routes.AdminArrangeRoomEdit, id), DeleteURL: reverse(c, routes.AdminArrangeRoomDelete, id),
		SeatsURL: reverse(c, routes.AdminArrangeRoomSeats, id)}
	if r.FirstTicketNo != "" {
		row.Range = r.FirstTicketNo + "～" + r.LastTicketNo
	}
	return row
}

// Plan is one plan's 考务编排.
func (h *Arrange) Plan(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	a, err := h.arrangement(c, id, pages.ArrangeValues{})
	if err != nil {
		return err
	}
	a.Success = arrangeNotices[c.QueryParam("ok")]
	return h.render(c, http.StatusOK, pages.ArrangePage(a), pages.ArrangeMain(a))
}

// refusal is the admin's message for a rule of 考务编排 that refused a change (shown above the arrangement, 200).
func refusal(err error) string {
	var short *models.ShortOfSeatsError
	switch {
	case errors.As(err, &short):
		return err.Error()
	case errors.Is(err, models.ErrReleased), errors.Is(err, models.ErrNoCandidates), errors.Is(err, models.ErrTooManyCandidates),
		errors.Is(err, models.ErrTooManyPlans), errors.Is(err, models.ErrNotReleased), errors.Is(err, models.ErrCheckedIn),
		errors.Is(err, models.ErrBeyondTicketed), errors.Is(err, models.ErrCandidatesChanged):
		return err.Error()
	}
	return ""
}

// answer ends an action on a plan's arrangement: done → the arrangement with okCode's message (htmx) or a 303 to it;
// field errors (renamed by fields, for forms that share a page) or a refusal → the arrangement again with the
// messages and what was typed (200); anything else → the error page.
func (h *Arrange) answer(c echo.Context, planID int64, err error, okCode string, in pages.ArrangeValues, fields map[string]string) error {
	var st components.FormState
	var fe models.FieldErrors
	msg := refusal(err)
	switch {
	case err == nil:
		if !isHTMX(c) {
			return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminArrangePlan, strconv.FormatInt(planID, 10))+"?ok="+okCode)
		}
		in = pages.ArrangeValues{}
	case errors.As(err, &fe):
		st.Errors = map[string]string{}
		for k, v := range fe {
			if to, ok := fields[k]; ok {
				k = to
			}
			st.Errors[k] = v
		}
		st.Error = msgFixFields
	case msg == "":
		return err
	}
	a, lerr := h.arrangement(c, planID, in)
	if lerr != nil {
		return lerr
	}
	a.FormState, a.Refusal = st, msg
	if err == nil {
		a.Success = arrangeNotices[okCode]
	}
	return h.render(c, http.StatusOK, pages.ArrangePage(a), pages.ArrangeMain(a))
}

func readArrangeValues(c echo.Context) pages.ArrangeValues {
	return pages.ArrangeValues{SubjectName: c.FormValue("subject_name"), SubjectStarts: c.FormValue("subject_starts"), SubjectEnds: c.FormValue("subject_ends"),
		SiteID: c.FormValue("site_id"), RoomNo: c.FormValue("room_no"), Capacity: c.FormValue("capacity"), Starts: c.FormValue("starts_at"), Ends: c.FormValue("ends_at"),
		GenSiteID: c.FormValue("gen_site_id"), GenCount: c.FormValue("gen_count"), GenCapacity: c.FormValue("gen_capacity"),
		GenStarts: c.FormValue("gen_starts"), GenEnds: c.FormValue("gen_ends"), Reason: c.FormValue("reason"), Spread: c.FormValue("spread") == "1"}
}

// planOf reads the plan id of the URL and checks that the plan exists (404 otherwise).
func (h *Arrange) planOf(c echo.Context) (int64, error) {
	id, err := paramID(c)
	if err != nil {
		return 0, err
	}
	_, err = models.ReleasedAt(c.Request().Context(), h.DB, id)
	return id, err
}

// AddSubject adds a 科目 with its time.
func (h *Arrange) AddSubject(c echo.Context) error {
	id, err := h.planOf(c)
	if err != nil {
		return err
	}
	in := readArrangeValues(c)
	_, err = models.AddSubject(c.Request().Context(), h.DB, actor(c), id, models.SubjectInput{Name: in.SubjectName, StartsAt: in.SubjectStarts, EndsAt: in.SubjectEnds})
	return h.answer(c, id, err, "subject", in, map[string]string{"starts_at": "subject_starts", "ends_at": "subject_ends"})
}

// DeleteSubject removes a 科目, after asking.
func (h *Arrange) DeleteSubject(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if ok, err := h.confirmed(c, routes.AdminArrange, "确定删除该科目？", "删除", "", nil); !ok {
		return err
	}
	planID, err := models.DeleteSubject(c.Request().Context(), h.DB, actor(c), id)
	if errors.Is(err, models.ErrNotFound) || (planID == 0 && err != nil) {
		return err
	}
	return h.answer(c, planID, err, "subject_deleted", pages.ArrangeValues{}, nil)
}

// AddRoom adds a 考场.
func (h *Arrange) AddRoom(c echo.Context) error {
	id, err := h.planOf(c)
	if err != nil {
		return err
	}
	in := readArrangeValues(c)
	_, err = models.CreateRoom(c.Request().Context(), h.DB, actor(c), id, models.RoomInput{SiteID: in.SiteID, RoomNo: in.RoomNo, Capacity: in.Capacity,
		StartsAt: in.Starts, EndsAt: in.Ends})
	return h.answer(c, id, err, "room", in, nil)
}

// GenerateRooms is 批量生成考场: N rooms of capacity C at a 考点.
func (h *Arrange) GenerateRooms(c echo.Context) error {
	id, err := h.planOf(c)
	if err != nil {
		return err
	}
	in := readArrangeValues(c)
	_, err = models.GenerateRooms(c.Request().Context(), h.DB, actor(c), id, models.GenerateInput{SiteID: in.GenSiteID, Count: in.GenCount,
		Capacity: in.GenCapacity, StartsAt: in.GenStarts, EndsAt: in.GenEnds})
	return h.answer(c, id, err, "generated", in, map[string]string{"site_id": "gen_site_id", "count": "gen_count", "capacity": "gen_capacity",
		"starts_at": "gen_starts", "ends_at": "gen_ends", "room_no": "gen_count"})
}

func (h *Arrange) loadRoom(c echo.Context) (*models.ExamRoom, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	return models.GetRoom(c.Request().Context(), h.DB, id)
}

func (h *Arrange) roomForm(c echo.Context, r *models.ExamRoom) (pages.RoomForm, error) {
	f := pages.RoomForm{Title: "编辑考场", Action: reverse(c, routes.AdminArrangeRoomUpdate, strconv.FormatInt(r.ID, 10)),
		BackURL: reverse(c, routes.AdminArrangePlan, strconv.FormatInt(r.PlanID, 10)),
		In: pages.RoomValues{SiteID: strconv.FormatInt(r.SiteID, 10), RoomNo: r.RoomNo, Capacity: strconv.Itoa(r.Capacity),
			Starts: localInput(r.StartsAt), Ends: localInput(r.EndsAt)}}
	f.Version = r.Version
	sites, _, err := models.ListSites(c.Request().Context(), h.DB, models.SiteFilter{})
	f.Sites = []components.Option{{Value: "", Label: "请选择"}}
	for _, s := range sites {
		if s.Active || s.ID == r.SiteID {
			f.Sites = append(f.Sites, components.Option{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
		}
	}
	return f, err
}

func (h *Arrange) renderRoomForm(c echo.Context, f pages.RoomForm) error {
	return h.render(c, http.StatusOK, pages.RoomFormPage(h.shell(c, f.Title, routes.AdminArrange), f), nil)
}

// EditRoom shows a 考场's form.
func (h *Arrange) EditRoom(c echo.Context) error {
	r, err := h.loadRoom(c)
	if err != nil {
		return err
	}
	f, err := h.roomForm(c, r)
	if err != nil {
		return err
	}
	return h.renderRoomForm(c, f)
}

// UpdateRoom saves a 考场; after 放号 the form says the arrangement is locked.
func (h *Arrange) UpdateRoom(c echo.Context) error {
	r, err := h.loadRoom(c)
	if err != nil {
		return err
	}
	f, err := h.roomForm(c, r)
	if err != nil {
		return err
	}
	f.In = pages.RoomValues{SiteID: c.FormValue("site_id"), RoomNo: c.FormValue("room_no"), Capacity: c.FormValue("capacity"),
		Starts: c.FormValue("starts_at"), Ends: c.FormValue("ends_at")}
	f.Version = formVersion(c)
	_, err = models.UpdateRoom(c.Request().Context(), h.DB, actor(c), r.ID, models.RoomInput{SiteID: f.In.SiteID, RoomNo: f.In.RoomNo,
		Capacity: f.In.Capacity, StartsAt: f.In.Starts, EndsAt: f.In.Ends}, f.Version)
	if errors.Is(err, models.ErrReleased) {
		f.Error = err.Error()
		return h.renderRoomForm(c, f)
	}
	reload := func() error {
		fresh, err := h.loadRoom(c)
		if err == nil {
			f, err = h.roomForm(c, fresh)
		}
		return err
	}
	if show, err := formOutcome(err, &f.FormState, "该考场", reload); show || err != nil {
		return orRender(err, func() error { return h.renderRoomForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminArrangePlan, strconv.FormatInt(r.PlanID, 10))+"?ok=room_saved")
}

// DeleteRoom removes a 考场, after asking.
func (h *Arrange) DeleteRoom(c echo.Context) error {
	r, err := h.loadRoom(c)
	if err != nil {
		return err
	}
	back := reverse(c, routes.AdminArrangePlan, strconv.FormatInt(r.PlanID, 10))
	if ok, err := h.confirmed(c, routes.AdminArrange, "确定删除考场 "+r.RoomNo+"？", "删除", back, nil); !ok {
		return err
	}
	_, err = models.DeleteRoom(c.Request().Context(), h.DB, actor(c), r.ID)
	return h.answer(c, r.PlanID, err, "room_deleted", pages.ArrangeValues{}, nil)
}

// Release is 放号, after asking. Running it again on a plan already released changes nothing and says so.
func (h *Arrange) Release(c echo.Context) error {
	id, err := h.planOf(c)
	if err != nil {
		return err
	}
	back := reverse(c, routes.AdminArrangePlan, strconv.FormatInt(id, 10))
	if ok, err := h.confirmed(c, routes.AdminArrange, "确定放号？将为待放号考生编排考场、座位和准考证号，放号后考场安排锁定。", "放号", back, nil); !ok {
		return err
	}
	in := readArrangeValues(c)
	res, err := models.ReleaseNumbers(c.Request().Context(), h.DB, actor(c), id, models.ReleaseOptions{Spread: in.Spread})
	ok := "released"
	if err == nil && res.Already {
		ok = "already"
	}
	return h.answer(c, id, err, ok, in, nil)
}

// Cancel is 取消放号, with a reason, after asking.
func (h *Arrange) Cancel(c echo.Context) error {
	id, err := h.planOf(c)
	if err != nil {
		return err
	}
	in := readArrangeValues(c)
	back := reverse(c, routes.AdminArrangePlan, strconv.FormatInt(id, 10))
	// Without a reason there is nothing to ask yet: the form says so beside the field.
	if c.FormValue("confirmed") != "1" && len([]rune(in.Reason)) >= 2 {
		if ok, err := h.confirmed(c, routes.AdminArrange, "确定取消放号？已发放的准考证全部作废，考生回到待放号状态。", "取消放号", back, nil); !ok {
			return err
		}
	}
	err = models.CancelRelease(c.Request().Context(), h.DB, actor(c), id, in.Reason)
	return h.answer(c, id, err, "cancelled", in, nil)
}

// Verify is 校验: the draw re-run from its seed, compared with the stored seats.
func (h *Arrange) Verify(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	check, err := models.VerifyDraw(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return err
	}
	v := pages.DrawCheckView{Shell: h.shell(c, "放号校验", routes.AdminArrange), BatchNo: check.Draw.BatchNo, Seed: check.Draw.Seed,
		Checked: check.Checked, Differences: check.Differences, Matches: check.Matches(), Cancelled: check.Cancelled,
		BackURL: reverse(c, routes.AdminArrangePlan, strconv.FormatInt(check.Draw.PlanID, 10))}
	return h.render(c, http.StatusOK, pages.DrawCheckPage(v), pages.DrawCheckResult(v))
}

// Seating is the 考场名单 of a plan: its rooms with their 准考证号 ranges and counts.
func (h *Arrange) Seating(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := models.GetPlan(ctx, h.DB, id)
	if err != nil {
		return err
	}
	rooms, err := models.ListRooms(ctx, h.DB, id)
	if err != nil {
		return err
	}
	counts, err := models.RoomCounts(ctx, h.DB, id)
	if err != nil {
		return err
	}
	v := pages.Seating{Shell: h.shell(c, "考场名单", routes.AdminArrange), PlanName: p.Name, BackURL: reverse(c, routes.AdminArrangePlan, strconv.FormatInt(id, 10))}
	for _, r := range rooms {
		row := pages.SeatingRoom{Site: r.Site.Name, Address: r.Site.Address, RoomNo: r.RoomNo, Time: timeRange(r.StartsAt, r.EndsAt),
			Seated: counts[r.ID], Capacity: r.Capacity, SeatsURL: reverse(c, routes.AdminArrangeRoomSeats, strconv.FormatInt(r.ID, 10))}
		if r.FirstTicketNo != "" {
			row.Range = r.FirstTicketNo + "～" + r.LastTicketNo
		}
		v.Rooms = append(v.Rooms, row)
	}
	return h.render(c, http.StatusOK, pages.SeatingPage(v), nil)
}

// RoomSeats is a room's candidates by seat (ID numbers masked).
func (h *Arrange) RoomSeats(c echo.Context) error {
	r, err := h.loadRoom(c)
	if err != nil {
		return err
	}
	ts, err := models.ListRoomTickets(c.Request().Context(), h.DB, r.ID)
	if err != nil {
		return err
	}
	v := pages.RoomSeats{Shell: h.shell(c, "考生名单", routes.AdminArrange), Title: r.Site.Name + " 第" + r.RoomNo + "考场 · 考生名单",
		BackURL: reverse(c, routes.AdminArrangeSeating, strconv.FormatInt(r.PlanID, 10))}
	if r.FirstTicketNo != "" {
		v.Range = r.FirstTicketNo + "～" + r.LastTicketNo
	}
	for _, t := range ts {
		v.Rows = append(v.Rows, pages.SeatRow{SeatNo: t.SeatNo, TicketNo: t.TicketNo, Name: t.Name, ID: ident.MaskIDNumber(t.IDNumber),
			Employer: t.EmployerName, CheckedIn: t.CheckedIn})
	}
	return h.render(c, http.StatusOK, pages.RoomSeatsPage(v), nil)
}
