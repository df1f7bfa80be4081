package handlers

import (
	"context"
	"errors"
	"examcert/handlers/routes"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// AdminAccounts is 机构与账号: the admin creates accounts, resets passwords, unlocks and disables them.
type AdminAccounts struct{ *App }

const accountsPerPage = 20

func roleOptions(withAll bool) []components.Option {
	var opts []components.Option
	if withAll {
		opts = append(opts, components.Option{Value: "", Label: "全部"})
	} else {
		opts = append(opts, components.Option{Value: "", Label: "请选择"})
	}
	for _, r := range models.Roles {
		opts = append(opts, components.Option{Value: string(r), Label: r.Label()})
	}
	return opts
}

// accountNotices are the fixed messages shown after a plain-form action (?ok=…).
var accountNotices = map[string]string{
	"unlocked": "账号已解锁",
	"disabled": "账号已停用，其登录会话已全部结束",
	"enabled":  "账号已启用",
}

// List shows the accounts, searchable by name and role.
func (h *AdminAccounts) List(c echo.Context) error {
	return h.renderList(c, accountNotices[c.QueryParam("ok")])
}

func (h *AdminAccounts) renderList(c echo.Context, success string) error {
	ctx := c.Request().Context()
	lq, err := readList(c, accountsPerPage, "role")
	if err != nil {
		return err
	}
	role := models.Role(lq.Filter.Get("role"))
	if !role.Valid() {
		role = ""
		lq.Filter.Set("role", "")
	}
	accts, total, err := models.ListAccounts(ctx, h.DB, models.AccountFilter{Query: lq.Q, Role: role, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	owners, err := models.AccountOwners(ctx, h.DB, accts)
	if err != nil {
		return err
	}
	l := pages.AccountList{
		Shell: h.shell(c, "机构与账号", routes.AdminAccounts), Tabs: (&AdminOrganizations{h.App}).tabs(c, "accounts"),
		Query: lq.Q, Role: string(role), Roles: roleOptions(true), Success: success,
		NewURL: reverse(c, routes.AdminAccountsNew), ListURL: reverse(c, routes.AdminAccounts),
		Pager: lq.pager(reverse(c, routes.AdminAccounts), total),
	}
	for i := range accts {
		l.Rows = append(l.Rows, h.row(c, &accts[i], owners))
	}
	return h.render(c, http.StatusOK, pages.AccountListPage(l), pages.AccountResults(l))
}

// row describes an account for the list: whom it acts for (ID numbers masked), its state and its actions.
func (h *AdminAccounts) row(c echo.Context, a *models.Account, owners models.Owners) pages.AccountRow {
	id := strconv.FormatInt(a.ID, 10)
	r := pages.AccountRow{
		ID: a.ID, Username: a.Username, DisplayName: a.DisplayName, RoleLabel: a.Role.Label(),
		Locked: a.Locked(models.Now()), Disabled: a.Disabled, Status: "正常",
		ResetURL:   reverse(c, routes.AdminAccountsReset, id),
		UnlockURL:  reverse(c, routes.AdminAccountsUnlock, id),
		DisableURL: reverse(c, routes.AdminAccountsDisable, id),
		EnableURL:  reverse(c, routes.AdminAccountsEnable, id),
	}
	if a.Role == models.RoleProctor {
		r.ScopesURL = reverse(c, routes.AdminProctorScopes, id)
	}
	switch {
	case a.Disabled:
		r.Status, r.StatusBad = "已停用", true
	case r.Locked:
		r.Status, r.StatusBad = "已锁定", true
	case a.MustChangePassword:
		r.Status = "待改密"
	}
	if a.LastLoginAt != nil {
		r.LastLogin = a.LastLoginAt.In(models.Beijing).Format("2006-01-02 15:04") + " " + a.LastLoginIP
	}
	if a.PersonID != nil {
		if p := owners.Persons[*a.PersonID]; p != nil {
			r.For = p.Name + " " + ident.MaskIDNumber(p.IDNumber)
		}
	}
	if a.OrganizationID != nil {
		if o := owners.Organizations[*a.OrganizationID]; o != nil {
			r.For = o.Name + " " + o.Code()
		}
	}
	return r
}

func (h *AdminAccounts) accountForm(c echo.Context) pages.AccountForm {
	return pages.AccountForm{Action: reverse(c, routes.AdminAccountsCreate), ListURL: reverse(c, routes.AdminAccounts), Roles: roleOptions(false)}
}

func (h *AdminAccounts) renderNew(c echo.Context, f pages.AccountForm) error {
	return h.render(c, http.StatusOK, pages.AccountNewPage(h.shell(c, "新建账号", routes.AdminAccounts), f), nil)
}

// NewPage shows the 新建账号 form.
func (h *AdminAccounts) NewPage(c echo.Context) error {
	return h.renderNew(c, h.accountForm(c))
}

// Create makes the account with a generated temporary password, shown once; the user must change it.
func (h *AdminAccounts) Create(c echo.Context) error {
	f := h.accountForm(c)
	f.Role, f.Username, f.DisplayName = c.FormValue("role"), c.FormValue("username"), c.FormValue("display_name")
	f.IDNumber, f.OrgName, f.OrgCode = c.FormValue("id_number"), c.FormValue("org_name"), c.FormValue("org_code")
	acct, temp, err := models.CreateAccount(c.Request().Context(), h.DB, actor(c), models.NewAccount{
		Role: models.Role(f.Role), Username: f.Username, DisplayName: f.DisplayName, IDNumber: f.IDNumber,
		OrgName: f.OrgName, OrgCode: f.OrgCode})
	if show, err := formOutcome(err, &f.FormState, "", nil); show || err != nil {
		return orRender(err, func() error { return h.renderNew(c, f) })
	}
	done := pages.AccountCreated{Username: acct.Username, RoleLabel: acct.Role.Label(), TempPassword: temp,
		ListURL: reverse(c, routes.AdminAccounts), NewURL: reverse(c, routes.AdminAccountsNew)}
	if acct.Role == models.RoleProctor {
		done.ScopesURL = reverse(c, routes.AdminProctorScopes, strconv.FormatInt(acct.ID, 10))
	}
	return h.render(c, http.StatusOK, pages.AccountCreatedPage(h.shell(c, "账号已创建", routes.AdminAccounts), done), nil)
}

func accountID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// ResetPassword gives the account a new temporary password, shown once, and ends its sessions.
func (h *AdminAccounts) ResetPassword(c echo.Context) error {
	id, err := accountID(c)
	if err != nil {
		return err
	}
	if ok, err := h.confirmed(c, routes.AdminAccounts, "确定重置该账号的密码？原密码将立即失效。", "重置密码", "", h.exists(c, id)); !ok {
		return err
	}
	a, temp, err := models.ResetPassword(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return err
	}
	return h.afterAction(c, a, "已重置 "+a.Username+" 的密码，临时密码："+temp+"（只显示这一次，用户登录后须修改）", "")
}

// Unlock lifts a lockout.
func (h *AdminAccounts) Unlock(c echo.Context) error {
	return h.act(c, models.UnlockAccount, "账号已解锁", "unlocked")
}

// Disable stops an account from signing in and ends its sessions. Nobody disables themself or the last admin.
func (h *AdminAccounts) Disable(c echo.Context) error {
	id, err := accountID(c)
	if err != nil {
		return err
	}
	if ok, err := h.confirmed(c, routes.AdminAccounts, "确定停用该账号？停用后不能登录，已登录的会话立即结束。", "停用", "", h.exists(c, id)); !ok {
		return err
	}
	return h.act(c, models.DisableAccount, "账号已停用，其登录会话已全部结束", "disabled")
}

// Enable lets a disabled account sign in again.
func (h *AdminAccounts) Enable(c echo.Context) error {
	return h.act(c, models.EnableAccount, "账号已启用", "enabled")
}

// accountAction is a workflow on one account that returns the account as it then is.
type accountAction func(ctx context.Context, db bun.IDB, actor models.Actor, id int64) (*models.Account, error)

// act runs an inline action. What must never be done is a 400 with its reason; an account already in the state
// asked for (a double click, or another admin first) is shown as it is, without a message.
func (h *AdminAccounts) act(c echo.Context, do accountAction, msg, okCode string) error {
	id, err := accountID(c)
	if err != nil {
		return err
	}
	a, err := do(c.Request().Context(), h.DB, actor(c), id)
	switch {
	case errors.Is(err, models.ErrDisableSelf), errors.Is(err, models.ErrLastAdmin):
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	case errors.Is(err, models.ErrConflict):
		if a, err = models.GetAccount(c.Request().Context(), h.DB, id); err != nil {
			return err
		}
		msg, okCode = "", ""
	case err != nil:
		return err
	}
	return h.afterAction(c, a, msg, okCode)
}

// afterAction answers an inline action: htmx gets the account's row again with the message in it; a plain form
// goes back to the list (303), except that a temporary password is shown on the answer itself and never put in a URL.
func (h *AdminAccounts) afterAction(c echo.Context, a *models.Account, msg, okCode string) error {
	if isHTMX(c) {
		owners, err := models.AccountOwners(c.Request().Context(), h.DB, []models.Account{*a})
		if err != nil {
			return err
		}
		row := h.row(c, a, owners)
		row.Message = msg
		return h.render(c, http.StatusOK, pages.AccountRowView(row), nil)
	}
	if okCode == "" && msg != "" {
		return h.renderList(c, msg)
	}
	to := reverse(c, routes.AdminAccounts)
	if okCode != "" {
		to += "?ok=" + okCode
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// exists is the scope check before asking about an account: an unknown id is 404, not a question.
func (h *AdminAccounts) exists(c echo.Context, id int64) func() error {
	return func() error {
		_, err := models.GetAccount(c.Request().Context(), h.DB, id)
		return err
	}
}
