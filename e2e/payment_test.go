package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// Helpers for the payment tests (缴费管理), prefixed pay.

// payApprove files an 审核通过 registration of the demo plan planName for the demo practitioner username, behind the
// server's back (review is another screen's work), and returns its id. Times are copied from the account's row, so
// they are in the format the database stores.
func (s *server) payApprove(t *testing.T, planName, username string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := s.db(t)
	if _, err := db.ExecContext(ctx, `INSERT INTO registrations (plan_id, person_id, channel, account_id, employer_name,
			employer_code, work_start_date, years_of_work, resume, employer_opinion, photo_key, batch_id, status, reject_reason,
			created_at, updated_at, version)
		SELECT p.id, a.person_id, 'self', a.id, '北京某建设公司', '', a.created_at, 10, '[]', '', '', '', 'approved', '',
			a.created_at, a.created_at, 1
		FROM accounts a, exam_plans p WHERE a.username = '`+username+`' AND p.name = '`+planName+`'`); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := db.QueryRowContext(ctx, `SELECT CAST(r.id AS TEXT) FROM registrations r JOIN accounts a ON a.person_id = r.person_id
		JOIN exam_plans p ON p.id = r.plan_id WHERE a.username = '`+username+`' AND p.name = '`+planName+`'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// payPerson is the name and ID number of a demo practitioner.
func (s *server) payPerson(t *testing.T, username string) (name, idNumber string) {
	t.Helper()
	err := s.db(t).QueryRowContext(context.Background(), `SELECT p.name, p.id_number FROM persons p JOIN accounts a ON a.person_id = p.id
		WHERE a.username = '`+username+`'`).Scan(&name, &idNumber)
	if err != nil {
		t.Fatal(err)
	}
	return name, idNumber
}

// payBankFile writes the bank's reconciliation file with one line per payment into dir and returns its path.
func payBankFile(t *testing.T, dir string, lines [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range append([][]any{{"姓名", "身份证号", "金额", "交易流水号", "日期"}}, lines...) {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(dir, "对账.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// The registry sends the 缴费通知, confirms one payment by hand and the next from the bank's file; the applicant
// sees 待缴费 with amount and deadline, then 已缴费. With JavaScript (dialogs, the row in place) and without (pages
// that ask, full pages).
func TestPaymentNoticeConfirmImport(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			zsReg := srv.payApprove(t, regPlanConstruction, "zhangsan")
			lsReg := srv.payApprove(t, regPlanConstruction, "lisi")
			a := newTab(t, browser, srv, m.js)
			var dialogs *regDialogLog
			if m.js {
				dialogs = a.regAcceptDialogs()
			}
			a.signIn(admin, demoPassword)
			a.assertScripting()
			a.clickAndLoad(`[data-testid="menu-admin.payments"]`)
			planID := ""
			a.doc().Find(`[data-testid^="payment-plan-"]`).Each(func(_ int, tr *goquery.Selection) {
				if strings.TrimSpace(tr.Find("td").First().Text()) == regPlanConstruction {
					planID = strings.TrimPrefix(tr.AttrOr("data-testid", ""), "payment-plan-")
				}
			})
			if planID == "" {
				t.Fatalf("缴费管理 does not list %s", regPlanConstruction)
			}
			a.clickAndLoad(`[data-testid="payment-plan-` + planID + `"] [data-testid=payment-plan-open]`)
			if got := a.text("[data-testid=payment-count-notify]"); !strings.Contains(got, "待通知：2") {
				t.Fatalf("counts: %q", got)
			}

			// 发送缴费通知.
			if m.js {
				a.click("[data-testid=payment-notify]")
				a.eventually("the page says the notices went out", func() bool {
					return strings.Contains(a.text("[data-testid=alert-ok]"), "已向2名考生发送缴费通知")
				})
			} else {
				a.clickAndLoad("[data-testid=payment-notify]")
				if q := a.text("[data-testid=confirm-question]"); !strings.Contains(q, "发送缴费通知") {
					t.Fatalf("without JavaScript 发送缴费通知 shows %q, want a page that asks", q)
				}
				a.clickAndLoad("[data-testid=confirm-yes]")
				if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "已向2名考生发送缴费通知") {
					t.Fatalf("after 确定: %q", got)
				}
			}

			// The applicant sees 待缴费 with the amount and the deadline.
			p := newTab(t, browser, srv, m.js)
			p.signIn(practitioner, demoPassword)
			p.open("/registrations")
			zsRow := `[data-testid="reg-row-` + zsReg + `"] [data-testid=reg-status]`
			if got := p.text(zsRow); !strings.Contains(got, "待缴费（120.00元，缴费截止 ") {
				t.Errorf("the applicant's list says %q, want 待缴费 with amount and deadline", got)
			}
			p.open("/registrations/" + zsReg)
			if got := p.text("[data-testid=reg-status]"); !strings.HasPrefix(got, "待缴费（120.00元") {
				t.Errorf("the registration's page says %q", got)
			}

			// 确认缴费 of zhangsan by hand.
			row := `[data-testid="pay-row-` + zsReg + `"]`
			if m.js {
				a.click(row + " [data-testid=pay-confirm]")
				a.eventually("the row says 已缴费", func() bool { return a.text(row+" [data-testid=pay-stage]") == "已缴费" })
				if !strings.Contains(a.text(row+" [data-testid=pay-message]"), "已确认，批号 JFQR") {
					t.Errorf("the row's message: %q", a.text(row))
				}
				if !strings.Contains(strings.Join(dialogs.messages(), "|"), "确认已收到") {
					t.Errorf("确认缴费 did not ask first; dialogs: %q", dialogs.messages())
				}
			} else {
				a.clickAndLoad(row + " [data-testid=pay-confirm]")
				a.clickAndLoad("[data-testid=confirm-yes]")
				if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "已确认缴费，批号为JFQR") {
					t.Fatalf("after 确认缴费: %q", got)
				}
			}

			// lisi from the bank's file (a plain form in both modes).
			name, idn := srv.payPerson(t, "lisi")
			a.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{payBankFile(t, t.TempDir(),
				[][]any{{name, idn, "120.00", "E2E-" + m.name + "-0001", "2026-11-30"}})}))
			a.clickAndLoad("[data-testid=payment-import-submit]")
			if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "导入成功，已确认1人缴费") {
				t.Fatalf("after the import: %q %q", got, a.text("[data-testid=payment-problems]")+a.text("[data-testid=alert-error]"))
			}
			if got := a.text("[data-testid=payment-count-paid]"); !strings.Contains(got, "已缴费：2") {
				t.Errorf("counts after the import: %q", got)
			}
			a.screenshot("payment-" + m.name)

			// The applicants now read 已缴费.
			p.open("/registrations")
			if got := p.text(zsRow); !strings.Contains(got, "已缴费") {
				t.Errorf("the applicant's list after payment: %q", got)
			}
			l := newTab(t, browser, srv, m.js)
			l.signIn(account{user: "lisi", landing: "/home"}, demoPassword)
			l.open("/registrations/" + lsReg)
			if got := l.text("[data-testid=reg-status]"); got != "已缴费" {
				t.Errorf("lisi's registration after the bank file: %q", got)
			}
		})
	}
}
