package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Review is 报名审核 (the registry's queue per plan: 受理, 通过, 退回修改) and 单位确认 (an enterprise's queue of the
// registrations that name it and that others filed: 确认, 退回修改). Both are one form per page: a row's button or a
// bulk button posts it; without JavaScript the answer is a 303 back to the queue, with htmx the row or the queue
// swapped in place.
type Review struct{ *App }

func reviewRoutes(a *App) []route {
	h := &Review{App: a}
	return []route{
		{method: http.MethodGet, path: "/admin/review", name: routes.ReviewPlans, handler: h.Plans, roles: admin},
		{method: http.MethodGet, path: "/admin/exams/:id/review", name: routes.ReviewQueue, handler: h.Queue, roles: admin},
		{method: http.MethodPost, path: "/admin/exams/:id/review", name: routes.ReviewDecide, handler: h.Decide, roles: admin},
		{method: http.MethodGet, path: "/admin/exams/:id/review/:reg/return", name: routes.ReviewReturn, handler: h.ReturnForm, roles: admin},
		{method: http.MethodGet, path: "/unit-confirm", name: routes.UnitConfirmPage, handler: h.UnitQueue, roles: enterprise},
		{method: http.MethodPost, path: "/unit-confirm", name: routes.UnitConfirmDecide, handler: h.UnitDecide, roles: enterprise},
		{method: http.MethodGet, path: "/unit-confirm/:reg/return", name: routes.UnitConfirmReturn, handler: h.UnitReturnForm, roles: enterprise},
		{method: http.MethodPost, path: "/registrations/:id/withdraw", name: routes.RegistrationWithdraw, handler: h.Withdraw, roles: applicants},
	}
}

// reviewPerPage is how many registrations a queue page shows.
const reviewPerPage = 50

// desk is which queue a request is about: the registry's for plan, or the enterprise's (plan nil).
type desk struct {
	plan *models.ExamPlan
}

func (d desk) unit() bool { return d.plan == nil }

// Plans is 报名审核: the plans with registrations, most waiting first, by 岗位/工种.
func (h *Review) Plans(c echo.Context) error {
	lq, err := readList(c, 100, "category")
	if err != nil {
		return err
	}
	cid, _ := strconv.ParseInt(lq.Filter.Get("category"), 10, 64)
	plans, err := models.PlansToReview(c.Request().Context(), h.DB, cid)
	if err != nil {
		return err
	}
	v := pages.ReviewPlans{Shell: h.shell(c, "报名审核", routes.ReviewPlans), ListURL: reverse(c, routes.ReviewPlans), Category: lq.Filter.Get("category")}
	if v.Categories, err = h.categoryOptions(c, "全部", true); err != nil {
		return err
	}
	for _, p := range plans {
		r := pages.ReviewPlanRow{ID: p.Plan.ID, Name: p.Plan.Name, Category: p.Plan.CategoryName(), Acceptance: p.Plan.AcceptanceStep,
			ExamAt: p.Plan.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"), URL: reverse(c, routes.ReviewQueue, strconv.FormatInt(p.Plan.ID, 10)),
			Unit: p.Counts[models.RegSubmitted], Waiting: p.Counts[models.RegUnitConfirmed], Accepted: p.Counts[models.RegAccepted],
			Approved: p.Counts[models.RegApproved], Returned: p.Counts[models.RegReturned]}
		for _, n := range p.Counts {
			r.Total += n
		}
		v.Rows = append(v.Rows, r)
	}
	return h.render(c, http.StatusOK, pages.ReviewPlansPage(v), pages.ReviewPlansList(v))
}

// planDesk is the registry's queue of the plan in the path.
func (h *Review) planDesk(c echo.Context) (desk, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return desk{}, models.ErrNotFound
	}
	p, err := models.GetPlan(c.Request().Context(), h.DB, id)
	return desk{plan: p}, err
}

// Queue is a plan's 报名审核 queue.
func (h *Review) Queue(c echo.Context) error {
	d, err := h.planDesk(c)
	if err != nil {
		return err
	}
	return h.showQueue(c, d, "", "")
}

// UnitQueue is the enterprise's 单位确认 queue.
func (h *Review) UnitQueue(c echo.Context) error { return h.showQueue(c, desk{}, "", "") }

// Decide is a decision of the registry's queue.
func (h *Review) Decide(c echo.Context) error {
	d, err := h.planDesk(c)
	if err != nil {
		return err
	}
	return h.decide(c, d)
}

// UnitDecide is a decision of the 单位确认 queue.
func (h *Review) UnitDecide(c echo.Context) error { return h.decide(c, desk{}) }

// ReturnForm asks for 退回修改's reason: a page without JavaScript, the row with its picker open with htmx (cancel=1:
// the row closed again).
func (h *Review) ReturnForm(c echo.Context) error {
	d, err := h.planDesk(c)
	if err != nil {
		return err
	}
	return h.returnForm(c, d)
}

// UnitReturnForm is ReturnForm for 单位确认.
func (h *Review) UnitReturnForm(c echo.Context) error { return h.returnForm(c, desk{}) }

// queueParams is a queue's filter and page, read from the query (a page) or the form (a decision keeps them).
type queueParams struct {
	Status, Org, Channel, Plan, Q string
	Page                          int
}

func readQueueParams(c echo.Context) (queueParams, error) {
	p := queueParams{Status: c.FormValue("status"), Org: c.FormValue("org"), Channel: c.FormValue("channel"),
		Plan: c.FormValue("plan"), Q: strings.TrimSpace(c.FormValue("q"))}
	for _, v := range []string{p.Status, p.Org, p.Channel, p.Plan, p.Q} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || len(v) > 100 {
			return p, echo.NewHTTPError(http.StatusBadRequest, "查询条件含有无效字符，请重新输入")
		}
	}
	p.Page, _ = strconv.Atoi(c.FormValue("page"))
	p.Page = max(p.Page, 1)
	return p, nil
}

// values are the params as a query, without the page (the pager and the tabs set their own) and without empty ones.
func (p queueParams) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": p.Status, "org": p.Org, "channel": p.Channel, "plan": p.Plan, "q": p.Q} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// hidden carries the params through a decision's form.
func (p queueParams) hidden() []components.Option {
	q := p.values()
	q.Set("page", strconv.Itoa(p.Page))
	var out []components.Option
	for _, k := range []string{"status", "org", "channel", "plan", "q", "page"} {
		if v := q.Get(k); v != "" {
			out = append(out, components.Option{Value: k, Label: v})
		}
	}
	return out
}

// status is the status the queue shows: the one asked for, "all" for every one, else the desk's first step.
func (p queueParams) status(d desk) models.RegStatus {
	switch {
	case p.Status == "all":
		return ""
	case models.RegStatus(p.Status).Label() != p.Status:
		return models.RegStatus(p.Status)
	case d.unit():
		return models.RegSubmitted
	}
	return models.RegUnitConfirmed
}

func (p queueParams) filter(d desk) models.QueueFilter {
	f := models.QueueFilter{Status: p.status(d), Channel: models.Channel(p.Channel), Query: p.Q,
		Offset: (p.Page - 1) * reviewPerPage, Limit: reviewPerPage}
	if _, ok := models.ChannelLabels[f.Channel]; !ok {
		f.Channel = ""
	}
	f.OrgID, _ = strconv.ParseInt(p.Org, 10, 64)
	if d.unit() {
		f.PlanID, _ = strconv.ParseInt(p.Plan, 10, 64)
	} else {
		f.PlanID = d.plan.ID
	}
	return f
}

// listURL is the queue's address.
func (h *Review) listURL(c echo.Context, d desk) string {
	if d.unit() {
		return reverse(c, routes.UnitConfirmPage)
	}
	return reverse(c, routes.ReviewQueue, strconv.FormatInt(d.plan.ID, 10))
}

func (h *Review) decideURL(c echo.Context, d desk) string {
	if d.unit() {
		return reverse(c, routes.UnitConfirmDecide)
	}
	return reverse(c, routes.ReviewDecide, strconv.FormatInt(d.plan.ID, 10))
}

func (h *Review) returnURL(c echo.Context, d desk, regID int64, p queueParams) string {
	var u string
	if d.unit() {
		u = reverse(c, routes.UnitConfirmReturn, strconv.FormatInt(regID, 10))
	} else {
		u = reverse(c, routes.ReviewReturn, strconv.FormatInt(d.plan.ID, 10), strconv.FormatInt(regID, 10))
	}
	q := p.values()
	q.Set("page", strconv.Itoa(p.Page))
	return u + "?" + q.Encode()
}

// backURL is the queue with the params and page, and what was done (ok=…).
func (h *Review) backURL(c echo.Context, d desk, p queueParams, done url.Values) string {
	q := p.values()
	if p.Page > 1 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	for k, v := range done {
		q[k] = v
	}
	if len(q) == 0 {
		return h.listURL(c, d)
	}
	return h.listURL(c, d) + "?" + q.Encode()
}

// queue builds the queue's page for the params.
func (h *Review) queue(c echo.Context, d desk, p queueParams) (pages.ReviewQueue, error) {
	ctx := c.Request().Context()
	f := p.filter(d)
	seen := components.Option{Value: "seen", Label: strconv.FormatInt(models.Now().UnixMicro(), 10)} // before the rows are read
	v := pages.ReviewQueue{ListURL: h.listURL(c, d), DecideURL: h.decideURL(c, d), Hidden: append(p.hidden(), seen),
		Reasons: models.ReturnReasons, ShowPlan: d.unit(), BulkBack: true}
	if d.unit() {
		v.Shell, v.Heading = h.shell(c, "单位确认", routes.UnitConfirmPage), "单位确认"
		v.Info = "以下报名由本人或培训机构填报，填写的工作单位为本单位：请确认其为本单位人员，或退回修改。"
		v.Bulk = []pages.ReviewAction{{Action: "confirm", Label: "确认"}}
	} else {
		v.Shell, v.Heading = h.shell(c, "报名审核", routes.ReviewPlans), "报名审核："+d.plan.Name
		v.Info = d.plan.CategoryName() + "，考试时间 " + d.plan.ExamAt.In(models.Beijing).Format("2006-01-02 15:04")
		if d.plan.AcceptanceStep {
			v.Info += "；本计划设受理环节：待审核 → 已受理 → 审核通过"
			v.Bulk = append(v.Bulk, pages.ReviewAction{Action: "accept", Label: "受理"})
		}
		v.Bulk = append(v.Bulk, pages.ReviewAction{Action: "approve", Label: "通过"})
	}
	rows, total, err := models.ReviewQueue(ctx, h.DB, actor(c), f)
	if err != nil {
		return v, err
	}
	v.Total = total
	for i := range rows {
		v.Rows = append(v.Rows, h.row(c, d, p, &rows[i]))
	}
	v.Pager = pager(v.ListURL, total, p.Page, reviewPerPage, withStatus(p.values(), p.Status))
	counts, err := models.ReviewCounts(ctx, h.DB, actor(c), f)
	if err != nil {
		return v, err
	}
	v.Tabs = h.tabs(d, p, counts, v.ListURL)
	if v.Filters, err = h.filters(c, d, p); err != nil {
		return v, err
	}
	v.Success = doneMessage(c)
	return v, nil
}

func withStatus(q url.Values, status string) url.Values {
	if status != "" {
		q.Set("status", status)
	}
	return q
}

// tabs are the statuses the desk works on, with their counts, then the others that occur, then 全部.
func (h *Review) tabs(d desk, p queueParams, counts map[models.RegStatus]int, base string) []pages.StatusTab {
	shown := []models.RegStatus{models.RegUnitConfirmed}
	switch {
	case d.unit():
		shown = []models.RegStatus{models.RegSubmitted}
	case d.plan.AcceptanceStep:
		shown = append(shown, models.RegAccepted)
	}
	for _, s := range models.RegStatuses {
		if counts[s] > 0 && !containsStatus(shown, s) {
			shown = append(shown, s)
		}
	}
	current := p.status(d)
	link := func(status string) string {
		q := p.values()
		q.Set("status", status)
		return base + "?" + q.Encode()
	}
	var tabs []pages.StatusTab
	total := 0
	for _, s := range shown {
		tabs = append(tabs, pages.StatusTab{Label: s.Label(), Key: string(s), Count: counts[s], URL: link(string(s)), Active: s == current})
	}
	for _, n := range counts {
		total += n
	}
	return append(tabs, pages.StatusTab{Label: "全部", Key: "all", Count: total, URL: link("all"), Active: current == ""})
}

func containsStatus(list []models.RegStatus, s models.RegStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// filters are the queue's search fields: name or ID number, the filing organization and channel (registry), the
// plan (enterprise); the status travels as a hidden field of the search (the tabs change it).
func (h *Review) filters(c echo.Context, d desk, p queueParams) ([]components.Field, error) {
	ctx := c.Request().Context()
	fields := []components.Field{{Name: "q", Label: "姓名/身份证号", Value: p.Q}}
	channels := []components.Option{{Value: "", Label: "全部"}}
	for _, ch := range []models.Channel{models.ChannelSelf, models.ChannelEnterprise, models.ChannelTraining} {
		channels = append(channels, components.Option{Value: string(ch), Label: models.ChannelLabels[ch]})
	}
	if d.unit() {
		plans, err := models.PlansToPick(ctx, h.DB, actor(c), models.PlanFilter{Limit: 200})
		if err != nil {
			return nil, err
		}
		opts := []components.Option{{Value: "", Label: "全部"}}
		for _, pl := range plans {
			opts = append(opts, components.Option{Value: strconv.FormatInt(pl.ID, 10), Label: pl.Name})
		}
		fields = append(fields, components.Field{Name: "plan", Label: "考试名称", Value: p.Plan, Options: opts})
	} else {
		orgs, err := models.FilingOrganizations(ctx, h.DB, d.plan.ID)
		if err != nil {
			return nil, err
		}
		opts := []components.Option{{Value: "", Label: "全部"}}
		for _, o := range orgs {
			opts = append(opts, components.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
		fields = append(fields, components.Field{Name: "org", Label: "报名单位", Value: p.Org, Options: opts})
	}
	fields = append(fields, components.Field{Name: "channel", Label: "报名方式", Value: p.Channel, Options: channels},
		components.Field{Name: "status", Label: "状态", Value: p.Status, Options: h.statusOptions(d)})
	return fields, nil
}

func (h *Review) statusOptions(d desk) []components.Option {
	first := models.RegUnitConfirmed
	if d.unit() {
		first = models.RegSubmitted
	}
	opts := []components.Option{{Value: "", Label: first.Label()}, {Value: "all", Label: "全部"}}
	for _, s := range models.RegStatuses {
		if s != first {
			opts = append(opts, components.Option{Value: string(s), Label: s.Label()})
		}
	}
	return opts
}

// row describes a registration of the queue with the actions the desk may take on it.
func (h *Review) row(c echo.Context, d desk, p queueParams, r *models.QueueRow) pages.ReviewRow {
	id := strconv.FormatInt(r.ID, 10)
	row := pages.ReviewRow{ID: r.ID, Number: r.Number(), Plan: r.PlanName, Name: r.Name, IDMasked: ident.MaskIDNumber(r.IDNumber),
		Education: r.Education, Employer: r.EmployerName, Years: strconv.Itoa(r.YearsOfWork) + "年",
		Channel: models.ChannelLabels[r.Channel], Status: r.Status.Label(), CreatedAt: r.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"),
		DetailURL: reverse(c, routes.RegistrationDetail, id), DecideURL: h.decideURL(c, d), Reasons: models.ReturnReasons, ShowPlan: d.unit(), Version: r.Version}
	if r.OrgName != "" {
		row.Channel += "（" + r.OrgName + "）"
	}
	if r.Status == models.RegReturned {
		row.Reason = r.RejectReason
	}
	acct := currentAccount(c)
	own := acct != nil && ((r.AccountID != nil && *r.AccountID == acct.ID) || (acct.PersonID != nil && *acct.PersonID == r.PersonID))
	if own {
		return row // nobody decides their own registration: no actions are offered
	}
	switch {
	case d.unit() && r.Status == models.RegSubmitted:
		row.Actions = []pages.ReviewAction{{Action: "confirm", Label: "确认"}}
	case !d.unit() && r.Status == models.RegUnitConfirmed && d.plan.AcceptanceStep:
		row.Actions = []pages.ReviewAction{{Action: "accept", Label: "受理"}}
	case !d.unit() && (r.Status == models.RegAccepted || r.Status == models.RegUnitConfirmed):
		row.Actions = []pages.ReviewAction{{Action: "approve", Label: "通过"}}
	default:
		return row
	}
	row.ReturnURL = h.returnURL(c, d, r.ID, p)
	row.CancelURL = row.ReturnURL + "&cancel=1"
	return row
}

// loadRow is one registration of the desk's queue (ErrNotFound outside it: another enterprise's, another plan's).
func (h *Review) loadRow(c echo.Context, d desk, p queueParams, regID int64) (pages.ReviewRow, error) {
	f := models.QueueFilter{}
	if !d.unit() {
		f.PlanID = d.plan.ID
	}
	r, err := models.ReviewQueueRow(c.Request().Context(), h.DB, actor(c), f, regID)
	if err != nil {
		return pages.ReviewRow{}, err
	}
	return h.row(c, d, p, r), nil
}

func (h *Review) showQueue(c echo.Context, d desk, success, problem string) error {
	p, err := readQueueParams(c)
	if err != nil {
		return err
	}
	v, err := h.queue(c, d, p)
	if err != nil {
		return err
	}
	if success != "" {
		v.Success = success
	}
	v.Error = problem
	return h.render(c, http.StatusOK, pages.ReviewQueuePage(v), pages.ReviewQueueList(v))
}

func (h *Review) returnForm(c echo.Context, d desk) error {
	p, err := readQueueParams(c)
	if err != nil {
		return err
	}
	regID, err := strconv.ParseInt(c.Param("reg"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	row, err := h.loadRow(c, d, p, regID)
	if err != nil {
		return err
	}
	if c.QueryParam("cancel") == "1" {
		if !isHTMX(c) {
			return c.Redirect(http.StatusSeeOther, h.backURL(c, d, p, nil))
		}
		return h.render(c, http.StatusOK, pages.ReviewRowView(row), nil)
	}
	if row.ReturnURL == "" {
		row.Error = msgNotDecidable
		return h.render(c, http.StatusOK, h.returnPage(c, d, p, row), pages.ReviewRowView(row))
	}
	row.Returning = true
	return h.render(c, http.StatusOK, h.returnPage(c, d, p, row), pages.ReviewRowView(row))
}

func (h *Review) returnPage(c echo.Context, d desk, p queueParams, row pages.ReviewRow) templ.Component {
	title, active := "报名审核", routes.ReviewPlans
	if d.unit() {
		title, active = "单位确认", routes.UnitConfirmPage
	}
	return pages.ReviewReturnPage(pages.ReviewReturn{Shell: h.shell(c, title, active), Row: row, DecideURL: h.decideURL(c, d),
		BackURL: h.backURL(c, d, p, nil), Hidden: p.hidden()})
}

// Messages of decisions.
const (
	msgNotDecidable = "该报名当前状态不能进行此操作（可能已被他人处理）"
	msgOwn          = "不能审核本人填报的或本人的报名"
	msgNoAcceptance = "该考试计划未设受理环节"
	msgChooseRegs   = "请先选择要处理的报名"
	msgChanged      = "该报名在您打开页面后已被修改，未作处理：请查看最新内容后再审核"
)

var actionLabels = map[string]string{"approve": "审核通过", "accept": "受理", "confirm": "单位确认", "return": "退回修改"}

var batchNoRE = regexp.MustCompile(`^[A-Z]{4}\d{8,}$`)

// doneMessage is the banner after a decision made without JavaScript (ok=action&n=moved&skipped=…&batch=…).
func doneMessage(c echo.Context) string {
	label, ok := actionLabels[c.QueryParam("ok")]
	n, _ := strconv.Atoi(c.QueryParam("n"))
	if !ok || n <= 0 {
		return ""
	}
	return decisionMessage(label, n, atoiOr0(c.QueryParam("skipped")), atoiOr0(c.QueryParam("changed")), c.QueryParam("batch"))
}

func atoiOr0(s string) int { n, _ := strconv.Atoi(s); return max(n, 0) }

func decisionMessage(label string, moved, skipped, changed int, batch string) string {
	msg := label + "成功，共" + strconv.Itoa(moved) + "条"
	if batchNoRE.MatchString(batch) {
		msg += "，批号为" + batch
	}
	if skipped > 0 {
		msg += "；另有" + strconv.Itoa(skipped) + "条当前状态不能" + label + "，未作处理"
	}
	if changed > 0 {
		msg += "；另有" + strconv.Itoa(changed) + "条在您打开页面后已被报名单位修改，未作处理，请查看后再审核"
	}
	return msg
}

// decision is what a decision's form asks: the action, the registrations (one row's, the ticked ones, or all that
// match the filter) with what the decider saw of them, and the reasons of 退回修改.
type decision struct {
	action  string
	single  int64 // the row's registration, for a row's action
	in      models.ReviewInput
	reasons []string
	note    string
}

// readDecision binds a decision's form: "one" (action:id) for a row, "all=1" for every registration matching the
// filter (as the queue showed at "seen"), else the ticked "ids"; each shown row carries its version as v_<id>.
func (h *Review) readDecision(c echo.Context, d desk, p queueParams) (decision, error) {
	form, err := c.FormParams()
	if err != nil {
		return decision{}, err
	}
	dc := decision{action: c.FormValue("action"), in: models.ReviewInput{Versions: map[int64]int{},
		Link: func(id int64) string { return reverse(c, routes.RegistrationDetail, strconv.FormatInt(id, 10)) }}}
	if !d.unit() {
		dc.in.PlanID = d.plan.ID
	}
	ids := form["ids"]
	if one := c.FormValue("one"); one != "" {
		dc.action, one, _ = strings.Cut(one, ":")
		ids = []string{one}
	} else if c.FormValue("all") == "1" {
		ids = nil
		if seen, err := strconv.ParseInt(c.FormValue("seen"), 10, 64); err == nil {
			dc.in.Since = time.UnixMicro(seen)
		}
		if dc.in.IDs, err = models.ReviewQueueIDs(c.Request().Context(), h.DB, actor(c), p.filter(d)); err != nil {
			return dc, err
		}
	}
	for _, s := range ids {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return dc, models.ErrNotFound
		}
		dc.in.IDs = append(dc.in.IDs, n)
		if v, err := strconv.Atoi(c.FormValue("v_" + s)); err == nil {
			dc.in.Versions[n] = v
		}
	}
	if c.FormValue("one") != "" {
		dc.single = dc.in.IDs[0]
		dc.reasons, dc.note = form["reason_"+ids[0]], c.FormValue("note_"+ids[0])
	} else {
		dc.reasons, dc.note = form["bulk_reason"], c.FormValue("bulk_note")
	}
	if _, ok := actionLabels[dc.action]; !ok || (d.unit() && (dc.action == "approve" || dc.action == "accept")) || (!d.unit() && dc.action == "confirm") {
		return dc, echo.NewHTTPError(http.StatusBadRequest, "无效的操作")
	}
	return dc, nil
}

// decide runs a row's or the bulk's decision.
func (h *Review) decide(c echo.Context, d desk) error {
	p, err := readQueueParams(c)
	if err != nil {
		return err
	}
	dc, err := h.readDecision(c, d, p)
	if err != nil {
		return err
	}
	if dc.action == "return" {
		if dc.in.Reason, err = models.ReturnReason(dc.reasons, dc.note); err != nil && len(dc.in.IDs) > 0 {
			return h.decided(c, d, p, dc, models.ReviewResult{}, err)
		}
	}
	if len(dc.in.IDs) == 0 {
		return h.decided(c, d, p, dc, models.ReviewResult{}, models.FieldErrors{"ids": msgChooseRegs})
	}
	verb := map[string]func(context.Context, bun.IDB, models.Actor, models.ReviewInput) (models.ReviewResult, error){
		"approve": models.ApproveRegistrations, "accept": models.AcceptRegistrations, "confirm": models.ConfirmByUnit,
		"return": models.ReturnRegistrations}[dc.action]
	res, err := verb(c.Request().Context(), h.DB, actor(c), dc.in)
	return h.decided(c, d, p, dc, res, err)
}

// decisionProblem is what a decision's error says beside the row or above the queue; an error it does not know is
// returned as it is (for the central error page).
func decisionProblem(err error) (string, error) {
	var fe models.FieldErrors
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &fe):
		if fe["reason"] != "" {
			return fe["reason"], nil
		}
		return fe["ids"], nil
	case errors.Is(err, models.ErrNothingMoved):
		return msgNotDecidable, nil
	case errors.Is(err, models.ErrOwnRegistration):
		return msgOwn, nil
	case errors.Is(err, models.ErrNoAcceptanceStep):
		return msgNoAcceptance, nil
	case errors.Is(err, models.ErrChangedMeanwhile):
		return msgChanged, nil
	}
	return "", err
}

// decided answers a decision: the row (a row's action with htmx), the queue (a bulk action with htmx), a 303 back
// to the queue (without JavaScript), or the problem beside what caused it.
func (h *Review) decided(c echo.Context, d desk, p queueParams, dc decision, res models.ReviewResult, err error) error {
	single, action := dc.single, dc.action
	problem, unknown := decisionProblem(err)
	if unknown != nil {
		return unknown // not found (another's registration), not allowed: the central error page
	}
	var fe models.FieldErrors
	errors.As(err, &fe)
	label := actionLabels[action]
	if single != 0 {
		row, lerr := h.loadRow(c, d, p, single)
		if lerr != nil {
			return lerr
		}
		if problem != "" {
			row.Error = problem
			if action == "return" && fe != nil && row.ReturnURL != "" {
				row.Returning, row.Checked, row.Note = true, dc.reasons, dc.note
			}
			if !isHTMX(c) {
				if row.Returning {
					return h.render(c, http.StatusOK, h.returnPage(c, d, p, row), nil)
				}
				return h.showQueue(c, d, "", problem)
			}
			return h.render(c, http.StatusOK, pages.ReviewRowView(row), nil)
		}
		if isHTMX(c) {
			row.Message = decisionMessage(label, len(res.Moved), res.Skipped, res.Changed, res.BatchNo)
			return h.render(c, http.StatusOK, pages.ReviewRowView(row), nil)
		}
	}
	if problem != "" {
		return h.showQueue(c, d, "", problem)
	}
	if isHTMX(c) {
		return h.showQueue(c, d, decisionMessage(label, len(res.Moved), res.Skipped, res.Changed, res.BatchNo), "")
	}
	done := url.Values{"ok": {action}, "n": {strconv.Itoa(len(res.Moved))}, "batch": {res.BatchNo}}
	if res.Skipped > 0 {
		done.Set("skipped", strconv.Itoa(res.Skipped))
	}
	if res.Changed > 0 {
		done.Set("changed", strconv.Itoa(res.Changed))
	}
	return c.Redirect(http.StatusSeeOther, h.backURL(c, d, p, done))
}

// Withdraw is 撤回 of a registration returned for changes or waiting for the registry, after a confirmation
// (hx-confirm with JavaScript, a page without).
func (h *Review) Withdraw(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	detail := reverse(c, routes.RegistrationDetail, strconv.FormatInt(id, 10))
	inScope := func() error {
		_, err := models.RegistrationInScope(c.Request().Context(), h.DB, currentAccount(c), id)
		return err
	}
	if ok, err := h.confirmed(c, routes.RegistrationPage, "确定撤回这条报名？撤回后可修改并重新报名。", "撤回", detail, inScope); !ok {
		return err
	}
	_, err = models.WithdrawRegistration(c.Request().Context(), h.DB, actor(c), id)
	if errors.Is(err, models.ErrConflict) {
		return echo.NewHTTPError(http.StatusConflict, "该报名当前不能撤回（只有待审核或退回修改的报名可以撤回）")
	}
	if err != nil {
		return err
	}
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", detail+"?ok=withdrawn")
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, detail+"?ok=withdrawn")
}
