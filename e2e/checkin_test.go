package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"examcert/internal/checkinfixture"
	"examcert/internal/database"
	"examcert/models"
)

var proctor = account{user: "kaowu", captcha: true, landing: "/checkin"}

// checkinRooms is, per mode, the room the 考务人员 checks in at (two candidates) and another room of the plan (one).
type checkinRooms struct {
	room, other *models.ExamRoom
	here        []checkinfixture.Candidate
	elsewhere   checkinfixture.Candidate
}

// checkinSeed writes an exam day into the server's database behind its back, as the arrangement screens would:
// one plan at 第一考点 today, for each mode a room and another room, and kaowu's 考点 and day.
func checkinSeed(t *testing.T, srv *server) (models.TicketTokens, *models.ExamPlan, map[string]checkinRooms) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, srv.DatabaseURL, srv.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tokens, err := models.NewTicketTokens(ctx, db)
	must(err)
	plan, err := checkinfixture.Plan(ctx, db, "施工员（土建）考试")
	must(err)
	site, err := checkinfixture.Site(ctx, db, "第一考点")
	must(err)
	draw, err := checkinfixture.Draw(ctx, db, plan)
	must(err)
	now := models.Now()
	out := map[string]checkinRooms{}
	for i, m := range modes {
		var r checkinRooms
		r.room, err = checkinfixture.Room(ctx, db, plan, site, strconv.Itoa(i+1)+"1", now, now.Add(2*time.Hour))
		must(err)
		r.other, err = checkinfixture.Room(ctx, db, plan, site, strconv.Itoa(i+1)+"2", now, now.Add(2*time.Hour))
		must(err)
		r.here, err = checkinfixture.Candidates(ctx, db, r.room, draw, 2, i*100+1, "")
		must(err)
		cs, err := checkinfixture.Candidates(ctx, db, r.other, draw, 1, i*100+51, "")
		must(err)
		r.elsewhere = cs[0]
		out[m.name] = r
	}
	var kaowu models.Account
	must(db.NewSelect().Model(&kaowu).Where("username = ?", "kaowu").Scan(ctx))
	must(checkinfixture.Scope(ctx, db, &kaowu, site, models.ExamDay(now)))
	return tokens, plan, out
}

// checkinScan types what a USB scanner would into the field and presses Enter: with JavaScript htmx swaps the
// result in place (the caller waits for it), without it the form posts and the next page loads.
func (b *tab) checkinScan(code string) {
	b.t.Helper()
	sel := chromedp.CSS("[data-testid=checkin-code]")
	if b.js {
		b.do(chromedp.WaitVisible(sel), chromedp.SendKeys(sel, code+"\r"))
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.SendKeys(sel, code+"\r"))); err != nil {
		b.t.Fatalf("scan %q and wait for the page at %s: %v", code, b.location(), err)
	}
}

// checkinFocused says whether the scan field has the focus and is empty (ready for the next scan).
func (b *tab) checkinReady() bool {
	return run(b, chromedp.Evaluate[bool](`(function(){var e=document.activeElement;return !!e && e.id==="checkin-code" && e.value===""})()`))
}

// A 考务人员 signs in (landing on 考生签到), chooses the room, and scans by typing the token + Enter, with
// JavaScript and without: the card with 签到成功, a large red message for a ticket of another room, 已于 … 签到 for a
// second scan, and the room list counts 已签到 / 未签到.
func TestCheckinProctorScans(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	srv := startServer(t, bin)
	tokens, plan, rooms := checkinSeed(t, srv)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := rooms[m.name]
			b := newTab(t, browser, srv, m.js)
			b.signIn(proctor, demoPassword)
			b.assertScripting()
			if got := menuLabels(b.doc()); strings.Join(got, ",") != "考生签到,登录信息维护" {
				t.Errorf("menu %v", got)
			}
			// The day's only plan is chosen; the room is picked with the plain picker form.
			if got := b.prop("#plan_id"); got != strconv.FormatInt(plan.ID, 10) {
				t.Fatalf("plan chosen %q", got)
			}
			b.choose("#room_id", strconv.FormatInt(r.room.ID, 10))
			b.clickAndLoad("[data-testid=checkin-pick-submit]")

			first := r.here[0]
			b.checkinScan(tokens.Sign(first.Ticket.TicketNo, first.Ticket.DrawID))
			b.eventually("the card", func() bool { return b.text("[data-testid=card-name]") == first.Person.Name })
			if got := b.text("[data-testid=card-status]"); !strings.HasPrefix(got, "签到成功 ") {
				t.Errorf("status %q", got)
			}
			if got := b.text("[data-testid=card-id]"); !strings.Contains(got, "****") {
				t.Errorf("证件号码 %q is not masked", got)
			}
			if b.text("[data-testid=card-seat]") != "1" || b.text("[data-testid=card-room]") != r.room.RoomNo {
				t.Errorf("room/seat %q/%q", b.text("[data-testid=card-room]"), b.text("[data-testid=card-seat]"))
			}
			b.eventually("the field empty and focused for the next scan", b.checkinReady)
			b.screenshot("checkin-card-" + m.name)

			b.checkinScan(r.elsewhere.Ticket.TicketNo)
			b.eventually("the red message", func() bool { return b.text("[data-testid=checkin-refusal] strong") == "不是本考场的考生" })
			if d := b.text("[data-testid=checkin-refusal-detail]"); !strings.Contains(d, "第"+r.other.RoomNo+"考场") {
				t.Errorf("the message says %q, want the right room", d)
			}
			size := run(b, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".checkin-refusal")).fontSize`))
			if px, _ := strconv.ParseFloat(strings.TrimSuffix(size, "px"), 64); px < 32 {
				t.Errorf("the refusal is %s, want a large font", size)
			}
			b.eventually("the field ready after a refusal", b.checkinReady)
			b.screenshot("checkin-refusal-" + m.name)

			b.checkinScan(first.Ticket.TicketNo)
			b.eventually("已于 … 签到", func() bool { return strings.HasPrefix(b.text("[data-testid=card-status]"), "已于 ") })

			b.clickAndLoad("[data-testid=checkin-summary-" + r.room.RoomNo + "] [data-testid=checkin-room-link]")
			if b.text("[data-testid=room-in]") != "1" || b.text("[data-testid=room-out]") != "1" {
				t.Errorf("room list: 已签到 %q 未签到 %q", b.text("[data-testid=room-in]"), b.text("[data-testid=room-out]"))
			}
			if !strings.HasPrefix(b.text("[data-testid=seat-1] [data-testid=seat-status]"), "已签到") ||
				b.text("[data-testid=seat-2] [data-testid=seat-status]") != "未签到" {
				t.Errorf("seats: %q / %q", b.text("[data-testid=seat-1]"), b.text("[data-testid=seat-2]"))
			}
		})
	}
}
