package handlers_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// postMultipart posts a multipart body of unknown length (sent chunked, as a browser streaming a file may),
// with the CSRF token as the form's first field.
func (c *client) postMultipart(path string, write func(*multipart.Writer)) (int, string) {
	c.e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("_csrf", c.csrf())
		write(mw)
		_ = mw.Close()
		_ = pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, io.NopCloser(pr)) // no length: chunked
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestOverLimitBodiesAre413WithTheRoutesMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("jianshe")
	// An 11 MB spreadsheet, chunked: 413 with the import's own message, not 403 页面已过期.
	status, body := c.postMultipart("/registrations/batch/import", func(mw *multipart.Writer) {
		w, _ := mw.CreateFormFile("file", "big.xlsx")
		_, _ = w.Write(bytes.Repeat([]byte("x"), 11<<20))
	})
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "文件不能超过10MB") {
		t.Errorf("chunked 11 MB import: %d %q", status, excerpt(body))
	}
	// More parts than Go reads (1,000): 413 saying so.
	status, body = c.postMultipart("/registrations/batch/photos", func(mw *multipart.Writer) {
		for i := 0; i < 1100; i++ {
			w, _ := mw.CreateFormFile("photos", strconv.Itoa(i)+".jpg")
			_, _ = w.Write([]byte("x"))
		}
	})
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "最多1000个") {
		t.Errorf("1,100 parts: %d %q", status, excerpt(body))
	}
	// A plain form over the default 1 MB, chunked.
	status, body = c.postMultipart("/account/password", func(mw *multipart.Writer) {
		_ = mw.WriteField("old_password", strings.Repeat("x", 2<<20))
	})
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB password form: %d %q", status, excerpt(body))
	}
}

func excerpt(s string) string {
	if i := strings.Index(s, `class="alert`); i >= 0 {
		s = s[i:]
	}
	return s[:min(len(s), 200)]
}
