package models_test

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/models"
)

func newDraftPlan(t *testing.T, db bun.IDB) *models.ExamPlan {
	t.Helper()
	now := models.Now()
	p := &models.ExamPlan{Name: "状态测试", CategoryID: 1, Level: "无", RegistrationStartsAt: now.Add(-time.Hour),
		RegistrationEndsAt: now.Add(24 * time.Hour), ExamAt: now.Add(48 * time.Hour), PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(context.Background(), db, p, 0); err != nil {
		t.Fatal(err)
	}
	return p
}

func planStatus(t *testing.T, db bun.IDB, id int64) models.PlanStatus {
	t.Helper()
	p, err := models.GetPlan(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func TestAdvancePlanMovesOnceWithHistoryAndAudit(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	p := newDraftPlan(t, db)
	// Five double clicks at once: one moves the plan, the others find it moved and change nothing.
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() { errs[i] = models.AdvancePlan(ctx, db, testAdmin, p.ID, models.PlanDraft) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, models.ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 5 concurrent advances succeeded, want 1", ok)
	}
	if s := planStatus(t, db, p.ID); s != models.PlanOpen {
		t.Errorf("status %s, want open", s)
	}
	hist, err := models.StatusHistory(ctx, db, "plan", p.ID)
	if err != nil || len(hist) != 1 || hist[0].FromStatus != "draft" || hist[0].ToStatus != "open" {
		t.Errorf("history = %+v, %v; want one draft → open", hist, err)
	}
	if n := auditCount(t, db, models.EventPlanAdvanced); n != 1 {
		t.Errorf("%d audit rows, want 1", n)
	}
	// A status that has no next one, or a move by a non-admin, changes nothing.
	practitioner := models.Actor{Account: &models.Account{Role: models.RolePractitioner, Username: "p"}}
	if err := models.AdvancePlan(ctx, db, practitioner, p.ID, models.PlanOpen); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("a practitioner advancing a plan: %v, want ErrNotAllowed", err)
	}
	if err := models.AdvancePlan(ctx, db, testAdmin, p.ID, models.PlanPublished); !errors.Is(err, models.ErrConflict) {
		t.Errorf("advancing past the last status: %v", err)
	}
	if s := planStatus(t, db, p.ID); s != models.PlanOpen {
		t.Errorf("status %s after refused moves, want open", s)
	}
}

func TestAdvancePlanRollsBackWithItsAudit(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	p := newDraftPlan(t, db)
	assertRollsBack(t, db, func(ctx context.Context) error {
		return models.AdvancePlan(ctx, db, testAdmin, p.ID, models.PlanDraft)
	}, func() {
		if s := planStatus(t, db, p.ID); s != models.PlanDraft {
			t.Errorf("status %s after a failed advance, want draft", s)
		}
	})
}

func TestTransitionTableChecks(t *testing.T) {
	t.Parallel()
	enterprise := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	cases := []struct {
		name     string
		actor    models.Actor
		from, to models.RegStatus
		reason   string
		want     error
	}{
		{"admin approves", testAdmin, models.RegUnitConfirmed, models.RegApproved, "", nil},
		{"admin accepts (受理)", testAdmin, models.RegUnitConfirmed, models.RegAccepted, "", nil},
		{"admin returns with a reason", testAdmin, models.RegAccepted, models.RegReturned, "照片不合格", nil},
		{"a return needs a reason", testAdmin, models.RegUnitConfirmed, models.RegReturned, "", models.ErrReasonRequired},
		{"the registry does not confirm for the enterprise", testAdmin, models.RegSubmitted, models.RegUnitConfirmed, "", models.ErrNotAllowed},
		{"the enterprise confirms", enterprise, models.RegSubmitted, models.RegUnitConfirmed, "", nil},
		{"nobody skips review", testAdmin, models.RegUnitConfirmed, models.RegPaid, "", models.ErrNoTransition},
		{"no way back from paid", testAdmin, models.RegPaid, models.RegSubmitted, "", models.ErrNoTransition},
		{"an enterprise cannot approve", enterprise, models.RegUnitConfirmed, models.RegApproved, "", models.ErrNotAllowed},
		{"an enterprise resubmits", enterprise, models.RegReturned, models.RegSubmitted, "", nil},
		{"only the system forfeits", testAdmin, models.RegApproved, models.RegForfeited, "", models.ErrNotAllowed},
		{"the system forfeits", models.SystemActor("test"), models.RegApproved, models.RegForfeited, "", nil},
		{"signed out", models.Actor{}, models.RegReturned, models.RegSubmitted, "", models.ErrNotAllowed},
	}
	for _, c := range cases {
		if _, err := models.RegistrationTransitions.Check(c.actor, c.from, c.to, c.reason); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if got := models.RegistrationTransitions.From(models.RegUnitConfirmed, testAdmin); len(got) != 3 {
		t.Errorf("an admin's moves from unit_confirmed: %d, want 3 (受理, 通过, 退回修改)", len(got))
	}
	if got := models.RegistrationTransitions.From(models.RegUnitConfirmed, enterprise); len(got) != 1 || got[0].To != models.RegWithdrawn {
		t.Errorf("an enterprise's moves from unit_confirmed: %+v, want 撤回 only (its filing, locked under review)", got)
	}
	if got := models.RegistrationTransitions.From(models.RegAccepted, enterprise); len(got) != 0 {
		t.Errorf("an enterprise's moves from accepted: %+v, want none", got)
	}
}

func TestBatchNumbers(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	shape := regexp.MustCompile(`^BMSH\d{8}$`)
	a, err := models.NewBatchNumber(ctx, db, testAdmin, models.BatchReview)
	if err != nil || !shape.MatchString(a) {
		t.Fatalf("first number %q, %v", a, err)
	}
	b, _ := models.NewBatchNumber(ctx, db, testAdmin, models.BatchImport)
	if b[:4] != "PLBM" || b[4:] <= a[4:] {
		t.Errorf("second number %q after %q: the serial is shared by all kinds and grows", b, a)
	}
	if _, err := models.NewBatchNumber(ctx, db, testAdmin, "bad"); err == nil {
		t.Error("a kind that is not 4 capital letters was accepted")
	}
	if got := models.FormatBatchNumber("XQSQ", 12345); got != "XQSQ00012345" {
		t.Errorf("FormatBatchNumber = %q", got)
	}
}

// A move of one record read before carries its version: changed since, it moves nothing.
func TestMoveWithAStaleVersionMovesNothing(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	p := newDraftPlan(t, db)
	move := models.Move[models.PlanStatus]{IDs: []int64{p.ID}, From: models.PlanDraft, To: models.PlanOpen, Version: p.Version + 1}
	if _, err := models.PlanTransitions.Apply(ctx, db, testAdmin, move); !errors.Is(err, models.ErrNothingMoved) {
		t.Errorf("a stale version: %v, want ErrNothingMoved", err)
	}
	move.Version = p.Version
	if moved, err := models.PlanTransitions.Apply(ctx, db, testAdmin, move); err != nil || len(moved) != 1 {
		t.Errorf("the current version: %v, %v", moved, err)
	}
}
