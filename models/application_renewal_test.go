package models_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

// renewalWorld has two enterprises and a training institution, each with an account, and makes people and
// certificates on demand.
type renewalWorld struct {
	db                 *bun.DB
	rnd                *rand.Rand
	entA, entB, train  *models.Organization
	actA, actB, actT   models.Actor
	admin              models.Actor
	safetyCat, special int64
	serial             int
	today              time.Time
}

func newRenewalWorld(t *testing.T) *renewalWorld {
	t.Helper()
	db := dbtest.Open(t)
	ctx := context.Background()
	w := &renewalWorld{db: db, rnd: rand.New(rand.NewPCG(7, 13))}
	b := models.Now().In(models.Beijing)
	w.today = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		id   *int64
	}{{"安全员", &w.safetyCat}, {"特种作业-建筑电工", &w.special}} {
		if err := db.NewSelect().Table("exam_categories").Column("id").Where("name = ?", c.name).Scan(ctx, c.id); err != nil {
			t.Fatal(err)
		}
	}
	org := func(kind models.OrganizationKind, name string) (*models.Organization, models.Actor) {
		o := &models.Organization{Kind: kind, Name: name}
		if err := models.InsertOrganization(ctx, db, o); err != nil {
			t.Fatal(err)
		}
		role := models.RoleEnterprise
		if kind == models.KindTraining {
			role = models.RoleTraining
		}
		return o, w.account(t, &models.Account{Username: "acct-" + name, Role: role, OrganizationID: &o.ID})
	}
	w.entA, w.actA = org(models.KindEnterprise, "续期建设甲")
	w.entB, w.actB = org(models.KindEnterprise, "续期建设乙")
	w.train, w.actT = org(models.KindTraining, "续期培训甲")
	w.admin = w.account(t, &models.Account{Username: "renewal-admin", Role: models.RoleAdmin})
	return w
}

func (w *renewalWorld) account(t *testing.T, a *models.Account) models.Actor {
	t.Helper()
	if err := models.InsertAccount(context.Background(), w.db, a); err != nil {
		t.Fatal(err)
	}
	return models.Actor{Account: a, IP: "192.0.2.9", RequestID: "renewal-test"}
}

// person stores a man born on birth employed by org (may be nil), with a practitioner account.
func (w *renewalWorld) person(t *testing.T, birth time.Time, org *int64) (models.Person, models.Actor) {
	t.Helper()
	p := models.Person{IDNumber: ident.GenerateIDNumber(w.rnd, "110105", birth, ident.GenderMale),
		Name: fmt.Sprintf("续期人%d", w.rnd.IntN(1e6)), Gender: "男", BirthDate: &birth, OrganizationID: org}
	if err := models.InsertPerson(context.Background(), w.db, &p); err != nil {
		t.Fatal(err)
	}
	return p, w.account(t, &models.Account{Username: "p-" + p.IDNumber, Role: models.RolePractitioner, PersonID: &p.ID})
}

// certOpt changes a certificate before it is stored.
type certOpt func(*models.Certificate)

func employedBy(org *int64) certOpt { return func(c *models.Certificate) { c.OrganizationID = org } }
func trainedBy(org *int64) certOpt  { return func(c *models.Certificate) { c.TrainingOrgID = org } }
func special() certOpt {
	return func(c *models.Certificate) { c.Kind, c.Code = models.CertSpecial, "01" }
}
func withStatus(s models.CertStatus) certOpt { return func(c *models.Certificate) { c.Status = s } }

// cert stores a valid 安管 C3 certificate of p ending until (nil: no end).
func (w *renewalWorld) cert(t *testing.T, p models.Person, until *time.Time, opts ...certOpt) models.Certificate {
	t.Helper()
	w.serial++
	now := models.Now()
	from := w.today.AddDate(-3, 0, 0)
	c := models.Certificate{PersonID: p.ID, CategoryID: w.safetyCat, Kind: models.CertSafety, Code: "C3", PostName: "安全员",
		Name: p.Name, Gender: p.Gender, BirthDate: p.BirthDate, IDNumber: p.IDNumber, EmployerName: "续期建设甲",
		Authority: models.IssuingAuthority, FirstIssuedOn: from, IssuedOn: from, ValidFrom: from, ValidUntil: until,
		Status: models.CertValid, Business: models.BusinessFirst, VerifyToken: fmt.Sprintf("tok%029d", w.serial),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	for _, o := range opts {
		o(&c)
	}
	switch c.Kind {
	case models.CertSafety:
		c.Number = fmt.Sprintf("京建安C3（2023）%07d", w.serial)
	case models.CertSpecial:
		c.CategoryID, c.Number = w.special, fmt.Sprintf("京A012023%06d", w.serial)
	default:
		c.Number = fmt.Sprintf("京技能%06d", w.serial)
	}
	if l := models.LicenseID(c.Kind, c.Number, 1); l != "" {
		c.LicenseID = &l
	}
	if _, err := w.db.NewInsert().Model(&c).Returning("id").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *renewalWorld) in(days int) *time.Time {
	d := w.today.AddDate(0, 0, days)
	return &d
}

func (w *renewalWorld) apps(t *testing.T) []models.CertApplication {
	t.Helper()
	var out []models.CertApplication
	if err := w.db.NewSelect().Model(&out).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out
}

func (w *renewalWorld) reload(t *testing.T, id int64) models.Certificate {
	t.Helper()
	var c models.Certificate
	if err := w.db.NewSelect().Model(&c).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

func young() time.Time { return time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC) }

func TestRenewalWindow(t *testing.T) {
	t.Parallel()
	until := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(s string) time.Time { // noon in Beijing on day s
		d, _ := time.ParseInLocation("2006-01-02 15:04", s+" 12:00", models.Beijing)
		return d
	}
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{at("2026-11-30"), false},                              // 91 days before
		{at("2026-12-01"), true},                               // exactly 90 days before
		{at("2027-03-01"), true},                               // the last day
		{at("2027-03-02"), false},                              // the day after
		{time.Date(2027, 3, 1, 15, 59, 0, 0, time.UTC), true},  // 23:59 in Beijing on the last day
		{time.Date(2027, 3, 1, 16, 0, 0, 0, time.UTC), false},  // 00:00 in Beijing the day after
		{time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC), true}, // 00:00 in Beijing on the first day
	} {
		if got := models.InRenewalWindow(until, c.now); got != c.want {
			t.Errorf("at %v: %v, want %v", c.now, got, c.want)
		}
	}
}

func TestApplyRenewalWindowEdges(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	for _, c := range []struct {
		days int
		ok   bool
	}{{90, true}, {0, true}, {91, false}, {-1, false}} {
		p, me := w.person(t, young(), nil)
		cert := w.cert(t, p, w.in(c.days))
		batch, err := models.ApplyRenewal(ctx, w.db, me, []int64{cert.ID})
		var refused *models.RenewalRefused
		switch {
		case c.ok && (err != nil || !regexp.MustCompile(`^XQSQ\d{8}$`).MatchString(batch)):
			t.Errorf("%d days left: %q %v", c.days, batch, err)
		case !c.ok && (!errors.As(err, &refused) || refused.ByCert[cert.ID] != models.RefuseRenewalWindow):
			t.Errorf("%d days left: %v, want the window refusal", c.days, err)
		}
	}
	if n := len(w.apps(t)); n != 2 {
		t.Fatalf("%d applications, want 2", n)
	}
}

func TestRenewalRefusals(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	p, me := w.person(t, young(), &w.entA.ID)
	old, oldMe := w.person(t, w.today.AddDate(-70, 0, 0), nil)
	fine := w.cert(t, p, w.in(30))
	suspended := w.cert(t, p, w.in(30), withStatus(models.CertSuspended))
	locked := w.cert(t, p, w.in(30))
	if err := models.LockCertificate(ctx, w.db, w.admin, locked.ID, 0, true, nil, "核查"); err != nil {
		t.Fatal(err)
	}
	skill := w.cert(t, p, nil, func(c *models.Certificate) { c.Kind, c.Code = models.CertSkill, "" })
	changing := w.cert(t, p, w.in(30))
	change := models.CertApplication{Kind: models.AppChange, Status: models.AppApplied, CertificateID: &changing.ID, PersonID: &p.ID,
		FiledBy: *me.AccountID(), BatchNo: "BGSQ00000001", CreatedAt: models.Now(), UpdatedAt: models.Now(), Version: 1}
	if _, err := w.db.NewInsert().Model(&change).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	renewing := w.cert(t, p, w.in(30))
	first, err := models.ApplyRenewal(ctx, w.db, me, []int64{renewing.ID})
	if err != nil {
		t.Fatal(err)
	}
	retired := w.cert(t, old, w.in(30))
	before := len(w.apps(t))

	// All or nothing: the one certificate that may be renewed is not filed either.
	ids := []int64{fine.ID, suspended.ID, locked.ID, skill.ID, changing.ID, renewing.ID}
	_, err = models.ApplyRenewal(ctx, w.db, me, ids)
	var refused *models.RenewalRefused
	if !errors.As(err, &refused) {
		t.Fatalf("err %v, want RenewalRefused", err)
	}
	want := map[int64]string{suspended.ID: "证书状态为暂扣，不能续期", locked.ID: models.RefuseRenewalLocked,
		skill.ID: models.RefuseRenewalNoEnd, changing.ID: "证书变更申请正在办理，不能续期",
		renewing.ID: "已有续期申请正在办理（申请批号 " + first + "）"}
	if len(refused.ByCert) != len(want) {
		t.Errorf("refused %v", refused.ByCert)
	}
	for id, why := range want {
		if refused.ByCert[id] != why || refused.Numbers[id] == "" {
			t.Errorf("certificate %d: %q, want %q", id, refused.ByCert[id], why)
		}
	}
	if n := len(w.apps(t)); n != before {
		t.Fatalf("%d applications after a refused batch, %d before", n, before)
	}
	// The retirement age before 有效期止; and another's certificate is not found.
	_, err = models.ApplyRenewal(ctx, w.db, w.actA, []int64{retired.ID})
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("an enterprise renews a stranger's certificate: %v", err)
	}
	if _, err := models.ApplyRenewal(ctx, w.db, oldMe, []int64{retired.ID}); !errors.As(err, &refused) ||
		refused.ByCert[retired.ID] != models.RefuseRenewalRetired {
		t.Fatalf("over age: %v", err)
	}
	// The screen shows the same reasons.
	list, total, err := models.RenewalCandidates(ctx, w.db, me, models.CertFilter{})
	if err != nil || total != 6 {
		t.Fatalf("candidates %d %v", total, err)
	}
	for _, c := range list {
		if c.ID == fine.ID && c.Refusal != "" || c.ID != fine.ID && c.Refusal == "" {
			t.Errorf("%s: refusal %q", c.Number, c.Refusal)
		}
	}
	if list[len(list)-1].ID != skill.ID {
		t.Errorf("the certificate without an end is not last")
	}
	if _, err := models.ApplyRenewal(ctx, w.db, me, nil); !errors.Is(err, models.ErrNothingToRenew) {
		t.Errorf("nothing ticked: %v", err)
	}
	if _, err := models.ApplyRenewal(ctx, w.db, w.admin, []int64{fine.ID}); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("the admin applies: %v", err)
	}
}

func TestRenewedUntil(t *testing.T) {
	t.Parallel()
	old := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	birth := young()
	c := models.Certificate{Kind: models.CertSafety, Code: "C3", Gender: "男", BirthDate: &birth, ValidUntil: &old}
	if got, err := models.RenewedUntil(&c); err != nil || !got.Equal(time.Date(2030, 1, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("安管: %v %v", got, err)
	}
	c.Kind, c.Code = models.CertSpecial, "01"
	if got, err := models.RenewedUntil(&c); err != nil || !got.Equal(time.Date(2029, 1, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("特种作业: %v %v", got, err)
	}
	// 男 born 1968-03-10: cap 2029-01-10 (60 years and 10 months), inside the 3 years.
	c.Kind, c.Code = models.CertSafety, "C3"
	capped := time.Date(1968, 3, 10, 0, 0, 0, 0, time.UTC)
	c.BirthDate = &capped
	if got, err := models.RenewedUntil(&c); err != nil || !got.Equal(time.Date(2029, 1, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("capped: %v %v", got, err)
	}
	c.Code = "B" // exempt from the cap
	if got, _ := models.RenewedUntil(&c); !got.Equal(time.Date(2030, 1, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("B: %v", got)
	}
	c.Code = "C3"
	late := time.Date(2029, 1, 10, 0, 0, 0, 0, time.UTC) // the cap on the old end itself
	c.ValidUntil = &late
	if _, err := models.RenewedUntil(&c); !errors.Is(err, models.ErrOverAge) {
		t.Errorf("cap on 有效期止: %v", err)
	}
}

// step moves applications as actor and fails the test on an error.
func step(t *testing.T, db bun.IDB, actor models.Actor, to models.AppStatus, reason string, ids ...int64) string {
	t.Helper()
	res, err := models.ActOnApplications(context.Background(), db, actor, models.AppAction{IDs: ids, To: to, Reason: reason})
	if err != nil {
		t.Fatalf("to %s: %v", to, err)
	}
	return res.BatchNo
}

func TestRenewalFlow(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	p, me := w.person(t, young(), &w.entA.ID)
	safety := w.cert(t, p, w.in(40), employedBy(&w.entA.ID))
	spec := w.cert(t, p, w.in(60), employedBy(&w.entA.ID), special())
	batch, err := models.ApplyRenewal(ctx, w.db, me, []int64{safety.ID, spec.ID, safety.ID})
	if err != nil {
		t.Fatal(err)
	}
	apps := w.apps(t)
	if len(apps) != 2 {
		t.Fatalf("%d applications", len(apps))
	}
	ids := []int64{apps[0].ID, apps[1].ID}
	a := apps[0]
	if a.Status != models.AppUnitPending || a.BatchNo != batch || *a.OrganizationID != w.entA.ID || *a.PersonID != p.ID ||
		*a.CertificateID != safety.ID || a.Name != p.Name || a.IDNumber != p.IDNumber || a.EmployerName != "续期建设甲" ||
		a.FiledBy != *me.AccountID() || a.Kind != models.AppRenewal {
		t.Fatalf("filed %+v", a)
	}
	// Nobody skips a step, nobody acts outside their desk, the applicant decides nothing.
	if _, err := models.ActOnApplications(ctx, w.db, w.admin, models.AppAction{IDs: ids, To: models.AppAccepted}); !errors.Is(err, models.ErrNoTransition) {
		t.Fatalf("accept before the employer confirmed: %v", err)
	}
	if _, err := models.ActOnApplications(ctx, w.db, w.actB, models.AppAction{IDs: ids, To: models.AppApplied}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another enterprise confirms: %v", err)
	}
	if _, err := models.ActOnApplications(ctx, w.db, me, models.AppAction{IDs: ids, To: models.AppApplied}); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("the applicant confirms: %v", err)
	}
	step(t, w.db, w.actA, models.AppApplied, "", ids...)
	if _, err := models.ActOnApplications(ctx, w.db, w.admin, models.AppAction{IDs: ids, To: models.AppDecided}); !errors.Is(err, models.ErrNoTransition) {
		t.Fatalf("decide from 已申请: %v", err)
	}
	step(t, w.db, w.admin, models.AppAccepted, "", ids...)
	step(t, w.db, w.admin, models.AppReviewed, "", ids...)
	decided := step(t, w.db, w.admin, models.AppDecided, "", ids...)

	now := w.reload(t, safety.ID)
	if now.Version != 2 || !now.ValidUntil.Equal(safety.ValidUntil.AddDate(3, 0, 0)) || !now.ValidFrom.Equal(w.today) ||
		!now.IssuedOn.Equal(w.today) || now.Business != models.BusinessRenewal || now.VerifyToken == safety.VerifyToken ||
		!now.FirstIssuedOn.Equal(safety.FirstIssuedOn) || now.Number != safety.Number {
		t.Fatalf("renewed %+v", now)
	}
	if !strings.Contains(now.License(), ".002.") || now.License() != models.LicenseID(now.Kind, now.Number, 2) {
		t.Fatalf("电子证照标识 %q", now.License())
	}
	if s := w.reload(t, spec.ID); !s.ValidUntil.Equal(spec.ValidUntil.AddDate(2, 0, 0)) || s.Version != 2 {
		t.Fatalf("特种作业 renewed to %v", s.ValidUntil)
	}
	hist, err := models.CertificateHistory(ctx, w.db, safety.ID)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history %d %v", len(hist), err)
	}
	h := hist[0]
	if h.Operation != models.OpRenew || h.Version != 1 || h.BatchNo != decided || !h.ValidUntil.Equal(*safety.ValidUntil) ||
		h.VerifyToken == nil || *h.VerifyToken != safety.VerifyToken {
		t.Fatalf("history row %+v", h)
	}
	// The old printout's QR resolves as superseded; the new one as current.
	v, err := models.VerifyToken(ctx, w.db, safety.VerifyToken)
	if err != nil || v.Superseded == nil || v.Superseded.Version != 1 || v.Certificate.Version != 2 {
		t.Fatalf("old token: %+v %v", v, err)
	}
	if v, err := models.VerifyToken(ctx, w.db, now.VerifyToken); err != nil || v.Superseded != nil || v.Certificate.ID != safety.ID {
		t.Fatalf("new token: %v", err)
	}
	for _, a := range w.apps(t) {
		if a.Status != models.AppDecided || a.DecidedAt == nil {
			t.Fatalf("application %d: %s", a.ID, a.Status)
		}
	}
	// Renewed, it is out of the window again.
	if _, err := models.ApplyRenewal(ctx, w.db, me, []int64{safety.ID}); err == nil {
		t.Fatal("renewed twice")
	}
}

func TestRenewalCappedByAge(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	until := w.in(30)
	// The latest birthday whose cap falls within the 3 years after the old end.
	birth := w.today.AddDate(-57, 0, 0)
	for {
		cap, _ := models.RetirementCap(models.CertSafety, "C3", "男", birth)
		if cap.Before(until.AddDate(3, 0, 0)) {
			break
		}
		birth = birth.AddDate(0, 0, -1)
	}
	cap, _ := models.RetirementCap(models.CertSafety, "C3", "男", birth)
	p, me := w.person(t, birth, nil)
	c := w.cert(t, p, until)
	if _, err := models.ApplyRenewal(ctx, w.db, me, []int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	id := w.apps(t)[0].ID
	if a := w.apps(t)[0]; a.Status != models.AppApplied || a.OrganizationID != nil {
		t.Fatalf("no employer: %s", a.Status)
	}
	for _, to := range []models.AppStatus{models.AppAccepted, models.AppReviewed, models.AppDecided} {
		step(t, w.db, w.admin, to, "", id)
	}
	if got := w.reload(t, c.ID).ValidUntil; !got.Equal(cap) {
		t.Fatalf("renewed to %v, want the cap %v", got, cap)
	}
}

func TestRenewalWhoConfirms(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	staff, _ := w.person(t, young(), &w.entA.ID)
	own := w.cert(t, staff, w.in(10), employedBy(&w.entA.ID))
	older := w.cert(t, staff, w.in(10), employedBy(&w.entB.ID)) // names the employer of the time
	unnamed := w.cert(t, staff, w.in(10))                       // no employer on it: the person's
	trained, _ := w.person(t, young(), &w.entB.ID)
	taught := w.cert(t, trained, w.in(10), trainedBy(&w.train.ID))
	nobody, _ := w.person(t, young(), nil)
	free := w.cert(t, nobody, w.in(10), trainedBy(&w.train.ID))

	if _, err := models.ApplyRenewal(ctx, w.db, w.actA, []int64{own.ID, older.ID, unnamed.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ApplyRenewal(ctx, w.db, w.actT, []int64{taught.ID, free.ID}); err != nil {
		t.Fatal(err)
	}
	want := map[int64]struct {
		status models.AppStatus
		org    *int64
	}{own.ID: {models.AppApplied, &w.entA.ID}, older.ID: {models.AppUnitPending, &w.entB.ID},
		unnamed.ID: {models.AppApplied, &w.entA.ID}, taught.ID: {models.AppUnitPending, &w.entB.ID}, free.ID: {models.AppApplied, nil}}
	for _, a := range w.apps(t) {
		wt := want[*a.CertificateID]
		if a.Status != wt.status || (a.OrganizationID == nil) != (wt.org == nil) || (wt.org != nil && *a.OrganizationID != *wt.org) {
			t.Errorf("certificate %d: %s, org %v", *a.CertificateID, a.Status, a.OrganizationID)
		}
	}
	// Out of scope: another enterprise's staff, a training institution's stranger, a practitioner's neighbour, a
	// made-up id. Nothing is filed.
	before := len(w.apps(t))
	stranger, me := w.person(t, young(), nil)
	theirs := w.cert(t, stranger, w.in(10))
	for name, c := range map[string]struct {
		actor models.Actor
		ids   []int64
	}{"enterprise B": {w.actB, []int64{theirs.ID}}, "training": {w.actT, []int64{theirs.ID}},
		"practitioner": {me, []int64{theirs.ID, own.ID}}, "made up": {me, []int64{theirs.ID + 1000}}} {
		if _, err := models.ApplyRenewal(ctx, w.db, c.actor, c.ids); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := len(w.apps(t)); n != before {
		t.Fatalf("%d applications, %d before", n, before)
	}
}

func TestRenewalDecisionRechecks(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	p, me := w.person(t, young(), nil)
	c := w.cert(t, p, w.in(20))
	if _, err := models.ApplyRenewal(ctx, w.db, me, []int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	id := w.apps(t)[0].ID
	step(t, w.db, w.admin, models.AppAccepted, "", id)
	step(t, w.db, w.admin, models.AppReviewed, "", id)
	if err := models.LockCertificate(ctx, w.db, w.admin, c.ID, 0, true, nil, "涉嫌违规"); err != nil {
		t.Fatal(err)
	}
	_, err := models.ActOnApplications(ctx, w.db, w.admin, models.AppAction{IDs: []int64{id}, To: models.AppDecided})
	if !errors.Is(err, models.ErrCertificateLocked) || !strings.Contains(err.Error(), "已锁定") {
		t.Fatalf("decide a locked certificate: %v", err)
	}
	if a := w.apps(t)[0]; a.Status != models.AppReviewed {
		t.Fatalf("status %s after a failed decision", a.Status)
	}
	if err := models.LockCertificate(ctx, w.db, w.admin, c.ID, 0, false, nil, "核查完毕"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.ChangeCertificateStatus(ctx, w.db, w.admin, []int64{c.ID}, models.CertSuspended, "违章"); err != nil {
		t.Fatal(err)
	}
	_, err = models.ActOnApplications(ctx, w.db, w.admin, models.AppAction{IDs: []int64{id}, To: models.AppDecided})
	if !errors.Is(err, models.ErrCertNotValid) || !strings.Contains(err.Error(), "暂扣") {
		t.Fatalf("decide a suspended certificate: %v", err)
	}
	if got := w.reload(t, c.ID); !got.ValidUntil.Equal(*c.ValidUntil) || got.Business != models.BusinessFirst {
		t.Fatalf("the certificate changed: %+v", got)
	}
}

func TestResubmitRenewal(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	p, me := w.person(t, young(), &w.entA.ID)
	c := w.cert(t, p, w.in(20), employedBy(&w.entA.ID))
	first, err := models.ApplyRenewal(ctx, w.db, me, []int64{c.ID})
	if err != nil {
		t.Fatal(err)
	}
	id := w.apps(t)[0].ID
	if _, err := models.ResubmitRenewal(ctx, w.db, me, id); !errors.Is(err, models.ErrNoTransition) {
		t.Fatalf("resubmit before a return: %v", err)
	}
	step(t, w.db, w.actA, models.AppReturned, "请补充社保证明", id)
	if a := w.apps(t)[0]; a.Status != models.AppReturned || a.Reason != "请补充社保证明" {
		t.Fatalf("returned: %s %q", a.Status, a.Reason)
	}
	// Only the filer resubmits: the employer that returned it cannot, nor a stranger.
	_, stranger := w.person(t, young(), nil)
	for name, actor := range map[string]models.Actor{"employer": w.actA, "stranger": stranger} {
		if _, err := models.ResubmitRenewal(ctx, w.db, actor, id); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s resubmits: %v", name, err)
		}
	}
	second, err := models.ResubmitRenewal(ctx, w.db, me, id)
	if err != nil || second == first || !strings.HasPrefix(second, "XQSQ") {
		t.Fatalf("resubmit: %q %v", second, err)
	}
	if a := w.apps(t)[0]; a.Status != models.AppUnitPending || a.BatchNo != second || a.Reason != "" {
		t.Fatalf("resubmitted: %s %q %q", a.Status, a.BatchNo, a.Reason)
	}
	// Returned again, then locked: the resubmission is refused with the reason.
	step(t, w.db, w.actA, models.AppReturned, "材料不全", id)
	if err := models.LockCertificate(ctx, w.db, w.admin, c.ID, 0, true, nil, "核查"); err != nil {
		t.Fatal(err)
	}
	var refused *models.RenewalRefused
	if _, err := models.ResubmitRenewal(ctx, w.db, me, id); !errors.As(err, &refused) || refused.ByCert[c.ID] != models.RefuseRenewalLocked {
		t.Fatalf("resubmit a locked certificate: %v", err)
	}
	if a := w.apps(t)[0]; a.Status != models.AppReturned {
		t.Fatalf("status %s", a.Status)
	}
}

// A process failing right after the audit row leaves nothing of an application, nor of a decision.
func TestRenewalRollsBack(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	p, me := w.person(t, young(), nil)
	c := w.cert(t, p, w.in(20))
	assertRollsBack(t, w.db, func(ctx context.Context) error {
		_, err := models.ApplyRenewal(ctx, w.db, me, []int64{c.ID})
		return err
	}, nil, "cert_applications")
	if _, err := models.ApplyRenewal(ctx, w.db, me, []int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, w.db, models.EventAppSubmitted); n != 1 {
		t.Fatalf("%d audit rows of the submission", n)
	}
	id := w.apps(t)[0].ID
	step(t, w.db, w.admin, models.AppAccepted, "", id)
	step(t, w.db, w.admin, models.AppReviewed, "", id)
	assertRollsBack(t, w.db, func(ctx context.Context) error {
		_, err := models.ActOnApplications(ctx, w.db, w.admin, models.AppAction{IDs: []int64{id}, To: models.AppDecided})
		return err
	}, func() {
		if got := w.reload(t, c.ID); got.Version != 1 || !got.ValidUntil.Equal(*c.ValidUntil) || got.VerifyToken != c.VerifyToken {
			t.Errorf("the certificate changed: %+v", got)
		}
	}, "cert_applications", "certificate_history")
}

// Many 【申请】 of one certificate at once (a double click, two desks): exactly one application.
func TestRenewalConcurrentApply(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	p, me := w.person(t, young(), &w.entA.ID)
	c := w.cert(t, p, w.in(20), employedBy(&w.entA.ID))
	errs := make(chan error, 8)
	for i := range 8 {
		actor := me
		if i%2 == 1 {
			actor = w.actA
		}
		go func() {
			_, err := models.ApplyRenewal(context.Background(), w.db, actor, []int64{c.ID})
			errs <- err
		}()
	}
	ok := 0
	for range 8 {
		var refused *models.RenewalRefused
		switch err := <-errs; {
		case err == nil:
			ok++
		case !errors.As(err, &refused):
			t.Errorf("err %v", err)
		}
	}
	if n := len(w.apps(t)); ok != 1 || n != 1 {
		t.Fatalf("%d succeeded, %d applications", ok, n)
	}
}
