package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"examcert/internal/national"
	"examcert/internal/national/nationaltest"
)

// TestTransferInBrowser: peixun opens 证书进京 → 新建申请表, reads the 格式说明, types the ID number of someone new
// (核对身份证号 gives gender and birth date), lists the certificates released by another province on the national
// platform (a local fake), picks one, names jianshe and saves (申请成功); then deletes the application, which asks
// first (the browser's dialog with JavaScript, a page without). Both modes.
func TestTransferInBrowser(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	now := time.Now()
	platform := nationaltest.New(national.OutgoingCertificate{
		LicenseID: "1.2.156.3005.2.11100000000013338W011.11130000000000000X.20240000001.001.A", Number: "冀建安C3（2024）0000001",
		Name: "钱进京", IDNumber: newIDNumber(1313), CategoryCode: "C3", Authority: "河北省住房和城乡建设厅",
		IssuedOn: now.AddDate(-1, 0, 0), ValidFrom: now.AddDate(-1, 0, 0), ValidUntil: now.AddDate(2, 0, 0), Employer: "河北原单位有限公司"})
	t.Cleanup(platform.Close)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin, "--national-url", platform.URL)
			p := newTab(t, browser, srv, m.js)
			p.signIn(training, demoPassword)
			p.assertScripting()
			p.clickAndLoad(`[data-testid="menu-transfer.page"]`)
			p.clickAndLoad(`[data-testid="transfer-new"]`)
			if !strings.Contains(p.text(`[data-testid="transfer-notes"]`), "上月社保") {
				t.Fatalf("no 格式说明: %q", p.text(`[data-testid="transfer-notes"]`))
			}
			p.fill("id_number", newIDNumber(1313))
			p.submit(`[data-testid="check-id"]`)
			p.eventually("birth date from the ID number", func() bool { return p.value(`#birth_date`) == "1990-03-04" })
			p.fill("name", "钱进京")
			p.submit(`[data-testid="national-list"]`)
			p.waitVisible(`[data-testid="national-outgoing"]`)
			p.click(`input[name="pick"]`)
			p.submit(`[data-testid="national-pick"]`)
			p.waitVisible(`[data-testid="platform-picked"]`)
			if got := p.value(`#cert_number`); got != "冀建安C3（2024）0000001" {
				t.Fatalf("picked certificate number %q", got)
			}
			p.choose(`select[name="duty"]`, "专职安全生产管理人员")
			p.fill("employer_code", jiansheCreditCode)
			p.fill("employer_name", jiansheName)
			p.submit(`[data-testid="transfer-save"]`)
			p.waitVisible(`[data-testid="transfer-view"]`)
			if got := p.text(`[data-testid="alert-ok"]`); got != "申请成功" {
				t.Fatalf("after 保存: %q %q", got, p.text(`.error`))
			}
			if got := p.text(`[data-testid="transfer-证书来源"]`); !strings.Contains(got, "全国平台") {
				t.Errorf("source %q", got)
			}
			if m.js {
				dialogs := p.regAcceptDialogs()
				p.click(`[data-testid="transfer-delete"]`)
				p.waitVisible(`[data-testid="transfer-list"] [data-testid="alert-ok"]`)
				if !slices.ContainsFunc(dialogs.messages(), func(s string) bool { return strings.Contains(s, "确定删除") }) {
					t.Errorf("删除 did not ask first: %q", dialogs.messages())
				}
			} else {
				p.clickAndLoad(`[data-testid="transfer-delete"]`)
				if q := p.text("[data-testid=confirm-question]"); !strings.Contains(q, "确定删除") {
					t.Fatalf("no question: %q", q)
				}
				p.clickAndLoad("[data-testid=confirm-yes]")
			}
			p.waitVisible(`[data-testid="transfer-list"] [data-testid="alert-ok"]`)
			if got := p.text(`[data-testid="alert-ok"]`); got != "已删除" {
				t.Errorf("after 删除: %q", got)
			}
			if got := p.text(`[data-testid="transfer-status"]`); got != "已撤回" {
				t.Errorf("status after 删除: %q", got)
			}
		})
	}
}
