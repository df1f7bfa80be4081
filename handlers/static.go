package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"examcert/static"
)

// serveStatic serves an embedded file, brotli- or gzip-compressed when the browser takes it. Only a file asked for
// with its current version (?v=, as every page links it) may be cached for a year; a 404 is never cached.
func serveStatic(c echo.Context) error {
	f, ok := static.Lookup(strings.TrimPrefix(c.Param("*"), "/"))
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	h.Set("Vary", "Accept-Encoding")
	if c.QueryParam("v") == f.Version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	etag := `"` + f.Version + `"`
	h.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	body, accept := f.Body, c.Request().Header.Get("Accept-Encoding")
	switch {
	case f.Brotli != nil && acceptsEncoding(accept, "br"):
		body = f.Brotli
		h.Set("Content-Encoding", "br")
	case f.Gzip != nil && acceptsEncoding(accept, "gzip"):
		body = f.Gzip
		h.Set("Content-Encoding", "gzip")
	}
	return c.Blob(http.StatusOK, f.Type, body)
}

// acceptsEncoding says whether an Accept-Encoding header takes enc (and does not refuse it with q=0).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), enc) {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
