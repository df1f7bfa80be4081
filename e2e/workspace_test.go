package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// roleCase is what one role sees after signing in.
type roleCase struct {
	name string // practitioner, enterprise, training, admin: also the screenshot's name
	acct account
	menu []string
	wip  string // data-testid of a 建设中 menu item to open
}

var roleCases = []roleCase{
	{"practitioner", practitioner,
		[]string{"首页", "考试报名", "打印准考证", "查看考试结果", "申请证书续期", "申请变更证书", "个人信息维护", "人员调入申请", "个人证书信息", "证书进京"},
		""}, // 证书进京 is built: nothing 建设中 left
	{"enterprise", enterprise,
		[]string{"首页", "单个报名", "批量报名", "单位确认", "打印准考证", "查看考试结果", "申请证书续期", "申请变更证书", "证书申请确认", "企业人员信息", "企业人员获证信息", "登录信息维护"},
		""},
	{"training", training,
		[]string{"首页", "单个报名", "批量报名", "打印准考证", "查看考试结果", "申请证书续期", "申请变更证书", "人员信息", "培训人员获证信息", "登录信息维护", "证书进京"},
		""}, // 证书进京 is built: nothing 建设中 left
	{"admin", admin,
		[]string{"考务管理", "报名审核", "缴费管理", "考务编排", "考场资料", "成绩管理", "证书管理", "证书申请", "统计", "机构与账号", "操作日志", "后台任务", "考生签到"},
		""}, // every item of the admin's menu is built

}

var minLength = regexp.MustCompile(`至少为?8位`)

// newPassword is what each role changes its demo password to.
const newPassword = "Xy7#kLm2pQ"

// TestRoleWorkspace signs in as each role, checks the landing page and the left menu, opens a 建设中 item, changes
// the password through 登录信息维护 (wrong old password, too short, then valid), signs out, and signs in again with
// the new password while the old one is refused. Each mode gets its own server, since the passwords change.
func TestRoleWorkspace(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			// Serial on purpose: each role's refused sign-in counts against 127.0.0.1, and from the third such
			// failure the captcha is required of everyone; in this order the roles that sign in without a captcha
			// always do so before that.
			for _, rc := range roleCases {
				t.Run(rc.name, func(t *testing.T) {
					b := newTab(t, browser, srv, m.js)
					b.open("/login")
					b.assertScripting()

					b.signIn(rc.acct, demoPassword)
					d := b.doc()
					if got := menuLabels(d); !slices.Equal(got, rc.menu) {
						t.Errorf("menu of %s:\n got %q\nwant %q", rc.name, got, rc.menu)
					}
					d.Find("[data-testid=menu] a").Each(func(_ int, a *goquery.Selection) {
						if id, _ := a.Attr("data-testid"); !strings.HasPrefix(id, "menu-") {
							t.Errorf("menu item %q has data-testid %q, want menu-<route name>", a.Text(), id)
						}
					})
					b.screenshot(rc.name + "-" + m.name)
					b.checkWIPItem(rc.wip)
					b.changePassword(rc)

					b.signOut()
					b.signIn(rc.acct, newPassword)
					b.signOut()

					// The old password no longer works. The captcha is filled for every role here, so this
					// checks the password and nothing else.
					b.fillSignIn(rc.acct.user, demoPassword, true)
					b.clickAndLoad("[data-testid=login-submit]")
					b.waitVisible("[data-testid=alert-error]")
					if got := b.text("[data-testid=alert-error]"); got != "用户名或密码错误" {
						t.Errorf("sign-in with the old password says %q, want 用户名或密码错误", got)
					}
					if got := b.path(); !strings.HasPrefix(got, "/login") {
						t.Errorf("sign-in with the old password went to %s", got)
					}
				})
			}
		})
	}
}

// checkWIPItem opens the menu item testID, which is marked 建设中, and checks the page says so ("": the role has
// none left).
func (b *tab) checkWIPItem(testID string) {
	b.t.Helper()
	if testID == "" {
		if n := b.doc().Find(`[data-testid=menu] .wip`).Length(); n != 0 {
			b.t.Errorf("%d menu items are marked 建设中, want none", n)
		}
		return
	}
	link := b.doc().Find(`[data-testid=menu] a[data-testid="` + testID + `"]`)
	if link.Length() != 1 {
		b.t.Fatalf("menu has %d items %s, want 1", link.Length(), testID)
	}
	if got := strings.TrimSpace(link.Find(".wip").Text()); got != "建设中" {
		b.t.Fatalf("menu item %s has badge %q, want 建设中", testID, got)
	}
	href, _ := link.Attr("href")
	b.clickAndLoad(`[data-testid="` + testID + `"]`)
	b.waitVisible("[data-testid=wip]")
	if got := b.path(); got != href {
		b.t.Errorf("menu item %s opened %s, want %s", testID, got, href)
	}
	if got := b.text("[data-testid=wip]"); !strings.Contains(got, "建设中") {
		b.t.Errorf("page of %s says %q, want 建设中", testID, got)
	}
	if cur, _ := b.doc().Find(`[data-testid="` + testID + `"]`).Attr("aria-current"); cur != "page" {
		b.t.Errorf("menu item %s is not marked as the current page", testID)
	}
}

// changePassword goes to 登录信息维护 (the menu item where the role has one, else the header's 修改密码) and
// changes the demo password to newPassword, after a wrong old password and a too short new one are refused.
// With JavaScript the form posts through htmx and the panel is swapped in place.
func (b *tab) changePassword(rc roleCase) {
	b.t.Helper()
	viaMenu := slices.Contains(rc.menu, "登录信息维护")
	if viaMenu {
		b.clickAndLoad(`[data-testid="menu-account.password"]`)
	} else {
		b.clickAndLoad(`[data-testid=who] a[href="/account/password"]`)
	}
	b.waitVisible("[data-testid=password-form]")
	if got := b.path(); got != "/account/password" {
		b.t.Fatalf("登录信息维护 is at %s, want /account/password", got)
	}
	if cur, _ := b.doc().Find(`[data-testid="menu-account.password"]`).Attr("aria-current"); viaMenu && cur != "page" {
		b.t.Error("登录信息维护 is not marked as the current menu item")
	}
	if b.js {
		b.setMarker()
	}

	send := func(old, pw, confirm string) {
		b.t.Helper()
		b.fill("old_password", old)
		b.fill("new_password", pw)
		b.fill("confirm_password", confirm)
		b.submit("[data-testid=password-submit]")
	}

	send("Wrong#2026x", newPassword, newPassword)
	b.waitVisible("[data-testid=error-old_password]")
	if got := b.text("[data-testid=error-old_password]"); got != "原密码不正确" {
		b.t.Errorf("wrong old password: error says %q, want 原密码不正确", got)
	}

	send(demoPassword, "Ab1#x", "Ab1#x")
	b.waitVisible("[data-testid=error-new_password]")
	// The hint under the field says 至少8位, the error 密码长度至少为8位: either wording will do.
	if got := b.text("[data-testid=error-new_password]"); !minLength.MatchString(got) {
		b.t.Errorf("too short new password: error says %q, want it to say 至少8位", got)
	}
	if d := b.doc(); d.Find("[data-testid=error-old_password]").Length() != 0 {
		b.t.Errorf("the right old password is still marked wrong: %q", d.Find("[data-testid=error-old_password]").Text())
	}

	send(demoPassword, newPassword, newPassword)
	b.waitVisible("[data-testid=alert-ok]")
	if got := b.text("[data-testid=alert-ok]"); got != "密码修改成功" {
		b.t.Errorf("after a valid change the page says %q, want 密码修改成功", got)
	}
	d := b.doc()
	if n := d.Find("[data-testid=password-panel] .error").Length(); n != 0 {
		b.t.Errorf("after a valid change the form still shows %d errors", n)
	}
	wantPath := "/account/password?ok=1" // the plain form redirects (303) after the change
	if b.js {
		wantPath = "/account/password" // htmx swapped the panel in place
		if !b.hasMarker() {
			b.t.Error("the page was reloaded: the htmx form should swap the panel in place")
		}
		if n := d.Find("[data-testid=password-panel]").Length(); n != 1 {
			b.t.Errorf("%d password panels on the page after the swap, want 1", n)
		}
	}
	if got := b.path(); got != wantPath {
		b.t.Errorf("after the change the tab is on %s, want %s", got, wantPath)
	}
	if b.js {
		// The change gives the browser a new session and a new CSRF token. Whatever stays on the page with the
		// old token (the 退出 form, the hx-headers of <body>) would be refused with 403 from now on.
		if stale := b.staleCSRF(); len(stale) > 0 {
			b.t.Errorf("after the htmx password change these still carry the old CSRF token, so 退出 and any "+
				"further htmx request are refused (403 页面已过期): %s", strings.Join(stale, "; "))
			b.open("/account/password") // a fresh page, so the rest of the flow can still be checked
		}
	}
}
