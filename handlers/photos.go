package handlers

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/internal/photo"
	"examcert/models"
	"examcert/views/pages"
)

// Photos: every 一寸照片 goes through the photo pipeline (content sniffed, dimensions checked before decoding,
// orientation applied, cropped to 5:7, resized to 295×413, re-encoded without metadata) and is stored in the blob
// store under a random key. It is served only to whoever may see that person, never cached.

// photoBodyLimit admits a 10 MB photo plus the form around it.
const photoBodyLimit = photo.MaxUploadBytes + 512<<10

var photoNotices = map[string]string{"ok": "照片上传成功"}

func photoSpecText(s photo.Spec) string {
	return "照片将自动裁剪为5:7并调整为" + strconv.Itoa(s.Width) + "×" + strconv.Itoa(s.Height) +
		"像素（一寸，300dpi）的JPG文件，原图中的拍摄信息（如位置）会被去除。请使用白色或浅色纯色背景的正面免冠彩色照片。"
}

func (a *App) photoPanel(uploadURL, notice string) *pages.PhotoPanel {
	return &pages.PhotoPanel{UploadURL: uploadURL, Success: photoNotices[notice], SpecText: photoSpecText(photo.Standard)}
}

// readCrop reads the optional crop box; all four fields or none.
func readCrop(c echo.Context) (photo.Crop, error) {
	vals := []string{c.FormValue("crop_x"), c.FormValue("crop_y"), c.FormValue("crop_w"), c.FormValue("crop_h")}
	if vals[0] == "" && vals[1] == "" && vals[2] == "" && vals[3] == "" {
		return photo.Crop{}, nil
	}
	var n [4]int
	for i, v := range vals {
		x, err := strconv.Atoi(v)
		if err != nil || x < 0 {
			return photo.Crop{}, &photo.Error{Msg: "裁剪区域须填写4个非负整数（左边距、上边距、宽度、高度），或全部留空"}
		}
		n[i] = x
	}
	return photo.Crop{X: n[0], Y: n[1], W: n[2], H: n[3]}, nil
}

// processUpload runs the uploaded file "photo" through the pipeline. A *photo.Error is for the user.
func (a *App) processUpload(c echo.Context) (photo.Result, error) {
	fh, err := c.FormFile("photo")
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return photo.Result{}, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "照片文件不能超过10MB")
	}
	if err != nil {
		return photo.Result{}, &photo.Error{Msg: "请选择照片文件"}
	}
	crop, err := readCrop(c)
	if err != nil {
		return photo.Result{}, err
	}
	return processFile(fh, crop)
}

// formPhoto is the photo a form (报名表, 证书变更申请表) brought: a stored file (key) — stored by this request (fresh)
// or kept from an earlier showing of the form — or a file that could not be used (problem, for beside the field).
type formPhoto struct {
	key     string
	fresh   bool
	size    int
	problem string
}

func (p formPhoto) input() models.FormPhoto {
	return models.FormPhoto{Key: p.key, Size: p.size, Kept: p.key != "" && !p.fresh, Problem: p.problem}
}

// readUploadedPhoto takes the photo of a submitted form: a new file "photo" through the pipeline with spec, stored
// at once (the caller deletes it if the form fails), or else the kept upload named by photo_token, if it is the
// account's own and still stored (anything else: as if no photo was chosen).
func (a *App) readUploadedPhoto(c echo.Context, spec photo.Spec) (formPhoto, error) {
	ctx := c.Request().Context()
	fh, err := c.FormFile("photo")
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return formPhoto{}, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "照片文件不能超过10MB")
	}
	if err == nil {
		crop, err := readCrop(c)
		var res photo.Result
		if err == nil {
			res, err = processFileSpec(fh, crop, spec)
		}
		var pe *photo.Error
		if errors.As(err, &pe) {
			return formPhoto{problem: pe.Error()}, nil
		}
		if err != nil {
			return formPhoto{}, err
		}
		key, err := a.Blobs.Put(ctx, res.JPEG)
		return formPhoto{key: key, fresh: true, size: len(res.JPEG)}, err
	}
	key := c.FormValue("photo_token")
	if key == "" {
		return formPhoto{}, nil
	}
	mine, err := models.PhotoUploadOf(ctx, a.DB, currentAccount(c).ID, key)
	if err != nil || !mine {
		return formPhoto{}, err // someone else's, expired or made up
	}
	size, err := a.storedSize(ctx, key)
	if err != nil || size == 0 {
		return formPhoto{}, err
	}
	return formPhoto{key: key, size: size}, nil
}

// keepUploadedPhoto records a new photo of a form shown again as kept for this account only (named by photo_token
// next time, so it is not asked for again); if that fails, its file is deleted.
func (a *App) keepUploadedPhoto(c echo.Context, p *formPhoto) error {
	if !p.fresh {
		return nil // nothing new; a kept photo is already named in the form
	}
	ctx := c.Request().Context()
	if err := models.KeepPhotoUpload(ctx, a.DB, currentAccount(c).ID, p.key); err != nil {
		_ = a.Blobs.Delete(ctx, p.key)
		return err
	}
	p.fresh = false
	return nil
}

// photoSlots bounds how many photos are decoded at once: a 12-megapixel photo takes ~30 MB and half a second of
// a core, and a crafted header can make a decoder allocate far more before failing.
var photoSlots = make(chan struct{}, 2)

func processFile(fh *multipart.FileHeader, crop photo.Crop) (photo.Result, error) {
	return processFileSpec(fh, crop, photo.Standard)
}

func processFileSpec(fh *multipart.FileHeader, crop photo.Crop, spec photo.Spec) (photo.Result, error) {
	f, err := fh.Open()
	if err != nil {
		return photo.Result{}, err
	}
	defer f.Close()
	return processPhoto(f, spec, crop)
}

// processPhoto runs the pipeline in one of the photoSlots.
func processPhoto(r io.Reader, spec photo.Spec, crop photo.Crop) (photo.Result, error) {
	photoSlots <- struct{}{}
	defer func() { <-photoSlots }()
	return photo.Process(r, spec, crop)
}

// storePhoto saves a processed photo as the person's, replacing the old one (deleted after the commit unless a
// registration still names it).
func (a *App) storePhoto(c echo.Context, personID int64, res photo.Result) error {
	ctx := c.Request().Context()
	key, err := a.Blobs.Put(ctx, res.JPEG)
	if err != nil {
		return err
	}
	replaced, err := models.SetPersonPhoto(ctx, a.DB, actor(c), personID, key)
	if err != nil {
		_ = a.Blobs.Delete(ctx, key)
		return err
	}
	a.releaseBlob(ctx, replaced)
	return nil
}

// releaseBlob deletes a stored file that nothing names any more (a registration may share its person's photo).
// Failing to delete is only logged: the change that let go of the file is already saved.
func (a *App) releaseBlob(ctx context.Context, key string) {
	if key == "" {
		return
	}
	inUse, err := models.BlobInUse(ctx, a.DB, key)
	if err == nil && !inUse {
		err = a.Blobs.Delete(ctx, key)
	}
	if err != nil {
		a.Log.Warn("stored file not deleted", "error", err)
	}
}

// servePhoto sends a person's stored photo: nosniff, no-store, a fixed file name.
func (a *App) servePhoto(c echo.Context, p *models.Person) error {
	if p.PhotoKey == "" {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return a.serveBlob(c, p.PhotoKey, "image/jpeg", `inline; filename="photo.jpg"`)
}

// Photo serves one of the organization's people's photo.
func (h *People) Photo(c echo.Context) error {
	p, err := h.person(c)
	if err != nil {
		return err
	}
	return h.servePhoto(c, p)
}

// UploadPhoto replaces the photo of one of the organization's people whose record it may change (else 404).
func (h *People) UploadPhoto(c echo.Context) error {
	p, err := h.personToEdit(c)
	if err != nil {
		return err
	}
	res, err := h.processUpload(c)
	var pe *photo.Error
	if errors.As(err, &pe) {
		d, err := h.detailPage(c, p, "")
		if err != nil {
			return err
		}
		d.Photo.Error = pe.Error()
		return h.render(c, http.StatusOK, pages.PersonDetailPage(d), nil)
	}
	if err != nil {
		return err
	}
	if err := h.storePhoto(c, p.ID, res); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.url(c, h.names.Detail, p.ID)+"?photo=ok")
}
