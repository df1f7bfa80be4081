package e2e

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"examcert/internal/ident"
	"examcert/internal/portal/portaltest"
)

// TestPortalSignIn is 通过网上办事大厅登录 in Chromium, with JavaScript and without, against a real OpenID provider
// the test runs (internal/portal/portaltest): the button on the sign-in page, the portal's own login page, the way
// back into the workspace as a new practitioner, and 退出, which signs out at the portal too and comes back to the
// sign-in page. Then the portal goes down: the button leads to a clear message, and passwords still work.
func TestPortalSignIn(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	idn := ident.GenerateIDNumber(rand.New(rand.NewPCG(14, 14)), "110108", time.Date(1992, 5, 6, 0, 0, 0, 0, time.UTC), ident.GenderFemale)
	prov := portaltest.Start(t, portaltest.User{Username: "liuxin", Name: "刘欣", IDNumber: idn})
	browser := newBrowser(t)
	srv := startServer(t, testBinary(t), "--portal-issuer", prov.Issuer, "--portal-client-id", prov.ClientID,
		"--portal-client-secret", prov.ClientSecret)
	prov.AllowRedirects(srv.URL)

	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := newTab(t, browser, srv, m.js)
			b.open("/login")
			b.waitVisible("[data-testid=portal-login]")
			b.assertScripting()
			if got := b.text("[data-testid=portal-login]"); got != "通过网上办事大厅登录" {
				t.Fatalf("button says %q", got)
			}
			b.clickAndLoad("[data-testid=portal-login]")
			if !strings.HasPrefix(b.location(), prov.Issuer+"/login/username") {
				t.Fatalf("the button led to %s, not to the portal's login page", b.location())
			}
			b.fill("username", "liuxin")
			b.fill("password", portaltest.Password)
			b.clickAndLoad("button[type=submit]")
			b.waitVisible("[data-testid=menu]")
			if got := b.path(); got != "/home" {
				t.Fatalf("after the portal the tab is on %s, want /home", got)
			}
			if d := b.doc(); !strings.Contains(d.Find(".topbar").Text(), "刘欣") {
				t.Errorf("the top bar does not name the practitioner: %q", strings.TrimSpace(d.Find(".topbar").Text()))
			}
			b.open("/profile")
			b.waitVisible("[data-testid=menu]")
			if got := b.path(); got != "/profile" {
				t.Fatalf("个人信息 led to %s", got)
			}

			b.click("[data-testid=logout]") // then two more navigations (the portal's end_session, back): no page to read yet
			b.eventually("the portal's sign-out to come back to the sign-in page", func() bool {
				return strings.HasPrefix(b.location(), srv.URL+"/login?reason=signed_out")
			})
			b.waitVisible("[data-testid=login-form]")
			if got := b.text("[data-testid=alert-info]"); !strings.Contains(got, "您已安全退出") {
				t.Errorf("sign-in page after 退出 says %q", got)
			}
			if got := prov.EndSessions(); got != i+1 {
				t.Errorf("the portal saw %d sign-outs, want %d", got, i+1)
			}
			b.open("/home")
			b.waitVisible("[data-testid=login-form]")
			if got := b.path(); !strings.HasPrefix(got, "/login?") {
				t.Errorf("after 退出 /home shows %s", got)
			}
		})
	}

	prov.Stop()
	for _, m := range modes {
		t.Run("down/"+m.name, func(t *testing.T) {
			b := newTab(t, browser, srv, m.js)
			b.open("/login")
			b.clickAndLoad("[data-testid=portal-login]")
			b.waitVisible("[data-testid=login-form]")
			if got := b.text("[data-testid=alert-error]"); !strings.Contains(got, "网上办事大厅暂时无法访问") {
				t.Fatalf("with the portal down the sign-in page says %q", got)
			}
			b.signIn(practitioner, demoPassword)
		})
	}
}
