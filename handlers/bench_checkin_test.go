package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"examcert/internal/checkinfixture"
	"examcert/models"
)

// BenchmarkCheckinScan: the 签到 POST through the whole HTTP stack (session, CSRF, scope, token check, the
// transaction with its audit row, the card), as a 考务人员's scanning station sends it.
//   - new: each scan checks a new candidate in (the room is reset, untimed, when every candidate has been scanned);
//   - again: every candidate was already checked in (the second-scan answer, nothing written);
//   - nojs: new, without JavaScript: the POST (303) and the page with the card it leads to;
//   - stations4: new, 4 stations at once;
//   - ref_page: the reference, measured alongside on the same (noisy) machine: the same signed-in 考务人员 GETs the
//     修改密码 page (session, shell, render; no query of its own).
func BenchmarkCheckinScan(b *testing.B) {
	const pool = 500
	e := newEnv(b)
	ctx := context.Background()
	tokens, err := models.NewTicketTokens(ctx, e.db)
	if err != nil {
		b.Fatal(err)
	}
	plan, err := checkinfixture.Plan(ctx, e.db, "签到基准")
	if err != nil {
		b.Fatal(err)
	}
	site, err := checkinfixture.Site(ctx, e.db, "基准考点")
	if err != nil {
		b.Fatal(err)
	}
	now := models.Now()
	room, err := checkinfixture.Room(ctx, e.db, plan, site, "01", now, now.Add(2*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	draw, err := checkinfixture.Draw(ctx, e.db, plan)
	if err != nil {
		b.Fatal(err)
	}
	cs, err := checkinfixture.Candidates(ctx, e.db, room, draw, pool, 1, "")
	if err != nil {
		b.Fatal(err)
	}
	if err := checkinfixture.Scope(ctx, e.db, e.account("kaowu"), site, models.ExamDay(now)); err != nil {
		b.Fatal(err)
	}
	codes := make([]string, pool)
	for i, c := range cs {
		codes[i] = tokens.Sign(c.Ticket.TicketNo, c.Ticket.DrawID)
	}
	c := e.client().signIn("kaowu")
	tok := c.csrf()
	planID := checkinItoa(plan.ID)
	reset := func(b *testing.B) {
		b.StopTimer()
		if _, err := e.db.NewUpdate().Model((*models.Ticket)(nil)).Set("checked_in_at = NULL").Set("checked_in_by = NULL").
			Where("room_id = ?", room.ID).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	scan := func(b *testing.B, i int, hx bool) *page {
		p := c.do(http.MethodPost, "/checkin", url.Values{"_csrf": {tok}, "plan_id": {planID}, "code": {codes[i%pool]}}, hx, nil)
		if hx && p.Doc.Find(`[data-testid="checkin-card"]`).Length() != 1 {
			b.Fatalf("scan %d: %d %.200s", i, p.Status, p.Body)
		}
		return p
	}
	report := func(b *testing.B) { b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scans/s") }

	b.Run("ref_page", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if p := c.get("/account/password"); p.Status != http.StatusOK {
				b.Fatalf("reference page: %d", p.Status)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("new", func(b *testing.B) {
		reset(b)
		for i := 0; i < b.N; i++ {
			if i > 0 && i%pool == 0 {
				reset(b)
			}
			scan(b, i, true)
		}
		report(b)
	})
	b.Run("again", func(b *testing.B) {
		b.StopTimer()
		for i := 0; i < pool; i++ {
			scan(b, i, true)
		}
		b.StartTimer()
		for i := 0; i < b.N; i++ {
			scan(b, i, true)
		}
		report(b)
	})
	b.Run("nojs", func(b *testing.B) {
		reset(b)
		for i := 0; i < b.N; i++ {
			if i > 0 && i%pool == 0 {
				reset(b)
			}
			p := scan(b, i, false)
			if p.Status != http.StatusSeeOther {
				b.Fatalf("scan %d: %d", i, p.Status)
			}
			if q := c.get(p.Location()); q.Doc.Find(`[data-testid="checkin-card"]`).Length() != 1 {
				b.Fatalf("page after scan %d: %d", i, q.Status)
			}
		}
		report(b)
	})
	b.Run("stations4", func(b *testing.B) {
		reset(b)
		var next atomic.Int64
		b.SetParallelism(2) // 2 × GOMAXPROCS(2) = 4 stations
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1)) % pool // after a whole pass the scans are second scans
				scan(b, i, true)
			}
		})
		report(b)
	})
}
