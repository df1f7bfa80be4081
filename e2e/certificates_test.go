package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// certificatesPassed puts zhangsan's registration for the demo's 安全员 plan, made through the training institution
// peixun, in 成绩已公告 合格 (passed), as 发布成绩 (the results area) would, directly in the server's database.
func certificatesPassed(t *testing.T, s *server) {
	t.Helper()
	db := s.db(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var plan, person, acct sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT id FROM exam_plans WHERE name = '"+regPlanSafety+"'").Scan(&plan); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT person_id, id FROM accounts WHERE username = 'zhangsan'").Scan(&person, &acct); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO registrations (plan_id, person_id, channel, organization_id, account_id, employer_name,
		employer_code, years_of_work, resume, employer_opinion, photo_key, batch_id, status, reject_reason, created_at, updated_at, version)
		SELECT id, `+person.String+`, 'training', (SELECT organization_id FROM accounts WHERE username = 'peixun'), `+acct.String+`,
		'北京城建示范工程有限公司', '', 0, '[]', '', '', '', 'passed', '', created_at, created_at, 1 FROM exam_plans WHERE id = `+plan.String); err != nil {
		t.Fatal(err)
	}
}

// certListAndDetail opens a certificate list from the menu item menu, finds the row of number (the first row when
// number is ""), opens its 【详细】 and returns the number the detail page shows.
func certListAndDetail(t *testing.T, b *tab, menu, number string) string {
	t.Helper()
	b.clickAndLoad(`[data-testid="` + menu + `"]`)
	b.waitVisible(`[data-testid="cert-row"]`)
	var href string
	var listed []string
	b.doc().Find(`[data-testid="cert-row"]`).Each(func(_ int, s *goquery.Selection) {
		n := strings.TrimSpace(s.Find(`[data-testid="cert-number"]`).Text())
		listed = append(listed, n)
		if href == "" && (number == "" || n == number) {
			href, _ = s.Find(`[data-testid="cert-detail"]`).Attr("href")
			number = n
		}
	})
	if href == "" {
		t.Fatalf("%s lists %v, not %q", menu, listed, number)
	}
	b.clickAndLoad(`[data-testid="cert-detail"][href="` + href + `"]`)
	b.waitVisible(`[data-testid="cert-sheet"]`)
	if got := b.text(`[data-testid="cert-证书编号"]`); got != number {
		t.Errorf("%s: 【详细】 of %s shows %q", menu, number, got)
	}
	return number
}

// TestCertificatesIssueSeeVerify: the admin issues from the passed registrations of a plan (证书管理 → 发证), the
// practitioner finds it in 个人证书信息, opens 【详细】 and downloads the PDF, and the verification page opens from
// the token, signed out; the training institution finds it in 培训人员获证信息 and the enterprise its staff's
// certificates in 企业人员获证信息, each with 【详细】. With JavaScript and without.
func TestCertificatesIssueSeeVerify(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			certificatesPassed(t, srv)

			a := newTab(t, browser, srv, m.js)
			a.signIn(admin, demoPassword)
			a.assertScripting()
			a.clickAndLoad(`[data-testid="menu-admin.certificates"]`)
			a.clickAndLoad(`[data-testid="cert-issue-link"]`)
			a.waitVisible(`[data-testid="cert-issue-plan"]`)
			plan := a.doc().Find(`[data-testid="cert-issue-plan"] option`).FilterFunction(func(_ int, s *goquery.Selection) bool {
				return strings.HasPrefix(s.Text(), regPlanSafety)
			})
			id, ok := plan.Attr("value")
			if !ok {
				t.Fatalf("发证 offers no 安全员 plan: %s", a.text(`[data-testid="cert-issue-plan"]`))
			}
			a.choose(`select[name="plan"]`, id)
			a.clickAndLoad(`[data-testid="cert-issue-plan"] button`)
			a.waitVisible(`[data-testid="cert-issue-row"]`)
			a.choose(`#issued_on`, "2026-12-04")
			a.clickAndLoad(`[data-testid="cert-issue-submit"]`)
			a.waitVisible(`[data-testid="cert-row"]`)
			if got := a.text(`[data-testid="cert-number"]`); got != "京建安C3（2026）0000001" {
				t.Fatalf("证书管理 lists %q after 发证", got)
			}
			if !strings.Contains(a.text(`[data-testid="alert-ok"]`), "ZSFF") {
				t.Errorf("no 批号 in the notice: %q", a.text(`[data-testid="alert-ok"]`))
			}

			p := newTab(t, browser, srv, m.js)
			p.signIn(practitioner, demoPassword)
			p.clickAndLoad(`[data-testid="menu-certificate.mine"]`)
			p.waitVisible(`[data-testid="cert-row"]`)
			p.clickAndLoad(`[data-testid="cert-detail"]`)
			p.waitVisible(`[data-testid="cert-sheet"]`)
			if got := p.text(`[data-testid="cert-有效期"]`); got != "2026-12-04 至 2029-12-04" {
				t.Errorf("有效期 %q", got)
			}
			dir := p.allowDownloads()
			pdf := p.clickForDownload(`[data-testid="cert-download"]`, dir)
			if !bytes.HasPrefix(pdf.Data, []byte("%PDF-")) || pdf.Name != "证书-京建安C3（2026）0000001.pdf" {
				t.Errorf("下载证书: %q, %d bytes", pdf.Name, len(pdf.Data))
			}
			verify, _ := p.doc().Find(`[data-testid="cert-verify-link"]`).Attr("href")
			if !strings.HasPrefix(verify, "/verify/") || len(verify) != len("/verify/")+32 {
				t.Fatalf("verification link %q", verify)
			}

			v := newTab(t, browser, srv, m.js)
			v.open(verify)
			v.waitVisible(`[data-testid="verify-sheet"]`)
			if got := v.text(`[data-testid="verify-status"]`); got != "有效" {
				t.Errorf("verification state %q", got)
			}
			if got := v.text(`[data-testid="verify-证件号码"]`); !strings.Contains(got, "**********") || len(got) != 18 {
				t.Errorf("verification ID number %q", got)
			}
			if !strings.Contains(v.text(`[data-testid="verify-notice"]`), "以本页实时信息为准") {
				t.Error("no 以本页实时信息为准 notice")
			}

			tr := newTab(t, browser, srv, m.js)
			tr.signIn(training, demoPassword)
			certListAndDetail(t, tr, "menu-certificate.training", "京建安C3（2026）0000001")
			if got := tr.text(`[data-testid="cert-培训点"]`); got != "北京建筑职业技能培训学校" {
				t.Errorf("培训人员获证信息 【详细】: 培训点 %q", got)
			}

			// The demo's certificates of 北京城建示范工程有限公司's staff.
			e := newTab(t, browser, srv, m.js)
			e.signIn(enterprise, demoPassword)
			certListAndDetail(t, e, "menu-staff.certificates", "")
			if got := e.text(`[data-testid="cert-单位"]`); got != "北京城建示范工程有限公司" {
				t.Errorf("企业人员获证信息 【详细】: 单位 %q", got)
			}
		})
	}
}
