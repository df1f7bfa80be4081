package models_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/models"
)

// reviewFixture is a plan (with or without 受理) on regFixture's database, the enterprise's stored account (so
// that the registrations it files name it and it hears of decisions), and a stored admin.
type reviewFixture struct {
	*regFixture
	admin models.Actor
}

func newReviewFixture(t *testing.T, acceptance bool) *reviewFixture {
	t.Helper()
	f := newRegFixture(t)
	ctx := context.Background()
	if _, err := f.db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("acceptance_step = ?", acceptance).Where("id = ?", f.plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	f.plan.AcceptanceStep = acceptance
	f.actor.Account = storeAccount(t, f.db, "review-ent", models.RoleEnterprise, f.org.ID)
	f.actor.Account.Organization = f.org
	admin := models.Actor{Account: storeAccount(t, f.db, "review-admin", models.RoleAdmin, 0), IP: "192.0.2.9", RequestID: "test"}
	return &reviewFixture{regFixture: f, admin: admin}
}

func storeAccount(t *testing.T, db bun.IDB, username string, role models.Role, orgID int64) *models.Account {
	t.Helper()
	now := models.Now()
	a := &models.Account{Username: username, Role: role, DisplayName: username, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now, Version: 1}
	if orgID != 0 {
		a.OrganizationID = &orgID
	}
	if _, err := db.NewInsert().Model(a).Returning("id").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// file registers someone new through the enterprise's 报名表 (its own staff: 待审核 from the start).
func (f *reviewFixture) file(t *testing.T, name string) *models.Registration {
	t.Helper()
	r, err := models.SubmitRegistration(context.Background(), f.db, f.actor, f.submission(f.newID(), name))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *reviewFixture) reg(t *testing.T, id int64) *models.Registration {
	t.Helper()
	r := new(models.Registration)
	if err := f.db.NewSelect().Model(r).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *reviewFixture) in(ids ...int64) models.ReviewInput {
	return models.ReviewInput{PlanID: f.plan.ID, IDs: ids, Link: func(id int64) string { return "/registrations/x" }}
}

var bmsh = regexp.MustCompile(`^BMSH\d{8}$`)

// Without 受理: 待审核 → 审核通过 in one batch under one BMSH 批号, one audit row, and the filer is told.
func TestApproveWithoutAcceptance(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t, false)
	ctx := context.Background()
	a, b, c := f.file(t, "张甲"), f.file(t, "张乙"), f.file(t, "张丙")
	if a.Status != models.RegUnitConfirmed {
		t.Fatalf("filed by its own enterprise: %s, want unit_confirmed", a.Status)
	}
	if _, err := models.AcceptRegistrations(ctx, f.db, f.admin, f.in(a.ID)); !errors.Is(err, models.ErrNoAcceptanceStep) {
		t.Errorf("受理 in a plan without the step: %v", err)
	}
	audits := auditCount(t, f.db, models.EventRegApproved)
	res, err := models.ApproveRegistrations(ctx, f.db, f.admin, f.in(a.ID, b.ID, c.ID))
	if err != nil || len(res.Moved) != 3 || res.Skipped != 0 || !bmsh.MatchString(res.BatchNo) {
		t.Fatalf("approve: %+v %v", res, err)
	}
	if n := f.count(t, "status_changes", "batch_no = ? AND to_status = 'approved'", res.BatchNo); n != 3 {
		t.Errorf("%d status changes under %s, want 3", n, res.BatchNo)
	}
	if got := auditCount(t, f.db, models.EventRegApproved) - audits; got != 1 {
		t.Errorf("%d audit rows for one batch, want 1", got)
	}
	if r := f.reg(t, b.ID); r.Status != models.RegApproved {
		t.Errorf("status %s", r.Status)
	}
	// The enterprise filed all three: one message that counts them.
	if n := f.count(t, "messages", "account_id = ? AND kind = ?", f.actor.Account.ID, models.NoticeApproved); n != 1 {
		t.Errorf("%d 审核通过 messages, want 1", n)
	}
	// Deciding again moves nothing.
	if _, err := models.ApproveRegistrations(ctx, f.db, f.admin, f.in(a.ID)); !errors.Is(err, models.ErrNothingMoved) {
		t.Errorf("approve twice: %v", err)
	}
}

// With 受理: 待审核 → 已受理 → 审核通过; 审核通过 straight from 待审核 is skipped.
func TestApproveWithAcceptance(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t, true)
	ctx := context.Background()
	a, b := f.file(t, "张甲"), f.file(t, "张乙")
	if _, err := models.ApproveRegistrations(ctx, f.db, f.admin, f.in(a.ID)); !errors.Is(err, models.ErrNothingMoved) {
		t.Errorf("审核通过 before 受理: %v", err)
	}
	res, err := models.AcceptRegistrations(ctx, f.db, f.admin, f.in(a.ID))
	if err != nil || len(res.Moved) != 1 || !bmsh.MatchString(res.BatchNo) {
		t.Fatalf("受理: %+v %v", res, err)
	}
	res2, err := models.ApproveRegistrations(ctx, f.db, f.admin, f.in(a.ID, b.ID))
	if err != nil || len(res2.Moved) != 1 || res2.Moved[0] != a.ID || res2.Skipped != 1 {
		t.Fatalf("approve one accepted and one not: %+v %v", res2, err)
	}
	if res2.BatchNo == res.BatchNo {
		t.Error("two batch actions share a 批号")
	}
	if r := f.reg(t, a.ID); r.Status != models.RegApproved {
		t.Errorf("status %s", r.Status)
	}
}

// 退回修改 needs a reason; it is stored for the applicant, kept in the history, told; resubmission clears it and
// the registration goes back to the registry; 撤回 closes it.
func TestReturnResubmitWithdraw(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t, false)
	ctx := context.Background()
	a, b := f.file(t, "张甲"), f.file(t, "张乙")
	if _, err := models.ReturnRegistrations(ctx, f.db, f.admin, f.in(a.ID)); err == nil {
		t.Fatal("退回修改 without a reason was accepted")
	}
	reason, err := models.ReturnReason([]string{"照片不符合要求", "其他"}, "请使用白底照片")
	if err != nil || reason != "照片不符合要求；请使用白底照片" {
		t.Fatalf("reason %q %v", reason, err)
	}
	if _, err := models.ReturnReason([]string{"其他"}, ""); err == nil {
		t.Error("其他 without words was accepted")
	}
	if _, err := models.ReturnReason([]string{"随便"}, ""); err == nil {
		t.Error("a reason off the list was accepted")
	}
	in := f.in(a.ID, b.ID)
	in.Reason = reason
	res, err := models.ReturnRegistrations(ctx, f.db, f.admin, in)
	if err != nil || len(res.Moved) != 2 {
		t.Fatalf("return: %+v %v", res, err)
	}
	r := f.reg(t, a.ID)
	if r.Status != models.RegReturned || r.RejectReason != reason {
		t.Errorf("returned: %s %q", r.Status, r.RejectReason)
	}
	hist, err := models.StatusHistory(ctx, f.db, "registration", a.ID)
	if err != nil || len(hist) != 1 || hist[0].Reason != reason || hist[0].BatchNo != res.BatchNo || hist[0].AccountID == nil {
		t.Errorf("history %+v %v", hist, err)
	}
	if n := f.count(t, "messages", "account_id = ? AND kind = ? AND body LIKE ?", f.actor.Account.ID, models.NoticeReturned, "%退回修改%"); n != 1 {
		t.Errorf("%d 退回修改 messages", n)
	}
	// Resubmitted through the 报名表: back with the registry, the reason gone.
	p := new(models.Person)
	if err := f.db.NewSelect().Model(p).Where("id = ?", r.PersonID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(p.IDNumber, p.Name))
	if err != nil || again.ID != a.ID {
		t.Fatalf("resubmit: %v %v", again, err)
	}
	if r := f.reg(t, a.ID); r.Status != models.RegUnitConfirmed || r.RejectReason != "" {
		t.Errorf("resubmitted: %s %q", r.Status, r.RejectReason)
	}
	// 撤回: only a returned one or one waiting for the registry (待审核), only by its filer; not once decided.
	other := storeAccount(t, f.db, "other-ent", models.RoleEnterprise, 0)
	otherOrg, err := models.CreateOrganization(ctx, f.db, testAdmin, models.OrgInput{Kind: "enterprise", Name: "北京另一建设公司", Code: "91110106U2G2CXUK7A"})
	if err != nil {
		t.Fatal(err)
	}
	other.OrganizationID = &otherOrg.ID
	if _, err := models.WithdrawRegistration(ctx, f.db, models.Actor{Account: other}, b.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another enterprise withdrew: %v", err)
	}
	if _, err := models.ApproveRegistrations(ctx, f.db, f.admin, f.in(a.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := models.WithdrawRegistration(ctx, f.db, f.actor, a.ID); !errors.Is(err, models.ErrConflict) || f.reg(t, a.ID).Status != models.RegApproved {
		t.Errorf("withdrew one already approved: %v", err)
	}
	w, err := models.WithdrawRegistration(ctx, f.db, f.actor, b.ID)
	if err != nil || w.Status != models.RegWithdrawn || f.reg(t, b.ID).Status != models.RegWithdrawn {
		t.Errorf("withdraw: %v %v", w, err)
	}
}

// Nobody decides their own registration: the admin whose account filed it, or whose person it is.
func TestNobodyDecidesOwn(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t, false)
	ctx := context.Background()
	a := f.file(t, "张甲")
	filer := models.Actor{Account: &models.Account{ID: f.actor.Account.ID, Role: models.RoleAdmin, Username: "x"}}
	if _, err := models.ApproveRegistrations(ctx, f.db, filer, f.in(a.ID)); !errors.Is(err, models.ErrOwnRegistration) {
		t.Errorf("the filing account approved: %v", err)
	}
	pid := a.PersonID
	self := models.Actor{Account: &models.Account{ID: f.admin.Account.ID, Role: models.RoleAdmin, Username: "y", PersonID: &pid}}
	in := f.in(a.ID)
	in.Reason = "材料不全"
	if _, err := models.ReturnRegistrations(ctx, f.db, self, in); !errors.Is(err, models.ErrOwnRegistration) {
		t.Errorf("the person approved themself: %v", err)
	}
	if r := f.reg(t, a.ID); r.Status != models.RegUnitConfirmed {
		t.Errorf("status %s", r.Status)
	}
	// Extra ids of another plan make the whole batch not found.
	if _, err := models.ApproveRegistrations(ctx, f.db, f.admin, models.ReviewInput{PlanID: f.plan.ID + 1000, IDs: []int64{a.ID}}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("id of another plan: %v", err)
	}
}

// 单位确认: the enterprise named confirms (DWQR 批号) or returns; another enterprise gets not found; the registry's
// verbs refuse an enterprise.
func TestConfirmByUnitScope(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t, false)
	ctx := context.Background()
	trainOrg, err := models.CreateOrganization(ctx, f.db, testAdmin, models.OrgInput{Kind: "training", Name: "北京测试培训学校", Code: "M000100Y4"})
	if err != nil {
		t.Fatal(err)
	}
	trainer := models.Actor{Account: storeAccount(t, f.db, "review-train", models.RoleTraining, trainOrg.ID)}
	trainer.Account.Organization = trainOrg
	in := f.submission(f.newID(), "张丁")
	in.Registration.EmployerCode = "91110105G1921G9139"
	r, err := models.SubmitRegistration(ctx, f.db, trainer, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != models.RegSubmitted || r.UnitOrgID == nil || *r.UnitOrgID != f.org.ID {
		t.Fatalf("filed by a training institution naming the enterprise: %s %v", r.Status, r.UnitOrgID)
	}
	otherOrg, err := models.CreateOrganization(ctx, f.db, testAdmin, models.OrgInput{Kind: "enterprise", Name: "北京另一建设公司", Code: "91110106U2G2CXUK7A"})
	if err != nil {
		t.Fatal(err)
	}
	other := models.Actor{Account: storeAccount(t, f.db, "other-ent", models.RoleEnterprise, otherOrg.ID)}
	if _, err := models.ConfirmByUnit(ctx, f.db, other, models.ReviewInput{IDs: []int64{r.ID}}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another enterprise confirmed: %v", err)
	}
	if _, err := models.ApproveRegistrations(ctx, f.db, f.actor, f.in(r.ID)); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise approved: %v", err)
	}
	if _, err := models.ConfirmByUnit(ctx, f.db, f.admin, models.ReviewInput{IDs: []int64{r.ID}}); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an admin confirmed for the enterprise: %v", err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.ConfirmByUnit(ctx, f.db, f.actor, models.ReviewInput{IDs: []int64{r.ID}})
		return err
	}, func() {
		if s := f.reg(t, r.ID).Status; s != models.RegSubmitted {
			t.Errorf("after a failed 单位确认: %s", s)
		}
	}, "batch_numbers", "messages")
	if s := f.reg(t, r.ID).Status; !s.FilerMayEdit() {
		t.Errorf("not editable by its filer while 待单位确认: %s", s)
	}
	res, err := models.ConfirmByUnit(ctx, f.db, f.actor, models.ReviewInput{IDs: []int64{r.ID}})
	if err != nil || !regexp.MustCompile(`^DWQR\d{8}$`).MatchString(res.BatchNo) {
		t.Fatalf("confirm: %+v %v", res, err)
	}
	if s := f.reg(t, r.ID).Status; s != models.RegUnitConfirmed {
		t.Errorf("after 单位确认: %s", s)
	}
	// Confirmed by its enterprise, or filed straight to the registry: both are with the registry (待审核), so the
	// filer may no longer replace either (the lock, LIFECYCLE §4).
	for _, id := range []int64{r.ID, f.file(t, "张戊").ID} {
		if s := f.reg(t, id).Status; s.FilerMayEdit() {
			t.Errorf("registration %d editable after 单位确认: %s", id, s)
		}
	}
}

// A decision that fails after its audit row leaves nothing: no status change, no 批号, no message.
func TestReviewRollsBack(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t, false)
	a := f.file(t, "张甲")
	in := f.in(a.ID)
	in.Reason = "材料不全"
	for name, run := range map[string]func(context.Context) error{
		"approve": func(ctx context.Context) error {
			_, err := models.ApproveRegistrations(ctx, f.db, f.admin, in)
			return err
		},
		"return": func(ctx context.Context) error {
			_, err := models.ReturnRegistrations(ctx, f.db, f.admin, in)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			assertRollsBack(t, f.db, run, func() {
				if r := f.reg(t, a.ID); r.Status != models.RegUnitConfirmed || r.RejectReason != "" {
					t.Errorf("after a failed %s: %s %q", name, r.Status, r.RejectReason)
				}
			}, "batch_numbers", "messages")
		})
	}
}

// A decision applies to what the decider saw: a registration its filer changed after the queue showed it (a new
// upload replaces an undecided one) is left alone and counted as changed, by its version (a row, the ticked ones) or
// by the moment the queue was shown (选择全部符合条件). The others of the batch are decided.
func TestDecisionsSkipRegistrationsChangedSinceShown(t *testing.T) {
	t.Parallel()
	f := newReviewFixture(t, false)
	ctx := context.Background()
	a, b := f.file(t, "看过未改"), f.file(t, "看后被改")
	shown := models.Now()
	versions := map[int64]int{a.ID: a.Version, b.ID: b.Version}
	// The filer's new upload: same status, new content, new version.
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("employer_name = '改后的单位'").
		Set("version = version + 1").Set("updated_at = ?", models.Now().Add(time.Millisecond)).Where("id = ?", b.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	in := f.in(b.ID)
	in.Versions = map[int64]int{b.ID: b.Version}
	if _, err := models.ApproveRegistrations(ctx, f.db, f.admin, in); !errors.Is(err, models.ErrChangedMeanwhile) {
		t.Fatalf("approving only the changed one: %v, want ErrChangedMeanwhile", err)
	}
	in = f.in(a.ID, b.ID)
	in.Versions = versions
	res, err := models.ApproveRegistrations(ctx, f.db, f.admin, in)
	if err != nil || len(res.Moved) != 1 || res.Moved[0] != a.ID || res.Changed != 1 || res.Skipped != 0 {
		t.Fatalf("ticked both: %+v %v", res, err)
	}
	if got := f.reg(t, b.ID); got.Status != models.RegUnitConfirmed {
		t.Errorf("the changed registration was decided: %s", got.Status)
	}

	c := f.file(t, "全选之一")
	in = f.in(b.ID, c.ID)
	in.Since = shown // c was filed and b changed after the queue was shown
	if _, err := models.ApproveRegistrations(ctx, f.db, f.admin, in); !errors.Is(err, models.ErrChangedMeanwhile) {
		t.Fatalf("all matching, everything newer than the queue: %v", err)
	}
	in.Since = models.Now()
	if res, err = models.ApproveRegistrations(ctx, f.db, f.admin, in); err != nil || len(res.Moved) != 2 || res.Changed != 0 {
		t.Fatalf("all matching, shown after the change: %+v %v", res, err)
	}
}
