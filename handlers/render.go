package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"examcert/handlers/routes"

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
	// With its length known, a page goes out in one piece instead of chunks (compressPages drops it when it gzips).
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	c.Set(ctxRendered, status == http.StatusOK)
	return c.HTMLBlob(status, buf.Bytes())
}

// reverse is the path of a named route with its parameters. Names are routes constants, never literals.
func reverse(c echo.Context, name routes.Name, params ...any) string {
	if paths, ok := routePaths.Load(c.Echo()); ok {
		if path, ok := paths.(map[string]string)[string(name)]; ok {
			return fillPath(path, params)
		}
	}
	return c.Echo().Reverse(string(name), params...)
}

// routePaths holds each server's route paths by name (map[string]string by *echo.Echo), filled once its routes
// are registered: echo's Reverse walks every route on each call, 13 % of a list page's CPU with its 30 links.
var routePaths sync.Map

// keepRoutePaths fills routePaths for e. A name given to two paths is left out (echo's Reverse decides those).
func keepRoutePaths(e *echo.Echo) {
	paths, twice := map[string]string{}, map[string]bool{}
	for _, r := range e.Routes() {
		if p, ok := paths[r.Name]; ok && p != r.Path {
			twice[r.Name] = true
		}
		paths[r.Name] = r.Path
	}
	for name := range twice {
		delete(paths, name)
	}
	routePaths.Store(e, paths)
}

// fillPath puts params, in order, in place of path's :name and * segments, as echo's Reverse does.
func fillPath(path string, params []any) string {
	if !strings.ContainsAny(path, ":*\\") {
		return path
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(path); i++ {
		escaped := path[i] == '\\'
		if escaped && i+1 < len(path) && path[i+1] == ':' {
			i++ // \: is a literal colon
		}
		if n < len(params) && (path[i] == '*' || (!escaped && path[i] == ':')) {
			for i < len(path) && path[i] != '/' {
				i++
			}
			fmt.Fprint(&b, params[n])
			n++
		}
		if i < len(path) {
			b.WriteByte(path[i])
		}
	}
	return b.String()
}
