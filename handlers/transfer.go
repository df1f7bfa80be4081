package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/internal/national"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Transfers is 证书进京 (LIFECYCLE §10) for practitioners (their own) and training institutions: the list of
// applications, the 申请表 (new, or corrected after 退回修改), the saved application with 【删除】【打印】【返回】.
// The national platform (App.National), when configured, offers the certificates other provinces released.
type Transfers struct{ *App }

func transferRoutes(a *App) []route {
	h := &Transfers{App: a}
	return []route{
		{method: http.MethodGet, path: "/transfers", name: routes.TransferPage, handler: h.List, roles: withTransfers},
		{method: http.MethodGet, path: "/transfers/new", name: routes.TransferNew, handler: h.New, roles: withTransfers},
		{method: http.MethodPost, path: "/transfers/new", name: routes.TransferCreate, handler: h.Create, roles: withTransfers},
		{method: http.MethodGet, path: "/transfers/:id", name: routes.TransferShow, handler: h.Show, roles: withTransfers},
		{method: http.MethodGet, path: "/transfers/:id/edit", name: routes.TransferEdit, handler: h.Edit, roles: withTransfers},
		{method: http.MethodPost, path: "/transfers/:id/edit", name: routes.TransferResubmit, handler: h.Resubmit, roles: withTransfers},
		{method: http.MethodPost, path: "/transfers/:id/delete", name: routes.TransferDelete, handler: h.Delete, roles: withTransfers},
	}
}

const transferRowsPerPage = 20

// List is 证书进京: the applications in the account's scope, newest activity last (those waiting longest first).
func (h *Transfers) List(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	act := actor(c)
	rows, total, err := models.ListApplications(c.Request().Context(), h.DB, act, models.AppFilter{Kind: models.AppTransferIn,
		Limit: transferRowsPerPage, Offset: (page - 1) * transferRowsPerPage})
	if err != nil {
		return err
	}
	l := pages.TransferList{Shell: h.shell(c, "证书进京", routes.TransferPage), NewURL: reverse(c, routes.TransferNew),
		Pager: pager(reverse(c, routes.TransferPage), total, page, transferRowsPerPage, nil)}
	if c.QueryParam("ok") == "deleted" {
		l.Success = "已删除"
	}
	for i := range rows {
		r := &rows[i]
		row := pages.TransferRow{ID: r.ID, BatchNo: r.BatchNo, Name: r.Name, IDNumber: ident.MaskIDNumber(r.IDNumber),
			CertNumber: r.Number(), Post: r.PostName, Status: r.StatusLabel(), DetailURL: reverse(c, routes.ApplicationDetail, r.ID)}
		if r.Status == models.AppReturned {
			row.Reason = r.Reason
			if models.MayEditApplication(act, &r.CertApplication) {
				row.EditURL = reverse(c, routes.TransferEdit, r.ID)
			}
		}
		if models.MayWithdraw(act, &r.CertApplication) {
			row.DeleteURL = reverse(c, routes.TransferDelete, r.ID)
		}
		l.Rows = append(l.Rows, row)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.TransferListPage(l), pages.TransferListPanel(l))
}

// New is 【新建申请表】: the 格式说明 and the empty form (a practitioner's own person part filled in).
func (h *Transfers) New(c echo.Context) error {
	f, err := h.form(c, "新建证书进京申请表", reverse(c, routes.TransferCreate))
	if err != nil {
		return err
	}
	return h.showForm(c, f)
}

const (
	msgNoPlatform      = "未接入全国平台，请按外省证书手工填写。"
	msgPlatformFailed  = "全国平台暂不可用，请按外省证书手工填写。"
	msgPlatformNone    = "全国平台上没有此身份证号已办理转出的证书，请确认原发证地已办理转出，或手工填写。"
	msgPlatformNeedsID = "请先填写正确的身份证号。"
	msgPickOne         = "请在列表中选择一本证书。"
	msgPickGone        = "所选证书已不在全国平台的转出列表中，请重新选择或手工填写。"
)

func (h *Transfers) platformOn() bool { return h.National != nil }

// form is the empty 申请表 for the account.
func (h *Transfers) form(c echo.Context, title, action string) (pages.TransferForm, error) {
	ctx := c.Request().Context()
	cats, err := models.TransferCategories(ctx, h.DB)
	if err != nil {
		return pages.TransferForm{}, err
	}
	f := pages.TransferForm{Shell: h.shell(c, title, routes.TransferPage), Title: title, Action: action,
		BackURL: reverse(c, routes.TransferPage), Person: h.personForm(c, nil), Platform: h.platformOn(),
		Duties: components.Options("请选择", models.TransferDuties), Titles: components.Options("请选择", models.Titles),
		FormState: components.FormState{Errors: map[string]string{}}}
	f.Categories = []components.Option{{Value: "", Label: "请选择"}}
	for _, cat := range cats {
		f.Categories = append(f.Categories, components.Option{Value: strconv.FormatInt(cat.ID, 10), Label: cat.Name + "（" + cat.CertCode + "）"})
	}
	acct := currentAccount(c)
	if acct.Role == models.RolePractitioner && acct.PersonID != nil {
		p, err := models.GetPerson(ctx, h.DB, *acct.PersonID)
		if err != nil {
			return f, err
		}
		f.ForSelf = true
		f.Person.IDNumber, f.Person.Name, f.Person.Gender, f.Person.Phone = p.IDNumber, p.Name, p.Gender, p.Phone
		if p.BirthDate != nil {
			f.Person.BirthDate = day(p.BirthDate)
		}
		f.JobTitle = p.Title
	}
	return f, nil
}

// read fills f from the posted form and returns the model's input. A practitioner's ID number is their own.
func (h *Transfers) read(c echo.Context, f *pages.TransferForm) models.TransferInput {
	v := c.FormValue
	if !f.ForSelf {
		f.Person.IDNumber = v("id_number")
		f.Person.Name = typed(v("name"), v("filled_name"))
		f.Person.Education = typed(v("education"), v("filled_education"))
		if idn, err := ident.ParseIDNumber(f.Person.IDNumber); err == nil {
			f.Person.Gender, f.Person.BirthDate = idn.Gender.String(), day(idn.BirthDate)
		}
	} else {
		f.Person.Name = v("name")
	}
	f.Person.Phone = v("phone")
	f.JobTitle, f.Duty, f.CategoryID, f.CertNumber, f.Authority = v("title"), v("duty"), v("category_id"), v("cert_number"), v("authority")
	f.FirstIssued, f.ValidFrom, f.ValidUntil = v("first_issued_on"), v("valid_from"), v("valid_until")
	f.OrigEmployer, f.EmployerName, f.EmployerCode = v("orig_employer"), v("employer_name"), v("employer_code")
	if v("source") == models.TransferFromPlatform && v("source_license_id") != "" {
		f.Source, f.SourceLicenseID = models.TransferFromPlatform, v("source_license_id")
	}
	cat, _ := strconv.ParseInt(f.CategoryID, 10, 64)
	return models.TransferInput{IDNumber: f.Person.IDNumber, Name: f.Person.Name, Phone: f.Person.Phone, Title: f.JobTitle,
		Duty: f.Duty, CategoryID: cat, CertNumber: f.CertNumber, Authority: f.Authority, FirstIssuedOn: f.FirstIssued,
		ValidFrom: f.ValidFrom, ValidUntil: f.ValidUntil, OrigEmployer: f.OrigEmployer, EmployerName: f.EmployerName,
		EmployerCode: f.EmployerCode, Source: f.Source, SourceLicenseID: f.SourceLicenseID}
}

// Create is 【保存】 of a new 申请表 (and its 核对身份证号 / 从全国平台选择 / 使用所选证书 buttons, which show the form
// again): every check in models.FileTransferIn; success goes to the saved application with 申请成功.
func (h *Transfers) Create(c echo.Context) error {
	f, err := h.form(c, "新建证书进京申请表", reverse(c, routes.TransferCreate))
	if err != nil {
		return err
	}
	in := h.read(c, &f)
	if done, err := h.step(c, &f, &in); done || err != nil {
		return orRender(err, func() error { return h.showForm(c, f) })
	}
	app, _, err := models.FileTransferIn(c.Request().Context(), h.DB, actor(c), in)
	if h.formError(err, &f) {
		return h.showForm(c, f)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, reverse(c, routes.TransferShow, app.ID)+"?ok=saved")
}

// step runs a button that is not 保存 (check=id, national, pick) and says whether the form is shown again. Before a
// save it also takes a platform pick's data from the platform itself, not from the posted values.
func (h *Transfers) step(c echo.Context, f *pages.TransferForm, in *models.TransferInput) (bool, error) {
	switch c.FormValue("check") {
	case "id":
		if f.ForSelf {
			return true, nil
		}
		return true, h.fillPersonLookup(c, &f.Person)
	case "national":
		return true, h.listOutgoing(c, f)
	case "pick":
		return true, h.pick(c, f, c.FormValue("pick"))
	}
	if f.Source == models.TransferFromPlatform {
		if err := h.pick(c, f, f.SourceLicenseID); err != nil || f.Failed() {
			return true, err
		}
		h.applyPick(f, in)
	}
	return false, nil
}

// outgoing asks the platform for the certificates released for the form's ID number; a note says why there are
// none (no platform, it failed, nothing released, the number is wrong). It spends one lookup (allowLookup).
func (h *Transfers) outgoing(c echo.Context, f *pages.TransferForm) ([]national.OutgoingCertificate, error) {
	if !h.platformOn() {
		f.PlatformNote = msgNoPlatform
		return nil, nil
	}
	idn, err := ident.ParseIDNumber(f.Person.IDNumber)
	if err != nil || idn.Converted {
		f.PlatformNote = msgPlatformNeedsID
		return nil, nil
	}
	if err := h.allowLookup(c); err != nil {
		return nil, err
	}
	list, err := h.National.Outgoing(c.Request().Context(), idn.Number)
	if err != nil {
		h.Log.Warn("national platform", "request_id", requestID(c), "error", err)
		f.PlatformNote = msgPlatformFailed
		return nil, nil
	}
	if len(list) == 0 {
		f.PlatformNote = msgPlatformNone
	}
	return list, nil
}

// listOutgoing is 从全国平台选择: the released certificates, to pick one.
func (h *Transfers) listOutgoing(c echo.Context, f *pages.TransferForm) error {
	list, err := h.outgoing(c, f)
	for _, o := range list {
		f.Outgoing = append(f.Outgoing, pages.OutgoingOption{LicenseID: o.LicenseID, Number: o.Number, Category: o.CategoryCode,
			Authority: o.Authority, Valid: day(o.ValidFrom) + " 至 " + day(o.ValidUntil), Employer: o.Employer})
	}
	return err
}

// pick fills the certificate part from the platform's certificate with licenseID (Source=platform); when the
// platform fails the form stays as typed (manual), with the note.
func (h *Transfers) pick(c echo.Context, f *pages.TransferForm, licenseID string) error {
	if licenseID == "" {
		f.Errors["cert_number"] = msgPickOne
		return h.listOutgoing(c, f)
	}
	list, err := h.outgoing(c, f)
	if err != nil || f.PlatformNote == msgPlatformFailed || f.PlatformNote == msgNoPlatform {
		f.Source, f.SourceLicenseID = "", ""
		return err
	}
	o, ok := national.Find(list, licenseID)
	if !ok {
		f.Source, f.SourceLicenseID = "", ""
		f.Errors["cert_number"] = msgPickGone
		return nil
	}
	cat, err := models.TransferCategoryByCode(c.Request().Context(), h.DB, o.CategoryCode)
	switch {
	case errors.Is(err, models.ErrNotFound):
		f.CategoryID = ""
		f.Errors["category_id"] = "本市未开设类别 " + o.CategoryCode + " 的岗位，请选择岗位"
	case err != nil:
		return err
	default:
		f.CategoryID = strconv.FormatInt(cat.ID, 10)
	}
	f.Source, f.SourceLicenseID, f.CertNumber, f.Authority = models.TransferFromPlatform, o.LicenseID, o.Number, o.Authority
	f.FirstIssued, f.ValidFrom, f.ValidUntil, f.OrigEmployer = day(o.IssuedOn), day(o.ValidFrom), day(o.ValidUntil), o.Employer
	return nil
}

// applyPick puts the platform's values (already in f by pick) into the input.
func (h *Transfers) applyPick(f *pages.TransferForm, in *models.TransferInput) {
	in.Source, in.SourceLicenseID, in.CertNumber, in.Authority = f.Source, f.SourceLicenseID, f.CertNumber, f.Authority
	in.FirstIssuedOn, in.ValidFrom, in.ValidUntil, in.OrigEmployer = f.FirstIssued, f.ValidFrom, f.ValidUntil, f.OrigEmployer
	in.CategoryID, _ = strconv.ParseInt(f.CategoryID, 10, 64)
}

// formError puts a rule failure next to its field and says whether there was one.
func (h *Transfers) formError(err error, f *pages.TransferForm) bool {
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	for k, v := range fe {
		f.Errors[k] = v
	}
	f.Error = "申请表有误，请按提示修改"
	return true
}

func (h *Transfers) showForm(c echo.Context, f pages.TransferForm) error {
	if !h.platformOn() && f.PlatformNote == "" { // each showing says why the certificate is typed by hand
		f.PlatformNote = msgNoPlatform
	}
	f.Person.FormState.Errors = mergeErrors(f.Person.FormState.Errors, f.Errors, "name", "phone")
	return h.render(c, http.StatusOK, pages.TransferFormPage(f), pages.TransferFormPanel(f))
}

// mergeErrors copies keys of from into to.
func mergeErrors(to, from map[string]string, keys ...string) map[string]string {
	for _, k := range keys {
		if from[k] != "" {
			if to == nil {
				to = map[string]string{}
			}
			to[k] = from[k]
		}
	}
	return to
}

// Show is the saved application: 申请成功 after 保存, its fields (the ID number masked: the full one is on the
// audited detail page) and state, 【删除】 while it may be withdrawn,
// 【修改】 when returned, 【打印】 and 【返回】. Another's is 404.
func (h *Transfers) Show(c echo.Context) error {
	app, err := h.app(c)
	if err != nil {
		return err
	}
	_, post, err := models.ApplicationCertInfo(c.Request().Context(), h.DB, app)
	if err != nil {
		return err
	}
	act := actor(c)
	v := pages.TransferView{Shell: h.shell(c, "证书进京申请表", routes.TransferPage), Status: app.StatusLabel(),
		BackURL: reverse(c, routes.TransferPage), Fields: transferFields(app, post)}
	if c.QueryParam("ok") == "saved" {
		v.Success = "申请成功"
	}
	if app.ValidUntil != nil && app.Status.Open() && app.ValidUntil.Before(models.Now().AddDate(0, 0, models.TransferWarnDays)) {
		v.Warning = models.TransferWarning
	}
	if app.Status == models.AppReturned || app.Status == models.AppRejected {
		v.Reason = app.Reason
	}
	if models.MayWithdraw(act, app) {
		v.DeleteURL = reverse(c, routes.TransferDelete, app.ID)
	}
	if app.Status == models.AppReturned && models.MayEditApplication(act, app) {
		v.EditURL = reverse(c, routes.TransferEdit, app.ID)
	}
	if app.Status != models.AppWithdrawn {
		v.PrintURL = reverse(c, routes.ApplicationFormPDF, app.ID)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.TransferViewPage(v), nil)
}

// app is the transfer-in application of :id in the account's scope (404 otherwise).
func (h *Transfers) app(c echo.Context) (*models.CertApplication, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	app, err := models.ApplicationFor(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return nil, err
	}
	if app.Kind != models.AppTransferIn {
		return nil, models.ErrNotFound
	}
	return app, nil
}

func transferFields(a *models.CertApplication, post string) []pages.DetailField {
	d := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return day(t)
	}
	source := "手工填写"
	if a.Source == models.TransferFromPlatform {
		source = "全国平台（证照标识 " + a.SourceLicenseID + "）"
	}
	return []pages.DetailField{{Label: "申请批号", Value: a.BatchNo}, {Label: "姓名", Value: a.Name}, {Label: "性别", Value: a.Gender},
		{Label: "身份证号", Value: ident.MaskIDNumber(a.IDNumber)}, {Label: "出生日期", Value: d(a.BirthDate)}, {Label: "技术职称", Value: a.Title},
		{Label: "联系电话", Value: a.Phone}, {Label: "岗位", Value: post}, {Label: "证书编号", Value: a.CertNumber},
		{Label: "发证机关", Value: a.Authority}, {Label: "发证日期", Value: d(a.FirstIssuedOn)},
		{Label: "有效期", Value: d(a.ValidFrom) + " 至 " + d(a.ValidUntil)}, {Label: "原聘用单位", Value: a.OrigEmployer},
		{Label: "现聘用单位", Value: a.EmployerName}, {Label: "统一社会信用代码", Value: a.EmployerCode}, {Label: "职务", Value: a.Duty},
		{Label: "证书来源", Value: source}}
}

// Edit is the 申请表 of an application returned for changes (退回修改), filled with what was saved.
func (h *Transfers) Edit(c echo.Context) error {
	app, err := h.editable(c)
	if err != nil {
		return err
	}
	f, err := h.form(c, "修改证书进京申请表", reverse(c, routes.TransferResubmit, app.ID))
	if err != nil {
		return err
	}
	fillTransferForm(&f, app)
	return h.render(c, http.StatusOK, pages.TransferFormPage(f), pages.TransferFormPanel(f))
}

// editable is the application of :id when the account may correct it (returned, and theirs); 404 otherwise.
func (h *Transfers) editable(c echo.Context) (*models.CertApplication, error) {
	app, err := h.app(c)
	if err != nil {
		return nil, err
	}
	if app.Status != models.AppReturned || !models.MayEditApplication(actor(c), app) {
		return nil, models.ErrNotFound
	}
	return app, nil
}

func fillTransferForm(f *pages.TransferForm, a *models.CertApplication) {
	f.ReturnReason = a.Reason
	f.Person.IDNumber, f.Person.Name, f.Person.Gender, f.Person.Phone = a.IDNumber, a.Name, a.Gender, a.Phone
	if a.BirthDate != nil {
		f.Person.BirthDate = day(a.BirthDate)
	}
	f.JobTitle, f.Duty, f.CertNumber, f.Authority, f.OrigEmployer = a.Title, a.Duty, a.CertNumber, a.Authority, a.OrigEmployer
	f.EmployerName, f.EmployerCode, f.Source, f.SourceLicenseID = a.EmployerName, a.EmployerCode, a.Source, a.SourceLicenseID
	if a.CategoryID != nil {
		f.CategoryID = strconv.FormatInt(*a.CategoryID, 10)
	}
	for dst, t := range map[*string]*time.Time{&f.FirstIssued: a.FirstIssuedOn, &f.ValidFrom: a.ValidFrom, &f.ValidUntil: a.ValidUntil} {
		if t != nil {
			*dst = day(t)
		}
	}
}

// Resubmit is 【保存】 of a corrected application: checked as a new one and submitted again (models.ResubmitTransferIn).
func (h *Transfers) Resubmit(c echo.Context) error {
	app, err := h.editable(c)
	if err != nil {
		return err
	}
	f, err := h.form(c, "修改证书进京申请表", reverse(c, routes.TransferResubmit, app.ID))
	if err != nil {
		return err
	}
	f.ReturnReason = app.Reason
	in := h.read(c, &f)
	if done, err := h.step(c, &f, &in); done || err != nil {
		return orRender(err, func() error { return h.showForm(c, f) })
	}
	_, _, err = models.ResubmitTransferIn(c.Request().Context(), h.DB, actor(c), app.ID, in)
	if h.formError(err, &f) {
		return h.showForm(c, f)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, reverse(c, routes.TransferShow, app.ID)+"?ok=saved")
}

// Delete is 【删除】: asked first (the page with 确认删除 without JavaScript, hx-confirm with it), then the application
// is withdrawn (models.WithdrawApplication) and the list is shown.
func (h *Transfers) Delete(c echo.Context) error {
	app, err := h.app(c)
	if err != nil {
		return err
	}
	if !models.MayWithdraw(actor(c), app) {
		return models.ErrNotFound
	}
	ok, err := h.confirmed(c, routes.TransferPage, "确定删除这份证书进京申请（"+app.Name+"，证书编号 "+app.CertNumber+"）？删除后不能恢复。",
		"确认删除", reverse(c, routes.TransferShow, app.ID), nil)
	if !ok || err != nil {
		return err
	}
	if err := models.WithdrawApplication(c.Request().Context(), h.DB, actor(c), app.ID); err != nil {
		return err
	}
	return h.redirect(c, reverse(c, routes.TransferPage)+"?ok=deleted")
}
