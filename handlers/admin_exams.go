package handlers

import (
	"errors"
	"examcert/handlers/routes"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// AdminExams is 考务管理: exam plans (create, edit, move through their statuses) and the 岗位/工种 list.
type AdminExams struct{ *App }

const plansPerPage = 20

var planNotices = map[string]string{"created": "考试计划已创建（草稿）", "saved": "修改保存成功", "advanced": "状态已更新"}

func statusOptions(first string) []components.Option {
	opts := []components.Option{{Value: "", Label: first}}
	for _, s := range models.PlanStatuses {
		opts = append(opts, components.Option{Value: string(s.Status), Label: s.Label})
	}
	return opts
}

// examModeOptions are the choices of 考试方式 (no empty choice: a plan always has one).
func examModeOptions() []components.Option {
	var opts []components.Option
	for _, m := range models.ExamModes {
		opts = append(opts, components.Option{Value: string(m.Mode), Label: m.Label})
	}
	return opts
}

func (a *App) categoryOptions(c echo.Context, first string, all bool) ([]components.Option, error) {
	cs, err := models.ListCategories(c.Request().Context(), a.DB, all)
	if err != nil {
		return nil, err
	}
	opts := []components.Option{{Value: "", Label: first}}
	for _, x := range cs {
		opts = append(opts, components.Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
	}
	return opts, nil
}

// planRow describes a plan for a list.
func (a *App) planRow(c echo.Context, p *models.ExamPlan) pages.PlanRow {
	id := strconv.FormatInt(p.ID, 10)
	r := pages.PlanRow{
		ID: p.ID, Name: p.Name, Category: p.CategoryName(), Level: p.Level, ExamMode: p.ExamMode.Label(),
		RegistrationPeriod: p.RegistrationStartsAt.In(models.Beijing).Format("2006-01-02 15:04") + " 至 " + p.RegistrationEndsAt.In(models.Beijing).Format("2006-01-02 15:04"),
		ExamAt:             p.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"),
		Fee:                p.Fee(), Status: p.Status.Label(),
		EditURL: reverse(c, routes.AdminExamsEdit, id), ArrangeURL: reverse(c, routes.AdminArrangePlan, id),
	}
	r.Places = strconv.Itoa(p.SeatsTaken) + "/"
	if p.Capacity == 0 {
		r.Places += "不限"
	} else {
		r.Places += strconv.Itoa(p.Capacity)
	}
	if _, label := p.Status.Next(); label != "" {
		r.AdvanceURL, r.AdvanceLabel = reverse(c, routes.AdminExamsAdvance, id)+"?from="+string(p.Status), label
	}
	return r
}

// List shows the exam plans.
func (h *AdminExams) List(c echo.Context) error {
	lq, err := readList(c, plansPerPage, "status")
	if err != nil {
		return err
	}
	status := models.PlanStatus(lq.Filter.Get("status"))
	if status.Label() == string(status) {
		status = ""
		lq.Filter.Set("status", "")
	}
	ps, total, err := models.ListPlans(c.Request().Context(), h.DB, models.PlanFilter{Query: lq.Q, Status: status, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	l := pages.PlanAdminList{
		Shell: h.shell(c, "考务管理", routes.AdminExams), Query: lq.Q, Status: string(status), Statuses: statusOptions("全部"),
		ListURL: reverse(c, routes.AdminExams), NewURL: reverse(c, routes.AdminExamsNew),
		CategoriesURL: reverse(c, routes.AdminCategories),
		Pager:         lq.pager(reverse(c, routes.AdminExams), total),
		Success:       planNotices[c.QueryParam("ok")],
	}
	for i := range ps {
		r := h.planRow(c, &ps[i])
		if ps[i].Status != models.PlanDraft {
			r.ReviewURL = reverse(c, routes.ReviewQueue, strconv.FormatInt(ps[i].ID, 10))
		}
		l.Rows = append(l.Rows, r)
	}
	return h.render(c, http.StatusOK, pages.PlanAdminPage(l), pages.PlanAdminResults(l))
}

func (h *AdminExams) form(c echo.Context, title, action string) (pages.PlanForm, error) {
	cats, err := h.categoryOptions(c, "请选择", false)
	return pages.PlanForm{Title: title, Action: action, BackURL: reverse(c, routes.AdminExams), Categories: cats,
		Levels: components.Options("请选择", models.Levels), Educations: components.Options("不限", models.Educations),
		ExamModes: examModeOptions()}, err
}

func readPlanValues(c echo.Context) pages.PlanValues {
	return pages.PlanValues{Name: c.FormValue("name"), CategoryID: c.FormValue("category_id"), Level: c.FormValue("level"),
		RegistrationStarts: c.FormValue("registration_starts"), RegistrationEnds: c.FormValue("registration_ends"),
		ExamAt: c.FormValue("exam_at"), Fee: c.FormValue("fee"), Capacity: c.FormValue("capacity"),
		MinYears: c.FormValue("min_years"), MinEdu: c.FormValue("min_education"),
		PhotoMinKB: c.FormValue("photo_min_kb"), PhotoMaxKB: c.FormValue("photo_max_kb"), Notes: c.FormValue("notes"),
		AcceptanceStep: c.FormValue("acceptance_step") == "1", PaymentDeadline: c.FormValue("payment_deadline"),
		ExamMode: c.FormValue("exam_mode")}
}

func planInput(v pages.PlanValues) models.PlanInput {
	return models.PlanInput{Name: v.Name, CategoryID: v.CategoryID, Level: v.Level, RegistrationStarts: v.RegistrationStarts,
		RegistrationEnds: v.RegistrationEnds, ExamAt: v.ExamAt, Fee: v.Fee, Capacity: v.Capacity, MinYears: v.MinYears,
		MinEdu: v.MinEdu, PhotoMinKB: v.PhotoMinKB, PhotoMaxKB: v.PhotoMaxKB, Notes: v.Notes, AcceptanceStep: v.AcceptanceStep,
		PaymentDeadline: v.PaymentDeadline, ExamMode: v.ExamMode}
}

func (h *AdminExams) renderForm(c echo.Context, f pages.PlanForm) error {
	return h.render(c, http.StatusOK, pages.PlanFormPage(h.shell(c, f.Title, routes.AdminExams), f), nil)
}

// NewPage is 新建考试计划, with sensible defaults.
func (h *AdminExams) NewPage(c echo.Context) error {
	f, err := h.form(c, "新建考试计划", reverse(c, routes.AdminExamsCreate))
	if err != nil {
		return err
	}
	f.In = pages.PlanValues{Level: "无", Fee: "0", Capacity: "0", MinYears: "0", PhotoMinKB: "0", PhotoMaxKB: "60",
		ExamMode: string(models.ModeComputer)}
	return h.renderForm(c, f)
}

// Create stores a new plan as 草稿.
func (h *AdminExams) Create(c echo.Context) error {
	f, err := h.form(c, "新建考试计划", reverse(c, routes.AdminExamsCreate))
	if err != nil {
		return err
	}
	f.In = readPlanValues(c)
	_, err = models.CreatePlan(c.Request().Context(), h.DB, actor(c), planInput(f.In))
	if show, err := formOutcome(err, &f.FormState, "该考试计划", nil); show || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminExams)+"?ok=created")
}

func (h *AdminExams) load(c echo.Context) (*models.ExamPlan, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.GetPlan(c.Request().Context(), h.DB, id)
}

func planValues(p *models.ExamPlan) pages.PlanValues {
	lt := func(t interface{ Format(string) string }) string { return t.Format("2006-01-02T15:04") }
	return pages.PlanValues{Name: p.Name, CategoryID: strconv.FormatInt(p.CategoryID, 10), Level: p.Level,
		RegistrationStarts: lt(p.RegistrationStartsAt.In(models.Beijing)), RegistrationEnds: lt(p.RegistrationEndsAt.In(models.Beijing)),
		ExamAt: lt(p.ExamAt.In(models.Beijing)), Fee: p.Fee(), Capacity: strconv.Itoa(p.Capacity),
		MinYears: strconv.Itoa(p.MinYearsOfWork), MinEdu: p.MinEducation, PhotoMinKB: strconv.Itoa(p.PhotoMinBytes / 1024),
		PhotoMaxKB: strconv.Itoa(p.PhotoMaxBytes / 1024), Notes: p.Notes, AcceptanceStep: p.AcceptanceStep,
		PaymentDeadline: strings.Replace(p.PaymentDeadlineText(), " ", "T", 1), ExamMode: string(p.ExamMode)}
}

func (h *AdminExams) editForm(c echo.Context, p *models.ExamPlan) (pages.PlanForm, error) {
	f, err := h.form(c, "编辑考试计划", reverse(c, routes.AdminExamsUpdate, strconv.FormatInt(p.ID, 10)))
	f.In, f.Version, f.Status = planValues(p), p.Version, p.Status.Label()
	return f, err
}

// EditPage shows a plan's form.
func (h *AdminExams) EditPage(c echo.Context) error {
	p, err := h.load(c)
	if err != nil {
		return err
	}
	f, err := h.editForm(c, p)
	if err != nil {
		return err
	}
	return h.renderForm(c, f)
}

// Update saves a plan; a stale version gets the conflict message and the stored values.
func (h *AdminExams) Update(c echo.Context) error {
	p, err := h.load(c)
	if err != nil {
		return err
	}
	f, err := h.editForm(c, p)
	if err != nil {
		return err
	}
	f.In, f.Version = readPlanValues(c), formVersion(c)
	_, err = models.UpdatePlan(c.Request().Context(), h.DB, actor(c), p.ID, planInput(f.In), f.Version)
	reload := func() error {
		fresh, err := h.load(c)
		if err == nil {
			f, err = h.editForm(c, fresh)
		}
		return err
	}
	if show, err := formOutcome(err, &f.FormState, "该考试计划", reload); show || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminExams)+"?ok=saved")
}

// Advance moves a plan to its next status; from= guards against a double click moving it twice.
func (h *AdminExams) Advance(c echo.Context) error {
	p, err := h.load(c)
	if err != nil {
		return err
	}
	if err := models.AdvancePlan(c.Request().Context(), h.DB, actor(c), p.ID, models.PlanStatus(c.QueryParam("from"))); err != nil {
		if errors.Is(err, models.ErrConflict) {
			return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminExams))
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminExams)+"?ok=advanced")
}

// Categories shows the 岗位/工种 list.
func (h *AdminExams) Categories(c echo.Context) error {
	l := pages.CategoryList{Success: map[string]string{"added": "已添加", "toggled": "已更新"}[c.QueryParam("ok")]}
	return h.renderCategories(c, l)
}

func (h *AdminExams) renderCategories(c echo.Context, l pages.CategoryList) error {
	cs, err := models.ListCategories(c.Request().Context(), h.DB, true)
	if err != nil {
		return err
	}
	l.Shell, l.AddURL, l.BackURL = h.shell(c, "岗位/工种管理", routes.AdminExams), reverse(c, routes.AdminCategoriesAdd), reverse(c, routes.AdminExams)
	for _, x := range cs {
		l.Rows = append(l.Rows, pages.CategoryRow{Name: x.Name, Active: x.Active,
			ToggleURL: reverse(c, routes.AdminCategoriesToggle, strconv.FormatInt(x.ID, 10))})
	}
	return h.render(c, http.StatusOK, pages.CategoryPage(l), nil)
}

// AddCategory adds a 岗位/工种.
func (h *AdminExams) AddCategory(c echo.Context) error {
	l := pages.CategoryList{Name: c.FormValue("category_name")}
	_, err := models.AddCategory(c.Request().Context(), h.DB, actor(c), l.Name)
	if show, err := formOutcome(err, &l.FormState, "", nil); show || err != nil {
		return orRender(err, func() error { return h.renderCategories(c, l) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminCategories)+"?ok=added")
}

// ToggleCategory stops or resumes offering a 岗位/工种 for new plans.
func (h *AdminExams) ToggleCategory(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	if err := models.ToggleCategory(c.Request().Context(), h.DB, actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminCategories)+"?ok=toggled")
}
