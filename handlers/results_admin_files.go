package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/export"
	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
	"examcert/models"
	"examcert/views/pages"
)

// scoreSheetColumns are the 成绩模版's columns as written (models.ScoreColumns as read, in the same order).
func scoreSheetColumns() []export.Column {
	out := make([]export.Column, len(models.ScoreColumns))
	for i, col := range models.ScoreColumns {
		out[i] = export.Column{Header: col.Header, Width: col.Width}
	}
	return out
}

// Template is 下载成绩模版 of a subject: its candidates room by room, 缺考 from 签到 (or the scores imported before)
// filled in.
func (h *AdminResults) Template(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	sid, _ := strconv.ParseInt(c.QueryParam("subject"), 10, 64)
	subj, rows, err := models.ScoreSheet(c.Request().Context(), h.DB, actor(c), p.ID, sid)
	if err != nil {
		return err
	}
	x, err := export.NewXLSX("成绩", scoreSheetColumns())
	if err != nil {
		return err
	}
	defer x.Close()
	for _, r := range rows {
		obj, subjective, sit := r.Prefill()
		if err := x.Row(r.TicketNo, r.Name, r.RoomNo, obj, subjective, sit); err != nil {
			return err
		}
	}
	h.audit(c, models.EventExport, "plan:"+strconv.FormatInt(p.ID, 10)+":results", "score-template", subj.Name)
	return streamXLSX(c, x, "score-template.xlsx", p.Name+"-"+subj.Name+"-成绩模版.xlsx")
}

// Import is 导入成绩 of a subject (models.ImportScores): all rows or none, every bad row listed.
func (h *AdminResults) Import(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	fail := func(edit func(*pages.AdminResultPlan)) error { return h.show(c, p, nil, edit) }
	sid, _ := strconv.ParseInt(c.FormValue("subject"), 10, 64)
	rows, msg, err := readUpload(c, models.ScoreColumns, (&Batch{h.App}).spreadsheetLimits(), "请选择要导入的成绩文件（.xlsx）")
	if err != nil {
		return err
	}
	if msg != "" {
		return fail(func(v *pages.AdminResultPlan) { v.Error = msg })
	}
	res, err := models.ImportScores(c.Request().Context(), h.DB, actor(c), p.ID, sid, rows)
	var problems models.BatchProblems
	switch {
	case errors.As(err, &problems):
		return fail(func(v *pages.AdminResultPlan) { v.Problems = problemRows(problems) })
	case errors.Is(err, models.ErrResultsPublished):
		return fail(func(v *pages.AdminResultPlan) { v.Error = err.Error() })
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminResultsPlan, p.ID)+"?ok=imported&n="+strconv.Itoa(res.Rows)+"&no="+res.BatchNo)
}

// problemRows are import problems as the page lists them.
func problemRows(ps models.BatchProblems) []pages.Problem {
	out := make([]pages.Problem, len(ps))
	for i, x := range ps {
		row := ""
		if x.Row > 0 {
			row = strconv.Itoa(x.Row)
		}
		out[i] = pages.Problem{Row: row, Column: x.Column, Value: x.Value, Reason: x.Reason}
	}
	return out
}

// readUpload reads the uploaded .xlsx ("file") with the hardened reader; a problem with the file as a whole is a
// message for the page, a file over the limit a 413.
func readUpload(c echo.Context, cols []spreadsheet.Column, lim spreadsheet.Limits, missing string) ([]spreadsheet.Row, string, error) {
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, "", echo.NewHTTPError(http.StatusRequestEntityTooLarge, "文件不能超过10MB")
	}
	if err != nil {
		return nil, missing, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	rows, err := spreadsheet.Read(f, cols, lim)
	var fe *spreadsheet.FileError
	switch {
	case errors.Is(err, spreadsheet.ErrTooLarge):
		return nil, "", echo.NewHTTPError(http.StatusRequestEntityTooLarge, err.Error())
	case errors.As(err, &fe):
		return nil, fe.Msg, nil
	case err != nil:
		return nil, "", err
	}
	return rows, "", nil
}

// Confirm is 发布成绩's confirm step: the lines in force and the outcome they give.
func (h *AdminResults) Confirm(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	v, err := h.view(c, p, nil)
	if err != nil {
		return err
	}
	if v.Published {
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminResultsPlan, p.ID))
	}
	return h.render(c, http.StatusOK, pages.PublishConfirmPage(pages.PublishConfirm{Shell: v.Shell, PlanName: p.Name, Preview: v.Preview,
		Action: reverse(c, routes.AdminResultsPublish, p.ID), BackURL: reverse(c, routes.AdminResultsPlan, p.ID)}), nil)
}

// Publish is 确认发布 (models.PublishResults).
func (h *AdminResults) Publish(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	out, err := models.PublishResults(c.Request().Context(), h.DB, actor(c), p.ID)
	switch {
	case errors.Is(err, models.ErrResultsIncomplete), errors.Is(err, models.ErrNoScores), errors.Is(err, models.ErrResultsPublished):
		return h.show(c, p, nil, func(v *pages.AdminResultPlan) { v.Error = err.Error() })
	case errors.Is(err, models.ErrConflict):
		return h.show(c, p, nil, func(v *pages.AdminResultPlan) {
			v.Error = "发布时有考生的状态被他人改变，未发布，请重试"
		})
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminResultsPlan, p.ID)+"?ok=published&no="+out.BatchNo)
}

// Reopen is 重新开放成绩 (admins, with a reason): the reason's error beside its field.
func (h *AdminResults) Reopen(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	err = models.ReopenResults(c.Request().Context(), h.DB, actor(c), p.ID, reason)
	var fe models.FieldErrors
	switch {
	case errors.As(err, &fe):
		return h.show(c, p, nil, func(v *pages.AdminResultPlan) { v.Reason, v.ReasonError = reason, fe["reason"] })
	case errors.Is(err, models.ErrResultsUnpublished), errors.Is(err, models.ErrCertificatesIssued):
		return h.show(c, p, nil, func(v *pages.AdminResultPlan) { v.Error = err.Error() })
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminResultsPlan, p.ID)+"?ok=reopened")
}

// adminResultColumns are the registry's list's columns (LIFECYCLE §6).
var adminResultColumns = []export.Column{{Header: "序号", Width: 8}, {Header: "岗位类别", Width: 20}, {Header: "岗位工种", Width: 12},
	{Header: "准考证号", Width: 12}, {Header: "考生姓名", Width: 10}, {Header: "证件号码", Width: 22}, {Header: "工作单位", Width: 30},
	{Header: "公告状态", Width: 12}, {Header: "考试结果", Width: 10}, {Header: "报名地点", Width: 12}}

var channelPlaces = map[models.Channel]string{models.ChannelSelf: "个人报名", models.ChannelEnterprise: "企业报名", models.ChannelTraining: "培训机构报名"}

// Export is the registry's 导出名单 of a plan: every candidate with the admin columns, streamed. Audited.
func (h *AdminResults) Export(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	x, err := export.NewXLSX("考试结果", adminResultColumns)
	if err != nil {
		return err
	}
	defer x.Close()
	n := 0
	err = models.EachResult(c.Request().Context(), h.DB, actor(c), models.ResultFilter{PlanID: p.ID}, func(r *models.ResultRow) error {
		n++
		return x.Row(strconv.Itoa(n), r.Category, r.Level, r.TicketNo, r.Name, ident.MaskIDNumber(r.IDNumber), r.Employer,
			r.Announced(), r.Outcome(), channelPlaces[r.Channel])
	})
	if err != nil {
		return err
	}
	h.audit(c, models.EventExport, "plan:"+strconv.FormatInt(p.ID, 10)+":results", "ok", "考试结果名单，"+strconv.Itoa(n)+" 人")
	return streamXLSX(c, x, "results.xlsx", p.Name+"考试结果.xlsx")
}
