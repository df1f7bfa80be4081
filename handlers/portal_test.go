package handlers_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"examcert/internal/config"
	"examcert/internal/ident"
	"examcert/internal/portal"
	"examcert/internal/portal/portaltest"
	"examcert/models"
	"examcert/models/demo"
)

// Sign-in through the 网上办事大厅, against a real OpenID provider (internal/portal/portaltest) run by the test.

// newPortalEnv starts a portal with users and examcert (demo data) registered with it.
func newPortalEnv(t testing.TB, users []portaltest.User, tweak ...func(*config.Config)) (*env, *portaltest.Provider) {
	t.Helper()
	prov := portaltest.Start(t, users...)
	e := newEnv(t, append([]func(*config.Config){func(c *config.Config) {
		c.Portal.Issuer, c.Portal.ClientID, c.Portal.ClientSecret = prov.Issuer, prov.ClientID, prov.ClientSecret
	}}, tweak...)...)
	prov.AllowRedirects(e.srv.URL)
	return e, prov
}

// portalBegin clicks 通过网上办事大厅登录 and returns where examcert sends the browser (the portal).
func (c *client) portalBegin() string {
	c.e.t.Helper()
	p := c.get("/portal/login")
	if p.Status != http.StatusSeeOther {
		c.e.t.Fatalf("/portal/login: status %d, error %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	return p.Location()
}

// portalCallback follows the portal's redirect back to examcert.
func (c *client) portalCallback(back string) *page {
	c.e.t.Helper()
	if !strings.HasPrefix(back, c.e.srv.URL+"/portal/callback?") {
		c.e.t.Fatalf("the portal sent the browser to %s, not to examcert's callback", back)
	}
	return c.get(strings.TrimPrefix(back, c.e.srv.URL))
}

// portalSignIn is the whole sign-in at the portal as username; it returns examcert's answer to the callback.
func (c *client) portalSignIn(prov *portaltest.Provider, username string) *page {
	c.e.t.Helper()
	return c.portalCallback(prov.SignIn(c.e.t, c.portalBegin(), username))
}

func portalIDNumber(n int) string {
	return ident.GenerateIDNumber(rand.New(rand.NewPCG(uint64(n), 14)), "110102", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), ident.GenderFemale)
}

func portalCreditCode(n int) string {
	return ident.GenerateCreditCode(rand.New(rand.NewPCG(uint64(n), 15)), "110108")
}

func (e *env) portalPersonOf(t *testing.T, acct *models.Account) *models.Person {
	t.Helper()
	p := new(models.Person)
	if err := e.db.NewSelect().Model(p).Where("id = ?", *acct.PersonID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) portalCount(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := e.db.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func portalLastResult(evs []models.AuditEvent) string {
	if len(evs) == 0 {
		return ""
	}
	return evs[len(evs)-1].Result
}

func portalHasResult(evs []models.AuditEvent, result string) bool {
	for _, ev := range evs {
		if ev.Result == result {
			return true
		}
	}
	return false
}

// The first sign-in of a new person creates the person and a practitioner account linked to the portal subject;
// the session is a real one (the workspace opens), begun through the portal; the next sign-in finds the same account.
func TestPortalFirstSignInCreatesPractitioner(t *testing.T) {
	t.Parallel()
	idn := portalIDNumber(1)
	e, prov := newPortalEnv(t, []portaltest.User{{Username: "wang", Name: "王 芳", IDNumber: idn}})
	c := e.client()
	if p := c.get("/login"); p.Doc.Find(`[data-testid="portal-login"]`).Length() != 1 {
		t.Fatal("the sign-in page does not offer 通过网上办事大厅登录")
	}
	p := c.portalSignIn(prov, "wang")
	if p.Status != http.StatusSeeOther || p.Location() != "/home" {
		t.Fatalf("callback: status %d, location %q, error %q", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	if home := c.get("/home"); home.Status != http.StatusOK {
		t.Fatalf("/home after portal sign-in: %d", home.Status)
	}
	per, err := models.FindPersonByIDNumber(context.Background(), e.db, idn)
	if err != nil || per.Name != "王 芳" || per.Gender != "女" {
		t.Fatalf("person: %+v, %v", per, err)
	}
	var acct models.Account
	if err := e.db.NewSelect().Model(&acct).Where("person_id = ?", per.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if acct.Role != models.RolePractitioner || e.portalCount(t, "portal_links", "account_id = ? AND subject = ?", acct.ID, "wang") != 1 {
		t.Fatalf("account %+v not a linked practitioner", acct)
	}
	if e.portalCount(t, "portal_sessions", "account_id = ? AND sid = ?", acct.ID, portaltest.SID("wang")) != 1 {
		t.Fatal("the session is not recorded as begun through the portal")
	}
	if ok := e.auditEvents(models.EventLoginOK); len(ok) != 1 || ok[0].Detail != "portal" || *ok[0].AccountID != acct.ID {
		t.Fatalf("login.ok rows: %+v", ok)
	}
	if l := e.auditEvents(models.EventPortalLinked); len(l) != 1 || l[0].Detail != "created" {
		t.Fatalf("portal.linked rows: %+v", l)
	}
	// Again, in another browser: the same account, not linked twice.
	c2 := e.client()
	if p := c2.portalSignIn(prov, "wang"); p.Status != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if n := e.portalCount(t, "accounts", "person_id = ?", per.ID); n != 1 {
		t.Fatalf("%d accounts for the person", n)
	}
	if n := len(e.auditEvents(models.EventPortalLinked)); n != 1 {
		t.Fatalf("%d portal.linked rows after the second sign-in", n)
	}
}

// An existing practitioner is linked by ID number and name; a name that differs is refused with a message and
// an audit row, and links nothing.
func TestPortalLinksPractitionerByIDNumberAndName(t *testing.T) {
	t.Parallel()
	e2, prov2 := newPortalEnv(t, nil)
	zs2 := e2.account("zhangsan")
	per := e2.portalPersonOf(t, zs2)
	prov2.AddUser(portaltest.User{Username: "zs", Name: per.Name, IDNumber: per.IDNumber})
	prov2.AddUser(portaltest.User{Username: "impostor", Name: "李四", IDNumber: per.IDNumber})

	bad := e2.client().portalSignIn(prov2, "impostor")
	if bad.Status != http.StatusOK || !strings.Contains(bad.Text(`[data-testid="alert-error"]`), "姓名（单位名称）与本系统登记的不一致") {
		t.Fatalf("name mismatch: status %d, error %q", bad.Status, bad.Text(`[data-testid="alert-error"]`))
	}
	if n := e2.portalCount(t, "portal_links", "account_id = ?", zs2.ID); n != 0 {
		t.Fatal("a refused identity was linked")
	}
	failed := e2.auditEvents(models.EventLoginFailed)
	if portalLastResult(failed) != "name_mismatch" || failed[len(failed)-1].Detail != "portal" {
		t.Fatalf("login.failed rows: %+v", failed)
	}
	if strings.Contains(failed[len(failed)-1].Username, per.IDNumber) {
		t.Fatal("the audit row holds a full ID number")
	}

	c := e2.client()
	if p := c.portalSignIn(prov2, "zs"); p.Status != http.StatusSeeOther {
		t.Fatalf("sign-in by ID number and name: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if n := e2.portalCount(t, "portal_links", "account_id = ? AND subject = ?", zs2.ID, "zs"); n != 1 {
		t.Fatal("zhangsan's account is not linked to the portal subject")
	}
	if l := e2.auditEvents(models.EventPortalLinked); len(l) != 1 || l[0].Detail != "linked" || l[0].Username != "zhangsan" {
		t.Fatalf("portal.linked rows: %+v", l)
	}
	// The impostor, now that the account is linked to zs, still gets nowhere.
	if p := e2.client().portalSignIn(prov2, "impostor"); p.Status != http.StatusOK {
		t.Fatalf("impostor after the link: %d", p.Status)
	}
}

// An enterprise is linked by its credit code (the existing account of the organization), or the organization and
// its account are created; a credit code of a training institution is refused.
func TestPortalEnterprise(t *testing.T) {
	t.Parallel()
	e2, prov2 := newPortalEnv(t, nil)
	js2 := e2.account("jianshe")
	org, err := models.GetOrganization(context.Background(), e2.db, *js2.OrganizationID)
	if err != nil {
		t.Fatal(err)
	}
	train := e2.account("peixun")
	torg, err := models.GetOrganization(context.Background(), e2.db, *train.OrganizationID)
	if err != nil {
		t.Fatal(err)
	}
	newCode := portalCreditCode(1)
	prov2.AddUser(portaltest.User{Username: "legal1", Name: org.Name, CreditCode: org.Code()})
	prov2.AddUser(portaltest.User{Username: "legal2", Name: "北京新建工程有限公司", CreditCode: newCode})
	prov2.AddUser(portaltest.User{Username: "legal3", Name: torg.Name, CreditCode: torg.Code()})

	if p := e2.client().portalSignIn(prov2, "legal1"); p.Status != http.StatusSeeOther {
		t.Fatalf("existing enterprise: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if e2.portalCount(t, "portal_links", "account_id = ? AND subject = ?", js2.ID, "legal1") != 1 {
		t.Fatal("the enterprise account is not linked")
	}
	c := e2.client()
	if p := c.portalSignIn(prov2, "legal2"); p.Status != http.StatusSeeOther {
		t.Fatalf("new enterprise: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	o, err := models.FindOrganizationByCode(context.Background(), e2.db, newCode, "")
	if err != nil || o.Kind != models.KindEnterprise || o.Name != "北京新建工程有限公司" {
		t.Fatalf("created organization: %+v %v", o, err)
	}
	if e2.portalCount(t, "accounts", "organization_id = ? AND role = ?", o.ID, models.RoleEnterprise) != 1 {
		t.Fatal("no enterprise account for the new organization")
	}
	if p := c.get("/staff"); p.Status != http.StatusOK {
		t.Fatalf("the new enterprise's 企业人员信息: %d", p.Status)
	}
	p := e2.client().portalSignIn(prov2, "legal3")
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="alert-error"]`), "培训机构") {
		t.Fatalf("training institution's code: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if !portalHasResult(e2.auditEvents(models.EventLoginFailed), "portal_training") {
		t.Fatal("no audit row for the refused training institution")
	}
}

// Every way the portal's answer can be wrong is refused with a Chinese message and a login.failed row, and signs
// nobody in.
func TestPortalRefusesBadAnswers(t *testing.T) {
	t.Parallel()
	idn := portalIDNumber(2)
	e, prov := newPortalEnv(t, []portaltest.User{{Username: "zhao", Name: "赵六", IDNumber: idn}})
	refused := func(t *testing.T, p *page, result, msg string) {
		t.Helper()
		if p.Status == http.StatusSeeOther {
			t.Fatalf("signed in (to %s)", p.Location())
		}
		if got := p.Text(`[data-testid="alert-error"]`); !strings.Contains(got, msg) {
			t.Fatalf("message %q, want %q", got, msg)
		}
		if p.Doc.Find(`[data-testid="login-form"]`).Length() != 1 {
			t.Fatal("the password form is not shown with the message")
		}
		if got := portalLastResult(e.auditEvents(models.EventLoginFailed)); got != result {
			t.Fatalf("audit result %q, want %q", got, result)
		}
	}
	tamper := func(t *testing.T, f func(map[string]any)) {
		prov.Tamper(f)
		t.Cleanup(func() { prov.Tamper(nil) })
	}

	t.Run("wrong state", func(t *testing.T) {
		c := e.client()
		back := prov.SignIn(t, c.portalBegin(), "zhao")
		u, _ := url.Parse(back)
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
		refused(t, c.portalCallback(u.String()), "portal_state", portal.MsgState)
		// The pending sign-in was used up by the wrong answer: the right state no longer works either.
		refused(t, c.portalCallback(back), "portal_state", portal.MsgState)
	})
	t.Run("callback in another browser", func(t *testing.T) {
		back := prov.SignIn(t, e.client().portalBegin(), "zhao")
		refused(t, e.client().portalCallback(back), "portal_state", portal.MsgState)
	})
	t.Run("replayed code", func(t *testing.T) {
		c := e.client()
		back := prov.SignIn(t, c.portalBegin(), "zhao")
		if p := c.portalCallback(back); p.Status != http.StatusSeeOther {
			t.Fatalf("first use of the code: %d", p.Status)
		}
		// A new sign-in in an attacker's browser, answered with the code already used.
		a := e.client()
		fresh, _ := url.Parse(prov.SignIn(t, a.portalBegin(), "zhao"))
		old, _ := url.Parse(back)
		q := fresh.Query()
		q.Set("code", old.Query().Get("code"))
		fresh.RawQuery = q.Encode()
		refused(t, a.portalCallback(fresh.String()), "portal_code", portal.MsgCode)
	})
	t.Run("wrong nonce", func(t *testing.T) {
		tamper(t, func(c map[string]any) { c["nonce"] = "another" })
		refused(t, e.client().portalSignIn(prov, "zhao"), "portal_nonce", portal.MsgToken)
	})
	t.Run("expired token", func(t *testing.T) {
		tamper(t, func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
		refused(t, e.client().portalSignIn(prov, "zhao"), "portal_expired", portal.MsgExpired)
	})
	t.Run("wrong audience", func(t *testing.T) {
		tamper(t, func(c map[string]any) { c["aud"] = []string{"another-client"} })
		refused(t, e.client().portalSignIn(prov, "zhao"), "portal_audience", portal.MsgToken)
	})
	t.Run("unknown issuer", func(t *testing.T) {
		tamper(t, func(c map[string]any) { c["iss"] = "https://elsewhere.example" })
		refused(t, e.client().portalSignIn(prov, "zhao"), "portal_issuer", portal.MsgToken)
	})
	t.Run("cancelled at the portal", func(t *testing.T) {
		c := e.client()
		auth, _ := url.Parse(c.portalBegin())
		refused(t, c.get("/portal/callback?error=access_denied&state="+url.QueryEscape(auth.Query().Get("state"))),
			"portal_denied", portal.MsgDenied)
	})
	if n := e.portalCount(t, "sessions", "account_id IS NOT NULL"); n != 1 {
		t.Fatalf("%d signed-in sessions; only the replayed code's first use signed in", n)
	}
}

// An examcert configured with an issuer that is not the one the provider names itself is refused at the start.
func TestPortalIssuerMismatch(t *testing.T) {
	t.Parallel()
	prov := portaltest.Start(t)
	e := newEnv(t, func(c *config.Config) {
		c.Portal.Issuer = strings.Replace(prov.Issuer, "localhost", "127.0.0.1", 1) // same server, another issuer name
		c.Portal.ClientID, c.Portal.ClientSecret = prov.ClientID, prov.ClientSecret
	})
	p := e.client().get("/portal/login")
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="alert-error"]`), portal.MsgMisconfig) {
		t.Fatalf("status %d, error %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if portalLastResult(e.auditEvents(models.EventLoginFailed)) != "portal_issuer" {
		t.Fatal("no audit row")
	}
}

// A portal that is down: examcert starts anyway, the sign-in page says so in Chinese, and passwords still work.
func TestPortalDown(t *testing.T) {
	t.Parallel()
	prov := portaltest.Start(t)
	prov.Stop()
	e := newEnv(t, func(c *config.Config) {
		c.Portal.Issuer, c.Portal.ClientID, c.Portal.ClientSecret = prov.Issuer, prov.ClientID, prov.ClientSecret
	})
	c := e.client()
	p := c.get("/portal/login")
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Text(`[data-testid="alert-error"]`), "网上办事大厅暂时无法访问") {
		t.Fatalf("status %d, error %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if p.Doc.Find(`[data-testid="login-form"]`).Length() != 1 {
		t.Fatal("no password form beside the message")
	}
	if portalLastResult(e.auditEvents(models.EventLoginFailed)) != "portal_unavailable" {
		t.Fatal("no audit row")
	}
	c.signIn("zhangsan")
	if home := c.get("/home"); home.Status != http.StatusOK {
		t.Fatalf("password sign-in with the portal down: %d", home.Status)
	}
}

// A portal that goes down after examcert reached it once: the button still answers with the message, not by
// sending the browser to a dead address.
func TestPortalGoesDown(t *testing.T) {
	t.Parallel()
	e, prov := newPortalEnv(t, []portaltest.User{{Username: "wu", Name: "吴十", IDNumber: portalIDNumber(6)}})
	if p := e.client().portalSignIn(prov, "wu"); p.Status != http.StatusSeeOther {
		t.Fatalf("sign-in with the portal up: %d", p.Status)
	}
	prov.Stop()
	p := e.client().get("/portal/login")
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Text(`[data-testid="alert-error"]`), "网上办事大厅暂时无法访问") {
		t.Fatalf("status %d, location %q, error %q", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
}

// 退出 of a portal session ends examcert's session and sends the browser to the portal's end-session endpoint,
// which accepts it and comes back to the sign-in page; a password session's 退出 does not go to the portal.
func TestPortalSignOut(t *testing.T) {
	t.Parallel()
	e, prov := newPortalEnv(t, []portaltest.User{{Username: "qian", Name: "钱七", IDNumber: portalIDNumber(3)}})
	c := e.client()
	c.portalSignIn(prov, "qian")
	sessionCookie := c.cookie("examcert_session")
	p := c.do(http.MethodPost, "/logout", url.Values{"_csrf": {c.csrf()}}, false, nil)
	link, ok := p.Doc.Find(`[data-testid="portal-logout-link"]`).Attr("href")
	if p.Status != http.StatusOK || !ok || !strings.HasPrefix(link, prov.Issuer+"/end_session?") {
		t.Fatalf("退出: status %d, link %q", p.Status, link)
	}
	if refresh, _ := p.Doc.Find(`meta[http-equiv="refresh"]`).Attr("content"); refresh != "0;url="+link {
		t.Fatalf("meta refresh %q", refresh)
	}
	if e.portalCount(t, "sessions", "id = ?", sessionCookie) != 0 || e.portalCount(t, "portal_sessions", "session_id = ?", sessionCookie) != 0 {
		t.Fatal("the session outlived 退出")
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != e.srv.URL+"/login?reason=signed_out" {
		t.Fatalf("the portal's end-session answered %d to %q", resp.StatusCode, loc)
	}

	pw := e.client().signIn("zhangsan")
	if p := pw.do(http.MethodPost, "/logout", url.Values{"_csrf": {pw.csrf()}}, false, nil); p.Status != http.StatusSeeOther ||
		p.Location() != "/login?reason=signed_out" {
		t.Fatalf("password 退出: %d %q", p.Status, p.Location())
	}
}

// The portal's back-channel logout ends the sessions of the portal session (sid) or of the subject; tokens that
// do not verify are refused with 400 and end nothing.
func TestPortalBackChannelLogout(t *testing.T) {
	t.Parallel()
	e, prov := newPortalEnv(t, []portaltest.User{{Username: "sun", Name: "孙八", IDNumber: portalIDNumber(4)},
		{Username: "zhou", Name: "周九", IDNumber: portalIDNumber(5)}})
	other := portaltest.Start(t)
	other.ClientID = prov.ClientID
	post := func(token string) int {
		resp, err := http.PostForm(e.srv.URL+"/portal/backchannel-logout", url.Values{"logout_token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	signedIn := func(c *client) bool { return c.get("/home").Status == http.StatusOK }
	sun, sun2, zhou := e.client(), e.client(), e.client()
	sun.portalSignIn(prov, "sun")
	sun2.portalSignIn(prov, "sun")
	zhou.portalSignIn(prov, "zhou")

	for name, tok := range map[string]string{
		"wrong audience": prov.LogoutToken("sun", "", func(c map[string]any) { c["aud"] = "another-client" }),
		"wrong issuer":   prov.LogoutToken("sun", "", func(c map[string]any) { c["iss"] = "https://elsewhere.example" }),
		"no event":       prov.LogoutToken("sun", "", func(c map[string]any) { delete(c, "events") }),
		"a nonce":        prov.LogoutToken("sun", "", func(c map[string]any) { c["nonce"] = "n" }),
		"no sub or sid":  prov.LogoutToken("", "", nil),
		"old":            prov.LogoutToken("sun", "", func(c map[string]any) { c["iat"] = time.Now().Add(-time.Hour).Unix() }),
		"other key":      other.LogoutToken("sun", "", func(c map[string]any) { c["iss"] = prov.Issuer }),
		"not a token":    "garbage",
	} {
		if got := post(tok); got != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, got)
		}
	}
	if !signedIn(sun) || !signedIn(sun2) || !signedIn(zhou) {
		t.Fatal("a refused logout token ended a session")
	}
	if n := len(e.auditEvents(models.EventPortalLogout)); n != 8 {
		t.Fatalf("%d portal.logout rows for 8 refused tokens", n)
	}
	if got := post(prov.LogoutToken("", portaltest.SID("sun"), nil)); got != http.StatusOK {
		t.Fatalf("logout by sid: %d", got)
	}
	if signedIn(sun) || signedIn(sun2) || !signedIn(zhou) {
		t.Fatal("logout by sid: wrong sessions ended")
	}
	if got := post(prov.LogoutToken("zhou", "", nil)); got != http.StatusOK {
		t.Fatalf("logout by sub: %d", got)
	}
	if signedIn(zhou) {
		t.Fatal("logout by sub left the session")
	}
	if ok := e.auditEvents(models.EventPortalLogout); portalLastResult(ok) != "ok" {
		t.Fatalf("portal.logout rows: %+v", ok)
	}
}

// With the password fallback turned off, practitioners and enterprises must use the portal; training
// institutions and admins keep their passwords.
func TestPortalPasswordFallbackOff(t *testing.T) {
	t.Parallel()
	e, _ := newPortalEnv(t, nil, func(c *config.Config) { c.Portal.PasswordFallback = false })
	c := e.client()
	login := c.get("/login")
	if login.Doc.Find(`[data-testid="portal-only"]`).Length() != 1 {
		t.Fatal("the sign-in page does not say that practitioners and enterprises use the portal")
	}
	p := c.login("zhangsan", demo.Password)
	if p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) != models.ErrPasswordSignInOff.Error() {
		t.Fatalf("practitioner's password: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if portalLastResult(e.auditEvents(models.EventLoginFailed)) != "password_off" {
		t.Fatal("no audit row")
	}
	if p := c.login("jianshe", demo.Password); p.Status != http.StatusOK {
		t.Fatalf("enterprise's password: %d", p.Status)
	}
	// A wrong password still answers as before: nobody learns the role of a name without its password.
	if p := c.login("zhangsan", "wrong-Password-1"); p.Text(`[data-testid="alert-error"]`) != models.ErrBadCredentials.Error() {
		t.Fatalf("wrong password: %q", p.Text(`[data-testid="alert-error"]`))
	}
	e.client().signIn("peixun")
	e.client().signIn("admin")
}

// Without a portal, the sign-in page offers none and its routes are not found.
func TestPortalNotConfigured(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	if c.get("/login").Doc.Find(`[data-testid="portal-login"]`).Length() != 0 {
		t.Fatal("portal button without a portal")
	}
	for _, path := range []string{"/portal/login", "/portal/callback?state=x&code=y"} {
		if p := c.get(path); p.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
}

// A session begun through the portal keeps the password path's rules: the idle limit, the absolute limit, and the
// page it was going to (next) when the sign-in began.
func TestPortalSessionLimits(t *testing.T) {
	t.Parallel()
	e, prov := newPortalEnv(t, []portaltest.User{{Username: "feng", Name: "冯十一", IDNumber: portalIDNumber(7)}})
	signIn := func() *client {
		c := e.client()
		begin := c.get("/portal/login?next=" + url.QueryEscape("/profile"))
		p := c.portalCallback(prov.SignIn(t, begin.Location(), "feng"))
		if p.Status != http.StatusSeeOther || p.Location() != "/profile" {
			t.Fatalf("callback: %d to %q, want /profile", p.Status, p.Location())
		}
		return c
	}
	for name, set := range map[string]string{
		"idle":     "last_seen_at = ?",
		"absolute": "signed_in_at = ?",
	} {
		c := signIn()
		ago := models.Now().Add(-13 * time.Hour)
		if _, err := e.db.NewUpdate().Table("sessions").Set(set, ago).Where("id = ?", c.cookie("examcert_session")).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		if p := c.get("/home"); p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "reason=timeout") {
			t.Errorf("%s limit: /home answered %d to %q", name, p.Status, p.Location())
		}
	}
}
