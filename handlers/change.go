package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/photo"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Changes is 申请变更证书 (LIFECYCLE §9) for practitioners, enterprises and training institutions: their
// certificates with 【申请】, 证书变更须知 (accepted before the form), the 证书变更申请表 (变更前 | 变更后, changed cells
// highlighted), 保存 → 证书变更申请成功, 修改 after 退回修改, the enterprise's 企业更名 and the training institution's
// 批量补办. Every rule is models/application_change.go's.
type Changes struct{ *App }

func changeRoutes(a *App) []route {
	h := &Changes{App: a}
	return []route{
		{method: http.MethodGet, path: "/changes", name: routes.ChangePage, handler: h.Home, roles: applicants},
		{method: http.MethodGet, path: "/changes/new/:id", name: routes.ChangeNew, handler: h.New, roles: applicants},
		{method: http.MethodPost, path: "/changes/new/:id", name: routes.ChangeSubmit, handler: h.Submit, roles: applicants, body: photoBody},
		{method: http.MethodGet, path: "/changes/rename", name: routes.ChangeRename, handler: h.Rename, roles: enterprise},
		{method: http.MethodPost, path: "/changes/rename", name: routes.ChangeRenameSubmit, handler: h.RenameSubmit, roles: enterprise},
		{method: http.MethodGet, path: "/changes/batch", name: routes.ChangeBatch, handler: h.Batch, roles: training},
		{method: http.MethodPost, path: "/changes/batch", name: routes.ChangeBatchSubmit, handler: h.BatchSubmit, roles: training},
		{method: http.MethodGet, path: "/changes/:id", name: routes.ChangeEdit, handler: h.Edit, roles: applicants},
		{method: http.MethodPost, path: "/changes/:id", name: routes.ChangeResubmit, handler: h.Resubmit, roles: applicants, body: photoBody},
	}
}

// The 承诺 printed on the screen and on the 申请表.
const (
	pledgeApplicant = "本人承诺：所填写的信息及提交的材料真实、有效，如有虚假，本人愿承担相应的法律责任。"
	pledgeEmployer  = "本单位承诺：申请人为本单位聘用人员，已与本单位签订劳动合同并依法缴纳社会保险，所填信息真实、有效。"
	msgChangeSaved  = "证书变更申请成功"
)

// Home lists the actor's certificates (search by 姓名/证书编号) and change applications.
func (h *Changes) Home(c echo.Context) error {
	lq, err := readList(c, certRowsPerPage, "number", "name")
	if err != nil {
		return err
	}
	ctx, me := c.Request().Context(), actor(c)
	certs, total, err := models.ListCertificates(ctx, h.DB, me, models.CertFilter{Number: lq.Filter.Get("number"),
		Name: lq.Filter.Get("name"), Limit: lq.PerPage, Offset: lq.Offset()})
	if err != nil {
		return err
	}
	rows, err := h.certRows(c, certs)
	if err != nil {
		return err
	}
	apps, _, err := models.ListApplications(ctx, h.DB, me, models.AppFilter{Kind: models.AppChange, Limit: 100})
	if err != nil {
		return err
	}
	base := reverse(c, routes.ChangePage)
	p := pages.ChangeHome{Shell: h.shell(c, "申请变更证书", routes.ChangePage), CertRows: rows, Notice: changeNotice(c.QueryParams()),
		Search: components.Search{Action: base, Target: "change-certs", TestID: "change-search", Fields: []components.Field{
			{Name: "name", Label: "姓名", Value: lq.Filter.Get("name"), MaxLength: 40},
			{Name: "number", Label: "证书编号", Value: lq.Filter.Get("number"), MaxLength: 40}}},
		Certs: components.List{ID: "change-certs", TestID: "change-certs", Count: len(certs), Empty: "没有符合条件的证书。",
			Pager: lq.pager(base, total), Columns: []string{"证书编号", "姓名", "岗位", "单位", "有效期至", "状态", "操作"}}}
	for i := range apps {
		p.Apps = append(p.Apps, changeAppRow(c, &apps[i]))
	}
	switch {
	case me.Is(models.RoleEnterprise):
		p.RenameURL = reverse(c, routes.ChangeRename)
	case me.Is(models.RoleTraining):
		p.BatchURL = reverse(c, routes.ChangeBatch)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.ChangeHomePage(p), pages.ChangeCertTable(p))
}

// certRows are the certificates with 【申请】 where a change may be filed now, or why not.
func (h *Changes) certRows(c echo.Context, certs []models.Certificate) ([]pages.ChangeCertRow, error) {
	ids := make([]int64, len(certs))
	for i := range certs {
		ids[i] = certs[i].ID
	}
	open, err := models.OpenApplications(c.Request().Context(), h.DB, ids)
	if err != nil {
		return nil, err
	}
	now := models.Now()
	rows := make([]pages.ChangeCertRow, len(certs))
	for i := range certs {
		x := &certs[i]
		r := pages.ChangeCertRow{Number: x.Number, Name: x.Name, Post: x.PostName, Employer: x.EmployerName,
			ValidUntil: x.ValidUntilText(), Status: x.Status.Label()}
		switch {
		case x.Status != models.CertValid:
			r.Why = "证书无效"
		case x.IsLocked(now):
			r.Why = "证书已锁定"
		case open[x.ID].ID != 0:
			r.Why = "已有办理中的" + open[x.ID].Kind.Label() + "申请"
		default:
			r.ApplyURL = reverse(c, routes.ChangeNew, x.ID)
		}
		rows[i] = r
	}
	return rows, nil
}

func changeAppRow(c echo.Context, a *models.AppRow) pages.ChangeAppRow {
	r := pages.ChangeAppRow{BatchNo: a.BatchNo, Type: models.ChangeTypeLabel(a.ChangeType), Number: a.Number(), Name: a.Name,
		Status: a.StatusLabel(), Returned: a.Status == models.AppReturned,
		FormURL: reverse(c, routes.ChangeEdit, a.ID), DetailURL: reverse(c, routes.ApplicationDetail, a.ID),
		PDFURL: reverse(c, routes.ApplicationFormPDF, a.ID), DOCXURL: reverse(c, routes.ApplicationFormDOCX, a.ID)}
	if a.Status == models.AppReturned || a.Status == models.AppRejected {
		r.Reason = a.Reason
	}
	if a.SubmittedAt != nil {
		r.Submitted = beijing(*a.SubmittedAt)
	}
	return r
}

// changeNotice is the confirmation after a redirect: ok= the 申请批号, n= how many, skipped= how many left out.
func changeNotice(q url.Values) string {
	batch := q.Get("ok")
	if batch == "" {
		return ""
	}
	msg := msgChangeSaved + "，申请批号 " + batch
	if n, _ := strconv.Atoi(q.Get("n")); n > 1 {
		msg += "，共 " + strconv.Itoa(n) + " 份"
	}
	if k, _ := strconv.Atoi(q.Get("skipped")); k > 0 {
		msg += "；另有 " + strconv.Itoa(k) + " 本证书已锁定或有办理中的申请，未申请"
	}
	return msg
}

// New shows 证书变更须知 until its checkbox is ticked, then the blank 证书变更申请表 of one certificate.
func (h *Changes) New(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cert, err := models.CertificateFor(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return err
	}
	if c.QueryParam("accept") != "1" {
		p := pages.ChangeNotice{Shell: h.shell(c, "证书变更须知", routes.ChangePage), Action: reverse(c, routes.ChangeNew, id), Number: cert.Number}
		if c.QueryParam("seen") == "1" {
			p.Error = "请先阅读并勾选同意申请须知"
		}
		return h.render(c, http.StatusOK, pages.ChangeNoticePage(p), nil)
	}
	draft := models.ChangeDraft(cert)
	p := h.changeView(c, &draft, cert.Number, cert.PostName, nil, components.FormState{})
	p.Action = reverse(c, routes.ChangeSubmit, id)
	return h.render(c, http.StatusOK, pages.ChangeFormPage(p), pages.ChangeFormBody(p))
}

// Submit is 【保存】 of a new 证书变更申请表 (multipart: a 京内变更 may bring a new photo).
func (h *Changes) Submit(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cert, err := models.CertificateFor(ctx, h.DB, actor(c), id)
	if err != nil {
		return err
	}
	in := readChangeInput(c)
	in.CertificateID = id
	ph, err := h.readUploadedPhoto(c, photo.Standard)
	if err != nil {
		return err
	}
	in.PhotoKey = ph.key
	app, err := h.photoProblem(ph)
	if err == nil {
		app, err = models.ApplyForChange(ctx, h.DB, actor(c), in)
	}
	if err != nil {
		st, ferr := h.changeFailed(c, err, &ph, &in)
		if ferr != nil {
			return ferr
		}
		draft := models.ChangeDraft(cert)
		p := h.changeView(c, &draft, cert.Number, cert.PostName, &in, st)
		p.Action = reverse(c, routes.ChangeSubmit, id)
		return h.render(c, http.StatusOK, pages.ChangeFormPage(p), pages.ChangeFormBody(p))
	}
	h.photoFiled(c, ph, app, "")
	return h.saved(c, app)
}

// photoProblem is a photo the pipeline refused, as a field error (the form is shown again before anything is
// filed).
func (h *Changes) photoProblem(ph formPhoto) (*models.CertApplication, error) {
	if ph.problem == "" {
		return nil, nil
	}
	return nil, models.FieldErrors{"photo": ph.problem}
}

// changeFailed maps a refused 保存 to what the form shows. A new photo of a form shown again is kept for this
// account (named by photo_token, so it is not asked for again); on any other error its file is deleted.
func (h *Changes) changeFailed(c echo.Context, err error, ph *formPhoto, in *models.ChangeInput) (components.FormState, error) {
	ctx := c.Request().Context()
	st, ferr := changeFormState(err)
	if ferr != nil || !ph.fresh {
		if ph.fresh {
			_ = h.Blobs.Delete(ctx, ph.key)
		}
		return st, ferr
	}
	if err := h.keepUploadedPhoto(c, ph); err != nil {
		return st, err
	}
	in.PhotoKey = ph.key
	return st, nil
}

// photoFiled tidies up after a saved application: a kept upload is no longer waiting for its form, and a photo
// nothing names any more (a photo sent with another type than 京内变更, or the new photo a resubmission
// replaced) is deleted.
func (h *Changes) photoFiled(c echo.Context, ph formPhoto, app *models.CertApplication, replaced string) {
	ctx := c.Request().Context()
	if ph.key != "" && !ph.fresh {
		if err := models.ForgetPhotoUpload(ctx, h.DB, ph.key); err != nil {
			h.Log.Warn("kept photo not forgotten", "error", err)
		}
	}
	if ph.key != "" && ph.key != app.PhotoKey {
		h.releaseBlob(ctx, ph.key)
	}
	if replaced != "" && replaced != app.PhotoKey {
		h.releaseBlob(ctx, replaced)
	}
}

// saved answers a saved application: htmx gets the read-only form (highlighted) with 证书变更申请成功, a plain
// form the redirect to it.
func (h *Changes) saved(c echo.Context, app *models.CertApplication) error {
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.ChangeEdit, app.ID)+"?ok=1")
	}
	p, err := h.appView(c, app, nil, components.FormState{})
	if err != nil {
		return err
	}
	p.Success = msgChangeSaved
	return h.render(c, http.StatusOK, pages.ChangeFormPage(p), pages.ChangeFormBody(p))
}

// Edit shows a change application's 申请表: editable after 退回修改 (by its filer), read-only otherwise.
func (h *Changes) Edit(c echo.Context) error {
	app, err := h.changeApp(c)
	if err != nil {
		return err
	}
	p, err := h.appView(c, app, nil, components.FormState{})
	if err != nil {
		return err
	}
	if c.QueryParam("ok") == "1" {
		p.Success = msgChangeSaved
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.ChangeFormPage(p), pages.ChangeFormBody(p))
}

// Resubmit saves a corrected application after 退回修改 and submits it again (multipart, like Submit).
func (h *Changes) Resubmit(c echo.Context) error {
	app, err := h.changeApp(c)
	if err != nil {
		return err
	}
	in := readChangeInput(c)
	ph, err := h.readUploadedPhoto(c, photo.Standard)
	if err != nil {
		return err
	}
	in.PhotoKey = ph.key
	saved, err := h.photoProblem(ph)
	if err == nil {
		saved, err = models.ResubmitChange(c.Request().Context(), h.DB, actor(c), app.ID, in)
	}
	if err != nil {
		st, ferr := h.changeFailed(c, err, &ph, &in)
		if ferr != nil {
			return ferr
		}
		p, err := h.appView(c, app, &in, st)
		if err != nil {
			return err
		}
		return h.render(c, http.StatusOK, pages.ChangeFormPage(p), pages.ChangeFormBody(p))
	}
	h.photoFiled(c, ph, saved, app.PhotoKey)
	return h.saved(c, saved)
}

// changeApp reads the change application of :id in the actor's scope (another's, or another kind, is 404).
func (h *Changes) changeApp(c echo.Context) (*models.CertApplication, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, err
	}
	app, err := models.ApplicationFor(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return nil, err
	}
	if app.Kind != models.AppChange {
		return nil, models.ErrNotFound
	}
	return app, nil
}

// changeFormState maps a verb's error to what the form shows: FieldErrors beside the fields, a refused rule in
// the banner; anything else is returned.
func changeFormState(err error) (components.FormState, error) {
	st := components.FormState{}
	var fe models.FieldErrors
	switch {
	case errors.As(err, &fe):
		st.Errors, st.Error = fe, msgFixFields
	case models.ChangeRuleMessage(err) != "":
		st.Error = models.ChangeRuleMessage(err)
	case errors.Is(err, models.ErrNoTransition):
		st.Error = "该申请当前不能修改"
	default:
		return st, err
	}
	return st, nil
}

func readChangeInput(c echo.Context) models.ChangeInput {
	return models.ChangeInput{ChangeType: c.FormValue("change_type"), Name: c.FormValue("name"), Gender: c.FormValue("gender"),
		BirthDate: c.FormValue("birth_date"), IDNumber: c.FormValue("id_number"), EmployerName: c.FormValue("employer_name"),
		EmployerCode: c.FormValue("employer_code"), Phone: c.FormValue("phone"), Duty: c.FormValue("duty"),
		Title: c.FormValue("title"), ContractType: c.FormValue("contract_type"), ContractFrom: c.FormValue("contract_from"),
		ContractTo: c.FormValue("contract_to"), Note: c.FormValue("note"), Accepted: c.FormValue("accept") == "1",
		DropPhoto: c.FormValue("photo_drop") == "1"}
}
