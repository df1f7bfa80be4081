package handlers

import (
	"errors"
	"examcert/handlers/routes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// People is an organization's list of people: 企业人员信息 for an enterprise (its staff), 人员信息 for a training
// institution (the people it registered or trains). One handler serves both under their own route names (names).
type People struct {
	*App
	names   routes.People // routes.Staff or routes.Trainees
	heading string
}

const peoplePerPage = 20

func (h *People) url(c echo.Context, name routes.Name, id ...int64) string {
	if len(id) > 0 {
		return reverse(c, name, strconv.FormatInt(id[0], 10))
	}
	return reverse(c, name)
}

func (h *People) org(c echo.Context) (*models.Organization, error) {
	return models.OrganizationOf(c.Request().Context(), h.DB, currentAccount(c))
}

// person loads one of the organization's people; anyone else's id is 404.
func (h *People) person(c echo.Context) (*models.Person, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.PersonInScope(c.Request().Context(), h.DB, currentAccount(c), id)
}

// List shows the people, searchable by name or ID number, a page at a time.
func (h *People) List(c echo.Context) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	q := c.QueryParam("q")
	ps, total, err := models.ListPeople(c.Request().Context(), h.DB, org, models.PeopleFilter{Query: q, Offset: (page - 1) * peoplePerPage, Limit: peoplePerPage})
	if err != nil {
		return err
	}
	l := pages.PeopleList{
		Shell: h.shell(c, h.heading, h.names.Page), Heading: h.heading, Query: q,
		ListURL: h.url(c, h.names.Page), AddURL: h.url(c, h.names.New),
		Pager:   pager(h.url(c, h.names.Page), total, page, peoplePerPage, url.Values{"q": {q}}),
		Success: peopleNotices[c.QueryParam("ok")],
	}
	for i := range ps {
		l.Rows = append(l.Rows, h.row(c, &ps[i]))
	}
	return h.render(c, http.StatusOK, pages.PeoplePage(l), pages.PeopleResults(l))
}

var peopleNotices = map[string]string{
	"added":   "人员已添加",
	"saved":   "修改保存成功",
	"removed": "已移出名单，人员信息仍保留在系统中",
}

func (h *People) row(c echo.Context, p *models.Person) pages.PersonRow {
	r := pages.PersonRow{
		ID: p.ID, Version: p.Version, Name: p.Name, IDMasked: ident.MaskIDNumber(p.IDNumber), Gender: p.Gender,
		Education: p.Education, JobTitle: p.Title, Phone: p.Phone,
		DetailURL: h.url(c, h.names.Detail, p.ID), EditURL: h.url(c, h.names.Edit, p.ID), RowEditURL: h.url(c, h.names.RowEdit, p.ID),
		RowURL: h.url(c, h.names.Row, p.ID), SaveURL: h.url(c, h.names.Update, p.ID), RemoveURL: h.url(c, h.names.Remove, p.ID),
		Educations: components.Options("请选择", models.Educations), Titles: components.Options("请选择", models.Titles),
		Errors: map[string]string{},
	}
	if p.BirthDate != nil {
		r.BirthDate = day(p.BirthDate)
	}
	return r
}

// Row is one person's row as text (htmx 取消); without JavaScript, the list.
func (h *People) Row(c echo.Context) error {
	p, err := h.person(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page))
	}
	return h.render(c, http.StatusOK, pages.PersonRowView(h.row(c, p)), nil)
}

// RowEdit is one person's row as an inline form (htmx); without JavaScript, the full edit page.
func (h *People) RowEdit(c echo.Context) error {
	p, err := h.person(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Edit, p.ID))
	}
	r := h.row(c, p)
	r.Editing = true
	return h.render(c, http.StatusOK, pages.PersonRowView(r), nil)
}

func (h *People) form(c echo.Context, p *models.Person) pages.PersonForm {
	f := h.personForm(c, p)
	f.BackURL = h.url(c, h.names.Page)
	if p == nil {
		f.Title, f.Action, f.SubmitLabel = "新增人员", h.url(c, h.names.Create), "保存"
	} else {
		f.Title, f.Action = "编辑人员信息", h.url(c, h.names.Update, p.ID)
	}
	return f
}

func (h *People) renderForm(c echo.Context, f pages.PersonForm) error {
	return h.render(c, http.StatusOK, pages.PersonFormPage(h.shell(c, f.Title, h.names.Page), f), pages.PersonFormPanel(f))
}

// NewPage is the 新增人员 form: typing the ID number fills what the system knows.
func (h *People) NewPage(c echo.Context) error {
	return h.renderForm(c, h.form(c, nil))
}

// Create adds a person to the list (a new person, or a known one named correctly).
func (h *People) Create(c echo.Context) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	f := h.form(c, nil)
	in := readPersonInput(c, &f)
	deriveFromID(&f)
	if checked, err := h.runChecks(c, &f); checked || err != nil {
		if err != nil {
			return err
		}
		return h.renderForm(c, f)
	}
	p, err := models.AddPerson(c.Request().Context(), h.DB, org, in)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		f.Errors, f.Error = fe, "请按提示修改后重新保存"
		return h.renderForm(c, f)
	}
	if err != nil {
		return err
	}
	h.audit(c, models.EventPersonAdded, "person:"+ident.MaskIDNumber(p.IDNumber), "ok", "")
	return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page)+"?ok=added")
}

// EditPage is the full edit form (also what 编辑 opens without JavaScript).
func (h *People) EditPage(c echo.Context) error {
	p, err := h.person(c)
	if err != nil {
		return err
	}
	return h.renderForm(c, h.form(c, p))
}

// Update saves a person, from the inline row (inline=1: only the row's fields) or from the full form. A stale
// version is refused with a conflict message and the current values; nothing is lost or overwritten.
func (h *People) Update(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := h.person(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	inline := c.FormValue("inline") == "1"
	f := h.form(c, p)
	var in models.PersonInput
	if inline {
		// The row edits four fields; the rest stay as stored.
		f.Name, f.Education, f.JobTitle, f.Phone = c.FormValue("name"), c.FormValue("education"), c.FormValue("title"), c.FormValue("phone")
		in = models.PersonInput{IDNumber: p.IDNumber, Name: f.Name, Education: f.Education, Major: p.Major, Title: f.JobTitle,
			Phone: f.Phone, Address: p.Address, WorkStartDate: f.WorkStart, EmployerName: p.EmployerName, EmployerCode: p.EmployerCode}
	} else {
		in = readPersonInput(c, &f)
	}
	in, idn, fe := in.Validate(false)
	if fe == nil {
		err = models.UpdatePerson(ctx, h.DB, p, in, idn, version)
	}
	conflict := errors.Is(err, models.ErrConflict)
	if err != nil && !conflict {
		return err
	}
	if fe != nil || conflict {
		msg := "请按提示修改后重新保存"
		if conflict {
			msg = "保存失败：该人员信息已被他人修改。下面是最新的信息，请核对后重新修改并保存。"
			fresh, err := h.person(c)
			if err != nil {
				return err
			}
			f = h.form(c, fresh) // show what is stored now; the user's input is not silently applied
			p = fresh
		}
		if inline {
			r := h.row(c, p)
			r.Editing, r.Errors = true, fe
			if !conflict {
				r.Name, r.Education, r.JobTitle, r.Phone = f.Name, f.Education, f.JobTitle, f.Phone
				r.Version = version
			} else {
				r.Conflict = msg
			}
			if r.Errors == nil {
				r.Errors = map[string]string{}
			}
			if !isHTMX(c) {
				return h.renderForm(c, withErrors(f, fe, msg))
			}
			return h.render(c, http.StatusOK, pages.PersonRowView(r), nil)
		}
		return h.renderForm(c, withErrors(f, fe, msg))
	}
	h.audit(c, models.EventPersonUpdated, "person:"+ident.MaskIDNumber(p.IDNumber), "ok", "")
	if inline && isHTMX(c) {
		r := h.row(c, p)
		r.Message = "修改保存成功"
		return h.render(c, http.StatusOK, pages.PersonRowView(r), nil)
	}
	return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page)+"?ok=saved")
}

func withErrors(f pages.PersonForm, fe models.FieldErrors, msg string) pages.PersonForm {
	if fe != nil {
		f.Errors = fe
	}
	f.Error = msg
	return f
}

// Remove takes the person off the list (they stay in the system).
func (h *People) Remove(c echo.Context) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	p, err := h.person(c)
	if err != nil {
		return err
	}
	if err := models.RemovePerson(c.Request().Context(), h.DB, org, p.ID); err != nil {
		return err
	}
	h.audit(c, models.EventPersonRemoved, "person:"+ident.MaskIDNumber(p.IDNumber), "ok", "")
	if isHTMX(c) {
		return h.render(c, http.StatusOK, pages.PersonRemoved(p.Name), nil)
	}
	return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page)+"?ok=removed")
}

// Detail shows everything about the person, with the full ID number; each view is audited.
func (h *People) Detail(c echo.Context) error {
	p, err := h.person(c)
	if err != nil {
		return err
	}
	h.audit(c, models.EventPersonViewed, "person:"+ident.MaskIDNumber(p.IDNumber), "ok", "")
	return h.render(c, http.StatusOK, pages.PersonDetailPage(h.detailPage(c, p, c.QueryParam("photo"))), nil)
}

// detailPage is 详细 for p, its photo panel showing the photo on record and the notice named by notice.
func (h *People) detailPage(c echo.Context, p *models.Person, notice string) pages.PersonDetail {
	d := pages.PersonDetail{
		Shell: h.shell(c, "人员详细信息", h.names.Page), Fields: personFields(p),
		EditURL: h.url(c, h.names.Edit, p.ID), BackURL: h.url(c, h.names.Page),
		Photo: h.photoPanel(h.url(c, h.names.PhotoUpload, p.ID), notice),
	}
	if p.PhotoKey != "" {
		d.Photo.ImageURL = h.url(c, h.names.Photo, p.ID) + "?v=" + strconv.Itoa(p.Version)
	}
	return d
}

// personFields lists a person's details for 详细.
func personFields(p *models.Person) []pages.Pair {
	opt := func(t interface{ Format(string) string }, ok bool) string {
		if !ok {
			return ""
		}
		return day(t)
	}
	return []pages.Pair{
		{Label: "姓名", Value: p.Name},
		{Label: "身份证号", Value: p.IDNumber},
		{Label: "性别", Value: p.Gender},
		{Label: "出生日期", Value: opt(p.BirthDate, p.BirthDate != nil)},
		{Label: "学历", Value: p.Education},
		{Label: "专业", Value: p.Major},
		{Label: "职称", Value: p.Title},
		{Label: "手机号码", Value: p.Phone},
		{Label: "参加工作时间", Value: opt(p.WorkStartDate, p.WorkStartDate != nil)},
		{Label: "工作单位", Value: p.EmployerName},
		{Label: "通讯地址", Value: p.Address},
	}
}
