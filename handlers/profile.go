package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/photo"
	"examcert/models"
	"examcert/views/pages"
)

// Profile is 个人信息维护: a practitioner keeps their own record and photo. The ID number is shown, not editable.
type Profile struct{ *App }

func (h *Profile) me(c echo.Context) (*models.Person, error) {
	acct := currentAccount(c)
	if acct.PersonID == nil {
		return nil, models.ErrNotFound
	}
	return models.PersonInScope(c.Request().Context(), h.DB, acct, *acct.PersonID)
}

func (h *Profile) form(c echo.Context, p *models.Person) pages.PersonForm {
	f := h.personForm(c, p)
	f.Title, f.Action, f.RequireAll, f.ShowEmployer = "个人信息维护", reverse(c, routes.ProfileSave), true, true
	f.ShowEmployerMayEdit, f.EmployerMayEdit = true, p.EmployerMayEdit
	if p.OrganizationID != nil && p.EmployerName == "" {
		if o, err := models.GetOrganization(c.Request().Context(), h.DB, *p.OrganizationID); err == nil {
			f.EmployerName, f.EmployerCode = o.Name, o.Code()
		}
	}
	f.Photo = h.photoPanel(reverse(c, routes.ProfilePhotoUpload), c.QueryParam("photo"))
	if p.PhotoKey != "" {
		f.Photo.ImageURL = reverse(c, routes.ProfilePhoto) + "?v=" + strconv.Itoa(p.Version)
	}
	return f
}

func (h *Profile) renderForm(c echo.Context, f pages.PersonForm) error {
	return h.render(c, http.StatusOK, pages.PersonFormPage(h.shell(c, "个人信息维护", routes.ProfilePage), f), pages.PersonFormPanel(f))
}

// Page shows the practitioner's record.
func (h *Profile) Page(c echo.Context) error {
	p, err := h.me(c)
	if err != nil {
		return err
	}
	f := h.form(c, p)
	if c.QueryParam("ok") == "1" {
		f.Success = "修改保存成功"
	}
	return h.renderForm(c, f)
}

// msgProfileConflict is the banner of a stale save of one's own record (it was changed in another tab).
const msgProfileConflict = "保存失败：您的信息已在其他页面被修改。下面是最新的信息，请核对后重新修改并保存。"

// Save stores the record (every red-star field required). 工作单位 given by a registered enterprise's code links
// the person to it; an unknown code is kept as typed (models.UpdateProfile).
func (h *Profile) Save(c echo.Context) error {
	p, err := h.me(c)
	if err != nil {
		return err
	}
	f := h.form(c, p)
	in := readPersonInput(c, &f)
	f.EmployerMayEdit = c.FormValue("employer_may_edit") == "1"
	in.EmployerMayEdit = f.EmployerMayEdit
	if checked, err := h.runChecks(c, &f); checked || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	f.Version = formVersion(c)
	saved, err := models.UpdateProfile(c.Request().Context(), h.DB, actor(c), in, f.Version)
	reload := func() error {
		fresh, err := h.me(c)
		if err == nil {
			f = h.form(c, fresh)
		}
		return err
	}
	if show, err := formOutcome(err, &f.FormState, "您的信息", reload); show || err != nil {
		if f.Conflict {
			f.Error = msgProfileConflict
		}
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	if isHTMX(c) {
		f = h.form(c, saved)
		f.Success = "修改保存成功"
		return h.renderForm(c, f)
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.ProfilePage)+"?ok=1")
}

// Photo serves the practitioner's own photo.
func (h *Profile) Photo(c echo.Context) error {
	p, err := h.me(c)
	if err != nil {
		return err
	}
	return h.servePhoto(c, p)
}

// UploadPhoto replaces the practitioner's photo.
func (h *Profile) UploadPhoto(c echo.Context) error {
	p, err := h.me(c)
	if err != nil {
		return err
	}
	res, err := h.processUpload(c)
	var pe *photo.Error
	if errors.As(err, &pe) {
		f := h.form(c, p)
		f.Photo.Error = pe.Error()
		return h.renderForm(c, f)
	}
	if err != nil {
		return err
	}
	if err := h.storePhoto(c, p.ID, res); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.ProfilePage)+"?photo=ok")
}
