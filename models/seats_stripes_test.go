package models_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/models"
)

// stripes is the places taken in each of the plan's seat stripes, and their quotas (-1: no limit).
func (f *seatsFixture) stripes(t *testing.T) (taken, quota []int) {
	t.Helper()
	var rows []struct {
		Taken int  `bun:"taken"`
		Quota *int `bun:"quota"`
	}
	if err := f.db.NewSelect().TableExpr("plan_seats").Column("taken", "quota").Where("plan_id = ?", f.plan.ID).
		OrderExpr("stripe").Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		taken = append(taken, r.Taken)
		q := -1
		if r.Quota != nil {
			q = *r.Quota
		}
		quota = append(quota, q)
	}
	return taken, quota
}

// Many clients at once into a plan with fewer places than people, some withdrawing as they go: exactly the
// capacity is ever held, never one more, and the count stays the number of registrations holding a place. The
// capacity (37) is no multiple of the stripes, so some stripes run out before others.
func TestSeatsExactUnderConcurrency(t *testing.T) {
	const capacity, people, clients = 37, 120, 24
	f := newSeatsFixture(t, capacity, people)
	ctx := context.Background()
	var mu sync.Mutex
	saved, full := 0, 0
	var wg sync.WaitGroup
	next := make(chan int)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reg, err := f.register(t, i, models.RegPhoto{})
				mu.Lock()
				switch {
				case err == nil:
					saved++
				case errors.Is(err, models.ErrPlanFull):
					full++
				default:
					t.Errorf("registration %d: %v", i, err)
				}
				mu.Unlock()
				if err == nil && i%10 == 0 {
					// Every tenth withdraws at once: a place given back while others are taking them.
					if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegWithdrawn).
						Where("id = ?", reg.ID).Exec(ctx); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	for i := range people {
		next <- i
	}
	close(next)
	wg.Wait()
	if n := f.seats(t); n != capacity {
		t.Fatalf("%d places held after the rush (%d saved, %d refused as full), want the capacity %d", n, saved, full, capacity)
	}
	if saved+full != people || full == 0 {
		t.Fatalf("%d saved and %d refused of %d", saved, full, people)
	}
	taken, quota := f.stripes(t)
	for i := range taken {
		if quota[i] >= 0 && taken[i] > quota[i] {
			t.Fatalf("stripe %d holds %d of its quota %d", i, taken[i], quota[i])
		}
	}
	// More places: the room is spread over the stripes again, and taken.
	p, err := models.GetPlan(ctx, f.db, f.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.Capacity = capacity + 2
	if err := models.SavePlan(ctx, f.db, p, p.Version); err != nil {
		t.Fatal(err)
	}
	f.plan = p
	added := 0
	for i := range people {
		if _, err := f.register(t, i, models.RegPhoto{}); err == nil {
			added++
		}
	}
	if n := f.seats(t); added != 2 || n != capacity+2 {
		t.Fatalf("after raising the capacity by 2: %d more saved, %d places held", added, n)
	}
}

// On PostgreSQL the places are counted in 16 stripes: while one transaction holds a place it has not committed yet,
// another registration for the same plan takes its place from another stripe without waiting (a lock wait would
// fail at once under lock_timeout), and the capacity is shared out as quotas summing to it.
func TestSeatsNoHotRow(t *testing.T) {
	if dbtest.URL() == "" {
		t.Skip("SQLite's writers take turns: one stripe")
	}
	f := newSeatsFixture(t, 100, 3)
	_, quota := f.stripes(t)
	sum := 0
	for _, q := range quota {
		sum += q
	}
	if len(quota) != 16 || sum != 100 {
		t.Fatalf("quotas %v: want 16 summing to the capacity", quota)
	}
	ctx := context.Background()
	first, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback()
	insert := func(db bun.IDB, i int) error {
		now := models.Now()
		r := &models.Registration{PlanID: f.plan.ID, PersonID: f.people[i].ID, Channel: models.ChannelSelf,
			Status: models.RegSubmitted, Resume: "[]", CreatedAt: now, UpdatedAt: now, Version: 1}
		_, err := db.NewInsert().Model(r).Exec(ctx)
		return err
	}
	if err := insert(first, 0); err != nil {
		t.Fatal(err)
	}
	err = f.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL lock_timeout = '50ms'"); err != nil {
			return err
		}
		return insert(tx, 1)
	})
	if err != nil {
		t.Fatalf("a second registration while the first is not committed: %v", err)
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	taken, _ := f.stripes(t)
	used := 0
	for _, n := range taken {
		if n > 0 {
			used++
		}
	}
	if f.seats(t) != 2 || used != 2 {
		t.Fatalf("stripes %v: want two places in two stripes", taken)
	}
}

// A batch that needs more places than any one stripe has takes them across the stripes, and a plan with no
// capacity (不限) still counts its places.
func TestSeatsBatchAcrossStripes(t *testing.T) {
	for _, capacity := range []int{20, 0} {
		f := newSeatsFixture(t, capacity, 21)
		var bulk []models.Registration
		for _, p := range f.people[:20] {
			now := models.Now()
			bulk = append(bulk, models.Registration{PlanID: f.plan.ID, PersonID: p.ID, Channel: models.ChannelSelf,
				Status: models.RegSubmitted, Resume: "[]", CreatedAt: now, UpdatedAt: now, Version: 1})
		}
		if _, err := f.db.NewInsert().Model(&bulk).Exec(context.Background()); err != nil {
			t.Fatalf("capacity %d: 20 at once: %v", capacity, err)
		}
		if n := f.seats(t); n != 20 {
			t.Fatalf("capacity %d: %d places held, want 20", capacity, n)
		}
		_, err := f.register(t, 20, models.RegPhoto{})
		if capacity > 0 && !errors.Is(err, models.ErrPlanFull) || capacity == 0 && err != nil {
			t.Fatalf("capacity %d: the 21st: %v", capacity, err)
		}
	}
}
