package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
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
	deciders      = []models.Role{models.RolePractitioner, models.RoleEnterprise} // of 人员调入申请: the person, the employer
)

// route is one line of the route table: every route, with the roles allowed, is registered here and nowhere else,
// so a reader sees in one place who may do what. The menu hiding a link is never what protects a route.
type route struct {
	method, path string
	name         routes.Name
	handler      echo.HandlerFunc
	roles        []models.Role // nil: public
	mw           []echo.MiddlewareFunc
	wip          bool      // a 建设中 page until a later issue builds the screen
	body         *bodyRule // how large a body the route takes; nil: defaultBodyLimit
	noCSRF       bool      // called server to server (the portal's back-channel logout): no session, no CSRF token
	cache        bool      // a page kept per session while its data stands, gzipped by itself (pagecache.go)
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
	staff := &People{App: a, names: routes.Staff, heading: "企业人员信息"}
	trainees := &People{App: a, names: routes.Trainees, heading: "人员信息"}
	orgs := &AdminOrganizations{App: a}
	tool := &PhotoTool{App: a}
	exams := &AdminExams{App: a}
	regs := &Registrations{App: a}
	batch := &Batch{App: a}
	joins := &JoinRequests{App: a}
	lookupLimit := a.lookupRateLimit()
	routes := []route{
		{method: http.MethodGet, path: "/", name: routes.HomeRoot, handler: ws.Root, roles: public},
		{method: http.MethodGet, path: "/healthz", name: routes.OpsHealthz, handler: a.Healthz, roles: public},
		{method: http.MethodGet, path: "/readyz", name: routes.OpsReadyz, handler: a.Readyz, roles: public},

		{method: http.MethodGet, path: "/login", name: routes.AuthLogin, handler: auth.Page, roles: public},
		{method: http.MethodPost, path: "/login", name: routes.AuthSubmit, handler: auth.Submit, roles: public, mw: []echo.MiddlewareFunc{a.loginRateLimit()}},
		{method: http.MethodGet, path: "/login/captcha", name: routes.AuthCaptcha, handler: auth.NewCaptcha, roles: public},
		{method: http.MethodGet, path: "/captcha/:id", name: routes.AuthCaptchaImage, handler: auth.CaptchaImage, roles: public},
		{method: http.MethodPost, path: "/logout", name: routes.AuthLogout, handler: auth.Logout, roles: anyone},
		{method: http.MethodGet, path: "/setup", name: routes.SetupPage, handler: setup.Page, roles: public},
		{method: http.MethodPost, path: "/setup", name: routes.SetupSubmit, handler: setup.Submit, roles: public, mw: []echo.MiddlewareFunc{a.loginRateLimit()}},

		{method: http.MethodGet, path: "/home", name: routes.HomePage, handler: ws.Home, roles: applicants},
		{method: http.MethodGet, path: "/account/password", name: routes.AccountPassword, handler: acct.PasswordPage, roles: anyone},
		{method: http.MethodPost, path: "/account/password", name: routes.AccountPasswordSubmit, handler: acct.ChangePassword, roles: anyone},

		// Screens built by later issues: a plain 建设中 page until then.
		{method: http.MethodGet, path: "/registrations", name: routes.RegistrationPage, handler: regs.Home, roles: applicants},
		{method: http.MethodGet, path: "/registrations/new", name: routes.RegistrationNew, handler: regs.NewPage, roles: applicants},
		{method: http.MethodPost, path: "/registrations", name: routes.RegistrationSubmit, handler: regs.Submit, roles: applicants, body: photoBody},
		{method: http.MethodGet, path: "/registrations/:id", name: routes.RegistrationDetail, handler: regs.Detail, roles: anyone},
		{method: http.MethodGet, path: "/registrations/:id/photo", name: routes.RegistrationPhoto, handler: regs.Photo, roles: anyone},
		{method: http.MethodGet, path: "/registrations/kept-photos/:key", name: routes.RegistrationKeptPhoto, handler: regs.KeptPhoto, roles: applicants},
		{method: http.MethodGet, path: "/registrations/:id/pdf", name: routes.RegistrationPDF, handler: regs.PDF, roles: anyone},
		{method: http.MethodGet, path: "/registrations/:id/docx", name: routes.RegistrationDOCX, handler: regs.DOCX, roles: anyone},
		{method: http.MethodPost, path: "/registrations/:id/delete", name: routes.RegistrationDelete, handler: regs.Delete, roles: applicants},
		{method: http.MethodGet, path: "/registrations/batch", name: routes.RegistrationBatch, handler: batch.Page, roles: organizations},
		{method: http.MethodGet, path: "/registrations/batch/template", name: routes.RegistrationTemplate, handler: batch.Template, roles: organizations},
		{method: http.MethodPost, path: "/registrations/batch/import", name: routes.RegistrationImport, handler: batch.Import, roles: organizations, body: importBody},
		{method: http.MethodPost, path: "/registrations/batch/photos", name: routes.RegistrationPhotos, handler: batch.Photos, roles: organizations, body: photosBody},
		{method: http.MethodGet, path: "/registrations/batch/print", name: routes.RegistrationPrintAll, handler: batch.PrintAll, roles: organizations},
		{method: http.MethodPost, path: "/registrations/batch/delete-all", name: routes.RegistrationDeleteAll, handler: batch.DeleteAll, roles: organizations},
		{method: http.MethodGet, path: "/plans/picker", name: routes.PlanPicker, handler: batch.Picker, roles: anyone},
		{method: http.MethodGet, path: "/profile", name: routes.ProfilePage, handler: profile.Page, roles: practitioner},
		{method: http.MethodPost, path: "/profile", name: routes.ProfileSave, handler: profile.Save, roles: practitioner},
		{method: http.MethodGet, path: "/profile/photo", name: routes.ProfilePhoto, handler: profile.Photo, roles: practitioner},
		{method: http.MethodPost, path: "/profile/photo", name: routes.ProfilePhotoUpload, handler: profile.UploadPhoto, roles: practitioner, body: photoBody},
		{method: http.MethodGet, path: "/join-requests", name: routes.JoinRequestsPage, handler: joins.Page, roles: practitioner},
		{method: http.MethodPost, path: "/join-requests/:id/accept", name: routes.JoinRequestAccept, handler: joins.Accept, roles: deciders},
		{method: http.MethodPost, path: "/join-requests/:id/decline", name: routes.JoinRequestDecline, handler: joins.Decline, roles: deciders},
		{method: http.MethodPost, path: "/join-requests/:id/withdraw", name: routes.JoinRequestWithdraw, handler: joins.Withdraw, roles: organizations},
		{method: http.MethodGet, path: "/admin/exams", name: routes.AdminExams, handler: exams.List, roles: admin},
		{method: http.MethodGet, path: "/admin/exams/new", name: routes.AdminExamsNew, handler: exams.NewPage, roles: admin},
		{method: http.MethodPost, path: "/admin/exams", name: routes.AdminExamsCreate, handler: exams.Create, roles: admin},
		{method: http.MethodGet, path: "/admin/exams/:id", name: routes.AdminExamsEdit, handler: exams.EditPage, roles: admin},
		{method: http.MethodPost, path: "/admin/exams/:id", name: routes.AdminExamsUpdate, handler: exams.Update, roles: admin},
		{method: http.MethodPost, path: "/admin/exams/:id/advance", name: routes.AdminExamsAdvance, handler: exams.Advance, roles: admin},
		{method: http.MethodGet, path: "/admin/exam-categories", name: routes.AdminCategories, handler: exams.Categories, roles: admin},
		{method: http.MethodPost, path: "/admin/exam-categories", name: routes.AdminCategoriesAdd, handler: exams.AddCategory, roles: admin},
		{method: http.MethodPost, path: "/admin/exam-categories/:id/toggle", name: routes.AdminCategoriesToggle, handler: exams.ToggleCategory, roles: admin},

		{method: http.MethodGet, path: "/admin/accounts", name: routes.AdminAccounts, handler: adm.List, roles: admin},
		{method: http.MethodGet, path: "/admin/accounts/new", name: routes.AdminAccountsNew, handler: adm.NewPage, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts", name: routes.AdminAccountsCreate, handler: adm.Create, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/password", name: routes.AdminAccountsReset, handler: adm.ResetPassword, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/unlock", name: routes.AdminAccountsUnlock, handler: adm.Unlock, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/disable", name: routes.AdminAccountsDisable, handler: adm.Disable, roles: admin},
		{method: http.MethodPost, path: "/admin/accounts/:id/enable", name: routes.AdminAccountsEnable, handler: adm.Enable, roles: admin},
		{method: http.MethodGet, path: "/admin/audit", name: routes.AdminAudit, handler: audit.List, roles: admin},
		{method: http.MethodGet, path: "/admin/organizations", name: routes.AdminOrgs, handler: orgs.List, roles: admin},
		{method: http.MethodGet, path: "/admin/organizations/new", name: routes.AdminOrgsNew, handler: orgs.NewPage, roles: admin},
		{method: http.MethodPost, path: "/admin/organizations", name: routes.AdminOrgsCreate, handler: orgs.Create, roles: admin},
		{method: http.MethodGet, path: "/admin/organizations/:id", name: routes.AdminOrgsEdit, handler: orgs.EditPage, roles: admin},
		{method: http.MethodPost, path: "/admin/organizations/:id", name: routes.AdminOrgsUpdate, handler: orgs.Update, roles: admin},

		{method: http.MethodGet, path: "/lookup/person", name: routes.LookupPerson, handler: lookup.Person, roles: withLookups}, // limited inside (allowLookup)
		{method: http.MethodGet, path: "/lookup/organization", name: routes.LookupOrganization, handler: lookup.Organization, roles: anyone, mw: []echo.MiddlewareFunc{lookupLimit}},

		{method: http.MethodGet, path: "/photo-tool", name: routes.PhotoTool, handler: tool.Page, roles: public},
		{method: http.MethodPost, path: "/photo-tool", name: routes.PhotoToolSubmit, handler: tool.Submit, roles: public, body: photoBody,
			mw: []echo.MiddlewareFunc{a.photoToolRateLimit()}},
	}
	routes = append(routes, reviewRoutes(a)...)
	routes = append(routes, noticesRoutes(a)...)
	routes = append(routes, peopleRoutes("/staff", staff, enterprise)...)
	routes = append(routes, portalRoutes(a)...)
	routes = append(routes, paymentRoutes(a)...)
	routes = append(routes, arrangeRoutes(a)...)
	routes = append(routes, ticketRoutes(a)...)
	routes = append(routes, checkinRoutes(a)...)
	routes = append(routes, append(certificateRoutes(a), verifyRoutes(a)...)...)
	routes = append(routes, resultRoutes(a)...)
	routes = append(routes, statsRoutes(a)...)
	routes = append(routes, applicationRoutes(a)...)
	routes = append(routes, renewalRoutes(a)...)
	routes = append(routes, changeRoutes(a)...)
	routes = append(routes, applicationFormRoutes(a)...)
	routes = append(routes, transferRoutes(a)...)
	return append(routes, peopleRoutes("/trainees", trainees, training)...)
}

// peopleRoutes are the routes of an organization's people list, under base.
func peopleRoutes(base string, h *People, roles []models.Role) []route {
	n := h.names
	return []route{
		{method: http.MethodGet, path: base, name: n.Page, handler: h.List, roles: roles, cache: true},
		{method: http.MethodGet, path: base + "/new", name: n.New, handler: h.NewPage, roles: roles},
		{method: http.MethodPost, path: base, name: n.Create, handler: h.Create, roles: roles},
		{method: http.MethodGet, path: base + "/:id", name: n.Detail, handler: h.Detail, roles: roles},
		{method: http.MethodGet, path: base + "/:id/edit", name: n.Edit, handler: h.EditPage, roles: roles},
		{method: http.MethodGet, path: base + "/:id/row", name: n.Row, handler: h.Row, roles: roles},
		{method: http.MethodGet, path: base + "/:id/row/edit", name: n.RowEdit, handler: h.RowEdit, roles: roles},
		{method: http.MethodPost, path: base + "/:id", name: n.Update, handler: h.Update, roles: roles},
		{method: http.MethodPost, path: base + "/:id/remove", name: n.Remove, handler: h.Remove, roles: roles},
		{method: http.MethodGet, path: base + "/:id/photo", name: n.Photo, handler: h.Photo, roles: roles},
		{method: http.MethodPost, path: base + "/:id/photo", name: n.PhotoUpload, handler: h.UploadPhoto, roles: roles, body: photoBody},
	}
}

// bodyRule is how large a request body a route takes, and what the user is told when theirs is larger.
type bodyRule struct {
	limit    int64
	tooLarge string
}

// Routes that take uploads; every other route takes defaultBodyLimit.
var (
	photoBody  = &bodyRule{photoBodyLimit, "照片文件不能超过10MB"}
	importBody = &bodyRule{importBodyLimit, "文件不能超过10MB"}
	photosBody = &bodyRule{photosBodyLimit, "上传的照片总大小不能超过150MB，请分批上传"}
)

// register adds the route table, the static files and the test hooks (test builds only) to e.
func (a *App) register(e *echo.Echo) {
	a.bodyRules, a.wip, a.noCSRF, a.selfCompressed = map[string]*bodyRule{}, map[routes.Name]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range a.routes() {
		a.wip[r.name] = r.wip
		if r.noCSRF {
			a.noCSRF[r.method+" "+r.path] = true
		}
		if r.body != nil {
			a.bodyRules[r.method+" "+r.path] = r.body
		}
		mw := r.mw
		if r.cache {
			a.selfCompressed[r.method+" "+r.path] = true
			mw = append(mw, a.cachePage)
		}
		if r.roles != nil {
			isPassword := r.name == routes.AccountPassword || r.name == routes.AccountPasswordSubmit || r.name == routes.AuthLogout
			mw = append([]echo.MiddlewareFunc{a.requireRoles(r.roles, isPassword)}, mw...)
		}
		e.Add(r.method, r.path, r.handler, mw...).Name = string(r.name)
	}
	e.GET("/static/*", serveStatic)
	a.photoToolURL = e.Reverse(string(routes.PhotoTool))
	a.registerTestHooks(e)
	keepRoutePaths(e)
}

// loginRateLimit limits sign-in attempts per client address (the real one: see realIP), across servers.
func (a *App) loginRateLimit() echo.MiddlewareFunc {
	return rateLimit(a.DB, models.RateLimit{Name: "login", Rate: a.Cfg.LoginRate / 60, Burst: a.Cfg.LoginBurst},
		(&Auth{App: a}).TooManyAttempts)
}

// photoToolRateLimit keeps the public 一寸照片生成 from being used to load the server: 6 photos a minute per address.
func (a *App) photoToolRateLimit() echo.MiddlewareFunc {
	return rateLimit(a.DB, models.RateLimit{Name: "photo-tool", Rate: 0.1, Burst: 6}, func(echo.Context) error {
		return echo.NewHTTPError(http.StatusTooManyRequests, "生成照片过于频繁，请稍后再试")
	})
}
