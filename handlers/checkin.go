package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// checkers may use the 签到 screens: 考务人员 (within their 考点 and days) and admins.
var checkers = []models.Role{models.RoleProctor, models.RoleAdmin}

// Checkin is 考生签到 on exam day.
type Checkin struct {
	*App
	tokensMu sync.Mutex
	tokens   *models.TicketTokens // the 准考证 QR key, read once
}

// ProctorScopes is where an admin gives a 考务人员 their 考点 and days.
type ProctorScopes struct{ *App }

func checkinRoutes(a *App) []route {
	h := &Checkin{App: a}
	ps := &ProctorScopes{App: a}
	return []route{
		{method: http.MethodGet, path: "/checkin", name: routes.CheckinPage, handler: h.Page, roles: checkers},
		{method: http.MethodPost, path: "/checkin", name: routes.CheckinScan, handler: h.Scan, roles: checkers},
		{method: http.MethodGet, path: "/checkin/rooms/:id", name: routes.CheckinRoom, handler: h.Room, roles: checkers},
		{method: http.MethodPost, path: "/checkin/rooms/:id/absent", name: routes.CheckinAbsent, handler: h.Absent, roles: checkers},
		{method: http.MethodGet, path: "/checkin/photos/:id", name: routes.CheckinPhoto, handler: h.Photo, roles: checkers},
		{method: http.MethodGet, path: "/admin/accounts/:id/scopes", name: routes.AdminProctorScopes, handler: ps.Page, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/scopes", name: routes.AdminProctorScopeAdd, handler: ps.Add, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/scopes/:scope/delete", name: routes.AdminProctorScopeRemove, handler: ps.Remove, roles: admin},
	}
}

func (h *Checkin) ticketTokens(c echo.Context) (models.TicketTokens, error) {
	h.tokensMu.Lock()
	defer h.tokensMu.Unlock()
	if h.tokens == nil {
		t, err := models.NewTicketTokens(c.Request().Context(), h.DB)
		if err != nil {
			return t, err
		}
		h.tokens = &t
	}
	return *h.tokens, nil
}

// checkinID reads a numeric path or form value; anything else is a record that does not exist.
func checkinID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// checkinOptionalID reads an optional numeric value: "" is 0; anything else not a number is a record that does not exist.
func checkinOptionalID(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return checkinID(s)
}

func checkinHHMM(t time.Time) string { return t.In(models.Beijing).Format("15:04") }

// Page shows the plan and room picker, the scan form (with the card of the last scan after a plain POST) and the
// rooms' counts.
func (h *Checkin) Page(c echo.Context) error {
	v, err := h.page(c, c.QueryParam("plan_id"), c.QueryParam("room_id"))
	if err != nil {
		return err
	}
	if shown := c.QueryParam("shown"); shown != "" && v.Chosen {
		id, err := checkinID(shown)
		if err != nil {
			return err
		}
		t, err := models.CheckinCard(c.Request().Context(), h.DB, actor(c), id)
		if err != nil {
			return err
		}
		v.Scan.Card = h.card(c, t, c.QueryParam("again") == "1")
	}
	checkinAllowCamera(c)
	return h.render(c, http.StatusOK, pages.CheckinPage(v), nil)
}

// page builds the screen for a plan and room (both may be ""); a plan outside the actor's scope is 404, a room not
// of the chosen plan is dropped (the plan was changed in the picker).
func (h *Checkin) page(c echo.Context, planParam, roomParam string) (pages.Checkin, error) {
	ctx := c.Request().Context()
	v := pages.Checkin{Shell: h.shell(c, "考生签到", routes.CheckinPage), PickAction: reverse(c, routes.CheckinPage)}
	plans, err := models.CheckinPlans(ctx, h.DB, actor(c))
	if err != nil {
		return v, err
	}
	v.Plans = []components.Option{{Value: "", Label: "请选择考试"}}
	for _, p := range plans {
		v.Plans = append(v.Plans, components.Option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name + "（" + strings.Join(p.Days, "、") + "）"})
	}
	if len(plans) == 1 && planParam == "" {
		planParam = strconv.FormatInt(plans[0].ID, 10)
	}
	planID, err := checkinOptionalID(planParam)
	if err != nil || planID == 0 {
		if len(plans) == 0 {
			v.Plans = nil
		}
		return v, err
	}
	rooms, err := models.CheckinRooms(ctx, h.DB, actor(c), planID)
	if err != nil {
		return v, err
	}
	roomID, _ := checkinOptionalID(roomParam)
	v.Chosen, v.PlanID = true, strconv.FormatInt(planID, 10)
	v.Rooms = []components.Option{{Value: "", Label: "全部考场"}}
	found := false
	for _, r := range rooms {
		id := strconv.FormatInt(r.Room.ID, 10)
		v.Rooms = append(v.Rooms, components.Option{Value: id, Label: r.Room.Site.Name + " 第" + r.Room.RoomNo + "考场 " +
			r.Room.StartsAt.In(models.Beijing).Format("01-02 15:04")})
		found = found || r.Room.ID == roomID
		v.Summary = append(v.Summary, pages.CheckinRoomRow{SiteName: r.Room.Site.Name, RoomNo: r.Room.RoomNo,
			Time: checkinRoomTime(r.Room), Total: r.Total, CheckedIn: r.CheckedIn, Absent: r.Absent, URL: reverse(c, routes.CheckinRoom, id)})
	}
	if found {
		v.RoomID = strconv.FormatInt(roomID, 10)
	}
	q := url.Values{"plan_id": {v.PlanID}}
	if v.RoomID != "" {
		q.Set("room_id", v.RoomID)
	}
	v.RefreshURL = v.PickAction + "?" + q.Encode()
	v.Scan = pages.CheckinScan{Action: reverse(c, routes.CheckinScan), PlanID: v.PlanID, RoomID: v.RoomID}
	return v, nil
}

func checkinRoomTime(r models.ExamRoom) string {
	return r.StartsAt.In(models.Beijing).Format("2006-01-02 15:04") + "–" + r.EndsAt.In(models.Beijing).Format("15:04")
}

// card describes the candidate a scan found; again says the ticket had been checked in before.
func (h *Checkin) card(c echo.Context, t *models.Ticket, again bool) *pages.CheckinCard {
	p := t.Registration.Person
	card := &pages.CheckinCard{Name: p.Name, IDNumber: ident.MaskIDNumber(p.IDNumber), TicketNo: t.TicketNo,
		SiteName: t.Room.Site.Name, RoomNo: t.Room.RoomNo, SeatNo: strconv.Itoa(t.SeatNo), Again: again}
	if t.Registration.PhotoKey != "" || p.PhotoKey != "" {
		card.PhotoURL = reverse(c, routes.CheckinPhoto, t.RegistrationID)
	}
	if t.CheckedInAt != nil {
		at := checkinHHMM(*t.CheckedInAt)
		card.Status = "签到成功 " + at
		if again {
			card.Status = "已于 " + at + " 签到"
		}
	}
	return card
}

// checkinRefusals are the large red messages of a scan that recorded nothing.
var checkinRefusals = map[error]string{
	models.ErrTicketUnknown:       "无效的准考证",
	models.ErrTicketCancelledDraw: "准考证已作废（已重新放号），请考生重新打印准考证",
	models.ErrTicketOutOfScope:    "不在您负责的考点或日期",
	models.ErrTicketOtherPlan:     "不是本场考试的考生",
	models.ErrTicketOtherDay:      "考试日期不是今天",
	models.ErrTicketOtherRoom:     "不是本考场的考生",
	models.ErrTicketAbsent:        "该考生已标记缺考",
	models.ErrTicketLate:          "迟到超过30分钟，不得入场",
	models.ErrPracticalStarted:    "实操考试开考后不得入场",
	models.ErrOnlineExam:          "网上考试无需现场签到",
}

// Scan is one scan or typed 准考证号 (a USB scanner types and presses Enter). htmx gets the scan panel again, with
// the card or the refusal and an empty field that takes the focus; a plain form is redirected (303) to the page
// showing the card, or, for a refusal, gets the page with it (200). Refusals record nothing.
func (h *Checkin) Scan(c echo.Context) error {
	planID, err := checkinID(c.FormValue("plan_id"))
	if err != nil {
		return err
	}
	roomID, err := checkinOptionalID(c.FormValue("room_id"))
	if err != nil {
		return err
	}
	tokens, err := h.ticketTokens(c)
	if err != nil {
		return err
	}
	scan := pages.CheckinScan{Action: reverse(c, routes.CheckinScan), PlanID: strconv.FormatInt(planID, 10)}
	if roomID != 0 {
		scan.RoomID = strconv.FormatInt(roomID, 10)
	}
	code := c.FormValue("code")
	var res *models.CheckInResult
	if strings.TrimSpace(code) == "" {
		scan.Error = "请扫描准考证二维码或输入准考证号"
	} else {
		res, err = models.CheckIn(c.Request().Context(), h.DB, actor(c), models.CheckInInput{Tokens: tokens, PlanID: planID, RoomID: roomID, Code: code})
		msg, refused := checkinRefusal(err)
		switch {
		case refused:
			scan.Refusal = msg
			if res != nil {
				scan.RefusalDetail = checkinRefusalDetail(err, res.Ticket)
			}
		case err != nil:
			return err
		case isHTMX(c):
			scan.Card = h.card(c, res.Ticket, res.Already)
		default:
			q := url.Values{"plan_id": {scan.PlanID}, "shown": {strconv.FormatInt(res.Ticket.RegistrationID, 10)}}
			if scan.RoomID != "" {
				q.Set("room_id", scan.RoomID)
			}
			if res.Already {
				q.Set("again", "1")
			}
			return c.Redirect(http.StatusSeeOther, reverse(c, routes.CheckinPage)+"?"+q.Encode())
		}
	}
	if isHTMX(c) {
		return h.render(c, http.StatusOK, pages.CheckinScanPanel(scan), nil)
	}
	v, err := h.page(c, scan.PlanID, scan.RoomID)
	if err != nil {
		return err
	}
	v.Scan = scan
	checkinAllowCamera(c)
	return h.render(c, http.StatusOK, pages.CheckinPage(v), nil)
}

// checkinAllowCamera lets the 签到 page (and only it) use the camera, for 用摄像头扫码.
func checkinAllowCamera(c echo.Context) {
	c.Response().Header().Set("Permissions-Policy", checkinPermissionsPolicy)
}

func checkinRefusal(err error) (string, bool) {
	for e, msg := range checkinRefusals {
		if errors.Is(err, e) {
			return msg, true
		}
	}
	return "", false
}

// checkinRefusalDetail says where a candidate of the actor's scope belongs.
func checkinRefusalDetail(err error, t *models.Ticket) string {
	if t == nil || t.Room == nil || t.Room.Site == nil || t.Registration == nil || t.Registration.Person == nil {
		return ""
	}
	where := t.Registration.Person.Name + "：" + t.Room.Site.Name + " 第" + t.Room.RoomNo + "考场"
	switch {
	case errors.Is(err, models.ErrTicketOtherRoom):
		return where + "，座位号 " + strconv.Itoa(t.SeatNo)
	case errors.Is(err, models.ErrTicketOtherDay), errors.Is(err, models.ErrTicketLate), errors.Is(err, models.ErrPracticalStarted):
		return where + "，考试时间 " + checkinRoomTime(*t.Room)
	case errors.Is(err, models.ErrTicketAbsent):
		return where
	}
	return ""
}

// checkinAbsentNotice is the message after 标记缺考.
func checkinAbsentNotice(marked int, batch string) string {
	if marked == 0 {
		return "没有需要标记缺考的考生"
	}
	return "已将 " + strconv.Itoa(marked) + " 名未签到的考生标记为缺考，批号 " + batch
}

// Room lists a room's candidates, 已签到 / 未签到; htmx polls it.
func (h *Checkin) Room(c echo.Context) error {
	id, err := checkinID(c.Param("id"))
	if err != nil {
		return err
	}
	msg := ""
	if m := c.QueryParam("marked"); m != "" {
		n, _ := strconv.Atoi(m)
		msg = checkinAbsentNotice(n, c.QueryParam("batch"))
	}
	v, err := h.roomView(c, id, msg)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.CheckinRoomPage(v), pages.CheckinRoomList(v))
}

func (h *Checkin) roomView(c echo.Context, id int64, msg string) (pages.CheckinRoomView, error) {
	room, ts, err := models.CheckinRoomList(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return pages.CheckinRoomView{}, err
	}
	sid := strconv.FormatInt(id, 10)
	q := url.Values{"plan_id": {strconv.FormatInt(room.Room.PlanID, 10)}, "room_id": {sid}}
	v := pages.CheckinRoomView{Shell: h.shell(c, "考场名单", routes.CheckinPage),
		Title: room.Room.Site.Name + " 第" + room.Room.RoomNo + "考场", Time: checkinRoomTime(room.Room),
		Total: room.Total, CheckedIn: room.CheckedIn, Absent: room.Absent, Message: msg,
		SelfURL: reverse(c, routes.CheckinRoom, sid), BackURL: reverse(c, routes.CheckinPage) + "?" + q.Encode()}
	if room.Over(models.Now()) {
		v.AbsentURL = reverse(c, routes.CheckinAbsent, sid)
	}
	for _, t := range ts {
		s := pages.CheckinSeat{SeatNo: t.SeatNo, TicketNo: t.TicketNo, Status: "未签到", Absent: t.Absent}
		if p := t.Registration.Person; p != nil {
			s.Name, s.IDNumber = p.Name, ident.MaskIDNumber(p.IDNumber)
		}
		switch {
		case t.CheckedInAt != nil:
			s.In, s.Status = true, "已签到 "+checkinHHMM(*t.CheckedInAt)
		case t.Absent:
			s.Status = "缺考"
		}
		v.Seats = append(v.Seats, s)
	}
	return v, nil
}

// Absent is 标记缺考 of a room after its exam (asked first): whoever did not check in is marked absent.
func (h *Checkin) Absent(c echo.Context) error {
	id, err := checkinID(c.Param("id"))
	if err != nil {
		return err
	}
	sid := strconv.FormatInt(id, 10)
	inScope := func() error {
		_, _, err := models.CheckinRoomList(c.Request().Context(), h.DB, actor(c), id)
		return err
	}
	if ok, err := h.confirmed(c, routes.CheckinPage, "确定将本考场所有未签到的考生标记为缺考？", "标记缺考",
		reverse(c, routes.CheckinRoom, sid), inScope); !ok {
		return err
	}
	got, err := models.MarkAbsent(c.Request().Context(), h.DB, actor(c), id)
	if errors.Is(err, models.ErrExamNotOver) {
		return echo.NewHTTPError(http.StatusConflict, "考试结束后才能标记缺考")
	}
	if err != nil {
		return err
	}
	if isHTMX(c) {
		v, err := h.roomView(c, id, checkinAbsentNotice(got.Marked, got.BatchNo))
		if err != nil {
			return err
		}
		return h.render(c, http.StatusOK, pages.CheckinRoomList(v), nil)
	}
	q := url.Values{"marked": {strconv.Itoa(got.Marked)}, "batch": {got.BatchNo}}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.CheckinRoom, sid)+"?"+q.Encode())
}

// Photo is the photo of a candidate in the actor's scope (the registration's, else the person's).
func (h *Checkin) Photo(c echo.Context) error {
	id, err := checkinID(c.Param("id"))
	if err != nil {
		return err
	}
	t, err := models.CheckinCard(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return err
	}
	key := t.Registration.PhotoKey
	if key == "" {
		key = t.Registration.Person.PhotoKey
	}
	return h.servePhoto(c, &models.Person{PhotoKey: key})
}

// scopesView builds the 签到范围 page of a 考务人员 account.
func (h *ProctorScopes) scopesView(c echo.Context, id int64) (pages.ProctorScopes, error) {
	ctx := c.Request().Context()
	acct, rows, err := models.ProctorScopesOf(ctx, h.DB, actor(c), id)
	if err != nil {
		return pages.ProctorScopes{}, err
	}
	sites, err := models.ProctorSiteChoices(ctx, h.DB)
	if err != nil {
		return pages.ProctorScopes{}, err
	}
	sid := strconv.FormatInt(id, 10)
	v := pages.ProctorScopes{Shell: h.shell(c, "签到范围", routes.AdminAccounts), Username: acct.Username, Name: acct.DisplayName,
		AddURL: reverse(c, routes.AdminProctorScopeAdd, sid), ListURL: reverse(c, routes.AdminAccounts)}
	v.Sites = []components.Option{{Value: "", Label: "请选择考点"}}
	for _, s := range sites {
		v.Sites = append(v.Sites, components.Option{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
	}
	for _, r := range rows {
		v.Rows = append(v.Rows, pages.ProctorScopeRow{Day: r.Day, SiteName: r.SiteName,
			RemoveURL: reverse(c, routes.AdminProctorScopeRemove, sid, strconv.FormatInt(r.ID, 10))})
	}
	return v, nil
}

// Page shows a 考务人员's 考点 and days with the form to add one; another role's account is 404.
func (h *ProctorScopes) Page(c echo.Context) error {
	id, err := checkinID(c.Param("id"))
	if err != nil {
		return err
	}
	v, err := h.scopesView(c, id)
	if err != nil {
		return err
	}
	switch c.QueryParam("ok") {
	case "added":
		v.Success = "已添加"
	case "removed":
		v.Success = "已删除"
	}
	return h.render(c, http.StatusOK, pages.ProctorScopesPage(v), pages.ProctorScopesPanel(v))
}

// Add gives the 考务人员 a 考点 and day.
func (h *ProctorScopes) Add(c echo.Context) error {
	id, err := checkinID(c.Param("id"))
	if err != nil {
		return err
	}
	siteID, _ := strconv.ParseInt(c.FormValue("site_id"), 10, 64)
	day := c.FormValue("day")
	err = models.AddProctorScope(c.Request().Context(), h.DB, actor(c), models.ProctorScopeInput{AccountID: id, SiteID: siteID, Day: day})
	var st components.FormState
	if show, err := formOutcome(err, &st, "", nil); show || err != nil {
		return orRender(err, func() error {
			v, err := h.scopesView(c, id)
			if err != nil {
				return err
			}
			v.FormState, v.SiteID, v.Day = st, c.FormValue("site_id"), day
			return h.render(c, http.StatusOK, pages.ProctorScopesPage(v), pages.ProctorScopesPanel(v))
		})
	}
	return h.afterScopes(c, id, "added", "已添加")
}

// Remove takes a 考点 and day away from the 考务人员 (asked first).
func (h *ProctorScopes) Remove(c echo.Context) error {
	id, err := checkinID(c.Param("id"))
	if err != nil {
		return err
	}
	scopeID, err := checkinID(c.Param("scope"))
	if err != nil {
		return err
	}
	back := reverse(c, routes.AdminProctorScopes, strconv.FormatInt(id, 10))
	inScope := func() error { _, err := h.scopesView(c, id); return err }
	if ok, err := h.confirmed(c, routes.AdminAccounts, "确定删除该考点和日期的签到权限？", "删除", back, inScope); !ok {
		return err
	}
	if err := models.RemoveProctorScope(c.Request().Context(), h.DB, actor(c), id, scopeID); err != nil {
		return err
	}
	return h.afterScopes(c, id, "removed", "已删除")
}

func (h *ProctorScopes) afterScopes(c echo.Context, id int64, okCode, msg string) error {
	if isHTMX(c) {
		v, err := h.scopesView(c, id)
		if err != nil {
			return err
		}
		v.Success = msg
		return h.render(c, http.StatusOK, pages.ProctorScopesPanel(v), nil)
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminProctorScopes, strconv.FormatInt(id, 10))+"?ok="+okCode)
}
