package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"examcert/internal/config"
	"examcert/models"
	"examcert/models/demo"
)

func (e *env) captchaRows() int64 {
	e.t.Helper()
	n, err := e.db.NewSelect().Model((*models.Captcha)(nil)).Count(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestAnonymousPageLoadsDoNotFillTheCaptchaTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := 0; i < 800; i++ {
		resp := e.raw(http.MethodGet, "/login", nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /login #%d: %d", i+1, resp.StatusCode)
		}
	}
	if n := e.captchaRows(); n > 12 {
		t.Errorf("800 anonymous GET /login made %d captcha rows; want a handful", n)
	}
	// The captcha shown is still one that works: an admin signs in with it.
	if p := e.client().login("admin", demo.Password); p.Status != http.StatusSeeOther {
		t.Errorf("admin sign-in after the flood: %d %q", p.Status, p.Text(`[data-testid="error-captcha"]`))
	}
}

func TestTooManySignInsShowTheForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.LoginRate, c.LoginBurst = 1, 10 })
	var p *page
	for i := 0; i < 11; i++ {
		p = e.client().login("zhangsan", demo.Password) // a new browser each time, from the same address
	}
	if p.Status != http.StatusTooManyRequests {
		t.Fatalf("11th quick sign-in: %d; want 429", p.Status)
	}
	if got := p.Text(`[data-testid="alert-error"]`); got != "登录尝试过于频繁，请稍后再试" {
		t.Errorf("message: %q", got)
	}
	if p.Doc.Find(`[data-testid="login-form"]`).Length() != 1 {
		t.Error("the 429 answer is not the sign-in form")
	}
	if v, _ := p.Doc.Find(`input[name="username"]`).Attr("value"); v != "zhangsan" {
		t.Errorf("用户名 after 429: %q", v)
	}
	if got := e.auditEvents(models.EventLoginFailed); len(got) != 1 || got[0].Result != "rate_limited" {
		t.Errorf("audit rows: %+v; want one rate_limited", got)
	}
}

func TestCaptchaRefreshWithoutJavaScriptKeepsTheName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	lp := c.get("/login")
	tok, _ := lp.Doc.Find(`input[name="_csrf"]`).Attr("value")
	before, _ := lp.Doc.Find(`input[name="captcha_id"]`).Attr("value")
	btn := lp.Doc.Find(`[data-testid="captcha-reload"]`)
	if name, _ := btn.Attr("name"); name != "refresh_captcha" || btn.Closest("form").Length() != 1 {
		t.Fatalf("换一张 is not a button of the form: %v", btn.Nodes)
	}
	p := c.do(http.MethodPost, "/login", url.Values{"_csrf": {tok}, "username": {"peixun"}, "password": {""},
		"captcha_id": {before}, "captcha_answer": {""}, "refresh_captcha": {"1"}}, false, nil)
	if p.Status != http.StatusOK {
		t.Fatalf("换一张: %d", p.Status)
	}
	if v, _ := p.Doc.Find(`input[name="username"]`).Attr("value"); v != "peixun" {
		t.Errorf("用户名 after 换一张: %q", v)
	}
	after, _ := p.Doc.Find(`input[name="captcha_id"]`).Attr("value")
	if after == "" || after == before {
		t.Errorf("captcha after 换一张: %q (before %q)", after, before)
	}
	if p.Text(`[data-testid="alert-error"]`) != "" || p.Text(`[data-testid="error-captcha"]`) != "" {
		t.Errorf("换一张 shows an error: %q %q", p.Text(`[data-testid="alert-error"]`), p.Text(`[data-testid="error-captcha"]`))
	}
	if n := len(e.auditEvents(models.EventLoginFailed)); n != 0 {
		t.Errorf("换一张 counted as %d failed sign-ins", n)
	}
	if p.Doc.Find(`#captcha .req`).Length() == 0 {
		t.Error("a training institution's captcha is not marked required after 换一张")
	}
	// The new captcha signs in.
	tok, _ = p.Doc.Find(`input[name="_csrf"]`).Attr("value")
	q := c.do(http.MethodPost, "/login", url.Values{"_csrf": {tok}, "username": {"peixun"}, "password": {demo.Password},
		"captcha_id": {after}, "captcha_answer": {e.captchaAnswer(after)}}, false, nil)
	if q.Status != http.StatusSeeOther {
		t.Errorf("sign-in with the new captcha: %d %q", q.Status, q.Text(`[data-testid="error-captcha"]`))
	}
	// With htmx, 换一张 replaces the shown captcha (no row is left behind for it).
	lp = e.client().get("/login")
	id, _ := lp.Doc.Find(`input[name="captcha_id"]`).Attr("value")
	hx := e.client().getHX("/login/captcha?captcha_id=" + url.QueryEscape(id))
	if v, _ := hx.Doc.Find(`input[name="captcha_id"]`).Attr("value"); v == "" || v == id {
		t.Errorf("htmx 换一张 gave %q", v)
	}
	if n, _ := e.db.NewSelect().Model((*models.Captcha)(nil)).Where("id = ?", id).Count(context.Background()); n != 0 {
		t.Error("the replaced captcha is still stored")
	}
}

func TestLoginPageLinksThePhotoTool(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.client().get("/login")
	a := p.Doc.Find(`[data-testid="photo-tool-link"]`)
	if href, _ := a.Attr("href"); a.Length() != 1 || href != "/photo-tool" || a.Text() != "一寸照片生成工具" {
		t.Errorf("photo tool link: %d %q %q", a.Length(), href, a.Text())
	}
	if e.client().get("/photo-tool").Status != http.StatusOK {
		t.Error("the linked page does not open signed out")
	}
}

// The captcha throttle (recentCaptchas) is per process, and may be: the captcha a throttled server shows again is a
// row of the shared database, so the sign-in form answering it may go to any server. More servers only allow more
// new captchas per address (one burst each), never refuse a user.
func TestCaptchaShownAgainWorksOnAnotherServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.sibling(t)
	c := e.client()
	for i := 0; i < 12; i++ { // past the burst: the page now repeats its last captcha
		c.get("/login")
	}
	lp := c.get("/login")
	tok, _ := lp.Doc.Find(`input[name="_csrf"]`).Attr("value")
	id, _ := lp.Doc.Find(`input[name="captcha_id"]`).Attr("value")
	if again, _ := e.client().get("/login").Doc.Find(`input[name="captcha_id"]`).Attr("value"); again != id {
		t.Fatalf("the throttled server made a new captcha (%q, then %q)", id, again)
	}
	there := &client{e: other, http: c.http, Header: http.Header{}}
	p := there.do(http.MethodPost, "/login", url.Values{"_csrf": {tok}, "username": {"admin"}, "password": {demo.Password},
		"captcha_id": {id}, "captcha_answer": {e.captchaAnswer(id)}}, false, nil)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("the other server refused the repeated captcha: %d %q", p.Status, p.Text(`[data-testid="error-captcha"]`))
	}
}
