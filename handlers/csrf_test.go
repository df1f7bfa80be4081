package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"examcert/models/demo"
)

// pageToken is the CSRF token a page carries in its forms.
func pageToken(p *page) string {
	tok, _ := p.Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	return tok
}

var newPassword = url.Values{"old_password": {demo.Password}, "new_password": {"Xy7#kLm2pQ"}, "confirm_password": {"Xy7#kLm2pQ"}}

func withToken(form url.Values, tok string) url.Values {
	f := url.Values{"_csrf": {tok}}
	for k, v := range form {
		f[k] = v
	}
	return f
}

// An attacker's own cookie and token, planted in the victim's browser, are refused: the token is the session's.
func TestCSRFAnotherSessionsPairRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	attacker := e.client().signIn("lisi")
	victim := e.client().signIn("zhangsan")
	tok := pageToken(attacker.get("/account/password"))
	u, _ := url.Parse(e.srv.URL)
	victim.http.Jar.SetCookies(u, []*http.Cookie{{Name: "examcert_csrf", Value: attacker.cookie("examcert_csrf"), Path: "/"}})
	if p := victim.do(http.MethodPost, "/account/password", withToken(newPassword, tok), false, nil); p.Status != http.StatusForbidden {
		t.Errorf("another session's cookie and token: %d; want 403", p.Status)
	}
	if p := victim.do(http.MethodPost, "/logout", url.Values{}, false, http.Header{"X-Csrf-Token": {tok}}); p.Status != http.StatusForbidden {
		t.Errorf("another session's token as the header: %d; want 403", p.Status)
	}
	// The victim's own page token still works (and the password was not changed before).
	if p := victim.submit("/account/password", "/account/password", newPassword); p.Status != http.StatusSeeOther {
		t.Errorf("own token: %d %s", p.Status, p.Text(`[data-testid="error-old_password"]`))
	}
}

func TestCSRFTokenInQueryRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("zhangsan")
	tok := pageToken(c.get("/account/password"))
	if p := c.do(http.MethodPost, "/account/password?_csrf="+url.QueryEscape(tok), newPassword, false, nil); p.Status != http.StatusForbidden {
		t.Errorf("token in the query string: %d; want 403", p.Status)
	}
	lp := e.client()
	lp.get("/login")
	if p := lp.do(http.MethodPost, "/login?_csrf="+url.QueryEscape(lp.cookie("examcert_csrf")),
		url.Values{"username": {"zhangsan"}, "password": {demo.Password}}, false, nil); p.Status != http.StatusForbidden {
		t.Errorf("sign-in with the token in the query string: %d; want 403", p.Status)
	}
}

func TestCSRFFreshTokenAfterSignInWorks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	before := pageToken(c.get("/login"))
	c.signIn("zhangsan")
	home := c.get("/home")
	after := pageToken(home)
	if after == "" || after == before {
		t.Fatalf("token after sign-in %q (before %q)", after, before)
	}
	if hdr, _ := home.Doc.Find("body").Attr("hx-headers"); !strings.Contains(hdr, after) {
		t.Errorf("htmx headers %q do not carry the page's token", hdr)
	}
	if p := c.do(http.MethodPost, "/account/password", withToken(newPassword, before), false, nil); p.Status != http.StatusForbidden {
		t.Errorf("the token from before sign-in: %d; want 403", p.Status)
	}
	// A password change made in place (htmx) renews the session; the page around the form keeps working.
	p := c.do(http.MethodPost, "/account/password", newPassword, true, http.Header{"X-Csrf-Token": {after}})
	if !strings.Contains(p.Body, "密码修改成功") {
		t.Fatalf("htmx password change with the page's token: %d", p.Status)
	}
	if p := c.do(http.MethodPost, "/logout", url.Values{"_csrf": {after}}, false, nil); p.Status != http.StatusSeeOther {
		t.Errorf("the page's token after the password change: %d; want 303", p.Status)
	}
}

// Two server processes on one database accept each other's tokens for the same session.
func TestCSRFTokenWorksOnASiblingProcess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.sibling(t)
	c := e.client().signIn("zhangsan")
	tok := pageToken(c.get("/account/password"))
	// The same browser (cookies are per host, not per port) talking to the other process.
	there := &client{e: s, http: c.http, Header: http.Header{}}
	p := there.do(http.MethodPost, "/account/password", newPassword, true, http.Header{"X-Csrf-Token": {tok}})
	if !strings.Contains(p.Body, "密码修改成功") {
		t.Fatalf("the sibling refused the session's token: %d %.200s", p.Status, p.Body)
	}
	// And the first process takes the token the page of the second one carries.
	if p := c.do(http.MethodPost, "/logout", url.Values{"_csrf": {pageToken(there.get("/account/password"))}}, false, nil); p.Status != http.StatusSeeOther {
		t.Errorf("sign-out at the first process with the sibling's page token: %d", p.Status)
	}
}
