package handlers

import (
	"context"
	"errors"
	"examcert/handlers/routes"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"examcert/internal/blobstore"
	"examcert/internal/ident"
	"examcert/internal/photo"
	"examcert/models"
	"examcert/views/pages"
)

// Registrations is 考试报名: find a plan open for registration and fill in its 报名表 — for oneself
// (practitioner), for one's staff (enterprise) or for the people one trains (training institution).
type Registrations struct{ *App }

const resumeRows = 5

var regNotices = map[string]string{"deleted": "报名信息已删除"}

// Home lists the open plans and the caller's registrations.
func (h *Registrations) Home(c echo.Context) error {
	ctx := c.Request().Context()
	acct := currentAccount(c)
	cid, _ := strconv.ParseInt(c.QueryParam("category"), 10, 64)
	plans, _, err := models.ListPlans(ctx, h.DB, models.PlanFilter{Query: c.QueryParam("q"), CategoryID: cid, Open: true, Limit: 100})
	if err != nil {
		return err
	}
	cats, err := h.categoryOptions(c, "全部", true)
	if err != nil {
		return err
	}
	v := pages.RegistrationHome{Shell: h.shell(c, "考试报名", routes.RegistrationPage), Query: c.QueryParam("q"),
		Category: c.QueryParam("category"), Categories: cats, ListURL: reverse(c, routes.RegistrationPage),
		MineTitle: "我的报名", Success: regNotices[c.QueryParam("ok")]}
	if acct.Role != models.RolePractitioner {
		v.MineTitle = "本单位的报名"
	}
	for i := range plans {
		r := h.planRow(c, &plans[i])
		r.RegisterURL = reverse(c, routes.RegistrationNew) + "?plan=" + strconv.FormatInt(plans[i].ID, 10)
		if acct.Role != models.RolePractitioner {
			r.BatchURL = reverse(c, routes.RegistrationBatch) + "?plan=" + strconv.FormatInt(plans[i].ID, 10)
		}
		v.Plans = append(v.Plans, r)
	}
	regs, _, err := models.ListRegistrations(ctx, h.DB, acct, models.RegFilter{Limit: 50})
	if err != nil {
		return err
	}
	for i := range regs {
		v.Mine = append(v.Mine, h.regRow(c, &regs[i]))
	}
	return h.render(c, http.StatusOK, pages.RegistrationHomePage(v), nil)
}

// regRow describes a registration for a list; 删除 is offered only where the caller may delete it.
func (a *App) regRow(c echo.Context, r *models.Registration) pages.RegRow {
	acct := currentAccount(c)
	id := strconv.FormatInt(r.ID, 10)
	row := pages.RegRow{ID: r.ID, Number: r.Number(), Status: r.Status.Label(), Paid: r.Paid(),
		CreatedAt: r.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"),
		DetailURL: reverse(c, routes.RegistrationDetail, id), PDFURL: reverse(c, routes.RegistrationPDF, id)}
	if r.Plan != nil {
		row.Plan = r.Plan.Name
	}
	if r.Person != nil {
		row.Name, row.IDMasked = r.Person.Name, ident.MaskIDNumber(r.Person.IDNumber)
	}
	mine := acct.Role == models.RolePractitioner || models.SameOrg(r.OrganizationID, acct.OrganizationID)
	if mine && !r.Paid() && r.Status == models.RegSubmitted {
		row.DeleteURL = reverse(c, routes.RegistrationDelete, id)
	}
	return row
}

func (h *Registrations) plan(c echo.Context, raw string) (*models.ExamPlan, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	p, err := models.GetPlan(c.Request().Context(), h.DB, id)
	if err == nil && p.Status == models.PlanDraft {
		return nil, models.ErrNotFound
	}
	return p, err
}

// form prepares the 报名表 for plan, with the signed-in practitioner (me) or the organization acting (org).
func (h *Registrations) form(c echo.Context, plan *models.ExamPlan) (f pages.RegForm, me *models.Person, org *models.Organization, err error) {
	ctx := c.Request().Context()
	acct := currentAccount(c)
	f = pages.RegForm{Title: "报名表", Action: reverse(c, routes.RegistrationSubmit), BackURL: reverse(c, routes.RegistrationPage),
		PlanID: plan.ID, PlanName: plan.Name, Notes: plan.Notes, Errors: map[string]string{},
		PlanInfo:  "（" + plan.CategoryName() + "，" + plan.Level + "，考试时间 " + plan.ExamAt.In(models.Beijing).Format("2006-01-02 15:04") + "）",
		YearsHint: "留空则按参加工作时间计算", Resume: make([]pages.ResumeValues, resumeRows)}
	if plan.MinYearsOfWork > 0 {
		f.YearsHint += "；该考试要求不少于" + strconv.Itoa(plan.MinYearsOfWork) + "年"
	}
	f.Person = h.personForm(c, nil)
	switch acct.Role {
	case models.RolePractitioner:
		if acct.PersonID == nil {
			return f, nil, nil, models.ErrNotFound
		}
		p, err := models.PersonInScope(ctx, h.DB, acct, *acct.PersonID)
		if err != nil {
			return f, nil, nil, err
		}
		me = p
		f.Person = h.personForm(c, p)
		if p.PhotoKey != "" {
			f.HasPhoto, f.PhotoURL = true, reverse(c, routes.ProfilePhoto)+"?v="+strconv.Itoa(p.Version)
		}
	default:
		f.ForOther = true
		if org, err = models.OrganizationOf(ctx, h.DB, acct); err != nil {
			return f, nil, nil, err
		}
	}
	// One error map for the whole form: the person part (姓名 in the autofill, 单位代码) shows the same errors.
	f.Person.Errors = f.Errors
	return f, me, org, nil
}

// NewPage shows the 报名表 for a plan.
func (h *Registrations) NewPage(c echo.Context) error {
	plan, err := h.plan(c, c.QueryParam("plan"))
	if err != nil {
		return err
	}
	f, me, org, err := h.form(c, plan)
	if err != nil {
		return err
	}
	// A blank form starts from what is known: one's own employer and work start, or the enterprise itself.
	switch {
	case me != nil:
		f.EmployerName, f.EmployerCode = me.EmployerName, me.EmployerCode
		if me.OrganizationID != nil {
			if o, err := models.GetOrganization(c.Request().Context(), h.DB, *me.OrganizationID); err == nil {
				f.EmployerName, f.EmployerCode = o.Name, o.Code()
			}
		}
		if me.WorkStartDate != nil {
			f.WorkStart = day(me.WorkStartDate)
		}
	case org.Kind == models.KindEnterprise:
		f.EmployerName, f.EmployerCode = org.Name, org.Code()
	}
	if !plan.AcceptsRegistrations(models.Now()) {
		f.Errors["plan"] = "该考试计划当前不在报名时间内，不能报名"
	}
	return h.renderForm(c, f)
}

func (h *Registrations) renderForm(c echo.Context, f pages.RegForm) error {
	return h.render(c, http.StatusOK, pages.RegFormPage(h.shell(c, "考试报名", routes.RegistrationPage), f), nil)
}

func readRegForm(c echo.Context, f *pages.RegForm) models.RegistrationInput {
	f.EmployerName, f.EmployerCode = c.FormValue("employer_name"), c.FormValue("employer_code")
	f.WorkStart, f.Years, f.Opinion = c.FormValue("work_start_date"), c.FormValue("years_of_work"), c.FormValue("employer_opinion")
	form, _ := c.FormParams()
	periods, employers, posts := form["resume_period"], form["resume_employer"], form["resume_post"]
	in := models.RegistrationInput{WorkStartDate: f.WorkStart, YearsOfWork: f.Years, EmployerName: f.EmployerName,
		EmployerCode: f.EmployerCode, EmployerOpinion: f.Opinion}
	for i := 0; i < resumeRows; i++ {
		at := func(v []string) string {
			if i < len(v) {
				return v[i]
			}
			return ""
		}
		f.Resume[i] = pages.ResumeValues{Period: at(periods), Employer: at(employers), Post: at(posts)}
		in.Resume = append(in.Resume, models.ResumeRow{Period: f.Resume[i].Period, Employer: f.Resume[i].Employer, Post: f.Resume[i].Post})
	}
	return in
}

// Submit checks the 报名表 against every rule and saves it, all or nothing: a person new to the system is created
// in the same transaction as their registration.
func (h *Registrations) Submit(c echo.Context) error {
	ctx := c.Request().Context()
	acct := currentAccount(c)
	plan, err := h.plan(c, c.FormValue("plan"))
	if err != nil {
		return err
	}
	f, me, org, err := h.form(c, plan)
	if err != nil {
		return err
	}
	in := readRegForm(c, &f)
	var pin models.PersonInput
	if f.ForOther {
		f.Person.IDNumber, f.Person.Name = c.FormValue("id_number"), c.FormValue("name")
		f.Person.Education, f.Person.Phone = c.FormValue("education"), c.FormValue("phone")
		deriveFromID(&f.Person)
		pin = models.PersonInput{IDNumber: f.Person.IDNumber, Name: f.Person.Name, Education: f.Person.Education, Phone: f.Person.Phone}
	}
	up, err := h.readFormPhoto(c, plan, &f)
	if err != nil {
		return err
	}
	// showAgain shows the form again (with its errors, if any), keeping a new photo so it is not asked for twice.
	showAgain := func(f pages.RegForm) error {
		if err := h.keepPhoto(c, &f, &up); err != nil {
			return err
		}
		return h.renderForm(c, f)
	}
	switch c.FormValue("check") {
	case "id":
		if err := h.fillPersonLookup(c, &f.Person); err != nil {
			return err
		}
		return showAgain(f)
	case "org":
		f.Person.EmployerCode, f.Person.EmployerName = f.EmployerCode, f.EmployerName
		if err := h.fillOrgLookup(c, &f.Person); err != nil {
			return err
		}
		f.EmployerCode, f.EmployerName = f.Person.EmployerCode, f.Person.EmployerName
		return showAgain(f)
	}

	// The person: oneself, or someone typed by ID number (known, or new).
	person := me
	var existing *models.Registration
	isNew := false
	if f.ForOther {
		if person, existing, isNew, err = h.personFor(ctx, plan, pin, f.Errors); err != nil {
			return err
		}
	} else if existing, err = models.FindRegistration(ctx, h.DB, plan.ID, me.ID); errors.Is(err, models.ErrNotFound) {
		existing = nil
	} else if err != nil {
		return err
	}
	// The photo: the one chosen on this form, or else the person's photo on record, which the registration then
	// shares (no copy is written).
	var regPhoto models.RegPhoto
	size := up.size
	if up.jpeg == nil && up.key == "" && person != nil && person.PhotoKey != "" {
		size, err = h.Blobs.Size(ctx, person.PhotoKey)
		if err != nil && !errors.Is(err, blobstore.ErrNotFound) {
			return err
		}
		regPhoto.PersonsOwn = size > 0
	}
	if person == nil {
		return showAgain(withRegError(f))
	}
	rc, fe := models.CheckRegistration(plan, person, existing, in, size)
	for k, v := range fe {
		if f.Errors[k] == "" {
			f.Errors[k] = v
		}
	}
	if len(f.Errors) > 0 {
		return showAgain(withRegError(f))
	}
	if up.jpeg != nil {
		if up.key, err = h.Blobs.Put(ctx, up.jpeg); err != nil {
			return err
		}
		up.jpeg, up.fresh = nil, true
	}
	regPhoto.Key = up.key
	channel, orgID := models.ChannelSelf, (*int64)(nil)
	if org != nil {
		channel, orgID = models.Channel(org.Kind), &org.ID
	}
	// Someone new, or not yet on the organization's list, is added to it (with AddPerson's rules) in the same
	// transaction as the registration. For anyone else the registration is a single INSERT and needs no
	// transaction (on SQLite one would only add a statement journal and two statements to the write lock).
	mine := org == nil || (org.Kind == models.KindEnterprise && models.SameOrg(person.OrganizationID, &org.ID))
	if !mine && !isNew && org.Kind == models.KindTraining {
		if mine, err = models.IsPersonOf(ctx, h.DB, org, person.ID); err != nil {
			return err
		}
	}
	// The audit row goes with the registration where the database allows (one statement on PostgreSQL).
	ev := auditEvent(c, acct, "", models.AuditEvent{Event: models.EventRegistered, Result: "ok", Detail: plan.Name})
	var reg *models.Registration
	audited := false
	if mine {
		reg, audited, err = models.SaveRegistration(ctx, h.DB, rc, channel, orgID, &acct.ID, regPhoto, "", &ev)
	} else {
		save := func(ctx context.Context, tx bun.Tx) error {
			p, err := models.EnsurePerson(ctx, tx, org, pin)
			if err != nil {
				return err
			}
			rc.Person = p
			reg, audited, err = models.SaveRegistration(ctx, tx, rc, channel, orgID, &acct.ID, regPhoto, "", &ev)
			return err
		}
		// Two 报名表s for the same new person at once: the second finds them on the list when it tries again.
		if err = h.DB.RunInTx(ctx, nil, save); errors.Is(err, models.ErrPersonAddedMeanwhile) {
			err = h.DB.RunInTx(ctx, nil, save)
		}
	}
	if err != nil {
		var pfe models.FieldErrors
		switch {
		case errors.As(err, &pfe):
			for k, v := range pfe {
				f.Errors[k] = v
			}
		case errors.Is(err, models.ErrDuplicate):
			f.Errors["id_number"] = "此人已报名该考试，不能重复报名"
		case errors.Is(err, models.ErrPlanFull):
			f.Errors["plan"] = "该考试名额已满"
		default:
			if up.fresh {
				_ = h.Blobs.Delete(ctx, up.key)
			}
			return err
		}
		return showAgain(withRegError(f))
	}
	if up.key != "" && !up.fresh {
		// A kept photo now belongs to the registration.
		if err := models.ForgetPhotoUpload(ctx, h.DB, up.key); err != nil {
			h.Log.Warn("kept photo record not removed", "error", err)
		}
	}
	if !audited {
		h.audit(c, models.EventRegistered, "registration:"+reg.Number(), "ok", plan.Name)
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.RegistrationDetail, strconv.FormatInt(reg.ID, 10))+"?ok=1")
}

// formPhoto is the photo a 报名表 brought: a new file, processed but not yet stored (jpeg), or a stored one (key):
// kept from an earlier showing of the form, or stored by this request (fresh).
type formPhoto struct {
	jpeg  []byte
	key   string
	fresh bool
	size  int
}

// readFormPhoto takes the photo of a submitted 报名表: a new file through the pipeline with the plan's size range,
// or else the kept upload named by photo_token, if it is the account's own. Problems go beside the field.
func (h *Registrations) readFormPhoto(c echo.Context, plan *models.ExamPlan, f *pages.RegForm) (formPhoto, error) {
	ctx := c.Request().Context()
	if fh, err := c.FormFile("photo"); err == nil {
		crop, err := readCrop(c)
		if err != nil {
			f.Errors["photo"] = err.Error()
			return formPhoto{}, nil
		}
		res, err := processFileSpec(fh, crop, planSpec(plan))
		var pe *photo.Error
		switch {
		case errors.As(err, &pe):
			f.Errors["photo"] = pe.Error()
			return formPhoto{}, nil
		case err != nil:
			return formPhoto{}, err
		}
		return formPhoto{jpeg: res.JPEG, size: len(res.JPEG)}, nil
	}
	key := c.FormValue("photo_token")
	if key == "" {
		return formPhoto{}, nil
	}
	mine, err := models.PhotoUploadOf(ctx, h.DB, currentAccount(c).ID, key)
	if err != nil || !mine {
		return formPhoto{}, err // someone else's, expired or made up: as if no photo was chosen
	}
	size, err := h.Blobs.Size(ctx, key)
	if errors.Is(err, blobstore.ErrNotFound) {
		return formPhoto{}, nil
	}
	if err != nil {
		return formPhoto{}, err
	}
	f.PhotoToken, f.PhotoURL = key, reverse(c, routes.RegistrationKeptPhoto, key)
	return formPhoto{key: key, size: size}, nil
}

// keepPhoto stores a new photo for a form shown again, for this account only, and names it in the form.
func (h *Registrations) keepPhoto(c echo.Context, f *pages.RegForm, p *formPhoto) error {
	ctx := c.Request().Context()
	if p.jpeg != nil {
		key, err := h.Blobs.Put(ctx, p.jpeg)
		if err != nil {
			return err
		}
		p.jpeg, p.key, p.fresh = nil, key, true
	}
	if !p.fresh {
		return nil // nothing new; a kept photo is already in the form
	}
	if err := models.KeepPhotoUpload(ctx, h.DB, currentAccount(c).ID, p.key); err != nil {
		_ = h.Blobs.Delete(ctx, p.key)
		return err
	}
	p.fresh = false
	f.PhotoToken, f.PhotoURL = p.key, reverse(c, routes.RegistrationKeptPhoto, p.key)
	return nil
}

// KeptPhoto shows a photo kept for a form, to the account that uploaded it only.
func (h *Registrations) KeptPhoto(c echo.Context) error {
	mine, err := models.PhotoUploadOf(c.Request().Context(), h.DB, currentAccount(c).ID, c.Param("key"))
	if err != nil {
		return err
	}
	if !mine {
		return models.ErrNotFound
	}
	return h.servePhoto(c, &models.Person{PhotoKey: c.Param("key")})
}

// SweepPhotoUploads forgets kept photos whose form never came back and deletes their files.
func (a *App) SweepPhotoUploads(ctx context.Context) error {
	keys, err := models.ExpirePhotoUploads(ctx, a.DB, models.Now())
	for _, k := range keys {
		a.releaseBlob(ctx, k)
	}
	return err
}

func withRegError(f pages.RegForm) pages.RegForm {
	f.Error = "报名未成功，请按提示修改后重新保存"
	return f
}

// personFor finds the person an organization is registering, or prepares a new one (not yet saved). Problems go
// into errs; a nil person means the form must be shown again.
// The person's registration for the plan, if any, comes with them (existing).
func (h *Registrations) personFor(ctx context.Context, plan *models.ExamPlan, in models.PersonInput, errs map[string]string) (p *models.Person, existing *models.Registration, isNew bool, err error) {
	in, idn, fe := in.Validate(false)
	if in.Education == "" {
		fe = addErr(fe, "education", "请选择学历")
	}
	if fe != nil && fe["id_number"] != "" {
		for k, v := range fe {
			errs[k] = v
		}
		return nil, nil, false, nil
	}
	p, existing, err = models.FindRegistrant(ctx, h.DB, idn.Number, plan.ID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		for k, v := range fe {
			errs[k] = v
		}
		if fe != nil {
			return nil, nil, false, nil
		}
		b := idn.BirthDate
		return &models.Person{IDNumber: idn.Number, Name: in.Name, Gender: idn.Gender.String(), BirthDate: &b, Education: in.Education, Phone: in.Phone}, nil, true, nil
	case err != nil:
		return nil, nil, false, err
	}
	if p.Name != in.Name {
		errs["name"] = "姓名与系统中该身份证号登记的姓名不一致"
		return nil, nil, false, nil
	}
	return p, existing, false, nil
}

func addErr(fe models.FieldErrors, k, v string) models.FieldErrors {
	if fe == nil {
		fe = models.FieldErrors{}
	}
	if fe[k] == "" {
		fe[k] = v
	}
	return fe
}

// Detail shows a registration (after 保存: 报名成功) with 打印, 导出 and 新增.
func (h *Registrations) Detail(c echo.Context) error {
	r, err := h.load(c)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(r.ID, 10)
	d := pages.RegDetail{Shell: h.shell(c, "报名信息", routes.RegistrationPage), Number: r.Number(), Status: r.Status.Label(),
		Fields: regFields(r), Opinion: r.EmployerOpinion, PDFURL: reverse(c, routes.RegistrationPDF, id),
		DOCXURL: reverse(c, routes.RegistrationDOCX, id), BackURL: reverse(c, routes.RegistrationPage)}
	for _, x := range r.ResumeRows() {
		d.Resume = append(d.Resume, pages.ResumeValues{Period: x.Period, Employer: x.Employer, Post: x.Post})
	}
	if r.PhotoKey != "" {
		d.PhotoURL = reverse(c, routes.RegistrationPhoto, id)
	}
	if c.QueryParam("ok") == "1" {
		d.Success = "报名成功"
	}
	if currentAccount(c).Role != models.RolePractitioner {
		d.NewURL = reverse(c, routes.RegistrationNew) + "?plan=" + strconv.FormatInt(r.PlanID, 10)
	}
	return h.render(c, http.StatusOK, pages.RegDetailPage(d), nil)
}

func (h *Registrations) load(c echo.Context) (*models.Registration, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.RegistrationInScope(c.Request().Context(), h.DB, currentAccount(c), id)
}

// regFields lists a registration's 报名表 fields in print order (the ID number masked on screen lists only).
func regFields(r *models.Registration) []pages.Pair {
	p := r.Person
	birth, work := "", ""
	if p.BirthDate != nil {
		birth = day(p.BirthDate)
	}
	if r.WorkStartDate != nil {
		work = day(r.WorkStartDate)
	}
	return []pages.Pair{
		{Label: "考试名称", Value: r.Plan.Name}, {Label: "岗位/工种", Value: r.Plan.CategoryName()}, {Label: "级别", Value: r.Plan.Level},
		{Label: "姓名", Value: p.Name}, {Label: "性别", Value: p.Gender}, {Label: "出生日期", Value: birth},
		{Label: "身份证号", Value: p.IDNumber}, {Label: "学历", Value: p.Education}, {Label: "专业", Value: p.Major},
		{Label: "职称", Value: p.Title}, {Label: "手机号码", Value: p.Phone}, {Label: "单位名称", Value: r.EmployerName},
		{Label: "组织机构代码", Value: r.EmployerCode}, {Label: "参加工作时间", Value: work},
		{Label: "从事工作年限", Value: strconv.Itoa(r.YearsOfWork) + "年"},
	}
}

// Photo serves a registration's photo to whoever may see the registration.
func (h *Registrations) Photo(c echo.Context) error {
	r, err := h.load(c)
	if err != nil {
		return err
	}
	return h.servePhoto(c, &models.Person{PhotoKey: r.PhotoKey})
}

// Delete deletes one unpaid registration the caller made; a paid one is refused with the reason.
func (h *Registrations) Delete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	r, err := models.DeleteRegistration(c.Request().Context(), h.DB, currentAccount(c), id)
	if errors.Is(err, models.ErrPaidRegistration) {
		msg := "该报名已缴费，不能删除"
		if isHTMX(c) {
			return h.render(c, http.StatusOK, pages.RegRowView(h.regRow(c, r), msg), nil)
		}
		return echo.NewHTTPError(http.StatusConflict, msg)
	}
	if err != nil {
		return err
	}
	h.releaseBlob(c.Request().Context(), r.PhotoKey)
	h.audit(c, models.EventRegDeleted, "registration:"+r.Number(), "ok", "")
	if isHTMX(c) {
		return h.render(c, http.StatusOK, pages.RegDeleted(r.Number()), nil)
	}
	back := safeNext(c.FormValue("back"))
	switch {
	case back == "":
		back = reverse(c, routes.RegistrationPage) + "?ok=deleted"
	case strings.Contains(back, "?"):
		back += "&ok=deleted"
	default:
		back += "?ok=deleted"
	}
	return c.Redirect(http.StatusSeeOther, back)
}

// planSpec is the photo spec of a plan: 295×413 within the plan's size range.
func planSpec(p *models.ExamPlan) photo.Spec {
	s := photo.Standard
	if p.PhotoMaxBytes > 0 {
		s.MaxBytes = p.PhotoMaxBytes
	}
	s.MinBytes = p.PhotoMinBytes
	return s
}
