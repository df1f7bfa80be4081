package models

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
)

// The core of 证书申请 (application.go, application_act.go, application_view.go), kind by kind alike. These tests
// are internal (package models) so that one of them can stand in a kind's effect of 决定通过 for a while; none of
// them is parallel, so no parallel test reads applicationEffects meanwhile.

// appWorld is two registry accounts, a practitioner (张三) with an account, a second person (李四) without one, two
// employers and a training institution.
type appWorld struct {
	db                 *bun.DB
	reg1, reg2         Actor
	zhang, entA, entB  Actor
	train              Actor
	personZ, personL   int64
	orgA, orgB, orgT   int64
	zhangID, lisiIDNum string
}

func newAppWorld(t *testing.T) *appWorld {
	t.Helper()
	db := dbtest.Open(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(13, 13))
	root := Actor{Account: &Account{Role: RoleAdmin, Username: "root"}}
	mk := func(n NewAccount) Actor {
		n.PasswordHash = "x"
		if n.DisplayName == "" {
			n.DisplayName = n.Username
		}
		acct, _, err := CreateAccount(ctx, db, root, n)
		if err != nil {
			t.Fatalf("account %s: %v", n.Username, err)
		}
		return Actor{Account: acct, IP: "192.0.2.9", RequestID: "app-test"}
	}
	w := &appWorld{db: db}
	w.reg1 = mk(NewAccount{Role: RoleAdmin, Username: "reg1"})
	w.reg2 = mk(NewAccount{Role: RoleAdmin, Username: "reg2"})
	w.zhangID = ident.GenerateIDNumber(r, "110105", time.Date(1980, 3, 1, 0, 0, 0, 0, time.UTC), ident.GenderMale)
	w.zhang = mk(NewAccount{Role: RolePractitioner, Username: "zhang", DisplayName: "张三", IDNumber: w.zhangID})
	w.entA = mk(NewAccount{Role: RoleEnterprise, Username: "enta", OrgName: "甲建设公司", OrgCode: ident.GenerateCreditCode(r, "110105")})
	w.entB = mk(NewAccount{Role: RoleEnterprise, Username: "entb", OrgName: "乙建设公司", OrgCode: ident.GenerateCreditCode(r, "110106")})
	w.train = mk(NewAccount{Role: RoleTraining, Username: "train", OrgName: "丙培训学校", OrgCode: ident.GenerateCreditCode(r, "110102")})
	w.personZ, w.orgA, w.orgB, w.orgT = *w.zhang.Account.PersonID, *w.entA.OrganizationID(), *w.entB.OrganizationID(), *w.train.OrganizationID()
	w.lisiIDNum = ident.GenerateIDNumber(r, "110108", time.Date(1985, 6, 1, 0, 0, 0, 0, time.UTC), ident.GenderFemale)
	birth := time.Date(1985, 6, 1, 0, 0, 0, 0, time.UTC)
	lisi := Person{IDNumber: w.lisiIDNum, Name: "李四", Gender: "女", BirthDate: &birth, OrganizationID: &w.orgA}
	if err := InsertPerson(ctx, db, &lisi); err != nil {
		t.Fatal(err)
	}
	w.personL = lisi.ID
	return w
}

// file files one application of kind by actor about person, to be confirmed by employer (nil: none), and returns it.
func (w *appWorld) file(t *testing.T, actor Actor, kind AppKind, person int64, employer *int64) CertApplication {
	t.Helper()
	name, idn := "张三", w.zhangID
	if person == w.personL {
		name, idn = "李四", w.lisiIDNum
	}
	apps := []CertApplication{{Kind: kind, PersonID: &person, OrganizationID: employer, Name: name, IDNumber: idn}}
	batch, err := FileApplications(context.Background(), w.db, actor, apps)
	if err != nil {
		t.Fatalf("file %s: %v", kind, err)
	}
	if !strings.HasPrefix(batch, kind.ApplyBatchKind()) {
		t.Fatalf("申请批号 %q for %s", batch, kind)
	}
	return w.app(t, apps[0].ID)
}

func (w *appWorld) app(t *testing.T, id int64) CertApplication {
	t.Helper()
	var a CertApplication
	if err := w.db.NewSelect().Model(&a).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

func (w *appWorld) act(actor Actor, to AppStatus, reason string, ids ...int64) (AppActionResult, error) {
	return ActOnApplications(context.Background(), w.db, actor, AppAction{IDs: ids, To: to, Reason: reason,
		Link: func(int64) string { return "/applications/x" }})
}

func (w *appWorld) count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := w.db.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

var batchNoPattern = regexp.MustCompile(`^[A-Z]{4}\d{8,}$`)

func wantBatch(t *testing.T, res AppActionResult, kind string, moved int) {
	t.Helper()
	if !strings.HasPrefix(res.BatchNo, kind) || !batchNoPattern.MatchString(res.BatchNo) || len(res.Moved) != moved {
		t.Fatalf("batch %q (want %s…), moved %v (want %d)", res.BatchNo, kind, res.Moved, moved)
	}
}

// withEffect stands in fx as kind's effect of 决定通过 until the test ends (or none, fx nil).
func withEffect(t *testing.T, kind AppKind, fx ApplicationEffect) {
	old, had := applicationEffects[kind]
	if fx == nil {
		delete(applicationEffects, kind)
	} else {
		applicationEffects[kind] = fx
	}
	t.Cleanup(func() {
		if had {
			applicationEffects[kind] = old
		} else {
			delete(applicationEffects, kind)
		}
	})
}

// Every step in order, each a batch with its 批号 kind, no step skipped, the employer's scope, and a decision that
// runs the kind's effect (or says plainly that the kind has none).
func TestApplicationStepsInOrder(t *testing.T) {
	w := newAppWorld(t)
	a := w.file(t, w.zhang, AppRenewal, w.personZ, &w.orgA)
	if a.Status != AppUnitPending || a.FiledBy != w.zhang.Account.ID {
		t.Fatalf("filed: %s by %d", a.Status, a.FiledBy)
	}
	if n := w.count(t, "messages", "account_id = ? AND kind = ?", w.entA.Account.ID, NoticeUnitToConfirm); n != 1 {
		t.Fatalf("employer told %d times", n)
	}
	// Another employer, and the applicant, cannot confirm; the registry cannot take it before its employer.
	if _, err := w.act(w.entB, AppApplied, "", a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another employer confirms: %v", err)
	}
	if _, err := w.act(w.zhang, AppApplied, "", a.ID); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("the applicant confirms: %v", err)
	}
	if _, err := w.act(w.reg1, AppAccepted, "", a.ID); !errors.Is(err, ErrNoTransition) {
		t.Fatalf("accepted before the employer confirmed: %v", err)
	}
	steps := []struct {
		by    Actor
		to    AppStatus
		batch string
	}{{w.entA, AppApplied, BatchAppConfirm}, {w.reg1, AppAccepted, BatchRenewalAccept}}
	for _, s := range steps {
		res, err := w.act(s.by, s.to, "", a.ID)
		if err != nil {
			t.Fatalf("→ %s: %v", s.to, err)
		}
		wantBatch(t, res, s.batch, 1)
	}
	// No skipping: 已受理 → 已决定 is refused, and nothing moved.
	if _, err := w.act(w.reg1, AppDecided, "", a.ID); !errors.Is(err, ErrNoTransition) || !strings.Contains(err.Error(), "已受理") {
		t.Fatalf("accepted → decided: %v", err)
	}
	if got := w.app(t, a.ID).Status; got != AppAccepted {
		t.Fatalf("after a refused skip: %s", got)
	}
	res, err := w.act(w.reg2, AppReviewed, "", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantBatch(t, res, BatchRenewalReview, 1)
	// A kind without its effect cannot be decided: the error names the kind, nothing moves.
	withEffect(t, AppRenewal, nil)
	if _, err := w.act(w.reg1, AppDecided, "", a.ID); !errors.Is(err, ErrNoTransition) || !strings.Contains(err.Error(), "证书续期") {
		t.Fatalf("decide without an effect: %v", err)
	}
	if got := w.app(t, a.ID).Status; got != AppReviewed {
		t.Fatalf("after a decision without effect: %s", got)
	}
	var ran []string
	withEffect(t, AppRenewal, func(_ context.Context, _ bun.IDB, _ Actor, app *CertApplication, batch string, _ time.Time) error {
		ran = append(ran, batch)
		return nil
	})
	res, err = w.act(w.reg1, AppDecided, "", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantBatch(t, res, BatchRenewalDecide, 1)
	got := w.app(t, a.ID)
	if got.Status != AppDecided || got.DecidedAt == nil || len(ran) != 1 || ran[0] != res.BatchNo {
		t.Fatalf("decided: %s at %v, effect ran %v", got.Status, got.DecidedAt, ran)
	}
	if n := w.count(t, "messages", "account_id = ? AND title = ?", w.zhang.Account.ID, "证书申请已决定通过"); n != 1 {
		t.Fatalf("applicant told of the decision %d times", n)
	}
	hist, err := ApplicationSteps(context.Background(), w.db, a.ID)
	if err != nil || len(hist) != 5 {
		t.Fatalf("%d steps: %v", len(hist), err)
	}
	if n := w.count(t, "audit_events", "event = ?", EventAppDecided); n != 1 {
		t.Fatalf("%d audit rows of the decision", n)
	}
	// 已申请 → 已审核 skips 受理: refused.
	b := w.file(t, w.entA, AppChange, w.personL, &w.orgA)
	if b.Status != AppApplied {
		t.Fatalf("an employer's own filing: %s", b.Status)
	}
	if _, err := w.act(w.reg1, AppReviewed, "", b.ID); !errors.Is(err, ErrNoTransition) {
		t.Fatalf("applied → reviewed: %v", err)
	}
}

// TestApplicationStepBatchKinds: each step of the registry's takes the 批号 kind of the application's kind
// (LIFECYCLE §2: XQSL/XQSH/XQJD, BGSL/BGSH/BGJD, JJSL/JJSH/JJBH); a batch that mixes kinds takes one 批号 per
// kind, and each application's step records its own kind's. 退回修改 and a 进京 不予通过 keep the generic kinds.
func TestApplicationStepBatchKinds(t *testing.T) {
	w := newAppWorld(t)
	ids := map[AppKind]int64{}
	for _, k := range AppKinds {
		ids[k] = w.file(t, w.entA, k, w.personL, &w.orgA).ID // the employer's own filing: straight to 已申请
	}
	all := []int64{ids[AppRenewal], ids[AppChange], ids[AppTransferIn]}
	withEffect(t, AppRenewal, func(context.Context, bun.IDB, Actor, *CertApplication, string, time.Time) error { return nil })
	withEffect(t, AppChange, func(context.Context, bun.IDB, Actor, *CertApplication, string, time.Time) error { return nil })
	var ran []string
	withEffect(t, AppTransferIn, func(_ context.Context, _ bun.IDB, _ Actor, _ *CertApplication, batch string, _ time.Time) error {
		ran = append(ran, batch)
		return nil
	})
	want := map[AppStatus][3]string{AppAccepted: {"XQSL", "BGSL", "JJSL"}, AppReviewed: {"XQSH", "BGSH", "JJSH"},
		AppDecided: {"XQJD", "BGJD", "JJBH"}}
	for _, to := range []AppStatus{AppAccepted, AppReviewed, AppDecided} {
		res, err := w.act(w.reg1, to, "", all...)
		if err != nil {
			t.Fatal(to, err)
		}
		if len(res.BatchNos) != 3 || len(res.Moved) != 3 || res.BatchNo != strings.Join(res.BatchNos, "、") {
			t.Fatalf("→ %s: %+v", to, res)
		}
		for i, k := range AppKinds {
			no := res.BatchNos[i]
			if !strings.HasPrefix(no, want[to][i]) || !batchNoPattern.MatchString(no) {
				t.Errorf("→ %s, %s: 批号 %q (want %s…)", to, k, no, want[to][i])
			}
			steps, err := ApplicationSteps(context.Background(), w.db, ids[k])
			if err != nil || len(steps) == 0 || steps[len(steps)-1].BatchNo != no {
				t.Errorf("→ %s, %s: the step records %v, want %q (%v)", to, k, steps, no, err)
			}
		}
	}
	if len(ran) != 1 || !strings.HasPrefix(ran[0], "JJBH") {
		t.Fatalf("the 进京 effect ran with %v", ran)
	}

	// One kind alone: one 批号. 退回修改 is generic; a 进京 不予通过 has no kind of its own in LIFECYCLE.
	r := w.file(t, w.entA, AppRenewal, w.personZ, &w.orgA)
	res, err := w.act(w.reg1, AppReturned, "材料不全", r.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantBatch(t, res, BatchAppReturn, 1)
	if len(res.BatchNos) != 1 {
		t.Fatalf("one kind, %v", res.BatchNos)
	}
	tr := []CertApplication{{Kind: AppTransferIn, PersonID: &w.personZ, OrganizationID: &w.orgA, Name: "张三", IDNumber: w.zhangID,
		CertNumber: "冀建安C（2024）0000001"}} // another 证书编号 than the first 进京's
	if _, err := FileApplications(context.Background(), w.db, w.entA, tr); err != nil {
		t.Fatal(err)
	}
	res, err = w.act(w.reg1, AppRejected, "原证书已注销", tr[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	wantBatch(t, res, BatchTransferRefused, 1)
	if got := StepBatchKind(AppRenewal, AppUnitPending); got != "" {
		t.Fatalf("a step that does not exist has kind %q", got)
	}
}

// Nobody confirms or decides an application they filed, and an employer acts only on applications that name it.
func TestApplicationNotOwnNotAnothers(t *testing.T) {
	w := newAppWorld(t)
	a := w.file(t, w.zhang, AppTransferIn, w.personZ, nil)
	if a.Status != AppApplied {
		t.Fatalf("without an employer: %s", a.Status)
	}
	ctx := context.Background()
	if _, err := w.db.NewUpdate().Table("cert_applications").Set("filed_by = ?", w.reg1.Account.ID).Where("id = ?", a.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.act(w.reg1, AppAccepted, "", a.ID); !errors.Is(err, ErrOwnApplication) {
		t.Fatalf("the filer accepts: %v", err)
	}
	if _, err := w.act(w.reg2, AppAccepted, "", a.ID); err != nil {
		t.Fatalf("another accepts: %v", err)
	}
	// An employer's own filing waiting for it (filed when the person was on its staff): not its own to confirm.
	b := w.file(t, w.zhang, AppRenewal, w.personZ, &w.orgA)
	if _, err := w.db.NewUpdate().Table("cert_applications").Set("filed_by = ?", w.entA.Account.ID).Where("id = ?", b.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.act(w.entA, AppApplied, "", b.ID); !errors.Is(err, ErrOwnApplication) {
		t.Fatalf("the employer confirms its own filing: %v", err)
	}
	// An employer cannot move an application it may not see, nor take the registry's steps.
	if _, err := w.act(w.entB, AppReturned, "不是本单位人员", b.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another employer returns it: %v", err)
	}
	c := w.file(t, w.zhang, AppRenewal, w.personZ, &w.orgB)
	if _, err := w.act(w.entB, AppApplied, "", c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.act(w.entB, AppAccepted, "", c.ID); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("an employer accepts: %v", err)
	}
	// The employer's 单位确认 is a step from 待单位确认 only: it cannot send back to the registry an application the
	// registry returned for changes (that is the filer's resubmission), nor submit a draft.
	if _, err := w.act(w.reg1, AppReturned, "缺少社保记录", c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.act(w.entB, AppApplied, "", c.ID); !errors.Is(err, ErrNoTransition) {
		t.Fatalf("the employer confirms a returned application: %v", err)
	}
	if got := w.app(t, c.ID).Status; got != AppReturned {
		t.Fatalf("returned application after the employer's confirm: %s", got)
	}
	// A draft is not the registry's.
	d := CertApplication{Kind: AppRenewal, Status: AppDraft, FiledBy: w.zhang.Account.ID, PersonID: &w.personZ,
		CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
	if _, err := w.db.NewInsert().Model(&d).Returning("id").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.act(w.reg1, AppReturned, "草稿", d.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the registry returns a draft: %v", err)
	}
	e := CertApplication{Kind: AppRenewal, Status: AppDraft, FiledBy: w.zhang.Account.ID, PersonID: &w.personZ,
		OrganizationID: &w.orgA, CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
	if _, err := w.db.NewInsert().Model(&e).Returning("id").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.act(w.entA, AppApplied, "", e.ID); !errors.Is(err, ErrNoTransition) || w.app(t, e.ID).Status != AppDraft {
		t.Fatalf("the employer submits a draft naming it: %v", err)
	}
}

// 退回修改 and 不予通过 need a reason and tell the filer and the person; one application in the wrong state leaves
// the whole batch unmoved.
func TestApplicationReasonsNoticesAllOrNothing(t *testing.T) {
	w := newAppWorld(t)
	a := w.file(t, w.entA, AppChange, w.personZ, &w.orgA) // filed by the employer about 张三, who has an account
	b := w.file(t, w.entA, AppChange, w.personL, &w.orgA)
	for _, to := range []AppStatus{AppReturned, AppRejected} {
		if _, err := w.act(w.reg1, to, "", a.ID); !errors.Is(err, ErrReasonRequired) {
			t.Fatalf("→ %s without a reason: %v", to, err)
		}
	}
	if _, err := w.act(w.reg1, AppAccepted, "", b.ID); err != nil {
		t.Fatal(err)
	}
	before := w.count(t, "status_changes", "1 = 1")
	if _, err := w.act(w.reg1, AppAccepted, "", a.ID, b.ID); !errors.Is(err, ErrNoTransition) || !strings.Contains(err.Error(), "已受理") {
		t.Fatalf("a batch with one already accepted: %v", err)
	}
	if got := w.app(t, a.ID).Status; got != AppApplied || w.count(t, "status_changes", "1 = 1") != before {
		t.Fatalf("the batch half moved: %s", got)
	}
	res, err := w.act(w.reg1, AppReturned, "照片不清晰", a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantBatch(t, res, BatchAppReturn, 1)
	if got := w.app(t, a.ID); got.Status != AppReturned || got.Reason != "照片不清晰" {
		t.Fatalf("returned: %s %q", got.Status, got.Reason)
	}
	for _, acct := range []int64{w.entA.Account.ID, w.zhang.Account.ID} {
		if n := w.count(t, "messages", "account_id = ? AND title = ? AND body LIKE ?", acct, "证书申请被退回修改", "%照片不清晰%"); n != 1 {
			t.Errorf("account %d told of the return %d times", acct, n)
		}
	}
	res, err = w.act(w.reg1, AppRejected, "不符合变更条件", b.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantBatch(t, res, BatchChangeDecide, 1)
	if got := w.app(t, b.ID); got.Status != AppRejected || got.Reason != "不符合变更条件" || got.DecidedAt == nil {
		t.Fatalf("rejected: %s %q", got.Status, got.Reason)
	}
	if n := w.count(t, "messages", "account_id = ? AND title = ?", w.entA.Account.ID, "证书申请不予通过"); n != 1 {
		t.Fatalf("filer told of the rejection %d times", n)
	}
	if n := w.count(t, "audit_events", "event = ? AND detail LIKE ?", EventAppReturned, "%照片不清晰%"); n != 1 {
		t.Fatalf("%d audit rows of the return", n)
	}
}

// Lists and counts hold what each role may see, and Waiting what waits for it.
func TestApplicationScopePerRole(t *testing.T) {
	w := newAppWorld(t)
	ctx := context.Background()
	mine := w.file(t, w.zhang, AppRenewal, w.personZ, &w.orgA)   // 待单位确认 at A
	forB := w.file(t, w.entA, AppChange, w.personL, &w.orgB)     // filed by A, to be confirmed by B
	trained := w.file(t, w.train, AppTransferIn, w.personL, nil) // filed by the training institution
	draft := CertApplication{Kind: AppRenewal, Status: AppDraft, FiledBy: w.zhang.Account.ID, PersonID: &w.personZ,
		CreatedAt: Now(), UpdatedAt: Now(), Version: 1}
	if _, err := w.db.NewInsert().Model(&draft).Returning("id").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		who     string
		actor   Actor
		all     []int64
		waiting []int64
	}{
		{"registry", w.reg1, []int64{mine.ID, forB.ID, trained.ID}, []int64{trained.ID}},
		{"applicant", w.zhang, []int64{mine.ID, draft.ID}, nil},
		{"employer A", w.entA, []int64{mine.ID, forB.ID}, []int64{mine.ID}},
		{"employer B", w.entB, []int64{forB.ID}, []int64{forB.ID}},
		{"training", w.train, []int64{trained.ID}, nil},
	}
	for _, c := range cases {
		rows, n, err := ListApplications(ctx, w.db, c.actor, AppFilter{})
		if err != nil || n != len(c.all) || !sameIDs(rowIDs(rows), c.all) {
			t.Errorf("%s lists %v (%d), want %v: %v", c.who, rowIDs(rows), n, c.all, err)
		}
		counts, err := CountApplications(ctx, w.db, c.actor)
		total := 0
		for _, x := range counts {
			total += x.N
		}
		if err != nil || total != len(c.all) {
			t.Errorf("%s counts %d, want %d: %v", c.who, total, len(c.all), err)
		}
		waiting, _, err := ListApplications(ctx, w.db, c.actor, AppFilter{Waiting: true})
		if err != nil || !sameIDs(rowIDs(waiting), c.waiting) {
			t.Errorf("%s waiting %v, want %v: %v", c.who, rowIDs(waiting), c.waiting, err)
		}
		for _, id := range []int64{mine.ID, forB.ID, trained.ID, draft.ID} {
			_, err := ApplicationFor(ctx, w.db, c.actor, id)
			if want := containsID(c.all, id); (err == nil) != want || (!want && !errors.Is(err, ErrNotFound)) {
				t.Errorf("%s opens %d: %v", c.who, id, err)
			}
		}
	}
	// The query finds by 姓名, 证件号码 and 申请批号; kind and state narrow.
	for q, want := range map[string][]int64{"李": {forB.ID, trained.ID}, w.zhangID: {mine.ID}, strings.ToLower(mine.BatchNo): {mine.ID}} {
		rows, _, err := ListApplications(ctx, w.db, w.reg1, AppFilter{Query: q})
		if err != nil || !sameIDs(rowIDs(rows), want) {
			t.Errorf("query %q: %v, want %v (%v)", q, rowIDs(rows), want, err)
		}
	}
	rows, _, _ := ListApplications(ctx, w.db, w.reg1, AppFilter{Kind: AppChange, Status: AppUnitPending})
	if !sameIDs(rowIDs(rows), []int64{forB.ID}) {
		t.Errorf("kind and state: %v", rowIDs(rows))
	}
}

// 删除 (withdraw): by its filer until the registry takes it; it frees the certificate.
func TestWithdrawApplicationRules(t *testing.T) {
	w := newAppWorld(t)
	ctx := context.Background()
	a := w.file(t, w.zhang, AppRenewal, w.personZ, &w.orgA)
	// The employer that must confirm it did not file it; nor did another person.
	for _, who := range []Actor{w.entA, w.entB, w.train, w.reg1} {
		if err := WithdrawApplication(ctx, w.db, who, a.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s withdraws another's: %v", who.Account.Username, err)
		}
	}
	if err := WithdrawApplication(ctx, w.db, w.zhang, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.app(t, a.ID).Status; got != AppWithdrawn {
		t.Fatalf("withdrawn: %s", got)
	}
	if err := WithdrawApplication(ctx, w.db, w.zhang, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("withdrawn twice: %v", err)
	}
	// Once accepted, the filer (here an employer: anyone of its organization) cannot withdraw it.
	b := w.file(t, w.entA, AppChange, w.personL, &w.orgA)
	if _, err := w.act(w.reg1, AppAccepted, "", b.ID); err != nil {
		t.Fatal(err)
	}
	if err := WithdrawApplication(ctx, w.db, w.entA, b.ID); err == nil {
		t.Fatal("withdrawn after 受理")
	}
	c := w.file(t, w.entA, AppChange, w.personL, &w.orgA)
	if err := WithdrawApplication(ctx, w.db, w.entA, c.ID); err != nil {
		t.Fatalf("the filing employer withdraws: %v", err)
	}
	if n := w.count(t, "audit_events", "event = ?", EventAppWithdrawn); n != 2 {
		t.Fatalf("%d audit rows of 删除", n)
	}
}

func rowIDs(rows []AppRow) []int64 {
	out := make([]int64, len(rows))
	for i := range rows {
		out[i] = rows[i].ID
	}
	return out
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !containsID(b, x) {
			return false
		}
	}
	return true
}
