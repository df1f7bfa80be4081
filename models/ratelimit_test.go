package models_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"examcert/internal/dbtest"
	"examcert/models"
)

// A bucket allows Burst at once, then refuses; it refills with time; clients and budgets are apart; many requests
// at once never spend more than the bucket holds (the budget is one row, whoever asks, from any process).
func TestRateLimitInTheDatabase(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	slow := models.RateLimit{Name: "test-slow", Rate: 0.001, Burst: 3}
	for i := range 3 {
		if ok, err := slow.Allow(ctx, db, "a"); !ok || err != nil {
			t.Fatalf("request %d of the burst refused: %v", i+1, err)
		}
	}
	if ok, err := slow.Allow(ctx, db, "a"); ok || err != nil {
		t.Fatalf("past the burst: allowed %v, %v", ok, err)
	}
	if ok, _ := slow.Allow(ctx, db, "b"); !ok {
		t.Error("another client shares the first one's bucket")
	}
	if ok, _ := (models.RateLimit{Name: "test-other", Rate: 0.001, Burst: 1}).Allow(ctx, db, "a"); !ok {
		t.Error("another budget shares the first one's bucket")
	}

	fast := models.RateLimit{Name: "test-fast", Rate: 200, Burst: 1}
	start := models.Now()
	if ok, _ := fast.AllowAt(ctx, db, "a", start); !ok {
		t.Fatal("first request refused")
	}
	later := start.Add(20 * time.Millisecond) // 4 tokens' worth, capped at the burst of 1
	for i, want := range []bool{true, false} {
		if ok, err := fast.AllowAt(ctx, db, "a", later); ok != want || err != nil {
			t.Errorf("after the refill, request %d: %v (%v), want %v", i+1, ok, err, want)
		}
	}

	race := models.RateLimit{Name: "test-race", Rate: 0.001, Burst: 5}
	var mu sync.Mutex
	var wg sync.WaitGroup
	allowed := 0
	for range 20 {
		wg.Go(func() {
			ok, err := race.Allow(ctx, db, "a")
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 5 {
		t.Errorf("20 requests at once on a bucket of 5: %d allowed", allowed)
	}
	if n, err := models.ForgetFullRateLimits(ctx, db, models.Now().Add(25*time.Hour)); err != nil || n < 4 {
		t.Errorf("forgetting old buckets: %d, %v", n, err)
	}
}
