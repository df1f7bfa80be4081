package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"examcert/models"
)

// joinRowID is the id of the first request row inside the element testid on path ("" when none).
func joinRowID(c *client, path, testid string) string {
	v, _ := c.get(path).Doc.Find(`[data-testid="` + testid + `"] [data-testid^="join-row-"]`).First().Attr("data-testid")
	return strings.TrimPrefix(v, "join-row-")
}

// 人员调入申请 between enterprises: the current employer decides in 企业人员信息 (待确认的调入申请), in place with
// htmx or with a plain form; on acceptance the requester has the person on its staff.
func TestJoinRequestDecidedByTheEmployer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.client().signIn("jianshe"), e.client().signIn("jianshe2")
	idn := newID(51)
	addPerson(t, a, "/staff", idn, "孙五")
	if p := addPerson(t, b, "/staff", idn, "孙五"); p.Location() != "/staff?ok=requested" {
		t.Fatalf("request: %d", p.Status)
	}
	id := joinRowID(a, "/staff", "join-to-decide")
	if id == "" || !strings.Contains(a.get("/staff").Text(`[data-testid="join-to-decide"]`), "北京宏远建设集团有限公司") {
		t.Fatal("the employer has no 待确认的调入申请")
	}
	// Another enterprise cannot decide it, nor can the requester.
	for _, c := range []*client{b, e.client().signIn("peixun")} {
		if p := c.submit("/home", "/join-requests/"+id+"/accept", nil); p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
			t.Errorf("an outsider accepting: %d", p.Status)
		}
	}
	// 拒绝 in place.
	p := a.submitHX("/staff", "/join-requests/"+id+"/decline", nil, true)
	if strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, `data-testid="join-status">已拒绝<`) || !strings.Contains(p.Body, "孙五") ||
		strings.Contains(p.Body, "join-accept") {
		t.Errorf("decline with htmx: %d %q", p.Status, p.Body)
	}
	if e.person(idn).OrganizationID == nil || strings.Contains(b.get("/staff").Body, "孙五") {
		t.Error("declined, yet moved")
	}
	// Asked again, 同意 without JavaScript: B has him now.
	addPerson(t, b, "/staff", idn, "孙五")
	id = joinRowID(a, "/staff", "join-to-decide")
	if p := a.submit("/staff", "/join-requests/"+id+"/accept", nil); p.Location() != "/staff?ok=accepted" {
		t.Fatalf("accept: %d %s", p.Status, p.Location())
	}
	if !strings.Contains(b.get("/staff?q="+url.QueryEscape("孙五")).Text(`[data-testid="people-results"]`), "孙五") {
		t.Error("accepted, but not on the requester's staff")
	}
	if strings.Contains(a.get("/staff").Text(`[data-testid="people-results"]`), "孙五") {
		t.Error("still on the old employer's staff")
	}
	// No longer the employer, A decides nothing of his any more.
	if p := a.submitHX("/staff", "/join-requests/"+id+"/accept", nil, true); p.Status != http.StatusNotFound {
		t.Errorf("the former employer deciding again: %d", p.Status)
	}
	if n := len(e.auditEvents(models.EventJoinAccepted)); n != 1 {
		t.Errorf("%d acceptances audited", n)
	}
}

// A practitioner with their own account decides in 人员调入申请; the requester may withdraw in place; nobody else
// sees or decides it.
func TestJoinRequestDecidedByThePerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tr, me, other := e.client().signIn("peixun"), e.client().signIn("zhangsan"), e.client().signIn("lisi")
	if p := addPerson(t, tr, "/trainees", demoCode("zhangsan"), "张三"); p.Location() != "/trainees?ok=requested" {
		t.Fatalf("request: %d", p.Status)
	}
	if got := me.get("/join-requests").Text(`[data-testid="join-requests"]`); !strings.Contains(got, "北京建筑职业技能培训学校") {
		t.Errorf("his page: %q", got)
	}
	if joinRowID(other, "/join-requests", "join-requests") != "" {
		t.Error("another practitioner sees his request")
	}
	id := joinRowID(tr, "/trainees", "join-sent")
	if p := other.submit("/join-requests", "/join-requests/"+id+"/accept", nil); p.Status != http.StatusNotFound {
		t.Errorf("another practitioner accepting: %d", p.Status)
	}
	// 撤回 in place, then asked again and accepted by him without JavaScript.
	if p := tr.submitHX("/trainees", "/join-requests/"+id+"/withdraw", nil, true); !strings.Contains(p.Body, `data-testid="join-status">已撤回<`) ||
		!strings.Contains(p.Body, "张*") || strings.Contains(p.Body, "张三") {
		t.Errorf("withdraw: %d %q", p.Status, p.Body)
	}
	// Accepting what was withdrawn meanwhile (an old page) says so and changes nothing.
	if p := me.submitHX("/join-requests", "/join-requests/"+id+"/accept", nil, true); !strings.Contains(p.Body, "该申请已被处理或撤回") ||
		strings.Contains(p.Body, "<form") {
		t.Errorf("accepting a withdrawn request: %d %q", p.Status, p.Body)
	}
	if joinRowID(me, "/join-requests", "join-requests") != "" {
		t.Error("a withdrawn request is still to decide")
	}
	addPerson(t, tr, "/trainees", demoCode("zhangsan"), "张三")
	id = joinRowID(me, "/join-requests", "join-requests")
	if p := me.submit("/join-requests", "/join-requests/"+id+"/accept", nil); p.Location() != "/join-requests?ok=accepted" {
		t.Fatalf("accept: %d %s", p.Status, p.Location())
	}
	// On the roster now, but his data is his: 本人维护, no 编辑.
	row := tr.get("/trainees?q=" + url.QueryEscape("张三")).Doc.Find(`[data-testid^="person-row-"]`)
	if row.Length() != 1 || row.Find(`[data-testid="row-self-kept"]`).Length() != 1 {
		t.Errorf("the roster after acceptance: %d rows", row.Length())
	}
}

// The 报名表 and people employed elsewhere (SECURITY.md 28): a training institution registers someone on another
// enterprise's staff without joining them (the registration is its record; the person stays off its roster and
// nothing of theirs changes); an enterprise registering someone with their own account is told that it needs
// their consent, and nothing is stored.
func TestRegistrationOfSomeoneEmployedElsewhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "2026年安全员考试", nil)
	idn := newID(61)
	if p := e.client().signIn("jianshe").submit("/staff/new", "/staff", url.Values{"id_number": {idn}, "name": {"周八"}, "education": {"本科"}, "phone": {"13812340000"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("add: %d", p.Status)
	}
	before := e.person(idn)
	tr := e.client().signIn("peixun")
	fields := map[string]string{"id_number": idn, "name": "周八", "education": "本科", "phone": "13999999999", "work_start_date": "2010-03-01", "employer_name": "北京城建示范工程有限公司"}
	p := tr.regPost(planID, fields, testPhoto(t, 600, 840, "png"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("training registers: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	after := e.person(idn)
	if after.Version != before.Version || after.Phone != "13812340000" || !strings.Contains(tr.get(p.Location()).Body, "周八") {
		t.Errorf("the person changed, or the institution does not see what it filed: %+v", after)
	}
	if strings.Contains(tr.get("/trainees?q="+idn).Text(`[data-testid="people-results"]`), "周八") {
		t.Error("registering put him on the roster")
	}
	ent := e.client().signIn("jianshe2")
	fields = map[string]string{"id_number": demoCode("zhangsan"), "name": "张三", "education": "本科", "work_start_date": "2010-03-01", "employer_name": "北京宏远建设集团有限公司"}
	p = ent.regPost(planID, fields, testPhoto(t, 600, 840, "png"))
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "本人同意") {
		t.Errorf("enterprise registering someone with an account: %d %q", p.Status, p.Text(`[data-testid="error-id_number"]`))
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Where("organization_id IS NOT NULL").Count(context.Background()); n != 1 {
		t.Errorf("%d registrations, want only the institution's", n)
	}
}
