package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/pages"
)

// AdminResults is 成绩管理 (LIFECYCLE §6): per released plan, a 成绩模版 and an import per subject, the 合格线 with
// a live pass-rate preview (htmx on input; the 预览 button without JavaScript), 发布成绩 after a confirm step, and
// 重新开放 with a reason.
type AdminResults struct{ *App }

// List is 成绩管理's list of released plans.
func (h *AdminResults) List(c echo.Context) error {
	ps, err := models.ResultPlanList(c.Request().Context(), h.DB, actor(c), 200)
	if err != nil {
		return err
	}
	p := pages.AdminResultsList{Shell: h.shell(c, "成绩管理", routes.AdminResults)}
	for _, x := range ps {
		state := "未发布"
		if x.Published != nil {
			state = "已发布（" + x.Published.In(models.Beijing).Format("2006-01-02 15:04") + "）"
		}
		p.Rows = append(p.Rows, pages.AdminResultPlanRow{Name: x.Name, Category: x.CategoryName(),
			ExamAt: x.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"), Candidates: strconv.Itoa(x.Candidates),
			Scored: strconv.Itoa(x.Scored), State: state, URL: reverse(c, routes.AdminResultsPlan, x.ID)})
	}
	return h.render(c, http.StatusOK, pages.AdminResultsListPage(p), nil)
}

func (h *AdminResults) plan(c echo.Context) (*models.ExamPlan, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.ResultPlan(c.Request().Context(), h.DB, actor(c), id)
}

// Plan is one plan's 成绩管理 page; ?ok= says what the last POST did.
func (h *AdminResults) Plan(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	return h.show(c, p, nil, func(v *pages.AdminResultPlan) {
		switch c.QueryParam("ok") {
		case "imported":
			v.Success = "已导入 " + c.QueryParam("n") + " 条成绩，批号 " + c.QueryParam("no")
		case "lines":
			v.Success = "合格线已保存"
		case "published":
			v.Success = "成绩已发布，批号 " + c.QueryParam("no")
		case "reopened":
			v.Success = "成绩已重新开放，合格线已解锁"
		}
	})
}

// show renders the plan's page with the lines in lines (nil: as stored) and edit applied; an htmx request gets the
// preview region only.
func (h *AdminResults) show(c echo.Context, p *models.ExamPlan, lines map[int64]int, edit func(*pages.AdminResultPlan)) error {
	v, err := h.view(c, p, lines)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&v)
	}
	return h.render(c, http.StatusOK, pages.AdminResultPlanPage(v), pages.LinesPreviewView(v.Preview))
}

// view is the plan's page with the lines in lines (nil: as stored).
func (h *AdminResults) view(c echo.Context, p *models.ExamPlan, lines map[int64]int) (pages.AdminResultPlan, error) {
	ctx := c.Request().Context()
	rel, err := models.ReleaseOf(ctx, h.DB, p.ID)
	if err != nil {
		return pages.AdminResultPlan{}, err
	}
	pv, err := models.PreviewLines(ctx, h.DB, p, lines)
	if err != nil {
		return pages.AdminResultPlan{}, err
	}
	v := pages.AdminResultPlan{Shell: h.shell(c, "成绩管理", routes.AdminResults), PlanName: p.Name, PlanInfo: planInfo(p),
		Published: rel.Published(), State: "未发布", ImportURL: reverse(c, routes.AdminResultsImport, p.ID),
		LinesURL: reverse(c, routes.AdminResultsLines, p.ID), PreviewURL: reverse(c, routes.AdminResultsPreview, p.ID),
		PublishURL: reverse(c, routes.AdminResultsConfirm, p.ID), ReopenURL: reverse(c, routes.AdminResultsReopen, p.ID),
		ExportURL: reverse(c, routes.AdminResultsExport, p.ID), BackURL: reverse(c, routes.AdminResults),
		Preview: linesPreview(pv, rel.Published())}
	if rel.Published() {
		v.State = "已发布（" + rel.PublishedAt.In(models.Beijing).Format("2006-01-02 15:04") + "，批号 " + rel.BatchNo + "）"
	} else if rel != nil && rel.ReopenedAt != nil {
		v.State = "已重新开放（理由：" + rel.ReopenReason + "）"
	}
	if err := h.candidates(c, p, &v); err != nil {
		return v, err
	}
	for _, l := range pv.Lines {
		v.Subjects = append(v.Subjects, pages.AdminSubject{ID: strconv.FormatInt(l.Subject.ID, 10), Name: l.Subject.Name,
			Scored:      strconv.Itoa(l.Scored) + " / " + strconv.Itoa(pv.Candidates),
			TemplateURL: reverse(c, routes.AdminResultsTemplate, p.ID) + "?subject=" + strconv.FormatInt(l.Subject.ID, 10)})
	}
	return v, nil
}

// linesPreview is the view of a preview: a field per subject (line_<id>) with its line and pass rate.
func linesPreview(pv models.Preview, locked bool) pages.LinesPreview {
	v := pages.LinesPreview{Overall: pv.Rate(), Locked: locked}
	for _, l := range pv.Lines {
		v.Lines = append(v.Lines, pages.LineRow{Name: l.Subject.Name, Field: "line_" + strconv.FormatInt(l.Subject.ID, 10),
			Value: models.FormatTenths(l.LineTenths), Rate: l.Rate()})
	}
	if pv.Complete < pv.Candidates {
		v.Note = "共 " + strconv.Itoa(pv.Candidates) + " 名考生，其中 " + strconv.Itoa(pv.Candidates-pv.Complete) + " 名还缺少科目成绩，发布前请导入全部科目。"
	}
	return v
}

// readLines reads the line_<subject id> fields of the form; a field that is not a score is an error beside it.
func readLines(c echo.Context, pv models.Preview) (map[int64]int, map[string]string) {
	lines, errs := map[int64]int{}, map[string]string{}
	for _, l := range pv.Lines {
		field := "line_" + strconv.FormatInt(l.Subject.ID, 10)
		raw := c.FormValue(field)
		if raw == "" {
			continue
		}
		t, ok := models.ParseTenths(raw)
		if !ok {
			errs[field] = "合格线应为 0 到 150 之间的分数，最多一位小数"
			continue
		}
		lines[l.Subject.ID] = t
	}
	return lines, errs
}

// Preview is the pass rate at the typed lines: the preview region for htmx, the whole page (with the lines typed)
// for the 预览 button without JavaScript. Nothing is saved.
func (h *AdminResults) Preview(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	stored, err := models.PreviewLines(c.Request().Context(), h.DB, p, nil)
	if err != nil {
		return err
	}
	lines, errs := readLines(c, stored)
	return h.show(c, p, lines, func(v *pages.AdminResultPlan) { markLineErrors(c, &v.Preview, errs) })
}

// SaveLines is 保存合格线: refused once published; a field that is not a score is shown beside it (200).
func (h *AdminResults) SaveLines(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	stored, err := models.PreviewLines(c.Request().Context(), h.DB, p, nil)
	if err != nil {
		return err
	}
	lines, errs := readLines(c, stored)
	if len(errs) == 0 {
		err = models.SetPassLines(c.Request().Context(), h.DB, actor(c), p.ID, lines)
	}
	switch {
	case len(errs) > 0:
		return h.show(c, p, lines, func(v *pages.AdminResultPlan) { markLineErrors(c, &v.Preview, errs) })
	case errors.Is(err, models.ErrResultsPublished):
		return h.show(c, p, nil, func(v *pages.AdminResultPlan) { v.Error = err.Error() })
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminResultsPlan, p.ID)+"?ok=lines")
}

// markLineErrors puts each field's error beside it and keeps what was typed.
func markLineErrors(c echo.Context, v *pages.LinesPreview, errs map[string]string) {
	for i := range v.Lines {
		if msg, bad := errs[v.Lines[i].Field]; bad {
			v.Lines[i].Error, v.Lines[i].Value, v.Lines[i].Rate = msg, c.FormValue(v.Lines[i].Field), "—"
		}
	}
}

// candidates puts a page of the plan's candidates with their scores and outcome on the page.
func (h *AdminResults) candidates(c echo.Context, p *models.ExamPlan, v *pages.AdminResultPlan) error {
	lq, err := readList(c, resultRowsPerPage, "name")
	if err != nil {
		return err
	}
	rows, total, err := models.ListResults(c.Request().Context(), h.DB, actor(c),
		models.ResultFilter{PlanID: p.ID, Name: lq.Filter.Get("name"), Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	v.SubjectNames, v.Results, err = resultLines(c, h.App, p.ID, rows)
	v.Pager = lq.pager(reverse(c, routes.AdminResultsPlan, p.ID), total)
	return err
}
