package handlers_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/internal/ident"
	"examcert/internal/national"
	"examcert/internal/national/nationaltest"
	"examcert/models"
)

// transferForm is a valid 证书进京申请表 for idn: a C3 certificate from Hebei with two years left, to jianshe.
func transferForm(t *testing.T, e *env, idn string) url.Values {
	t.Helper()
	var c3 int64
	if err := e.db.NewSelect().Table("exam_categories").Column("id").Where("cert_code = 'C3'").Scan(context.Background(), &c3); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	return url.Values{"id_number": {idn}, "name": {"赵进京"}, "phone": {"13800138000"}, "title": {"中级"},
		"duty": {"专职安全生产管理人员"}, "category_id": {strconv.FormatInt(c3, 10)}, "cert_number": {"冀建安C3（2024）" + idn[10:17]},
		"authority": {"河北省住房和城乡建设厅"}, "first_issued_on": {now.AddDate(-1, 0, 0).Format(time.DateOnly)},
		"valid_from": {now.AddDate(-1, 0, 0).Format(time.DateOnly)}, "valid_until": {now.AddDate(2, 0, 0).Format(time.DateOnly)},
		"orig_employer": {"河北某建设有限公司"}, "employer_name": {"北京城建示范工程有限公司"}, "employer_code": {demoCode("jianshe")}}
}

var transferRand = rand.New(rand.NewPCG(7, 13))

func newIDNumber(year int) string {
	return ident.GenerateIDNumber(transferRand, "130102", time.Date(year, 5, 6, 0, 0, 0, 0, time.UTC), ident.GenderMale)
}

// appFromLocation is the application id of a /transfers/:id?ok=saved redirect.
func appFromLocation(t *testing.T, loc string) int64 {
	t.Helper()
	rest, ok := strings.CutPrefix(loc, "/transfers/")
	if !ok || !strings.HasSuffix(rest, "?ok=saved") {
		t.Fatalf("location %q", loc)
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(rest, "?ok=saved"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func loadApp(t *testing.T, e *env, id int64) models.CertApplication {
	t.Helper()
	var a models.CertApplication
	if err := e.db.NewSelect().Model(&a).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTransferListAndForm(t *testing.T) {
	e := newEnv(t)
	tr := e.client().signIn("peixun")
	p := tr.get("/transfers")
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid="transfer-new"]`).Length() != 1 || p.Doc.Find(`[data-testid="transfer-empty"]`).Length() != 1 {
		t.Fatalf("list: %d", p.Status)
	}
	f := tr.get("/transfers/new")
	notes := f.Text(`[data-testid="transfer-notes"]`)
	for _, want := range []string{"格式说明", "现聘用单位公章", "证书转出材料", "身份证", "证书原件", "社保"} {
		if !strings.Contains(notes, want) {
			t.Errorf("格式说明 lacks %s", want)
		}
	}
	for _, name := range []string{"id_number", "name", "cert_number", "category_id", "authority", "first_issued_on", "valid_from", "valid_until", "orig_employer", "employer_code", "employer_name", "duty"} {
		if f.Doc.Find(`[data-testid="field-`+name+`"] .req`).Length() != 1 {
			t.Errorf("%s has no red *", name)
		}
	}
	if hx, _ := f.Doc.Find(`input[name="id_number"]`).Attr("hx-get"); hx != "/lookup/person" {
		t.Errorf("ID number autofill: %q", hx)
	}
	if !strings.Contains(f.Text(`[data-testid="platform-note"]`), "未接入全国平台") || f.Doc.Find(`[data-testid="national-list"]`).Length() != 0 {
		t.Error("no platform: the form should say it is filled by hand")
	}
	// The autofill without JavaScript: 核对身份证号 shows the gender and birth date of someone unknown.
	idn := newIDNumber(1985)
	chk := tr.submit("/transfers/new", "/transfers/new", url.Values{"id_number": {idn}, "check": {"id"}})
	if v, _ := chk.Doc.Find(`input[name="birth_date"]`).Attr("value"); v != "1985-05-06" || chk.Doc.Find(`input[name="gender"]`).AttrOr("value", "") != "男" {
		t.Errorf("autofill: birth %q", v)
	}
	// Typing the ID number of someone known: without JavaScript (核对身份证号) and with htmx (the autofill), the
	// stored gender and birth date, and, for someone outside the institution's people, only their masked name.
	lisi := e.personOf("lisi")
	for _, hx := range []bool{false, true} {
		var got *page
		if hx {
			got = autofill(tr, lisi.IDNumber, nil)
			if strings.Contains(got.Body, "<html") {
				t.Error("the htmx autofill is a whole page")
			}
		} else {
			got = tr.submit("/transfers/new", "/transfers/new", url.Values{"id_number": {lisi.IDNumber}, "check": {"id"}})
		}
		stage := got.Text(`[data-testid="person-stage"]`)
		if got.Status != http.StatusOK || !strings.HasPrefix(stage, models.MsgRegisteredElsewhere+"（李") || strings.Contains(stage, lisi.Name) ||
			got.Doc.Find(`input[name="birth_date"]`).AttrOr("value", "") != lisi.BirthDate.Format("2006-01-02") ||
			got.Doc.Find(`input[name="gender"]`).AttrOr("value", "") != lisi.Gender {
			t.Errorf("known person (htmx %v): %d, stage %q, birth %q", hx, got.Status, stage, got.Doc.Find(`input[name="birth_date"]`).AttrOr("value", ""))
		}
	}
	// A practitioner's form is their own.
	zs := e.client().signIn("zhangsan")
	own := zs.get("/transfers/new")
	if v := own.Doc.Find(`input[name="id_number"]`); v.AttrOr("value", "") != e.personOf("zhangsan").IDNumber || v.AttrOr("readonly", "x") == "x" {
		t.Error("practitioner: own ID number, read-only")
	}
	// Others may not.
	for _, u := range []string{"jianshe", "admin"} {
		if p := e.client().signIn(u).get("/transfers/new"); p.Status != http.StatusForbidden {
			t.Errorf("%s: %d", u, p.Status)
		}
	}
}

func (e *env) personOf(username string) *models.Person {
	e.t.Helper()
	a := e.account(username)
	p, err := models.GetPerson(context.Background(), e.db, *a.PersonID)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func TestTransferSaveShowDelete(t *testing.T) {
	e := newEnv(t)
	tr := e.client().signIn("peixun")
	form := transferForm(t, e, newIDNumber(1986))
	// Forged fields are ignored.
	forged := url.Values{}
	for k, v := range form {
		forged[k] = v
	}
	forged.Set("status", "decided")
	forged.Set("organization_id", "1")
	forged.Set("person_id", "1")
	forged.Set("new_certificate_id", "1")
	p := tr.submit("/transfers/new", "/transfers/new", forged)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, p.Text(`.alert.error`))
	}
	id := appFromLocation(t, p.Location())
	app := loadApp(t, e, id)
	jianshe := e.account("jianshe")
	if app.Status != models.AppUnitPending || app.OrganizationID == nil || *app.OrganizationID != *jianshe.OrganizationID ||
		app.PersonID != nil || app.NewCertificateID != nil || app.Source != models.TransferManual {
		t.Fatalf("saved %+v", app)
	}
	show := tr.get(p.Location())
	if show.Text(`[data-testid="alert-ok"]`) != "申请成功" {
		t.Fatalf("no 申请成功: %s", show.Text(`.alert`))
	}
	if show.Text(`[data-testid="transfer-status"]`) != "待单位确认" || show.Doc.Find(`[data-testid="transfer-delete"]`).Length() != 1 ||
		show.Doc.Find(`[data-testid="transfer-back"]`).Length() != 1 {
		t.Fatalf("view: status %q", show.Text(`[data-testid="transfer-status"]`))
	}
	printURL := show.Doc.Find(`[data-testid="transfer-print"]`).AttrOr("href", "")
	if printURL != "/applications/"+strconv.FormatInt(id, 10)+"/pdf" {
		t.Errorf("【打印】 links to %q", printURL)
	} else if pdf := tr.get(printURL); pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Errorf("【打印】: %d %q", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	if got := show.Text(`[data-testid="transfer-身份证号"]`); got != ident.MaskIDNumber(form.Get("id_number")) {
		t.Errorf("view shows the ID number %q", got)
	}
	list := tr.get("/transfers")
	if list.Doc.Find(`[data-testid="transfer-row"]`).Length() != 1 || list.Text(`[data-testid="transfer-status"]`) != "待单位确认" {
		t.Fatal("list row")
	}
	if href := list.Doc.Find(`[data-testid="transfer-detail"]`).AttrOr("href", ""); href == "" {
		t.Fatal("【详细】 has no link")
	}
	// Another's application is 404, everywhere.
	for _, u := range []string{"peixun2", "zhangsan"} {
		o := e.client().signIn(u)
		if g := o.get("/transfers/" + strconv.FormatInt(id, 10)); g.Status != http.StatusNotFound {
			t.Errorf("%s show: %d", u, g.Status)
		}
		if d := o.submit("/transfers", "/transfers/"+strconv.FormatInt(id, 10)+"/delete", url.Values{"confirmed": {"1"}}); d.Status != http.StatusNotFound {
			t.Errorf("%s delete: %d", u, d.Status)
		}
		if l := o.get("/transfers"); l.Doc.Find(`[data-testid="transfer-row"]`).Length() != 0 {
			t.Errorf("%s sees the row", u)
		}
	}
	// 删除 without JavaScript: a page that asks, then 确认删除.
	del := "/transfers/" + strconv.FormatInt(id, 10) + "/delete"
	ask := tr.submit("/transfers", del, url.Values{})
	if ask.Status != http.StatusOK || ask.Doc.Find(`[data-testid="confirm-page"]`).Length() != 1 || !strings.Contains(ask.Body, "确认删除") {
		t.Fatalf("ask: %d", ask.Status)
	}
	if loadApp(t, e, id).Status != models.AppUnitPending {
		t.Fatal("deleted before the confirmation")
	}
	done := tr.submit("/transfers", del, url.Values{"confirmed": {"1"}})
	if done.Status != http.StatusSeeOther || done.Location() != "/transfers?ok=deleted" || loadApp(t, e, id).Status != models.AppWithdrawn {
		t.Fatalf("delete: %d %q", done.Status, done.Location())
	}
	if tr.get(done.Location()).Text(`[data-testid="alert-ok"]`) != "已删除" {
		t.Error("no 已删除")
	}
	// With htmx: save and delete in place (HX-Redirect); the form asks with hx-confirm.
	form2 := transferForm(t, e, newIDNumber(1987))
	hx := tr.submitHX("/transfers/new", "/transfers/new", form2, true)
	id2 := appFromLocation(t, hx.Header.Get("HX-Redirect"))
	v := tr.get("/transfers/" + strconv.FormatInt(id2, 10))
	if c := v.Doc.Find(`form[hx-confirm]`); c.Length() != 1 || !strings.Contains(c.AttrOr("hx-vals", ""), "confirmed") {
		t.Fatal("删除 has no hx-confirm")
	}
	hd := tr.submitHX("/transfers", "/transfers/"+strconv.FormatInt(id2, 10)+"/delete", url.Values{"confirmed": {"1"}}, true)
	if hd.Header.Get("HX-Redirect") != "/transfers?ok=deleted" || loadApp(t, e, id2).Status != models.AppWithdrawn {
		t.Fatalf("htmx delete: %q", hd.Header.Get("HX-Redirect"))
	}
}

func TestTransferErrorsBesideFields(t *testing.T) {
	e := newEnv(t)
	tr := e.client().signIn("peixun")
	form := transferForm(t, e, newIDNumber(1984))
	form.Set("valid_until", models.Now().AddDate(0, 0, 5).Format(time.DateOnly))
	form.Set("duty", "项目负责人（项目经理）")
	form.Set("employer_name", "北京宏远建设集团有限公司")
	form.Set("cert_number", "")
	for _, hx := range []bool{false, true} {
		p := tr.submitHX("/transfers/new", "/transfers/new", form, hx)
		if p.Status != http.StatusOK {
			t.Fatalf("hx=%v: %d", hx, p.Status)
		}
		for field, want := range map[string]string{"valid_until": "不足15天", "duty": "职务与岗位不符", "employer_name": "不符", "cert_number": "证书编号"} {
			if got := p.Text(`[data-testid="error-` + field + `"]`); !strings.Contains(got, want) {
				t.Errorf("hx=%v %s: %q", hx, field, got)
			}
		}
		if hx == (p.Doc.Find(`nav, .menu`).Length() > 0) {
			t.Errorf("hx=%v: fragment/full page mixed up", hx)
		}
		if v := p.Doc.Find(`input[name="birth_date"]`).AttrOr("value", ""); v != "1984-05-06" {
			t.Errorf("hx=%v: birth date from the ID number %q", hx, v)
		}
		if v := p.Doc.Find(`input[name="orig_employer"]`).AttrOr("value", ""); v != "河北某建设有限公司" {
			t.Errorf("typed value lost: %q", v)
		}
	}
	// A 15-digit number; under 90 days saves with the warning.
	form = transferForm(t, e, newIDNumber(1983))
	form.Set("id_number", "130102830506001")
	if p := tr.submit("/transfers/new", "/transfers/new", form); !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "18位") {
		t.Errorf("15-digit: %q", p.Text(`[data-testid="error-id_number"]`))
	}
	form = transferForm(t, e, newIDNumber(1983))
	form.Set("valid_until", models.Now().AddDate(0, 0, 40).Format(time.DateOnly))
	p := tr.submit("/transfers/new", "/transfers/new", form)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("40 days: %d", p.Status)
	}
	if w := tr.get(p.Location()).Text(`[data-testid="transfer-warning"]`); !strings.Contains(w, "及时办理续期") {
		t.Errorf("warning %q", w)
	}
	// The same certificate again: a duplicate.
	again := tr.submit("/transfers/new", "/transfers/new", form)
	if !strings.Contains(again.Text(`[data-testid="error-cert_number"]`), "已申请进京") {
		t.Errorf("duplicate: %q", again.Text(`[data-testid="error-cert_number"]`))
	}
}

func TestTransferNationalPlatform(t *testing.T) {
	e := newEnv(t)
	idn := newIDNumber(1982)
	now := models.Now()
	day := func(y int) time.Time { return time.Date(now.Year()+y, 3, 1, 0, 0, 0, 0, time.UTC) }
	c3 := national.OutgoingCertificate{LicenseID: "1.2.156.3005.2.11100000000013338W011.11130000000000000X.20240000001.001.A",
		Number: "冀建安C3（2024）0000001", Name: "钱平台", IDNumber: idn, CategoryCode: "C3", Authority: "河北省住房和城乡建设厅",
		IssuedOn: day(-2), ValidFrom: day(-2), ValidUntil: day(2), Employer: "河北原单位有限公司"}
	other := c3
	other.LicenseID, other.Number, other.CategoryCode = c3.LicenseID+"2", "冀建安B（2024）0000002", "B"
	srv := nationaltest.New(c3, other)
	defer srv.Close()
	e.app.National = national.New(srv.URL)
	tr := e.client().signIn("peixun")
	f := tr.get("/transfers/new")
	if f.Doc.Find(`[data-testid="national-list"]`).Length() != 1 || f.Doc.Find(`[data-testid="platform-note"]`).Length() != 0 {
		t.Fatal("platform configured: 从全国平台选择 offered")
	}
	// 从全国平台选择 lists the person's released certificates.
	list := tr.submit("/transfers/new", "/transfers/new", url.Values{"id_number": {idn}, "name": {"钱平台"}, "check": {"national"}})
	if n := list.Doc.Find(`[data-testid="national-outgoing"] tbody tr`).Length(); n != 2 {
		t.Fatalf("listed %d", n)
	}
	// Picking one fills the certificate part (and, with htmx, the same in place).
	for _, hx := range []bool{false, true} {
		pick := tr.submitHX("/transfers/new", "/transfers/new", url.Values{"id_number": {idn}, "check": {"pick"}, "pick": {c3.LicenseID}}, hx)
		val := func(n string) string { return pick.Doc.Find(`[name="`+n+`"]`).AttrOr("value", "") }
		if val("cert_number") != c3.Number || val("authority") != c3.Authority || val("valid_until") != c3.ValidUntil.Format(time.DateOnly) ||
			val("orig_employer") != c3.Employer || val("source") != "platform" || val("source_license_id") != c3.LicenseID {
			t.Fatalf("hx=%v picked: %q %q", hx, val("cert_number"), val("source"))
		}
		if pick.Doc.Find(`select[name="category_id"] option[selected]`).Text() == "" {
			t.Errorf("hx=%v: 岗位 not taken from the 类别 code", hx)
		}
	}
	// 保存 takes the platform's values, whatever was posted beside the pick.
	form := transferForm(t, e, idn)
	form.Set("source", "platform")
	form.Set("source_license_id", c3.LicenseID)
	form.Set("cert_number", "伪造编号")
	form.Set("valid_until", now.AddDate(5, 0, 0).Format(time.DateOnly))
	p := tr.submit("/transfers/new", "/transfers/new", form)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %v", p.Status, p.Text(`.error`))
	}
	app := loadApp(t, e, appFromLocation(t, p.Location()))
	if app.Source != models.TransferFromPlatform || app.SourceLicenseID != c3.LicenseID || app.CertNumber != c3.Number ||
		!app.ValidUntil.Equal(c3.ValidUntil) || app.OrigEmployer != c3.Employer {
		t.Fatalf("saved %+v", app)
	}
	// A pick of a certificate that is not on the list is refused.
	form = transferForm(t, e, newIDNumber(1981))
	form.Set("source", "platform")
	form.Set("source_license_id", c3.LicenseID)
	if p := tr.submit("/transfers/new", "/transfers/new", form); !strings.Contains(p.Text(`[data-testid="error-cert_number"]`), "不在全国平台") {
		t.Errorf("foreign pick: %q", p.Text(`[data-testid="error-cert_number"]`))
	}
	// The platform failing: a plain note, and the form saved as typed (manual).
	srv.SetFailing(true)
	down := tr.submit("/transfers/new", "/transfers/new", url.Values{"id_number": {idn}, "check": {"national"}})
	if !strings.Contains(down.Text(`[data-testid="platform-note"]`), "全国平台暂不可用") {
		t.Fatalf("failing: %q", down.Text(`[data-testid="platform-note"]`))
	}
	manual := transferForm(t, e, newIDNumber(1980))
	p = tr.submit("/transfers/new", "/transfers/new", manual)
	if p.Status != http.StatusSeeOther || loadApp(t, e, appFromLocation(t, p.Location())).Source != models.TransferManual {
		t.Fatalf("manual while failing: %d", p.Status)
	}
}

func TestTransferResubmitAndCertificate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	zs := e.client().signIn("zhangsan")
	me := e.personOf("zhangsan")
	form := transferForm(t, e, me.IDNumber)
	form.Set("name", me.Name)
	p := zs.submit("/transfers/new", "/transfers/new", form)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, p.Text(`.error`))
	}
	id := appFromLocation(t, p.Location())
	sid := strconv.FormatInt(id, 10)
	ent := models.Actor{Account: e.account("jianshe")}
	admin := models.Actor{Account: e.account("admin")}
	act := func(by models.Actor, to models.AppStatus, reason string) {
		t.Helper()
		if _, err := models.ActOnApplications(ctx, e.db, by, models.AppAction{IDs: []int64{id}, To: to, Reason: reason}); err != nil {
			t.Fatalf("→ %s: %v", to, err)
		}
	}
	if g := zs.get("/transfers/" + sid + "/edit"); g.Status != http.StatusNotFound {
		t.Fatalf("edit before 退回修改: %d", g.Status)
	}
	act(ent, models.AppReturned, "职称填写有误")
	edit := zs.get("/transfers/" + sid + "/edit")
	if !strings.Contains(edit.Text(`[data-testid="transfer-return-reason"]`), "职称填写有误") ||
		edit.Doc.Find(`input[name="cert_number"]`).AttrOr("value", "") != form.Get("cert_number") {
		t.Fatal("edit form")
	}
	form.Set("title", "副高级")
	r := zs.submit("/transfers/"+sid+"/edit", "/transfers/"+sid+"/edit", form)
	if r.Status != http.StatusSeeOther || loadApp(t, e, id).Status != models.AppUnitPending || loadApp(t, e, id).Title != "副高级" {
		t.Fatalf("resubmit: %d", r.Status)
	}
	if o := e.client().signIn("peixun").submit("/transfers", "/transfers/"+sid+"/edit", form); o.Status != http.StatusNotFound {
		t.Errorf("another's resubmit: %d", o.Status)
	}
	act(ent, models.AppApplied, "")
	act(admin, models.AppAccepted, "")
	act(admin, models.AppReviewed, "")
	act(admin, models.AppDecided, "")
	if s := zs.get("/transfers").Text(`[data-testid="transfer-status"]`); s != "已编号" {
		t.Fatalf("status %q", s)
	}
	app := loadApp(t, e, id)
	var cert models.Certificate
	if err := e.db.NewSelect().Model(&cert).Where("id = ?", *app.NewCertificateID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	mine := zs.get("/certificates")
	if !strings.Contains(mine.Text(`[data-testid="cert-row"]`), cert.Number) {
		t.Fatalf("个人证书信息 lacks %s", cert.Number)
	}
	v := e.client().get("/verify/" + cert.VerifyToken)
	if v.Status != http.StatusOK || !strings.Contains(v.Body, cert.Number) {
		t.Fatalf("verify: %d", v.Status)
	}
}

// TestTransferDecisionRefusedPlainly: 决定通过 in the registry's inbox when the person meanwhile holds a Beijing
// certificate of the 岗位: refused in Chinese, nothing moved.
func TestTransferDecisionRefusedPlainly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tr := e.client().signIn("peixun")
	form := transferForm(t, e, newIDNumber(1979))
	p := tr.submit("/transfers/new", "/transfers/new", form)
	id := appFromLocation(t, p.Location())
	ent, admin := models.Actor{Account: e.account("jianshe")}, models.Actor{Account: e.account("admin")}
	for _, s := range []struct {
		by models.Actor
		to models.AppStatus
	}{{ent, models.AppApplied}, {admin, models.AppAccepted}, {admin, models.AppReviewed}} {
		if _, err := models.ActOnApplications(ctx, e.db, s.by, models.AppAction{IDs: []int64{id}, To: s.to}); err != nil {
			t.Fatal(err)
		}
	}
	app := loadApp(t, e, id)
	person := models.Person{IDNumber: app.IDNumber, Name: app.Name, Gender: app.Gender}
	if err := models.InsertPerson(ctx, e.db, &person); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	if _, err := e.db.NewInsert().Model(&models.Certificate{Number: "京建安C3（2026）0777777", PersonID: person.ID, CategoryID: *app.CategoryID,
		Kind: models.CertSafety, Code: "C3", PostName: "安全员", Name: app.Name, Gender: app.Gender, IDNumber: app.IDNumber,
		Authority: models.IssuingAuthority, FirstIssuedOn: now, IssuedOn: now, ValidFrom: now, Status: models.CertValid,
		Business: models.BusinessFirst, VerifyToken: "decision-held", CreatedAt: now, UpdatedAt: now, Version: 1}).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	a := e.client().signIn("admin")
	r := a.submit("/admin/applications", "/admin/applications", url.Values{"one": {"decide:" + strconv.FormatInt(id, 10)}})
	if msg := r.Text(`[data-testid="alert-error"]`); !strings.Contains(msg, "已持有本市该岗位有效证书（京建安C3（2026）0777777）") {
		t.Fatalf("decision: %d %q", r.Status, msg)
	}
	if loadApp(t, e, id).Status != models.AppReviewed {
		t.Fatal("moved")
	}
}
