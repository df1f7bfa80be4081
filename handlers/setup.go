package handlers

import (
	"context"
	"encoding/hex"
	"examcert/handlers/routes"
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/models"
	"examcert/views/pages"
)

// Setup is the first-run page: on a database with no admin it creates the first one. It asks for a token that
// the server prints in its log at start-up, so only someone who can read the server's log can claim the system.
type Setup struct{ *App }

// SetupToken is the token of the first-run page. It is a shared secret of the database (models.ServerSecret), not
// of the process: behind a load balancer, the token one server printed is the one every server accepts.
func (a *App) SetupToken(ctx context.Context) (string, error) {
	k, err := models.ServerSecret(ctx, a.DB, "setup_token")
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k[:8]), nil
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
	return pages.SetupForm{Action: reverse(c, routes.SetupSubmit), PolicyText: policyText(h.Cfg.Password)}
}

// Page shows the setup form while there is no admin (404 afterwards).
func (h *Setup) Page(c echo.Context) error {
	if err := h.available(c); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.SetupPage(h.form(c)), nil)
}

// Submit creates the first admin, if the token is the one the server printed.
func (h *Setup) Submit(c echo.Context) error {
	if err := h.available(c); err != nil {
		return err
	}
	f := h.form(c)
	f.Username, f.DisplayName = c.FormValue("username"), c.FormValue("display_name")
	expected, err := h.SetupToken(c.Request().Context())
	if err != nil {
		return err
	}
	in := models.AdminSetup{Username: f.Username, DisplayName: f.DisplayName, Password: c.FormValue("password"),
		Confirm: c.FormValue("confirm_password"), FirstRun: true, Token: c.FormValue("token"), Expected: expected}
	_, err = models.SetupAdmin(c.Request().Context(), h.DB, actor(c), in, h.Cfg.Password)
	if show, err := formOutcome(err, &f.FormState, "", nil); show || err != nil {
		return orRender(err, func() error { return h.render(c, http.StatusOK, pages.SetupPage(f), nil) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AuthLogin)+"?reason=setup_done")
}
