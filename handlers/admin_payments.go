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
	"examcert/views/components"
	"examcert/views/pages"
)

// AdminPayments is 缴费管理: per charged plan, the counts by payment stage, 发送缴费通知, 确认缴费 one by one or from
// the bank's reconciliation file, and the export of the paid list. A free plan says it has no payment step.
type AdminPayments struct{ *App }

func paymentRoutes(a *App) []route {
	h := &AdminPayments{App: a}
	return []route{
		{method: http.MethodGet, path: "/admin/payments", name: routes.AdminPayments, handler: h.Plans, roles: admin},
		{method: http.MethodGet, path: "/admin/payments/:id", name: routes.AdminPaymentsPlan, handler: h.Plan, roles: admin},
		{method: http.MethodPost, path: "/admin/payments/:id/notices", name: routes.AdminPaymentsNotify, handler: h.Notify, roles: admin},
		{method: http.MethodPost, path: "/admin/payments/:id/registrations/:reg/confirm", name: routes.AdminPaymentsConfirm, handler: h.Confirm, roles: admin},
		{method: http.MethodGet, path: "/admin/payments/:id/template", name: routes.AdminPaymentsTemplate, handler: h.Template, roles: admin},
		{method: http.MethodPost, path: "/admin/payments/:id/import", name: routes.AdminPaymentsImport, handler: h.Import, roles: admin, body: importBody},
		{method: http.MethodGet, path: "/admin/payments/:id/export", name: routes.AdminPaymentsExport, handler: h.Export, roles: admin},
	}
}

const paymentRowsPerPage = 50

// Plans lists the exam plans to choose one from.
func (h *AdminPayments) Plans(c echo.Context) error {
	lq, err := readList(c, plansPerPage)
	if err != nil {
		return err
	}
	ps, total, err := models.ListPlans(c.Request().Context(), h.DB, models.PlanFilter{Query: lq.Q, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	v := pages.PaymentPlans{Shell: h.shell(c, "缴费管理", routes.AdminPayments), Query: lq.Q, ListURL: reverse(c, routes.AdminPayments),
		Pager: lq.pager(reverse(c, routes.AdminPayments), total)}
	for i := range ps {
		p := &ps[i]
		row := pages.PaymentPlanRow{ID: p.ID, Name: p.Name, ExamAt: p.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"),
			Fee: p.Fee(), Deadline: p.PaymentDeadlineText(), Status: p.Status.Label(),
			URL: reverse(c, routes.AdminPaymentsPlan, strconv.FormatInt(p.ID, 10))}
		if !p.Charges() {
			row.Deadline = "免费，无需缴费"
		}
		v.Rows = append(v.Rows, row)
	}
	return h.render(c, http.StatusOK, pages.PaymentPlansPage(v), pages.PaymentPlansResults(v))
}

func (h *AdminPayments) plan(c echo.Context) (*models.ExamPlan, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.GetPlan(c.Request().Context(), h.DB, id)
}

func (h *AdminPayments) planURL(c echo.Context, p *models.ExamPlan) string {
	return reverse(c, routes.AdminPaymentsPlan, strconv.FormatInt(p.ID, 10))
}

// view builds the page of a plan: counts, the list as filtered, the actions.
func (h *AdminPayments) view(c echo.Context, p *models.ExamPlan) (pages.PaymentPage, error) {
	ctx := c.Request().Context()
	id := strconv.FormatInt(p.ID, 10)
	v := pages.PaymentPage{Shell: h.shell(c, "缴费管理", routes.AdminPayments), PlanID: p.ID, PlanName: p.Name, Free: !p.Charges(),
		BackURL: reverse(c, routes.AdminPayments), ListURL: h.planURL(c, p), MaxRows: (&Batch{h.App}).spreadsheetLimits().MaxRows}
	v.PlanInfo = "考试时间 " + p.ExamAt.In(models.Beijing).Format("2006-01-02 15:04") + "；状态 " + p.Status.Label()
	if v.Free {
		v.PlanInfo += "；收费金额 0 元"
		return v, nil
	}
	v.PlanInfo += "；收费金额 " + models.Yuan(p.FeeCents) + " 元；缴费截止 " + p.PaymentDeadlineText()
	v.NotifyURL = reverse(c, routes.AdminPaymentsNotify, id)
	v.TemplateURL = reverse(c, routes.AdminPaymentsTemplate, id)
	v.ImportURL = reverse(c, routes.AdminPaymentsImport, id)
	v.ExportURL = reverse(c, routes.AdminPaymentsExport, id)
	counts, err := models.CountPayments(ctx, h.DB, actor(c), p.ID)
	if err != nil {
		return v, err
	}
	v.ToNotify = counts[models.StageToNotify]
	v.Stages = []components.Option{{Value: "", Label: "全部"}}
	for _, s := range models.PaymentStages {
		v.Counts = append(v.Counts, pages.PaymentCount{Stage: string(s.Stage), Label: s.Label, N: counts[s.Stage],
			URL: v.ListURL + "?stage=" + string(s.Stage)})
		v.Stages = append(v.Stages, components.Option{Value: string(s.Stage), Label: s.Label})
	}
	lq, err := readList(c, paymentRowsPerPage, "stage")
	if err != nil {
		return v, err
	}
	stage := models.PaymentStage(lq.Filter.Get("stage"))
	if stage.Label() == "" {
		stage = ""
		lq.Filter.Set("stage", "")
	}
	v.Query, v.Stage = lq.Q, string(stage)
	rows, total, err := models.ListPayments(ctx, h.DB, actor(c), models.PaymentFilter{PlanID: p.ID, Stage: stage, Query: lq.Q,
		Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return v, err
	}
	for i := range rows {
		v.Rows = append(v.Rows, h.row(c, p, &rows[i]))
	}
	v.Pager = lq.pager(v.ListURL, total)
	return v, nil
}

// row describes a registration on the list; 确认缴费 is offered while it awaits payment.
func (h *AdminPayments) row(c echo.Context, p *models.ExamPlan, r *models.PaymentRow) pages.PaymentRowView {
	v := pages.PaymentRowView{ID: r.ID, Number: r.Number(), Stage: r.Stage().Label()}
	if r.Person != nil {
		v.Name, v.IDMasked = r.Person.Name, ident.MaskIDNumber(r.Person.IDNumber)
	}
	if r.PaymentNoticedAt != nil {
		v.Notice = r.PaymentNoticeNo + " " + r.PaymentNoticedAt.In(models.Beijing).Format("2006-01-02 15:04")
	}
	if pay := r.Payment; pay != nil {
		v.Amount, v.TradeNo, v.PaidOn = models.Yuan(pay.AmountCents), pay.TradeNo, pay.PaidOn.In(models.Beijing).Format("2006-01-02")
		v.Method = map[string]string{models.PaymentManual: "人工确认", models.PaymentBank: "银行对账"}[pay.Method]
	}
	if r.Status == models.RegApproved && r.PaidAt == nil {
		v.ConfirmURL = reverse(c, routes.AdminPaymentsConfirm, strconv.FormatInt(p.ID, 10), strconv.FormatInt(r.ID, 10)) +
			"?version=" + strconv.Itoa(r.Version)
		v.ConfirmQuestion = "确认已收到" + v.Name + "的考试费 " + models.Yuan(p.FeeCents) + " 元？"
	}
	return v
}

// show renders a plan's page with edit applied (a message, problems).
func (h *AdminPayments) show(c echo.Context, p *models.ExamPlan, edit func(*pages.PaymentPage)) error {
	v, err := h.view(c, p)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&v)
	}
	return h.render(c, http.StatusOK, pages.PaymentPlanPage(v), pages.PaymentRows(v))
}

// Plan is 缴费管理 of one plan.
func (h *AdminPayments) Plan(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	return h.show(c, p, func(v *pages.PaymentPage) {
		switch c.QueryParam("ok") {
		case "notified":
			v.Success = "已向" + c.QueryParam("n") + "名考生发送缴费通知，批号为" + c.QueryParam("no")
		case "confirmed":
			v.Success = "已确认缴费，批号为" + c.QueryParam("no")
		case "imported":
			v.Success = "导入成功，已确认" + c.QueryParam("n") + "人缴费，批号为" + c.QueryParam("no")
		}
	})
}

// paymentError is the message for a refused payment action ("" for an error the central handler shows).
func paymentError(err error) string {
	switch {
	case errors.Is(err, models.ErrFreePlan):
		return "免费考试，无需缴费"
	case errors.Is(err, models.ErrNoDeadline):
		return "该考试计划未设置缴费截止时间，请先在考试计划中填写"
	case errors.Is(err, models.ErrDeadlinePassed):
		return "缴费截止时间已过，不能再发送缴费通知"
	case errors.Is(err, models.ErrNothingToNotify):
		return "没有待通知的考生（审核通过且尚未发送缴费通知）"
	case errors.Is(err, models.ErrNotPayable), errors.Is(err, models.ErrConflict):
		return "该报名的状态已变化（已缴费或不再是审核通过），未确认缴费"
	}
	return ""
}

// Notify is 发送缴费通知 (models.SendPaymentNotices) to the plan's approved registrations not yet notified.
func (h *AdminPayments) Notify(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	if ok, err := h.confirmed(c, routes.AdminPayments, "确定向审核通过、尚未通知的考生发送缴费通知？", "发送缴费通知", h.planURL(c, p), nil); !ok {
		return err
	}
	res, err := models.SendPaymentNotices(c.Request().Context(), h.DB, actor(c), p.ID)
	if msg := paymentError(err); msg != "" {
		return h.show(c, p, func(v *pages.PaymentPage) { v.Error = msg })
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.planURL(c, p)+"?ok=notified&n="+strconv.Itoa(res.Sent)+"&no="+res.BatchNo)
}

// Confirm is 确认缴费 of one registration (models.ConfirmPayment): its row swapped in place with htmx, the page
// again without.
func (h *AdminPayments) Confirm(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	regID, err := strconv.ParseInt(c.Param("reg"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	inPlan := func() error { _, err := models.PaymentForRegistration(ctx, h.DB, actor(c), p.ID, regID); return err }
	if ok, err := h.confirmed(c, routes.AdminPayments, "确认已收到该考生的考试费 "+models.Yuan(p.FeeCents)+" 元？", "确认缴费", h.planURL(c, p), inPlan); !ok {
		return err
	}
	version, _ := strconv.Atoi(c.QueryParam("version"))
	res, err := models.ConfirmPayment(ctx, h.DB, actor(c), p.ID, regID, version)
	msg := paymentError(err)
	if err != nil && msg == "" {
		return err
	}
	if isHTMX(c) {
		row, err := models.PaymentForRegistration(ctx, h.DB, actor(c), p.ID, regID)
		if err != nil {
			return err
		}
		v := h.row(c, p, row)
		v.Message = msg
		if msg == "" {
			v.Message = "已确认，批号 " + res.BatchNo
		}
		return h.render(c, http.StatusOK, pages.PaymentRowFragment(v), nil)
	}
	if msg != "" {
		return h.show(c, p, func(v *pages.PaymentPage) { v.Error = msg })
	}
	return c.Redirect(http.StatusSeeOther, h.planURL(c, p)+"?ok=confirmed&no="+res.BatchNo)
}

// Template sends 银行对账文件模版.xlsx.
func (h *AdminPayments) Template(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	if !p.Charges() {
		return models.ErrNotFound
	}
	spec := spreadsheet.TemplateSpec{Title: p.Name + " 银行对账文件模版", Columns: models.BankColumns,
		Example: []string{"张三", "110101199003070011", models.Yuan(p.FeeCents), "202612010000123456", "2026-12-01"},
		Instructions: []string{
			"每行填写一笔缴费；第一行是标题，请勿修改。也可以直接上传银行导出的对账文件，只要第一行有这五列的标题。",
			"金额须等于该考试的收费金额（" + models.Yuan(p.FeeCents) + " 元）；交易流水号每笔唯一。",
			"导入时系统会检查所有行：只要有一行不匹配，所有行都不会确认缴费，并列出每行的行号和原因。",
		}}
	return h.sendTemplate(c, spec, "plan:"+strconv.FormatInt(p.ID, 10), "payment-template", "payment-template.xlsx", "银行对账文件模版.xlsx")
}

// Import is 确认缴费 from the bank's reconciliation file (models.ImportBankPayments): all lines or none.
func (h *AdminPayments) Import(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	fail := func(msg string) error { return h.show(c, p, func(v *pages.PaymentPage) { v.Error = msg }) }
	rows, msg, err := h.readBankFile(c)
	if err != nil {
		return err
	}
	if msg != "" {
		return fail(msg)
	}
	res, err := models.ImportBankPayments(c.Request().Context(), h.DB, actor(c), p.ID, rows)
	var problems models.BatchProblems
	switch {
	case errors.As(err, &problems):
		return h.show(c, p, func(v *pages.PaymentPage) {
			for _, x := range problems {
				row := ""
				if x.Row > 0 {
					row = strconv.Itoa(x.Row)
				}
				v.Problems = append(v.Problems, pages.Problem{Row: row, Column: x.Column, Value: x.Value, Reason: x.Reason})
			}
		})
	case errors.Is(err, models.ErrConflict):
		return fail("导入时其中有报名的状态被他人改变或交易流水号已被使用，未确认任何缴费，请重新导入")
	case paymentError(err) != "":
		return fail(paymentError(err))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.planURL(c, p)+"?ok=imported&n="+strconv.Itoa(res.Rows)+"&no="+res.BatchNo)
}

// readBankFile reads the uploaded .xlsx with the house's defences (spreadsheet.Read: size, zip bombs, encrypted
// files, hostile XML, row limits); a problem with the file as a whole is a message for the page, a file over the
// limit a 413.
func (h *AdminPayments) readBankFile(c echo.Context) ([]spreadsheet.Row, string, error) {
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, "", echo.NewHTTPError(http.StatusRequestEntityTooLarge, "文件不能超过10MB")
	}
	if err != nil {
		return nil, "请选择要导入的银行对账文件（.xlsx）", nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	rows, err := spreadsheet.Read(f, models.BankColumns, (&Batch{h.App}).spreadsheetLimits())
	var fe *spreadsheet.FileError
	switch {
	case errors.Is(err, spreadsheet.ErrTooLarge):
		return nil, "", echo.NewHTTPError(http.StatusRequestEntityTooLarge, err.Error())
	case errors.As(err, &fe):
		return nil, fe.Msg, nil
	case err != nil:
		return nil, "", err
	case len(rows) == 0:
		return nil, "文件中没有缴费记录", nil
	}
	return rows, "", nil
}

// paidColumns are the columns of 已缴费名单.
var paidColumns = []export.Column{{Header: "报名编号", Width: 16}, {Header: "姓名", Width: 10}, {Header: "身份证号", Width: 22},
	{Header: "金额（元）", Width: 10}, {Header: "缴费方式", Width: 10}, {Header: "交易流水号", Width: 24}, {Header: "缴费日期", Width: 12},
	{Header: "确认时间", Width: 18}, {Header: "批号", Width: 14}}

// Export writes the plan's paid list as .xlsx through the streaming writer (internal/export), a page of rows at a
// time; ID numbers are masked and every cell is text, never a formula (SECURITY.md 14, 15). Every export is audited.
func (h *AdminPayments) Export(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	if !p.Charges() {
		return models.ErrNotFound
	}
	x, err := export.NewXLSX("已缴费名单", paidColumns)
	if err != nil {
		return err
	}
	defer x.Close()
	methods := map[string]string{models.PaymentManual: "人工确认", models.PaymentBank: "银行对账"}
	err = models.EachPaid(c.Request().Context(), h.DB, actor(c), p.ID, func(r models.PaymentRow) error {
		rec := []string{r.Number(), "", "", "", "", "", "", r.PaidAt.In(models.Beijing).Format("2006-01-02 15:04"), ""}
		if r.Person != nil {
			rec[1], rec[2] = r.Person.Name, ident.MaskIDNumber(r.Person.IDNumber)
		}
		if pay := r.Payment; pay != nil {
			rec[3], rec[4], rec[5], rec[6], rec[8] = models.Yuan(pay.AmountCents), methods[pay.Method], pay.TradeNo,
				pay.PaidOn.In(models.Beijing).Format("2006-01-02"), pay.BatchNo
		}
		return x.Row(rec...)
	})
	if err != nil {
		return err
	}
	h.audit(c, models.EventExport, "plan:"+strconv.FormatInt(p.ID, 10), "paid-list", strconv.Itoa(x.Rows())+" 人")
	return streamXLSX(c, x, "paid-list.xlsx", p.Name+"已缴费名单.xlsx")
}
