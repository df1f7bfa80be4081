package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
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

// personID is the person a URL names (a malformed id is 404).
func personID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// person loads one of the organization's people; anyone else's id is 404.
func (h *People) person(c echo.Context) (*models.Person, error) {
	id, err := personID(c)
	if err != nil {
		return nil, err
	}
	return models.PersonInScope(c.Request().Context(), h.DB, currentAccount(c), id)
}

// personToEdit loads one of the organization's people whose master data it may change (models.PersonToEdit);
// anyone else, also someone it sees but whose data is kept by the person, is 404.
func (h *People) personToEdit(c echo.Context) (*models.Person, error) {
	id, err := personID(c)
	if err != nil {
		return nil, err
	}
	return models.PersonToEdit(c.Request().Context(), h.DB, actor(c), id)
}

// List shows the people, searchable by name or ID number, a page at a time.
func (h *People) List(c echo.Context) error {
	org, err := h.org(c)
	if err != nil {
		return err
	}
	lq, err := readList(c, peoplePerPage)
	if err != nil {
		return err
	}
	ps, total, err := models.ListPeople(c.Request().Context(), h.DB, org, models.PeopleFilter{Query: lq.Q, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	l := pages.PeopleList{
		Shell: h.shell(c, h.heading, h.names.Page), Heading: h.heading, Query: lq.Q,
		ListURL: h.url(c, h.names.Page), AddURL: h.url(c, h.names.New),
		Pager: lq.pagerOf(h.url(c, h.names.Page), total), Success: peopleNotices[c.QueryParam("ok")],
	}
	editable, err := models.EditablePeople(c.Request().Context(), h.DB, actor(c), ps)
	if err != nil {
		return err
	}
	for i := range ps {
		l.Rows = append(l.Rows, h.row(c, &ps[i], editable[ps[i].ID]))
	}
	if err := h.joinRequests(c, &l); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.PeoplePage(l), pages.PeopleResults(l))
}

// joinRequests fills the list's 人员调入申请: those the organization sent, and for an enterprise those for its staff.
func (h *People) joinRequests(c echo.Context, l *pages.PeopleList) error {
	ctx := c.Request().Context()
	sent, err := models.JoinRequestsSent(ctx, h.DB, actor(c))
	if err != nil {
		return err
	}
	l.Sent = joinRows(c, sent, false)
	if !actor(c).Is(models.RoleEnterprise) {
		return nil
	}
	todo, err := models.JoinRequestsToDecide(ctx, h.DB, actor(c))
	l.ToDecide = joinRows(c, todo, true)
	return err
}

var peopleNotices = map[string]string{
	"requested": "此人已在其他单位登记或有本人账号，已发出人员调入申请；本人或其工作单位同意后，此人将加入本单位人员名单",
	"accepted":  "已同意调入申请",
	"declined":  "已拒绝调入申请",
	"withdrawn": "已撤回调入申请",
	"stale":     "该申请已被处理或撤回",
	"added":     "人员已添加",
	"saved":     "修改保存成功",
	"removed":   "已移出名单，人员信息仍保留在系统中",
}

// whatPerson names a person's record in the banner of a stale save (保存失败：该人员信息已被他人修改…).
const whatPerson = "该人员信息"

// row is p's line in the list; editable says whether the organization may change p (models.CanEditPerson).
// The choices of a row's inline edit, the same for every row (read only).
var educationOptions, titleOptions = components.Options("请选择", models.Educations), components.Options("请选择", models.Titles)

func (h *People) row(c echo.Context, p *models.Person, editable bool) pages.PersonRow {
	r := pages.PersonRow{Editable: editable,
		ID: p.ID, Name: p.Name, IDMasked: ident.MaskIDNumber(p.IDNumber), Gender: p.Gender,
		Education: p.Education, JobTitle: p.Title, Phone: p.Phone,
		DetailURL: h.url(c, h.names.Detail, p.ID), EditURL: h.url(c, h.names.Edit, p.ID), RowEditURL: h.url(c, h.names.RowEdit, p.ID),
		RowURL: h.url(c, h.names.Row, p.ID), SaveURL: h.url(c, h.names.Update, p.ID), RemoveURL: h.url(c, h.names.Remove, p.ID),
		Educations: educationOptions, Titles: titleOptions,
		FormState: components.FormState{Version: p.Version},
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
	editable, err := models.CanEditPerson(c.Request().Context(), h.DB, actor(c), p)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.PersonRowView(h.row(c, p, editable)), nil)
}

// RowEdit is one person's row as an inline form (htmx); without JavaScript, the full edit page.
func (h *People) RowEdit(c echo.Context) error {
	p, err := h.personToEdit(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Edit, p.ID))
	}
	r := h.row(c, p, true)
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
	f := h.form(c, nil)
	in := readPersonInput(c, &f)
	deriveFromID(&f)
	if checked, err := h.runChecks(c, &f); checked || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	if err := h.allowLookup(c); err != nil { // adding by ID number tells what the number is: the lookups' budget
		return err
	}
	_, err := models.AddPerson(c.Request().Context(), h.DB, actor(c), in)
	if errors.Is(err, models.ErrJoinRequested) {
		return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page)+"?ok=requested")
	}
	if show, err := formOutcome(err, &f.FormState, whatPerson, nil); show || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page)+"?ok=added")
}

// EditPage is the full edit form (also what 编辑 opens without JavaScript).
func (h *People) EditPage(c echo.Context) error {
	p, err := h.personToEdit(c)
	if err != nil {
		return err
	}
	return h.renderForm(c, h.form(c, p))
}

// Update saves a person from the full form, or from the inline row (inline=1, updateRow). A stale version is
// refused with a conflict message and the current values; nothing is lost or overwritten.
func (h *People) Update(c echo.Context) error {
	p, err := h.personToEdit(c)
	if err != nil {
		return err
	}
	if c.FormValue("inline") == "1" {
		return h.updateRow(c, p)
	}
	f := h.form(c, p)
	in := readPersonInput(c, &f)
	f.Version = formVersion(c)
	_, err = models.UpdatePerson(c.Request().Context(), h.DB, actor(c), p.ID, in, f.Version)
	reload := func() error {
		fresh, err := h.personToEdit(c)
		if err == nil {
			f = h.form(c, fresh)
		}
		return err
	}
	if show, err := formOutcome(err, &f.FormState, whatPerson, reload); show || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page)+"?ok=saved")
}

// updateRow saves the inline row's four fields of p. With htmx the row comes back: as text with 修改保存成功, or
// still a form with its errors, or after a conflict with the stored values and the conflict message. Without
// JavaScript, a success returns to the list and a failure shows the full edit form.
func (h *People) updateRow(c echo.Context, p *models.Person) error {
	r := h.row(c, p, true)
	r.Editing, r.Version = true, formVersion(c)
	r.Name, r.Education, r.JobTitle, r.Phone = c.FormValue("name"), c.FormValue("education"), c.FormValue("title"), c.FormValue("phone")
	in := models.PersonInput{Name: r.Name, Education: r.Education, Title: r.JobTitle, Phone: r.Phone}
	saved, err := models.UpdatePersonRow(c.Request().Context(), h.DB, actor(c), p.ID, in, r.Version)
	reload := func() error {
		fresh, err := h.personToEdit(c)
		if err == nil {
			p, r = fresh, h.row(c, fresh, true)
			r.Editing = true
		}
		return err
	}
	if show, err := formOutcome(err, &r.FormState, whatPerson, reload); show || err != nil {
		return orRender(err, func() error { return h.renderRowForm(c, p, r) })
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Page)+"?ok=saved")
	}
	r = h.row(c, saved, true)
	r.Message = "修改保存成功"
	return h.render(c, http.StatusOK, pages.PersonRowView(r), nil)
}

// renderRowForm shows an inline row that could not be saved: the row itself for htmx, else the full edit form of
// stored with the row's values and banner.
func (h *People) renderRowForm(c echo.Context, stored *models.Person, r pages.PersonRow) error {
	if isHTMX(c) {
		return h.render(c, http.StatusOK, pages.PersonRowView(r), nil)
	}
	f := h.form(c, stored)
	f.Name, f.Education, f.JobTitle, f.Phone = r.Name, r.Education, r.JobTitle, r.Phone
	f.FormState = r.FormState
	return h.renderForm(c, f)
}

// Remove takes the person off the list (they stay in the system).
func (h *People) Remove(c echo.Context) error {
	id, err := personID(c)
	if err != nil {
		return err
	}
	inScope := func() error { _, err := h.person(c); return err }
	if ok, err := h.confirmed(c, h.names.Page, "确定将此人从名单中移出？（人员信息仍保留在系统中）", "移出", "", inScope); !ok {
		return err
	}
	p, err := models.RemovePerson(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return err
	}
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
	d, err := h.detailPage(c, p, c.QueryParam("photo"))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.PersonDetailPage(d), nil)
}

// historyShown is how many changes of a person's master data 详细 shows.
const historyShown = 20

// detailPage is 详细 for p with its 信息变更记录; its edit link and photo panel (the photo on record and the notice
// named by notice) only when the organization may change p.
func (h *People) detailPage(c echo.Context, p *models.Person, notice string) (pages.PersonDetail, error) {
	ctx := c.Request().Context()
	d := pages.PersonDetail{
		Shell: h.shell(c, "人员详细信息", h.names.Page), Fields: personFields(p), BackURL: h.url(c, h.names.Page),
	}
	editable, err := models.CanEditPerson(ctx, h.DB, actor(c), p)
	if err != nil {
		return d, err
	}
	if editable {
		d.EditURL = h.url(c, h.names.Edit, p.ID)
		d.Photo = h.photoPanel(h.url(c, h.names.PhotoUpload, p.ID), notice)
		if p.PhotoKey != "" {
			d.Photo.ImageURL = h.url(c, h.names.Photo, p.ID) + "?v=" + strconv.Itoa(p.Version)
		}
	}
	changes, err := models.PersonHistory(ctx, h.DB, p.ID, historyShown)
	for _, ch := range changes {
		d.History = append(d.History, pages.PersonChangeRow{When: ch.ChangedAt.In(models.Beijing).Format("2006-01-02 15:04"),
			Who: ch.Username, Field: models.PersonFieldLabels[ch.Field], Old: ch.OldValue, New: ch.NewValue})
	}
	return d, err
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
