package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Applications are the screens every 证书申请 kind (续期, 变更, 进京) shares: the registry's inbox (受理, 审核通过,
// 决定通过, 退回修改, 不予通过), the employer's confirmation (单位确认, 退回修改), the detail page and 删除. Each step is
// models.ActOnApplications: one batch, one 批号, all or nothing. Both desks are one form per page, as 报名审核 is: a
// row's button or a bulk button posts it; without JavaScript the answer is a 303 back to the list, with htmx the row
// or the list swapped in place.
type Applications struct{ *App }

func applicationRoutes(a *App) []route {
	h := &Applications{App: a}
	return []route{
		{method: http.MethodGet, path: "/admin/applications", name: routes.AdminApplications, handler: h.Inbox, roles: admin},
		{method: http.MethodPost, path: "/admin/applications", name: routes.AdminApplicationsAct, handler: h.InboxAct, roles: admin},
		{method: http.MethodGet, path: "/admin/applications/:id/reason", name: routes.AdminApplicationReason, handler: h.InboxReason, roles: admin},
		{method: http.MethodGet, path: "/unit-applications", name: routes.UnitApplications, handler: h.Unit, roles: enterprise},
		{method: http.MethodPost, path: "/unit-applications", name: routes.UnitApplicationsAct, handler: h.UnitAct, roles: enterprise},
		{method: http.MethodGet, path: "/unit-applications/:id/reason", name: routes.UnitApplicationReason, handler: h.UnitReason, roles: enterprise},
		{method: http.MethodGet, path: "/applications/:id", name: routes.ApplicationDetail, handler: h.Detail, roles: certViewers},
		{method: http.MethodPost, path: "/applications/:id/withdraw", name: routes.ApplicationWithdraw, handler: h.Withdraw, roles: applicants},
	}
}

// appPerPage is how many applications a desk's page shows.
const appPerPage = 50

// appDesk is which desk a request is about: the registry's inbox or the employer's confirmation (unit).
type appDesk struct{ unit bool }

var (
	registryDesk = appDesk{}
	unitDesk     = appDesk{unit: true}
)

func (d appDesk) list() routes.Name {
	if d.unit {
		return routes.UnitApplications
	}
	return routes.AdminApplications
}

func (d appDesk) act() routes.Name {
	if d.unit {
		return routes.UnitApplicationsAct
	}
	return routes.AdminApplicationsAct
}

func (d appDesk) reason() routes.Name {
	if d.unit {
		return routes.UnitApplicationReason
	}
	return routes.AdminApplicationReason
}

func (d appDesk) title() string {
	if d.unit {
		return "证书申请确认"
	}
	return "证书申请"
}

// appStep is a step a button takes: the state it moves to, its label, whether it needs a reason.
type appStep struct {
	to     models.AppStatus
	label  string
	reason bool
}

// appSteps are the steps by their form key; the registry's and the employer's are told apart by deskSteps.
var appSteps = map[string]appStep{
	"confirm": {models.AppApplied, "单位确认", false},
	"accept":  {models.AppAccepted, "受理", false},
	"review":  {models.AppReviewed, "审核通过", false},
	"decide":  {models.AppDecided, "决定通过", false},
	"return":  {models.AppReturned, "退回修改", true},
	"reject":  {models.AppRejected, "不予通过", true},
}

// deskSteps are a desk's steps in the order of its buttons.
func (d appDesk) steps() []string {
	if d.unit {
		return []string{"confirm", "return"}
	}
	return []string{"accept", "review", "decide", "return", "reject"}
}

func (d appDesk) has(action string) bool {
	for _, a := range d.steps() {
		if a == action {
			return true
		}
	}
	return false
}

// appParams are a desk's filter and page, read from the query (a page) or the form (a step keeps them).
type appParams struct {
	Kind, Status, Q string
	Page            int
}

func readAppParams(c echo.Context) (appParams, error) {
	p := appParams{Kind: c.FormValue("kind"), Status: c.FormValue("status"), Q: strings.TrimSpace(c.FormValue("q"))}
	for _, v := range []string{p.Kind, p.Status, p.Q} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || len(v) > 100 {
			return p, echo.NewHTTPError(http.StatusBadRequest, "查询条件含有无效字符，请重新输入")
		}
	}
	if models.AppKind(p.Kind).Label() == p.Kind {
		p.Kind = "" // not a kind
	}
	if p.Status != "all" && models.AppStatus(p.Status).Label() == "" {
		p.Status = ""
	}
	p.Page, _ = strconv.Atoi(c.FormValue("page"))
	p.Page = max(p.Page, 1)
	return p, nil
}

// values are the params as a query, without the page and the empty ones.
func (p appParams) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"kind": p.Kind, "status": p.Status, "q": p.Q} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// hidden carries the params through a step's form.
func (p appParams) hidden() []components.Option {
	q := p.values()
	q.Set("page", strconv.Itoa(p.Page))
	var out []components.Option
	for _, k := range []string{"kind", "status", "q", "page"} {
		if v := q.Get(k); v != "" {
			out = append(out, components.Option{Value: k, Label: v})
		}
	}
	return out
}

// filter is what the desk lists: by default what waits for it (the employer's desk lists nothing else).
func (p appParams) filter(d appDesk) models.AppFilter {
	f := models.AppFilter{Kind: models.AppKind(p.Kind), Query: p.Q, Limit: appPerPage, Offset: (p.Page - 1) * appPerPage}
	switch {
	case d.unit || p.Status == "":
		f.Waiting = true
	case p.Status != "all":
		f.Status = models.AppStatus(p.Status)
	}
	return f
}

func (h *Applications) listURL(c echo.Context, d appDesk, p appParams, done url.Values) string {
	q := p.values()
	if p.Page > 1 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	for k, v := range done {
		q[k] = v
	}
	if len(q) == 0 {
		return reverse(c, d.list())
	}
	return reverse(c, d.list()) + "?" + q.Encode()
}

// Inbox is the registry's 证书申请.
func (h *Applications) Inbox(c echo.Context) error { return h.showDesk(c, registryDesk, "", "") }

// Unit is the employer's 证书申请确认.
func (h *Applications) Unit(c echo.Context) error { return h.showDesk(c, unitDesk, "", "") }

// InboxAct is a step of the registry's.
func (h *Applications) InboxAct(c echo.Context) error { return h.act(c, registryDesk) }

// UnitAct is a step of the employer's.
func (h *Applications) UnitAct(c echo.Context) error { return h.act(c, unitDesk) }

// InboxReason asks for the reason of a registry's 退回修改 or 不予通过.
func (h *Applications) InboxReason(c echo.Context) error { return h.reasonForm(c, registryDesk) }

// UnitReason asks for the reason of an employer's 退回修改.
func (h *Applications) UnitReason(c echo.Context) error { return h.reasonForm(c, unitDesk) }

func (h *Applications) showDesk(c echo.Context, d appDesk, success, problem string) error {
	p, err := readAppParams(c)
	if err != nil {
		return err
	}
	v, err := h.desk(c, d, p)
	if err != nil {
		return err
	}
	if success != "" {
		v.Success = success
	}
	v.Error = problem
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.AppInboxPage(v), pages.AppInboxList(v))
}

// desk builds a desk's page for the params.
func (h *Applications) desk(c echo.Context, d appDesk, p appParams) (pages.AppInbox, error) {
	ctx := c.Request().Context()
	v := pages.AppInbox{Shell: h.shell(c, d.title(), d.list()), Heading: d.title(), ListURL: reverse(c, d.list()),
		ActURL: reverse(c, d.act()), Hidden: p.hidden(), Search: h.search(c, d, p)}
	if d.unit {
		v.Info = "以下证书申请（续期、变更、进京）由本人或其他单位填报，聘用单位为本单位：请确认，或退回修改并写明原因。"
	} else {
		v.Info = "默认列出待办理的申请（已申请、已受理、已审核），等待最久的在前；每一步为一批，生成一个批号。" +
			"批量处理时所选申请须都处于该步骤之前的状态，可先按状态筛选；有一条不符合则整批不处理。"
	}
	for _, a := range d.steps() {
		s := appSteps[a]
		if s.reason {
			v.Reasons = append(v.Reasons, pages.AppActionView{Action: a, Label: s.label})
		} else {
			v.Bulk = append(v.Bulk, pages.AppActionView{Action: a, Label: s.label})
		}
	}
	rows, total, err := models.ListApplications(ctx, h.DB, actor(c), p.filter(d))
	if err != nil {
		return v, err
	}
	v.Total = total
	for i := range rows {
		v.Rows = append(v.Rows, h.row(c, d, p, &rows[i]))
	}
	v.Pager = pager(v.ListURL, total, p.Page, appPerPage, p.values())
	if !d.unit {
		if v.Counts, err = h.counts(c, p); err != nil {
			return v, err
		}
	}
	v.Success = appDoneMessage(c)
	return v, nil
}

func (h *Applications) search(c echo.Context, d appDesk, p appParams) components.Search {
	kinds := []components.Option{{Value: "", Label: "全部"}}
	for _, k := range models.AppKinds {
		kinds = append(kinds, components.Option{Value: string(k), Label: k.Label()})
	}
	s := components.Search{Action: reverse(c, d.list()), Target: "app-inbox", TestID: "app-search", Fields: []components.Field{
		{Name: "kind", Label: "申请类型", Value: p.Kind, Options: kinds},
		{Name: "q", Label: "姓名/证件号码/证书编号/申请批号", Value: p.Q, MaxLength: 40}}}
	if !d.unit {
		states := []components.Option{{Value: "", Label: "待办理"}, {Value: "all", Label: "全部"}}
		for _, st := range models.AppStatuses {
			if st != models.AppDraft {
				states = append(states, components.Option{Value: string(st), Label: st.Label()})
			}
		}
		s.Fields = append(s.Fields, components.Field{Name: "status", Label: "状态", Value: p.Status, Options: states})
	}
	return s
}

// countColumns are the states the registry's count table shows.
var countColumns = []models.AppStatus{models.AppUnitPending, models.AppApplied, models.AppAccepted, models.AppReviewed,
	models.AppReturned, models.AppDecided, models.AppRejected, models.AppWithdrawn}

// counts is the table of applications per kind and state (models.CountApplications); each cell lists them.
func (h *Applications) counts(c echo.Context, p appParams) (pages.AppCounts, error) {
	counts, err := models.CountApplications(c.Request().Context(), h.DB, actor(c))
	if err != nil {
		return pages.AppCounts{}, err
	}
	n := map[models.AppKind]map[models.AppStatus]int{}
	for _, x := range counts {
		if n[x.Kind] == nil {
			n[x.Kind] = map[models.AppStatus]int{}
		}
		n[x.Kind][x.Status] += x.N
	}
	var out pages.AppCounts
	for _, s := range countColumns {
		out.Columns = append(out.Columns, s.Label())
	}
	base := reverse(c, routes.AdminApplications)
	for _, k := range models.AppKinds {
		row := pages.AppCountRow{Kind: k.Label()}
		for _, s := range countColumns {
			q := url.Values{"kind": {string(k)}, "status": {string(s)}}
			row.Cells = append(row.Cells, pages.AppCountCell{N: strconv.Itoa(n[k][s]), URL: base + "?" + q.Encode()})
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// row describes an application of a desk with the steps the desk may take on it: none on the actor's own filing,
// and on the employer's desk only those waiting (待单位确认) for its own confirmation.
func (h *Applications) row(c echo.Context, d appDesk, p appParams, r *models.AppRow) pages.AppRowView {
	id := strconv.FormatInt(r.ID, 10)
	v := pages.AppRowView{ID: r.ID, BatchNo: r.BatchNo, Kind: r.Kind.Label(), Name: r.Name, IDMasked: ident.MaskIDNumber(r.IDNumber),
		Number: r.Number(), Post: r.PostName, Employer: r.EmployerName, Status: r.StatusLabel(),
		Waiting: strconv.Itoa(r.DaysWaiting(models.Now())) + "天", DetailURL: reverse(c, routes.ApplicationDetail, id),
		ActURL: reverse(c, d.act()), ReasonURL: map[string]string{}}
	if r.Status == models.AppReturned || r.Status == models.AppRejected {
		v.Reason = r.Reason
	}
	acts, reasons := h.stepsOn(c, d, &r.CertApplication)
	q := p.values()
	q.Set("page", strconv.Itoa(p.Page))
	for _, a := range reasons {
		q.Set("action", a.Action)
		v.ReasonURL[a.Action] = reverse(c, d.reason(), id) + "?" + q.Encode()
	}
	q.Del("action")
	v.Actions, v.Reasons = acts, reasons
	v.CancelURL = reverse(c, d.reason(), id) + "?" + q.Encode() + "&cancel=1"
	return v
}

// stepsOn are the steps the desk may take on app now (by the transition table): without and with a reason.
func (h *Applications) stepsOn(c echo.Context, d appDesk, app *models.CertApplication) (acts, reasons []pages.AppActionView) {
	a := actor(c)
	if a.AccountID() == nil {
		return nil, nil
	}
	for _, key := range d.steps() {
		s := appSteps[key]
		if models.StepAllowed(a, app, s.to) != nil {
			continue
		}
		if s.reason {
			reasons = append(reasons, pages.AppActionView{Action: key, Label: s.label})
		} else {
			acts = append(acts, pages.AppActionView{Action: key, Label: s.label})
		}
	}
	return acts, reasons
}

// loadRow is one application of the desk (ErrNotFound outside the actor's scope).
func (h *Applications) loadRow(c echo.Context, d appDesk, p appParams, id int64) (pages.AppRowView, error) {
	r, err := models.ApplicationRow(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return pages.AppRowView{}, err
	}
	return h.row(c, d, p, r), nil
}

// reasonForm asks for the reason of a step that needs one: a page without JavaScript, the row with its reason
// field open with htmx (cancel=1: the row closed again).
func (h *Applications) reasonForm(c echo.Context, d appDesk) error {
	p, err := readAppParams(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	row, err := h.loadRow(c, d, p, id)
	if err != nil {
		return err
	}
	if c.QueryParam("cancel") == "1" {
		if !isHTMX(c) {
			return c.Redirect(http.StatusSeeOther, h.listURL(c, d, p, nil))
		}
		return h.render(c, http.StatusOK, pages.AppRowLine(row), nil)
	}
	action := c.QueryParam("action")
	if _, ok := row.ReasonURL[action]; !ok || !d.has(action) {
		row.Error = msgAppNotNow
		return h.render(c, http.StatusOK, h.reasonPage(c, d, p, row), pages.AppRowLine(row))
	}
	row.Asking = pages.AppActionView{Action: action, Label: appSteps[action].label}
	return h.render(c, http.StatusOK, h.reasonPage(c, d, p, row), pages.AppRowLine(row))
}

func (h *Applications) reasonPage(c echo.Context, d appDesk, p appParams, row pages.AppRowView) templ.Component {
	return pages.AppReasonPage(pages.AppReason{Shell: h.shell(c, d.title(), d.list()), Row: row,
		BackURL: h.listURL(c, d, p, nil), Hidden: p.hidden()})
}
