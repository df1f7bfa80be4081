package models_test

import (
	"context"
	"errors"
	"testing"

	"examcert/models"
)

// A person's data belongs to the person (SECURITY.md 28): the person changes it; the employer while the person has
// no account of their own or has allowed it; a training institution only for someone employed nowhere and without
// an account; anyone else's edit is ErrNotFound and changes nothing.
func TestEditRightsFollowThePerson(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	row := func(by models.Actor, p *models.Person, phone string) error {
		fresh := f.person(t, p.IDNumber)
		_, err := models.UpdatePersonRow(ctx, f.db, by, p.ID, models.PersonInput{Name: fresh.Name, Phone: phone}, fresh.Version)
		return err
	}
	// An enterprise's staff member without an account: the enterprise keeps the record.
	staff := f.add(t, f.entA, "周一")
	if err := row(f.entA, staff, "13700000001"); err != nil {
		t.Errorf("employer editing staff without account: %v", err)
	}
	// A trainee employed nowhere, without an account: the training institution keeps it, until an enterprise takes
	// them on; then the institution still sees them but changes nothing.
	trainee := f.add(t, f.tr, "吴二")
	if err := row(f.tr, trainee, "13700000002"); err != nil {
		t.Errorf("training editing a free trainee: %v", err)
	}
	if _, err := models.AddPerson(ctx, f.db, f.entB, models.PersonInput{IDNumber: trainee.IDNumber, Name: "吴二"}); err != nil {
		t.Fatal(err)
	}
	if err := row(f.tr, trainee, "13700000009"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("training editing someone employed elsewhere: %v", err)
	}
	if _, err := models.SetPersonPhoto(ctx, f.db, f.tr, trainee.ID, "k1"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("training replacing the photo of someone employed elsewhere: %v", err)
	}
	if _, err := models.PersonInScope(ctx, f.db, f.tr.Account, trainee.ID); err != nil {
		t.Errorf("the trainee left the roster: %v", err)
	}
	if got := f.person(t, trainee.IDNumber); got.Phone != "13700000002" || got.PhotoKey != "" {
		t.Errorf("refused edits changed the record: %+v", got)
	}
	// A practitioner with their own account names enterprise A as 工作单位: A sees him but may not change him, until
	// he allows it in his own 个人信息维护.
	me, err := models.GetPerson(ctx, f.db, *f.self.Account.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	in := models.PersonInput{Name: "张自己", Education: "大专", Phone: "13512345678", WorkStartDate: "2010-09-01", EmployerCode: f.codeA}
	saved, err := models.UpdateProfile(ctx, f.db, f.self, in, me.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.PersonInScope(ctx, f.db, f.entA.Account, saved.ID); err != nil {
		t.Fatalf("employer does not see him: %v", err)
	}
	if err := row(f.entA, saved, "13700000003"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("employer editing someone with an account who did not allow it: %v", err)
	}
	if _, err := models.UpdatePerson(ctx, f.db, f.entA, saved.ID, saved.Input(), saved.Version); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("employer's full edit: %v", err)
	}
	if ok, err := models.CanEditPerson(ctx, f.db, f.entA, saved); err != nil || ok {
		t.Errorf("CanEditPerson = %v %v, want false", ok, err)
	}
	in.EmployerMayEdit = true
	if saved, err = models.UpdateProfile(ctx, f.db, f.self, in, saved.Version); err != nil {
		t.Fatal(err)
	}
	if err := row(f.entA, saved, "13700000004"); err != nil {
		t.Errorf("employer editing with the person's leave: %v", err)
	}
	if got := f.person(t, saved.IDNumber); got.Phone != "13700000004" || !got.EmployerMayEdit {
		t.Errorf("after the allowed edit: %+v", got)
	}
	// The registry edits anyone; another enterprise nobody outside its people.
	if err := row(testAdmin, staff, "13700000005"); err != nil {
		t.Errorf("admin: %v", err)
	}
	if err := row(f.entB, staff, "13700000006"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another enterprise: %v", err)
	}
}

// Every change of master data is kept with who changed which field from what to what, in the change's
// transaction; a refused or failed change keeps nothing.
func TestPersonChangesAreKept(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	p := f.add(t, f.entA, "郑三")
	before := p.Input()
	edited := before
	edited.Phone, edited.Major = "13911112222", "给排水"
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.UpdatePerson(ctx, f.db, f.entA, p.ID, edited, p.Version)
		return err
	}, nil, "person_changes")
	if _, err := models.UpdatePerson(ctx, f.db, f.entA, p.ID, edited, p.Version); err != nil {
		t.Fatal(err)
	}
	hist, err := models.PersonHistory(ctx, f.db, p.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]models.PersonChange{}
	for _, c := range hist {
		got[c.Field] = c
	}
	if len(hist) != 2 || got["phone"].OldValue != "" || got["phone"].NewValue != "13911112222" ||
		got["major"].OldValue != "土木工程" || got["major"].NewValue != "给排水" || got["phone"].Username != "ent-a" ||
		got["phone"].AccountID == nil || *got["phone"].AccountID != f.entA.Account.ID {
		t.Errorf("history: %+v", hist)
	}
	// A stale save keeps nothing.
	if _, err := models.UpdatePersonRow(ctx, f.db, f.entA, p.ID, models.PersonInput{Name: "郑三", Phone: "13900000000"}, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale: %v", err)
	}
	// The person's own save names the employer by name.
	me, err := models.GetPerson(ctx, f.db, *f.self.Account.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpdateProfile(ctx, f.db, f.self, models.PersonInput{Name: "张自己", Education: "本科", Phone: "13512345678",
		WorkStartDate: "2010-09-01", EmployerCode: f.codeA}, me.Version); err != nil {
		t.Fatal(err)
	}
	mine, _ := models.PersonHistory(ctx, f.db, me.ID, 20)
	found := false
	for _, c := range mine {
		if c.Field == "organization" && c.OldValue == "" && c.NewValue == "甲建设公司" && c.Username == "self" {
			found = true
		}
	}
	if !found {
		t.Errorf("own save's history: %+v", mine)
	}
	if n := len(mine); n < 4 {
		t.Errorf("%d rows for the own save, want 学历, 手机号码, 参加工作时间, 单位 …", n)
	}
	all, _ := models.PersonHistory(ctx, f.db, p.ID, 10)
	if len(all) != 2 {
		t.Errorf("the stale save wrote history: %+v", all)
	}
	// 移出 takes the employer away: kept by name, with who did it, in the same transaction.
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.RemovePerson(ctx, f.db, f.entA, p.ID)
		return err
	}, nil, "person_changes")
	if _, err := models.RemovePerson(ctx, f.db, f.entA, p.ID); err != nil {
		t.Fatal(err)
	}
	removed := false
	all, _ = models.PersonHistory(ctx, f.db, p.ID, 10)
	for _, c := range all {
		if c.Field == "organization" && c.OldValue == "甲建设公司" && c.NewValue == "" && c.Username == "ent-a" {
			removed = true
		}
	}
	if !removed {
		t.Errorf("移出 left no history row: %+v", all)
	}
}
