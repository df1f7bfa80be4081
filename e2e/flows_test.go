package e2e

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
)

// demoPassword is the password of every demo account (demo.Password).
const demoPassword = "Demo#2026"

// account is a demo account as the tests use it.
type account struct {
	user    string
	captcha bool // training institutions and admins always solve the captcha
	landing string
}

var (
	practitioner = account{user: "zhangsan", landing: "/home"}
	enterprise   = account{user: "jianshe", landing: "/home"}
	training     = account{user: "peixun", captcha: true, landing: "/home"}
	admin        = account{user: "admin", captcha: true, landing: "/admin/exams"}
)

// assertScripting checks that the tab really runs scripts (htmx loaded) or really does not.
func (b *tab) assertScripting() {
	b.t.Helper()
	want := map[bool]string{true: "object", false: "undefined"}[b.js]
	if got := run(b, chromedp.Evaluate[string](`typeof htmx`)); got != want {
		b.t.Fatalf("typeof htmx = %q, want %q (JavaScript on: %v)", got, want, b.js)
	}
}

// fillSignIn opens /login and fills 用户名, 密码 and, when withCaptcha, the captcha answer from the test hook.
func (b *tab) fillSignIn(user, password string, withCaptcha bool) {
	b.t.Helper()
	b.open("/login")
	b.waitVisible("[data-testid=login-form]")
	b.fill("username", user)
	b.fill("password", password)
	if withCaptcha {
		b.fill("captcha_answer", b.srv.captchaAnswer(b.t, b.value("[data-testid=captcha-id]")))
	}
}

// signIn signs in and checks the landing page and its menu is there.
func (b *tab) signIn(a account, password string) {
	b.t.Helper()
	b.fillSignIn(a.user, password, a.captcha)
	b.clickAndLoad("[data-testid=login-submit]")
	if msg := b.text("[data-testid=alert-error]") + b.text("[data-testid=error-captcha]"); msg != "" {
		b.t.Fatalf("sign-in of %s refused: %s", a.user, msg)
	}
	b.waitVisible("[data-testid=menu]")
	if got := b.path(); got != a.landing {
		b.t.Fatalf("%s landed on %s, want %s", a.user, got, a.landing)
	}
}

// signOut clicks 退出 and checks the sign-in page says so.
func (b *tab) signOut() {
	b.t.Helper()
	b.clickAndLoad("[data-testid=logout]")
	b.waitVisible("[data-testid=login-form]")
	if got := b.path(); got != "/login?reason=signed_out" {
		b.t.Errorf("after 退出 the tab is on %s, want /login?reason=signed_out", got)
	}
	if got := b.text("[data-testid=alert-info]"); !strings.Contains(got, "您已安全退出") {
		b.t.Errorf("sign-in page after 退出 says %q, want 您已安全退出", got)
	}
}

// menuLabels is the left menu as a person reads it: each link's text without the 建设中 badge.
func menuLabels(d *goquery.Document) []string {
	var labels []string
	d.Find("[data-testid=menu] a").Each(func(_ int, a *goquery.Selection) {
		c := a.Clone()
		c.Find(".wip").Remove()
		labels = append(labels, strings.Join(strings.Fields(c.Text()), " "))
	})
	return labels
}

// setMarker leaves a mark on the page's window; hasMarker tells whether the same document is still there.
func (b *tab) setMarker() { b.do(chromedp.Evaluate[chromedp.Void](`window.__marker = 1`)) }

func (b *tab) hasMarker() bool {
	return run(b, chromedp.Evaluate[bool](`window.__marker === 1`))
}
