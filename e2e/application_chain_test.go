package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"examcert/models"
)

// appChain is one run of the 证书申请 chain: the server and a tab per role.
type appChain struct {
	t       *testing.T
	browser context.Context
	m       mode
	srv     *server
	a, p, e *tab // admin, zhangsan, jianshe
	e2, tr  *tab // jianshe2, peixun
	l       *tab // lisi
}

// TestApplicationChain is issue 13's chain through every role's own screens, with JavaScript and without:
//   - 续期: zhangsan ticks his 安全员 certificate on 申请证书续期 (申请批号 XQSQ…); jianshe, his employer, returns it
//     with a reason on 证书申请确认; he sees the reason and 重新提交; jianshe confirms; the admin 受理, 审核通过, 决定通过
//     on 证书申请, row by row; his certificate runs 3 more years from today's decision, its new QR page says 有效 and
//     the old one 已换发;
//   - 续期 by an enterprise: jianshe files one for its staff member's 建筑电工 certificate (straight to 已申请), the
//     admin takes it through row by row, and 企业人员获证信息 shows 2 more years from today;
//   - 变更: jianshe files a 京内变更 of a staff member's certificate to 北京宏远建设集团有限公司 (须知 first, then the
//     申请表 with 变更前 | 变更后); jianshe2, the new employer, confirms; the admin takes it through in bulk; the
//     certificate and its verification page name the new employer;
//   - 进京: peixun files one for someone new (typed by hand), jianshe confirms, the admin decides on the detail
//     page, and a Beijing certificate is issued to the original's 有效期止;
//   - 变更 by a practitioner: lisi changes her name; jianshe2, her employer, confirms; the admin returns it with a
//     reason; she reads it and resubmits the corrected 申请表; jianshe2 confirms again; the admin 受理, 审核通过 and
//     then 不予通过 with a reason, which she reads on 申请变更证书 (her certificate keeps her name).
//
// Its outcome does not depend on the database, so it runs in the SQLite pass only.
func TestApplicationChain(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := &appChain{t: t, browser: browser, m: m, srv: startServer(t, bin)}
			c.a, c.p, c.e = newTab(t, browser, c.srv, m.js), newTab(t, browser, c.srv, m.js), newTab(t, browser, c.srv, m.js)
			c.a.signIn(admin, demoPassword)
			c.a.assertScripting()
			c.p.signIn(practitioner, demoPassword)
			c.e.signIn(enterprise, demoPassword)
			c.renewal()
			c.staffRenewal()
			c.e2 = newTab(t, browser, c.srv, m.js)
			c.e2.signIn(account{user: "jianshe2", landing: "/home"}, demoPassword)
			c.change()
			c.tr, c.l = newTab(t, browser, c.srv, m.js), newTab(t, browser, c.srv, m.js)
			c.tr.signIn(training, demoPassword)
			c.l.signIn(account{user: "lisi", landing: "/home"}, demoPassword)
			c.transfer()
			c.practitionerChange()
		})
	}
}

// jianshe2Code is 北京宏远建设集团有限公司's 统一社会信用代码 (the demo's, as the README lists it).
const jianshe2Code = "91110106U2G2CXUK7A"

// today is the date of today in Beijing, as pages print it.
func today() time.Time {
	n := time.Now().In(models.Beijing)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// myCertificate opens 个人证书信息 → 【详细】 of the tab's only certificate and returns its 有效期 and verification link.
func myCertificate(b *tab) (period, verify string) {
	b.t.Helper()
	b.clickAndLoad(`[data-testid="menu-certificate.mine"]`)
	b.waitVisible(`[data-testid="cert-row"]`)
	b.clickAndLoad(`[data-testid="cert-detail"]`)
	b.waitVisible(`[data-testid="cert-sheet"]`)
	verify, _ = b.doc().Find(`[data-testid="cert-verify-link"]`).Attr("href")
	return b.text(`[data-testid="cert-有效期"]`), verify
}

// applicationID is the id in a link to an application's detail page (/applications/ID).
func applicationID(t *testing.T, sel *goquery.Selection) string {
	t.Helper()
	href, _ := sel.Attr("href")
	rest, ok := strings.CutPrefix(href, "/applications/")
	id, _, _ := strings.Cut(rest, "/")
	if !ok || id == "" {
		t.Fatalf("no link to an application's detail page: %q", href)
	}
	return id
}

// rowStep presses a step's button on the row of application id (on a desk: 证书申请 or 证书申请确认) and waits until
// the row's state reads want (with JavaScript the row is swapped in place; without, the desk comes back with the
// answer, and the detail page tells the state).
func (c *appChain) rowStep(b *tab, id, action, want string) {
	c.t.Helper()
	row := `[data-testid="app-row-` + id + `"]`
	b.waitVisible(row)
	b.htmxReady(row + ` [data-testid="app-` + action + `"]`)
	b.submit(row + ` [data-testid="app-` + action + `"]`)
	if c.m.js {
		b.eventually(action+" → "+want, func() bool { return strings.HasPrefix(b.appRowStatus(id), want) })
		return
	}
	if got := b.text(`[data-testid="alert-ok"]`); !strings.Contains(got, "成功，共1条，批号为") {
		c.t.Fatalf("after %s: %q %s", action, got, b.text(`[data-testid="alert-error"]`))
	}
	c.expectState(b, id, want)
}

// expectState opens the application's detail page and checks its state, then goes back to the desk.
func (c *appChain) expectState(b *tab, id, want string) {
	c.t.Helper()
	desk := b.path()
	b.open("/applications/" + id)
	if got := b.text(`[data-testid="app-state"]`); got != want {
		c.t.Fatalf("application %s is %q, want %q", id, got, want)
	}
	b.open(desk)
}

// rowReturn returns application id with a reason from a desk's row (the reason inline with JavaScript, on a page
// without).
func (c *appChain) rowReturn(b *tab, id, reason string) {
	c.t.Helper()
	c.rowReason(b, id, "return", "退回修改", reason)
}

// rowReason takes a step that needs a reason (return: 退回修改, reject: 不予通过) on application id from a desk's row
// and waits until the row's state reads label.
func (c *appChain) rowReason(b *tab, id, action, label, reason string) {
	c.t.Helper()
	row := `[data-testid="app-row-` + id + `"]`
	b.waitVisible(row)
	if c.m.js {
		b.htmxReady(row + ` [data-testid="app-` + action + `"]`)
		b.click(row + ` [data-testid="app-` + action + `"]`)
		b.waitVisible(row + ` [data-testid="app-reason-picker"]`)
	} else {
		b.clickAndLoad(row + ` [data-testid="app-` + action + `"]`)
		b.waitVisible(`[data-testid="app-reason-form"]`)
	}
	b.fill("reason-"+id, reason)
	b.htmxReady(`[data-testid="app-reason-submit"]`)
	b.submit(`[data-testid="app-reason-submit"]`)
	if c.m.js {
		b.eventually("the row says "+label, func() bool { return strings.HasPrefix(b.appRowStatus(id), label) })
		return
	}
	if got := b.text(`[data-testid="alert-ok"]`); !strings.Contains(got, label+"成功，共1条，批号为") {
		c.t.Fatalf("after %s: %q %s", label, got, b.text(`[data-testid="alert-error"]`))
	}
	c.expectState(b, id, label)
}

func (c *appChain) renewal() {
	t, p, e, a := c.t, c.p, c.e, c.a
	before, oldVerify := myCertificate(p)
	oldUntil, err := time.Parse("2006-01-02", before[strings.LastIndex(before, " ")+1:])
	if err != nil || oldVerify == "" {
		t.Fatalf("zhangsan's certificate: 有效期 %q, verification link %q", before, oldVerify)
	}

	p.clickAndLoad(`[data-testid="menu-renewal.page"]`)
	p.waitVisible(`[data-testid="renewal-tick"]`)
	if n := p.doc().Find(`[data-testid="renewal-tick"]`).Length(); n != 1 {
		t.Fatalf("%d certificates offered for renewal, want zhangsan's one", n)
	}
	p.click(`[data-testid="renewal-tick"]`)
	p.htmxReady(`[data-testid="renewal-apply"]`)
	p.submit(`[data-testid="renewal-apply"]`)
	p.eventually("证书续期申请成功", func() bool {
		return strings.Contains(p.text(`[data-testid="alert-ok"]`), "证书续期申请成功，申请批号为")
	})
	if got := p.text(`[data-testid="alert-ok"]`); !strings.Contains(got, "XQSQ") {
		t.Errorf("the answer names no XQSQ 申请批号: %q", got)
	}
	p.screenshot("renewal-" + c.m.name)
	id := applicationID(t, p.doc().Find(`[data-testid="renewal-app-detail"]`).First())
	if got := p.text(`[data-testid="renewal-app-status"]`); got != "待单位确认" {
		t.Errorf("after 申请: %q", got)
	}

	// The employer returns it with a reason; zhangsan reads it and resubmits; the employer confirms.
	e.clickAndLoad(`[data-testid="menu-unit_applications.page"]`)
	c.rowReturn(e, id, "请核对联系电话")
	p.clickAndLoad(`[data-testid="menu-renewal.page"]`)
	if got := p.text(`[data-testid="renewal-app-status"]`); got != "退回修改" {
		t.Errorf("after the employer's 退回修改 zhangsan sees %q", got)
	}
	if got := p.text(`[data-testid="renewal-app-reason"]`); !strings.Contains(got, "请核对联系电话") {
		t.Errorf("the reason zhangsan sees: %q", got)
	}
	p.htmxReady(`[data-testid="renewal-resubmit"]`)
	p.submit(`[data-testid="renewal-resubmit"]`)
	p.eventually("待单位确认 again", func() bool { return p.text(`[data-testid="renewal-app-status"]`) == "待单位确认" })
	e.clickAndLoad(`[data-testid="menu-unit_applications.page"]`)
	c.rowStep(e, id, "confirm", "已申请")

	// The registry, row by row.
	a.clickAndLoad(`[data-testid="menu-admin.applications"]`)
	c.rowStep(a, id, "accept", "已受理")
	c.rowStep(a, id, "review", "已审核")
	c.rowStep(a, id, "decide", "已决定")

	after, newVerify := myCertificate(p)
	want := today().Format("2006-01-02") + " 至 " + oldUntil.AddDate(3, 0, 0).Format("2006-01-02")
	if after != want {
		t.Errorf("有效期 after 续期 %q, want %q", after, want)
	}
	if newVerify == oldVerify || newVerify == "" {
		t.Errorf("the verification link did not change: %q", newVerify)
	}
	v := c.verify(newVerify)
	if got := v.text(`[data-testid="verify-status"]`); got != "有效" {
		t.Errorf("the new QR's page says %q", got)
	}
	v.open(oldVerify)
	v.waitVisible(`[data-testid="verify-superseded"]`)
	if got := v.text(`[data-testid="verify-status"]`); !strings.Contains(got, "已换发") {
		t.Errorf("the old QR's page says %q", got)
	}
}

// verify opens a verification page in a signed-out tab.
func (c *appChain) verify(path string) *tab {
	c.t.Helper()
	v := newTab(c.t, c.browser, c.srv, c.m.js)
	v.open(path)
	v.waitVisible(`[data-testid="verify-sheet"]`)
	return v
}

func (c *appChain) change() {
	t, e, e2, a := c.t, c.e, c.e2, c.a
	e.clickAndLoad(`[data-testid="menu-change.page"]`)
	e.waitVisible(`[data-testid="change-cert-row"]`)
	var apply string
	e.doc().Find(`[data-testid="change-cert-row"]`).Each(func(_ int, r *goquery.Selection) {
		if strings.Contains(r.Text(), "安全员") {
			apply, _ = r.Find(`[data-testid="change-apply"]`).Attr("href")
		}
	})
	if apply == "" {
		t.Fatalf("no 安全员 certificate to change on jianshe's 申请变更证书: %s", e.text(`[data-testid="change-home"]`))
	}
	e.open(apply)
	e.waitVisible(`[data-testid="change-notice"]`)
	e.click(`[data-testid="change-accept"] input`)
	e.clickAndLoad(`[data-testid="change-notice"] button`)
	e.waitVisible(`[data-testid="change-form"]`)
	e.choose(`select[name="change_type"]`, models.ChangeInside)
	e.retype(`input[name="employer_name"]`, "北京宏远建设集团有限公司")
	e.retype(`input[name="employer_code"]`, jianshe2Code)
	e.retype(`input[name="phone"]`, "13900139000")
	e.choose(`select[name="contract_type"]`, "无固定期限")
	e.choose(`input[name="contract_from"]`, "2026-12-01")
	e.htmxReady(`[data-testid="change-save"]`)
	e.submit(`[data-testid="change-save"]`)
	e.eventually("证书变更申请成功", func() bool {
		ok := strings.Contains(e.text(`[data-testid="change-form"] [data-testid="alert-ok"]`), "证书变更申请成功")
		if !ok && e.doc().Find(`[data-testid="change-form"] .error`).Length() > 0 {
			t.Fatalf("the 申请表 came back with errors: %s", e.doc().Find(`[data-testid="change-form"] .error`).Text())
		}
		return ok
	})
	e.screenshot("change-form-" + c.m.name)
	if n := e.doc().Find(`[data-testid="changed-row"]`).Length(); n != 2 {
		t.Errorf("%d rows highlighted as changed, want 2 (单位名称, 单位代码)", n)
	}
	e.clickAndLoad(`[data-testid="menu-change.page"]`)
	id := applicationID(t, e.doc().Find(`[data-testid="change-app-row"] a[href^="/applications/"]`).First())

	// The new employer confirms; the registry takes it through in bulk.
	e2.clickAndLoad(`[data-testid="menu-unit_applications.page"]`)
	c.rowStep(e2, id, "confirm", "已申请")
	for _, step := range []struct{ action, want string }{{"accept", "已受理"}, {"review", "已审核"}, {"decide", "已决定"}} {
		a.clickAndLoad(`[data-testid="menu-admin.applications"]`)
		a.waitVisible(`[data-testid="app-row-` + id + `"]`)
		a.click(`[data-testid="app-row-` + id + `"] [data-testid="app-check"]`)
		a.htmxReady(`[data-testid="app-bulk-` + step.action + `"]`)
		a.submit(`[data-testid="app-bulk-` + step.action + `"]`)
		a.eventually("批量 "+step.action, func() bool { return strings.Contains(a.text(`[data-testid="alert-ok"]`), "共1条，批号为BG") })
		a.open("/applications/" + id)
		if got := a.text(`[data-testid="app-state"]`); got != step.want {
			t.Fatalf("after 批量%s: %q", step.action, got)
		}
	}
	a.clickAndLoad(`[data-testid="app-cert-link"]`)
	a.waitVisible(`[data-testid="cert-sheet"]`)
	if got := a.text(`[data-testid="cert-单位"]`); got != "北京宏远建设集团有限公司" {
		t.Errorf("单位 after the change: %q", got)
	}
	verify, _ := a.doc().Find(`[data-testid="cert-verify-link"]`).Attr("href")
	if got := c.verify(verify).text(`[data-testid="verify-单位"]`); got != "北京宏远建设集团有限公司" {
		t.Errorf("the verification page's 单位: %q", got)
	}
}

// transfer: peixun files a 证书进京 for someone new, typed by hand (no national platform here); jianshe, the
// 现聘用单位, confirms; the admin takes it through on the application's detail page; the new Beijing certificate
// keeps the original's 有效期止 and its verification page says 有效.
func (c *appChain) transfer() {
	t, tr, e, a := c.t, c.tr, c.e, c.a
	idn := newIDNumber(1330)
	until := today().AddDate(1, 6, 0).Format("2006-01-02")
	tr.clickAndLoad(`[data-testid="menu-transfer.page"]`)
	tr.clickAndLoad(`[data-testid="transfer-new"]`)
	tr.waitVisible(`[data-testid="transfer-form"]`)
	if tr.text(`[data-testid="platform-note"]`) == "" {
		t.Error("no note that the national platform is absent")
	}
	tr.fill("id_number", idn)
	tr.submit(`[data-testid="check-id"]`)
	tr.eventually("birth date from the ID number", func() bool { return tr.value(`#birth_date`) == "1990-03-04" })
	if !strings.Contains(tr.text(`[data-testid="platform-note"]`), "手工填写") {
		t.Errorf("after 核对身份证号 the note is gone: %q", tr.text(`[data-testid="platform-note"]`))
	}
	tr.fill("name", "孙进京")
	tr.fill("cert_number", "冀建安C3（2023）0004321")
	tr.choose(`select[name="category_id"]`, tr.chainOption(`select[name="category_id"]`, "安全员"))
	tr.fill("authority", "河北省住房和城乡建设厅")
	tr.choose(`input[name="first_issued_on"]`, "2023-06-01")
	tr.choose(`input[name="valid_from"]`, "2023-06-01")
	tr.choose(`input[name="valid_until"]`, until)
	tr.fill("orig_employer", "河北原单位有限公司")
	tr.fill("employer_code", jiansheCreditCode)
	tr.fill("employer_name", jiansheName)
	tr.choose(`select[name="duty"]`, "专职安全生产管理人员")
	tr.screenshot("transfer-form-" + c.m.name)
	tr.htmxReady(`[data-testid="transfer-save"]`)
	tr.submit(`[data-testid="transfer-save"]`)
	tr.waitVisible(`[data-testid="transfer-view"]`)
	if got := tr.text(`[data-testid="alert-ok"]`); got != "申请成功" {
		t.Fatalf("after 保存: %q %q", got, tr.text(`.error`))
	}
	tr.clickAndLoad(`[data-testid="transfer-back"]`)
	id := applicationID(t, tr.doc().Find(`[data-testid="transfer-detail"]`).First())
	if got := tr.text(`[data-testid="transfer-status"]`); got != "待单位确认" {
		t.Errorf("after 保存: %q", got)
	}

	e.clickAndLoad(`[data-testid="menu-unit_applications.page"]`)
	c.rowStep(e, id, "confirm", "已申请")
	for _, step := range []struct{ action, want string }{{"accept", "已受理"}, {"review", "已审核"}, {"decide", "已编号"}} {
		a.open("/applications/" + id)
		a.clickAndLoad(`[data-testid="app-act-` + step.action + `"]`)
		if got := a.text(`[data-testid="app-state"]`); got != step.want {
			t.Fatalf("after %s on the detail page: %q %s", step.action, got, a.text(`[data-testid="alert-error"]`))
		}
	}
	a.screenshot("application-detail-" + c.m.name)
	a.clickAndLoad(`[data-testid="app-cert-link"]`)
	a.waitVisible(`[data-testid="cert-sheet"]`)
	if got, want := a.text(`[data-testid="cert-有效期"]`), today().Format("2006-01-02")+" 至 "+until; got != want {
		t.Errorf("the Beijing certificate's 有效期 %q, want %q", got, want)
	}
	if got := a.text(`[data-testid="cert-证书编号"]`); !strings.HasPrefix(got, "京建安C3（") {
		t.Errorf("the Beijing certificate's number %q", got)
	}
	verify, _ := a.doc().Find(`[data-testid="cert-verify-link"]`).Attr("href")
	v := c.verify(verify)
	if got := v.text(`[data-testid="verify-status"]`); got != "有效" {
		t.Errorf("the new certificate's verification page says %q", got)
	}
	if got := v.text(`[data-testid="verify-姓名"]`); got != "孙进京" {
		t.Errorf("verification 姓名 %q", got)
	}
	tr.clickAndLoad(`[data-testid="menu-transfer.page"]`)
	if got := tr.text(`[data-testid="transfer-status"]`); got != "已编号" {
		t.Errorf("peixun's list says %q once decided", got)
	}
}

// staffCertificate finds the certificate of post on jianshe's 企业人员获证信息, opens its 【详细】 and returns its
// number, 有效期 and verification link.
func staffCertificate(b *tab, post string) (number, period, verify string) {
	b.t.Helper()
	b.clickAndLoad(`[data-testid="menu-staff.certificates"]`)
	b.waitVisible(`[data-testid="cert-row"]`)
	var detail string
	b.doc().Find(`[data-testid="cert-row"]`).Each(func(_ int, r *goquery.Selection) {
		if strings.Contains(r.Text(), post) {
			number = strings.TrimSpace(r.Find(`[data-testid="cert-number"]`).Text())
			detail, _ = r.Find(`[data-testid="cert-detail"]`).Attr("href")
		}
	})
	if detail == "" {
		b.t.Fatalf("no %s certificate on 企业人员获证信息", post)
	}
	b.open(detail)
	b.waitVisible(`[data-testid="cert-sheet"]`)
	verify, _ = b.doc().Find(`[data-testid="cert-verify-link"]`).Attr("href")
	return number, b.text(`[data-testid="cert-有效期"]`), verify
}

// staffRenewal: jianshe files a 续期 for its staff member's 建筑电工 certificate (its own staff, so no 单位确认:
// straight to 已申请); the registry takes it through row by row; 企业人员获证信息 shows the new 有效期 (+2 years for
// 特种作业, from today) and the new QR page says 有效.
func (c *appChain) staffRenewal() {
	t, e, a := c.t, c.e, c.a
	number, before, oldVerify := staffCertificate(e, "建筑电工")
	oldUntil, err := time.Parse("2006-01-02", before[strings.LastIndex(before, " ")+1:])
	if err != nil {
		t.Fatalf("the 建筑电工 certificate's 有效期 %q", before)
	}
	e.clickAndLoad(`[data-testid="menu-renewal.page"]`)
	e.waitVisible(`[data-testid="renewal-tick"]`)
	if n := e.doc().Find(`[data-testid="renewal-tick"]`).Length(); n != 1 {
		t.Fatalf("%d certificates offered to jianshe for renewal, want the 建筑电工 one (zhangsan's is renewed)", n)
	}
	if got := e.text(`[data-testid="renewal-cert-row"]:has([data-testid="renewal-tick"]) [data-testid="renewal-cert-number"]`); got != number {
		t.Fatalf("jianshe is offered %q for renewal, want %q", got, number)
	}
	e.click(`[data-testid="renewal-tick"]`)
	e.htmxReady(`[data-testid="renewal-apply"]`)
	e.submit(`[data-testid="renewal-apply"]`)
	e.eventually("证书续期申请成功 (jianshe)", func() bool {
		return strings.Contains(e.text(`[data-testid="alert-ok"]`), "证书续期申请成功，申请批号为 XQSQ")
	})
	var id string
	e.doc().Find(`[data-testid="renewal-app-row"]`).Each(func(_ int, r *goquery.Selection) {
		if strings.Contains(r.Text(), number) {
			id = applicationID(t, r.Find(`[data-testid="renewal-app-detail"]`))
			if got := strings.TrimSpace(r.Find(`[data-testid="renewal-app-status"]`).Text()); got != "已申请" {
				t.Errorf("jianshe's own staff renewal after 申请: %q, want 已申请 (no 单位确认)", got)
			}
		}
	})
	if id == "" {
		t.Fatalf("jianshe's 我的续期申请 has no row for %s", number)
	}

	a.clickAndLoad(`[data-testid="menu-admin.applications"]`)
	c.rowStep(a, id, "accept", "已受理")
	c.rowStep(a, id, "review", "已审核")
	c.rowStep(a, id, "decide", "已决定")

	_, after, newVerify := staffCertificate(e, "建筑电工")
	if want := today().Format("2006-01-02") + " 至 " + oldUntil.AddDate(2, 0, 0).Format("2006-01-02"); after != want {
		t.Errorf("企业人员获证信息: 有效期 after 续期 %q, want %q", after, want)
	}
	if newVerify == oldVerify || newVerify == "" {
		t.Errorf("the verification link did not change: %q", newVerify)
	}
	if got := c.verify(newVerify).text(`[data-testid="verify-status"]`); got != "有效" {
		t.Errorf("the renewed 建筑电工 certificate's QR page says %q", got)
	}
}

// practitionerChange: lisi files a 京内变更 of her own name; jianshe2, her employer, confirms; the registry returns
// it with a reason; she reads it, corrects the 申请表 and resubmits; jianshe2 confirms again; the registry 受理,
// 审核通过 and then 不予通过 with a reason, which lisi reads on 申请变更证书.
func (c *appChain) practitionerChange() {
	t, l, e2, a := c.t, c.l, c.e2, c.a
	l.clickAndLoad(`[data-testid="menu-change.page"]`)
	l.waitVisible(`[data-testid="change-cert-row"]`)
	apply, _ := l.doc().Find(`[data-testid="change-apply"]`).First().Attr("href")
	if apply == "" {
		t.Fatalf("no certificate to change on lisi's 申请变更证书: %s", l.text(`[data-testid="change-home"]`))
	}
	l.open(apply)
	l.waitVisible(`[data-testid="change-notice"]`)
	l.click(`[data-testid="change-accept"] input`)
	l.clickAndLoad(`[data-testid="change-notice"] button`)
	l.waitVisible(`[data-testid="change-form"]`)
	l.choose(`select[name="change_type"]`, models.ChangeInside)
	l.retype(`input[name="name"]`, "李思琪")
	l.retype(`input[name="phone"]`, "13800138001")
	l.choose(`select[name="contract_type"]`, "无固定期限")
	l.choose(`input[name="contract_from"]`, "2026-12-01")
	save := func(what string) {
		l.htmxReady(`[data-testid="change-save"]`)
		l.submit(`[data-testid="change-save"]`)
		l.eventually(what, func() bool {
			ok := strings.Contains(l.text(`[data-testid="change-form"] [data-testid="alert-ok"]`), "证书变更申请成功")
			// Field errors only: the returned 申请表 shows its reason as an alert until the answer is swapped in.
			if errs := l.doc().Find(`[data-testid="change-form"] .error:not(.alert)`); !ok && errs.Length() > 0 {
				t.Fatalf("%s: the 申请表 came back with errors: %s", what, errs.Text())
			}
			return ok
		})
	}
	save("证书变更申请成功 (lisi)")
	if got := l.text(`[data-testid="change-status"]`); got != "待单位确认" {
		t.Errorf("lisi's 变更 after 保存: %q", got)
	}
	l.clickAndLoad(`[data-testid="menu-change.page"]`)
	id := applicationID(t, l.doc().Find(`[data-testid="change-app-row"] a[href^="/applications/"]`).First())

	e2.clickAndLoad(`[data-testid="menu-unit_applications.page"]`)
	c.rowStep(e2, id, "confirm", "已申请")
	a.clickAndLoad(`[data-testid="menu-admin.applications"]`)
	c.rowReturn(a, id, "请附姓名变更证明")

	// lisi reads the reason, corrects the 申请表 and resubmits; her employer confirms again.
	l.clickAndLoad(`[data-testid="menu-change.page"]`)
	if got := l.text(`[data-testid="change-app-row"]`); !strings.Contains(got, "退回修改") || !strings.Contains(got, "请附姓名变更证明") {
		t.Errorf("after the registry's 退回修改 lisi sees %q", got)
	}
	l.clickAndLoad(`[data-testid="change-app-form"]`)
	l.waitVisible(`[data-testid="change-save"]`)
	if got := l.text(`[data-testid="change-form"] [data-testid="alert-error"]`); !strings.Contains(got, "请附姓名变更证明") {
		t.Errorf("the returned 申请表 says %q", got)
	}
	l.retype(`input[name="note"]`, "已附派出所姓名变更证明")
	save("证书变更申请成功 (lisi resubmits)")
	if got := l.text(`[data-testid="change-status"]`); got != "待单位确认" {
		t.Errorf("lisi's 变更 after 重新提交: %q", got)
	}
	e2.clickAndLoad(`[data-testid="menu-unit_applications.page"]`)
	c.rowStep(e2, id, "confirm", "已申请")

	// The registry accepts and reviews it, then refuses it with a reason that lisi reads.
	a.clickAndLoad(`[data-testid="menu-admin.applications"]`)
	c.rowStep(a, id, "accept", "已受理")
	c.rowStep(a, id, "review", "已审核")
	c.rowReason(a, id, "reject", "不予通过", "姓名变更证明与户籍信息不符")
	l.clickAndLoad(`[data-testid="menu-change.page"]`)
	if got := l.text(`[data-testid="change-app-row"]`); !strings.Contains(got, "不予通过") || !strings.Contains(got, "姓名变更证明与户籍信息不符") {
		t.Errorf("after the registry's 不予通过 lisi sees %q", got)
	}
	period, _ := myCertificate(l)
	if period == "" || l.text(`[data-testid="cert-姓名"]`) != "李思" {
		t.Errorf("lisi's certificate after the refused 变更: 姓名 %q", l.text(`[data-testid="cert-姓名"]`))
	}
}
