package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/blobstore"
	"examcert/internal/ident"
	"examcert/internal/photo"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Registrations is 考试报名: find a plan open for registration and fill in its 报名表 — for oneself
// (practitioner), for one's staff (enterprise) or for the people one trains (training institution).
type Registrations struct{ *App }

const resumeRows = 5

var regNotices = map[string]string{"deleted": "报名信息已删除"}

// regsPerPage is how many registrations 我的报名 / 本单位的报名 shows at a time.
const regsPerPage = 50

// Home lists the open plans (searchable; htmx swaps only that list) and the caller's registrations.
func (h *Registrations) Home(c echo.Context) error {
	lq, err := readList(c, regsPerPage, "category")
	if err != nil {
		return err
	}
	v, err := h.openPlans(c, lq)
	if err != nil || wantsFragment(c) {
		return orRender(err, func() error { return h.render(c, http.StatusOK, pages.OpenPlans(v), nil) })
	}
	v.MineTitle = "我的报名"
	if currentAccount(c).Role != models.RolePractitioner {
		v.MineTitle = "本单位的报名"
	}
	regs, total, err := models.ListRegistrations(c.Request().Context(), h.DB, actor(c), models.RegFilter{Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	for i := range regs {
		v.Mine = append(v.Mine, h.regRow(c, &regs[i]))
	}
	v.MinePager = lq.pager(v.ListURL, total)
	return h.render(c, http.StatusOK, pages.RegistrationHomePage(v), nil)
}

// openPlans is the top of 考试报名: the search and the plans open for registration that match it.
func (h *Registrations) openPlans(c echo.Context, lq listQuery) (pages.RegistrationHome, error) {
	v := pages.RegistrationHome{Shell: h.shell(c, "考试报名", routes.RegistrationPage), Query: lq.Q, Category: lq.Filter.Get("category"),
		ListURL: reverse(c, routes.RegistrationPage), Success: regNotices[c.QueryParam("ok")]}
	cid, _ := strconv.ParseInt(v.Category, 10, 64)
	plans, _, err := models.ListPlans(c.Request().Context(), h.DB, models.PlanFilter{Query: lq.Q, CategoryID: cid, Open: true, Limit: 100})
	if err != nil {
		return v, err
	}
	if v.Categories, err = h.categoryOptions(c, "全部", true); err != nil {
		return v, err
	}
	v.PlansPager = components.Pager{Total: len(plans), Page: 1, Pages: 1}
	for i := range plans {
		r := h.planRow(c, &plans[i])
		q := "?plan=" + strconv.FormatInt(plans[i].ID, 10)
		r.RegisterURL = reverse(c, routes.RegistrationNew) + q
		if currentAccount(c).Role != models.RolePractitioner {
			r.BatchURL = reverse(c, routes.RegistrationBatch) + q
		}
		v.Plans = append(v.Plans, r)
	}
	return v, h.markApplied(c, &v)
}

// markApplied finds a practitioner's own registrations for the open plans listed, so that the list shows each
// one's status and page instead of 我要报名 (a duplicate is then never found only at 保存).
func (h *Registrations) markApplied(c echo.Context, v *pages.RegistrationHome) error {
	acct := currentAccount(c)
	if acct.Role != models.RolePractitioner || acct.PersonID == nil || len(v.Plans) == 0 {
		return nil
	}
	ids := make([]int64, len(v.Plans))
	for i, p := range v.Plans {
		ids[i] = p.ID
	}
	regs, err := models.RegistrationsOfPerson(c.Request().Context(), h.DB, *acct.PersonID, ids)
	if err != nil {
		return err
	}
	v.Applied = map[int64]pages.AppliedPlan{}
	for _, r := range regs {
		v.Applied[r.PlanID] = pages.AppliedPlan{Status: r.StatusText(), CanResubmit: r.Status == models.RegReturned,
			DetailURL: reverse(c, routes.RegistrationDetail, strconv.FormatInt(r.ID, 10))}
		if r.Status == models.RegReturned || r.Status == models.RegWithdrawn {
			a := v.Applied[r.PlanID]
			a.CanResubmit, a.ResubmitURL = true, reverse(c, routes.RegistrationNew)+"?plan="+strconv.FormatInt(r.PlanID, 10)+"&from="+strconv.FormatInt(r.ID, 10)
			v.Applied[r.PlanID] = a
		}
	}
	return nil
}

// regRow describes a registration for a list; 删除 is offered only where the caller may delete it.
func (a *App) regRow(c echo.Context, r *models.Registration) pages.RegRow {
	acct := currentAccount(c)
	id := strconv.FormatInt(r.ID, 10)
	row := pages.RegRow{ID: r.ID, Number: r.Number(), Status: r.StatusText(), Paid: r.Paid(),
		CreatedAt: r.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"),
		DetailURL: reverse(c, routes.RegistrationDetail, id), PDFURL: reverse(c, routes.RegistrationPDF, id)}
	if r.Plan != nil {
		row.Plan = r.Plan.Name
	}
	if r.Person != nil {
		row.Name, row.IDMasked = r.Person.Name, ident.MaskIDNumber(r.Person.IDNumber)
	}
	mine := acct.Role == models.RolePractitioner || models.SameOrg(r.OrganizationID, acct.OrganizationID)
	if mine && !r.Paid() && r.Status.Deletable() {
		row.DeleteURL = reverse(c, routes.RegistrationDelete, id)
	}
	row.Reason, row.ResubmitURL, row.WithdrawURL = a.answerReturn(c, r)
	return row
}

// answerReturn is, for a registration returned for changes (退回修改), its reason and — for whoever may answer it
// (the person, the organization that filed it) — 修改并重新提交 (the 报名表, filled in from it) and 撤回. A
// registration waiting for the registry (待审核) is locked under review: its filer gets 撤回 only, to change it.
func (a *App) answerReturn(c echo.Context, r *models.Registration) (reason, resubmit, withdraw string) {
	if r.Status == models.RegUnitConfirmed && models.MayResubmit(currentAccount(c), r) {
		return "", "", reverse(c, routes.RegistrationWithdraw, strconv.FormatInt(r.ID, 10))
	}
	if r.Status != models.RegReturned {
		return "", "", ""
	}
	if !models.MayResubmit(currentAccount(c), r) {
		return r.RejectReason, "", ""
	}
	id := strconv.FormatInt(r.ID, 10)
	return r.RejectReason, reverse(c, routes.RegistrationNew) + "?plan=" + strconv.FormatInt(r.PlanID, 10) + "&from=" + id,
		reverse(c, routes.RegistrationWithdraw, id)
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

// newForm is the 报名表 for plan, before anything is known of whom it registers: for a practitioner themself, for
// an organization someone whose ID number is typed (ForOther).
func (h *Registrations) newForm(c echo.Context, plan *models.ExamPlan) pages.RegForm {
	f := pages.RegForm{Title: "报名表", Action: reverse(c, routes.RegistrationSubmit), BackURL: reverse(c, routes.RegistrationPage),
		PlanID: plan.ID, PlanName: plan.Name, Notes: plan.Notes, FormState: components.FormState{Errors: map[string]string{}},
		PlanInfo:  "（" + plan.CategoryName() + "，" + plan.Level + "，考试时间 " + plan.ExamAt.In(models.Beijing).Format("2006-01-02 15:04") + "）",
		YearsHint: "留空则按参加工作时间计算", Resume: make([]pages.ResumeValues, resumeRows),
		ForOther: currentAccount(c).Role != models.RolePractitioner}
	if plan.MinYearsOfWork > 0 {
		f.YearsHint += "；该考试要求不少于" + strconv.Itoa(plan.MinYearsOfWork) + "年"
	}
	f.Person = h.personForm(c, nil)
	// One error map for the whole form: the person part (姓名 in the autofill, 单位代码) shows the same errors.
	f.Person.Errors, f.Person.PlanID = f.Errors, plan.ID
	return f
}

// fillPerson puts whom the form registers into it: the practitioner's own record (returned), or the ID number an
// organization typed, with the gender and birth date it gives.
func (h *Registrations) fillPerson(c echo.Context, f *pages.RegForm) (*models.Person, error) {
	acct := currentAccount(c)
	if f.ForOther {
		deriveFromID(&f.Person)
		return nil, nil
	}
	if acct.PersonID == nil {
		return nil, models.ErrNotFound
	}
	p, err := models.PersonInScope(c.Request().Context(), h.DB, acct, *acct.PersonID)
	if err != nil {
		return nil, err
	}
	person := h.personForm(c, p)
	person.Errors, person.OrgMessage = f.Errors, f.Person.OrgMessage
	f.Person = person
	if p.Education == "" {
		// Said before the form is filled in, with where to fill it in; 保存 refuses it too.
		f.Errors["education"], f.EducationURL = models.MsgEducationMissing, reverse(c, routes.ProfilePage)
	}
	if p.PhotoKey != "" {
		f.HasPhoto = true
		if f.PhotoURL == "" {
			f.PhotoURL = reverse(c, routes.ProfilePhoto) + "?v=" + strconv.Itoa(p.Version)
		}
	}
	return p, nil
}

// NewPage shows the 报名表 for a plan.
func (h *Registrations) NewPage(c echo.Context) error {
	plan, err := h.plan(c, c.QueryParam("plan"))
	if err != nil {
		return err
	}
	f := h.newForm(c, plan)
	if from := c.QueryParam("from"); from != "" {
		return h.resubmitPage(c, plan, f, from)
	}
	me, err := h.fillPerson(c, &f)
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
	default:
		org, err := models.OrganizationOf(c.Request().Context(), h.DB, currentAccount(c))
		if err != nil {
			return err
		}
		if org.Kind == models.KindEnterprise {
			f.EmployerName, f.EmployerCode = org.Name, org.Code()
		}
	}
	if !plan.AcceptsRegistrations(models.Now()) {
		f.Errors["plan"] = "该考试计划当前不在报名时间内，不能报名"
	}
	return h.renderForm(c, f)
}

// resubmitPage is 修改并重新提交: the 报名表 filled in from a registration returned for changes (its photo kept
// unless another is chosen), with the reason on top. 保存 resubmits it (models.SubmitRegistration). Another's
// registration, or one not returned, is not found.
func (h *Registrations) resubmitPage(c echo.Context, plan *models.ExamPlan, f pages.RegForm, from string) error {
	id, err := strconv.ParseInt(from, 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	r, err := models.RegistrationInScope(c.Request().Context(), h.DB, currentAccount(c), id)
	if err != nil {
		return err
	}
	if r.PlanID != plan.ID || (r.Status != models.RegReturned && r.Status != models.RegWithdrawn) || !models.MayResubmit(currentAccount(c), r) {
		return models.ErrNotFound
	}
	if f.ForOther {
		f.Person.IDNumber, f.Person.Name, f.Person.Education, f.Person.Phone = r.Person.IDNumber, r.Person.Name, r.Person.Education, r.Person.Phone
	}
	if _, err := h.fillPerson(c, &f); err != nil {
		return err
	}
	f.Title, f.ReturnReason = "修改并重新提交报名表", r.RejectReason
	f.EmployerName, f.EmployerCode, f.Opinion = r.EmployerName, r.EmployerCode, r.EmployerOpinion
	f.Years = strconv.Itoa(r.YearsOfWork)
	if r.WorkStartDate != nil {
		f.WorkStart = day(r.WorkStartDate)
	}
	for i, x := range r.ResumeRows() {
		if i < len(f.Resume) {
			f.Resume[i] = pages.ResumeValues{Period: x.Period, Employer: x.Employer, Post: x.Post}
		}
	}
	if r.PhotoKey != "" {
		f.HasPhoto, f.PhotoURL = true, reverse(c, routes.RegistrationPhoto, from)
	}
	if !plan.AcceptsRegistrations(models.Now()) {
		f.Errors["plan"] = "该考试计划当前不在报名时间内，不能重新提交"
	}
	return h.renderForm(c, f)
}

func (h *Registrations) renderForm(c echo.Context, f pages.RegForm) error {
	return h.render(c, http.StatusOK, pages.RegFormPage(h.shell(c, "考试报名", routes.RegistrationPage), f), nil)
}

// readRegForm binds a posted 报名表 into the form (to show again) and the verb's input.
func readRegForm(c echo.Context, f *pages.RegForm) models.SubmitInput {
	f.EmployerName, f.EmployerCode = c.FormValue("employer_name"), c.FormValue("employer_code")
	f.WorkStart, f.Years, f.Opinion = c.FormValue("work_start_date"), c.FormValue("years_of_work"), c.FormValue("employer_opinion")
	in := models.SubmitInput{Registration: models.RegistrationInput{WorkStartDate: f.WorkStart, YearsOfWork: f.Years,
		EmployerName: f.EmployerName, EmployerCode: f.EmployerCode, EmployerOpinion: f.Opinion}}
	form, _ := c.FormParams()
	periods, employers, posts := form["resume_period"], form["resume_employer"], form["resume_post"]
	at := func(v []string, i int) string {
		if i < len(v) {
			return v[i]
		}
		return ""
	}
	for i := range resumeRows {
		f.Resume[i] = pages.ResumeValues{Period: at(periods, i), Employer: at(employers, i), Post: at(posts, i)}
		in.Registration.Resume = append(in.Registration.Resume, models.ResumeRow(f.Resume[i]))
	}
	if f.ForOther {
		f.Person.IDNumber, f.Person.Name = c.FormValue("id_number"), c.FormValue("name")
		f.Person.Education, f.Person.Phone = c.FormValue("education"), c.FormValue("phone")
		in.Person = models.PersonInput{IDNumber: f.Person.IDNumber, Name: f.Person.Name, Education: f.Person.Education, Phone: f.Person.Phone}
	}
	return in
}

// msgRegNotSaved is the 报名表's own banner when it comes back with problems.
const msgRegNotSaved = "报名未成功，请按提示修改后重新保存"

// Submit is 【保存】: models.SubmitRegistration checks the 报名表 against every rule and saves it, all or nothing (a
// person new to the system is created in the same transaction). The 核对 buttons (without JavaScript) post the
// same form and save nothing.
func (h *Registrations) Submit(c echo.Context) error {
	plan, err := h.plan(c, c.FormValue("plan"))
	if err != nil {
		return err
	}
	f := h.newForm(c, plan)
	in := readRegForm(c, &f)
	up, err := h.readFormPhoto(c, plan, &f)
	if err != nil {
		return err
	}
	if err := h.submit(c, plan, f, in, &up); err != nil {
		if up.fresh { // stored for a registration that did not happen, and not kept for the form either
			_ = h.Blobs.Delete(c.Request().Context(), up.key)
		}
		return err
	}
	return nil
}

// submit runs a bound 报名表: a 核对, or the registration itself, then redirects (303) or shows the form again.
func (h *Registrations) submit(c echo.Context, plan *models.ExamPlan, f pages.RegForm, in models.SubmitInput, up *formPhoto) error {
	if check := c.FormValue("check"); check == "id" || check == "org" {
		return h.check(c, f, up, check)
	}
	if actor(c).Is(models.RoleEnterprise, models.RoleTraining) {
		if err := h.allowLookup(c); err != nil { // an organization's 报名表 names someone by ID number: a lookup
			return err
		}
	}
	in.Plan, in.Photo, in.StoredSize = plan, up.input(), h.storedSize
	reg, err := models.SubmitRegistration(c.Request().Context(), h.DB, actor(c), in)
	show, err := formOutcome(err, &f.FormState, "该报名信息", nil)
	switch {
	case err != nil:
		return err
	case show:
		f.Error = msgRegNotSaved
		if _, err := h.fillPerson(c, &f); err != nil {
			return err
		}
		return h.present(c, f, up)
	}
	up.fresh = false // the registration names it now
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.RegistrationDetail, strconv.FormatInt(reg.ID, 10))+"?ok=1")
}

// check is a 核对 button: it fills in what the ID number (check=id) or the organization code (check=org) says, as
// the autofills do with JavaScript, and shows the form again.
func (h *Registrations) check(c echo.Context, f pages.RegForm, up *formPhoto, what string) error {
	if _, err := h.fillPerson(c, &f); err != nil {
		return err
	}
	if what == "id" {
		if err := h.fillPersonLookup(c, &f.Person); err != nil {
			return err
		}
		if err := h.noteRegistered(c, &f); err != nil {
			return err
		}
		return h.present(c, f, up)
	}
	f.Person.EmployerCode, f.Person.EmployerName = f.EmployerCode, f.EmployerName
	if err := h.fillOrgLookup(c, &f.Person); err != nil {
		return err
	}
	f.EmployerCode, f.EmployerName = f.Person.EmployerCode, f.Person.EmployerName
	return h.present(c, f, up)
}

// noteRegistered says beside 身份证号, when the 核对 finds the person already registered for the plan (and not
// rejected), what 保存 would refuse, before the rest of the form is filled in: the 报名编号 and status when the
// registration is one the caller may see (made by the organization or of its own people), only that it exists
// otherwise (SECURITY.md 27). The autofill's lookup does this check's rate limit and audit row.
func (h *Registrations) noteRegistered(c echo.Context, f *pages.RegForm) error {
	if f.Errors["id_number"] != "" {
		return nil
	}
	note, err := h.registeredNote(c, f.Person.IDNumber, f.PlanID)
	if note != "" {
		f.Errors["id_number"] = note
	}
	return err
}

// registeredNote is what noteRegistered and the autofill say of the person with idNumber already registered for
// plan planID ("" when they are not, or the number is not valid).
func (a *App) registeredNote(c echo.Context, idNumber string, planID int64) (string, error) {
	idn, err := ident.ParseIDNumber(idNumber)
	if err != nil {
		return "", nil
	}
	ctx := c.Request().Context()
	_, existing, err := models.FindRegistrant(ctx, a.DB, idn.Number, planID)
	switch {
	case errors.Is(err, models.ErrNotFound) || (err == nil && (existing == nil || existing.Status == models.RegReturned)):
		return "", nil
	case err != nil:
		return "", err
	}
	r, err := models.RegistrationInScope(ctx, a.DB, currentAccount(c), existing.ID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return "此人已报名该考试，不能重复报名", nil
	case err != nil:
		return "", err
	}
	return "此人已报名该考试（报名编号 " + r.Number() + "，状态 " + r.Status.Label() + "）", nil
}

// present shows the form again (with its errors, if any), keeping a new photo so that it is not asked for twice.
func (h *Registrations) present(c echo.Context, f pages.RegForm, up *formPhoto) error {
	if err := h.keepPhoto(c, &f, up); err != nil {
		return err
	}
	return h.renderForm(c, f)
}

// storedSize is the size of a stored file (0 when it is gone), for models.SubmitInput.
func (a *App) storedSize(ctx context.Context, key string) (int, error) {
	n, err := a.Blobs.Size(ctx, key)
	if errors.Is(err, blobstore.ErrNotFound) {
		return 0, nil
	}
	return n, err
}

// readFormPhoto takes the photo of a submitted 报名表 (readUploadedPhoto with the plan's size range): a problem goes
// beside the field, a kept upload into the form.
func (h *Registrations) readFormPhoto(c echo.Context, plan *models.ExamPlan, f *pages.RegForm) (formPhoto, error) {
	p, err := h.readUploadedPhoto(c, planSpec(plan))
	if p.problem != "" {
		f.Errors["photo"] = p.problem
	}
	if err == nil && p.key != "" && !p.fresh {
		f.PhotoToken, f.PhotoURL = p.key, reverse(c, routes.RegistrationKeptPhoto, p.key)
	}
	return p, err
}

// keepPhoto keeps a new photo of a 报名表 shown again (keepUploadedPhoto) and names it in the form.
func (h *Registrations) keepPhoto(c echo.Context, f *pages.RegForm, p *formPhoto) error {
	fresh := p.fresh
	if err := h.keepUploadedPhoto(c, p); err != nil || !fresh {
		return err
	}
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

// Detail shows a registration (after 保存: 报名成功) with 打印, 导出 and 新增. It shows the full ID number, so each
// view is audited (SECURITY.md 14).
func (h *Registrations) Detail(c echo.Context) error {
	r, err := h.load(c)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(r.ID, 10)
	d := pages.RegDetail{Shell: h.shell(c, "报名信息", routes.RegistrationPage), Number: r.Number(), Status: r.StatusText(),
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
	if c.QueryParam("ok") == "withdrawn" {
		d.Success = "报名已撤回"
	}
	d.Reason, d.ResubmitURL, d.WithdrawURL = h.answerReturn(c, r)
	if d.History, err = h.history(c, r); err != nil {
		return err
	}
	if currentAccount(c).Role != models.RolePractitioner {
		d.NewURL = reverse(c, routes.RegistrationNew) + "?plan=" + strconv.FormatInt(r.PlanID, 10)
	}
	h.audit(c, models.EventRegViewed, "registration:"+r.Number(), "ok", "显示完整身份证号")
	return h.render(c, http.StatusOK, pages.RegDetailPage(d), nil)
}

// history is the registration's 审核记录: its filing, then each status change (who, when, what, 批号, reason). The
// registry's people are named as 注册中心 to applicants.
func (h *Registrations) history(c echo.Context, r *models.Registration) ([]pages.HistoryRow, error) {
	entries, err := models.RegistrationHistory(c.Request().Context(), h.DB, r.ID)
	if err != nil {
		return nil, err
	}
	rows := []pages.HistoryRow{{At: r.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"), Action: "提交报名"}}
	admin := currentAccount(c).Role == models.RoleAdmin
	for _, e := range entries {
		who := e.Who
		if e.Role == models.RoleAdmin && !admin {
			who = "注册中心"
		} else if e.Role == models.RoleSystem || (who == "" && e.Role == "") {
			who = "系统"
		}
		rows = append(rows, pages.HistoryRow{At: e.ChangedAt.In(models.Beijing).Format("2006-01-02 15:04"), Who: who,
			Action: e.Action(), Status: e.ToStatus.Label(), BatchNo: e.BatchNo, Reason: e.Reason})
	}
	return rows, nil
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

// Delete is 【删除】 of one registration (models.DeleteRegistration); a paid one is refused with the reason, in its
// row with htmx.
func (h *Registrations) Delete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	inScope := func() error { _, err := h.load(c); return err }
	if ok, err := h.confirmed(c, routes.RegistrationPage, "确定删除这条报名信息？", "删除", c.FormValue("back"), inScope); !ok {
		return err
	}
	r, err := models.DeleteRegistration(c.Request().Context(), h.DB, actor(c), id)
	if errors.Is(err, models.ErrPaidRegistration) || errors.Is(err, models.ErrDecidedRegistration) {
		msg := "该报名已缴费，不能删除"
		if errors.Is(err, models.ErrDecidedRegistration) {
			msg = "该报名已「" + r.Status.Label() + "」，不能删除"
		}
		if isHTMX(c) {
			return h.render(c, http.StatusOK, pages.RegRowView(h.regRow(c, r), msg), nil)
		}
		return echo.NewHTTPError(http.StatusConflict, msg)
	}
	if err != nil {
		return err
	}
	h.releaseBlob(c.Request().Context(), r.PhotoKey)
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
