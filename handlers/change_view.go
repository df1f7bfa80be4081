package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/photo"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// appView is the 申请表 of a stored change application: editable (Action set) when it was returned and the actor
// filed it; in, when not nil, is what was typed into it.
func (h *Changes) appView(c echo.Context, app *models.CertApplication, in *models.ChangeInput, st components.FormState) (pages.ChangeForm, error) {
	number, post, err := models.ApplicationCertInfo(c.Request().Context(), h.DB, app)
	if err != nil {
		return pages.ChangeForm{}, err
	}
	p := h.changeView(c, app, number, post, in, st)
	p.BatchNo, p.Status = app.BatchNo, app.StatusLabel()
	if app.Status == models.AppReturned {
		p.Returned = app.Reason
		if models.MayEditApplication(actor(c), app) && app.ChangeType != models.ChangeRename {
			p.Action = reverse(c, routes.ChangeResubmit, app.ID)
		}
	}
	p.PDFURL, p.DOCXURL = reverse(c, routes.ApplicationFormPDF, app.ID), reverse(c, routes.ApplicationFormDOCX, app.ID)
	return p, nil
}

// changeView is the 证书变更申请表 of app (its 变更前 values, and its 变更后 ones unless in holds what was typed).
func (h *Changes) changeView(c echo.Context, app *models.CertApplication, number, post string, in *models.ChangeInput, st components.FormState) pages.ChangeForm {
	after := models.ChangeInput{ChangeType: app.ChangeType, Name: app.Name, Gender: app.Gender, BirthDate: dateText(app.BirthDate),
		IDNumber: app.IDNumber, EmployerName: app.EmployerName, EmployerCode: app.EmployerCode, Phone: app.Phone, Duty: app.Duty,
		Title: app.Title, ContractType: app.ContractType, ContractFrom: dateText(app.ContractFrom),
		ContractTo: dateText(app.ContractTo), Note: app.Note}
	if in != nil {
		after = *in
	}
	p := pages.ChangeForm{Shell: h.shell(c, "证书变更申请表", routes.ChangePage), State: st, Number: number, Post: post,
		Type: after.ChangeType, Phone: after.Phone, Duty: after.Duty, Title: after.Title, Note: after.Note,
		ContractType: after.ContractType, ContractFrom: after.ContractFrom, ContractTo: after.ContractTo,
		ContractTypes: components.Options("（请选择）", models.ContractTypes), PledgeSelf: pledgeApplicant,
		PledgeUnit: pledgeEmployer, BackURL: reverse(c, routes.ChangePage), BatchNo: "（保存后生成）", Status: "填报中"}
	for _, t := range models.ChangeTypes {
		p.Types = append(p.Types, components.Option{Value: t, Label: models.ChangeTypeLabel(t)})
	}
	if app.ChangeType == models.ChangeRename {
		p.Types = append(p.Types, components.Option{Value: models.ChangeRename, Label: models.ChangeTypeLabel(models.ChangeRename)})
	}
	p.Rows = []pages.ChangeRow{
		{Label: "姓名", Name: "name", Input: "text", Before: app.BeforeName, After: after.Name},
		{Label: "性别", Name: "gender", Input: "gender", Before: app.BeforeGender, After: after.Gender},
		{Label: "出生日期", Name: "birth_date", Input: "date", Before: dateText(app.BeforeBirthDate), After: after.BirthDate},
		{Label: "证件号码", Name: "id_number", Input: "text", Before: app.BeforeIDNumber, After: after.IDNumber},
		{Label: "单位名称", Name: "employer_name", Input: "text", Before: app.BeforeEmployer, After: after.EmployerName},
		{Label: "单位代码", Name: "employer_code", Input: "text", Before: app.BeforeEmpCode, After: after.EmployerCode},
	}
	for i := range p.Rows {
		r := &p.Rows[i]
		r.Changed, r.Error = r.Before != r.After, st.Err(r.Name)
	}
	p.TypeLabel = models.ChangeTypeLabel(after.ChangeType)
	h.photoRow(c, &p, app, after, st)
	return p
}

// photoRow is the 照片 row of 变更前 | 变更后: the certificate's photo (a stored application's 变更前 photo), and
// the new one — uploaded with the form shown again (kept for this account, photo_token), or the application's.
func (h *Changes) photoRow(c echo.Context, p *pages.ChangeForm, app *models.CertApplication, after models.ChangeInput, st components.FormState) {
	p.PhotoError, p.PhotoHint = st.Err("photo"), photoSpecText(photo.Standard)
	stored := app.ID != 0
	if app.BeforePhotoKey != "" {
		if stored {
			p.PhotoBefore = reverse(c, routes.ApplicationPhoto, app.ID, "before")
		} else if app.CertificateID != nil {
			p.PhotoBefore = reverse(c, routes.CertificatePhoto, *app.CertificateID)
		}
	}
	switch {
	case after.PhotoKey != "" && after.PhotoKey != app.PhotoKey:
		p.PhotoToken, p.PhotoAfter, p.PhotoChanged = after.PhotoKey, reverse(c, routes.RegistrationKeptPhoto, after.PhotoKey), true
	case stored && after.DropPhoto:
	case stored && app.PhotoKey != "" && app.PhotoKey != app.BeforePhotoKey:
		p.PhotoAfter, p.PhotoChanged, p.PhotoDroppable = reverse(c, routes.ApplicationPhoto, app.ID, "after"), true, true
	}
}

func dateText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}
