package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun/dialect"

	"examcert/models"
)

// reviewBenchRows is how many registrations the review benchmarks' plan holds.
const reviewBenchRows = 10000

// seedReviewBench stores reviewBenchRows new people registered by jianshe for a fresh plan, 待审核, in bulk.
func seedReviewBench(b *testing.B, e *env) *models.ExamPlan {
	b.Helper()
	plan := benchPlan(b, e, "审核基准")
	ctx := context.Background()
	acct := e.account("jianshe")
	now := models.Now()
	ws := time.Date(2010, 7, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 500
	for i := 0; i < reviewBenchRows; i += chunk {
		people := make([]models.Person, chunk)
		for j := range people {
			people[j] = models.Person{IDNumber: benchIDNumber(), Name: "考生" + strconv.Itoa(i+j), Gender: "男", Education: "本科",
				OrganizationID: acct.OrganizationID, CreatedAt: now, UpdatedAt: now, Version: 1}
		}
		if _, err := e.db.NewInsert().Model(&people).Returning("id").Exec(ctx); err != nil {
			b.Fatal(err)
		}
		regs := make([]models.Registration, chunk)
		for j, p := range people {
			regs[j] = models.Registration{PlanID: plan.ID, PersonID: p.ID, Channel: models.ChannelEnterprise, OrganizationID: acct.OrganizationID,
				AccountID: &acct.ID, EmployerName: "北京城建示范工程有限公司", WorkStartDate: &ws, YearsOfWork: 10, Resume: "[]",
				Status: models.RegUnitConfirmed, CreatedAt: now, UpdatedAt: now, Version: 1}
		}
		if _, err := e.db.NewInsert().Model(&regs).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	// Statistics as a running database has them (PostgreSQL's autovacuum analyzes after such a load).
	if e.db.Dialect().Name() == dialect.PG {
		if _, err := e.db.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	return plan
}

// BenchmarkReviewQueue: the registry's queue of a plan with 10,000 registrations 待审核, through the whole HTTP
// stack: the first page, a page deep in the queue (offset 5,000), a search by name, and the htmx fragment. Each is
// three statements (rows with person, organization and plan joined; the count; the counts by status) plus the
// filter's organization list.
func BenchmarkReviewQueue(b *testing.B) {
	e := newEnv(b)
	plan := seedReviewBench(b, e)
	c := e.client().signIn("admin")
	queue := "/admin/exams/" + strconv.FormatInt(plan.ID, 10) + "/review"
	for _, bc := range []struct {
		name, path string
		hx         bool
	}{
		{"first-page", queue, false},
		{"page-101", queue + "?page=101", false},
		{"search-name", queue + "?q=" + url.QueryEscape("考生9999"), false},
		{"htmx-fragment", queue + "?page=2", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p := c.do(http.MethodGet, bc.path, nil, bc.hx, nil)
				if p.Status != http.StatusOK || p.Doc.Find(`[data-testid^="review-row-"]`).Length() == 0 {
					b.Fatalf("status %d", p.Status)
				}
			}
		})
	}
}

// BenchmarkReviewApproveAll: 选择全部符合条件的 N 条 → 通过 over 10,000 registrations, one request, one 批号 (the
// registrations are put back to 待审核 between runs, untimed).
func BenchmarkReviewApproveAll(b *testing.B) {
	e := newEnv(b)
	plan := seedReviewBench(b, e)
	c := e.client().signIn("admin")
	queue := "/admin/exams/" + strconv.FormatInt(plan.ID, 10) + "/review"
	c.get(queue)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if _, err := e.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegUnitConfirmed).
			Where("plan_id = ?", plan.ID).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		p := c.do(http.MethodPost, queue, url.Values{"_csrf": {c.csrf()}, "action": {"approve"}, "all": {"1"}}, false, nil)
		if p.Status != http.StatusSeeOther {
			b.Fatalf("status %d %s", p.Status, p.Text(`[data-testid="alert-error"]`))
		}
	}
	b.ReportMetric(reviewBenchRows, "registrations/op")
}
