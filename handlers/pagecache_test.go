package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"examcert/internal/dbtest"
	"examcert/models/demo"
)

// A kept list page is answered again only while nothing it shows has changed: a person edited (by another user of
// the organization, through another server process on the same data), the account disabled, signed out, or its
// password changed each end it at once. On PostgreSQL nothing is kept and the same holds.
func TestKeptListPagesStayTrue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.sibling(t) // a second App on the same database
	c := e.client().signIn("jianshe")
	colleague := other.client().signIn("jianshe")
	idn := newID(71)
	if p := addPerson(t, c, "/staff", idn, "周一鸣"); p.Status != http.StatusSeeOther {
		t.Fatalf("add: %d", p.Status)
	}
	first := c.get("/staff?q=周一鸣")
	hits := e.app.PageHits()
	again := c.get("/staff?q=周一鸣")
	if again.Body != first.Body {
		t.Fatal("the same list, unchanged, read differently")
	}
	if dbtest.URL() == "" && e.app.PageHits() != hits+1 {
		t.Fatalf("the unchanged page was rendered again (hits %d → %d): the cache keeps nothing", hits, e.app.PageHits())
	}
	if dbtest.URL() != "" && e.app.PageHits() != 0 {
		t.Fatal("a page was kept on PostgreSQL")
	}
	if fragment := c.getHX("/staff?q=周一鸣"); fragment.Body == first.Body || strings.Contains(fragment.Body, "<html") {
		t.Fatal("an htmx request got the kept full page")
	}

	// The colleague edits the person through the other server: the kept page is not answered any more.
	pr := e.person(idn)
	id := strconv.FormatInt(pr.ID, 10)
	ver := strconv.Itoa(pr.Version)
	if p := colleague.do(http.MethodPost, "/staff/"+id, url.Values{"_csrf": {colleague.csrf()}, "inline": {"1"}, "version": {ver},
		"name": {"周一鸣"}, "education": {"硕士研究生"}, "title": {"中级"}, "phone": {"13900139071"}}, true, nil); p.Status != http.StatusOK {
		t.Fatalf("colleague's edit: %d %.300s", p.Status, p.Body)
	}
	if got := e.person(idn); got.Education != "硕士研究生" {
		t.Fatalf("the edit did not save: %+v", got)
	}
	if row := c.get("/staff?q=周一鸣").Text(`[data-testid^="person-row-"]`); !strings.Contains(row, "硕士研究生") || !strings.Contains(row, "13900139071") {
		t.Fatalf("after the colleague's edit the list shows %q", row)
	}

	// Signed out elsewhere (the same session's cookie, replayed): the kept page is gone with the session.
	copyOf := replayed(c)
	copyOf.get("/staff?q=周一鸣")
	copyOf.get("/staff?q=周一鸣")
	if p := c.submit("/home", "/logout", url.Values{}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", p.Status)
	}
	assertListRefused(t, copyOf, "after sign-out")

	// Disabled by the administrator on the other server, while the page is kept.
	c = e.client().signIn("jianshe")
	c.get("/staff")
	c.get("/staff")
	admin := other.client().signIn("admin")
	acct := strconv.FormatInt(e.account("jianshe").ID, 10)
	if p := admin.submit("/admin/accounts", "/admin/accounts/"+acct+"/disable", url.Values{"confirmed": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.Status)
	}
	assertListRefused(t, c, "after the account was disabled")
}

// A password change ends the account's other sessions, kept pages and all.
func TestKeptListPageEndsWithAPasswordChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("jianshe")
	second := e.client().signIn("jianshe")
	second.get("/staff")
	second.get("/staff")
	if p := c.submit("/account/password", "/account/password", url.Values{
		"old_password": {demo.Password}, "new_password": {"Xy7#kLm2pQ"}, "confirm_password": {"Xy7#kLm2pQ"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("change password: %d", p.Status)
	}
	assertListRefused(t, second, "after the password was changed in another browser")
}

func assertListRefused(t *testing.T, c *client, why string) {
	t.Helper()
	assertSignedOutAt(t, c, "/staff", why)
}

// A list page goes out gzipped to a browser that takes it (kept or not, on both databases), plain to one that does
// not, and both are the same page.
func TestListPagesGoOutGzipped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("jianshe")
	plain := c.do(http.MethodGet, "/staff", nil, false, http.Header{"Accept-Encoding": {"identity"}})
	if plain.Status != http.StatusOK || plain.Header.Get("Content-Encoding") != "" || !strings.Contains(plain.Body, "企业人员信息") {
		t.Fatalf("plain: %d %q", plain.Status, plain.Header.Get("Content-Encoding"))
	}
	for i := range 2 { // rendered, then (SQLite) kept
		p := c.do(http.MethodGet, "/staff", nil, false, http.Header{"Accept-Encoding": {"gzip, deflate"}})
		if p.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(p.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("answer %d: Content-Encoding %q, Vary %q", i, p.Header.Get("Content-Encoding"), p.Header.Values("Vary"))
		}
		if n, _ := strconv.Atoi(p.Header.Get("Content-Length")); n != len(p.Body) {
			t.Fatalf("answer %d: Content-Length %d for %d bytes", i, n, len(p.Body))
		}
		zr, err := gzip.NewReader(strings.NewReader(p.Body))
		if err != nil {
			t.Fatal(err)
		}
		html, err := io.ReadAll(zr)
		if err != nil || string(html) != plain.Body {
			t.Fatalf("answer %d: the gzipped page is not the plain one (%v)", i, err)
		}
	}
}
