package handlers

import (
	"errors"
	"examcert/handlers/routes"
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/internal/photo"
	"examcert/views/pages"
)

// PhotoTool is the public 一寸照片生成 page: the photo pipeline as a service, for anyone; nothing is stored.
type PhotoTool struct{ *App }

func (h *PhotoTool) page(c echo.Context) pages.PhotoTool {
	return pages.PhotoTool{Action: reverse(c, routes.PhotoToolSubmit), SpecText: photoSpecText(photo.Standard),
		LoginURL: reverse(c, routes.AuthLogin)}
}

// Page shows the upload form.
func (h *PhotoTool) Page(c echo.Context) error {
	return h.render(c, http.StatusOK, pages.PhotoToolPage(h.page(c)), nil)
}

// Submit processes the upload and sends the result back as a download.
func (h *PhotoTool) Submit(c echo.Context) error {
	res, err := h.processUpload(c)
	var pe *photo.Error
	if errors.As(err, &pe) {
		p := h.page(c)
		p.Error = pe.Error()
		return h.render(c, http.StatusOK, pages.PhotoToolPage(p), nil)
	}
	if err != nil {
		return err
	}
	return sendDownload(c, "image/jpeg", "photo-295x413.jpg", "一寸照片.jpg", res.JPEG)
}
