package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"examcert/handlers/routes"
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/internal/password"
	"examcert/models"
	"examcert/views/pages"
)

// Setup is the first-run page: on a database with no admin it creates the first one. It asks for a token that
// the server prints in its log at start-up, so only someone who can read the server's log can claim the system.
type Setup struct{ *App }

// SetupToken is generated once per process.
func (a *App) SetupToken() string {
	a.setupOnce.Do(func() {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		a.setupToken = hex.EncodeToString(b)
	})
	return a.setupToken
}

func (h *Setup) available(c echo.Context) error {
	has, err := models.HasAdmin(c.Request().Context(), h.DB)
	if err != nil {
		return err
	}
	if has {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return nil
}

func (h *Setup) form(c echo.Context) pages.SetupForm {
	return pages.SetupForm{Action: reverse(c, routes.SetupSubmit), Errors: map[string]string{}, PolicyText: policyText(h.Cfg.Password)}
}

// Page shows the setup form while there is no admin (404 afterwards).
func (h *Setup) Page(c echo.Context) error {
	if err := h.available(c); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.SetupPage(h.form(c)), nil)
}

// Submit creates the first admin.
func (h *Setup) Submit(c echo.Context) error {
	if err := h.available(c); err != nil {
		return err
	}
	f := h.form(c)
	f.Username, f.DisplayName = c.FormValue("username"), c.FormValue("display_name")
	pw := c.FormValue("password")
	if subtle.ConstantTimeCompare([]byte(c.FormValue("token")), []byte(h.SetupToken())) != 1 {
		f.Errors["token"] = "初始化令牌不正确（见服务器启动日志）"
	}
	if msg := models.CheckUsername(f.Username); msg != "" {
		f.Errors["username"] = msg
	}
	if err := h.Cfg.Password.Check(pw, f.Username); err != nil {
		f.Errors["password"] = err.Error()
	} else if c.FormValue("confirm_password") != pw {
		f.Errors["confirm_password"] = "两次输入的密码不一致"
	}
	if len(f.Errors) > 0 {
		return h.render(c, http.StatusOK, pages.SetupPage(f), nil)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	acct, err := models.CreateAccount(c.Request().Context(), h.DB, models.NewAccount{
		Role: models.RoleAdmin, Username: f.Username, DisplayName: f.DisplayName, PasswordHash: hash})
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		f.Errors = fe
		return h.render(c, http.StatusOK, pages.SetupPage(f), nil)
	}
	if err != nil {
		return err
	}
	h.auditSignIn(c, acct, "", models.EventAdminSetup, "ok")
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AuthLogin)+"?reason=setup_done")
}
