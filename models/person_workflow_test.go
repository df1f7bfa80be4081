package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

// peopleFixture is two enterprises, a training institution and a practitioner, each with an account to act as.
type peopleFixture struct {
	db             *bun.DB
	entA, entB, tr models.Actor
	self           models.Actor // a practitioner, whose person is self.Account.PersonID
	codeA, codeTr  string       // the credit codes of enterprise A and the training institution
	r              *rand.Rand
}

func newPeopleFixture(t *testing.T) *peopleFixture {
	t.Helper()
	f := &peopleFixture{db: dbtest.Open(t), r: rand.New(rand.NewPCG(11, 12))}
	f.codeA, f.codeTr = ident.GenerateCreditCode(f.r, "110105"), ident.GenerateCreditCode(f.r, "110108")
	f.entA = f.account(t, models.NewAccount{Role: models.RoleEnterprise, Username: "ent-a", OrgName: "甲建设公司", OrgCode: f.codeA})
	f.entB = f.account(t, models.NewAccount{Role: models.RoleEnterprise, Username: "ent-b", OrgName: "乙建设公司",
		OrgCode: ident.GenerateCreditCode(f.r, "110106")})
	f.tr = f.account(t, models.NewAccount{Role: models.RoleTraining, Username: "train", OrgName: "丙培训学校", OrgCode: f.codeTr})
	f.self = f.account(t, models.NewAccount{Role: models.RolePractitioner, Username: "self", DisplayName: "张自己", IDNumber: f.newID()})
	return f
}

func (f *peopleFixture) account(t *testing.T, n models.NewAccount) models.Actor {
	t.Helper()
	n.PasswordHash = "x"
	acct, _, err := models.CreateAccount(context.Background(), f.db, testAdmin, n)
	if err != nil {
		t.Fatalf("account %s: %v", n.Username, err)
	}
	return models.Actor{Account: acct, IP: "192.0.2.7", RequestID: "test"}
}

func (f *peopleFixture) newID() string {
	birth := time.Date(1980+f.r.IntN(20), time.Month(1+f.r.IntN(12)), 1+f.r.IntN(28), 0, 0, 0, 0, time.UTC)
	return ident.GenerateIDNumber(f.r, "110102", birth, ident.GenderMale)
}

func (f *peopleFixture) person(t *testing.T, idn string) *models.Person {
	t.Helper()
	p, err := models.FindPersonByIDNumber(context.Background(), f.db, idn)
	if err != nil {
		t.Fatalf("person %s: %v", idn, err)
	}
	return p
}

// add puts a new person on by's list, failing the test if it cannot.
func (f *peopleFixture) add(t *testing.T, by models.Actor, name string) *models.Person {
	t.Helper()
	p, err := models.AddPerson(context.Background(), f.db, by, models.PersonInput{IDNumber: f.newID(), Name: name, Education: "本科",
		Major: "土木工程", Address: "北京市某路1号", WorkStartDate: "2010-07-01"})
	if err != nil {
		t.Fatalf("add %s: %v", name, err)
	}
	return p
}

func onList(t *testing.T, db bun.IDB, by models.Actor, personID int64) bool {
	t.Helper()
	org, err := models.OrganizationOf(context.Background(), db, by.Account)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := models.IsPersonOf(context.Background(), db, org, personID)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// The add-person rules, in order on one database: each case sees what the cases before it did.
func TestAddPersonRules(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	known, free := f.newID(), f.newID()
	selfPerson, err := models.GetPerson(ctx, f.db, *f.self.Account.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	admin := testAdmin
	for _, tc := range []struct {
		name  string
		by    models.Actor
		in    models.PersonInput
		field string // the field error expected ("" when none)
		msg   string
		err   error // another error expected
		check func(t *testing.T, p *models.Person)
	}{
		{name: "new person joins the enterprise's staff", by: f.entA, in: models.PersonInput{IDNumber: known, Name: "赵六", Phone: "13800138000"},
			check: func(t *testing.T, p *models.Person) {
				stored := f.person(t, known)
				if stored.Gender != "男" || stored.BirthDate == nil || stored.Phone != "13800138000" || !models.SameOrg(stored.OrganizationID, f.entA.Account.OrganizationID) {
					t.Errorf("stored: %+v", stored)
				}
			}},
		{name: "invalid input saves nothing", by: f.entA, in: models.PersonInput{IDNumber: "110105194912310021", Name: "赵六"},
			field: "id_number", msg: "身份证号校验码错误，请检查是否输入有误"},
		{name: "already on the list", by: f.entA, in: models.PersonInput{IDNumber: known, Name: "赵六"}, field: "id_number", msg: models.MsgAlreadyListed},
		{name: "known person, wrong name", by: f.entB, in: models.PersonInput{IDNumber: known, Name: "赵七"}, field: "name", msg: models.MsgNameMismatch},
		{name: "employed elsewhere: a 人员调入申请 is filed", by: f.entB, in: models.PersonInput{IDNumber: known, Name: "赵六"}, err: models.ErrJoinRequested},
		{name: "asked already", by: f.entB, in: models.PersonInput{IDNumber: known, Name: "赵六"}, field: "id_number", msg: models.MsgJoinPending},
		{name: "training roster, wrong name", by: f.tr, in: models.PersonInput{IDNumber: known, Name: "赵七"}, field: "name", msg: models.MsgNameMismatch},
		// A training institution's roster takes nobody employed elsewhere without their consent (SECURITY.md 28; it
		// used to take anyone named correctly).
		{name: "training roster asks for another's staff member", by: f.tr, in: models.PersonInput{IDNumber: known, Name: "赵六"},
			err: models.ErrJoinRequested},
		{name: "new person on a training roster has no employer", by: f.tr, in: models.PersonInput{IDNumber: free, Name: "钱八"},
			check: func(t *testing.T, p *models.Person) {
				if f.person(t, free).OrganizationID != nil || !onList(t, f.db, f.tr, p.ID) {
					t.Errorf("stored: %+v", f.person(t, free))
				}
			}},
		{name: "training roster, already on it", by: f.tr, in: models.PersonInput{IDNumber: free, Name: "钱八"}, field: "id_number", msg: models.MsgAlreadyListed},
		{name: "known person without employer joins an enterprise", by: f.entB, in: models.PersonInput{IDNumber: free, Name: "钱八"},
			check: func(t *testing.T, p *models.Person) {
				if !models.SameOrg(f.person(t, free).OrganizationID, f.entB.Account.OrganizationID) {
					t.Errorf("stored: %+v", f.person(t, free))
				}
			}},
		// Someone with their own account joins nobody by being named (it used to make them the enterprise's staff).
		{name: "a person with their own account, named correctly", by: f.entA, in: models.PersonInput{IDNumber: selfPerson.IDNumber, Name: "张自己"},
			err: models.ErrJoinRequested},
		{name: "a person with their own account, on a training roster", by: f.tr, in: models.PersonInput{IDNumber: selfPerson.IDNumber, Name: "张自己"},
			err: models.ErrJoinRequested},
		{name: "a practitioner adds nobody", by: f.self, in: models.PersonInput{IDNumber: f.newID(), Name: "孙九"}, err: models.ErrNotAllowed},
		{name: "nor does the registry (it has no list)", by: admin, in: models.PersonInput{IDNumber: f.newID(), Name: "孙九"}, err: models.ErrNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, f.db, "persons", "training_people")
			p, err := models.AddPerson(ctx, f.db, tc.by, tc.in)
			var fe models.FieldErrors
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
			case tc.field != "":
				if !errors.As(err, &fe) || fe[tc.field] != tc.msg || len(fe) != 1 {
					t.Fatalf("err %v, want %s: %s", err, tc.field, tc.msg)
				}
			case err != nil:
				t.Fatal(err)
			}
			after := snapshot(t, f.db, "persons", "training_people")
			if errors.Is(err, models.ErrJoinRequested) {
				// Nobody joined: one pending request and its audit row, nothing else.
				if after["audit_events"] != before["audit_events"]+1 || after["persons"] != before["persons"] || after["training_people"] != before["training_people"] {
					t.Errorf("a filed request changed: %v → %v", before, after)
				}
				if p != nil {
					t.Errorf("the requester got the person: %+v", p)
				}
				return
			}
			if err != nil {
				if after["audit_events"] != before["audit_events"] || after["persons"] != before["persons"] || after["training_people"] != before["training_people"] {
					t.Errorf("a refused add left rows: %v → %v", before, after)
				}
				return
			}
			if after["audit_events"] != before["audit_events"]+1 {
				t.Errorf("%d audit rows written, want 1", after["audit_events"]-before["audit_events"])
			}
			if !onList(t, f.db, tc.by, p.ID) {
				t.Error("not on the list after being added")
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func TestAddPersonRollsBack(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	idn := f.newID()
	in := models.PersonInput{IDNumber: idn, Name: "李四"}
	// A new person: neither the person nor the audit row remain.
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.AddPerson(ctx, f.db, f.entA, in)
		return err
	}, func() {
		if _, err := models.FindPersonByIDNumber(ctx, f.db, idn); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("the person is still there: %v", err)
		}
	}, "persons")
	// A known person (employed nowhere, no account of their own) joining a roster, and one joining an enterprise.
	added, err := models.AddPerson(ctx, f.db, f.entA, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.RemovePerson(ctx, f.db, f.entA, added.ID); err != nil {
		t.Fatal(err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.AddPerson(ctx, f.db, f.tr, in)
		return err
	}, nil, "training_people")
	free := f.add(t, f.tr, "王五")
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.AddPerson(ctx, f.db, f.entB, models.PersonInput{IDNumber: free.IDNumber, Name: "王五"})
		return err
	}, func() {
		if got := f.person(t, free.IDNumber); got.OrganizationID != nil || got.Version != free.Version {
			t.Errorf("after a failed add: employer %v, version %d", got.OrganizationID, got.Version)
		}
	})
	if n := auditCount(t, f.db, models.EventPersonAdded); n != 2 {
		t.Errorf("%d audit rows for adds, want 2", n)
	}
}

func TestUpdatePerson(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	p := f.add(t, f.entA, "周十")
	in := p.Input()
	in.Name, in.Phone, in.IDNumber, in.EmployerName = "周十一", "010-62345678", f.newID(), "别处"
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.UpdatePerson(ctx, f.db, f.entA, p.ID, in, p.Version)
		return err
	}, func() {
		if got := f.person(t, p.IDNumber); got.Name != "周十" || got.Version != p.Version {
			t.Errorf("after a failed update: %q version %d", got.Name, got.Version)
		}
	})
	// Another enterprise's person is not found; a practitioner edits only through 个人信息维护.
	if _, err := models.UpdatePerson(ctx, f.db, f.entB, p.ID, in, p.Version); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another enterprise: %v", err)
	}
	if _, err := models.UpdatePerson(ctx, f.db, f.self, p.ID, in, p.Version); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("a practitioner: %v", err)
	}
	saved, err := models.UpdatePerson(ctx, f.db, f.entA, p.ID, in, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	got := f.person(t, p.IDNumber) // the ID number typed is ignored: it is the person's identity
	if got.Name != "周十一" || got.Phone != "010-62345678" || got.EmployerName != "" || got.Version != p.Version+1 || saved.Version != got.Version {
		t.Errorf("saved: %+v", got)
	}
	if _, err := models.UpdatePerson(ctx, f.db, f.entA, p.ID, in, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a stale version: %v, want ErrConflict", err)
	}
	var fe models.FieldErrors
	bad := in
	bad.Phone = "12345"
	if _, err := models.UpdatePerson(ctx, f.db, f.entA, p.ID, bad, got.Version); !errors.As(err, &fe) || fe["phone"] != models.PhoneFormatMsg {
		t.Errorf("a bad phone: %v", err)
	}
	if n := auditCount(t, f.db, models.EventPersonUpdated); n != 1 {
		t.Errorf("%d audit rows for updates, want 1", n)
	}
}

func TestUpdatePersonRowKeepsTheOtherFields(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	p := f.add(t, f.tr, "吴十二")
	row := models.PersonInput{Name: "吴十二", Education: "硕士研究生", Title: "中级", Phone: "13900139000", Major: "不是这一行的", Address: "也不是"}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.UpdatePersonRow(ctx, f.db, f.tr, p.ID, row, p.Version)
		return err
	}, func() {
		if got := f.person(t, p.IDNumber); got.Phone != "" || got.Version != p.Version {
			t.Errorf("after a failed update: %+v", got)
		}
	})
	if _, err := models.UpdatePersonRow(ctx, f.db, f.tr, p.ID, row, p.Version); err != nil {
		t.Fatal(err)
	}
	got := f.person(t, p.IDNumber)
	if got.Education != "硕士研究生" || got.Title != "中级" || got.Phone != "13900139000" || got.Major != "土木工程" || got.Address != "北京市某路1号" ||
		got.WorkStartDate == nil || got.WorkStartDate.Format("2006-01-02") != "2010-07-01" {
		t.Errorf("after the row's save: %+v", got)
	}
	if _, err := models.UpdatePersonRow(ctx, f.db, f.tr, p.ID, row, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a stale version: %v", err)
	}
}

func TestRemovePerson(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	staff, trainee := f.add(t, f.entA, "郑一"), f.add(t, f.tr, "郑二")
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.RemovePerson(ctx, f.db, f.entA, staff.ID)
		return err
	}, func() {
		if !onList(t, f.db, f.entA, staff.ID) {
			t.Error("off the staff after a failed removal")
		}
	})
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.RemovePerson(ctx, f.db, f.tr, trainee.ID)
		return err
	}, nil, "training_people")
	if _, err := models.RemovePerson(ctx, f.db, f.entB, staff.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another enterprise removing: %v", err)
	}
	if _, err := models.RemovePerson(ctx, f.db, f.self, staff.ID); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("a practitioner removing: %v", err)
	}
	for _, tc := range []struct {
		by models.Actor
		p  *models.Person
	}{{f.entA, staff}, {f.tr, trainee}} {
		if _, err := models.RemovePerson(ctx, f.db, tc.by, tc.p.ID); err != nil {
			t.Fatal(err)
		}
		if onList(t, f.db, tc.by, tc.p.ID) {
			t.Errorf("%s still listed", tc.p.Name)
		}
		if _, err := models.GetPerson(ctx, f.db, tc.p.ID); err != nil {
			t.Errorf("%s gone from the system: %v", tc.p.Name, err)
		}
		if _, err := models.RemovePerson(ctx, f.db, tc.by, tc.p.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("removing %s twice: %v", tc.p.Name, err)
		}
	}
	if n := auditCount(t, f.db, models.EventPersonRemoved); n != 2 {
		t.Errorf("%d audit rows for removals, want 2", n)
	}
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	me, err := models.GetPerson(ctx, f.db, *f.self.Account.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	in := models.PersonInput{IDNumber: f.newID(), Name: "张自己", Education: "大专", Phone: "13512345678", WorkStartDate: "2010-09-01",
		EmployerCode: f.codeA, EmployerName: "随便写的名字"}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.UpdateProfile(ctx, f.db, f.self, in, me.Version)
		return err
	}, func() {
		if got := f.person(t, me.IDNumber); got.Education != "" || got.OrganizationID != nil || got.Version != me.Version {
			t.Errorf("after a failed save: %+v", got)
		}
	})
	if _, err := models.UpdateProfile(ctx, f.db, f.entA, in, me.Version); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise saving a profile: %v", err)
	}
	var fe models.FieldErrors
	if _, err := models.UpdateProfile(ctx, f.db, f.self, models.PersonInput{Name: "张自己"}, me.Version); !errors.As(err, &fe) || len(fe) != 3 {
		t.Errorf("required fields missing: %v", err) // 学历, 手机号码, 参加工作时间
	}
	// A registered enterprise's code makes him its staff, under its own name.
	saved, err := models.UpdateProfile(ctx, f.db, f.self, in, me.Version)
	if err != nil {
		t.Fatal(err)
	}
	got := f.person(t, me.IDNumber)
	if got.Education != "大专" || got.EmployerName != "" || !models.SameOrg(got.OrganizationID, f.entA.Account.OrganizationID) || saved.Version != got.Version {
		t.Errorf("saved: %+v", got)
	}
	if !onList(t, f.db, f.entA, got.ID) {
		t.Error("the employer named does not have him on its staff")
	}
	if _, err := models.UpdateProfile(ctx, f.db, f.self, in, me.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a stale version: %v", err)
	}
	// A code nobody registered, or a training institution's: kept as typed, with no employer on record.
	for _, code := range []string{ident.GenerateCreditCode(f.r, "110109"), f.codeTr} {
		in.EmployerCode = code
		if saved, err = models.UpdateProfile(ctx, f.db, f.self, in, saved.Version); err != nil {
			t.Fatal(err)
		}
		if got := f.person(t, me.IDNumber); got.OrganizationID != nil || got.EmployerCode != code || got.EmployerName != "随便写的名字" {
			t.Errorf("code %s: %+v", code, got)
		}
	}
	if n := auditCount(t, f.db, models.EventPersonUpdated); n != 3 {
		t.Errorf("%d audit rows for profile saves, want 3", n)
	}
}

func TestSetPersonPhoto(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	p := f.add(t, f.entA, "冯三")
	const first, second = "11111111111111111111111111111111", "22222222222222222222222222222222"
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.SetPersonPhoto(ctx, f.db, f.entA, p.ID, first)
		return err
	}, func() {
		if got := f.person(t, p.IDNumber); got.PhotoKey != "" {
			t.Errorf("photo after a failed upload: %q", got.PhotoKey)
		}
	})
	if _, err := models.SetPersonPhoto(ctx, f.db, f.entB, p.ID, first); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another enterprise: %v", err)
	}
	if _, err := models.SetPersonPhoto(ctx, f.db, models.Actor{}, p.ID, first); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("nobody signed in: %v", err)
	}
	for _, tc := range []struct{ key, replaced string }{{first, ""}, {second, first}} {
		replaced, err := models.SetPersonPhoto(ctx, f.db, f.entA, p.ID, tc.key)
		if err != nil || replaced != tc.replaced {
			t.Errorf("photo %s: replaced %q, %v; want %q", tc.key, replaced, err, tc.replaced)
		}
	}
	if got := f.person(t, p.IDNumber).PhotoKey; got != second {
		t.Errorf("photo key %q", got)
	}
	// A practitioner's own photo.
	if _, err := models.SetPersonPhoto(ctx, f.db, f.self, *f.self.Account.PersonID, first); err != nil {
		t.Errorf("own photo: %v", err)
	}
	if _, err := models.SetPersonPhoto(ctx, f.db, f.self, p.ID, first); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("someone else's photo: %v", err)
	}
	if n := auditCount(t, f.db, models.EventPhotoUploaded); n != 3 {
		t.Errorf("%d audit rows for photos, want 3", n)
	}
}

func TestLookupPerson(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	p := f.add(t, f.entA, "褚四")
	if _, err := models.UpdatePersonRow(ctx, f.db, f.entA, p.ID, models.PersonInput{Name: "褚四", Education: "本科", Phone: "13700137000"}, p.Version); err != nil {
		t.Fatal(err)
	}
	// What an outside organization learns (SECURITY.md 27): what the number encodes, that the person is registered,
	// a masked name; not the name, the employer, 学历 or phone. A lookup is audited, masked.
	res, err := models.LookupPerson(ctx, f.db, f.entB, " "+p.IDNumber+" ")
	if err != nil || !res.Known || res.InScope || res.Name != "" || res.MaskedName != "褚*" || res.PersonID != 0 ||
		res.Stage != "此人已在系统中登记（褚*）" || res.ID.Number != p.IDNumber || res.ID.Gender.String() == "" ||
		res.Education != "" || res.Phone != "" {
		t.Errorf("known outside: %+v %v", res, err)
	}
	// Of its own people an organization also gets 学历 and 手机号码, which its forms then use.
	if res, err = models.LookupPerson(ctx, f.db, f.entA, p.IDNumber); err != nil || res.Stage != "此人目前：本单位人员" ||
		res.Education != "本科" || res.Phone != "13700137000" {
		t.Errorf("own staff: %+v %v", res, err)
	}
	if res.Name != "褚四" || !res.InScope || res.PersonID != p.ID {
		t.Errorf("own staff's name: %+v", res)
	}
	if res, err = models.LookupPerson(ctx, f.db, f.tr, f.newID()); err != nil || res.Known || res.Name != "" {
		t.Errorf("unknown: %+v %v", res, err)
	}
	var ie *ident.Error
	if _, err := models.LookupPerson(ctx, f.db, f.tr, "110105194912310021"); !errors.As(err, &ie) {
		t.Errorf("invalid number: %v", err)
	}
	if _, err := models.LookupPerson(ctx, f.db, f.self, p.IDNumber); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("a practitioner looking someone up: %v", err)
	}
	var evs []models.AuditEvent
	if err := f.db.NewSelect().Model(&evs).Where("event = ?", models.EventPersonLookup).OrderExpr("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[0].Object != "person:"+ident.MaskIDNumber(p.IDNumber) || evs[0].Result != "outside" ||
		evs[1].Result != "known" || evs[2].Result != "unknown" {
		t.Errorf("lookup audit rows: %+v", evs)
	}
}

func TestLookupOrganization(t *testing.T) {
	t.Parallel()
	f := newPeopleFixture(t)
	ctx := context.Background()
	cc, _ := ident.ParseCreditCode(f.codeA)
	for _, code := range []string{f.codeA, cc.OrgCode[:8] + "-" + cc.OrgCode[8:]} {
		res, err := models.LookupOrganization(ctx, f.db, code)
		if err != nil || res.Org == nil || res.Org.Name != "甲建设公司" {
			t.Errorf("%s: %+v %v", code, res, err)
		}
	}
	unknown := ident.GenerateCreditCode(f.r, "110109")
	if res, err := models.LookupOrganization(ctx, f.db, unknown); err != nil || res.Org != nil || res.Code != unknown {
		t.Errorf("unknown: %+v %v", res, err)
	}
	var ie *ident.Error
	if _, err := models.LookupOrganization(ctx, f.db, "12345"); !errors.As(err, &ie) {
		t.Errorf("invalid: %v", err)
	}
}
