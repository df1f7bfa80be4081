package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"examcert/models/demo"
)

// hostileNext are values of next=, return= and back= that a browser would follow off-site (SECURITY.md 29).
var hostileNext = []string{"/\t/evil.example/", "//evil.example/", "/\\evil.example/", "https://evil.example/",
	"/%2F/evil.example/", "/\n/evil.example/"}

func TestSignInNextStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, next := range hostileNext {
		c := e.client()
		lp := c.get("/login?next=" + url.QueryEscape(next))
		action, _ := lp.Doc.Find(`[data-testid="login-form"]`).Attr("action")
		if strings.Contains(action, "evil") {
			t.Errorf("next=%q: the form posts to %q", next, action)
		}
		tok, _ := lp.Doc.Find(`input[name="_csrf"]`).Attr("value")
		p := c.do(http.MethodPost, "/login?next="+url.QueryEscape(next), url.Values{"_csrf": {tok},
			"username": {"zhangsan"}, "password": {demo.Password}}, false, nil)
		if p.Status != http.StatusSeeOther || p.Location() != "/home" {
			t.Errorf("next=%q: %d to %q; want 303 to /home", next, p.Status, p.Location())
		}
	}
	// A path on this site is still where sign-in leads.
	c := e.client()
	lp := c.get("/login?next=" + url.QueryEscape("/account/password"))
	tok, _ := lp.Doc.Find(`input[name="_csrf"]`).Attr("value")
	p := c.do(http.MethodPost, "/login?next=%2Faccount%2Fpassword", url.Values{"_csrf": {tok},
		"username": {"zhangsan"}, "password": {demo.Password}}, false, nil)
	if p.Location() != "/account/password" {
		t.Errorf("local next: %d to %q", p.Status, p.Location())
	}
}

func TestPlanPickerReturnStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	createPlan(t, e, "回跳测试考试", nil)
	c := e.client().signIn("jianshe")
	for _, ret := range hostileNext {
		p := c.get("/plans/picker?q=回跳&return=" + url.QueryEscape(ret))
		href, _ := p.Doc.Find(`[data-testid="picker-choose"]`).Attr("href")
		hidden, _ := p.Doc.Find(`input[name="return"]`).Attr("value")
		if !strings.HasPrefix(href, "/registrations/batch?") || strings.Contains(hidden, "evil") {
			t.Errorf("return=%q: choose link %q, hidden return %q", ret, href, hidden)
		}
	}
}

func TestRegistrationDeleteBackStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "删除回跳测试考试", nil)
	c := e.client().signIn("jianshe")
	for i, back := range hostileNext {
		fields := map[string]string{"id_number": newID(uint64(40 + i)), "name": "冯十" + string(rune('一'+i)), "education": "本科",
			"work_start_date": "2010-03-01", "employer_name": "北京城建示范工程有限公司"}
		p := c.regPost(planID, fields, testPhoto(t, 600, 840, "png"))
		if p.Status != http.StatusSeeOther {
			t.Fatalf("register: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
		}
		regID := strings.Split(strings.TrimPrefix(p.Location(), "/registrations/"), "?")[0]
		d := c.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}, "back": {back}}, false, nil)
		if d.Status != http.StatusSeeOther || !strings.HasPrefix(d.Location(), "/registrations?") && !strings.HasPrefix(d.Location(), "/registrations/") {
			t.Errorf("back=%q: %d to %q", back, d.Status, d.Location())
		}
		if strings.Contains(d.Location(), "evil") || strings.HasPrefix(d.Location(), "//") {
			t.Errorf("back=%q led off-site: %q", back, d.Location())
		}
	}
}
