package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"golang.org/x/time/rate"

	"examcert/models"
	"examcert/static"
)

// Who may use a route. public: anyone, signed in or not.
var (
	public        []models.Role
	anyone        = models.Roles
	admin         = []models.Role{models.RoleAdmin}
	practitioner  = []models.Role{models.RolePractitioner}
	organizations = []models.Role{models.RoleEnterprise, models.RoleTraining}
	enterprise    = []models.Role{models.RoleEnterprise}
	applicants    = []models.Role{models.RolePractitioner, models.RoleEnterprise, models.RoleTraining}
	withTransfers = []models.Role{models.RolePractitioner, models.RoleTraining}
	training      = []models.Role{models.RoleTraining}
	withLookups   = []models.Role{models.RoleEnterprise, models.RoleTraining, models.RoleAdmin}
)

// route is one line of the route table: every route, with the roles allowed, is registered here and nowhere else,
// so a reader sees in one place who may do what. The menu hiding a link is never what protects a route.
type route struct {
	method, path, name string
	handler            echo.HandlerFunc
	roles              []models.Role // nil: public
	mw                 []echo.MiddlewareFunc
	wip                bool  // a 建设中 page until a later issue builds the screen
	bodyLimit          int64 // bytes; 0 means defaultBodyLimit
}

func (a *App) routes() []route {
	auth := &Auth{App: a}
	acct := &AccountSettings{App: a}
	adm := &AdminAccounts{App: a}
	audit := &AuditLog{App: a}
	ws := &Workspace{App: a}
	setup := &Setup{App: a}
	profile := &Profile{App: a}
	lookup := &Lookup{App: a}
	staff := &People{App: a, prefix: "staff", heading: "企业人员信息"}
	trainees := &People{App: a, prefix: "trainees", heading: "人员信息"}
	orgs := &AdminOrganizations{App: a}
	tool := &PhotoTool{App: a}
	exams := &AdminExams{App: a}
	regs := &Registrations{App: a}
	batch := &Batch{App: a}
	lookupLimit := a.lookupRateLimit()
	routes := []route{
		{method: http.MethodGet, path: "/", name: "home.root", handler: ws.Root, roles: public},
		{method: http.MethodGet, path: "/healthz", name: "ops.healthz", handler: a.Healthz, roles: public},
		{method: http.MethodGet, path: "/readyz", name: "ops.readyz", handler: a.Readyz, roles: public},

		{method: http.MethodGet, path: "/login", name: "auth.login", handler: auth.Page, roles: public},
		{method: http.MethodPost, path: "/login", name: "auth.submit", handler: auth.Submit, roles: public, mw: []echo.MiddlewareFunc{a.loginRateLimit()}},
		{method: http.MethodGet, path: "/login/captcha", name: "auth.captcha", handler: auth.NewCaptcha, roles: public},
		{method: http.MethodGet, path: "/captcha/:id", name: "auth.captcha_image", handler: auth.CaptchaImage, roles: public},
		{method: http.MethodPost, path: "/logout", name: "auth.logout", handler: auth.Logout, roles: anyone},
		{method: http.MethodGet, path: "/setup", name: "setup.page", handler: setup.Page, roles: public},
		{method: http.MethodPost, path: "/setup", name: "setup.submit", handler: setup.Submit, roles: public, mw: []echo.MiddlewareFunc{a.loginRateLimit()}},

		{method: http.MethodGet, path: "/home", name: "home.page", handler: ws.Home, roles: applicants},
		{method: http.MethodGet, path: "/account/password", name: "account.password", handler: acct.PasswordPage, roles: anyone},
		{method: http.MethodPost, path: "/account/password", name: "account.password_submit", handler: acct.ChangePassword, roles: anyone},

		// Screens built by later issues: a plain 建设中 page until then.
		{method: http.MethodGet, path: "/registrations", name: "registration.page", handler: regs.Home, roles: applicants},
		{method: http.MethodGet, path: "/registrations/new", name: "registration.new", handler: regs.NewPage, roles: applicants},
		{method: http.MethodPost, path: "/registrations", name: "registration.submit", handler: regs.Submit, roles: applicants, bodyLimit: photoBodyLimit},
		{method: http.MethodGet, path: "/registrations/:id", name: "registration.detail", handler: regs.Detail, roles: anyone},
		{method: http.MethodGet, path: "/registrations/:id/photo", name: "registration.photo", handler: regs.Photo, roles: anyone},
		{method: http.MethodGet, path: "/registrations/kept-photos/:key", name: "registration.kept_photo", handler: regs.KeptPhoto, roles: applicants},
		{method: http.MethodGet, path: "/registrations/:id/pdf", name: "registration.pdf", handler: regs.PDF, roles: anyone},
		{method: http.MethodGet, path: "/registrations/:id/docx", name: "registration.docx", handler: regs.DOCX, roles: anyone},
		{method: http.MethodPost, path: "/registrations/:id/delete", name: "registration.delete", handler: regs.Delete, roles: applicants},
		{method: http.MethodGet, path: "/registrations/batch", name: "registration.batch", handler: batch.Page, roles: organizations},
		{method: http.MethodGet, path: "/registrations/batch/template", name: "registration.template", handler: batch.Template, roles: organizations},
		{method: http.MethodPost, path: "/registrations/batch/import", name: "registration.import", handler: batch.Import, roles: organizations, bodyLimit: importBodyLimit},
		{method: http.MethodPost, path: "/registrations/batch/photos", name: "registration.photos", handler: batch.Photos, roles: organizations, bodyLimit: photosBodyLimit},
		{method: http.MethodGet, path: "/registrations/batch/print", name: "registration.print_all", handler: batch.PrintAll, roles: organizations},
		{method: http.MethodPost, path: "/registrations/batch/delete-all", name: "registration.delete_all", handler: batch.DeleteAll, roles: organizations},
		{method: http.MethodGet, path: "/plans/picker", name: "plan.picker", handler: batch.Picker, roles: anyone},
		ws.route("/tickets", "ticket.page", "打印准考证", applicants),
		ws.route("/results", "result.page", "查看考试结果", applicants),
		ws.route("/renewals", "renewal.page", "申请证书续期", applicants),
		ws.route("/changes", "change.page", "申请变更证书", applicants),
		{method: http.MethodGet, path: "/profile", name: "profile.page", handler: profile.Page, roles: practitioner},
		{method: http.MethodPost, path: "/profile", name: "profile.save", handler: profile.Save, roles: practitioner},
		{method: http.MethodGet, path: "/profile/photo", name: "profile.photo", handler: profile.Photo, roles: practitioner},
		{method: http.MethodPost, path: "/profile/photo", name: "profile.photo_upload", handler: profile.UploadPhoto, roles: practitioner, bodyLimit: photoBodyLimit},
		ws.route("/certificates", "certificate.mine", "个人证书信息", practitioner),
		ws.route("/transfers", "transfer.page", "证书进京", withTransfers),
		ws.route("/staff/certificates", "staff.certificates", "企业人员获证信息", enterprise),
		{method: http.MethodGet, path: "/admin/exams", name: "admin.exams", handler: exams.List, roles: admin},
		{method: http.MethodGet, path: "/admin/exams/new", name: "admin.exams_new", handler: exams.NewPage, roles: admin},
		{method: http.MethodPost, path: "/admin/exams", name: "admin.exams_create", handler: exams.Create, roles: admin},
		{method: http.MethodGet, path: "/admin/exams/:id", name: "admin.exams_edit", handler: exams.EditPage, roles: admin},
		{method: http.MethodPost, path: "/admin/exams/:id", name: "admin.exams_update", handler: exams.Update, roles: admin},
		{method: http.MethodPost, path: "/admin/exams/:id/advance", name: "admin.exams_advance", handler: exams.Advance, roles: admin},
		{method: http.MethodGet, path: "/admin/exam-categories", name: "admin.categories", handler: exams.Categories, roles: admin},
		{method: http.MethodPost, path: "/admin/exam-categories", name: "admin.categories_add", handler: exams.AddCategory, roles: admin},
		{method: http.MethodPost, path: "/admin/exam-categories/:id/toggle", name: "admin.categories_toggle", handler: exams.ToggleCategory, roles: admin},
		ws.route("/admin/certificates", "admin.certificates", "证书管理", admin),

		{method: http.MethodGet, path: "/admin/accounts", name: "admin.accounts", handler: adm.List, roles: admin},
		{method: http.MethodGet, path: "/admin/accounts/new", name: "admin.accounts_new", handler: adm.NewPage, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts", name: "admin.accounts_create", handler: adm.Create, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/password", name: "admin.accounts_reset", handler: adm.ResetPassword, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/unlock", name: "admin.accounts_unlock", handler: adm.Unlock, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/disable", name: "admin.accounts_disable", handler: adm.Disable, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/enable", name: "admin.accounts_enable", handler: adm.Enable, roles: admin},
		{method: http.MethodGet, path: "/admin/audit", name: "admin.audit", handler: audit.List, roles: admin},
		{method: http.MethodGet, path: "/admin/organizations", name: "admin.orgs", handler: orgs.List, roles: admin},
		{method: http.MethodGet, path: "/admin/organizations/new", name: "admin.orgs_new", handler: orgs.NewPage, roles: admin},
		{method: http.MethodPost, path: "/admin/organizations", name: "admin.orgs_create", handler: orgs.Create, roles: admin},
		{method: http.MethodGet, path: "/admin/organizations/:id", name: "admin.orgs_edit", handler: orgs.EditPage, roles: admin},
		{method: http.MethodPost, path: "/admin/organizations/:id", name: "admin.orgs_update", handler: orgs.Update, roles: admin},

		{method: http.MethodGet, path: "/lookup/person", name: "lookup.person", handler: lookup.Person, roles: withLookups, mw: []echo.MiddlewareFunc{lookupLimit}},
		{method: http.MethodGet, path: "/lookup/organization", name: "lookup.organization", handler: lookup.Organization, roles: anyone, mw: []echo.MiddlewareFunc{lookupLimit}},

		{method: http.MethodGet, path: "/photo-tool", name: "photo.tool", handler: tool.Page, roles: public},
		{method: http.MethodPost, path: "/photo-tool", name: "photo.tool_submit", handler: tool.Submit, roles: public, bodyLimit: photoBodyLimit,
			mw: []echo.MiddlewareFunc{a.photoToolRateLimit()}},
	}
	routes = append(routes, peopleRoutes("/staff", staff, enterprise)...)
	return append(routes, peopleRoutes("/trainees", trainees, training)...)
}

// peopleRoutes are the routes of an organization's people list, under base.
func peopleRoutes(base string, h *People, roles []models.Role) []route {
	n := func(s string) string { return h.prefix + "." + s }
	return []route{
		{method: http.MethodGet, path: base, name: n("page"), handler: h.List, roles: roles},
		{method: http.MethodGet, path: base + "/new", name: n("new"), handler: h.NewPage, roles: roles},
		{method: http.MethodPost, path: base, name: n("create"), handler: h.Create, roles: roles},
		{method: http.MethodGet, path: base + "/:id", name: n("detail"), handler: h.Detail, roles: roles},
		{method: http.MethodGet, path: base + "/:id/edit", name: n("edit"), handler: h.EditPage, roles: roles},
		{method: http.MethodGet, path: base + "/:id/row", name: n("row"), handler: h.Row, roles: roles},
		{method: http.MethodGet, path: base + "/:id/row/edit", name: n("row_edit"), handler: h.RowEdit, roles: roles},
		{method: http.MethodPost, path: base + "/:id", name: n("update"), handler: h.Update, roles: roles},
		{method: http.MethodPost, path: base + "/:id/remove", name: n("remove"), handler: h.Remove, roles: roles},
		{method: http.MethodGet, path: base + "/:id/photo", name: n("photo"), handler: h.Photo, roles: roles},
		{method: http.MethodPost, path: base + "/:id/photo", name: n("photo_upload"), handler: h.UploadPhoto, roles: roles, bodyLimit: photoBodyLimit},
	}
}

// register adds the route table, the static files and the test hooks (test builds only) to e.
func (a *App) register(e *echo.Echo) {
	a.bodyLimits, a.wip = map[string]int64{}, map[string]bool{}
	for _, r := range a.routes() {
		a.wip[r.name] = r.wip
		if r.bodyLimit > 0 {
			a.bodyLimits[r.method+" "+r.path] = r.bodyLimit
		}
		mw := r.mw
		if r.roles != nil {
			isPassword := r.name == "account.password" || r.name == "account.password_submit" || r.name == "auth.logout"
			mw = append([]echo.MiddlewareFunc{a.requireRoles(r.roles, isPassword)}, mw...)
		}
		e.Add(r.method, r.path, r.handler, mw...).Name = r.name
	}
	staticFiles := e.Group("/static", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			return next(c)
		}
	})
	staticFiles.StaticFS("/", static.Files)
	a.registerTestHooks(e)
}

// loginRateLimit limits sign-in attempts per client address (the real one: see realIP).
func (a *App) loginRateLimit() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(a.Cfg.LoginRate / 60), Burst: a.Cfg.LoginBurst,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			a.audit(c, models.EventLoginFailed, "", "rate_limited", "")
			return echo.NewHTTPError(http.StatusTooManyRequests, "登录尝试过于频繁，请稍后再试")
		},
	})
}

// photoToolRateLimit keeps the public 一寸照片生成 from being used to load the server: 6 photos a minute per address.
func (a *App) photoToolRateLimit() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{Rate: rate.Limit(0.1), Burst: 6})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests, "生成照片过于频繁，请稍后再试")
		},
	})
}
