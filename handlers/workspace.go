package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/layouts"
	"examcert/views/pages"
)

// Workspace serves the start page of each role and the 建设中 pages.
type Workspace struct{ *App }

// Root sends a visitor to their workspace, or to the sign-in page (or to first-run setup on an empty install).
func (h *Workspace) Root(c echo.Context) error {
	acct := currentAccount(c)
	if acct == nil {
		if ok, err := models.HasAdmin(c.Request().Context(), h.DB); err == nil && !ok {
			return c.Redirect(http.StatusSeeOther, reverse(c, routes.SetupPage))
		}
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.AuthLogin))
	}
	return c.Redirect(http.StatusSeeOther, h.landing(c, acct))
}

// landing is where a role lands after sign-in: admins on 考务管理, 考务人员 on 考生签到, everyone else on their
// start page.
func (a *App) landing(c echo.Context, acct *models.Account) string {
	if acct.Role == models.RoleAdmin {
		return reverse(c, routes.AdminExams)
	}
	if acct.Role == models.RoleProctor {
		return reverse(c, routes.CheckinPage)
	}
	return reverse(c, routes.HomePage)
}

// Home is the start page of practitioners, enterprises and training institutions.
func (h *Workspace) Home(c echo.Context) error {
	shell := h.shell(c, "首页", routes.HomePage)
	var links []layouts.MenuItem
	for _, g := range shell.Menu {
		for _, it := range g.Items {
			if it.TestID != "menu-home.page" {
				links = append(links, it)
			}
		}
	}
	vm := pages.Home{Shell: shell, Links: links}
	return h.render(c, http.StatusOK, pages.HomePage(vm), pages.HomeContent(vm))
}
