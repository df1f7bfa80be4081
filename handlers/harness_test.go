package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"golang.org/x/crypto/bcrypt"

	"examcert/handlers"
	"examcert/internal/blobstore"
	"examcert/internal/config"
	"examcert/internal/dbtest"
	"examcert/internal/password"
	"examcert/models"
	"examcert/models/demo"
)

func TestMain(m *testing.M) {
	password.Cost = bcrypt.MinCost // the tests check logic, not hashing speed
	code := m.Run()
	os.Exit(code)
}

// env is one server on a fresh database, reached over real HTTP.
type env struct {
	t   testing.TB
	db  *bun.DB
	app *handlers.App
	srv *httptest.Server
}

// newEnv starts a server with demo data; tweak may change the settings first.
func newEnv(t testing.TB, tweak ...func(*config.Config)) *env {
	t.Helper()
	e := newEmptyEnv(t, tweak...)
	if _, err := demo.SeedWithoutCertificates(context.Background(), e.db); err != nil {
		t.Fatal(err)
	}
	return e
}

// newEmptyEnv starts a server on a database with no accounts at all.
func newEmptyEnv(t testing.TB, tweak ...func(*config.Config)) *env {
	t.Helper()
	db := dbtest.Open(t)
	cfg := config.Default()
	cfg.LoginRate, cfg.LoginBurst = 100000, 100000
	for _, f := range tweak {
		f(&cfg)
	}
	app := handlers.New(db, testBlobs(t, db), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, app: app, srv: srv}
}

// client is one browser: its own cookies, no automatic redirects.
type client struct {
	e    *env
	http *http.Client
	// Header is added to every request (e.g. X-Forwarded-For).
	Header http.Header
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, Header: http.Header{}, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response, its body read and parsed.
type page struct {
	Status int
	Header http.Header
	Body   string
	Doc    *goquery.Document
}

// Text returns the trimmed text of the first element matching sel.
func (p *page) Text(sel string) string { return strings.TrimSpace(p.Doc.Find(sel).First().Text()) }

// Location is the redirect target (303) or the HX-Redirect target (htmx).
func (p *page) Location() string {
	if l := p.Header.Get("Location"); l != "" {
		return l
	}
	return p.Header.Get("HX-Redirect")
}

func (c *client) do(method, path string, form url.Values, hx bool, extra http.Header) *page {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		c.e.t.Fatal(err)
	}
	return &page{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Doc: doc}
}

func (c *client) get(path string) *page   { return c.do(http.MethodGet, path, nil, false, nil) }
func (c *client) getHX(path string) *page { return c.do(http.MethodGet, path, nil, true, nil) }

// submit GETs formPage, scrapes the CSRF token from it (as a browser would have it), and POSTs form to action.
func (c *client) submit(formPage, action string, form url.Values) *page {
	c.e.t.Helper()
	return c.submitHX(formPage, action, form, false)
}

func (c *client) submitHX(formPage, action string, form url.Values, hx bool) *page {
	c.e.t.Helper()
	p := c.get(formPage)
	tok, ok := p.Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if !ok {
		c.e.t.Fatalf("no CSRF field on %s (status %d)", formPage, p.Status)
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", tok)
	return c.do(http.MethodPost, action, f, hx, nil)
}

// csrf returns this browser's CSRF token (the cookie), getting one first if needed.
func (c *client) csrf() string {
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "examcert_csrf" {
			return ck.Value
		}
	}
	c.get("/login")
	return c.csrf()
}

func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// login posts the sign-in form, solving the captcha by reading its answer from the database.
func (c *client) login(username, pw string) *page {
	c.e.t.Helper()
	p := c.get("/login")
	tok, _ := p.Doc.Find(`input[name="_csrf"]`).Attr("value")
	capID, _ := p.Doc.Find(`input[name="captcha_id"]`).Attr("value")
	return c.do(http.MethodPost, "/login", url.Values{"_csrf": {tok}, "username": {username}, "password": {pw},
		"captcha_id": {capID}, "captcha_answer": {c.e.captchaAnswer(capID)}}, false, nil)
}

// loginNoCaptcha posts the sign-in form leaving the captcha empty.
func (c *client) loginNoCaptcha(username, pw string) *page {
	c.e.t.Helper()
	return c.submit("/login", "/login", url.Values{"username": {username}, "password": {pw}})
}

// signIn signs in and fails the test unless it worked.
func (c *client) signIn(username string) *client {
	c.e.t.Helper()
	p := c.login(username, demo.Password)
	if p.Status != http.StatusSeeOther {
		c.e.t.Fatalf("sign-in as %s: status %d, error %q", username, p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	return c
}

func (e *env) captchaAnswer(id string) string {
	e.t.Helper()
	var digits string
	err := e.db.NewSelect().Model((*models.Captcha)(nil)).Column("digits").Where("id = ?", id).Scan(context.Background(), &digits)
	if err != nil {
		e.t.Fatalf("captcha %q: %v", id, err)
	}
	return digits
}

func (e *env) account(username string) *models.Account {
	e.t.Helper()
	a := new(models.Account)
	if err := e.db.NewSelect().Model(a).Where("username = ?", username).Scan(context.Background()); err != nil {
		e.t.Fatalf("account %s: %v", username, err)
	}
	return a
}

// auditEvents returns the audit rows of one event name, oldest first.
func (e *env) auditEvents(event string) []models.AuditEvent {
	e.t.Helper()
	var evs []models.AuditEvent
	if err := e.db.NewSelect().Model(&evs).Where("event = ?", event).OrderExpr("id").Scan(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func demoCode(username string) string {
	for _, a := range demo.Accounts() {
		if a.Username == username {
			return a.Code
		}
	}
	return ""
}

type goquerySelection = goquery.Selection
type echoCtx = echo.Context

type bunTx = bun.Tx

func goqueryDoc(s string) (*goquery.Document, error) {
	return goquery.NewDocumentFromReader(strings.NewReader(s))
}

// testBlobs is the store a server of the tests keeps files in, as the product chooses (--blob-store auto): the
// database's tables on PostgreSQL (a sibling then sees its files), a folder of its own on SQLite.
func testBlobs(t testing.TB, db *bun.DB) blobstore.Store {
	t.Helper()
	if db.Dialect().Name() == dialect.PG {
		return blobstore.NewDB(db)
	}
	blobs, err := blobstore.NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return blobs
}

// sibling starts a second server on the same database (as a second process would be), with its own sessions
// cache, rate limiters and blob folder.
func (e *env) sibling(t testing.TB) *env {
	t.Helper()
	cfg := e.app.Cfg
	app := handlers.New(e.db, testBlobs(t, e.db), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return &env{t: e.t, db: e.db, app: app, srv: srv}
}
