package e2e

import (
	"strings"
	"testing"
)

// TestCaptchaReload clicks 换一张 on the sign-in page: with JavaScript htmx swaps in a new captcha without leaving
// the page; without, the link reloads /login. Either way the captcha id changes, and the new captcha signs in.
func TestCaptchaReload(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	srv := startServer(t, bin)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := newTab(t, browser, srv, m.js)
			b.open("/login")
			b.assertScripting()
			b.waitVisible("[data-testid=captcha-reload]")
			before := b.value("[data-testid=captcha-id]")
			if before == "" {
				t.Fatal("the sign-in page has no captcha id")
			}
			if m.js {
				b.setMarker()
				b.click("[data-testid=captcha-reload]")
				b.eventually("a new captcha id", func() bool { return b.value("[data-testid=captcha-id]") != before })
				if !b.hasMarker() {
					t.Error("换一张 reloaded the page; with JavaScript htmx should swap the captcha in place")
				}
			} else {
				b.clickAndLoad("[data-testid=captcha-reload]")
				b.waitVisible("[data-testid=login-form]")
			}
			after := b.value("[data-testid=captcha-id]")
			if after == before {
				t.Fatalf("captcha id is still %s after 换一张", before)
			}
			if got := b.path(); got != "/login" {
				t.Errorf("after 换一张 the tab is on %s, want /login", got)
			}
			d := b.doc()
			if n := d.Find("[data-testid=field-captcha]").Length(); n != 1 {
				t.Errorf("%d captcha fields after 换一张, want 1", n)
			}
			if src, _ := d.Find("[data-testid=captcha-image]").Attr("src"); !strings.Contains(src, after) {
				t.Errorf("captcha image %q does not show the new captcha %s", src, after)
			}

			// The new captcha is the one the server checks: an admin signs in with it.
			b.fill("username", admin.user)
			b.fill("password", demoPassword)
			b.fill("captcha_answer", srv.captchaAnswer(t, after))
			b.clickAndLoad("[data-testid=login-submit]")
			if msg := b.text("[data-testid=error-captcha]"); msg != "" {
				t.Fatalf("sign-in with the new captcha refused: %s", msg)
			}
			b.waitVisible("[data-testid=menu]")
			if got := b.path(); got != admin.landing {
				t.Errorf("admin landed on %s, want %s", got, admin.landing)
			}
		})
	}
}
