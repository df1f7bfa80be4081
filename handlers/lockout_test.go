package handlers_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"examcert/internal/config"
	"examcert/models"
	"examcert/models/demo"
)

// behindProxy is a server whose clients' addresses come from X-Forwarded-For (the test's proxy is 127.0.0.1).
func behindProxy(t *testing.T) *env {
	return newEnv(t, func(c *config.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
}

// from is a new browser at the client address ip.
func (e *env) from(ip string) *client {
	c := e.client()
	c.Header.Set("X-Forwarded-For", ip)
	return c
}

const (
	attackerIP = "203.0.113.66"
	ownerIP    = "198.51.100.20"
)

func errorText(p *page) string { return p.Text(`[data-testid="alert-error"]`) }

// SECURITY.md 32, first sentence: failures from one address do not lock the owner out at another.
func TestFailuresFromOneAddressDoNotLockTheOwnerOutAtAnother(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	attacker := e.from(attackerIP)
	for i := 0; i < 5; i++ {
		attacker.login("zhangsan", "wrong-password")
	}
	if p := attacker.login("zhangsan", demo.Password); p.Status == http.StatusSeeOther || errorText(p) != models.ErrAccountLocked.Error() {
		t.Fatalf("the attacking address is not locked out: %d %q", p.Status, errorText(p))
	}
	// The owner, at another address, is slowed by the captcha but not locked out.
	if p := e.from(ownerIP).loginNoCaptcha("zhangsan", demo.Password); p.Text(`[data-testid="error-captcha"]`) != "请输入验证码" {
		t.Errorf("after 5 failures elsewhere the owner is not asked for the captcha: %d %q", p.Status, errorText(p))
	}
	if p := e.from(ownerIP).login("zhangsan", demo.Password); p.Status != http.StatusSeeOther {
		t.Fatalf("the owner at another address is locked out: %d %q", p.Status, errorText(p))
	}
	// The owner signing in does not let the attacker go on.
	if p := attacker.login("zhangsan", demo.Password); errorText(p) != models.ErrAccountLocked.Error() {
		t.Errorf("after the owner signed in the attacking address got %d %q", p.Status, errorText(p))
	}
	if got := e.auditEvents(models.EventAccountLocked); len(got) != 1 || got[0].IP != attackerIP {
		t.Errorf("account.locked rows: %+v; want one, from the attacker's address", got)
	}
}

// SECURITY.md 32, second sentence: public identifiers (credit codes) are not a lockout switch.
func TestCreditCodeIsNotALockoutSwitch(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	credit := demoCode("jianshe")
	attacker := e.from(attackerIP)
	var last *page
	for i := 0; i < 6; i++ {
		last = attacker.login(credit, "wrong-password")
	}
	if errorText(last) != models.ErrAccountLocked.Error() {
		t.Fatalf("6th failure with the credit code: %q", errorText(last))
	}
	for _, login := range []string{credit, "jianshe"} {
		if p := e.from(ownerIP).login(login, demo.Password); p.Status != http.StatusSeeOther {
			t.Errorf("the enterprise signing in as %q elsewhere: %d %q", login, p.Status, errorText(p))
		}
	}
}

// SECURITY.md 32, third sentence: disabled accounts answer like wrong passwords, and count like them.
func TestDisabledAccountAnswersLikeAWrongPassword(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	if _, err := e.db.NewUpdate().Model((*models.Account)(nil)).Set("disabled = ?", true).Where("username = 'lisi'").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	disabled, wrong, unknown := e.from("192.0.2.1"), e.from("192.0.2.2"), e.from("192.0.2.3")
	for i := 0; i < 6; i++ {
		d := disabled.login("lisi", demo.Password)
		w := wrong.login("zhangsan", "wrong-password")
		u := unknown.login("nobody-here", "wrong-password")
		if d.Status != w.Status || errorText(d) != errorText(w) || errorText(d) != errorText(u) ||
			d.Doc.Find(`#captcha .req`).Length() != w.Doc.Find(`#captcha .req`).Length() {
			t.Fatalf("attempt %d: disabled %d %q, wrong password %d %q, unknown %q", i+1, d.Status, errorText(d), w.Status, errorText(w), errorText(u))
		}
		want := badCredentials
		if i >= 4 {
			want = models.ErrAccountLocked.Error()
		}
		if errorText(d) != want {
			t.Errorf("attempt %d with the right password of a disabled account: %q; want %q", i+1, errorText(d), want)
		}
	}
}

// An attacker at one address is made to solve the captcha whatever name they try, and rate-limited.
func TestOneAddressIsCaptchadAcrossNames(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	attacker := e.from(attackerIP)
	for _, name := range []string{"nobody-1", "nobody-2", "nobody-3"} {
		attacker.loginNoCaptcha(name, "wrong-password")
	}
	if p := attacker.loginNoCaptcha("zhangsan", "wrong-password"); p.Text(`[data-testid="error-captcha"]`) != "请输入验证码" {
		t.Errorf("a 4th name from the same address without the captcha: %q %q", errorText(p), p.Text(`[data-testid="error-captcha"]`))
	}
	// Another address is not asked, and the names tried are not locked for it.
	if p := e.from(ownerIP).loginNoCaptcha("zhangsan", demo.Password); p.Status != http.StatusSeeOther {
		t.Errorf("another address: %d %q", p.Status, errorText(p))
	}
}

// 修改密码: a wrong old password counts like a failed sign-in; the fifth locks the account at this address and
// signs it out everywhere, with audit rows.
func TestWrongOldPasswordsLockTheAccount(t *testing.T) {
	t.Parallel()
	e := behindProxy(t)
	c := e.from(attackerIP).signIn("zhangsan")
	other := e.from(ownerIP).signIn("zhangsan")
	form := url.Values{"old_password": {"Not#TheOld1"}, "new_password": {"Xy7#kLm2pQ"}, "confirm_password": {"Xy7#kLm2pQ"}}
	for i := 0; i < 4; i++ {
		p := c.submit("/account/password", "/account/password", form)
		if p.Status != http.StatusOK || p.Text(`[data-testid="error-old_password"]`) == "" {
			t.Fatalf("wrong old password %d: %d %q", i+1, p.Status, p.Text(`[data-testid="error-old_password"]`))
		}
	}
	if n := e.account("zhangsan").FailedLogins; n != 4 {
		t.Errorf("failed_logins after 4 wrong old passwords = %d", n)
	}
	p := c.submitHX("/account/password", "/account/password", form, true)
	if !strings.HasPrefix(p.Location(), "/login?reason=locked") {
		t.Fatalf("5th wrong old password: %d HX-Redirect %q", p.Status, p.Location())
	}
	if got := c.get(p.Location()).Text(`[data-testid="alert-info"]`); got != models.ErrAccountLocked.Error() {
		t.Errorf("sign-in page after the lockout says %q", got)
	}
	assertSignedOut(t, c, "the browser that locked the account")
	assertSignedOut(t, other, "the account's other browser")
	if p := e.from(attackerIP).login("zhangsan", demo.Password); errorText(p) != models.ErrAccountLocked.Error() {
		t.Errorf("sign-in from the locked address: %d %q", p.Status, errorText(p))
	}
	if p := e.from(ownerIP).login("zhangsan", demo.Password); p.Status != http.StatusSeeOther {
		t.Errorf("sign-in from another address: %d %q", p.Status, errorText(p))
	}
	bad := 0
	for _, ev := range e.auditEvents(models.EventPasswordChanged) {
		if ev.Result == "bad_old_password" {
			bad++
		}
	}
	if locked := e.auditEvents(models.EventAccountLocked); bad != 5 || len(locked) != 1 {
		t.Errorf("audit: %d bad_old_password rows, %d account.locked rows; want 5 and 1", bad, len(locked))
	}
}
