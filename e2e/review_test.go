package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// reviewSeeded is what reviewSeed put in the server's database.
type reviewSeeded struct {
	planID  string
	staff   []string // registrations jianshe filed for its staff, 待审核
	trainee string   // a registration peixun filed naming jianshe, 待单位确认
	self    string   // zhangsan's own, 待审核
}

// reviewSeed files registrations for the 安全员 plan behind the server's back (as the 报名 screens would): three
// by jianshe for its staff, one by peixun naming jianshe as employer, one by zhangsan for themself (who also gets
// a 学历, which resubmission needs).
func reviewSeed(t *testing.T, srv *server) reviewSeeded {
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
	plan := one("SELECT id FROM exam_plans WHERE name = '" + regPlanSafety + "'")
	jianshe := one("SELECT organization_id FROM accounts WHERE username = 'jianshe'")
	jiansheAcct := one("SELECT id FROM accounts WHERE username = 'jianshe'")
	peixun := one("SELECT organization_id FROM accounts WHERE username = 'peixun'")
	peixunAcct := one("SELECT id FROM accounts WHERE username = 'peixun'")
	zhangsan := one("SELECT person_id FROM accounts WHERE username = 'zhangsan'")
	zhangsanAcct := one("SELECT id FROM accounts WHERE username = 'zhangsan'")
	if _, err := db.ExecContext(ctx, "UPDATE persons SET education = '本科' WHERE id = "+s(zhangsan)); err != nil {
		t.Fatal(err)
	}
	file := func(person, org, acct int64, channel, status, unit string) string {
		orgSQL := "NULL"
		if org != 0 {
			orgSQL = s(org)
		}
		q := `INSERT INTO registrations (plan_id, person_id, channel, organization_id, account_id, employer_name, employer_code,
			years_of_work, resume, employer_opinion, photo_key, batch_id, status, reject_reason, unit_org_id, created_at, updated_at, version)
			SELECT ` + s(plan) + `, p.id, '` + channel + `', ` + orgSQL + `, ` + s(acct) + `, '北京城建示范工程有限公司', '', 10, '[]', '', '', '', '` +
			status + `', '', ` + unit + `, p.created_at, p.created_at, 1 FROM persons p WHERE p.id = ` + s(person)
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("file a registration: %v", err)
		}
		return s(one("SELECT id FROM registrations WHERE plan_id = " + s(plan) + " AND person_id = " + s(person)))
	}
	out := reviewSeeded{planID: s(plan)}
	rows, err := db.QueryContext(ctx, "SELECT id FROM persons WHERE organization_id = "+s(jianshe)+" ORDER BY id LIMIT 3")
	if err != nil {
		t.Fatal(err)
	}
	var staff []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		staff = append(staff, id)
	}
	rows.Close()
	for _, p := range staff {
		out.staff = append(out.staff, file(p, jianshe, jiansheAcct, "enterprise", "unit_confirmed", "NULL"))
	}
	trainee := one("SELECT person_id FROM training_people WHERE organization_id = " + s(peixun) +
		" AND person_id NOT IN (SELECT person_id FROM registrations) ORDER BY person_id LIMIT 1")
	out.trainee = file(trainee, peixun, peixunAcct, "training", "submitted", s(jianshe))
	out.self = file(zhangsan, 0, zhangsanAcct, "self", "unit_confirmed", "NULL")
	return out
}

// reviewRowStatus is the 状态 cell of a queue's row.
func (b *tab) reviewRowStatus(id string) string {
	b.t.Helper()
	return strings.Join(strings.Fields(b.doc().Find(`[data-testid="review-row-`+id+`"] [data-testid="review-status"]`).Text()), " ")
}

// TestReview walks review with JavaScript and without: the admin opens 报名审核 from the menu, approves one row
// (in place with JavaScript), returns zhangsan's with a reason from the list (the picker inline with JavaScript, a
// page without) and bulk-approves two ticked rows under one 批号; jianshe confirms (单位确认) the registration
// peixun filed naming it; zhangsan sees the reason, resubmits through the 报名表 filled in from it, and it is back
// with the registry.
func TestReview(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			seed := reviewSeed(t, srv)

			a := newTab(t, browser, srv, m.js)
			a.signIn(admin, demoPassword)
			a.assertScripting()
			a.clickAndLoad(`[data-testid="menu-review.plans"]`)
			a.clickAndLoad(`[data-testid="review-plan-` + seed.planID + `"] [data-testid="review-plan-open"]`)
			a.waitVisible("[data-testid=review-queue]")
			if n := a.doc().Find(`[data-testid^="review-row-"]`).Length(); n != 4 {
				t.Fatalf("the queue lists %d registrations 待审核, want 4", n)
			}
			if got := a.text(`[data-testid="review-tab-unit_confirmed"]`); !strings.Contains(got, "（4）") {
				t.Errorf("tab %q", got)
			}
			if m.js {
				a.setMarker()
			}
			// 通过 one row.
			a.submit(`[data-testid="review-row-` + seed.staff[0] + `"] [data-testid="review-approve"]`)
			if m.js {
				a.eventually("the row says 审核通过", func() bool { return strings.HasPrefix(a.reviewRowStatus(seed.staff[0]), "审核通过") })
				if !a.hasMarker() {
					t.Error("通过 reloaded the page; with JavaScript the row should change in place")
				}
				if got := run(a, chromedp.Evaluate[string](`document.activeElement && document.activeElement.getAttribute("data-testid") || ""`)); got != "review-message" {
					t.Errorf("focus after the swap is on %q, want the row's message", got)
				}
			} else {
				if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "审核通过成功，共1条") {
					t.Errorf("after 通过: %q", got)
				}
				if a.doc().Find(`[data-testid="review-row-`+seed.staff[0]+`"]`).Length() != 0 {
					t.Error("the approved row is still in the 待审核 list")
				}
			}
			// 退回修改 zhangsan's, with a reason from the list and words of one's own.
			if m.js {
				a.click(`[data-testid="review-row-` + seed.self + `"] [data-testid="review-return"]`)
				a.waitVisible(`[data-testid="review-row-` + seed.self + `"] [data-testid="review-reason-picker"]`)
			} else {
				a.clickAndLoad(`[data-testid="review-row-` + seed.self + `"] [data-testid="review-return"]`)
				a.waitVisible("[data-testid=review-return-form]")
			}
			picker := "[data-testid=review-return-form]"
			if m.js {
				picker = `[data-testid="review-row-` + seed.self + `"]`
			}
			a.click(picker + ` input[value="照片不符合要求"]`)
			a.fill("note-"+seed.self, "请使用白底照片")
			a.submit(`[data-testid="review-return-submit"]`)
			if m.js {
				a.eventually("the row says 退回修改", func() bool { return strings.HasPrefix(a.reviewRowStatus(seed.self), "退回修改") })
				if !strings.Contains(a.reviewRowStatus(seed.self), "照片不符合要求；请使用白底照片") {
					t.Errorf("returned row: %q", a.reviewRowStatus(seed.self))
				}
			} else if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "退回修改成功") {
				t.Errorf("after 退回修改: %q (%s)", got, a.text("[data-testid=alert-error]"))
			}
			// Bulk: tick two rows, 批量通过. With JavaScript the second row is ticked and decided by keyboard alone: the
			// focus on its checkbox, Space ticks it, Tab backwards (the bulk buttons are above the rows) to 批量通过,
			// Enter.
			a.click(`[data-testid="review-row-` + seed.staff[1] + `"] [data-testid="review-check"]`)
			second := `[data-testid="review-row-` + seed.staff[2] + `"] [data-testid="review-check"]`
			if m.js {
				focused := func() string {
					return run(a, chromedp.Evaluate[string](`document.activeElement && document.activeElement.getAttribute("data-testid") || ""`))
				}
				a.do(chromedp.Focus(chromedp.CSS(second)), chromedp.KeyEvent(" "))
				if !run(a, chromedp.Evaluate[bool](`document.querySelector('`+second+`').checked`)) {
					t.Error("Space on the row's checkbox did not tick it")
				}
				for range 40 {
					if focused() == "bulk-approve" {
						break
					}
					a.do(chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
				}
				if got := focused(); got != "bulk-approve" {
					t.Fatalf("Tab never reached 批量通过 (focus on %q)", got)
				}
				a.do(chromedp.KeyEvent(kb.Enter))
			} else {
				a.click(second)
				a.submit(`[data-testid="bulk-approve"]`)
			}
			a.eventually("the bulk banner", func() bool { return strings.Contains(a.text("[data-testid=alert-ok]"), "审核通过成功，共2条") })
			if !strings.Contains(a.text("[data-testid=alert-ok]"), "批号为BMSH") {
				t.Errorf("bulk banner without its 批号: %q", a.text("[data-testid=alert-ok]"))
			}
			if n := a.doc().Find(`[data-testid^="review-row-"]`).Length(); n != 0 {
				t.Errorf("%d rows left 待审核 after the bulk decision", n)
			}

			// 单位确认 by jianshe.
			e := newTab(t, browser, srv, m.js)
			e.signIn(enterprise, demoPassword)
			e.clickAndLoad(`[data-testid="menu-unit_confirm.page"]`)
			e.waitVisible(`[data-testid="review-row-` + seed.trainee + `"]`)
			e.submit(`[data-testid="review-row-` + seed.trainee + `"] [data-testid="review-confirm"]`)
			if m.js {
				e.eventually("the row says 待审核", func() bool { return strings.HasPrefix(e.reviewRowStatus(seed.trainee), "待审核") })
			} else if got := e.text("[data-testid=alert-ok]"); !strings.Contains(got, "单位确认成功，共1条，批号为DWQR") {
				t.Errorf("after 单位确认: %q", got)
			}

			// zhangsan sees the reason and resubmits.
			p := newTab(t, browser, srv, m.js)
			p.signIn(practitioner, demoPassword)
			p.open("/registrations/" + seed.self)
			if got := p.text("[data-testid=reg-reason]"); !strings.Contains(got, "照片不符合要求") {
				t.Errorf("the applicant's page: %q", got)
			}
			if got := p.doc().Find("[data-testid=reg-history-row]").Last().Text(); !strings.Contains(got, "注册中心") || !strings.Contains(got, "BMSH") {
				t.Errorf("审核记录: %q", got)
			}
			p.clickAndLoad("[data-testid=reg-resubmit]")
			p.waitVisible("[data-testid=reg-form]")
			if got := p.text("[data-testid=reg-return-reason]"); !strings.Contains(got, "照片不符合要求") {
				t.Errorf("the 报名表 does not say why: %q", got)
			}
			p.choose("#work_start_date", "2012-07-01")
			p.choosePhoto(regPhotoFile(t, t.TempDir(), "new.jpg", 40+i))
			p.clickAndLoad("[data-testid=reg-save]")
			if got := p.text("[data-testid=reg-status]"); got != "待审核" {
				t.Errorf("after resubmission: status %q (%s %s)", got, p.text("[data-testid=alert-error]"), p.doc().Find(".error").Text())
			}
			if p.doc().Find("[data-testid=reg-reason]").Length() != 0 {
				t.Error("the reason is still shown after resubmission")
			}
		})
	}
}
