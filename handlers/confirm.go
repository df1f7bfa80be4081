package handlers

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/views/components"
	"examcert/views/layouts"
)

// confirmed says whether a destructive POST was confirmed (confirmed=1: the htmx dialog, or the 确定 of the page that
// asks). When it was not, it has already answered with that page (200, nothing changed) and the handler returns.
// back is where 取消 leads; active names the menu item of the page. inScope, when given, runs before the page is
// shown, so that another organization's record is 404 here too, not a question.
func (a *App) confirmed(c echo.Context, active routes.Name, question, label, back string, inScope func() error) (bool, error) {
	if c.FormValue("confirmed") == "1" {
		return true, nil
	}
	if inScope != nil {
		if err := inScope(); err != nil {
			return false, err
		}
	}
	form, err := c.FormParams()
	if err != nil {
		return false, err
	}
	conf := components.Confirmation{Question: question, Action: c.Request().URL.RequestURI(), Label: label, BackURL: safeNext(back)}
	if conf.BackURL == "" {
		conf.BackURL = reverse(c, active)
	}
	names := make([]string, 0, len(form))
	for k := range form {
		if k != "_csrf" && k != "confirmed" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range form[k] {
			conf.Hidden = append(conf.Hidden, components.Option{Value: k, Label: v})
		}
	}
	return false, a.render(c, http.StatusOK, layouts.WorkspacePanel(a.shell(c, "请确认", active), components.ConfirmPanel(conf)), nil)
}
