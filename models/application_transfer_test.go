package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

// transferFixture: an enterprise (the Beijing employer), another one, a training institution, a practitioner, the
// registry's admin, and the 安管 categories A, B (added here) and C3 (from the migrations).
type transferFixture struct {
	db                  *bun.DB
	ent, entB, tr, self models.Actor
	admin               models.Actor
	entName, entCode    string
	c3, a, b            int64
	r                   *rand.Rand
}

func newTransferFixture(t *testing.T) *transferFixture {
	t.Helper()
	f := &transferFixture{db: dbtest.Open(t), r: rand.New(rand.NewPCG(13, 14)), entName: "甲建设公司"}
	f.entCode = ident.GenerateCreditCode(f.r, "110105")
	mk := func(n models.NewAccount) models.Actor {
		n.PasswordHash = "x"
		acct, _, err := models.CreateAccount(context.Background(), f.db, testAdmin, n)
		if err != nil {
			t.Fatalf("account %s: %v", n.Username, err)
		}
		return models.Actor{Account: acct, IP: "192.0.2.9", RequestID: "test"}
	}
	f.ent = mk(models.NewAccount{Role: models.RoleEnterprise, Username: "ent", OrgName: f.entName, OrgCode: f.entCode})
	f.entB = mk(models.NewAccount{Role: models.RoleEnterprise, Username: "entb", OrgName: "乙建设公司", OrgCode: ident.GenerateCreditCode(f.r, "110106")})
	f.tr = mk(models.NewAccount{Role: models.RoleTraining, Username: "train", OrgName: "丙培训学校", OrgCode: ident.GenerateCreditCode(f.r, "110108")})
	f.self = mk(models.NewAccount{Role: models.RolePractitioner, Username: "self", DisplayName: "张自己", IDNumber: f.id(1985, ident.GenderMale)})
	f.admin = mk(models.NewAccount{Role: models.RoleAdmin, Username: "registry", DisplayName: "审核员"})
	ctx := context.Background()
	if err := f.db.NewSelect().Table("exam_categories").Column("id").Where("cert_code = 'C3'").Scan(ctx, &f.c3); err != nil {
		t.Fatal(err)
	}
	for code, dst := range map[string]*int64{"A": &f.a, "B": &f.b} {
		c := &models.ExamCategory{Name: "安管" + code + "类", SortOrder: 90, Active: true, CertKind: models.CertSafety, CertCode: code,
			NumberTemplate: "京建安" + code + "（{Y}）{N:7}"}
		if _, err := f.db.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		*dst = c.ID
	}
	return f
}

func (f *transferFixture) id(year int, g ident.Gender) string {
	return ident.GenerateIDNumber(f.r, "130102", time.Date(year, time.Month(1+f.r.IntN(12)), 1+f.r.IntN(28), 0, 0, 0, 0, time.UTC), g)
}

func ymd(t time.Time) string { return t.Format("2006-01-02") }

var certSerial = 0

// input is a valid application for idn: a C3 certificate from Hebei valid two more years, to f's enterprise.
func (f *transferFixture) input(idn string) models.TransferInput {
	certSerial++
	today := models.Now()
	return models.TransferInput{IDNumber: idn, Name: "李进京", Phone: "13800138000", Title: "中级", Duty: "专职安全生产管理人员",
		CategoryID: f.c3, CertNumber: "冀建安C3（2023）" + string(rune('0'+certSerial/10)) + string(rune('0'+certSerial%10)),
		Authority: "河北省住房和城乡建设厅", FirstIssuedOn: ymd(today.AddDate(-1, 0, 0)), ValidFrom: ymd(today.AddDate(-1, 0, 0)),
		ValidUntil: ymd(today.AddDate(2, 0, 0)), OrigEmployer: "河北某建设有限公司", EmployerName: f.entName, EmployerCode: f.entCode}
}

func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var fe models.FieldErrors
	if !errors.As(err, &fe) || fe[field] == "" {
		t.Fatalf("want an error on %s, got %v", field, err)
	}
}

func (f *transferFixture) act(t *testing.T, by models.Actor, id int64, to models.AppStatus, reason string) {
	t.Helper()
	if _, err := models.ActOnApplications(context.Background(), f.db, by, models.AppAction{IDs: []int64{id}, To: to, Reason: reason}); err != nil {
		t.Fatalf("→ %s: %v", to, err)
	}
}

func TestTransferInChecks(t *testing.T) {
	f := newTransferFixture(t)
	ctx := context.Background()
	file := func(by models.Actor, in models.TransferInput) (*models.CertApplication, string, error) {
		return models.FileTransferIn(ctx, f.db, by, in)
	}
	base := f.input(f.id(1980, ident.GenderMale))
	today := models.Now()
	var special int64
	if err := f.db.NewSelect().Table("exam_categories").Column("id").Where("cert_kind = 'special'").Limit(1).Scan(ctx, &special); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name, field string
		edit        func(*models.TransferInput)
	}{
		{"15-digit ID", "id_number", func(in *models.TransferInput) { in.IDNumber = "130102800101001" }},
		{"bad check digit", "id_number", func(in *models.TransferInput) {
			last := in.IDNumber[17]
			in.IDNumber = in.IDNumber[:17] + map[bool]string{true: "1", false: "2"}[last != '1']
		}},
		{"under 15 days", "valid_until", func(in *models.TransferInput) { in.ValidUntil = ymd(today.AddDate(0, 0, 10)) }},
		{"until before from", "valid_until", func(in *models.TransferInput) { in.ValidFrom, in.ValidUntil = ymd(today), ymd(today.AddDate(0, 0, -1)) }},
		{"bad date", "first_issued_on", func(in *models.TransferInput) { in.FirstIssuedOn = "昨天" }},
		{"no number", "cert_number", func(in *models.TransferInput) { in.CertNumber = " " }},
		{"no authority", "authority", func(in *models.TransferInput) { in.Authority = "" }},
		{"bad phone", "phone", func(in *models.TransferInput) { in.Phone = "12345" }},
		{"unknown title", "title", func(in *models.TransferInput) { in.Title = "大师" }},
		{"duty of B for C3", "duty", func(in *models.TransferInput) { in.Duty = "项目负责人（项目经理）" }},
		{"duty of C for B", "duty", func(in *models.TransferInput) { in.CategoryID = f.b }},
		{"duty of C for A", "duty", func(in *models.TransferInput) { in.CategoryID = f.a }},
		{"special category", "category_id", func(in *models.TransferInput) { in.CategoryID = special }},
		{"unknown employer", "employer_code", func(in *models.TransferInput) { in.EmployerCode = ident.GenerateCreditCode(f.r, "110109") }},
		{"training institution as employer", "employer_code", func(in *models.TransferInput) { in.EmployerCode = *mustOrgCode(t, f, f.tr) }},
		{"organization code, not credit code", "employer_code", func(in *models.TransferInput) { in.EmployerCode = in.EmployerCode[8:17] }},
		{"name not the code's", "employer_name", func(in *models.TransferInput) { in.EmployerName = "乙建设公司" }},
		{"over the retirement age", "id_number", func(in *models.TransferInput) { in.IDNumber = f.id(1958, ident.GenderMale) }},
	}
	for _, c := range bad {
		in := base
		c.edit(&in)
		_, _, err := file(f.tr, in)
		t.Run(c.name, func(t *testing.T) { fieldErr(t, err, c.field) })
	}
	if n, _ := f.db.NewSelect().Table("cert_applications").Count(ctx); n != 0 {
		t.Fatalf("%d applications saved by failed checks", n)
	}
	// A practitioner applies only for themself.
	_, _, err := file(f.self, base)
	fieldErr(t, err, "id_number")
	// An enterprise or an admin does not use this form.
	if _, _, err := file(f.ent, base); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("enterprise: %v", err)
	}
	// Duties that fit: B → 项目负责人, A → 法定代表人.
	for cat, duty := range map[int64]string{f.b: "项目负责人（项目经理）", f.a: "法定代表人"} {
		in := f.input(f.id(1982, ident.GenderFemale))
		in.CategoryID, in.Duty = cat, duty
		if _, _, err := file(f.tr, in); err != nil {
			t.Fatalf("%s: %v", duty, err)
		}
	}
	// Under 90 days: filed, with the warning.
	in := f.input(f.id(1983, ident.GenderMale))
	in.ValidUntil = ymd(today.AddDate(0, 0, 60))
	app, warn, err := file(f.tr, in)
	if err != nil || warn != models.TransferWarning {
		t.Fatalf("60 days: %v %q", err, warn)
	}
	if app.Status != models.AppUnitPending || app.Source != models.TransferManual || app.Gender != "男" || app.BirthDate == nil {
		t.Fatalf("filed %+v", app)
	}
	// The practitioner for themself: fine.
	own, err := models.GetPerson(ctx, f.db, *f.self.Account.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	mine := f.input(own.IDNumber)
	mine.Source, mine.SourceLicenseID = models.TransferFromPlatform, "1.2.156.3005.2.X"
	app, _, err = file(f.self, mine)
	if err != nil || app.PersonID == nil || *app.PersonID != own.ID || app.Source != models.TransferFromPlatform {
		t.Fatalf("own: %+v %v", app, err)
	}
}

func mustOrgCode(t *testing.T, f *transferFixture, a models.Actor) *string {
	t.Helper()
	var o models.Organization
	if err := f.db.NewSelect().Model(&o).Where("id = ?", *a.Account.OrganizationID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return o.CreditCode
}

func TestTransferInDuplicates(t *testing.T) {
	f := newTransferFixture(t)
	ctx := context.Background()
	idn := f.id(1981, ident.GenderMale)
	first := f.input(idn)
	app, _, err := models.FileTransferIn(ctx, f.db, f.tr, first)
	if err != nil {
		t.Fatal(err)
	}
	// The same number for someone else.
	other := f.input(f.id(1984, ident.GenderMale))
	other.CertNumber = first.CertNumber
	_, _, err = models.FileTransferIn(ctx, f.db, f.tr, other)
	fieldErr(t, err, "cert_number")
	// The same person and 岗位 with another number.
	again := f.input(idn)
	_, _, err = models.FileTransferIn(ctx, f.db, f.tr, again)
	fieldErr(t, err, "category_id")
	// Withdrawn: free again.
	if err := models.WithdrawApplication(ctx, f.db, f.entB, app.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another's withdraw: %v", err)
	}
	if err := models.WithdrawApplication(ctx, f.db, f.tr, app.ID); err != nil {
		t.Fatal(err)
	}
	got, err := models.ApplicationFor(ctx, f.db, f.tr, app.ID)
	if err != nil || got.Status != models.AppWithdrawn {
		t.Fatalf("withdrawn: %+v %v", got, err)
	}
	if _, _, err := models.FileTransferIn(ctx, f.db, f.tr, again); err != nil {
		t.Fatalf("after withdraw: %v", err)
	}
	// A valid Beijing certificate of the 岗位.
	held := f.input(f.id(1986, ident.GenderFemale))
	p := models.Person{IDNumber: held.IDNumber, Name: "王持证", Gender: "女"}
	if err := models.InsertPerson(ctx, f.db, &p); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	cert := &models.Certificate{Number: "京建安C3（2025）0999999", PersonID: p.ID, CategoryID: f.c3, Kind: models.CertSafety, Code: "C3",
		PostName: "安全员", Name: p.Name, Gender: "女", IDNumber: p.IDNumber, Authority: models.IssuingAuthority, FirstIssuedOn: now,
		IssuedOn: now, ValidFrom: now, Status: models.CertValid, Business: models.BusinessFirst, VerifyToken: "held-token",
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := f.db.NewInsert().Model(cert).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, _, err = models.FileTransferIn(ctx, f.db, f.tr, held)
	fieldErr(t, err, "category_id")
	if _, err := f.db.NewUpdate().Table("certificates").Set("status = ?", models.CertExpired).Where("id = ?", cert.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.FileTransferIn(ctx, f.db, f.tr, held); err != nil {
		t.Fatalf("expired Beijing certificate: %v", err)
	}
}

var transferNumber = regexp.MustCompile(`^京建安C3（\d{4}）\d{7}$`)

func TestTransferInFlowIssuesCertificate(t *testing.T) {
	f := newTransferFixture(t)
	ctx := context.Background()
	today := time.Date(models.Now().In(models.Beijing).Year(), models.Now().In(models.Beijing).Month(), models.Now().In(models.Beijing).Day(), 0, 0, 0, 0, time.UTC)
	// Someone unknown here, young enough for the original's end date.
	in := f.input(f.id(1990, ident.GenderMale))
	in.Source, in.SourceLicenseID = models.TransferFromPlatform, "1.2.156.3005.2.11100000000013338W011.11130000000000000X.20230000403.001.U"
	app, _, err := models.FileTransferIn(ctx, f.db, f.tr, in)
	if err != nil {
		t.Fatal(err)
	}
	if app.PersonID != nil || app.OrganizationID == nil || app.BatchNo == "" {
		t.Fatalf("filed %+v", app)
	}
	// Nobody skips a step; the filer does not confirm.
	if _, err := models.ActOnApplications(ctx, f.db, f.admin, models.AppAction{IDs: []int64{app.ID}, To: models.AppDecided}); err == nil {
		t.Fatal("decided from 待单位确认")
	}
	if _, err := models.ActOnApplications(ctx, f.db, f.entB, models.AppAction{IDs: []int64{app.ID}, To: models.AppApplied}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another enterprise confirmed: %v", err)
	}
	// Returned by the employer, corrected and submitted again.
	f.act(t, f.ent, app.ID, models.AppReturned, "联系电话有误")
	fixed := in
	fixed.Phone = "13900139000"
	re, _, err := models.ResubmitTransferIn(ctx, f.db, f.tr, app.ID, fixed)
	if err != nil {
		t.Fatal(err)
	}
	if re.Status != models.AppUnitPending || re.Phone != "13900139000" || re.BatchNo == app.BatchNo || re.Reason != "" {
		t.Fatalf("resubmitted %+v", re)
	}
	if _, _, err := models.ResubmitTransferIn(ctx, f.db, f.tr, app.ID, fixed); !errors.Is(err, models.ErrNoTransition) {
		t.Fatalf("resubmit when not returned: %v", err)
	}
	if _, _, err := models.ResubmitTransferIn(ctx, f.db, f.self, app.ID, fixed); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another's resubmit: %v", err)
	}
	f.act(t, f.ent, app.ID, models.AppApplied, "")
	if err := models.WithdrawApplication(ctx, f.db, f.tr, app.ID); err != nil { // 已申请 may still be withdrawn
		t.Fatalf("withdraw at 已申请: %v", err)
	}
	app, _, err = models.FileTransferIn(ctx, f.db, f.tr, fixed)
	if err != nil {
		t.Fatal(err)
	}
	f.act(t, f.ent, app.ID, models.AppApplied, "")
	f.act(t, f.admin, app.ID, models.AppAccepted, "")
	if err := models.WithdrawApplication(ctx, f.db, f.tr, app.ID); err == nil {
		t.Fatal("withdrawn after 已受理")
	}
	f.act(t, f.admin, app.ID, models.AppReviewed, "")
	f.act(t, f.admin, app.ID, models.AppDecided, "")

	got, err := models.ApplicationFor(ctx, f.db, f.tr, app.ID)
	if err != nil || got.Status != models.AppDecided || got.StatusLabel() != "已编号" || got.NewCertificateID == nil || got.PersonID == nil {
		t.Fatalf("decided %+v %v", got, err)
	}
	var cert models.Certificate
	if err := f.db.NewSelect().Model(&cert).Where("id = ?", *got.NewCertificateID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	until, _ := models.ParseDate(in.ValidUntil)
	first, _ := models.ParseDate(in.FirstIssuedOn)
	if !transferNumber.MatchString(cert.Number) || cert.Business != models.BusinessTransferIn || cert.Status != models.CertValid ||
		!cert.IssuedOn.Equal(today) || !cert.ValidFrom.Equal(today) || cert.ValidUntil == nil || !cert.ValidUntil.Equal(until) ||
		!cert.FirstIssuedOn.Equal(first) || cert.PersonID != *got.PersonID || cert.OrganizationID == nil ||
		*cert.OrganizationID != *app.OrganizationID || cert.Authority != models.IssuingAuthority || cert.License() == "" {
		t.Fatalf("certificate %+v", cert)
	}
	// The link to the original (LIFECYCLE §10): its 证书编号 and 电子证照标识 (关联证照标识) on the new certificate.
	if cert.SourceNumber == "" || cert.SourceNumber != got.CertNumber || cert.SourceLicense != in.SourceLicenseID {
		t.Fatalf("link to the original: %q %q, application %q %q", cert.SourceNumber, cert.SourceLicense, got.CertNumber, got.SourceLicenseID)
	}
	p, err := models.FindPersonByIDNumber(ctx, f.db, in.IDNumber)
	if err != nil || p.ID != cert.PersonID || p.Name != in.Name {
		t.Fatalf("person %+v %v", p, err)
	}
	var ops []string
	if err := f.db.NewSelect().Table("certificate_history").Column("operation").Where("certificate_id = ?", cert.ID).Scan(ctx, &ops); err != nil {
		t.Fatal(err)
	}
	if len(ops) != 1 || ops[0] != models.OpIssue {
		t.Fatalf("history %v", ops)
	}
	// Approved: the number and the 岗位 are taken for good.
	_, _, err = models.FileTransferIn(ctx, f.db, f.tr, f.input(in.IDNumber))
	fieldErr(t, err, "category_id")
}

func TestTransferInAgeCap(t *testing.T) {
	f := newTransferFixture(t)
	ctx := context.Background()
	// A man who reaches the retirement age within the original's validity: capped.
	birth := time.Date(models.Now().Year()-60, 3, 10, 0, 0, 0, 0, time.UTC).AddDate(1, 0, 0)
	idn := ident.GenerateIDNumber(f.r, "130102", birth, ident.GenderMale)
	in := f.input(idn)
	in.ValidUntil = ymd(models.Now().AddDate(3, 0, 0))
	app, _, err := models.FileTransferIn(ctx, f.db, f.tr, in)
	if err != nil {
		t.Fatal(err)
	}
	f.act(t, f.ent, app.ID, models.AppApplied, "")
	f.act(t, f.admin, app.ID, models.AppAccepted, "")
	f.act(t, f.admin, app.ID, models.AppReviewed, "")
	f.act(t, f.admin, app.ID, models.AppDecided, "")
	got, _ := models.ApplicationFor(ctx, f.db, f.tr, app.ID)
	var cert models.Certificate
	if err := f.db.NewSelect().Model(&cert).Where("id = ?", *got.NewCertificateID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	cap, ok := models.RetirementCap(models.CertSafety, "C3", "男", birth)
	if !ok || cert.ValidUntil == nil || !cert.ValidUntil.Equal(cap) {
		t.Fatalf("valid until %v, cap %v", cert.ValidUntil, cap)
	}
	// A man already past the retirement age is refused at the filing, beside the ID number.
	old := ident.GenerateIDNumber(f.r, "130102", time.Date(models.Now().Year()-62, 3, 10, 0, 0, 0, 0, time.UTC), ident.GenderMale)
	_, _, err = models.FileTransferIn(ctx, f.db, f.tr, f.input(old))
	fieldErr(t, err, "id_number")
}

func TestTransferInDecisionRechecks(t *testing.T) {
	f := newTransferFixture(t)
	ctx := context.Background()
	in := f.input(f.id(1991, ident.GenderFemale))
	app, _, err := models.FileTransferIn(ctx, f.db, f.tr, in)
	if err != nil {
		t.Fatal(err)
	}
	f.act(t, f.ent, app.ID, models.AppApplied, "")
	f.act(t, f.admin, app.ID, models.AppAccepted, "")
	f.act(t, f.admin, app.ID, models.AppReviewed, "")
	// Meanwhile the person got a Beijing certificate of the 岗位: the decision refuses, nothing moves.
	p := models.Person{IDNumber: in.IDNumber, Name: in.Name, Gender: "女"}
	if err := models.InsertPerson(ctx, f.db, &p); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	cert := &models.Certificate{Number: "京建安C3（2026）0888888", PersonID: p.ID, CategoryID: f.c3, Kind: models.CertSafety, Code: "C3",
		PostName: "安全员", Name: p.Name, Gender: "女", IDNumber: p.IDNumber, Authority: models.IssuingAuthority, FirstIssuedOn: now,
		IssuedOn: now, ValidFrom: now, Status: models.CertValid, Business: models.BusinessFirst, VerifyToken: "meanwhile-token",
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := f.db.NewInsert().Model(cert).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = models.ActOnApplications(ctx, f.db, f.admin, models.AppAction{IDs: []int64{app.ID}, To: models.AppDecided})
	if !errors.Is(err, models.ErrTransferHeld) {
		t.Fatalf("decision: %v", err)
	}
	got, _ := models.ApplicationFor(ctx, f.db, f.tr, app.ID)
	if got.Status != models.AppReviewed || got.NewCertificateID != nil {
		t.Fatalf("moved: %+v", got)
	}
	var n int64
	if n, err = f.db.NewSelect().Table("certificates").Where("id_number = ?", in.IDNumber).Count(ctx); err != nil || n != 1 {
		t.Fatalf("certificates %d %v", n, err)
	}
}
