package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
	"examcert/models"
)

// regFixture is an open plan and an enterprise acting for itself, on a database of its own.
type regFixture struct {
	db    *bun.DB
	plan  *models.ExamPlan
	org   *models.Organization
	actor models.Actor
	ids   *rand.Rand
}

func newRegFixture(t *testing.T) *regFixture {
	t.Helper()
	db := dbtest.Open(t)
	ctx := context.Background()
	now := models.Now()
	plan := &models.ExamPlan{Name: "报名流程测试", CategoryID: 1, Level: "无", RegistrationStartsAt: now.Add(-time.Hour),
		RegistrationEndsAt: now.Add(24 * time.Hour), ExamAt: now.Add(48 * time.Hour), PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, db, plan, 0); err != nil {
		t.Fatal(err)
	}
	if err := models.AdvancePlan(ctx, db, testAdmin, plan.ID, models.PlanDraft); err != nil {
		t.Fatal(err)
	}
	plan, err := models.GetPlan(ctx, db, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	org, err := models.CreateOrganization(ctx, db, testAdmin, models.OrgInput{Kind: "enterprise", Name: "北京测试建设公司", Code: "91110105G1921G9139"})
	if err != nil {
		t.Fatal(err)
	}
	actor := models.Actor{Account: &models.Account{Role: models.RoleEnterprise, Username: "test-org", OrganizationID: &org.ID, Organization: org},
		IP: "192.0.2.2", RequestID: "test"}
	return &regFixture{db: db, plan: plan, org: org, actor: actor, ids: rand.New(rand.NewPCG(11, 12))}
}

func (f *regFixture) newID() string {
	return ident.GenerateIDNumber(f.ids, "110105", time.Date(1970+f.ids.IntN(20), 1, 1+f.ids.IntN(300), 0, 0, 0, 0, time.UTC), ident.GenderMale)
}

func (f *regFixture) submission(id, name string) models.SubmitInput {
	return models.SubmitInput{Plan: f.plan, Person: models.PersonInput{IDNumber: id, Name: name, Education: "本科"},
		Registration: models.RegistrationInput{WorkStartDate: "2010-07-01", EmployerName: "北京测试建设公司"},
		Photo:        models.FormPhoto{Key: "0123456789abcdef0123456789abcdef", Size: 20 << 10}}
}

func (f *regFixture) count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := f.db.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// The 报名表 of someone new: the person, the registration and its audit row are written together or not at all.
func TestSubmitRegistrationRollsBack(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	in := f.submission(f.newID(), "新考生")
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
		return err
	}, nil, "persons", "registrations", "training_people")
	reg, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
	if err != nil {
		t.Fatal(err)
	}
	p, err := models.FindPersonByIDNumber(ctx, f.db, in.Person.IDNumber)
	if err != nil || !models.SameOrg(p.OrganizationID, &f.org.ID) || reg.PersonID != p.ID || reg.Status != models.RegUnitConfirmed {
		t.Fatalf("person %+v (%v), registration %+v", p, err, reg)
	}
	if n := f.count(t, "audit_events", "event = ? AND object = ?", models.EventRegistered, "registration:"+reg.Number()); n != 1 {
		t.Errorf("%d audit rows for the registration, want 1", n)
	}
	// Again: told the person is registered, nothing more written.
	_, err = models.SubmitRegistration(ctx, f.db, f.actor, in)
	var fe models.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["id_number"], "不能重复报名") {
		t.Errorf("the same person again: %v", err)
	}
	// Someone known by another name: the one rule, and the name on record is not told.
	in = f.submission(in.Person.IDNumber, "别人")
	if _, err := models.SubmitRegistration(ctx, f.db, f.actor, in); !errors.As(err, &fe) || fe["name"] != models.MsgNameMismatch {
		t.Errorf("a wrong name: %v", err)
	}
	// A photo that could not be used is said beside the field, whatever else is wrong.
	in = f.submission(f.newID(), "新考生二")
	in.Photo = models.FormPhoto{Problem: "请上传JPG或PNG格式的照片"}
	in.Registration.EmployerName = ""
	if _, err := models.SubmitRegistration(ctx, f.db, f.actor, in); !errors.As(err, &fe) || fe["photo"] != in.Photo.Problem || fe["employer_name"] == "" {
		t.Errorf("a photo problem: %v", err)
	}
	if n := f.count(t, "persons", "id_number = ?", in.Person.IDNumber); n != 0 {
		t.Errorf("a refused 报名表 stored its person")
	}
	// Nobody but an applicant submits.
	if _, err := models.SubmitRegistration(ctx, f.db, testAdmin, f.submission(f.newID(), "新考生三")); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an admin submitting: %v", err)
	}
}

// A rejected registration submitted again is a status change rejected → submitted: the same row, new values, a
// status_changes row and its audit row, all rolled back together on failure.
func TestResubmissionGoesThroughTheTransitionTable(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	in := f.submission(f.newID(), "再报考生")
	reg, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegReturned).Set("reject_reason = '照片不合格'").
		Where("id = ?", reg.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// This time without a photo on the form: the registration shares the photo on record.
	const onRecord = "fedcba9876543210fedcba9876543210"
	if _, err := models.SetPersonPhoto(ctx, f.db, testAdmin, reg.PersonID, onRecord); err != nil {
		t.Fatal(err)
	}
	in.Registration.EmployerOpinion = "同意重新报名"
	in.Photo, in.StoredSize = models.FormPhoto{}, func(context.Context, string) (int, error) { return 20 << 10, nil }
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
		return err
	}, func() {
		if r, _ := models.FindRegistration(ctx, f.db, f.plan.ID, reg.PersonID); r.Status != models.RegReturned || r.EmployerOpinion != "" {
			t.Errorf("after a failed resubmission: %s %q", r.Status, r.EmployerOpinion)
		}
	}, "registrations")
	again, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
	if err != nil {
		t.Fatal(err)
	}
	r, err := models.FindRegistration(ctx, f.db, f.plan.ID, reg.PersonID)
	if err != nil || again.ID != reg.ID || r.Status != models.RegUnitConfirmed || r.EmployerOpinion != "同意重新报名" || r.RejectReason != "" ||
		r.PhotoKey != onRecord {
		t.Fatalf("resubmitted: %+v (%v), returned id %d, want row %d", r, err, again.ID, reg.ID)
	}
	hist, err := models.StatusHistory(ctx, f.db, "registration", reg.ID)
	if err != nil || len(hist) != 1 || hist[0].FromStatus != "returned" || hist[0].ToStatus != "unit_confirmed" {
		t.Errorf("status history %+v (%v)", hist, err)
	}
	if n := auditCount(t, f.db, models.EventRegResubmitted); n != 1 {
		t.Errorf("%d audit rows for the resubmission, want 1", n)
	}
}

func TestDeleteRegistrationRollsBack(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	reg, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(f.newID(), "删除考生"))
	if err != nil {
		t.Fatal(err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.DeleteRegistration(ctx, f.db, f.actor, reg.ID)
		return err
	}, nil, "registrations")
	other := models.Actor{Account: &models.Account{Role: models.RoleEnterprise, OrganizationID: new(int64)}}
	*other.Account.OrganizationID = f.org.ID + 1000
	if _, err := models.DeleteRegistration(ctx, f.db, other, reg.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another organization deleting: %v", err)
	}
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("paid_at = ?", models.Now()).Where("id = ?", reg.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := models.DeleteRegistration(ctx, f.db, f.actor, reg.ID); !errors.Is(err, models.ErrPaidRegistration) || r == nil || r.ID != reg.ID {
		t.Errorf("deleting a paid one: %v", err)
	}
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("paid_at = NULL").Where("id = ?", reg.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := models.DeleteRegistration(ctx, f.db, f.actor, reg.ID); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "registrations", "id = ?", reg.ID); n != 0 {
		t.Error("the registration is still there")
	}
	if n := f.count(t, "audit_events", "event = ? AND object = ?", models.EventRegDeleted, "registration:"+reg.Number()); n != 1 {
		t.Errorf("%d audit rows for the deletion, want 1", n)
	}
}

func TestDeleteAllRegistrationsRollsBack(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	var regs []*models.Registration
	for _, name := range []string{"甲考生", "乙考生", "丙考生"} {
		reg, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(f.newID(), name))
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, reg)
	}
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("paid_at = ?", models.Now()).Where("id = ?", regs[0].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.DeleteAllRegistrations(ctx, f.db, f.actor, f.plan.ID)
		return err
	}, nil, "registrations")
	res, err := models.DeleteAllRegistrations(ctx, f.db, f.actor, f.plan.ID)
	if err != nil || res.Deleted != 2 || len(res.Kept) != 1 || res.Kept[0].Person.Name != "甲考生" || len(res.Photos) != 2 {
		t.Fatalf("delete all: %+v, %v", res, err)
	}
	if n := f.count(t, "registrations", "plan_id = ?", f.plan.ID); n != 1 {
		t.Errorf("%d registrations left, want the paid one", n)
	}
	if n := auditCount(t, f.db, models.EventRegDeleted); n != 1 {
		t.Errorf("%d audit rows, want 1", n)
	}
}

// importRow is a good row of an import file for the person with ID number id.
func importRow(n int, id, name string) spreadsheet.Row {
	return spreadsheet.Row{Number: n, Cells: map[string]string{"id_number": id, "name": name, "education": "本科",
		"employer_name": "北京测试建设公司", "work_start_date": "2012-07-01"}}
}

// A batch import saves everything under one 批号 with its audit row, or nothing: new people, registrations, the
// 批号 itself and the audit row all go when it fails.
func TestImportBatchRollsBack(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	known, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(f.newID(), "已报考生"))
	if err != nil {
		t.Fatal(err)
	}
	knownID := ""
	if err := f.db.NewSelect().Table("persons").Column("id_number").Where("id = ?", known.PersonID).Scan(ctx, &knownID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegReturned).Where("id = ?", known.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Meanwhile the known person left the enterprise: the import takes them on again (and keeps that in their history).
	if _, err := f.db.NewUpdate().Table("persons").Set("organization_id = NULL").Where("id = ?", known.PersonID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	rows := []spreadsheet.Row{importRow(2, f.newID(), "导入甲"), importRow(3, f.newID(), "导入乙"), importRow(4, knownID, "已报考生")}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.ImportBatch(ctx, f.db, f.actor, f.plan, rows)
		return err
	}, func() {
		if r, _ := models.FindRegistration(ctx, f.db, f.plan.ID, known.PersonID); r.Status != models.RegReturned {
			t.Errorf("after a failed import the rejected registration is %s", r.Status)
		}
	}, "persons", "registrations", "batch_numbers", "person_changes")
	res, err := models.ImportBatch(ctx, f.db, f.actor, f.plan, rows)
	if err != nil || res.Rows != 3 || !regexp.MustCompile(`^PLBM\d{8}$`).MatchString(res.BatchNo) {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if n := f.count(t, "registrations", "plan_id = ? AND batch_id = ? AND status = ?", f.plan.ID, res.BatchNo, models.RegUnitConfirmed); n != 3 {
		t.Errorf("%d registrations of the batch, want 3", n)
	}
	if n := f.count(t, "audit_events", "event = ? AND result = 'ok' AND detail LIKE ?", models.EventRegImported, "%"+res.BatchNo+"%"); n != 1 {
		t.Errorf("%d audit rows naming the 批号, want 1", n)
	}
	if n := f.count(t, "status_changes", "record_id = ? AND batch_no = ? AND to_status = 'unit_confirmed'", known.ID, res.BatchNo); n != 1 {
		t.Errorf("the rejected registration's resubmission: %d status changes, want 1", n)
	}
	if n := f.count(t, "person_changes", "person_id = ? AND field = 'organization' AND old_value = '' AND new_value = ?", known.PersonID, f.org.Name); n != 1 {
		t.Errorf("taking the known person on again: %d history rows, want 1", n)
	}
	if n := f.count(t, "person_changes", "person_id <> ?", known.PersonID); n != 0 {
		t.Errorf("new people got %d history rows; creating a person is not a change", n)
	}
	// A file with a wrong name for someone known: nothing saved, the problem by row and column, the name on record
	// untold. (Their registration is 待审核 now, so the row is also refused as locked under review.)
	rows = []spreadsheet.Row{importRow(2, f.newID(), "导入丙"), importRow(3, knownID, "冒名")}
	_, err = models.ImportBatch(ctx, f.db, f.actor, f.plan, rows)
	var probs models.BatchProblems
	if !errors.As(err, &probs) || len(probs) != 2 {
		t.Fatalf("a wrong name: %v %+v", err, probs)
	}
	for _, want := range []struct{ column, reason string }{{"姓名", models.MsgNameMismatch}, {"身份证号", "审核期间不能修改"}} {
		if !slices.ContainsFunc(probs, func(p models.BatchProblem) bool {
			return p.Row == 3 && p.Column == want.column && strings.Contains(p.Reason, want.reason)
		}) {
			t.Errorf("a wrong name: no problem in row 3, %s: %q; got %+v", want.column, want.reason, probs)
		}
	}
	if n := f.count(t, "persons", "id_number = ?", rows[0].Cells["id_number"]); n != 0 {
		t.Error("a refused import stored a person")
	}
	if n := f.count(t, "audit_events", "event = ? AND result = 'rejected'", models.EventRegImported); n != 1 {
		t.Errorf("%d audit rows for the refused import, want 1", n)
	}
}

// The photo a 报名表 brings becomes the person's photo on record when they have none, in the registration's
// transaction; the next 报名表 without a photo shares it. A photo on record is not replaced.
func TestSubmittedPhotoBecomesThePersonsPhoto(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	in := f.submission(f.newID(), "照片考生")
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
		return err
	}, nil, "registrations", "persons")
	reg, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
	if err != nil {
		t.Fatal(err)
	}
	p, err := models.GetPerson(ctx, f.db, reg.PersonID)
	if err != nil || p.PhotoKey != in.Photo.Key || reg.PhotoKey != in.Photo.Key {
		t.Fatalf("person's photo %q, registration's %q, want %q (%v)", p.PhotoKey, reg.PhotoKey, in.Photo.Key, err)
	}
	// Another plan, no photo on the form: the photo on record is offered and shared.
	plan2 := *f.plan
	plan2.ID, plan2.Name = 0, "报名流程测试二"
	if err := models.SavePlan(ctx, f.db, &plan2, 0); err != nil {
		t.Fatal(err)
	}
	if err := models.AdvancePlan(ctx, f.db, testAdmin, plan2.ID, models.PlanDraft); err != nil {
		t.Fatal(err)
	}
	in.Plan, _ = models.GetPlan(ctx, f.db, plan2.ID)
	in.Photo, in.StoredSize = models.FormPhoto{}, func(context.Context, string) (int, error) { return 20 << 10, nil }
	reg2, err := models.SubmitRegistration(ctx, f.db, f.actor, in)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := models.FindRegistration(ctx, f.db, plan2.ID, reg.PersonID); r.PhotoKey != p.PhotoKey || reg2.PhotoKey != p.PhotoKey {
		t.Errorf("the second registration's photo %q, want the one on record %q", r.PhotoKey, p.PhotoKey)
	}
	// Someone with a photo on record keeps it when a 报名表 brings another.
	other := f.submission(f.newID(), "有照片考生")
	first, err := models.SubmitRegistration(ctx, f.db, f.actor, other)
	if err != nil {
		t.Fatal(err)
	}
	other.Plan, other.Photo = in.Plan, models.FormPhoto{Key: "abcdefabcdefabcdefabcdefabcdef01", Size: 20 << 10}
	if _, err := models.SubmitRegistration(ctx, f.db, f.actor, other); err != nil {
		t.Fatal(err)
	}
	if p, _ := models.GetPerson(ctx, f.db, first.PersonID); p.PhotoKey != "0123456789abcdef0123456789abcdef" {
		t.Errorf("the photo on record was replaced: %q", p.PhotoKey)
	}
}
