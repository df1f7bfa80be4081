package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"examcert/models"
)

// autofill is the request htmx sends when 身份证号 changes: the number and the autofill's fields as they stand
// (姓名, 性别, 出生日期, 学历, 手机号码 and what the last autofill filled), plus the 报名表's plan.
func autofill(c *client, idNumber string, fields url.Values) *page {
	q := url.Values{"id_number": {idNumber}, "name": {""}, "gender": {""}, "birth_date": {""}, "education": {""}, "phone": {""}}
	for k, v := range fields {
		q[k] = v
	}
	return c.getHX("/lookup/person?" + q.Encode())
}

func selectedEducation(p *page) string {
	v, _ := p.Doc.Find(`#education option[selected]`).Attr("value")
	return v
}

func fieldValue(p *page, id string) string {
	v, _ := p.Doc.Find("#" + id).Attr("value")
	return v
}

// The htmx autofill fills one's own person's 学历 and 手机号码 as stored (they are inside the swapped fragment);
// someone else's stay as typed, and what the previous autofill filled does not stay for the next number.
func TestAutofillFillsOwnPersonsEducationAndPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ent := e.client().signIn("jianshe")
	// The staff form's autofill region holds 学历 and 手机号码, so the fragment replaces them.
	if n := ent.get("/staff/new").Doc.Find(`#person-autofill #education, #person-autofill #phone`).Length(); n != 2 {
		t.Fatalf("staff form: %d of 学历/手机号码 inside the autofill", n)
	}
	own := newID(401)
	ent.submit("/staff/new", "/staff", url.Values{"id_number": {own}, "name": {"孙自有"}, "education": {"本科"}, "phone": {"13712345001"}})
	p := autofill(ent, own, nil)
	if p.Status != http.StatusOK || strings.Contains(p.Body, "<html") {
		t.Fatalf("lookup: %d", p.Status)
	}
	if fieldValue(p, "name") != "孙自有" || selectedEducation(p) != "本科" || fieldValue(p, "phone") != "13712345001" {
		t.Errorf("own person: name %q 学历 %q 手机号码 %q", fieldValue(p, "name"), selectedEducation(p), fieldValue(p, "phone"))
	}
	// Then a number nobody has: what the autofill filled is cleared, what the user typed stays.
	filled := url.Values{"name": {"孙自有"}, "education": {"本科"}, "phone": {"13712345001"},
		"filled_name": {"孙自有"}, "filled_education": {"本科"}, "filled_phone": {"13712345001"}}
	p = autofill(ent, newID(402), filled)
	if fieldValue(p, "name") != "" || selectedEducation(p) != "" || fieldValue(p, "phone") != "" {
		t.Errorf("after an unknown number: name %q 学历 %q 手机号码 %q", fieldValue(p, "name"), selectedEducation(p), fieldValue(p, "phone"))
	}
	filled.Set("phone", "13900000002") // typed over the filled value: kept
	p = autofill(ent, newID(403), filled)
	if fieldValue(p, "phone") != "13900000002" || selectedEducation(p) != "" {
		t.Errorf("typed phone: %q 学历 %q", fieldValue(p, "phone"), selectedEducation(p))
	}
	// Someone outside one's people: nothing stored is shown, the values typed stay, the previous person's go.
	other := e.client().signIn("jianshe2")
	outside := newID(404)
	other.submit("/staff/new", "/staff", url.Values{"id_number": {outside}, "name": {"周外人"}, "education": {"硕士"}, "phone": {"13712345003"}})
	p = autofill(ent, outside, url.Values{"phone": {"13900000004"}, "education": {"大专"}})
	if fieldValue(p, "name") != "" || selectedEducation(p) != "大专" || fieldValue(p, "phone") != "13900000004" {
		t.Errorf("outside, typed: name %q 学历 %q 手机号码 %q", fieldValue(p, "name"), selectedEducation(p), fieldValue(p, "phone"))
	}
	filled.Set("phone", "13712345001")
	p = autofill(ent, outside, filled)
	if fieldValue(p, "name") != "" || selectedEducation(p) != "" || fieldValue(p, "phone") != "" {
		t.Errorf("outside after own: name %q 学历 %q 手机号码 %q", fieldValue(p, "name"), selectedEducation(p), fieldValue(p, "phone"))
	}
	if strings.Contains(p.Body, "周外人") || strings.Contains(p.Body, "13712345003") || strings.Contains(p.Body, "硕士\" selected") {
		t.Error("lookup revealed an outside person's name or phone")
	}
}

// On the 报名表 the autofill (which carries the plan) says the person is already registered for it: with the
// 报名编号 and status to the organization that registered them, without them to another.
func TestAutofillSaysAlreadyRegistered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "自动填写重复报名考试", nil)
	plan := strconv.FormatInt(planID, 10)
	c := e.client().signIn("jianshe")
	form := c.get("/registrations/new?plan=" + plan)
	if n := form.Doc.Find(`#person-autofill #education, #person-autofill #phone`).Length(); n != 2 {
		t.Fatalf("报名表: %d of 学历/手机号码 inside the autofill", n)
	}
	if v, _ := form.Doc.Find(`#id_number`).Attr("hx-include"); !strings.Contains(v, "[name='plan']") {
		t.Fatalf("报名表 lookup does not carry the plan: %q", v)
	}
	tok, _ := form.Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	idn := newID(405)
	p := c.regPostToken(planID, tok, map[string]string{"id_number": idn, "name": "重复自动", "education": "本科", "phone": "13712345005",
		"work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}, testPhoto(t, 600, 840, "jpeg"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	reg, err := models.FindRegistration(context.Background(), e.db, planID, e.person(idn).ID)
	if err != nil {
		t.Fatal(err)
	}
	p = autofill(c, idn, url.Values{"plan": {plan}})
	if got := p.Text(`[data-testid="lookup-registered"]`); got != "此人已报名该考试（报名编号 "+reg.Number()+"，状态 待审核）" {
		t.Errorf("autofill by the organization that registered them: %q", got)
	}
	if selectedEducation(p) != "本科" || fieldValue(p, "phone") != "13712345005" {
		t.Errorf("报名表 autofill of own person: 学历 %q 手机号码 %q", selectedEducation(p), fieldValue(p, "phone"))
	}
	other := e.client().signIn("jianshe2")
	p = autofill(other, idn, url.Values{"plan": {plan}})
	if got := p.Text(`[data-testid="lookup-registered"]`); got != "此人已报名该考试，不能重复报名" || strings.Contains(p.Body, reg.Number()) {
		t.Errorf("autofill by another organization: %q", got)
	}
	// Without the plan (the staff form), or for someone not registered: nothing said.
	if got := autofill(c, idn, nil).Text(`[data-testid="lookup-registered"]`); got != "" {
		t.Errorf("without a plan: %q", got)
	}
	if got := autofill(c, newID(406), url.Values{"plan": {plan}}).Text(`[data-testid="lookup-registered"]`); got != "" {
		t.Errorf("someone not registered: %q", got)
	}
}
