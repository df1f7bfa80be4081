package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

var certAdmin = models.Actor{Account: &models.Account{Role: models.RoleAdmin, Username: "admin"}}

// certFixture is a free plan of a 岗位 that issues certificates, on a database of its own.
type certFixture struct {
	db   *bun.DB
	plan *models.ExamPlan
	rnd  *rand.Rand
}

func newCertFixture(t testing.TB, category string) *certFixture {
	t.Helper()
	db := dbtest.Open(t)
	ctx := context.Background()
	var catID int64
	if err := db.NewSelect().Table("exam_categories").Column("id").Where("name = ?", category).Scan(ctx, &catID); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	plan := &models.ExamPlan{Name: "发证测试", CategoryID: catID, Level: "无", RegistrationStartsAt: now.AddDate(0, 0, -40),
		RegistrationEndsAt: now.AddDate(0, 0, -30), ExamAt: now.AddDate(0, 0, -10), PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, db, plan, 0); err != nil {
		t.Fatal(err)
	}
	return &certFixture{db: db, plan: plan, rnd: rand.New(rand.NewPCG(uint64(plan.ID), 9))}
}

// person stores a person born on birth, employed by org (may be nil).
func (f *certFixture) person(t testing.TB, name, gender string, birth time.Time, org *int64) models.Person {
	t.Helper()
	g := ident.GenderMale
	if gender == "女" {
		g = ident.GenderFemale
	}
	p := models.Person{IDNumber: ident.GenerateIDNumber(f.rnd, "110105", birth, g), Name: name, Gender: gender,
		BirthDate: &birth, OrganizationID: org}
	if err := models.InsertPerson(context.Background(), f.db, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// registration files a registration of the plan for p in status s, by channel through org.
func (f *certFixture) registration(t testing.TB, p models.Person, s models.RegStatus, channel models.Channel, org *int64) int64 {
	t.Helper()
	now := models.Now()
	r := models.Registration{PlanID: f.plan.ID, PersonID: p.ID, Channel: channel, OrganizationID: org,
		EmployerName: "北京测试建设公司", Resume: "[]", Status: s, CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := f.db.NewInsert().Model(&r).Returning("id").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (f *certFixture) count(t testing.TB, table, where string, args ...any) int {
	t.Helper()
	n, err := f.db.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (f *certFixture) cert(t testing.TB, id int64) models.Certificate {
	t.Helper()
	var c models.Certificate
	if err := f.db.NewSelect().Model(&c).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *certFixture) issue(t testing.TB, on string) *models.IssueResult {
	t.Helper()
	res, err := models.IssueCertificates(context.Background(), f.db, certAdmin, models.IssueInput{PlanID: f.plan.ID, IssuedOn: day(on)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIssueCertificates(t *testing.T) {
	f := newCertFixture(t, "安全员")
	ctx := context.Background()
	young := f.person(t, "张三", "男", day("1990-03-07"), nil)
	older := f.person(t, "李四", "女", day("1969-05-01"), nil) // 女 安管: cap 2024-05-01 + 0 → over age in 2026
	capped := f.person(t, "王五", "男", day("1968-03-10"), nil)
	failed := f.person(t, "赵六", "男", day("1990-01-01"), nil)
	ticketed := f.person(t, "钱七", "男", day("1990-01-01"), nil)
	r1 := f.registration(t, young, models.RegPassed, models.ChannelSelf, nil)
	r2 := f.registration(t, older, models.RegPassed, models.ChannelSelf, nil)
	r3 := f.registration(t, capped, models.RegPassed, models.ChannelSelf, nil)
	f.registration(t, failed, models.RegFailed, models.ChannelSelf, nil)
	f.registration(t, ticketed, models.RegTicketed, models.ChannelSelf, nil)

	res := f.issue(t, "2026-12-04")
	if !regexp.MustCompile(`^ZSFF\d{8}$`).MatchString(res.BatchNo) {
		t.Fatalf("批号 %q", res.BatchNo)
	}
	if len(res.Issued) != 2 || res.Refused[r2] == "" || len(res.Refused) != 1 {
		t.Fatalf("issued %d, refused %v; want 2 issued and 李四 refused as over age", len(res.Issued), res.Refused)
	}
	a, b := res.Issued[0], res.Issued[1]
	if *a.RegistrationID != r1 || *b.RegistrationID != r3 {
		t.Fatalf("issued for %d, %d", *a.RegistrationID, *b.RegistrationID)
	}
	if a.Number != "京建安C3（2026）0000001" || b.Number != "京建安C3（2026）0000002" {
		t.Fatalf("numbers %q %q", a.Number, b.Number)
	}
	stored := f.cert(t, a.ID)
	if !stored.ValidFrom.Equal(day("2026-12-04")) || !stored.ValidUntil.Equal(day("2029-12-04")) ||
		!stored.IssuedOn.Equal(day("2026-12-04")) || !stored.FirstIssuedOn.Equal(day("2026-12-04")) {
		t.Fatalf("dates %v %v %v", stored.ValidFrom, stored.ValidUntil, stored.IssuedOn)
	}
	if got := f.cert(t, b.ID).ValidUntil; !got.Equal(day("2029-01-10")) {
		t.Fatalf("王五's end %v, want the retirement cap 2029-01-10", got)
	}
	if stored.Name != "张三" || stored.IDNumber != young.IDNumber || stored.Authority != models.IssuingAuthority ||
		stored.Status != models.CertValid || stored.Business != models.BusinessFirst || stored.Version != 1 {
		t.Fatalf("copied fields %+v", stored)
	}
	if l := stored.License(); !regexp.MustCompile(`^1\.2\.156\.3005\.2\.11100000000013338W011\.11110000000021135M\.20260000001\.001\.[0-9A-Z]$`).MatchString(l) {
		t.Fatalf("电子证照标识 %q", l)
	}
	if len(stored.VerifyToken) != 32 || stored.VerifyToken == f.cert(t, b.ID).VerifyToken {
		t.Fatalf("verify token %q", stored.VerifyToken)
	}
	if n := f.count(t, "certificate_history", "operation = ? AND batch_no = ?", models.OpIssue, res.BatchNo); n != 2 {
		t.Fatalf("%d history rows", n)
	}
	if n := auditCount(t, f.db, models.EventCertIssued); n != 1 {
		t.Fatalf("%d audit rows", n)
	}

	// A second issue finds nothing: a registration gets one certificate.
	if _, err := models.IssueCertificates(ctx, f.db, certAdmin, models.IssueInput{PlanID: f.plan.ID, IssuedOn: day("2026-12-05")}); !errors.Is(err, models.ErrNothingToIssue) {
		t.Fatalf("second issue: %v", err)
	}
	// Only admins issue; a date is needed.
	ent := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	if _, err := models.IssueCertificates(ctx, f.db, ent, models.IssueInput{PlanID: f.plan.ID, IssuedOn: day("2026-12-05")}); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("enterprise issue: %v", err)
	}
	if _, err := models.IssueCertificates(ctx, f.db, certAdmin, models.IssueInput{PlanID: f.plan.ID}); !errors.Is(err, models.ErrIssueDateMissing) {
		t.Fatalf("no date: %v", err)
	}
	// The counter goes on in the same year and starts again in the next.
	late := f.person(t, "孙八", "男", day("1991-01-01"), nil)
	f.registration(t, late, models.RegPassed, models.ChannelSelf, nil)
	if res := f.issue(t, "2026-12-20"); res.Issued[0].Number != "京建安C3（2026）0000003" {
		t.Fatalf("third number %q", res.Issued[0].Number)
	}
}

func TestIssueSpecialAndNoKind(t *testing.T) {
	f := newCertFixture(t, "特种作业-建筑电工")
	p := f.person(t, "周九", "女", day("1990-06-01"), nil)
	f.registration(t, p, models.RegPassed, models.ChannelSelf, nil)
	res := f.issue(t, "2026-12-04")
	c := res.Issued[0]
	if c.Number != "京A012026000001" || !c.ValidUntil.Equal(day("2028-12-04")) {
		t.Fatalf("特种 number %q until %v", c.Number, c.ValidUntil)
	}
	if l := c.License(); !regexp.MustCompile(`\.11100000000013338W032\.11110000000021135M\.2026000001\.001\.`).MatchString(l) {
		t.Fatalf("特种 电子证照标识 %q", l)
	}

	g := newCertFixture(t, "施工员-土建")
	q := g.person(t, "吴十", "男", day("1990-06-01"), nil)
	g.registration(t, q, models.RegPassed, models.ChannelSelf, nil)
	if _, err := models.IssueCertificates(context.Background(), g.db, certAdmin, models.IssueInput{PlanID: g.plan.ID, IssuedOn: day("2026-12-04")}); !errors.Is(err, models.ErrNoCertKind) {
		t.Fatalf("a 岗位 without a certificate kind: %v", err)
	}
}

func TestCertificateStatusChanges(t *testing.T) {
	f := newCertFixture(t, "安全员")
	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		p := f.person(t, "持证人"+strconv.Itoa(i), "男", day("1990-01-01"), nil)
		f.registration(t, p, models.RegPassed, models.ChannelSelf, nil)
	}
	for _, c := range f.issue(t, "2026-12-04").Issued {
		ids = append(ids, c.ID)
	}
	// A reason is needed; only admins act.
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, ids[:1], models.CertSuspended, ""); !errors.Is(err, models.ErrReasonRequired) {
		t.Fatalf("no reason: %v", err)
	}
	ent := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, ent, ids[:1], models.CertSuspended, "x"); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("enterprise: %v", err)
	}
	// Bulk 暂扣 with one 批号.
	batch, moved, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, ids[:2], models.CertSuspended, "违章作业")
	if err != nil || len(moved) != 2 || !regexp.MustCompile(`^ZSZT\d{8}$`).MatchString(batch) {
		t.Fatalf("suspend: %v %v %q", err, moved, batch)
	}
	c := f.cert(t, ids[0])
	if c.Status != models.CertSuspended || c.StatusReason != "违章作业" || c.StatusChangedAt == nil || c.Version != 2 {
		t.Fatalf("after 暂扣 %+v", c)
	}
	if n := f.count(t, "certificate_history", "operation = ? AND batch_no = ?", models.OpSuspend, batch); n != 2 {
		t.Fatalf("%d 暂扣 history rows", n)
	}
	if n := f.count(t, "status_changes", "record_kind = 'certificate' AND batch_no = ?", batch); n != 2 {
		t.Fatalf("%d status changes", n)
	}
	// No line from 暂扣 to 办理转出; a 失效 is the system's.
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, ids[:1], models.CertTransferredOut, "x"); !errors.Is(err, models.ErrNoTransition) {
		t.Fatalf("暂扣 → 转出: %v", err)
	}
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, ids[2:], models.CertExpired, "x"); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("admin 失效: %v", err)
	}
	// 暂扣发还.
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, ids[:1], models.CertValid, "期满发还"); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "certificate_history", "certificate_id = ? AND operation = ?", ids[0], models.OpReturn); n != 1 {
		t.Fatalf("发还 history %d", n)
	}
	// A lock blocks every business, the whole batch; lifting it opens it again.
	third := f.cert(t, ids[2])
	if err := models.LockCertificate(ctx, f.db, certAdmin, ids[2], third.Version, true, nil, ""); !errors.Is(err, models.ErrReasonRequired) {
		t.Fatalf("lock without reason: %v", err)
	}
	if err := models.LockCertificate(ctx, f.db, certAdmin, ids[2], third.Version, true, nil, "涉嫌违规，调查中"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, []int64{ids[0], ids[2]}, models.CertCancelled, "本人申请"); !errors.Is(err, models.ErrCertificateLocked) {
		t.Fatalf("locked: %v", err)
	}
	if f.cert(t, ids[0]).Status != models.CertValid {
		t.Fatal("a batch with a locked certificate moved the others")
	}
	if _, err := models.ReissueCertificate(ctx, f.db, certAdmin, ids[2], 0, "补办"); !errors.Is(err, models.ErrCertificateLocked) {
		t.Fatalf("reissue locked: %v", err)
	}
	// A stale version is a conflict.
	if err := models.LockCertificate(ctx, f.db, certAdmin, ids[2], third.Version, false, nil, "调查结束"); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale unlock: %v", err)
	}
	if err := models.LockCertificate(ctx, f.db, certAdmin, ids[2], 0, false, nil, "调查结束"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, ids[2:], models.CertCancelled, "本人申请"); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{models.EventCertSuspended, models.EventCertReturned, models.EventCertLocked, models.EventCertUnlocked, models.EventCertCancelled} {
		if auditCount(t, f.db, ev) != 1 {
			t.Errorf("audit rows of %s: %d", ev, auditCount(t, f.db, ev))
		}
	}
	// An expired lock blocks nothing.
	past := models.Now().Add(-time.Hour)
	if err := models.LockCertificate(ctx, f.db, certAdmin, ids[0], 0, true, &past, "短期锁定"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.ChangeCertificateStatus(ctx, f.db, certAdmin, ids[:1], models.CertSuspended, "违章"); err != nil {
		t.Fatalf("after the lock ended: %v", err)
	}
}

func TestExpireAndRemind(t *testing.T) {
	f := newCertFixture(t, "安全员")
	ctx := context.Background()
	org := &models.Organization{Kind: models.KindEnterprise, Name: "北京提醒建设公司"}
	if err := models.InsertOrganization(ctx, f.db, org); err != nil {
		t.Fatal(err)
	}
	p := f.person(t, "到期人", "男", day("1990-01-01"), &org.ID)
	q := f.person(t, "未到期", "男", day("1990-01-01"), &org.ID)
	f.registration(t, p, models.RegPassed, models.ChannelSelf, nil)
	f.registration(t, q, models.RegPassed, models.ChannelSelf, nil)
	own := &models.Account{Username: "daoqi", Role: models.RolePractitioner, PersonID: &p.ID, Email: "p@example.com"}
	boss := &models.Account{Username: "tixing-ent", Role: models.RoleEnterprise, OrganizationID: &org.ID, Mobile: "13800000000"}
	for _, a := range []*models.Account{own, boss} {
		if err := models.InsertAccount(ctx, f.db, a); err != nil {
			t.Fatal(err)
		}
	}
	issued := f.issue(t, "2026-12-04").Issued
	expiring, later := issued[0], issued[1]
	end := day("2029-12-04")
	// 100 days before: nothing; 85 days: the 90-day reminder, once.
	if n, err := models.RemindExpiringCertificates(ctx, f.db, end.AddDate(0, 0, -100)); err != nil || n != 0 {
		t.Fatalf("100 days before: %d %v", n, err)
	}
	if _, err := f.db.NewUpdate().Table("certificates").Set("valid_until = ?", day("2030-06-01")).Where("id = ?", later.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	at := end.AddDate(0, 0, -85).Add(2 * time.Hour)
	for range 2 {
		if n, err := models.RemindExpiringCertificates(ctx, f.db, at); err != nil {
			t.Fatal(err)
		} else if n != 0 && n != 1 {
			t.Fatalf("sent %d", n)
		}
	}
	if n := f.count(t, "certificate_reminders", "certificate_id = ? AND days = 90", expiring.ID); n != 1 {
		t.Fatalf("90-day reminder rows %d", n)
	}
	if n := f.count(t, "messages", "kind = ? AND account_id IN (?)", models.NoticeCertExpiring, bun.List([]int64{own.ID, boss.ID})); n != 2 {
		t.Fatalf("messages %d, want one for the holder and one for the employer", n)
	}
	if n := f.count(t, "outbox", "recipient IN ('p@example.com', '13800000000') AND (subject LIKE '证书将于%' OR body LIKE '%证书将于%')"); n != 2 {
		t.Fatalf("outbox %d", n)
	}
	// 30 and 7 days before: one each.
	for _, d := range []int{25, 5} {
		if n, err := models.RemindExpiringCertificates(ctx, f.db, end.AddDate(0, 0, -d)); err != nil || n != 1 {
			t.Fatalf("%d days before: %d %v", d, n, err)
		}
	}
	if n := f.count(t, "certificate_reminders", "certificate_id = ?", expiring.ID); n != 3 {
		t.Fatalf("reminders %d", n)
	}

	// The day after 有效期止 the certificate is 失效; the other is not; a second run moves nothing.
	if n, err := models.ExpireCertificates(ctx, f.db, end); err != nil || n != 0 {
		t.Fatalf("on the last day: %d %v", n, err)
	}
	if n, err := models.ExpireCertificates(ctx, f.db, end.AddDate(0, 0, 1).Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("the day after: %d %v", n, err)
	}
	if n, _ := models.ExpireCertificates(ctx, f.db, end.AddDate(0, 0, 2)); n != 0 {
		t.Fatalf("second run moved %d", n)
	}
	if c := f.cert(t, expiring.ID); c.Status != models.CertExpired || c.StatusReason != "有效期届满" {
		t.Fatalf("expired %+v", c)
	}
	if f.cert(t, later.ID).Status != models.CertValid {
		t.Fatal("the later one expired too")
	}
	if n := f.count(t, "certificate_history", "certificate_id = ? AND operation = ?", expiring.ID, models.OpExpire); n != 1 {
		t.Fatalf("expiry history %d", n)
	}
	registered := false
	for _, x := range models.PeriodicTasks() {
		registered = registered || x.Name == "certificate.expire"
	}
	if !registered {
		t.Fatal("certificate.expire is not a periodic task")
	}
}

func TestReissueAndVerify(t *testing.T) {
	f := newCertFixture(t, "安全员")
	ctx := context.Background()
	p := f.person(t, "核验人", "男", day("1990-01-01"), nil)
	f.registration(t, p, models.RegPassed, models.ChannelSelf, nil)
	c := f.issue(t, "2026-12-04").Issued[0]
	v, err := models.VerifyToken(ctx, f.db, c.VerifyToken)
	if err != nil || v.Certificate.ID != c.ID || v.Superseded != nil {
		t.Fatalf("verify: %v %+v", err, v)
	}
	if _, err := models.VerifyToken(ctx, f.db, "nosuchtoken"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	if _, err := models.ReissueCertificate(ctx, f.db, certAdmin, c.ID, c.Version, ""); !errors.Is(err, models.ErrReasonRequired) {
		t.Fatalf("no reason: %v", err)
	}
	n, err := models.ReissueCertificate(ctx, f.db, certAdmin, c.ID, c.Version, "证书遗失补办")
	if err != nil {
		t.Fatal(err)
	}
	if n.Version != 2 || n.VerifyToken == c.VerifyToken || n.Business != models.BusinessReissue ||
		n.License()[len(n.License())-5:len(n.License())-2] != "002" || n.Number != c.Number {
		t.Fatalf("reissued %+v", n)
	}
	old, err := models.VerifyToken(ctx, f.db, c.VerifyToken)
	if err != nil || old.Superseded == nil || old.Superseded.Version != 1 || old.Certificate.VerifyToken != n.VerifyToken {
		t.Fatalf("old token: %v %+v", err, old)
	}
	// Search needs both 证书编号 and 姓名; half-width brackets are accepted.
	if tok, err := models.FindCertificateToVerify(ctx, f.db, "京建安C3(2026)0000001", "核验人"); err != nil || tok != n.VerifyToken {
		t.Fatalf("search: %q %v", tok, err)
	}
	for _, c := range [][2]string{{c.Number, ""}, {"", "核验人"}, {c.Number, "别人"}} {
		if _, err := models.FindCertificateToVerify(ctx, f.db, c[0], c[1]); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("search %q: %v", c, err)
		}
	}
}

func TestCertificateScope(t *testing.T) {
	f := newCertFixture(t, "安全员")
	ctx := context.Background()
	var orgs []*models.Organization
	for _, o := range []struct {
		kind models.OrganizationKind
		name string
	}{{models.KindEnterprise, "企业甲"}, {models.KindEnterprise, "企业乙"}, {models.KindTraining, "培训甲"}, {models.KindTraining, "培训乙"}} {
		org := &models.Organization{Kind: o.kind, Name: o.name}
		if err := models.InsertOrganization(ctx, f.db, org); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, org)
	}
	a := f.person(t, "甲员工", "男", day("1990-01-01"), &orgs[0].ID)
	b := f.person(t, "乙员工", "男", day("1990-01-01"), &orgs[1].ID)
	f.registration(t, a, models.RegPassed, models.ChannelTraining, &orgs[2].ID)
	f.registration(t, b, models.RegPassed, models.ChannelTraining, &orgs[3].ID)
	issued := f.issue(t, "2026-12-04").Issued
	ca, cb := issued[0], issued[1]
	actors := map[string]models.Actor{
		"practitioner A": {Account: &models.Account{Role: models.RolePractitioner, PersonID: &a.ID}},
		"enterprise A":   {Account: &models.Account{Role: models.RoleEnterprise, OrganizationID: &orgs[0].ID}},
		"training A":     {Account: &models.Account{Role: models.RoleTraining, OrganizationID: &orgs[2].ID}},
	}
	for name, actor := range actors {
		list, total, err := models.ListCertificates(ctx, f.db, actor, models.CertFilter{})
		if err != nil || total != 1 || list[0].ID != ca.ID {
			t.Errorf("%s lists %d (%v)", name, total, err)
		}
		if _, err := models.CertificateFor(ctx, f.db, actor, cb.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s reads another's certificate: %v", name, err)
		}
		if _, err := models.CertificateFor(ctx, f.db, actor, ca.ID); err != nil {
			t.Errorf("%s cannot read its own: %v", name, err)
		}
	}
	list, total, err := models.ListCertificates(ctx, f.db, certAdmin, models.CertFilter{Name: "乙", Status: models.CertValid, Limit: 10})
	if err != nil || total != 1 || list[0].ID != cb.ID {
		t.Fatalf("admin search: %d %v", total, err)
	}
	if _, total, _ := models.ListCertificates(ctx, f.db, certAdmin, models.CertFilter{IDNumber: a.IDNumber}); total != 1 {
		t.Fatalf("by ID number: %d", total)
	}
	if _, total, _ := models.ListCertificates(ctx, f.db, certAdmin, models.CertFilter{Number: "0000002"}); total != 1 {
		t.Fatalf("by number: %d", total)
	}
}

// An employer with two staff certificates due in the same run hears about each: two messages, two outbox rows, and
// a second run sends nothing more.
func TestRemindTwoCertificatesOfOneEmployer(t *testing.T) {
	f := newCertFixture(t, "安全员")
	ctx := context.Background()
	org := &models.Organization{Kind: models.KindEnterprise, Name: "北京两证建设公司"}
	if err := models.InsertOrganization(ctx, f.db, org); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"甲证人", "乙证人"} {
		f.registration(t, f.person(t, name, "男", day("1990-01-01"), &org.ID), models.RegPassed, models.ChannelSelf, nil)
	}
	boss := &models.Account{Username: "liangzheng-ent", Role: models.RoleEnterprise, OrganizationID: &org.ID, Mobile: "13900000000"}
	if err := models.InsertAccount(ctx, f.db, boss); err != nil {
		t.Fatal(err)
	}
	issued := f.issue(t, "2026-12-04").Issued
	if len(issued) != 2 || issued[0].OrganizationID == nil || *issued[0].OrganizationID != org.ID {
		t.Fatalf("issued %+v", issued)
	}
	at := day("2029-12-04").AddDate(0, 0, -20)
	for run, want := range []int{2, 0} {
		if n, err := models.RemindExpiringCertificates(ctx, f.db, at); err != nil || n != want {
			t.Fatalf("run %d: sent %d %v, want %d", run, n, err, want)
		}
	}
	if n := f.count(t, "messages", "kind = ? AND account_id = ?", models.NoticeCertExpiring, boss.ID); n != 2 {
		t.Fatalf("employer messages %d, want one per certificate", n)
	}
	for _, c := range issued {
		if n := f.count(t, "messages", "account_id = ? AND link = ?", boss.ID, "/certificates/"+strconv.FormatInt(c.ID, 10)); n != 1 {
			t.Fatalf("messages about certificate %d: %d", c.ID, n)
		}
	}
	if n := f.count(t, "outbox", "recipient = '13900000000' AND (subject LIKE '证书将于%' OR body LIKE '%证书将于%')"); n != 2 {
		t.Fatalf("outbox %d, want 2", n)
	}
}
