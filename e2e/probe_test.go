package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

func TestProbe(t *testing.T) {
	srv := startServer(t, testBinary(t))
	br := newBrowser(t)
	for _, m := range modes {
		b := newTab(t, br, srv, m.js)
		b.open("/login")
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`typeof htmx`))
		t.Logf("%s: typeof htmx = %q err=%v path=%s id=%s", m.name, v, err, b.path(), b.value("[data-testid=captcha-id]"))
		b.fill("username", "zhangsan")
		b.fill("password", "Demo#2026")
		b.submit("[data-testid=login-submit]")
		b.waitVisible("[data-testid=menu]")
		t.Logf("%s after login: %s", m.name, b.path())
	}
}
