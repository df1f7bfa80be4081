package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// certWorld is the demo data plus a 安全员 plan in which 张三 (employed by jianshe, trained by peixun) and 李思
// (jianshe2, peixun2) passed.
type certWorld struct {
	e          *env
	plan       int64
	regA, regB int64
	personA    int64
}

func newCertWorld(t *testing.T) *certWorld {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	w := &certWorld{e: e}
	var catID int64
	if err := e.db.NewSelect().Table("exam_categories").Column("id").Where("name = '安全员'").Scan(ctx, &catID); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	plan := &models.ExamPlan{Name: "2026年第四期安全员考核", CategoryID: catID, Level: "无", RegistrationStartsAt: now.AddDate(0, 0, -40),
		RegistrationEndsAt: now.AddDate(0, 0, -30), ExamAt: now.AddDate(0, 0, -10), PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, e.db, plan, 0); err != nil {
		t.Fatal(err)
	}
	w.plan = plan.ID
	reg := func(person, employer, trainer string) int64 {
		p, emp, tr := e.account(person), e.account(employer), e.account(trainer)
		if _, err := e.db.NewUpdate().Table("persons").Set("organization_id = ?", *emp.OrganizationID).Where("id = ?", *p.PersonID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		r := models.Registration{PlanID: plan.ID, PersonID: *p.PersonID, Channel: models.ChannelTraining, OrganizationID: tr.OrganizationID,
			EmployerName: emp.DisplayName, Resume: "[]", Status: models.RegPassed, CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	w.regA, w.regB = reg("zhangsan", "jianshe", "peixun"), reg("lisi", "jianshe2", "peixun2")
	w.personA = *e.account("zhangsan").PersonID
	return w
}

// issue issues both through 发证 as the admin and returns the certificates by person.
func (w *certWorld) issue(t *testing.T, admin *client) map[int64]models.Certificate {
	t.Helper()
	p := admin.submit("/admin/certificates/issue?plan="+strconv.FormatInt(w.plan, 10), "/admin/certificates/issue", url.Values{
		"plan": {strconv.FormatInt(w.plan, 10)}, "reg": {strconv.FormatInt(w.regA, 10), strconv.FormatInt(w.regB, 10)},
		"issued_on": {"2026-12-04"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/admin/certificates?issued=ZSFF") {
		t.Fatalf("issue: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	var certs []models.Certificate
	if err := w.e.db.NewSelect().Model(&certs).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[int64]models.Certificate{}
	for _, c := range certs {
		out[c.PersonID] = c
	}
	if len(out) != 2 {
		t.Fatalf("%d certificates", len(out))
	}
	return out
}

func TestIssueAndSeeCertificates(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	admin := w.e.client().signIn("admin")
	// Nothing ticked issues nothing (never "all"); a missing date is said next to the field.
	p := admin.submit("/admin/certificates/issue?plan="+strconv.FormatInt(w.plan, 10), "/admin/certificates/issue",
		url.Values{"plan": {strconv.FormatInt(w.plan, 10)}, "issued_on": {"2026-12-04"}})
	if p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) == "" {
		t.Fatalf("nothing ticked: %d", p.Status)
	}
	p = admin.submit("/admin/certificates/issue?plan="+strconv.FormatInt(w.plan, 10), "/admin/certificates/issue",
		url.Values{"plan": {strconv.FormatInt(w.plan, 10)}, "reg": {strconv.FormatInt(w.regA, 10)}})
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-issued_on"]`) == "" {
		t.Fatalf("no date: %d", p.Status)
	}
	certs := w.issue(t, admin)
	mine := certs[w.personA]
	if mine.Number != "京建安C3（2026）0000001" {
		t.Fatalf("number %q", mine.Number)
	}
	// 职务 and the employer's 统一社会信用代码 (LIFECYCLE §7) are on the 详细 page and the PDF.
	const duty, uscc = "专职安全生产管理人员", "91110000MA01TEST9X"
	if _, err := w.e.db.NewUpdate().Table("certificates").Set("duty = ?, employer_code = ?", duty, uscc).Where("id = ?", mine.ID).
		Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := admin.get("/certificates/" + strconv.FormatInt(mine.ID, 10))
	if d.Text(`[data-testid="cert-职务"]`) != duty || d.Text(`[data-testid="cert-统一社会信用代码"]`) != uscc {
		t.Errorf("detail: 职务 %q, 统一社会信用代码 %q", d.Text(`[data-testid="cert-职务"]`), d.Text(`[data-testid="cert-统一社会信用代码"]`))
	}
	if text := pdfToText(t, []byte(admin.get("/certificates/"+strconv.FormatInt(mine.ID, 10)+"/pdf").Body)); !strings.Contains(text, "职务"+duty) ||
		!strings.Contains(text, "统一社会信用代码"+uscc) {
		t.Errorf("the PDF lacks 职务 or 统一社会信用代码: %s", text)
	}
	// The admin's list finds it by number, name, state; htmx gets the results region only.
	list := admin.get("/admin/certificates?name=" + url.QueryEscape("张三"))
	if n := list.Doc.Find(`[data-testid="cert-row"]`).Length(); n != 1 || list.Text(`[data-testid="cert-number"]`) != mine.Number {
		t.Fatalf("admin search: %d rows", n)
	}
	if hx := admin.getHX("/admin/certificates?status=valid"); hx.Doc.Find(`[data-testid="cert-row"]`).Length() != 2 ||
		hx.Doc.Find(`[data-testid="menu"]`).Length() != 0 {
		t.Fatal("htmx search is not the results fragment")
	}
	// Each role sees its own, and another's is 404 on every path.
	for _, who := range []struct{ user, list string }{{"zhangsan", "/certificates"}, {"jianshe", "/staff/certificates"}, {"peixun", "/training/certificates"}} {
		c := w.e.client().signIn(who.user)
		l := c.get(who.list)
		if n := l.Doc.Find(`[data-testid="cert-row"]`).Length(); n != 1 || l.Text(`[data-testid="cert-number"]`) != mine.Number {
			t.Errorf("%s lists %d certificates", who.user, n)
		}
		if strings.Contains(l.Body, mine.IDNumber) {
			t.Errorf("%s: the list shows a full ID number", who.user)
		}
		other := certs[*w.e.account("lisi").PersonID].ID
		for _, path := range []string{"/certificates/%d", "/certificates/%d/pdf", "/certificates/%d/photo"} {
			if s := c.get(strings.Replace(path, "%d", strconv.FormatInt(other, 10), 1)).Status; s != http.StatusNotFound {
				t.Errorf("%s: another's %s → %d", who.user, path, s)
			}
		}
		d := c.get("/certificates/" + strconv.FormatInt(mine.ID, 10))
		if d.Status != http.StatusOK || d.Text(`[data-testid="cert-证件号码"]`) != mine.IDNumber {
			t.Errorf("%s detail: %d", who.user, d.Status)
		}
		pdf := c.get("/certificates/" + strconv.FormatInt(mine.ID, 10) + "/pdf")
		if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF") || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("%s pdf: %d %s", who.user, pdf.Status, pdf.Header.Get("Content-Type"))
		}
	}
	if n := len(w.e.auditEvents(models.EventCertViewed)); n != 4 { // the admin's and the three roles'
		t.Fatalf("%d audited detail views", n)
	}
}

func TestCertificateStateActionsByHand(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	admin := w.e.client().signIn("admin")
	certs := w.issue(t, admin)
	mine := certs[w.personA]
	detail := "/certificates/" + strconv.FormatInt(mine.ID, 10)
	// Without a reason: refused, the message next to the field.
	p := admin.submit(detail, "/admin/certificates/status", url.Values{"id": {strconv.FormatInt(mine.ID, 10)}, "to": {"suspended"}, "back": {detail}})
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-reason"]`) != "请填写理由" {
		t.Fatalf("no reason: %d %q", p.Status, p.Text(`[data-testid="error-reason"]`))
	}
	p = admin.submit(detail, "/admin/certificates/status", url.Values{"id": {strconv.FormatInt(mine.ID, 10)}, "to": {"suspended"},
		"reason": {"违章作业"}, "back": {detail}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", p.Status)
	}
	if s := admin.get(detail).Text(`[data-testid="cert-state"]`); !strings.HasPrefix(s, "暂扣") {
		t.Fatalf("state %q", s)
	}
	// Bulk from the list: one 批号 for both (the suspended one is returned, the other suspended: each by its line).
	all := []string{strconv.FormatInt(mine.ID, 10), strconv.FormatInt(certs[*w.e.account("lisi").PersonID].ID, 10)}
	p = admin.submit("/admin/certificates", "/admin/certificates/status", url.Values{"id": all, "to": {"cancelled"}, "reason": {"本人申请"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "ZSZT") {
		t.Fatalf("bulk: %d %q", p.Status, p.Location())
	}
	// A lock blocks everything.
	q := admin.submit(detail, "/admin/certificates/"+all[0]+"/lock", url.Values{"lock": {"1"}, "reason": {"调查"}})
	if q.Status != http.StatusSeeOther {
		t.Fatalf("lock: %d", q.Status)
	}
	p = admin.submit(detail, "/admin/certificates/status", url.Values{"id": {all[0]}, "to": {"valid"}, "reason": {"x"}, "back": {detail}})
	if !strings.Contains(p.Text(`[data-testid="alert-error"]`), "锁定") {
		t.Fatalf("locked: %q", p.Text(`[data-testid="alert-error"]`))
	}
	// Others may not act.
	ent := w.e.client().signIn("jianshe")
	if s := ent.submit("/staff/certificates", "/admin/certificates/status", url.Values{"id": {all[0]}, "to": {"valid"}, "reason": {"x"}}).Status; s != http.StatusForbidden {
		t.Fatalf("enterprise: %d", s)
	}
}

func TestPublicVerification(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	admin := w.e.client().signIn("admin")
	certs := w.issue(t, admin)
	mine := certs[w.personA]
	anon := w.e.client()
	v := anon.get("/verify/" + mine.VerifyToken)
	if v.Status != http.StatusOK {
		t.Fatalf("verify: %d", v.Status)
	}
	masked := mine.IDNumber[:6] + strings.Repeat("*", 10) + mine.IDNumber[16:]
	if got := v.Text(`[data-testid="verify-证件号码"]`); got != masked || strings.Contains(v.Body, mine.IDNumber) {
		t.Fatalf("ID number %q (full shown: %v)", got, strings.Contains(v.Body, mine.IDNumber))
	}
	for sel, want := range map[string]string{"verify-姓名": "张三", "verify-证书编号": mine.Number, "verify-发证机关": models.IssuingAuthority,
		"verify-有效期至": "2029-12-04", "verify-发证日期": "2026-12-04", "verify-status": "有效"} {
		if got := v.Text(`[data-testid="` + sel + `"]`); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if !strings.Contains(v.Body, "以本页实时信息为准，打印件与本页不一致的视为无效") || !strings.Contains(v.Body, `content="noindex, nofollow"`) ||
		v.Header.Get("X-Robots-Tag") == "" || strings.Contains(v.Body, "<script") || v.Text(`[data-testid="verify-checked"]`) == "" {
		t.Fatal("notice, noindex, no script, checked time")
	}
	if v.Doc.Find(`[data-testid="verify-photo"]`).Length() != 0 {
		t.Fatal("a photo shown where none is stored")
	}
	if s := anon.get("/verify/" + strings.Repeat("a", 32)).Status; s != http.StatusNotFound {
		t.Fatalf("unknown token: %d", s)
	}
	// Live state: suspended shows in red with reason and date.
	admin.submit("/admin/certificates", "/admin/certificates/status", url.Values{"id": {strconv.FormatInt(mine.ID, 10)}, "to": {"suspended"}, "reason": {"违章作业"}})
	v = anon.get("/verify/" + mine.VerifyToken)
	if v.Text(`[data-testid="verify-invalid"]`) != "暂扣" || !strings.Contains(v.Text(`[data-testid="verify-status"]`), "违章作业") ||
		!strings.Contains(v.Text(`[data-testid="verify-status"]`), time.Now().In(models.Beijing).Format("2006-01-02")) {
		t.Fatalf("suspended: %q", v.Text(`[data-testid="verify-status"]`))
	}
	// 换发: the old token says 已换发 and links to the new page.
	admin.submit("/admin/certificates", "/admin/certificates/status", url.Values{"id": {strconv.FormatInt(mine.ID, 10)}, "to": {"valid"}, "reason": {"发还"}})
	detail := "/certificates/" + strconv.FormatInt(mine.ID, 10)
	if s := admin.submit(detail, "/admin/certificates/"+strconv.FormatInt(mine.ID, 10)+"/reissue", url.Values{"reason": {"遗失补办"}}).Status; s != http.StatusSeeOther {
		t.Fatalf("reissue: %d", s)
	}
	old := anon.get("/verify/" + mine.VerifyToken)
	cur, _ := old.Doc.Find(`[data-testid="verify-current"]`).Attr("href")
	if old.Doc.Find(`[data-testid="verify-superseded"]`).Length() != 1 || cur == "" || cur == "/verify/"+mine.VerifyToken {
		t.Fatalf("old token: superseded %d, link %q", old.Doc.Find(`[data-testid="verify-superseded"]`).Length(), cur)
	}
	if s := anon.get(cur).Text(`[data-testid="verify-status"]`); !strings.HasPrefix(s, "有效") {
		t.Fatalf("current page state %q", s)
	}
}

func TestVerifySearchNeedsBothAndCaptcha(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	mine := w.issue(t, w.e.client().signIn("admin"))[w.personA]
	anon := w.e.client()
	search := func(number, name string, rightCaptcha bool) *page {
		form := anon.get("/verify")
		id, _ := form.Doc.Find(`[data-testid="captcha-id"]`).Attr("value")
		answer := "0000"
		if rightCaptcha {
			answer = w.e.captchaAnswer(id)
		}
		return anon.submit("/verify", "/verify", url.Values{"number": {number}, "name": {name}, "captcha_id": {id}, "captcha_answer": {answer}})
	}
	if p := search(mine.Number, "张三", false); p.Status != http.StatusOK || p.Text(`[data-testid="error-captcha"]`) != "验证码不正确" {
		t.Fatalf("wrong captcha: %d", p.Status)
	}
	for _, c := range [][2]string{{mine.Number, ""}, {"", "张三"}, {mine.Number, "李思"}} {
		if p := search(c[0], c[1], true); p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) == "" {
			t.Fatalf("search %q: %d", c, p.Status)
		}
	}
	p := search(strings.NewReplacer("（", "(", "）", ")").Replace(mine.Number), "张三", true)
	if p.Status != http.StatusSeeOther || p.Location() != "/verify/"+mine.VerifyToken {
		t.Fatalf("search: %d %q", p.Status, p.Location())
	}
}

func TestVerifyIsRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	limited := false
	for range 40 {
		if c.get("/verify/"+strings.Repeat("b", 32)).Status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("40 verification pages a minute from one address were all served")
	}
}

func TestVerifyPhotoFollowsTheSetting(t *testing.T) {
	t.Parallel()
	for _, hide := range []bool{false, true} {
		w := newCertWorld(t)
		w.e.app.Cfg.HideVerifyPhoto = hide
		mine := w.issue(t, w.e.client().signIn("admin"))[w.personA]
		ctx := context.Background()
		key, err := w.e.app.Blobs.Put(ctx, testPhoto(t, 295, 413, "jpeg"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.e.db.NewUpdate().Table("certificates").Set("photo_key = ?", key).Where("id = ?", mine.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		anon := w.e.client()
		v := anon.get("/verify/" + mine.VerifyToken)
		src, shown := v.Doc.Find(`[data-testid="verify-photo"]`).Attr("src")
		photo := anon.get("/verify/" + mine.VerifyToken + "/photo")
		if hide {
			if shown || photo.Status != http.StatusNotFound {
				t.Errorf("hidden: shown %v, photo %d", shown, photo.Status)
			}
			continue
		}
		if !shown || anon.get(src).Status != http.StatusOK || photo.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("shown: %v %q %d", shown, src, photo.Status)
		}
	}
}
