package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"examcert/internal/config"
	"examcert/static"
)

// raw sends one request straight to the app (no client decompression) and returns the response.
func (e *env) raw(method, path string, header http.Header) *http.Response {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.app.ServeHTTP(w, r)
	return w.Result()
}

func TestStaticFilesCompressedAndCachedOnlyWhenFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plain, _ := static.Files.ReadFile(static.HTMX)
	url := static.URL(static.HTMX)
	for _, c := range []struct {
		accept, encoding string
		decode           func(io.Reader) io.Reader
	}{
		{"gzip, deflate, br", "br", func(r io.Reader) io.Reader { return brotli.NewReader(r) }},
		{"gzip, deflate", "gzip", func(r io.Reader) io.Reader { z, _ := gzip.NewReader(r); return z }},
		{"br;q=0, gzip", "gzip", func(r io.Reader) io.Reader { z, _ := gzip.NewReader(r); return z }},
		{"", "", func(r io.Reader) io.Reader { return r }},
	} {
		res := e.raw(http.MethodGet, url, http.Header{"Accept-Encoding": {c.accept}})
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != c.encoding {
			t.Fatalf("Accept-Encoding %q: %d, Content-Encoding %q", c.accept, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		got, err := io.ReadAll(c.decode(bytes.NewReader(body)))
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("Accept-Encoding %q: the body does not decode to the file (%v)", c.accept, err)
		}
		if c.encoding != "" && len(body) > len(plain)/2 {
			t.Errorf("%s: %d bytes for a %d-byte file", c.encoding, len(body), len(plain))
		}
		if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("versioned file: Cache-Control %q, Vary %q", res.Header.Get("Cache-Control"), res.Header.Get("Vary"))
		}
	}
	// Without the current version the file may not be kept for a year; a missing file is never cached.
	if res := e.raw(http.MethodGet, "/static/app.css?v=old", nil); strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("an old version is cached as immutable: %q", res.Header.Get("Cache-Control"))
	}
	for _, p := range []string{"/static/nothing.js", "/static/nothing.js?v=1", "/static/../go.mod", "/static/"} {
		res := e.raw(http.MethodGet, p, nil)
		if res.StatusCode != http.StatusNotFound || strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
			t.Errorf("%s: %d, Cache-Control %q; want 404 that is not cached", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	// A browser that has the file gets 304.
	res := e.raw(http.MethodGet, url, http.Header{"If-None-Match": {e.raw(http.MethodGet, url, nil).Header.Get("ETag")}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", res.StatusCode)
	}
}

// A first visit to the sign-in page, with an empty cache, transfers at most 30 KB: the page and everything it links.
func TestColdFirstPageIsSmall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	accept := http.Header{"Accept-Encoding": {"gzip, deflate, br"}}
	res := e.raw(http.MethodGet, "/login", accept)
	page, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("the page is not compressed: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	html, _ := io.ReadAll(func() io.Reader { z, _ := gzip.NewReader(bytes.NewReader(page)); return z }())
	total := len(page)
	for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(string(html), -1) {
		r := e.raw(http.MethodGet, strings.ReplaceAll(m[1], "&amp;", "&"), accept)
		b, _ := io.ReadAll(r.Body)
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", m[1], r.StatusCode)
		}
		total += len(b)
	}
	if total > 30*1024 {
		t.Errorf("a cold first page transfers %d bytes, want ≤ 30 KB", total)
	}
	t.Logf("cold first page: %d bytes transferred", total)
}

func TestRequestIDIsTheServersOwn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	forged := strings.Repeat("x", 500)
	res := e.raw(http.MethodGet, "/login", http.Header{"X-Request-Id": {forged}})
	rid := res.Header.Get("X-Request-Id")
	if rid == "" || rid == forged || len(rid) > 64 {
		t.Errorf("a client's X-Request-Id was taken: %q", rid)
	}
	if other := e.raw(http.MethodGet, "/login", nil).Header.Get("X-Request-Id"); other == rid {
		t.Error("two requests got the same id")
	}
	// From a trusted proxy, a short token is believed; a long or odd one is not.
	proxied := newEnv(t, func(c *config.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")} })
	for _, c := range []struct {
		sent string
		kept bool
	}{{"abc-123.x_y", true}, {strings.Repeat("a", 65), false}, {"a b<script>", false}} {
		r := httptest.NewRequest(http.MethodGet, "/login", nil)
		r.RemoteAddr = "192.0.2.7:4000"
		r.Header.Set("X-Request-Id", c.sent)
		w := httptest.NewRecorder()
		proxied.app.ServeHTTP(w, r)
		if got := w.Header().Get("X-Request-Id"); (got == c.sent) != c.kept {
			t.Errorf("from a trusted proxy, X-Request-Id %q → %q", c.sent, got)
		}
	}
}
