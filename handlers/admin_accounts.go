package handlers

import (
	"errors"
	"examcert/handlers/routes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/internal/ident"
	"examcert/internal/password"
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
	return h.renderList(c, accountNotices[c.QueryParam("ok")], "")
}

func (h *AdminAccounts) renderList(c echo.Context, success, failure string) error {
	ctx := c.Request().Context()
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	role := models.Role(c.QueryParam("role"))
	if !role.Valid() {
		role = ""
	}
	q := c.QueryParam("q")
	accts, total, err := models.ListAccounts(ctx, h.DB, models.AccountFilter{Query: q, Role: role,
		Offset: (page - 1) * accountsPerPage, Limit: accountsPerPage})
	if err != nil {
		return err
	}
	l := pages.AccountList{
		Shell: h.shell(c, "机构与账号", routes.AdminAccounts), Tabs: (&AdminOrganizations{h.App}).tabs(c, "accounts"), Query: q, Role: string(role), Roles: roleOptions(true),
		NewURL: reverse(c, routes.AdminAccountsNew), ListURL: reverse(c, routes.AdminAccounts),
		Success: success, Error: failure,
	}
	owners, err := models.AccountOwners(ctx, h.DB, accts)
	if err != nil {
		return err
	}
	for i := range accts {
		l.Rows = append(l.Rows, h.row(c, &accts[i], owners))
	}
	l.Pager = pager(reverse(c, routes.AdminAccounts), total, page, accountsPerPage, url.Values{"q": {q}, "role": {string(role)}})
	return h.render(c, http.StatusOK, pages.AccountListPage(l), nil)
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
	return pages.AccountForm{
		Action: reverse(c, routes.AdminAccountsCreate), ListURL: reverse(c, routes.AdminAccounts),
		Roles: roleOptions(false), Errors: map[string]string{},
	}
}

// NewPage shows the 新建账号 form.
func (h *AdminAccounts) NewPage(c echo.Context) error {
	f := h.accountForm(c)
	return h.render(c, http.StatusOK, pages.AccountNewPage(h.shell(c, "新建账号", routes.AdminAccounts), f), nil)
}

// Create makes the account with a generated temporary password, shown once; the user must change it.
func (h *AdminAccounts) Create(c echo.Context) error {
	f := h.accountForm(c)
	f.Role, f.Username, f.DisplayName = c.FormValue("role"), c.FormValue("username"), c.FormValue("display_name")
	f.IDNumber, f.OrgName, f.OrgCode = c.FormValue("id_number"), c.FormValue("org_name"), c.FormValue("org_code")
	temp := password.Generate()
	hash, err := password.Hash(temp)
	if err != nil {
		return err
	}
	acct, err := models.CreateAccount(c.Request().Context(), h.DB, models.NewAccount{
		Role: models.Role(f.Role), Username: f.Username, DisplayName: f.DisplayName, IDNumber: f.IDNumber,
		OrgName: f.OrgName, OrgCode: f.OrgCode, PasswordHash: hash, MustChange: true,
	})
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		f.Errors = fe
		f.Error = "请按提示修改后重新保存"
		return h.render(c, http.StatusOK, pages.AccountNewPage(h.shell(c, "新建账号", routes.AdminAccounts), f), nil)
	}
	if err != nil {
		return err
	}
	h.audit(c, models.EventAccountCreated, "account:"+acct.Username, "ok", string(acct.Role))
	done := pages.AccountCreated{Username: acct.Username, RoleLabel: acct.Role.Label(), TempPassword: temp,
		ListURL: reverse(c, routes.AdminAccounts), NewURL: reverse(c, routes.AdminAccountsNew)}
	return h.render(c, http.StatusOK, pages.AccountCreatedPage(h.shell(c, "账号已创建", routes.AdminAccounts), done), nil)
}

func (h *AdminAccounts) target(c echo.Context) (*models.Account, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.GetAccount(c.Request().Context(), h.DB, id)
}

// ResetPassword gives the account a new temporary password, shown once, and ends its sessions.
func (h *AdminAccounts) ResetPassword(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := h.target(c)
	if err != nil {
		return err
	}
	temp := password.Generate()
	hash, err := password.Hash(temp)
	if err != nil {
		return err
	}
	if err := models.SetPassword(ctx, h.DB, a.ID, hash, true); err != nil {
		return err
	}
	if err := models.DeleteSessionsOf(ctx, h.DB, a.ID, ""); err != nil {
		return err
	}
	h.audit(c, models.EventPasswordReset, "account:"+a.Username, "ok", "")
	msg := "已重置 " + a.Username + " 的密码，临时密码：" + temp + "（只显示这一次，用户登录后须修改）"
	return h.afterAction(c, a, msg, "")
}

// Unlock lifts a lockout.
func (h *AdminAccounts) Unlock(c echo.Context) error {
	a, err := h.target(c)
	if err != nil {
		return err
	}
	if err := models.Unlock(c.Request().Context(), h.DB, a.ID); err != nil {
		return err
	}
	h.audit(c, models.EventAccountUnlocked, "account:"+a.Username, "ok", "")
	return h.afterAction(c, a, "账号已解锁", "unlocked")
}

// Disable stops an account from signing in and ends its sessions. Nobody disables themself or the last admin.
func (h *AdminAccounts) Disable(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := h.target(c)
	if err != nil {
		return err
	}
	if a.ID == currentAccount(c).ID {
		return echo.NewHTTPError(http.StatusBadRequest, "不能停用自己的账号")
	}
	if a.Role == models.RoleAdmin && !a.Disabled {
		n, err := models.CountEnabledAdmins(ctx, h.DB)
		if err != nil {
			return err
		}
		if n <= 1 {
			return echo.NewHTTPError(http.StatusBadRequest, "不能停用最后一个管理员账号")
		}
	}
	if err := models.SetDisabled(ctx, h.DB, a.ID, true); err != nil {
		return err
	}
	h.audit(c, models.EventAccountDisabled, "account:"+a.Username, "ok", "")
	return h.afterAction(c, a, "账号已停用，其登录会话已全部结束", "disabled")
}

// Enable lets a disabled account sign in again.
func (h *AdminAccounts) Enable(c echo.Context) error {
	a, err := h.target(c)
	if err != nil {
		return err
	}
	if err := models.SetDisabled(c.Request().Context(), h.DB, a.ID, false); err != nil {
		return err
	}
	h.audit(c, models.EventAccountEnabled, "account:"+a.Username, "ok", "")
	return h.afterAction(c, a, "账号已启用", "enabled")
}

// afterAction answers an inline action: htmx gets the account's row again with the message in it; a plain form
// goes back to the list (303), except that a temporary password is shown on the answer itself and never put in a URL.
func (h *AdminAccounts) afterAction(c echo.Context, a *models.Account, msg, okCode string) error {
	fresh, err := models.GetAccount(c.Request().Context(), h.DB, a.ID)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		owners, err := models.AccountOwners(c.Request().Context(), h.DB, []models.Account{*fresh})
		if err != nil {
			return err
		}
		row := h.row(c, fresh, owners)
		row.Message = msg
		return h.render(c, http.StatusOK, pages.AccountRowView(row), nil)
	}
	if okCode == "" {
		return h.renderList(c, msg, "")
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminAccounts)+"?ok="+okCode)
}
