package handlers

import (
	"errors"
	"examcert/handlers/routes"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"examcert/internal/password"
	"examcert/models"
	"examcert/views/pages"
)

// AccountSettings is 登录信息维护: a signed-in user changes their own password.
type AccountSettings struct{ *App }

// PasswordPage shows the change-password form, saying why when the user was sent here.
func (h *AccountSettings) PasswordPage(c echo.Context) error {
	f := h.passwordForm(c)
	if c.QueryParam("ok") == "1" {
		f.Success, f.Notice = "密码修改成功", ""
	}
	return h.renderPassword(c, f)
}

func (h *AccountSettings) passwordForm(c echo.Context) pages.PasswordForm {
	acct := currentAccount(c)
	f := pages.PasswordForm{
		Action:     reverse(c, routes.AccountPasswordSubmit),
		Username:   acct.Username,
		PolicyText: policyText(h.Cfg.Password),
	}
	switch {
	case acct.MustChangePassword:
		f.Notice = "您的密码由管理员设置，请先修改密码后再使用系统"
	case h.mustChangePassword(acct):
		f.Notice = "您的密码已使用超过" + strconv.Itoa(int(h.Cfg.Password.MaxAgeAdmin.Hours()/24)) + "天，请修改密码后再使用系统"
	}
	return f
}

func (h *AccountSettings) renderPassword(c echo.Context, f pages.PasswordForm) error {
	return h.render(c, http.StatusOK, pages.PasswordPage(h.shell(c, "登录信息维护", routes.AccountPassword), f), pages.PasswordPanel(f))
}

// ChangePassword is 修改密码: models.ChangePassword checks the old password and the policy, stores the new hash and
// ends every other session of the account; this browser then gets a new session id.
func (h *AccountSettings) ChangePassword(c echo.Context) error {
	f := h.passwordForm(c)
	in := models.PasswordChange{Old: c.FormValue("old_password"), New: c.FormValue("new_password"),
		Confirm: c.FormValue("confirm_password"), KeepSession: currentSession(c).ID}
	err := models.ChangePassword(c.Request().Context(), h.DB, actor(c), in, h.Cfg.Password)
	if errors.Is(err, models.ErrAccountLocked) {
		return h.lockedOut(c)
	}
	if show, err := formOutcome(err, &f.FormState, "", nil); show || err != nil {
		return orRender(err, func() error { return h.renderPassword(c, f) })
	}
	if err := h.startSession(c, currentAccount(c)); err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.AccountPassword)+"?ok=1")
	}
	f = h.passwordForm(c)
	f.Success = "密码修改成功"
	return h.renderPassword(c, f)
}

// lockedOut answers the wrong old password that locked the account: every session of it has ended, so the
// browser goes to the sign-in page, which says why.
func (h *AccountSettings) lockedOut(c echo.Context) error {
	sess := currentSession(c)
	sess.Options.MaxAge = -1 // the row is gone: this only clears the cookie
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return h.redirect(c, reverse(c, routes.AuthLogin)+"?reason=locked")
}

// policyText describes the password policy in words, under the new-password field.
func policyText(p password.Policy) string {
	parts := []string{"至少" + strconv.Itoa(p.MinLength) + "位"}
	if p.MinClasses > 1 {
		parts = append(parts, "包含大写字母、小写字母、数字、符号中的至少"+strconv.Itoa(p.MinClasses)+"类")
	}
	if p.RejectCommon {
		parts = append(parts, "不能是常见密码")
	}
	return "密码要求：" + strings.Join(parts, "，")
}
