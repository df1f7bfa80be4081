package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// renewalWorld is the demo data with 张三 employed by jianshe and trained by peixun, 李思 employed by jianshe2, and
// certificates made on demand.
type renewalWorld struct {
	e      *env
	serial int
	today  time.Time
}

func newRenewalWorld(t *testing.T) *renewalWorld {
	t.Helper()
	e := newEnv(t)
	b := models.Now().In(models.Beijing)
	w := &renewalWorld{e: e, today: time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)}
	for person, employer := range map[string]string{"zhangsan": "jianshe", "lisi": "jianshe2"} {
		if _, err := e.db.NewUpdate().Table("persons").Set("organization_id = ?", *e.account(employer).OrganizationID).
			Where("id = ?", *e.account(person).PersonID).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// cert stores a valid 安管 C3 certificate of the person (an account name) ending in days, employed by the person's
// employer and trained by peixun (李思: peixun2).
func (w *renewalWorld) cert(t *testing.T, person string, days int) models.Certificate {
	t.Helper()
	ctx := context.Background()
	w.serial++
	var p models.Person
	if err := w.e.db.NewSelect().Model(&p).Where("id = ?", *w.e.account(person).PersonID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var cat int64
	if err := w.e.db.NewSelect().Table("exam_categories").Column("id").Where("name = '安全员'").Scan(ctx, &cat); err != nil {
		t.Fatal(err)
	}
	now, from, until := models.Now(), w.today.AddDate(-3, 0, 0), w.today.AddDate(0, 0, days)
	c := models.Certificate{Number: fmt.Sprintf("京建安C3（2023）%07d", w.serial), PersonID: p.ID, CategoryID: cat,
		Kind: models.CertSafety, Code: "C3", PostName: "安全员", Name: p.Name, Gender: p.Gender, BirthDate: p.BirthDate,
		IDNumber: p.IDNumber, EmployerName: "单位" + person, OrganizationID: p.OrganizationID,
		TrainingOrgID: w.e.account(map[string]string{"zhangsan": "peixun", "lisi": "peixun2"}[person]).OrganizationID, Authority: models.IssuingAuthority, FirstIssuedOn: from,
		IssuedOn: from, ValidFrom: from, ValidUntil: &until, Status: models.CertValid, Business: models.BusinessFirst,
		VerifyToken: fmt.Sprintf("renewtok%024d", w.serial), CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := w.e.db.NewInsert().Model(&c).Returning("id").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *renewalWorld) apps(t *testing.T) []models.CertApplication {
	t.Helper()
	var out []models.CertApplication
	if err := w.e.db.NewSelect().Model(&out).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out
}

func idOf(c models.Certificate) string { return strconv.FormatInt(c.ID, 10) }

var renewalAnswer = regexp.MustCompile(`证书续期申请成功，申请批号为 XQSQ\d{8}`)

func TestRenewalEachRoleApplies(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	mine, staff, trained := w.cert(t, "zhangsan", 30), w.cert(t, "zhangsan", 60), w.cert(t, "zhangsan", 90)
	later := w.cert(t, "zhangsan", 120)

	// The practitioner, JavaScript off: a checkbox only where renewal is open, 【申请】, 303, the answer.
	p := w.e.client().signIn("zhangsan")
	page := p.get("/renewals")
	if page.Status != http.StatusOK || page.Doc.Find(`[data-testid="renewal-cert-row"]`).Length() != 4 {
		t.Fatalf("page %d, %d rows", page.Status, page.Doc.Find(`[data-testid="renewal-cert-row"]`).Length())
	}
	row := page.Doc.Find(`[data-cert="` + idOf(later) + `"]`)
	if row.Find(`input[name="cert"]`).Length() != 0 || !strings.Contains(row.Text(), models.RefuseRenewalWindow) {
		t.Fatalf("a certificate outside the window: %q", row.Text())
	}
	if page.Doc.Find(`[data-cert="`+idOf(mine)+`"] input[name="cert"]`).Length() != 1 {
		t.Fatal("no checkbox on a certificate in the window")
	}
	if strings.Contains(page.Body, mine.IDNumber) {
		t.Fatal("the list shows a full ID number")
	}
	res := p.submit("/renewals", "/renewals", url.Values{"cert": {idOf(mine)}, "status": {"decided"},
		"organization_id": {strconv.FormatInt(*w.e.account("jianshe2").OrganizationID, 10)}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/renewals?applied=XQSQ") {
		t.Fatalf("apply: %d %q %s", res.Status, res.Location(), res.Text(`[data-testid="alert-error"]`))
	}
	after := p.get(res.Location())
	if !renewalAnswer.MatchString(after.Text(`[data-testid="alert-ok"]`)) {
		t.Fatalf("answer %q", after.Text(`[data-testid="alert-ok"]`))
	}
	if after.Doc.Find(`[data-testid="renewal-app-row"]`).Length() != 1 || after.Text(`[data-testid="renewal-app-status"]`) != "待单位确认" {
		t.Fatalf("my applications: %q", after.Text(`[data-testid="renewal-apps"]`))
	}
	// Another's 申请批号 in the address is not announced.
	if forged := p.get("/renewals?applied=XQSQ99999999"); forged.Text(`[data-testid="alert-ok"]`) != "" {
		t.Fatal("a made-up 申请批号 is announced")
	}

	// The enterprise, with htmx: the work region only, the answer in place; its own staff's goes straight to 已申请.
	ent := w.e.client().signIn("jianshe")
	hx := ent.submitHX("/renewals", "/renewals", url.Values{"cert": {idOf(staff)}}, true)
	if hx.Status != http.StatusOK || !renewalAnswer.MatchString(hx.Text(`[data-testid="alert-ok"]`)) ||
		hx.Doc.Find(`[data-testid="menu"]`).Length() != 0 || hx.Doc.Find(`#renewal-work`).Length() != 1 {
		t.Fatalf("htmx apply: %d %q", hx.Status, hx.Text(`[data-testid="alert-ok"]`))
	}
	// The training institution, JavaScript off.
	tr := w.e.client().signIn("peixun")
	if res := tr.submit("/renewals", "/renewals", url.Values{"cert": {idOf(trained)}}); res.Status != http.StatusSeeOther ||
		!renewalAnswer.MatchString(tr.get(res.Location()).Text(`[data-testid="alert-ok"]`)) {
		t.Fatalf("training apply: %d %s", res.Status, res.Text(`[data-testid="alert-error"]`))
	}
	want := map[int64]models.AppStatus{mine.ID: models.AppUnitPending, staff.ID: models.AppApplied, trained.ID: models.AppUnitPending}
	apps := w.apps(t)
	if len(apps) != 3 {
		t.Fatalf("%d applications", len(apps))
	}
	for _, a := range apps {
		if a.Status != want[*a.CertificateID] || *a.OrganizationID != *w.e.account("jianshe").OrganizationID {
			t.Errorf("certificate %d: %s", *a.CertificateID, a.Status)
		}
	}
	// The htmx search swaps the work region and finds by 证书编号.
	s := ent.getHX("/renewals?number=" + url.QueryEscape(later.Number))
	if s.Doc.Find(`[data-testid="renewal-cert-row"]`).Length() != 1 || s.Doc.Find(`[data-testid="menu"]`).Length() != 0 {
		t.Fatal("htmx search is not the work region with one row")
	}
}

func TestRenewalRefusedShowsWhy(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	fine, locked := w.cert(t, "zhangsan", 20), w.cert(t, "zhangsan", 20)
	admin := models.Actor{Account: w.e.account("admin")}
	if err := models.LockCertificate(context.Background(), w.e.db, admin, locked.ID, 0, true, nil, "核查"); err != nil {
		t.Fatal(err)
	}
	p := w.e.client().signIn("zhangsan")
	for _, hx := range []bool{false, true} {
		res := p.submitHX("/renewals", "/renewals", url.Values{"cert": {idOf(fine), idOf(locked)}}, hx)
		if res.Status != http.StatusOK || !strings.Contains(res.Text(`[data-testid="alert-error"]`), "未提交任何申请") {
			t.Fatalf("htmx %v: %d %q", hx, res.Status, res.Text(`[data-testid="alert-error"]`))
		}
		if why := res.Text(`[data-cert="` + idOf(locked) + `"] [data-testid="renewal-refusal"]`); why != models.RefuseRenewalLocked {
			t.Errorf("htmx %v: reason beside the locked certificate %q", hx, why)
		}
		if !strings.Contains(res.Text(`[data-testid="renewal-refusals"]`), locked.Number+"："+models.RefuseRenewalLocked) {
			t.Errorf("htmx %v: the list of refusals %q", hx, res.Text(`[data-testid="renewal-refusals"]`))
		}
		if _, ok := res.Doc.Find(`[data-cert="` + idOf(fine) + `"] input[name="cert"]`).Attr("checked"); !ok {
			t.Errorf("htmx %v: the certificate that may be renewed is no longer ticked", hx)
		}
	}
	if n := len(w.apps(t)); n != 0 {
		t.Fatalf("%d applications filed by a refused batch", n)
	}
	if res := p.submit("/renewals", "/renewals", url.Values{}); res.Status != http.StatusOK ||
		res.Text(`[data-testid="alert-error"]`) != "请勾选要续期的证书" {
		t.Fatalf("nothing ticked: %d %q", res.Status, res.Text(`[data-testid="alert-error"]`))
	}
}

func TestRenewalOutOfScope(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	theirs, mine := w.cert(t, "lisi", 20), w.cert(t, "zhangsan", 20)
	for _, user := range []string{"zhangsan", "jianshe", "peixun"} {
		c := w.e.client().signIn(user)
		for _, ids := range [][]string{{idOf(theirs)}, {idOf(mine), idOf(theirs)}, {"abc"}, {"99999999"}} {
			if res := c.submit("/renewals", "/renewals", url.Values{"cert": ids}); res.Status != http.StatusNotFound {
				t.Errorf("%s applies for %v: %d", user, ids, res.Status)
			}
		}
		if strings.Contains(c.get("/renewals").Body, theirs.Number) {
			t.Errorf("%s sees another's certificate", user)
		}
	}
	if n := len(w.apps(t)); n != 0 {
		t.Fatalf("%d applications", n)
	}
}

func TestRenewalResubmit(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	cert := w.cert(t, "zhangsan", 20)
	p := w.e.client().signIn("zhangsan")
	if res := p.submit("/renewals", "/renewals", url.Values{"cert": {idOf(cert)}}); res.Status != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.Status)
	}
	app := w.apps(t)[0]
	employer := models.Actor{Account: w.e.account("jianshe")}
	if _, err := models.ActOnApplications(ctx, w.e.db, employer, models.AppAction{IDs: []int64{app.ID}, To: models.AppReturned,
		Reason: "请补充<社保>证明"}); err != nil {
		t.Fatal(err)
	}
	page := p.get("/renewals")
	if page.Text(`[data-testid="renewal-app-status"]`) != "退回修改" || page.Text(`[data-testid="renewal-app-reason"]`) != "请补充<社保>证明" ||
		page.Doc.Find(`[data-testid="renewal-resubmit"]`).Length() != 1 {
		t.Fatalf("returned row: %q", page.Text(`[data-testid="renewal-apps"]`))
	}
	path := "/renewals/" + strconv.FormatInt(app.ID, 10) + "/resubmit"
	// Not the filer's: 404, for the one who returned it and for another person.
	for _, user := range []string{"jianshe", "lisi"} {
		if res := w.e.client().signIn(user).submit("/renewals", path, nil); res.Status != http.StatusNotFound {
			t.Errorf("%s resubmits: %d", user, res.Status)
		}
	}
	res := p.submit("/renewals", path, nil)
	if res.Status != http.StatusSeeOther || !strings.Contains(res.Location(), "resubmitted=XQSQ") {
		t.Fatalf("resubmit: %d %q", res.Status, res.Location())
	}
	if got := p.get(res.Location()); !strings.Contains(got.Text(`[data-testid="alert-ok"]`), "已重新提交续期申请，申请批号为 XQSQ") ||
		got.Text(`[data-testid="renewal-app-status"]`) != "待单位确认" || got.Doc.Find(`[data-testid="renewal-resubmit"]`).Length() != 0 {
		t.Fatalf("after resubmit: %q", got.Text(`[data-testid="renewal-work"]`))
	}
	// Pressed again (htmx): it is no longer returned; said in place.
	hx := p.submitHX("/renewals", path, nil, true)
	if hx.Status != http.StatusOK || !strings.Contains(hx.Text(`[data-testid="alert-error"]`), "不在退回修改状态") {
		t.Fatalf("resubmit twice: %d %q", hx.Status, hx.Text(`[data-testid="alert-error"]`))
	}
	if a := w.apps(t)[0]; a.Status != models.AppUnitPending || a.BatchNo == app.BatchNo {
		t.Fatalf("stored: %s %s", a.Status, a.BatchNo)
	}
}

// Applied on the screen and decided by the registry: the list says 已决定, the old printout's QR says 已换发 and the
// new one shows the new 有效期至.
func TestRenewalDecidedOldQR(t *testing.T) {
	t.Parallel()
	w := newRenewalWorld(t)
	ctx := context.Background()
	cert := w.cert(t, "zhangsan", 20)
	p := w.e.client().signIn("zhangsan")
	if res := p.submit("/renewals", "/renewals", url.Values{"cert": {idOf(cert)}}); res.Status != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.Status)
	}
	id := w.apps(t)[0].ID
	steps := []struct {
		who string
		to  models.AppStatus
	}{{"jianshe", models.AppApplied}, {"admin", models.AppAccepted}, {"admin", models.AppReviewed}, {"admin", models.AppDecided}}
	for _, s := range steps {
		if _, err := models.ActOnApplications(ctx, w.e.db, models.Actor{Account: w.e.account(s.who)},
			models.AppAction{IDs: []int64{id}, To: s.to}); err != nil {
			t.Fatalf("%s → %s: %v", s.who, s.to, err)
		}
	}
	if got := p.get("/renewals").Text(`[data-testid="renewal-app-status"]`); got != "已决定" {
		t.Fatalf("status %q", got)
	}
	var now models.Certificate
	if err := w.e.db.NewSelect().Model(&now).Where("id = ?", cert.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	anon := w.e.client()
	if old := anon.get("/verify/" + cert.VerifyToken); old.Status != http.StatusOK || !strings.Contains(old.Body, "已换发") {
		t.Fatalf("old QR: %d", old.Status)
	}
	fresh := anon.get("/verify/" + now.VerifyToken)
	if want := cert.ValidUntil.AddDate(3, 0, 0).Format("2006-01-02"); fresh.Status != http.StatusOK ||
		strings.Contains(fresh.Body, "已换发") || !strings.Contains(fresh.Body, want) {
		t.Fatalf("new QR: %d, want 有效期至 %s", fresh.Status, want)
	}
}
