package handlers

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
)

// serveBlob streams the stored blob under key to the client, never reading it whole: http.ServeContent sends its
// length (the store knows it), answers HEAD and Range requests, and copies through a small buffer. disposition is
// the Content-Disposition (inline for a photo, attachmentDisposition for a download). Unknown keys are the store's
// ErrNotFound, which the error handler answers with 404.
func (a *App) serveBlob(c echo.Context, key, contentType, disposition string) error {
	b, err := a.Blobs.Open(c.Request().Context(), key)
	if err != nil {
		return err
	}
	defer b.Close()
	h := c.Response().Header()
	h.Set("Content-Type", contentType) // set, so ServeContent does not sniff
	h.Set("Content-Disposition", disposition)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, b)
	return nil
}

// attachmentDisposition names a download: a plain-ASCII name for old clients and the UTF-8 name (RFC 6266).
func attachmentDisposition(asciiName, utf8Name string) string {
	return `attachment; filename="` + asciiName + `"; filename*=UTF-8''` + url.PathEscape(utf8Name)
}
