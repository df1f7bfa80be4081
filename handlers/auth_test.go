package handlers_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/internal/config"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/models/demo"
)

const badCredentials = "用户名或密码错误"

func TestSignInEachWay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	credit := demoCode("jianshe")
	cc, err := ident.ParseCreditCode(credit)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, login, landing string }{
		{"practitioner by username", "zhangsan", "/home"},
		{"practitioner by ID number", demoCode("zhangsan"), "/home"},
		{"practitioner by lower-case, padded username", "  ZhangSan ", "/home"},
		{"enterprise by username", "jianshe", "/home"},
		{"enterprise by credit code", credit, "/home"},
		{"enterprise by organization code", cc.OrgCode, "/home"},
		{"enterprise by full-width credit code", toFullWidth(credit), "/home"},
		{"training with captcha", "peixun", "/home"},
		{"admin with captcha", "admin", "/admin/exams"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := e.client().login(tc.login, demo.Password)
			if p.Status != http.StatusSeeOther || p.Location() != tc.landing {
				t.Fatalf("status %d location %q error %q; want 303 to %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`), tc.landing)
			}
		})
	}
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7f {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestCaptchaAlwaysRequiredForTrainingAndAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, u := range []string{"peixun", "admin"} {
		c := e.client()
		p := c.loginNoCaptcha(u, demo.Password)
		if p.Status != http.StatusOK || p.Text(`[data-testid="error-captcha"]`) != "请输入验证码" {
			t.Errorf("%s without captcha: status %d, captcha error %q", u, p.Status, p.Text(`[data-testid="error-captcha"]`))
		}
		// A wrong answer is refused too, and the password is not even looked at (no failure is counted).
		lp := c.get("/login")
		tok, _ := lp.Doc.Find(`input[name="_csrf"]`).Attr("value")
		id, _ := lp.Doc.Find(`input[name="captcha_id"]`).Attr("value")
		wrong := "0000"
		if e.captchaAnswer(id) == wrong {
			wrong = "1111"
		}
		p = c.do(http.MethodPost, "/login", url.Values{"_csrf": {tok}, "username": {u}, "password": {demo.Password},
			"captcha_id": {id}, "captcha_answer": {wrong}}, false, nil)
		if got := p.Text(`[data-testid="error-captcha"]`); got != "验证码错误，请重新输入" {
			t.Errorf("%s wrong captcha: %q", u, got)
		}
		// A captcha answer works once only.
		p = c.do(http.MethodPost, "/login", url.Values{"_csrf": {tok}, "username": {u}, "password": {demo.Password},
			"captcha_id": {id}, "captcha_answer": {e.captchaAnswer2(id)}}, false, nil)
		if p.Status == http.StatusSeeOther {
			t.Errorf("%s: a used captcha was accepted again", u)
		}
	}
	if n := e.account("peixun").FailedLogins; n != 0 {
		t.Errorf("captcha failures counted as password failures: %d", n)
	}
}

// captchaAnswer2 reads an answer that may already be used up (then any 4 digits).
func (e *env) captchaAnswer2(id string) string {
	var digits string
	_ = e.db.NewSelect().Model((*models.Captcha)(nil)).Column("digits").Where("id = ?", id).Scan(context.Background(), &digits)
	if digits == "" {
		return "1234"
	}
	return digits
}

func TestCaptchaAfterThreeFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	for i := 0; i < 3; i++ {
		p := c.loginNoCaptcha("zhangsan", "wrong-password")
		if got := p.Text(`[data-testid="alert-error"]`); got != badCredentials {
			t.Fatalf("attempt %d: %q", i+1, got)
		}
	}
	// The fourth attempt, even with the right password, needs the captcha.
	p := c.loginNoCaptcha("zhangsan", demo.Password)
	if p.Status == http.StatusSeeOther || p.Text(`[data-testid="error-captcha"]`) != "请输入验证码" {
		t.Fatalf("4th attempt without captcha: status %d, %q", p.Status, p.Text(`[data-testid="error-captcha"]`))
	}
	if p.Doc.Find(`#captcha .req`).Length() == 0 {
		t.Error("captcha not marked as required")
	}
	// With it, the right password signs in and the count starts over.
	if p := c.login("zhangsan", demo.Password); p.Status != http.StatusSeeOther {
		t.Fatalf("with captcha: %d", p.Status)
	}
	if n := e.account("zhangsan").FailedLogins; n != 0 {
		t.Errorf("failed_logins = %d after success", n)
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	var msgs []string
	for i := 0; i < 5; i++ {
		msgs = append(msgs, c.login("zhangsan", "wrong-password").Text(`[data-testid="alert-error"]`))
	}
	for i, m := range msgs[:4] {
		if m != badCredentials {
			t.Errorf("attempt %d: %q", i+1, m)
		}
	}
	if msgs[4] != models.ErrAccountLocked.Error() {
		t.Errorf("5th attempt: %q; want the lockout message", msgs[4])
	}
	// Locked: the right password does not help, for 30 minutes.
	p := c.login("zhangsan", demo.Password)
	if p.Status == http.StatusSeeOther || p.Text(`[data-testid="alert-error"]`) != models.ErrAccountLocked.Error() {
		t.Fatalf("locked account signed in: %d", p.Status)
	}
	a := e.account("zhangsan")
	if a.LockedUntil == nil || a.LockedUntil.Sub(time.Now()) < 29*time.Minute || a.LockedUntil.Sub(time.Now()) > 31*time.Minute {
		t.Errorf("locked_until = %v; want about 30 minutes from now", a.LockedUntil)
	}
	if got := e.auditEvents(models.EventAccountLocked); len(got) != 1 || got[0].Username != "zhangsan" {
		t.Errorf("account.locked audit rows: %+v", got)
	}
	// An admin unlocks it from 机构与账号, and the password works again.
	admin := e.client().signIn("admin")
	id := strconv.FormatInt(a.ID, 10)
	if p := admin.submit("/admin/accounts", "/admin/accounts/"+id+"/unlock", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("unlock: %d", p.Status)
	}
	if p := e.client().login("zhangsan", demo.Password); p.Status != http.StatusSeeOther {
		t.Fatalf("after unlock: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	// A lockout that has run out lets the user in (and the count starts over).
	for i := 0; i < 5; i++ {
		c.login("zhangsan", "wrong-password")
	}
	past := time.Now().Add(-time.Minute).UTC()
	if _, err := e.db.NewUpdate().Model((*models.Account)(nil)).Set("locked_until = ?", past).Where("id = ?", a.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The lockout itself is of the account at this address (SECURITY.md 32): it runs out as well.
	if _, err := e.db.NewUpdate().Model((*models.LoginThrottle)(nil)).Set("locked_until = ?", past).
		Set("last_failure_at = ?", past.Add(-models.LockoutDuration)).Where("locked_until IS NOT NULL").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := e.client().login("zhangsan", demo.Password); p.Status != http.StatusSeeOther {
		t.Fatalf("after lockout expired: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
}

func TestUnknownUserLooksLikeWrongPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	known, unknown := e.client(), e.client()
	for i := 0; i < 6; i++ {
		k := known.login("zhangsan", "wrong-password")
		u := unknown.login("nobody-here", "wrong-password")
		kt, ut := k.Text(`[data-testid="alert-error"]`), u.Text(`[data-testid="alert-error"]`)
		if kt != ut || k.Status != u.Status {
			t.Fatalf("attempt %d: known user %d %q, unknown user %d %q", i+1, k.Status, kt, u.Status, ut)
		}
	}
}

func TestSpoofedForwardedForDoesNotDodgeLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.LoginRate, c.LoginBurst = 20, 10 })
	c := e.client()
	var statuses []int
	for i := 0; i < 20; i++ {
		c.Header.Set("X-Forwarded-For", "203.0.113."+strconv.Itoa(i+1))
		statuses = append(statuses, c.login("zhangsan", "wrong-password").Status)
	}
	if statuses[len(statuses)-1] != http.StatusTooManyRequests {
		t.Errorf("rate limit did not fire: %v", statuses)
	}
	if a := e.account("zhangsan"); !a.Locked(time.Now()) {
		t.Errorf("account not locked after the failures that got through: failed_logins=%d", a.FailedLogins)
	}
	for _, ev := range e.auditEvents(models.EventLoginFailed) {
		if ev.IP != "127.0.0.1" {
			t.Fatalf("audit row has IP %q; want the real peer 127.0.0.1", ev.IP)
		}
	}
}

func TestForwardedForTrustedOnlyFromConfiguredProxies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
	c := e.client()
	c.Header.Set("X-Forwarded-For", "198.51.100.7")
	c.login("zhangsan", "wrong-password")
	evs := e.auditEvents(models.EventLoginFailed)
	if len(evs) != 1 || evs[0].IP != "198.51.100.7" {
		t.Fatalf("audit: %+v; want the client address given by the trusted proxy", evs)
	}
}

func TestSessionIDChangesAtSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	u, _ := url.Parse(e.srv.URL)
	planted := "attacker-chosen-session-id-0000000000000000"
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "examcert_session", Value: planted, Path: "/"}})
	c.signIn("zhangsan")
	if got := c.cookie("examcert_session"); got == "" || got == planted {
		t.Fatalf("session cookie after sign-in = %q", got)
	}
	if p := c.get("/home"); p.Status != http.StatusOK {
		t.Fatalf("home after sign-in: %d", p.Status)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	p := c.login("zhangsan", demo.Password)
	var set string
	for _, v := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "examcert_session=") {
			set = v
		}
	}
	if set == "" {
		t.Fatal("no session cookie set")
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("session cookie %q lacks %s", set, want)
		}
	}
	for _, bad := range []string{"Max-Age", "Expires", "Secure"} {
		if strings.Contains(set, bad) {
			t.Errorf("session cookie %q has %s", set, bad)
		}
	}
	// Behind TLS the cookie is Secure and HSTS is sent.
	e2 := newEnv(t, func(c *config.Config) { c.SecureCookies = true })
	p = e2.client().login("zhangsan", demo.Password)
	if !strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), "\n"), "Secure") {
		t.Error("secure-cookies: session cookie not Secure")
	}
	if p.Header.Get("Strict-Transport-Security") == "" {
		t.Error("secure-cookies: no HSTS header")
	}
}

// replayed returns a fresh browser carrying only the session cookie of c.
func replayed(c *client) *client {
	r := c.e.client()
	u, _ := url.Parse(c.e.srv.URL)
	r.http.Jar.SetCookies(u, []*http.Cookie{{Name: "examcert_session", Value: c.cookie("examcert_session"), Path: "/"}})
	return r
}

func assertSignedOut(t *testing.T, c *client, why string) {
	t.Helper()
	assertSignedOutAt(t, c, "/home", why)
}

// assertSignedOutAt: GET path sends c to the sign-in page.
func assertSignedOutAt(t *testing.T, c *client, path, why string) {
	t.Helper()
	p := c.get(path)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/login") {
		t.Errorf("%s: GET %s = %d %q; want the sign-in page", why, path, p.Status, p.Location())
	}
}

func TestSessionReplayAfterSignOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("zhangsan")
	copyOf := replayed(c)
	if p := copyOf.get("/home"); p.Status != http.StatusOK {
		t.Fatalf("the copied cookie should work before sign-out: %d", p.Status)
	}
	p := c.submit("/home", "/logout", nil)
	if p.Status != http.StatusSeeOther || p.Location() != "/login?reason=signed_out" {
		t.Fatalf("logout: %d %q", p.Status, p.Location())
	}
	assertSignedOut(t, copyOf, "after sign-out")
	if got := c.get("/login?reason=signed_out").Text(`[data-testid="alert-info"]`); got != "您已安全退出" {
		t.Errorf("notice after sign-out: %q", got)
	}
	if len(e.auditEvents(models.EventLogout)) != 1 {
		t.Error("no logout audit row")
	}
}

func TestSessionReplayAfterPasswordChangeAndDisable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("zhangsan")
	other := e.client().signIn("zhangsan") // a second browser of the same person
	copyOf := replayed(c)
	p := c.submit("/account/password", "/account/password", url.Values{
		"old_password": {demo.Password}, "new_password": {"Xy7#kLm2pQ"}, "confirm_password": {"Xy7#kLm2pQ"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("change password: %d", p.Status)
	}
	assertSignedOut(t, copyOf, "old cookie after password change")
	assertSignedOut(t, other, "other browser after password change")
	if p := c.get("/home"); p.Status != http.StatusOK {
		t.Fatalf("the browser that changed the password stays signed in: %d", p.Status)
	}
	// Disabling the account ends its sessions at once.
	admin := e.client().signIn("admin")
	id := strconv.FormatInt(e.account("zhangsan").ID, 10)
	if p := admin.submit("/admin/accounts", "/admin/accounts/"+id+"/disable", url.Values{"confirmed": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.Status)
	}
	assertSignedOut(t, c, "after the account was disabled")
	// A disabled account answers the right password like a wrong one (SECURITY.md 32): nobody learns it is right.
	if p := e.client().login("zhangsan", "Xy7#kLm2pQ"); p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) != badCredentials {
		t.Errorf("disabled account sign-in: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
}

func TestIdleAndAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, column string
		ago          time.Duration
	}{
		{"idle 31 minutes", "last_seen_at", 31 * time.Minute},
		{"12 hours since sign-in", "signed_in_at", 12*time.Hour + time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client().signIn("zhangsan")
			if _, err := e.db.NewUpdate().Model((*models.Session)(nil)).Set(tc.column+" = ?", time.Now().Add(-tc.ago).UTC()).
				Where("id = ?", c.cookie("examcert_session")).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			hx := replayed(c)
			p := c.get("/home")
			if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "reason=timeout") {
				t.Fatalf("plain request: %d %q; want the sign-in page saying the session timed out", p.Status, p.Location())
			}
			if got := c.get(p.Location()).Text(`[data-testid="alert-info"]`); got != "登录已超时，请重新登录" {
				t.Errorf("notice: %q", got)
			}
			p = hx.getHX("/account/password")
			if !strings.HasPrefix(p.Header.Get("HX-Redirect"), "/login") {
				t.Fatalf("htmx request: %d HX-Redirect %q", p.Status, p.Header.Get("HX-Redirect"))
			}
		})
	}
}

func TestCSRFRequired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("zhangsan")
	form := url.Values{"old_password": {demo.Password}, "new_password": {"Xy7#kLm2pQ"}, "confirm_password": {"Xy7#kLm2pQ"}}
	for _, tc := range []struct {
		name   string
		header http.Header
		token  string
	}{
		{"no token", nil, ""},
		{"no token, same-origin fetch metadata", http.Header{"Sec-Fetch-Site": {"same-origin"}}, ""},
		{"wrong token", nil, otherFirst(c.csrf())},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if tc.token != "" {
			f.Set("_csrf", tc.token)
		}
		p := c.do(http.MethodPost, "/account/password", f, false, tc.header)
		if p.Status != http.StatusForbidden {
			t.Errorf("%s: status %d; want 403", tc.name, p.Status)
		}
	}
	// Sign-in and sign-out need it too.
	if p := e.client().do(http.MethodPost, "/login", url.Values{"username": {"zhangsan"}, "password": {demo.Password}}, false, nil); p.Status != http.StatusForbidden {
		t.Errorf("sign-in without token: %d", p.Status)
	}
	if p := c.do(http.MethodPost, "/logout", url.Values{}, false, nil); p.Status != http.StatusForbidden {
		t.Errorf("sign-out without token: %d", p.Status)
	}
	// The password is unchanged and the header form works.
	if !strings.Contains(c.do(http.MethodPost, "/account/password", form, true, http.Header{"X-Csrf-Token": {c.csrf()}}).Body, "密码修改成功") {
		t.Error("htmx request with the X-CSRF-Token header was refused")
	}
}

func TestMustChangePasswordFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client().signIn("admin")
	p := admin.submit("/admin/accounts/new", "/admin/accounts", url.Values{"role": {"admin"}, "username": {"wangwu"}, "display_name": {"王五"}})
	temp := p.Text(`[data-testid="temp-password"]`)
	if temp == "" {
		t.Fatalf("no temporary password shown: %d %s", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	c := e.client()
	if p := c.login("wangwu", temp); p.Status != http.StatusSeeOther {
		t.Fatalf("sign-in with temporary password: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	p = c.get("/admin/audit")
	if p.Status != http.StatusSeeOther || p.Location() != "/account/password" {
		t.Fatalf("before changing the password: %d %q; want /account/password", p.Status, p.Location())
	}
	if got := c.get("/account/password").Text(`[data-testid="alert-info"]`); !strings.Contains(got, "请先修改密码") {
		t.Errorf("notice: %q", got)
	}
	c.submit("/account/password", "/account/password", url.Values{"old_password": {temp}, "new_password": {"Qw8$zxTy3"}, "confirm_password": {"Qw8$zxTy3"}})
	if p := c.get("/admin/audit"); p.Status != http.StatusOK {
		t.Fatalf("after changing: %d", p.Status)
	}
}

func TestAdminPasswordExpiresAfter90Days(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := time.Now().Add(-91 * 24 * time.Hour).UTC()
	if _, err := e.db.NewUpdate().Model((*models.Account)(nil)).Set("password_changed_at = ?", old).Where("username = 'admin'").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := e.client().signIn("admin")
	if p := c.get("/admin/accounts"); p.Location() != "/account/password" {
		t.Fatalf("expired admin password: %d %q", p.Status, p.Location())
	}
	// Practitioners' passwords do not expire.
	if _, err := e.db.NewUpdate().Model((*models.Account)(nil)).Set("password_changed_at = ?", old).Where("username = 'zhangsan'").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := e.client().signIn("zhangsan").get("/home"); p.Status != http.StatusOK {
		t.Fatalf("practitioner with an old password: %d", p.Status)
	}
}

func TestPreviousSignInShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.client().signIn("zhangsan")
	if got := first.get("/home").Text(`[data-testid="last-login"]`); got != "" {
		t.Errorf("first sign-in ever shows %q", got)
	}
	second := e.client().signIn("zhangsan")
	got := second.get("/home").Text(`[data-testid="last-login"]`)
	if !strings.HasPrefix(got, "上次登录：") || !strings.Contains(got, "127.0.0.1") {
		t.Errorf("second sign-in shows %q", got)
	}
}

// otherFirst is token with its first character changed (a random token may well start with "x" already).
func otherFirst(token string) string {
	if strings.HasPrefix(token, "x") {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}
