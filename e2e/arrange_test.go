package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// arrangeCandidates files n registrations of the plan directly, ready for numbers (审核通过, or 已缴费 when the plan
// charges: review and payment are other screens' work), for demo people not yet registered for it.
func (s *server) arrangeCandidates(t *testing.T, planID int64, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q := fmt.Sprintf(`INSERT INTO registrations (plan_id, person_id, channel, status, created_at, updated_at, version)
		SELECT %d, p.id, 'self', (SELECT CASE WHEN fee_cents > 0 THEN 'paid' ELSE 'approved' END FROM exam_plans WHERE id = %d), p.created_at, p.updated_at, 1 FROM persons p
		WHERE NOT EXISTS (SELECT 1 FROM registrations r WHERE r.plan_id = %d AND r.person_id = p.id) ORDER BY p.id LIMIT %d`, planID, planID, planID, n)
	res, err := s.db(t).ExecContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := res.RowsAffected(); got != int64(n) {
		t.Fatalf("filed %d candidates, want %d", got, n)
	}
}

// arrangePlanIDs are the demo plans, by id.
func (s *server) arrangePlanIDs(t *testing.T) []int64 {
	t.Helper()
	rows, err := s.db(t).Query("SELECT id FROM exam_plans ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

var arrangeRangeRE = regexp.MustCompile(`^(\d{5})(\d{4})～(\d{5})(\d{4})$`)

// An admin sets up a 考点 and rooms for a plan, 放号, and sees each room's 准考证号 range; 校验 says the seed
// reproduces the draw. With JavaScript the forms answer in place and 放号 asks in the browser's dialog; without it,
// plain pages and a page that asks.
func TestArrangeRelease(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	srv := startServer(t, bin)
	plans := srv.arrangePlanIDs(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			planID := plans[i]
			srv.arrangeCandidates(t, planID, 13)
			b := newTab(t, browser, srv, m.js)
			b.signIn(admin, demoPassword)
			b.assertScripting()
			if b.doc().Find("[data-testid='menu-admin.arrange']").Length() != 1 {
				t.Fatal("no 考务编排 in the admin menu")
			}

			// 考点管理 → 新增考点.
			siteName := "浏览器考点" + strconv.Itoa(i)
			b.open("/admin/exam-sites/new")
			b.fill("name", siteName)
			b.fill("address", "北京市丰台区测试路"+strconv.Itoa(i)+"号")
			b.fill("contact_name", "赵老师")
			b.fill("contact_phone", "010-63456789")
			b.fill("room_count", "4")
			b.fill("capacity", "100")
			b.clickAndLoad("[data-testid=site-save]")
			if !strings.Contains(b.text("[data-testid=site-table]"), siteName) {
				t.Fatalf("the new 考点 is not listed at %s", b.path())
			}

			// 考务编排 → the plan.
			b.open("/admin/arrange")
			b.clickAndLoad(fmt.Sprintf("[data-testid=arrange-plan-row-%d] [data-testid=arrange-plan-open]", planID))
			siteID := ""
			b.doc().Find("#gen_site_id option").Each(func(_ int, o *goquery.Selection) {
				if strings.TrimSpace(o.Text()) == siteName {
					siteID, _ = o.Attr("value")
				}
			})
			if siteID == "" {
				t.Fatal("the 考点 is not offered for rooms")
			}
			b.choose("#gen_site_id", siteID)
			b.fill("gen_count", "2")
			b.fill("gen_capacity", "6")
			b.submit("[data-testid=generate-submit]")
			b.waitVisible("[data-testid=room-row-02]")
			// 12 seats for 13 candidates: 放号 is refused, saying a seat is missing.
			if got := b.text("[data-testid=arrange-missing]"); got != "还差 1 个座位" {
				t.Errorf("the summary says %q, want 还差 1 个座位", got)
			}
			b.fill("room_no", "03")
			b.fill("capacity", "5")
			b.choose("#site_id", siteID)
			b.submit("[data-testid=room-add]")
			b.waitVisible("[data-testid=room-row-03]")

			// 放号, with 同单位分散 (once htmx has taken over the form just swapped in).
			b.htmxReady("[data-testid=release-submit]")
			b.click("[data-testid=release-spread]")
			if m.js {
				dialogs := b.regAcceptDialogs()
				b.click("[data-testid=release-submit]")
				b.waitVisible("[data-testid=arrange-released]")
				if len(dialogs.messages()) != 1 || !strings.Contains(dialogs.messages()[0], "确定放号") {
					t.Errorf("放号 did not ask first: %q", dialogs.messages())
				}
			} else {
				b.clickAndLoad("[data-testid=release-submit]")
				if q := b.text("[data-testid=confirm-question]"); !strings.Contains(q, "确定放号") {
					t.Fatalf("without JavaScript 放号 shows %q, want a page that asks", q)
				}
				b.clickAndLoad("[data-testid=confirm-yes]")
				b.waitVisible("[data-testid=arrange-released]")
			}
			// Ranges: 13 over 6, 6, 5 → 5, 4, 4 (proportional to capacity, largest remainders first), contiguous in room order.
			d := b.doc()
			want := []int{5, 4, 4}
			next := 1
			prefix := ""
			for r, no := range []string{"01", "02", "03"} {
				row := d.Find("[data-testid=room-row-" + no + "]")
				rng := strings.TrimSpace(row.Find("[data-testid=room-range]").Text())
				mm := arrangeRangeRE.FindStringSubmatch(rng)
				if mm == nil || mm[1] != mm[3] {
					t.Fatalf("room %s's range %q", no, rng)
				}
				if prefix == "" {
					prefix = mm[1]
				}
				first, _ := strconv.Atoi(mm[2])
				last, _ := strconv.Atoi(mm[4])
				if mm[1] != prefix || first != next || last-first+1 != want[r] {
					t.Errorf("room %s: %q, want %d numbers from %04d", no, rng, want[r], next)
				}
				next = last + 1
			}
			if got := b.text("[data-testid=arrange-range]"); got != prefix+"0001～"+prefix+"0013" {
				t.Errorf("the plan's range reads %q", got)
			}

			// 校验: the seed gives the same seats.
			if m.js {
				b.click("[data-testid=draw-verify]")
				b.waitVisible("[data-testid=draw-check-ok]")
			} else {
				b.clickAndLoad("[data-testid=draw-verify]")
			}
			if got := b.text("[data-testid=draw-check-ok]"); !strings.HasPrefix(got, "与记录一致") {
				t.Errorf("校验 says %q", got)
			}

			// 考场名单 → a room's candidates by seat.
			b.open(fmt.Sprintf("/admin/arrange/%d/seating", planID))
			if got := b.text("[data-testid=seating-room-03] [data-testid=seating-count]"); got != "4/5" {
				t.Errorf("room 03 holds %q, want 4/5", got)
			}
			b.clickAndLoad("[data-testid=seating-room-01] [data-testid=seating-open]")
			if n := b.doc().Find("[data-testid=seat-row]").Length(); n != 5 {
				t.Errorf("room 01 lists %d candidates, want 5", n)
			}
			if got := b.text("[data-testid=seat-ticket]"); got != prefix+"0001" {
				t.Errorf("room 01's seat 1 holds %q", got)
			}
		})
	}
}
