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

	"examcert/internal/config"
	"examcert/internal/ident"
	"examcert/models"
)

// newID makes a valid ID number that no demo person has.
func newID(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 99))
	return ident.GenerateIDNumber(r, "110102", time.Date(1985+int(seed%10), 5, 20, 0, 0, 0, 0, time.UTC), ident.GenderFemale)
}

func addPerson(t *testing.T, c *client, base, idn, name string) *page {
	t.Helper()
	return c.submit(base+"/new", base, url.Values{"id_number": {idn}, "name": {name}, "education": {"本科"}, "phone": {"13800138000"}})
}

func (e *env) person(idn string) *models.Person {
	e.t.Helper()
	p, err := models.FindPersonByIDNumber(context.Background(), e.db, idn)
	if err != nil {
		e.t.Fatalf("person %s: %v", idn, err)
	}
	return p
}

func TestEnterpriseAddsEditsAndRemovesStaff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("jianshe")
	idn := newID(1)
	p := addPerson(t, c, "/staff", idn, "王小红")
	if p.Status != http.StatusSeeOther || p.Location() != "/staff?ok=added" {
		t.Fatalf("add: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	if got := c.get("/staff?ok=added").Text(`[data-testid="alert-ok"]`); got != "人员已添加" {
		t.Errorf("notice: %q", got)
	}
	list := c.get("/staff?q=王小红")
	row := list.Doc.Find(`[data-testid^="person-row-"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "王小红") {
		t.Fatalf("list: %q", row.Text())
	}
	if strings.Contains(list.Body, idn) || !strings.Contains(row.Text(), ident.MaskIDNumber(idn)) {
		t.Error("the list must show the ID number masked")
	}
	pr := e.person(idn)
	if pr.Gender != "女" || pr.BirthDate == nil || pr.OrganizationID == nil {
		t.Fatalf("stored person: %+v", pr)
	}
	id := strconv.FormatInt(pr.ID, 10)
	// Inline edit (htmx): the row turns into a form, saving turns it back with the new values.
	form := inTable(c.getHX("/staff/" + id + "/row/edit"))
	if form.Doc.Find(`tr.editing input[name="phone"][form="person-form-`+id+`"]`).Length() != 1 {
		t.Fatalf("inline form: %.400s", form.Body)
	}
	ver, _ := form.Doc.Find(`input[name="version"]`).Attr("value")
	saved := inTable(c.do(http.MethodPost, "/staff/"+id, url.Values{"_csrf": {c.csrf()}, "inline": {"1"}, "version": {ver},
		"name": {"王小红"}, "education": {"硕士研究生"}, "title": {"中级"}, "phone": {"13900139000"}}, true, nil))
	if saved.Text(`[data-testid="cell-phone"]`) != "13900139000" || saved.Text(`[data-testid="row-message"]`) != "修改保存成功" {
		t.Fatalf("inline save: %.500s", saved.Body)
	}
	// Inline validation errors stay in the row.
	bad := inTable(c.do(http.MethodPost, "/staff/"+id, url.Values{"_csrf": {c.csrf()}, "inline": {"1"}, "version": {strconv.Itoa(e.person(idn).Version)},
		"name": {"王小红"}, "education": {"本科"}, "phone": {"12345"}}, true, nil))
	if !strings.Contains(bad.Text(`[data-testid="error-phone"]`), "电话号码格式不正确") {
		t.Errorf("inline error: %.400s", bad.Body)
	}
	// Without JavaScript, 编辑 is a full page and saving redirects to the list.
	if r := c.get("/staff/" + id + "/row/edit"); r.Location() != "/staff/"+id+"/edit" {
		t.Errorf("row edit without htmx: %d %q", r.Status, r.Location())
	}
	full := c.get("/staff/" + id + "/edit")
	if v, _ := full.Doc.Find(`#id_number`).Attr("readonly"); v == "" && full.Doc.Find(`#id_number[readonly]`).Length() == 0 {
		t.Error("the ID number of a saved person must not be editable")
	}
	ver, _ = full.Doc.Find(`input[name="version"]`).Attr("value")
	r := c.do(http.MethodPost, "/staff/"+id, url.Values{"_csrf": {c.csrf()}, "version": {ver}, "name": {"王小红"}, "education": {"本科"},
		"phone": {"010-62345678"}, "major": {"土木工程"}, "work_start_date": {"2012/7/1"}}, false, nil)
	if r.Location() != "/staff?ok=saved" {
		t.Fatalf("full save: %d %s", r.Status, r.Text(`[data-testid="alert-error"]`))
	}
	if got := e.person(idn); got.Major != "土木工程" || got.WorkStartDate == nil || day(*got.WorkStartDate) != "2012-07-01" {
		t.Errorf("after full save: %+v", got)
	}
	// Detail shows the full number and is audited.
	d := c.get("/staff/" + id)
	if d.Text(`[data-testid="detail-身份证号"]`) != idn {
		t.Errorf("detail: %q", d.Text(`[data-testid="detail-身份证号"]`))
	}
	if len(e.auditEvents(models.EventPersonViewed)) != 1 {
		t.Error("detail view not audited")
	}
	// 移出: off the list, still in the system.
	rm := c.submitHX("/staff", "/staff/"+id+"/remove", url.Values{"confirmed": {"1"}}, true)
	if !strings.Contains(rm.Body, "已移出名单") {
		t.Fatalf("remove: %.300s", rm.Body)
	}
	if got := e.person(idn); got.OrganizationID != nil {
		t.Error("removed person still linked")
	}
	if c.get("/staff?q=王小红").Doc.Find(`[data-testid^="person-row-"]`).Length() != 0 {
		t.Error("removed person still listed")
	}
}

func day(t time.Time) string { return t.Format("2006-01-02") }

func TestAddingKnownPeople(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.client().signIn("jianshe"), e.client().signIn("jianshe2")
	idn := newID(2)
	addPerson(t, a, "/staff", idn, "赵六")
	// Another enterprise cannot take A's staff member (SECURITY.md 28): naming them files a 人员调入申请, listed
	// with the masked name only; asking twice says so. It must know the name.
	p := addPerson(t, b, "/staff", idn, "赵六")
	if p.Location() != "/staff?ok=requested" {
		t.Errorf("taking another's staff: %d %q", p.Status, p.Text(`[data-testid="error-id_number"]`))
	}
	list := b.get("/staff?ok=requested")
	if sent := list.Text(`[data-testid="join-sent"]`); !strings.Contains(sent, "赵*") || strings.Contains(list.Body, "赵六") ||
		!strings.Contains(list.Text(`[data-testid="alert-ok"]`), "调入申请") {
		t.Errorf("the requester's list: %q", sent)
	}
	if p := addPerson(t, b, "/staff", idn, "赵六"); !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "已向此人发出") {
		t.Errorf("asking twice: %q", p.Text(`[data-testid="error-id_number"]`))
	}
	p = addPerson(t, b, "/staff", idn, "赵七")
	if !strings.Contains(p.Text(`[data-testid="error-name"]`), "不一致") {
		t.Errorf("wrong name: %q", p.Text(`[data-testid="error-name"]`))
	}
	// Adding twice says so.
	if p := addPerson(t, a, "/staff", idn, "赵六"); !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "已在本单位") {
		t.Errorf("twice: %q", p.Text(`[data-testid="error-id_number"]`))
	}
	// A training institution may not put another's staff member, nor someone with their own account, on its
	// list by naming them (SECURITY.md 28; it used to be allowed): a request is filed, nothing of theirs comes onto
	// its list.
	tr := e.client().signIn("peixun")
	if p := addPerson(t, tr, "/trainees", idn, "赵六"); p.Location() != "/trainees?ok=requested" {
		t.Errorf("training taking another's staff member: %d %q", p.Status, p.Text(`[data-testid="error-id_number"]`))
	}
	if p := addPerson(t, tr, "/trainees", demoCode("zhangsan"), "张三"); p.Location() != "/trainees?ok=requested" {
		t.Errorf("training taking someone with an account: %d %q", p.Status, p.Text(`[data-testid="error-id_number"]`))
	}
	if p := addPerson(t, a, "/staff", demoCode("zhangsan"), "张三"); p.Location() != "/staff?ok=requested" {
		t.Errorf("enterprise taking someone with an account: %d %q", p.Status, p.Text(`[data-testid="error-id_number"]`))
	}
	if n := tr.get("/trainees?q=" + idn).Doc.Find(`[data-testid^="person-row-"]`).Length(); n != 0 {
		t.Errorf("trainees: %d rows", n)
	}
	// Invalid input: errors beside each field, nothing saved.
	p = addPerson(t, a, "/staff", "110101199003070013", "")
	if !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "校验码") || p.Text(`[data-testid="error-name"]`) != "请输入姓名" {
		t.Errorf("invalid: id %q name %q", p.Text(`[data-testid="error-id_number"]`), p.Text(`[data-testid="error-name"]`))
	}
}

func TestPersonLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ent := e.client().signIn("jianshe")
	idn := newID(3)
	// Unknown but valid: gender and birth date derived, no name.
	p := ent.getHX("/lookup/person?id_number=" + url.QueryEscape(" "+strings.ToLower(idn)+" "))
	if strings.Contains(p.Body, "<html") {
		t.Fatal("lookup must answer with a fragment")
	}
	if v, _ := p.Doc.Find(`#gender`).Attr("value"); v != "女" {
		t.Errorf("gender: %q", v)
	}
	if v, _ := p.Doc.Find(`#birth_date`).Attr("value"); v != "1988-05-20" {
		t.Errorf("birth date: %q", v)
	}
	if !strings.Contains(p.Text(`[data-testid="person-stage"]`), "尚无此人") {
		t.Errorf("stage: %q", p.Text(`[data-testid="person-stage"]`))
	}
	// Invalid: says why.
	p = ent.getHX("/lookup/person?id_number=110101199002300011")
	if !strings.Contains(p.Text(`[data-testid="lookup-error"]`), "出生日期") {
		t.Errorf("invalid: %q", p.Text(`[data-testid="lookup-error"]`))
	}
	// Known (another enterprise's staff): gender, birth date, 已在系统中登记 and a masked name (SECURITY.md 27); never
	// the name, the employer, phone, address or photo.
	other := e.client().signIn("jianshe2")
	other.submit("/staff/new", "/staff", url.Values{"id_number": {idn}, "name": {"钱八"}, "phone": {"13712345678"}, "address": {"北京市海淀区某路1号"}})
	p = ent.getHX("/lookup/person?id_number=" + idn)
	if v, _ := p.Doc.Find(`#name`).Attr("value"); v != "" {
		t.Errorf("name: %q", v)
	}
	if v, _ := p.Doc.Find(`#gender`).Attr("value"); v != "女" {
		t.Errorf("gender: %q", v)
	}
	if got := p.Text(`[data-testid="person-stage"]`); got != "此人已在系统中登记（钱*）" {
		t.Errorf("stage: %q", got)
	}
	if strings.Contains(p.Body, "钱八") || strings.Contains(p.Body, "宏远") || strings.Contains(p.Body, "13712345678") || strings.Contains(p.Body, "海淀") {
		t.Error("lookup revealed name, employer, phone or address")
	}
	// Audited, masked.
	evs := e.auditEvents(models.EventPersonLookup)
	if len(evs) < 2 || strings.Contains(evs[len(evs)-1].Object, idn) {
		t.Errorf("lookup audit: %+v", evs)
	}
	// Without JavaScript: the 核对 button posts the form and the page comes back filled, nothing saved.
	before := len(e.auditEvents(models.EventPersonAdded))
	p = ent.submit("/staff/new", "/staff", url.Values{"id_number": {idn}, "check": {"id"}})
	if v, _ := p.Doc.Find(`#name`).Attr("value"); v != "" || p.Status != http.StatusOK ||
		p.Text(`[data-testid="person-stage"]`) != "此人已在系统中登记（钱*）" || strings.Contains(p.Body, "钱八") {
		t.Errorf("check without JS: %d name %q stage %q", p.Status, v, p.Text(`[data-testid="person-stage"]`))
	}
	if len(e.auditEvents(models.EventPersonAdded)) != before {
		t.Error("a check saved something")
	}
	// Practitioners have no person lookup.
	if p := e.client().signIn("zhangsan").getHX("/lookup/person?id_number=" + idn); p.Status != http.StatusForbidden {
		t.Errorf("practitioner lookup: %d", p.Status)
	}
}

func TestLookupRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("jianshe")
	limited := false
	for i := 0; i < 40; i++ {
		if c.getHX("/lookup/person?id_number="+newID(uint64(i))).Status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("40 lookups in a row were not limited")
	}
	// Another account is not affected.
	if p := e.client().signIn("peixun").getHX("/lookup/person?id_number=" + newID(1)); p.Status != http.StatusOK {
		t.Errorf("other account: %d", p.Status)
	}
}

// Every path that tells what an ID number is shares one per-account budget (SECURITY.md 27): 25 核对 posts of the
// 新增人员 form are refused (429, with the plain message) before the 25th, the refusal is audited, and then the
// autofill, 新增人员 itself and the 报名表's 核对 are refused too; another account is not affected.
func TestLookupBudgetIsSharedByEveryPath(t *testing.T) {
	t.Parallel()
	// One lookup back every 100 minutes: on a loaded machine the default (one every 2 s) could refill the budget
	// between the refusal and the later paths, and the test would see 200 where 429 is due.
	e := newEnv(t, func(c *config.Config) { c.LookupRate = 0.01 })
	c := e.client().signIn("jianshe")
	limitedAt := 0
	for i := 1; i <= 25; i++ {
		p := c.submit("/staff/new", "/staff", url.Values{"id_number": {newID(uint64(100 + i))}, "check": {"id"}})
		if p.Status == http.StatusTooManyRequests {
			if !strings.Contains(p.Body, "查询过于频繁") {
				t.Errorf("429 without the message: %q", p.Body)
			}
			limitedAt = i
			break
		}
	}
	if limitedAt == 0 || limitedAt >= 25 {
		t.Fatalf("核对 limited at %d, want before the 25th", limitedAt)
	}
	limited := 0
	for _, ev := range e.auditEvents(models.EventPersonLookup) {
		if ev.Result == "rate_limited" {
			limited++
		}
	}
	if limited == 0 {
		t.Error("the refusal was not audited")
	}
	if p := c.getHX("/lookup/person?id_number=" + newID(1)); p.Status != http.StatusTooManyRequests {
		t.Errorf("autofill after the budget: %d", p.Status)
	}
	if p := addPerson(t, c, "/staff", newID(2), "孙七"); p.Status != http.StatusTooManyRequests {
		t.Errorf("新增人员 after the budget: %d", p.Status)
	}
	planID := createPlan(t, e, "限流考试", nil)
	if p := c.regPost(planID, map[string]string{"id_number": newID(3), "check": "id"}, nil); p.Status != http.StatusTooManyRequests {
		t.Errorf("报名表 核对 after the budget: %d", p.Status)
	}
	if p := c.regPost(planID, map[string]string{"id_number": newID(3), "name": "孙七"}, nil); p.Status != http.StatusTooManyRequests {
		t.Errorf("报名表 after the budget: %d", p.Status)
	}
	if n := len(e.auditEvents(models.EventPersonAdded)); n != 0 {
		t.Errorf("%d people added past the budget", n)
	}
	if p := e.client().signIn("jianshe2").submit("/staff/new", "/staff", url.Values{"id_number": {newID(4)}, "check": {"id"}}); p.Status != http.StatusOK {
		t.Errorf("another account: %d", p.Status)
	}
}

func TestOrganizationLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("zhangsan")
	p := c.getHX("/lookup/organization?employer_code=" + demoCode("jianshe"))
	if v, _ := p.Doc.Find(`#employer_name`).Attr("value"); v != "北京城建示范工程有限公司" {
		t.Errorf("known code: %q", v)
	}
	cc, _ := ident.ParseCreditCode(demoCode("jianshe"))
	p = c.getHX("/lookup/organization?employer_code=" + cc.OrgCode[:8] + "-" + cc.OrgCode[8:])
	if v, _ := p.Doc.Find(`#employer_name`).Attr("value"); v != "北京城建示范工程有限公司" {
		t.Errorf("organization code with hyphen: %q", v)
	}
	p = c.getHX("/lookup/organization?employer_code=91350100M000100Y43&employer_name=我的单位")
	if !strings.Contains(p.Text(`[data-testid="org-message"]`), "未登记") {
		t.Errorf("unknown code: %q", p.Text(`[data-testid="org-message"]`))
	}
	if v, _ := p.Doc.Find(`#employer_name`).Attr("value"); v != "我的单位" {
		t.Errorf("typed name lost: %q", v)
	}
	p = c.getHX("/lookup/organization?employer_code=91350100M000100Y44")
	if !strings.Contains(p.Text(`[data-testid="error-employer_code"]`), "校验") {
		t.Errorf("bad code: %q", p.Text(`[data-testid="error-employer_code"]`))
	}
}

// SECURITY.md 8/9: another organization's people are not found through any route.
func TestPeopleScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.client().signIn("jianshe")
	idn := newID(4)
	addPerson(t, a, "/staff", idn, "孙九")
	id := strconv.FormatInt(e.person(idn).ID, 10)
	for _, who := range []string{"jianshe2"} {
		b := e.client().signIn(who)
		for _, path := range []string{"/staff/" + id, "/staff/" + id + "/edit", "/staff/" + id + "/row", "/staff/" + id + "/row/edit", "/staff/" + id + "/photo"} {
			if p := b.get(path); p.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", who, path, p.Status)
			}
		}
		for _, path := range []string{"/staff/" + id, "/staff/" + id + "/remove"} {
			if p := b.do(http.MethodPost, path, url.Values{"_csrf": {b.csrf()}, "name": {"改名"}, "version": {"1"}, "inline": {"1"}}, false, nil); p.Status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d", who, path, p.Status)
			}
		}
		if b.get("/staff?q=孙九").Doc.Find(`[data-testid^="person-row-"]`).Length() != 0 {
			t.Errorf("%s sees another enterprise's staff in its list", who)
		}
	}
	tr := e.client().signIn("peixun")
	if p := tr.get("/trainees/" + id); p.Status != http.StatusNotFound {
		t.Errorf("training institution sees enterprise staff: %d", p.Status)
	}
	if e.person(idn).Name != "孙九" {
		t.Error("someone else changed the person")
	}
	// Extra form fields do not move a person to another organization.
	ver := strconv.Itoa(e.person(idn).Version)
	a.do(http.MethodPost, "/staff/"+id, url.Values{"_csrf": {a.csrf()}, "version": {ver}, "name": {"孙九"}, "organization_id": {"999"}, "id_number": {newID(5)}}, false, nil)
	if got := e.person(idn); got.IDNumber != idn || got.OrganizationID == nil || *got.OrganizationID == 999 {
		t.Errorf("extra fields took effect: %+v", got)
	}
}

func TestStaleVersionConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first, second := e.client().signIn("jianshe"), e.client().signIn("jianshe")
	idn := newID(6)
	addPerson(t, first, "/staff", idn, "周十")
	id := strconv.FormatInt(e.person(idn).ID, 10)
	// Both open the edit page.
	v1, _ := first.get("/staff/" + id + "/edit").Doc.Find(`input[name="version"]`).Attr("value")
	v2, _ := second.get("/staff/" + id + "/edit").Doc.Find(`input[name="version"]`).Attr("value")
	save := func(c *client, v, phone string, hx bool) *page {
		return c.do(http.MethodPost, "/staff/"+id, url.Values{"_csrf": {c.csrf()}, "version": {v}, "inline": {"1"}, "name": {"周十"}, "education": {"本科"}, "phone": {phone}}, hx, nil)
	}
	if p := save(first, v1, "13811111111", false); p.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", p.Status)
	}
	p := inTable(save(second, v2, "13822222222", true))
	if !strings.Contains(p.Text(`[data-testid="row-conflict"]`), "已被他人修改") {
		t.Fatalf("second save: %.500s", p.Body)
	}
	if v, _ := p.Doc.Find(`input[name="phone"]`).Attr("value"); v != "13811111111" {
		t.Errorf("the conflict row should show the stored value, got %q", v)
	}
	if got := e.person(idn).Phone; got != "13811111111" {
		t.Errorf("stored phone = %s; the first save must survive", got)
	}
	// Without JavaScript the full page says the same.
	p = second.do(http.MethodPost, "/staff/"+id, url.Values{"_csrf": {second.csrf()}, "version": {v2}, "name": {"周十"}, "phone": {"13833333333"}}, false, nil)
	if !strings.Contains(p.Text(`[data-testid="alert-error"]`), "已被他人修改") {
		t.Errorf("full page conflict: %q", p.Text(`[data-testid="alert-error"]`))
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("zhangsan")
	p := c.get("/profile")
	if p.Status != http.StatusOK || p.Doc.Find(`#id_number[readonly]`).Length() != 1 {
		t.Fatalf("profile page: %d", p.Status)
	}
	for _, f := range []string{"name", "education", "phone", "work_start_date"} {
		if p.Doc.Find(`[data-testid="field-`+f+`"] .req`).Length() != 1 {
			t.Errorf("%s not marked required", f)
		}
	}
	// Missing required fields: every error beside its field.
	p = c.submit("/profile", "/profile", url.Values{"name": {"张三"}})
	for f, msg := range map[string]string{"education": "请选择学历", "phone": "请输入手机号码", "work_start_date": "请输入参加工作时间"} {
		if got := p.Text(`[data-testid="error-` + f + `"]`); got != msg {
			t.Errorf("%s: %q; want %q", f, got, msg)
		}
	}
	// A full save; the ID number in the form is ignored.
	ver, _ := c.get("/profile").Doc.Find(`input[name="version"]`).Attr("value")
	p = c.submit("/profile", "/profile", url.Values{"version": {ver}, "id_number": {newID(7)}, "name": {"张三"}, "education": {"大专"}, "phone": {"13512345678"},
		"work_start_date": {"2010-09-01"}, "employer_code": {demoCode("jianshe")}, "title": {"初级"}})
	if p.Location() != "/profile?ok=1" {
		t.Fatalf("save: %d %s %v", p.Status, p.Text(`[data-testid="alert-error"]`), p.Doc.Find(".error").Text())
	}
	if got := c.get(p.Location()).Text(`[data-testid="alert-ok"]`); got != "修改保存成功" {
		t.Errorf("notice: %q", got)
	}
	me := e.person(demoCode("zhangsan"))
	if me.Education != "大专" || me.OrganizationID == nil {
		t.Fatalf("saved: %+v", me)
	}
	// By naming the enterprise as 工作单位 he is now on its staff list.
	if !strings.Contains(e.client().signIn("jianshe").get("/staff").Body, "张三") {
		t.Error("the employer does not see its new staff member")
	}
	// Work start before the age of 14 is refused.
	p = c.submit("/profile", "/profile", url.Values{"name": {"张三"}, "education": {"大专"}, "phone": {"13512345678"}, "work_start_date": {"1995-01-01"}})
	if !strings.Contains(p.Text(`[data-testid="error-work_start_date"]`), "14周岁") {
		t.Errorf("too early: %q", p.Text(`[data-testid="error-work_start_date"]`))
	}
}

func TestAdminOrganizations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("admin")
	p := c.submit("/admin/organizations/new", "/admin/organizations", url.Values{"kind": {"training"}, "name": {"北京测试培训中心"}, "code": {"M000100Y4"}, "contact_phone": {"abc"}})
	if !strings.Contains(p.Text(`[data-testid="error-contact_phone"]`), "格式不正确") {
		t.Errorf("bad phone accepted: %q", p.Text(`[data-testid="error-contact_phone"]`))
	}
	p = c.submit("/admin/organizations/new", "/admin/organizations", url.Values{"kind": {"training"}, "name": {"北京测试培训中心"}, "code": {"M000100Y5"}})
	if !strings.Contains(p.Text(`[data-testid="error-code"]`), "校验码") {
		t.Errorf("bad code accepted: %q", p.Text(`[data-testid="error-code"]`))
	}
	p = c.submit("/admin/organizations/new", "/admin/organizations", url.Values{"kind": {"training"}, "name": {"北京测试培训中心"}, "code": {"M000100Y4"}})
	if p.Location() != "/admin/organizations?ok=created" {
		t.Fatalf("create: %d %s", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	if p := c.submit("/admin/organizations/new", "/admin/organizations", url.Values{"kind": {"enterprise"}, "name": {"重复"}, "code": {"M000100Y4"}}); p.Text(`[data-testid="error-code"]`) != "该代码已登记" {
		t.Errorf("duplicate code: %q", p.Text(`[data-testid="error-code"]`))
	}
	list := c.get("/admin/organizations?q=M000100Y4")
	if n := list.Doc.Find(`[data-testid="org-row"]`).Length(); n != 1 {
		t.Fatalf("search by code: %d rows", n)
	}
	edit, _ := list.Doc.Find(`[data-testid="org-row"] a`).Attr("href")
	form := c.get(edit)
	ver, _ := form.Doc.Find(`input[name="version"]`).Attr("value")
	p = c.do(http.MethodPost, edit, url.Values{"_csrf": {c.csrf()}, "version": {ver}, "name": {"北京测试培训中心（新）"}, "code": {"M000100Y4"}}, false, nil)
	if p.Location() != "/admin/organizations?ok=saved" {
		t.Fatalf("update: %d %s", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	// The same stale version again: conflict.
	p = c.do(http.MethodPost, edit, url.Values{"_csrf": {c.csrf()}, "version": {ver}, "name": {"覆盖"}, "code": {"M000100Y4"}}, false, nil)
	if !strings.Contains(p.Text(`[data-testid="alert-error"]`), "已被他人修改") {
		t.Errorf("stale update: %q", p.Text(`[data-testid="alert-error"]`))
	}
	// The enterprise's accounts are listed on its page.
	o, _ := models.FindOrganizationByCode(context.Background(), e.db, demoCode("jianshe"), "")
	if !strings.Contains(c.get("/admin/organizations/"+strconv.FormatInt(o.ID, 10)).Text(`[data-testid="org-accounts"]`), "jianshe") {
		t.Error("accounts of the organization not shown")
	}
}
