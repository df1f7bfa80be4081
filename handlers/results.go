package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/export"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/pages"
)

// Results is 查看考试结果 (manual 2.1.3 / 2.2.3 / 2.3.3) for practitioners, enterprises and training institutions:
// 考试名称 opens the plan picker (plans holding a published result of the caller's), 考生姓名 narrows, and the page
// lists the results, or the 考试合格人员 with the columns of LIFECYCLE §6; 【导出名单】 writes them as .xlsx, streamed.
// A plan or a candidate out of scope is 404 (models/result_view.go says whose).
type Results struct{ *App }

func resultRoutes(a *App) []route {
	h := &Results{App: a}
	adm := &AdminResults{App: a}
	return []route{
		{method: http.MethodGet, path: models.ResultsPagePath, name: routes.ResultPage, handler: h.Page, roles: applicants},
		{method: http.MethodGet, path: "/results/plans", name: routes.ResultPlanPicker, handler: h.Picker, roles: applicants},
		{method: http.MethodGet, path: "/results/batch/export", name: routes.ResultExport, handler: h.Export, roles: applicants},
		{method: http.MethodGet, path: "/admin/results", name: routes.AdminResults, handler: adm.List, roles: admin},
		{method: http.MethodGet, path: "/admin/results/:id", name: routes.AdminResultsPlan, handler: adm.Plan, roles: admin},
		{method: http.MethodGet, path: "/admin/results/:id/template", name: routes.AdminResultsTemplate, handler: adm.Template, roles: admin},
		{method: http.MethodPost, path: "/admin/results/:id/import", name: routes.AdminResultsImport, handler: adm.Import, roles: admin, body: importBody},
		{method: http.MethodGet, path: "/admin/results/:id/preview", name: routes.AdminResultsPreview, handler: adm.Preview, roles: admin},
		{method: http.MethodPost, path: "/admin/results/:id/lines", name: routes.AdminResultsLines, handler: adm.SaveLines, roles: admin},
		{method: http.MethodGet, path: "/admin/results/:id/publish", name: routes.AdminResultsConfirm, handler: adm.Confirm, roles: admin},
		{method: http.MethodPost, path: "/admin/results/:id/publish", name: routes.AdminResultsPublish, handler: adm.Publish, roles: admin},
		{method: http.MethodPost, path: "/admin/results/:id/reopen", name: routes.AdminResultsReopen, handler: adm.Reopen, roles: admin},
		{method: http.MethodGet, path: "/admin/results/:id/batch/export", name: routes.AdminResultsExport, handler: adm.Export, roles: admin},
	}
}

const resultRowsPerPage = 50

// Page is 查看考试结果: without ?plan= it asks for the plan; with it, the list (view=passed: 考试合格人员).
func (h *Results) Page(c echo.Context) error {
	p := pages.ResultsPage{Shell: h.shell(c, "查看考试结果", routes.ResultPage), Action: reverse(c, routes.ResultPage),
		Picker: h.picker(c, nil)}
	if c.QueryParam("plan") == "" {
		return h.render(c, http.StatusOK, pages.ResultsPageView(p), nil)
	}
	plan, err := h.planParam(c)
	if err != nil {
		return err
	}
	lq, err := readList(c, resultRowsPerPage, "plan", "name", "view")
	if err != nil {
		return err
	}
	f := models.ResultFilter{PlanID: plan.ID, Name: lq.Filter.Get("name"), PassedOnly: lq.Filter.Get("view") == "passed",
		Offset: lq.Offset(), Limit: lq.PerPage}
	base := reverse(c, routes.ResultPage) + "?plan=" + strconv.FormatInt(plan.ID, 10) + "&name=" + url.QueryEscape(f.Name)
	p.Picker, p.PlanChosen, p.PlanID, p.PlanInfo = h.picker(c, plan), true, strconv.FormatInt(plan.ID, 10), planInfo(plan)
	p.Name, p.PassedOnly, p.ResultsURL, p.PassedURL = f.Name, f.PassedOnly, base, base+"&view=passed"
	p.ExportURL = reverse(c, routes.ResultExport) + "?plan=" + p.PlanID + "&name=" + url.QueryEscape(f.Name)
	if f.PassedOnly {
		p.ExportURL += "&view=passed"
	}
	rows, total, err := models.ListResults(c.Request().Context(), h.DB, actor(c), f)
	if err != nil {
		return err
	}
	if err := h.fill(c, &p, plan.ID, rows, f.Offset); err != nil {
		return err
	}
	p.Pager = lq.pager(reverse(c, routes.ResultPage), total)
	return h.render(c, http.StatusOK, pages.ResultsPageView(p), nil)
}

// fill turns result rows into the page's lines: scores by subject for 考试结果, the §6 columns for 合格人员.
func (h *Results) fill(c echo.Context, p *pages.ResultsPage, planID int64, rows []models.ResultRow, offset int) error {
	if p.PassedOnly {
		for i := range rows {
			p.Passed = append(p.Passed, passedLine(offset+i+1, &rows[i]))
		}
		return nil
	}
	var err error
	p.Subjects, p.Results, err = resultLines(c, h.App, planID, rows)
	return err
}

// resultLines are the subjects' names and each row's scores by subject (the 考试情况 when not 正常) and outcome.
func resultLines(c echo.Context, a *App, planID int64, rows []models.ResultRow) ([]string, []pages.ResultLine, error) {
	ctx := c.Request().Context()
	subjects, err := models.PlanSubjects(ctx, a.DB, planID)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.RegistrationID
	}
	scores, err := models.SubjectScores(ctx, a.DB, ids)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(subjects))
	for i, s := range subjects {
		names[i] = s.Name
	}
	lines := make([]pages.ResultLine, len(rows))
	for i, r := range rows {
		lines[i] = pages.ResultLine{TicketNo: r.TicketNo, Name: r.Name, IDMasked: ident.MaskIDNumber(r.IDNumber), Outcome: r.Outcome()}
		for _, s := range subjects {
			lines[i].Scores = append(lines[i].Scores, scoreText(scores[r.RegistrationID], s.ID))
		}
	}
	return names, lines, nil
}

// scoreText is a subject's total as the list shows it: the points, or the 考试情况 when not 正常.
func scoreText(ss []models.Score, subjectID int64) string {
	for _, s := range ss {
		if s.SubjectID == subjectID {
			if s.Situation != models.SituationNormal {
				return s.Situation
			}
			return models.FormatTenths(s.TotalTenths)
		}
	}
	return "—"
}

// passedColumns are the 考试合格人员 list's columns for candidates and organizations (LIFECYCLE §6).
var passedColumns = []export.Column{{Header: "序号", Width: 8}, {Header: "考试时间", Width: 18}, {Header: "准考证号", Width: 12},
	{Header: "岗位类别", Width: 20}, {Header: "岗位工种", Width: 12}, {Header: "姓名", Width: 10}, {Header: "证件号码", Width: 22},
	{Header: "联系方式", Width: 14}, {Header: "工作单位", Width: 30}, {Header: "考试结果", Width: 10}, {Header: "证书编号", Width: 22},
	{Header: "领证地点", Width: 16}}

// passedLine is a result in the columns of passedColumns. 证书编号 and 领证地点 stay empty until a certificate is
// issued (the certificates area fills them); the ID number and phone are masked, as on every list.
func passedLine(no int, r *models.ResultRow) pages.PassedLine {
	return pages.PassedLine{No: strconv.Itoa(no), ExamAt: r.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"), TicketNo: r.TicketNo,
		Category: r.Category, Post: r.Level, Name: r.Name, IDMasked: ident.MaskIDNumber(r.IDNumber), Phone: maskPhone(r.Phone),
		Employer: r.Employer, Outcome: r.Outcome(), CertNo: r.CertNo, Pickup: pickup(r.CertNo)}
}

// pickup is the 领证地点 of a certificate: Beijing issues electronic certificates only (LIFECYCLE §7), downloaded
// from 个人证书信息 / 企业人员获证信息.
func pickup(certNo string) string {
	if certNo == "" {
		return ""
	}
	return "电子证照（网上下载）"
}

// maskPhone shows a mobile number's first 3 and last 4 digits.
func maskPhone(s string) string {
	if len(s) < 8 {
		return s
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

// planParam reads ?plan= as a plan holding a result the caller sees (else 404).
func (h *Results) planParam(c echo.Context) (*models.ExamPlan, error) {
	id, err := strconv.ParseInt(c.QueryParam("plan"), 10, 64)
	if err != nil || id <= 0 {
		return nil, models.ErrNotFound
	}
	return models.ResultPlanInScope(c.Request().Context(), h.DB, actor(c), id)
}

func (h *Results) picker(c echo.Context, plan *models.ExamPlan) pages.PlanField {
	f := pages.PlanField{PickerURL: reverse(c, routes.ResultPlanPicker) + "?return=" + url.QueryEscape(reverse(c, routes.ResultPage))}
	if plan != nil {
		f.PlanID, f.PlanName = plan.ID, plan.Name
	}
	return f
}

// Picker is the 考试名称 picker of 查看考试结果 (the one of 打印准考证, over plans with published results of the
// caller's): a panel with JavaScript, a page without.
func (h *Results) Picker(c echo.Context) error {
	ret := safeNext(c.QueryParam("return"))
	if ret == "" {
		ret = reverse(c, routes.ResultPage)
	}
	cid, _ := strconv.ParseInt(c.QueryParam("category"), 10, 64)
	plans, err := models.ResultPlans(c.Request().Context(), h.DB, actor(c), models.PlanFilter{Query: c.QueryParam("q"), CategoryID: cid, Limit: 100})
	if err != nil {
		return err
	}
	cats, err := h.categoryOptions(c, "全部", true)
	if err != nil {
		return err
	}
	p := pages.PlanPicker{Shell: h.shell(c, "选择考试", routes.ResultPage), Action: reverse(c, routes.ResultPlanPicker), Return: ret,
		Query: c.QueryParam("q"), Category: c.QueryParam("category"), Categories: cats}
	sep := "?"
	if strings.Contains(ret, "?") {
		sep = "&"
	}
	for _, pl := range plans {
		p.Rows = append(p.Rows, pages.PickerRow{Name: pl.Name, Category: pl.CategoryName(), Level: pl.Level,
			ExamAt: pl.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"), Status: "成绩已公告",
			ChooseURL: ret + sep + "plan=" + strconv.FormatInt(pl.ID, 10)})
	}
	return h.render(c, http.StatusOK, pages.PlanPickerPage(p), pages.PlanPickerPanel(p))
}

// Export is 【导出名单】: the 考试合格人员 (or, with view=results, every result) of the plan in the caller's scope, as
// .xlsx written while the rows are read. Audited.
func (h *Results) Export(c echo.Context) error {
	plan, err := h.planParam(c)
	if err != nil {
		return err
	}
	f := models.ResultFilter{PlanID: plan.ID, Name: c.QueryParam("name"), PassedOnly: c.QueryParam("view") != "results"}
	x, err := export.NewXLSX("考试合格人员", passedColumns)
	if err != nil {
		return err
	}
	defer x.Close()
	n := 0
	err = models.EachResult(c.Request().Context(), h.DB, actor(c), f, func(r *models.ResultRow) error {
		n++
		l := passedLine(n, r)
		return x.Row(l.No, l.ExamAt, l.TicketNo, l.Category, l.Post, l.Name, l.IDMasked, l.Phone, l.Employer, l.Outcome, l.CertNo, l.Pickup)
	})
	if err != nil {
		return err
	}
	h.audit(c, models.EventExport, "plan:"+strconv.FormatInt(plan.ID, 10)+":results", "ok", "考试合格人员名单，"+strconv.Itoa(n)+" 人")
	return streamXLSX(c, x, "passed-list.xlsx", plan.Name+"考试合格人员.xlsx")
}

// streamXLSX sends a workbook as a download, written straight to the response.
func streamXLSX(c echo.Context, x *export.XLSX, asciiName, utf8Name string) error {
	hd := c.Response().Header()
	hd.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	hd.Set("Content-Disposition", `attachment; filename="`+asciiName+`"; filename*=UTF-8''`+url.PathEscape(utf8Name))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	c.Response().WriteHeader(http.StatusOK)
	return x.Write(c.Response())
}
