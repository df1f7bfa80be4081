//go:build testhooks

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/models"
)

// registerTestHooks exists only in binaries built with -tags testhooks (the browser suite): it tells the answer
// of a captcha so a test can sign in as a training institution or an admin. The shipped binary has no such route.
func (a *App) registerTestHooks(e *echo.Echo) {
	e.GET("/_test/captcha/:id", func(c echo.Context) error {
		digits := models.CaptchaStore{DB: a.DB}.Get(c.Param("id"), false)
		if digits == nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		b := make([]byte, len(digits))
		for i, d := range digits {
			b[i] = '0' + d
		}
		return c.String(http.StatusOK, string(b))
	}).Name = "testhook.captcha"
}
