package handlers_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testPhoto draws a w×h picture: a grey background with a darker "head" so it is not flat.
func testPhoto(t testing.TB, w, h int, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{230, 230, 235, 255}
			if dx, dy := x-w/2, y-h/2; dx*dx+dy*dy < (w/4)*(w/4) {
				c = color.RGBA{uint8(120 + x%50), 90, 80, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a multipart form with one file (field "photo") and the CSRF token scraped from formPage.
func (c *client) upload(formPage, action, filename string, data []byte, fields map[string]string) *page {
	c.e.t.Helper()
	return c.uploadHX(formPage, action, filename, data, fields, false)
}

// uploadHX is upload, sent by htmx when hx is set.
func (c *client) uploadHX(formPage, action, filename string, data []byte, fields map[string]string, hx bool) *page {
	c.e.t.Helper()
	p := c.get(formPage)
	tok, _ := p.Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", tok)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("photo", filename)
		_, _ = fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+action, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pg := &page{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	pg.Doc, _ = goqueryDoc(string(b))
	return pg
}

func multipartTempFiles(t *testing.T) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(os.TempDir(), "multipart-*"))
	return m
}

func TestProfilePhotoUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before := len(multipartTempFiles(t))
	c := e.client().signIn("zhangsan")
	// A file that is not an image, whatever its name says.
	p := c.upload("/profile", "/profile/photo", "photo.jpg", []byte("this is not a picture at all"), nil)
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`#photo-panel [data-testid="alert-error"]`), "JPG或PNG") {
		t.Fatalf("text file: %d %q", p.Status, p.Text(`#photo-panel [data-testid="alert-error"]`))
	}
	// A bad crop box.
	p = c.upload("/profile", "/profile/photo", "p.png", testPhoto(t, 800, 1000, "png"), map[string]string{"crop_x": "700", "crop_y": "0", "crop_w": "500", "crop_h": "700"})
	if p.Text(`#photo-panel [data-testid="alert-error"]`) == "" {
		t.Error("a crop box outside the picture was accepted")
	}
	// A real photo, with a user's path-like file name that must not matter.
	p = c.upload("/profile", "/profile/photo", "../../etc/passwd.png", testPhoto(t, 800, 1000, "png"), nil)
	if p.Status != http.StatusSeeOther || p.Location() != "/profile?photo=ok" {
		t.Fatalf("upload: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	page := c.get("/profile?photo=ok")
	if page.Text(`#photo-panel [data-testid="alert-ok"]`) != "照片上传成功" {
		t.Errorf("notice: %q", page.Text(`#photo-panel [data-testid="alert-ok"]`))
	}
	src, ok := page.Doc.Find(`[data-testid="photo-img"]`).Attr("src")
	if !ok {
		t.Fatal("no photo shown")
	}
	img := c.get(src)
	if img.Header.Get("Content-Type") != "image/jpeg" || img.Header.Get("X-Content-Type-Options") != "nosniff" || img.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("photo headers: %v", img.Header)
	}
	cfg, err := jpeg.DecodeConfig(strings.NewReader(img.Body))
	if err != nil || cfg.Width != 295 || cfg.Height != 413 {
		t.Fatalf("stored photo: %v %+v", err, cfg)
	}
	// Nobody else gets it: another practitioner has their own (none yet), an enterprise without him on staff 404.
	if p := e.client().signIn("lisi").get("/profile/photo"); p.Status != http.StatusNotFound {
		t.Errorf("lisi's photo: %d", p.Status)
	}
	id := strconv.FormatInt(e.person(demoCode("zhangsan")).ID, 10)
	if p := e.client().signIn("jianshe").get("/staff/" + id + "/photo"); p.Status != http.StatusNotFound {
		t.Errorf("enterprise gets a non-staff photo: %d", p.Status)
	}
	if after := len(multipartTempFiles(t)); after > before {
		t.Errorf("multipart temp files left: %d → %d", before, after)
	}
}

func TestStaffPhotoAndPublicTool(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("jianshe")
	idn := newID(8)
	addPerson(t, c, "/staff", idn, "吴十一")
	id := strconv.FormatInt(e.person(idn).ID, 10)
	p := c.upload("/staff/"+id, "/staff/"+id+"/photo", "x.jpg", testPhoto(t, 1200, 900, "jpeg"), nil)
	if p.Location() != "/staff/"+id+"?photo=ok" {
		t.Fatalf("staff photo: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	detail := c.get("/staff/" + id)
	if n := detail.Doc.Find(`[data-testid="photo-none"]`).Length(); n != 0 {
		t.Errorf("详细 with a photo on record also says 尚未上传照片")
	}
	src, _ := detail.Doc.Find(`[data-testid="photo-img"]`).Attr("src")
	if cfg, err := jpeg.DecodeConfig(strings.NewReader(c.get(src).Body)); err != nil || cfg.Width != 295 || cfg.Height != 413 {
		t.Fatalf("staff photo: %v %+v", err, cfg)
	}
	// The public tool: anyone, nothing stored.
	anon := e.client()
	p = anon.upload("/photo-tool", "/photo-tool", "me.png", testPhoto(t, 700, 980, "png"), nil)
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("photo tool: %d %v", p.Status, p.Header)
	}
	if cfg, err := jpeg.DecodeConfig(strings.NewReader(p.Body)); err != nil || cfg.Width != 295 || cfg.Height != 413 {
		t.Fatalf("photo tool output: %v %+v", err, cfg)
	}
	p = anon.upload("/photo-tool", "/photo-tool", "me.png", nil, nil)
	if p.Text(`[data-testid="alert-error"]`) != "请选择照片文件" {
		t.Errorf("no file: %q", p.Text(`[data-testid="alert-error"]`))
	}
	// Over the route's body limit: 413 before anything is read.
	big := bytes.Repeat([]byte{0xff}, 12<<20)
	if p := anon.upload("/photo-tool", "/photo-tool", "big.jpg", big, nil); p.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("12 MB upload: %d", p.Status)
	}
}
