package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

// chgFixture: enterprises A and B, a training institution, a practitioner employed by A with an account, and their
// accounts; certificates are added per test.
type chgFixture struct {
	db                 *bun.DB
	rnd                *rand.Rand
	entA, entB, train  models.Organization
	me, a, b, trainAct models.Actor
	person             models.Person
	catSafety, catSpec int64
	n                  int
}

func newChgFixture(t *testing.T) *chgFixture {
	t.Helper()
	ctx := context.Background()
	f := &chgFixture{db: dbtest.Open(t), rnd: rand.New(rand.NewPCG(13, 5))}
	org := func(name string, kind models.OrganizationKind) models.Organization {
		code := ident.GenerateCreditCode(f.rnd, "110105")
		o := models.Organization{Kind: kind, Name: name, CreditCode: &code}
		if err := models.InsertOrganization(ctx, f.db, &o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	f.entA, f.entB, f.train = org("北京甲建设有限公司", models.KindEnterprise), org("北京乙建设有限公司", models.KindEnterprise), org("北京丙培训学校", models.KindTraining)
	birth := day("1985-06-01")
	f.person = models.Person{IDNumber: ident.GenerateIDNumber(f.rnd, "110105", birth, ident.GenderMale), Name: "张三", Gender: "男",
		BirthDate: &birth, OrganizationID: &f.entA.ID}
	if err := models.InsertPerson(ctx, f.db, &f.person); err != nil {
		t.Fatal(err)
	}
	acct := func(user string, role models.Role, org *int64, person *int64) models.Actor {
		a := models.Account{Username: user, PasswordHash: "x", Role: role, DisplayName: user, OrganizationID: org, PersonID: person}
		if err := models.InsertAccount(ctx, f.db, &a); err != nil {
			t.Fatal(err)
		}
		return models.Actor{Account: &a}
	}
	f.me = acct("zhangsan", models.RolePractitioner, nil, &f.person.ID)
	f.a, f.b = acct("enta", models.RoleEnterprise, &f.entA.ID, nil), acct("entb", models.RoleEnterprise, &f.entB.ID, nil)
	f.trainAct = acct("train", models.RoleTraining, &f.train.ID, nil)
	for name, dst := range map[string]*int64{"安全员": &f.catSafety, "特种作业-建筑电工": &f.catSpec} {
		if err := f.db.NewSelect().Table("exam_categories").Column("id").Where("name = ?", name).Limit(1).Scan(ctx, dst); err != nil {
			t.Fatal(name, err)
		}
	}
	return f
}

// cert stores a valid certificate of the fixture's person at enterprise A, trained by the training institution.
func (f *chgFixture) cert(t *testing.T, kind models.CertKind) models.Certificate {
	t.Helper()
	f.n++
	now := models.Now()
	until := now.AddDate(2, 0, 0)
	cat, num := f.catSafety, "京建安C3（2025）"+strconv.Itoa(1000000+f.n)
	if kind == models.CertSpecial {
		cat, num = f.catSpec, "京建特（2025）0100"+strconv.Itoa(1000+f.n)
	}
	c := models.Certificate{Number: num, PersonID: f.person.ID, CategoryID: cat, Kind: kind, Code: "C3", PostName: "专职安全生产管理人员",
		Name: f.person.Name, Gender: f.person.Gender, BirthDate: f.person.BirthDate, IDNumber: f.person.IDNumber,
		EmployerName: f.entA.Name, EmployerCode: *f.entA.CreditCode, OrganizationID: &f.entA.ID, TrainingOrgID: &f.train.ID,
		TrainingOrgName: f.train.Name, Authority: "北京市住房和城乡建设委员会", FirstIssuedOn: now.AddDate(-1, 0, 0),
		IssuedOn: now.AddDate(-1, 0, 0), ValidFrom: now.AddDate(-1, 0, 0), ValidUntil: &until, Status: models.CertValid,
		Business: models.BusinessFirst, VerifyToken: "tok" + strconv.Itoa(f.n) + "abcdefghijklmnopqrstuvwxyz", CreatedAt: now,
		UpdatedAt: now, Version: 1}
	if _, err := f.db.NewInsert().Model(&c).Returning("id").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *chgFixture) load(t *testing.T, c models.Certificate) models.Certificate {
	t.Helper()
	var out models.Certificate
	if err := f.db.NewSelect().Model(&out).Where("id = ?", c.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *chgFixture) app(t *testing.T, id int64) models.CertApplication {
	t.Helper()
	var a models.CertApplication
	if err := f.db.NewSelect().Model(&a).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// form is a valid 京内变更 form that changes nothing yet.
func (f *chgFixture) form(c models.Certificate) models.ChangeInput {
	return models.ChangeInput{CertificateID: c.ID, ChangeType: models.ChangeInside, Name: c.Name, Gender: c.Gender,
		BirthDate: c.BirthDate.Format("2006-01-02"), IDNumber: c.IDNumber, EmployerName: c.EmployerName,
		EmployerCode: c.EmployerCode, Phone: "13800000000", Accepted: true}
}

// decide takes applications through every step to 已决定 (the employer's confirmation first where it waits).
func (f *chgFixture) decide(t *testing.T, confirmer models.Actor, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	if f.app(t, ids[0]).Status == models.AppUnitPending {
		if _, err := models.ActOnApplications(ctx, f.db, confirmer, models.AppAction{IDs: ids, To: models.AppApplied}); err != nil {
			t.Fatal("单位确认:", err)
		}
	}
	for _, to := range []models.AppStatus{models.AppAccepted, models.AppReviewed, models.AppDecided} {
		if _, err := models.ActOnApplications(ctx, f.db, testAdmin, models.AppAction{IDs: ids, To: to}); err != nil {
			t.Fatal(to, err)
		}
	}
}

func (f *chgFixture) history(t *testing.T, c models.Certificate) []models.CertHistory {
	t.Helper()
	h, err := models.CertificateHistory(context.Background(), f.db, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestChangeEmployerInsideBeijing(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c := f.cert(t, models.CertSafety)
	before := snapshot(t, f.db, "cert_applications")

	bad := f.form(c)
	bad.EmployerName, bad.EmployerCode, bad.Accepted, bad.Phone = "北京乙建设有限公司", "91110000000000000X", false, "12"
	_, err := models.ApplyForChange(ctx, f.db, f.me, bad)
	var fe models.FieldErrors
	if !errors.As(err, &fe) || fe["employer_code"] == "" || fe["accept"] == "" || fe["phone"] == "" {
		t.Fatalf("bad form: %v", err)
	}
	bad.Accepted, bad.Phone, bad.EmployerCode, bad.EmployerName = true, "13800000000", *f.entB.CreditCode, "北京乙公司"
	if _, err := models.ApplyForChange(ctx, f.db, f.me, bad); !errors.As(err, &fe) || fe["employer_name"] == "" {
		t.Fatalf("name not matching the code: %v", err)
	}
	same := f.form(c)
	if _, err := models.ApplyForChange(ctx, f.db, f.me, same); !errors.As(err, &fe) || fe["change_type"] == "" {
		t.Fatalf("nothing changed: %v", err)
	}
	if after := snapshot(t, f.db, "cert_applications"); after["cert_applications"] != before["cert_applications"] || after["audit_events"] != before["audit_events"] {
		t.Fatalf("a bad form saved something: %v → %v", before, after)
	}

	in := f.form(c)
	in.EmployerName, in.EmployerCode = f.entB.Name, *f.entB.CreditCode
	in.ContractType, in.ContractFrom, in.ContractTo = "固定期限", "2026-01-01", "2028-12-31"
	app, err := models.ApplyForChange(ctx, f.db, f.me, in)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^BGSQ\d{8}$`).MatchString(app.BatchNo) || app.Status != models.AppUnitPending ||
		app.OrganizationID == nil || *app.OrganizationID != f.entB.ID || app.BeforeEmployer != f.entA.Name {
		t.Fatalf("filed: %+v", app)
	}
	if _, err := models.ActOnApplications(ctx, f.db, f.a, models.AppAction{IDs: []int64{app.ID}, To: models.AppApplied}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("the old employer confirmed: %v", err)
	}
	f.decide(t, f.b, app.ID)

	got := f.load(t, c)
	if got.EmployerName != f.entB.Name || got.EmployerCode != *f.entB.CreditCode || got.OrganizationID == nil || *got.OrganizationID != f.entB.ID ||
		got.Version != 2 || got.VerifyToken == c.VerifyToken || got.Business != models.BusinessChange || got.License() == c.License() && c.License() != "" {
		t.Fatalf("certificate after the change: %+v", got)
	}
	h := f.history(t, c)
	if len(h) != 1 || h[0].Operation != models.OpChange || h[0].VerifyToken == nil || *h[0].VerifyToken != c.VerifyToken || h[0].EmployerName != f.entA.Name {
		t.Fatalf("history: %+v", h)
	}
	v, err := models.VerifyToken(ctx, f.db, c.VerifyToken)
	if err != nil || v.Superseded == nil || v.Certificate.ID != c.ID {
		t.Fatalf("old token: %+v, %v", v, err)
	}
	if auditCount(t, f.db, models.EventCertChanged) != 1 {
		t.Fatal("no audit row of the change")
	}
	if n, _ := models.EmployerChangesInYear(ctx, f.db, f.person.ID, models.Now()); n != 1 {
		t.Fatalf("employer changes counted: %d", n)
	}
}

func TestChangeRules(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c := f.cert(t, models.CertSafety)
	cancel := f.form(c)
	cancel.ChangeType = models.ChangeCancel
	if _, err := models.ApplyForChange(ctx, f.db, f.me, cancel); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApplyForChange(ctx, f.db, f.me, cancel); !errors.Is(err, models.ErrOpenApplication) {
		t.Fatalf("second open application: %v", err)
	}

	special := f.cert(t, models.CertSpecial)
	leave := f.form(special)
	leave.ChangeType = models.ChangeLeave
	var fe models.FieldErrors
	if _, err := models.ApplyForChange(ctx, f.db, f.me, leave); !errors.As(err, &fe) || fe["change_type"] == "" {
		t.Fatalf("离京变更 of a 特种作业 certificate: %v", err)
	}

	locked := f.cert(t, models.CertSafety)
	if err := models.LockCertificate(ctx, f.db, testAdmin, locked.ID, 1, true, nil, "核查"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApplyForChange(ctx, f.db, f.me, withType(f.form(locked), models.ChangeReplace)); !errors.Is(err, models.ErrCertificateLocked) {
		t.Fatalf("locked: %v", err)
	}
	suspended := f.cert(t, models.CertSafety)
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, testAdmin, []int64{suspended.ID}, models.CertSuspended, "违章"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApplyForChange(ctx, f.db, f.me, withType(f.form(suspended), models.ChangeReplace)); !errors.Is(err, models.ErrCertNotValid) {
		t.Fatalf("suspended: %v", err)
	}
	if _, err := models.ApplyForChange(ctx, f.db, f.b, withType(f.form(suspended), models.ChangeReplace)); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another enterprise's staff: %v", err)
	}
}

// TestChangeRefusedDuringRenewal: a certificate with a renewal in progress cannot be changed; the rule refuses it
// before the database's one-open-application index is reached, and says why.
func TestChangeRefusedDuringRenewal(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c := f.cert(t, models.CertSafety)
	until := models.Now().AddDate(0, 0, 30) // inside the renewal window
	if _, err := f.db.NewUpdate().Table("certificates").Set("valid_until = ?", until).Where("id = ?", c.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApplyRenewal(ctx, f.db, f.me, []int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, f.db, "cert_applications")
	in := f.form(c)
	in.Name = "张叁"
	_, err := models.ApplyForChange(ctx, f.db, f.me, in)
	if !errors.Is(err, models.ErrOpenApplication) || !strings.Contains(models.ChangeRuleMessage(err), "续期") {
		t.Fatalf("change during a renewal: %v (%q)", err, models.ChangeRuleMessage(err))
	}
	if after := snapshot(t, f.db, "cert_applications"); after["cert_applications"] != before["cert_applications"] || after["audit_events"] != before["audit_events"] {
		t.Fatalf("a refused change saved something: %v → %v", before, after)
	}
	_, err = models.ApplyForReplacements(ctx, f.db, f.trainAct, []int64{c.ID}, models.ChangeInput{Phone: "13800000000", Accepted: true})
	var fe models.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["ids"], "续期") {
		t.Fatalf("批量补办 during a renewal: %v", err)
	}
}

// TestChangePhotoInsideBeijing: a 京内变更 of the 照片 alone is a change; the application keeps the photo it
// replaces (变更前) and the new one (变更后), a resubmission keeps the new photo unless another is uploaded or it is
// dropped, both files stay in use, and 决定通过 re-issues the certificate with the new photo.
func TestChangePhotoInsideBeijing(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c := f.cert(t, models.CertSafety)
	if _, err := f.db.NewUpdate().Table("certificates").Set("photo_key = ?", "photo-old").Where("id = ?", c.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	in := f.form(c)
	in.PhotoKey = "photo-new"
	app, err := models.ApplyForChange(ctx, f.db, f.me, in)
	if err != nil {
		t.Fatal(err)
	}
	if app.PhotoKey != "photo-new" || app.BeforePhotoKey != "photo-old" || app.Status != models.AppUnitPending {
		t.Fatalf("filed: photo %q before %q status %s", app.PhotoKey, app.BeforePhotoKey, app.Status)
	}
	for _, key := range []string{"photo-new", "photo-old"} {
		if used, err := models.BlobInUse(ctx, f.db, key); err != nil || !used {
			t.Fatalf("%s not in use while the application names it: %v %v", key, used, err)
		}
	}
	if _, err := models.ActOnApplications(ctx, f.db, f.a, models.AppAction{IDs: []int64{app.ID}, To: models.AppReturned, Reason: "照片背景不合格"}); err != nil {
		t.Fatal(err)
	}
	in.PhotoKey = ""
	kept, err := models.ResubmitChange(ctx, f.db, f.me, app.ID, in)
	if err != nil || kept.PhotoKey != "photo-new" {
		t.Fatalf("resubmitted without a new photo: %v %q", err, kept.PhotoKey)
	}
	if _, err := models.ActOnApplications(ctx, f.db, f.a, models.AppAction{IDs: []int64{app.ID}, To: models.AppReturned, Reason: "请换照片"}); err != nil {
		t.Fatal(err)
	}
	drop := in
	drop.DropPhoto = true
	var fe models.FieldErrors
	if _, err := models.ResubmitChange(ctx, f.db, f.me, app.ID, drop); !errors.As(err, &fe) || fe["change_type"] == "" {
		t.Fatalf("dropping the only change: %v", err)
	}
	in.PhotoKey = "photo-newer"
	again, err := models.ResubmitChange(ctx, f.db, f.me, app.ID, in)
	if err != nil || again.PhotoKey != "photo-newer" || again.BeforePhotoKey != "photo-old" {
		t.Fatalf("resubmitted with another photo: %v %+v", err, again)
	}
	if used, _ := models.BlobInUse(ctx, f.db, "photo-new"); used {
		t.Fatal("the replaced upload is still named")
	}
	f.decide(t, f.a, app.ID)
	got := f.load(t, c)
	if got.PhotoKey != "photo-newer" || got.Version != 2 || got.Business != models.BusinessChange || got.Name != c.Name {
		t.Fatalf("certificate after the photo change: photo %q v%d %s %s", got.PhotoKey, got.Version, got.Business, got.Name)
	}
	if used, _ := models.BlobInUse(ctx, f.db, "photo-old"); !used {
		t.Fatal("the 变更前 photo of the decided application is no longer in use")
	}
	if h := f.history(t, c); len(h) != 1 || h[0].Operation != models.OpChange {
		t.Fatalf("history: %+v", h)
	}

	// Another type than 京内变更 never carries a photo.
	c2 := f.cert(t, models.CertSafety)
	rep := withType(f.form(c2), models.ChangeReplace)
	rep.PhotoKey = "photo-sneaked"
	r, err := models.ApplyForChange(ctx, f.db, f.me, rep)
	if err != nil || r.PhotoKey == "photo-sneaked" {
		t.Fatalf("补办 with a photo: %v %q", err, r.PhotoKey)
	}
}

func withType(in models.ChangeInput, t string) models.ChangeInput {
	in.ChangeType = t
	return in
}

func TestChangeFiveEmployerChangesAYear(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c := f.cert(t, models.CertSafety)
	now := models.Now()
	decided := func(i, ago int) {
		at := now.AddDate(0, 0, -ago)
		a := models.CertApplication{Kind: models.AppChange, ChangeType: models.ChangeInside, Status: models.AppDecided,
			BatchNo: "BGSQ0000000" + strconv.Itoa(i), PersonID: &f.person.ID, FiledBy: f.me.Account.ID, EmployerCode: "X" + strconv.Itoa(i),
			BeforeEmpCode: "Y", DecidedAt: &at, CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := f.db.NewInsert().Model(&a).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i, ago := range []int{10, 50, 100, 200, 400} { // four in the year; the last is older than a year
		decided(i, ago)
	}
	in := f.form(c)
	in.EmployerName, in.EmployerCode, in.ContractType, in.ContractFrom = f.entB.Name, *f.entB.CreditCode, "无固定期限", "2026-01-01"
	fifth, err := models.ApplyForChange(ctx, f.db, f.me, in)
	if err != nil {
		t.Fatalf("the fifth employer change of the year: %v", err)
	}
	// Another employer change is decided meanwhile: at the decision the fifth would be the sixth.
	decided(5, 20)
	if _, err := models.ActOnApplications(ctx, f.db, f.b, models.AppAction{IDs: []int64{fifth.ID}, To: models.AppApplied}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []models.AppStatus{models.AppAccepted, models.AppReviewed} {
		if _, err := models.ActOnApplications(ctx, f.db, testAdmin, models.AppAction{IDs: []int64{fifth.ID}, To: to}); err != nil {
			t.Fatal(to, err)
		}
	}
	_, err = models.ActOnApplications(ctx, f.db, testAdmin, models.AppAction{IDs: []int64{fifth.ID}, To: models.AppDecided})
	if !errors.Is(err, models.ErrTooManyEmployerChanges) || !strings.Contains(err.Error(), "一年内变更聘用单位已达 5 次") {
		t.Fatalf("the decision of a sixth employer change in the year: %v", err)
	}
	if a := f.app(t, fifth.ID); a.Status != models.AppReviewed || f.load(t, c).EmployerName != f.entA.Name {
		t.Errorf("after the refused decision: %s, employer %s", a.Status, f.load(t, c).EmployerName)
	}
	other := f.cert(t, models.CertSafety)
	in = f.form(other)
	in.EmployerName, in.EmployerCode, in.ContractType, in.ContractFrom = f.entB.Name, *f.entB.CreditCode, "无固定期限", "2026-01-01"
	if _, err := models.ApplyForChange(ctx, f.db, f.me, in); !errors.Is(err, models.ErrTooManyEmployerChanges) {
		t.Fatalf("sixth employer change: %v", err)
	}
	// A change of name only is not an employer change.
	name := f.form(other)
	name.Name = "张叁"
	if _, err := models.ApplyForChange(ctx, f.db, f.me, name); err != nil {
		t.Fatalf("name change refused: %v", err)
	}
}

func TestChangeEffectsOfEachType(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	file := func(c models.Certificate, in models.ChangeInput) int64 {
		t.Helper()
		app, err := models.ApplyForChange(ctx, f.db, f.a, in)
		if err != nil {
			t.Fatal(err)
		}
		if app.Status != models.AppApplied { // the employer filed it: no confirmation
			t.Fatalf("%s filed by the employer: %s", in.ChangeType, app.Status)
		}
		return app.ID
	}
	cancelled, left, replaced, renamed := f.cert(t, models.CertSafety), f.cert(t, models.CertSafety), f.cert(t, models.CertSpecial), f.cert(t, models.CertSafety)
	ids := []int64{file(cancelled, withType(f.form(cancelled), models.ChangeCancel)), file(left, withType(f.form(left), models.ChangeLeave)),
		file(replaced, withType(f.form(replaced), models.ChangeReplace))}
	id := f.form(renamed)
	id.Name, id.IDNumber = "张叁", ident.GenerateIDNumber(f.rnd, "110101", *renamed.BirthDate, ident.GenderMale)
	ids = append(ids, file(renamed, id))
	f.decide(t, f.a, ids...)

	if got := f.load(t, cancelled); got.Status != models.CertCancelled || f.history(t, got)[0].Operation != models.OpCancel {
		t.Fatalf("注销: %s", got.Status)
	}
	if got := f.load(t, left); got.Status != models.CertTransferredOut {
		t.Fatalf("离京变更: %s", got.Status)
	}
	if got := f.load(t, replaced); got.Business != models.BusinessReissue || got.Version != 2 || got.VerifyToken == replaced.VerifyToken || got.Status != models.CertValid {
		t.Fatalf("补办: %+v", got)
	}
	got := f.load(t, renamed)
	if got.Name != "张叁" || got.IDNumber != id.IDNumber || got.EmployerName != f.entA.Name || got.Version != 2 {
		t.Fatalf("姓名/证件号码: %+v", got)
	}
	var p models.Person
	if err := f.db.NewSelect().Model(&p).Where("id = ?", f.person.ID).Scan(ctx); err != nil || p.Name != "张三" {
		t.Fatalf("the person record changed: %q %v", p.Name, err)
	}
}

func TestChangeRenameWholeStaff(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c1, c2, locked := f.cert(t, models.CertSafety), f.cert(t, models.CertSpecial), f.cert(t, models.CertSafety)
	if err := models.LockCertificate(ctx, f.db, testAdmin, locked.ID, 1, true, nil, "核查"); err != nil {
		t.Fatal(err)
	}
	in := models.ChangeInput{Phone: "010-88886666", Accepted: true}
	if _, err := models.ApplyForRename(ctx, f.db, f.a, in); !errors.Is(err, models.ErrNothingToRename) {
		t.Fatalf("nothing to rename yet: %v", err)
	}
	if _, err := f.db.NewUpdate().Table("organizations").Set("name = ?", "北京甲建设集团有限公司").Where("id = ?", f.entA.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApplyForRename(ctx, f.db, f.me, in); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("a practitioner filed 企业更名: %v", err)
	}
	res, err := models.ApplyForRename(ctx, f.db, f.a, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Filed != 2 || res.Skipped[locked.Number] == "" {
		t.Fatalf("rename: %+v", res)
	}
	var apps []models.CertApplication
	if err := f.db.NewSelect().Model(&apps).Where("batch_no = ?", res.BatchNo).Order("id").Scan(ctx); err != nil || len(apps) != 2 {
		t.Fatalf("one 申请批号 for the batch: %d %v", len(apps), err)
	}
	f.decide(t, f.a, apps[0].ID, apps[1].ID)
	for _, c := range []models.Certificate{c1, c2} {
		if got := f.load(t, c); got.EmployerName != "北京甲建设集团有限公司" || got.Version != 2 {
			t.Fatalf("renamed certificate: %+v", got)
		}
	}
	if got := f.load(t, locked); got.EmployerName != f.entA.Name {
		t.Fatal("the locked certificate was renamed")
	}
}

func TestChangeTrainingBatchReplacement(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c1, c2 := f.cert(t, models.CertSafety), f.cert(t, models.CertSpecial)
	var fe models.FieldErrors
	if _, err := models.ApplyForReplacements(ctx, f.db, f.trainAct, nil, models.ChangeInput{Phone: "13800000000", Accepted: true}); !errors.As(err, &fe) {
		t.Fatalf("nothing ticked: %v", err)
	}
	batch, err := models.ApplyForReplacements(ctx, f.db, f.trainAct, []int64{c2.ID, c1.ID}, models.ChangeInput{Phone: "13800000000", Accepted: true})
	if err != nil {
		t.Fatal(err)
	}
	var apps []models.CertApplication
	if err := f.db.NewSelect().Model(&apps).Where("batch_no = ?", batch).Order("id").Scan(ctx); err != nil || len(apps) != 2 {
		t.Fatalf("batch: %d %v", len(apps), err)
	}
	if apps[0].Status != models.AppUnitPending || apps[0].ChangeType != models.ChangeReplace || *apps[0].OrganizationID != f.entA.ID {
		t.Fatalf("补办 of a trainee waits for the employer: %+v", apps[0])
	}
	if _, err := models.ApplyForReplacements(ctx, f.db, f.trainAct, []int64{c1.ID}, models.ChangeInput{Phone: "13800000000", Accepted: true}); !errors.As(err, &fe) || fe["ids"] == "" {
		t.Fatalf("a second 补办 of the same certificate: %v", err)
	}
	f.decide(t, f.a, apps[0].ID, apps[1].ID)
	if got := f.load(t, c1); got.Business != models.BusinessReissue {
		t.Fatalf("补办 decided: %+v", got)
	}
}

func TestChangeResubmitAfterReturn(t *testing.T) {
	f := newChgFixture(t)
	ctx := context.Background()
	c := f.cert(t, models.CertSafety)
	in := f.form(c)
	in.Name = "张叁"
	app, err := models.ApplyForChange(ctx, f.db, f.me, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.ActOnApplications(ctx, f.db, f.a, models.AppAction{IDs: []int64{app.ID}, To: models.AppReturned, Reason: "姓名请附户口簿"}); err != nil {
		t.Fatal(err)
	}
	in.Name = "张叄"
	if _, err := models.ResubmitChange(ctx, f.db, f.b, app.ID, in); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another resubmitted: %v", err)
	}
	in.Phone = ""
	var fe models.FieldErrors
	if _, err := models.ResubmitChange(ctx, f.db, f.me, app.ID, in); !errors.As(err, &fe) || fe["phone"] == "" {
		t.Fatalf("bad resubmission: %v", err)
	}
	in.Phone = "13900000000"
	again, err := models.ResubmitChange(ctx, f.db, f.me, app.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if again.Name != "张叄" || again.Phone != "13900000000" || again.BatchNo == app.BatchNo || again.Status != models.AppUnitPending || again.Reason != "" {
		t.Fatalf("resubmitted: %+v", again)
	}
	if _, err := models.ResubmitChange(ctx, f.db, f.me, app.ID, in); !errors.Is(err, models.ErrNoTransition) {
		t.Fatalf("resubmitting one not returned: %v", err)
	}
	f.decide(t, f.a, app.ID)
	if got := f.load(t, c); got.Name != "张叄" {
		t.Fatalf("decided: %q", got.Name)
	}
}

func TestChangeWritesAuditInItsTransaction(t *testing.T) {
	f := newChgFixture(t)
	c := f.cert(t, models.CertSafety)
	in := withType(f.form(c), models.ChangeReplace)
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.ApplyForChange(ctx, f.db, f.me, in)
		return err
	}, nil, "cert_applications")
}
