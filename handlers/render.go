package handlers

import (
	"bytes"
	"examcert/handlers/routes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// isHTMX says whether the request was made by htmx (and so wants a fragment).
func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

// wantsFragment: an htmx request that is not boosted and not a history restore gets only the fragment.
func wantsFragment(c echo.Context) bool {
	h := c.Request().Header
	return isHTMX(c) && h.Get("HX-Boosted") == "" && h.Get("HX-History-Restore-Request") == ""
}

// render is the one way a response body is produced: the fragment for htmx, the full page otherwise, and always
// Vary: HX-Request so no cache mixes the two. fragment may be nil when a page has no smaller part.
func (a *App) render(c echo.Context, status int, full, fragment templ.Component) error {
	c.Response().Header().Add("Vary", "HX-Request")
	comp := full
	if fragment != nil && wantsFragment(c) {
		comp = fragment
	}
	a.withCSRF(c)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	if c.Request().Method == http.MethodHead {
		return c.NoContent(status)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// reverse is the path of a named route with its parameters. Names are routes constants, never literals.
func reverse(c echo.Context, name routes.Name, params ...any) string {
	return c.Echo().Reverse(string(name), params...)
}
