package models_test

import (
	"context"
	"errors"
	"testing"

	"examcert/models"
)

// 人员调入申请: joining is by consent (SECURITY.md 28). The requester sees only a masked name until the person or
// their current employer accepts; nobody else decides; every move is audited and kept in status_changes.
func TestJoinRequests(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	staff := f.add(t, f.entA, "赵六")
	ask := func(by models.Actor, idn, name string) *models.JoinRequest {
		t.Helper()
		if _, err := models.AddPerson(ctx, f.db, by, models.PersonInput{IDNumber: idn, Name: name}); !errors.Is(err, models.ErrJoinRequested) {
			t.Fatalf("add: %v, want a request", err)
		}
		sent, err := models.JoinRequestsSent(ctx, f.db, by)
		if err != nil || len(sent) == 0 {
			t.Fatalf("sent: %v %v", sent, err)
		}
		return &sent[0]
	}
	jr := ask(f.entB, staff.IDNumber, "赵六")
	if jr.PersonName != "赵*" || jr.PersonIDNo == staff.IDNumber || jr.Status != models.JoinPending {
		t.Errorf("the requester's view: %+v", jr)
	}
	// Nobody but the person and the current employer decides.
	for name, by := range map[string]models.Actor{"requester": f.entB, "training": f.tr, "another person": f.self} {
		if _, err := models.DecideJoinRequest(ctx, f.db, by, jr.ID, true); !errors.Is(err, models.ErrNotFound) && !errors.Is(err, models.ErrNotAllowed) {
			t.Errorf("%s deciding: %v", name, err)
		}
	}
	todo, err := models.JoinRequestsToDecide(ctx, f.db, f.entA)
	if err != nil || len(todo) != 1 || todo[0].PersonName != "赵六" || todo[0].RequesterName != "乙建设公司" {
		t.Fatalf("employer's list: %+v %v", todo, err)
	}
	// Declined: nobody moves.
	if _, err := models.DecideJoinRequest(ctx, f.db, f.entA, jr.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := f.person(t, staff.IDNumber); !models.SameOrg(got.OrganizationID, f.entA.Account.OrganizationID) {
		t.Errorf("declined, yet moved: %+v", got)
	}
	if _, err := models.DecideJoinRequest(ctx, f.db, f.entA, jr.ID, true); !errors.Is(err, models.ErrNothingMoved) {
		t.Errorf("deciding twice: %v", err)
	}
	// Asked again and accepted by the employer: B is the employer now, and the change is kept.
	jr = ask(f.entB, staff.IDNumber, "赵六")
	if _, err := models.DecideJoinRequest(ctx, f.db, f.entA, jr.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := f.person(t, staff.IDNumber); !models.SameOrg(got.OrganizationID, f.entB.Account.OrganizationID) {
		t.Errorf("accepted, not moved: %+v", got)
	}
	hist, _ := models.PersonHistory(ctx, f.db, staff.ID, 10)
	if len(hist) == 0 || hist[0].Field != "organization" || hist[0].OldValue != "甲建设公司" || hist[0].NewValue != "乙建设公司" {
		t.Errorf("history: %+v", hist)
	}
	// A training institution asks the practitioner with his own account; it may withdraw; he accepts the next one.
	me, _ := models.GetPerson(ctx, f.db, *f.self.Account.PersonID)
	jr = ask(f.tr, me.IDNumber, me.Name)
	if _, err := models.WithdrawJoinRequest(ctx, f.db, f.entA, jr.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another organization withdrawing: %v", err)
	}
	if _, err := models.WithdrawJoinRequest(ctx, f.db, f.tr, jr.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := models.DecideJoinRequest(ctx, f.db, f.self, jr.ID, true); !errors.Is(err, models.ErrNothingMoved) {
		t.Errorf("accepting a withdrawn request: %v", err)
	}
	jr = ask(f.tr, me.IDNumber, me.Name)
	mine, err := models.JoinRequestsToDecide(ctx, f.db, f.self)
	if err != nil || len(mine) != 1 || mine[0].RequesterName != "丙培训学校" {
		t.Fatalf("his list: %+v %v", mine, err)
	}
	if _, err := models.DecideJoinRequest(ctx, f.db, f.self, jr.ID, true); err != nil {
		t.Fatal(err)
	}
	if !onList(t, f.db, f.tr, me.ID) {
		t.Error("accepted, not on the roster")
	}
	// On the roster, his data is still his own.
	if ok, err := models.CanEditPerson(ctx, f.db, f.tr, me); err != nil || ok {
		t.Errorf("training may edit someone with an account: %v %v", ok, err)
	}
	var moves []models.StatusChange
	if err := f.db.NewSelect().Model(&moves).Where("record_kind = 'join_request'").Scan(ctx); err != nil || len(moves) != 4 {
		t.Errorf("%d status changes, want 4 (declined, accepted, withdrawn, accepted): %v", len(moves), err)
	}
	for ev, want := range map[string]int{models.EventJoinRequested: 4, models.EventJoinAccepted: 2, models.EventJoinDeclined: 1, models.EventJoinWithdrawn: 1} {
		if n := auditCount(t, f.db, ev); n != want {
			t.Errorf("%s: %d audit rows, want %d", ev, n, want)
		}
	}
}
