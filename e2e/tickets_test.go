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

// ticketsRelease gives the demo's 安全员 plan what 考务编排 and 放号 would (another area's screens): a 考点, a
// subject, a room, a draw, and 已放号 registrations with tickets for zhangsan (260010001) and for a person on
// jianshe's staff (260010002), registered by jianshe; directly in the server's database. It returns the plan id.
func ticketsRelease(t *testing.T, s *server) string {
	t.Helper()
	db := s.db(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	one := func(q string) string {
		var v sql.NullString
		if err := db.QueryRowContext(ctx, q).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v.String
	}
	exec := func(q string) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	plan := one("SELECT id FROM exam_plans WHERE name = '" + regPlanSafety + "'")
	exec("UPDATE exam_plans SET released_at = created_at, number_in_year = 1 WHERE id = " + plan)
	exec(`INSERT INTO exam_sites (name, address, contact_name, contact_phone, room_count, capacity, active, created_at, updated_at, version)
		SELECT 'E2E考点', '北京市海淀区学院路1号', '', '', 1, 30, TRUE, created_at, created_at, 1 FROM exam_plans WHERE id = ` + plan)
	site := one("SELECT id FROM exam_sites WHERE name = 'E2E考点'")
	exec(`INSERT INTO exam_subjects (plan_id, name, starts_at, ends_at, sort_order)
		SELECT id, '安全生产知识考核', exam_at, exam_at, 1 FROM exam_plans WHERE id = ` + plan)
	exec(`INSERT INTO exam_rooms (plan_id, site_id, room_no, capacity, starts_at, ends_at, first_ticket_no, last_ticket_no, created_at, updated_at, version)
		SELECT id, ` + site + `, '01', 30, exam_at, exam_at, '260010001', '260010002', created_at, created_at, 1 FROM exam_plans WHERE id = ` + plan)
	room := one("SELECT id FROM exam_rooms WHERE plan_id = " + plan)
	exec(`INSERT INTO draws (plan_id, seed, spread_organizations, candidates, batch_no, drawn_at)
		SELECT id, '00ff', FALSE, 2, 'FHXX00000001', created_at FROM exam_plans WHERE id = ` + plan)
	draw := one("SELECT id FROM draws WHERE plan_id = " + plan)
	jianshe := one("SELECT organization_id FROM accounts WHERE username = 'jianshe'")
	staff := one("SELECT MIN(id) FROM persons WHERE organization_id = " + jianshe)
	register := func(person, channel, org, account, ticketNo, seat string) {
		exec(`INSERT INTO registrations (plan_id, person_id, channel, organization_id, account_id, employer_name, employer_code,
			years_of_work, resume, employer_opinion, photo_key, batch_id, status, reject_reason, created_at, updated_at, version)
			SELECT id, ` + person + `, '` + channel + `', ` + org + `, ` + account + `, '北京城建示范工程有限公司', '', 0, '[]', '', '', '',
			'ticketed', '', created_at, created_at, 1 FROM exam_plans WHERE id = ` + plan)
		reg := one("SELECT id FROM registrations WHERE plan_id = " + plan + " AND person_id = " + person)
		exec(`INSERT INTO tickets (registration_id, plan_id, room_id, draw_id, seat_no, ticket_no, absent)
			VALUES (` + reg + `, ` + plan + `, ` + room + `, ` + draw + `, ` + seat + `, '` + ticketNo + `', FALSE)`)
	}
	register(one("SELECT person_id FROM accounts WHERE username = 'zhangsan'"), "self", "NULL",
		one("SELECT id FROM accounts WHERE username = 'zhangsan'"), "260010001", "1")
	register(staff, "enterprise", jianshe, one("SELECT id FROM accounts WHERE username = 'jianshe'"), "260010002", "2")
	return plan
}

// ticketsQuery walks 打印准考证 → 考试名称 (the picker: a panel with JavaScript, a page without) → the plan → 【查询】,
// and returns the listed 准考证号.
func (b *tab) ticketsQuery() []string {
	b.t.Helper()
	b.clickAndLoad(`[data-testid="menu-ticket.page"]`)
	b.waitVisible(`[data-testid="tickets-panel"]`)
	if b.js {
		b.click(`[data-testid="plan-pick"]`)
		b.waitVisible(`[data-testid="plan-picker-panel"] [data-testid="plan-picker"]`)
		if got := b.path(); got != "/tickets" {
			b.t.Errorf("with JavaScript the picker left the page for %s", got)
		}
	} else {
		b.clickAndLoad(`[data-testid="plan-pick"]`)
		b.waitVisible(`[data-testid="plan-picker"]`)
	}
	if got := b.text(`[data-testid="picker-choose"]`); got != regPlanSafety {
		b.t.Errorf("the picker offers %q, want the released plan %s", got, regPlanSafety)
	}
	b.clickAndLoad(`[data-testid="picker-choose"]`)
	b.clickAndLoad(`[data-testid="tickets-query"]`)
	b.waitVisible(`[data-testid="tickets-list"]`)
	var nos []string
	b.doc().Find(`[data-testid="ticket-no"]`).Each(func(_ int, s *goquery.Selection) { nos = append(nos, s.Text()) })
	return nos
}

// TestTicketsPrint: zhangsan and jianshe each find their own candidates' tickets through 打印准考证, open 【详细】
// and download the PDF; jianshe also downloads all its tickets at once. With JavaScript and without.
func TestTicketsPrint(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			ticketsRelease(t, srv)
			for _, who := range []struct {
				acct account
				no   string
			}{{practitioner, "260010001"}, {enterprise, "260010002"}} {
				b := newTab(t, browser, srv, m.js)
				b.signIn(who.acct, demoPassword)
				b.assertScripting()
				if got := b.ticketsQuery(); strings.Join(got, ",") != who.no {
					t.Fatalf("%s: 查询 lists %v, want %s", who.acct.user, got, who.no)
				}
				dir := b.allowDownloads()
				if who.acct.user == enterprise.user {
					all := b.clickForDownload(`[data-testid="tickets-print-all"]`, dir)
					if !bytes.HasPrefix(all.Data, []byte("%PDF-")) || !strings.HasSuffix(all.Name, ".pdf") {
						t.Errorf("打印全部准考证: %q, %d bytes", all.Name, len(all.Data))
					}
				}
				b.clickAndLoad(`[data-testid="ticket-detail"]`)
				b.waitVisible(`[data-testid="ticket-sheet"]`)
				if got := b.text(`[data-testid="ticket-准考证号"]`); got != who.no {
					t.Errorf("%s: the ticket page shows 准考证号 %q", who.acct.user, got)
				}
				if got := b.text(`[data-testid="ticket-考点名称（地址）"]`); got != "E2E考点（北京市海淀区学院路1号）" {
					t.Errorf("%s: 考点 %q", who.acct.user, got)
				}
				if b.doc().Find(`[data-testid="ticket-qr"] svg`).Length() != 1 {
					t.Errorf("%s: no QR code on the ticket page", who.acct.user)
				}
				pdf := b.clickForDownload(`[data-testid="ticket-print"]`, dir)
				if !bytes.HasPrefix(pdf.Data, []byte("%PDF-")) || pdf.Name != "准考证-"+who.no+".pdf" {
					t.Errorf("%s: 打印: %q, %d bytes", who.acct.user, pdf.Name, len(pdf.Data))
				}
				word := b.clickForDownload(`[data-testid="ticket-export"]`, dir)
				if !bytes.HasPrefix(word.Data, []byte("PK")) || !strings.HasSuffix(word.Name, ".docx") {
					t.Errorf("%s: Word: %q", who.acct.user, word.Name)
				}
			}
		})
	}
}
