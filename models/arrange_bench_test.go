package models_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"examcert/models"
)

// 放号 at once from several admins (or a double click): one draw stands, the others get it back, nothing twice.
func TestReleaseNumbersConcurrently(t *testing.T) {
	t.Parallel()
	f := newArrangeFixture(t)
	ctx := context.Background()
	f.rooms(t, f.plan, f.site(t, "并发考点", 4, 200), 4, 50)
	f.candidates(t, f.plan, 150, models.RegApproved, nil)
	var wg sync.WaitGroup
	results := make([]*models.ReleaseResult, 6)
	errs := make([]error, len(results))
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{})
		}()
	}
	wg.Wait()
	fresh := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("放号 %d: %v", i, err)
		}
		if !results[i].Already {
			fresh++
		}
		if results[i].Draw.ID != results[0].Draw.ID {
			t.Errorf("放号 %d returned draw %d, another %d", i, results[i].Draw.ID, results[0].Draw.ID)
		}
	}
	if fresh != 1 || f.count(t, "draws", "1=1") != 1 || f.count(t, "tickets", "1=1") != 150 {
		t.Errorf("%d fresh draws, %d draws, %d tickets; want 1, 1, 150", fresh, f.count(t, "draws", "1=1"), f.count(t, "tickets", "1=1"))
	}
}

// 准考证号 has 4 digits of sequence and 3 of plan number: 10,000 candidates, or a 1000th plan in a year, are refused.
func TestReleaseNumbersLimits(t *testing.T) {
	t.Parallel()
	f := newArrangeFixture(t)
	ctx := context.Background()
	for i := range 2 {
		f.rooms(t, f.plan, f.site(t, fmt.Sprint("大考点", i), 20, 5000), 20, 250)
	}
	f.candidates(t, f.plan, 10000, models.RegApproved, nil)
	if _, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{}); err != models.ErrTooManyCandidates {
		t.Errorf("10,000 candidates: %v", err)
	}
	small := f.newPlan(t, "第1000个计划", 0)
	f.rooms(t, small, f.site(t, "小考点", 1, 10), 1, 10)
	f.candidates(t, small, 3, models.RegApproved, nil)
	if _, err := f.db.NewInsert().Model(&map[string]any{"scope": "plan_number", "year": 2027, "value": 999}).TableExpr("yearly_counters").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ReleaseNumbers(ctx, f.db, testAdmin, small.ID, models.ReleaseOptions{}); err != models.ErrTooManyPlans {
		t.Errorf("the 1000th plan of 2027: %v", err)
	}
	if n := f.count(t, "tickets", "1=1"); n != 0 {
		t.Errorf("%d tickets after refusals", n)
	}
}

// BenchmarkReleaseNumbers9999 is 放号 of the most candidates a plan may have (9,999: 准考证号's 4-digit sequence)
// over 100 rooms at 5 考点, with 同单位分散 (and, untimed, 取消放号 to start the next round).
func BenchmarkReleaseNumbers9999(b *testing.B) {
	f := newArrangeFixture(b)
	ctx := context.Background()
	for i := range 5 {
		f.rooms(b, f.plan, f.site(b, fmt.Sprint("基准考点", i), 20, 2000), 20, 100)
	}
	f.candidates(b, f.plan, 9999, models.RegApproved, func(i int) string { return fmt.Sprint("单位", i%37) })
	b.ResetTimer()
	for b.Loop() {
		res, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{Spread: true})
		if err != nil || res.Draw.Candidates != 9999 {
			b.Fatal(res, err)
		}
		b.StopTimer()
		if err := models.CancelRelease(ctx, f.db, testAdmin, f.plan.ID, "基准测试"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
