package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// applicationsSeeded are the applications applicationsSeed filed.
type applicationsSeeded struct{ renewal, change, transfer string }

// applicationsSeed files three 证书申请 behind the server's back, as the kinds' screens would: zhangsan's renewal
// waiting for jianshe's confirmation, and a change and a transfer-in 已申请.
func applicationsSeed(t *testing.T, srv *server) applicationsSeeded {
	t.Helper()
	db := srv.db(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	one := func(q string) int64 {
		var n int64
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	s := func(n int64) string { return strconv.FormatInt(n, 10) }
	jianshe := one("SELECT organization_id FROM accounts WHERE username = 'jianshe'")
	file := func(kind, status, batch, org, name, filer string) string {
		q := `INSERT INTO cert_applications (kind, status, batch_no, person_id, organization_id, filed_by, name, employer_name,
			cert_number, submitted_at, created_at, updated_at, version)
			SELECT '` + kind + `', '` + status + `', '` + batch + `', a.person_id, ` + org + `, a.id, '` + name + `', '北京城建示范工程有限公司',
			'京建安C3（2026）09` + batch[len(batch)-2:] + `', a.created_at, a.created_at, a.created_at, 1 FROM accounts a WHERE a.username = '` + filer + `'`
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("file an application: %v", err)
		}
		return s(one("SELECT id FROM cert_applications WHERE batch_no = '" + batch + "'"))
	}
	return applicationsSeeded{
		renewal:  file("renewal", "unit_pending", "XQSQ00000901", s(jianshe), "张三", "zhangsan"),
		change:   file("change", "applied", "BGSQ00000902", "NULL", "李思", "lisi"),
		transfer: file("transfer_in", "applied", "JJSQ00000903", "NULL", "张三", "zhangsan"),
	}
}

// appRowStatus is the 状态 cell of a desk's row.
func (b *tab) appRowStatus(id string) string {
	b.t.Helper()
	return strings.Join(strings.Fields(b.doc().Find(`[data-testid="app-row-`+id+`"] [data-testid="app-status"]`).Text()), " ")
}

// TestApplications walks the desks of 证书申请 with JavaScript and without: jianshe confirms zhangsan's renewal
// (单位确认, in place with JavaScript); the admin opens 证书申请 from the menu, ticks two rows and 批量受理 (one 批号
// per kind: XQSL for the renewal, BGSL for the change), and returns the transfer-in with a reason (the field inline with JavaScript, a page without); zhangsan sees
// the steps on the detail page.
func TestApplications(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			seed := applicationsSeed(t, srv)

			e := newTab(t, browser, srv, m.js)
			e.signIn(enterprise, demoPassword)
			e.assertScripting()
			e.clickAndLoad(`[data-testid="menu-unit_applications.page"]`)
			e.waitVisible(`[data-testid="app-row-` + seed.renewal + `"]`)
			e.htmxReady(`[data-testid="app-row-` + seed.renewal + `"] [data-testid="app-confirm"]`)
			e.submit(`[data-testid="app-row-` + seed.renewal + `"] [data-testid="app-confirm"]`)
			if m.js {
				e.eventually("the row says 已申请", func() bool { return e.appRowStatus(seed.renewal) == "已申请" })
				if got := e.text(`[data-testid="app-message"]`); !strings.Contains(got, "批号为SQQR") {
					t.Errorf("row message %q", got)
				}
			} else if got := e.text("[data-testid=alert-ok]"); !strings.Contains(got, "单位确认成功，共1条，批号为SQQR") {
				t.Errorf("after 单位确认: %q", got)
			}

			a := newTab(t, browser, srv, m.js)
			a.signIn(admin, demoPassword)
			a.clickAndLoad(`[data-testid="menu-admin.applications"]`)
			a.waitVisible(`[data-testid="app-inbox"]`)
			if n := a.doc().Find(`[data-testid^="app-row-"]`).Length(); n != 3 {
				t.Fatalf("the inbox lists %d applications, want 3", n)
			}
			a.click(`[data-testid="app-row-` + seed.renewal + `"] [data-testid="app-check"]`)
			a.click(`[data-testid="app-row-` + seed.change + `"] [data-testid="app-check"]`)
			a.htmxReady(`[data-testid="app-bulk-accept"]`)
			a.submit(`[data-testid="app-bulk-accept"]`)
			a.eventually("the bulk banner", func() bool {
				return regexp.MustCompile(`受理成功，共2条，批号为XQSL\d{8}、BGSL\d{8}`).MatchString(a.text("[data-testid=alert-ok]"))
			})
			if got := a.appRowStatus(seed.change); got != "已受理" {
				t.Errorf("after 批量受理: %q", got)
			}
			// 退回修改 the transfer-in with a reason.
			if m.js {
				a.htmxReady(`[data-testid="app-row-` + seed.transfer + `"] [data-testid="app-return"]`)
				a.click(`[data-testid="app-row-` + seed.transfer + `"] [data-testid="app-return"]`)
				a.waitVisible(`[data-testid="app-row-` + seed.transfer + `"] [data-testid="app-reason-picker"]`)
			} else {
				a.clickAndLoad(`[data-testid="app-row-` + seed.transfer + `"] [data-testid="app-return"]`)
				a.waitVisible("[data-testid=app-reason-form]")
			}
			a.fill("reason-"+seed.transfer, "原证书尚未办理转出")
			a.htmxReady(`[data-testid="app-reason-submit"]`)
			a.submit(`[data-testid="app-reason-submit"]`)
			if m.js {
				a.eventually("the row says 退回修改", func() bool { return strings.HasPrefix(a.appRowStatus(seed.transfer), "退回修改") })
				if !strings.Contains(a.appRowStatus(seed.transfer), "原证书尚未办理转出") {
					t.Errorf("returned row: %q", a.appRowStatus(seed.transfer))
				}
			} else if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "退回修改成功，共1条，批号为SQTH") {
				t.Errorf("after 退回修改: %q (%s)", got, a.text("[data-testid=alert-error]"))
			}
			a.screenshot("applications-inbox-" + m.name)

			p := newTab(t, browser, srv, m.js)
			p.signIn(practitioner, demoPassword)
			p.open("/applications/" + seed.renewal)
			p.waitVisible(`[data-testid="app-sheet"]`)
			if got := p.text(`[data-testid="app-state"]`); got != "已受理" {
				t.Errorf("the applicant sees %q", got)
			}
			if n := p.doc().Find(`[data-testid="app-step"]`).Length(); n != 2 {
				t.Errorf("%d steps on the detail page, want 2 (单位确认, 受理)", n)
			}
			p.open("/applications/" + seed.transfer)
			if got := p.text(`[data-testid="app-last-reason"]`); got != "原证书尚未办理转出" {
				t.Errorf("the applicant sees the reason %q", got)
			}
		})
	}
}
