package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// A person's data belongs to the person (SECURITY.md 28): 张三, who has his own account, names 北京城建 as 工作单位.
// The enterprise now sees him but changes nothing of his (no 编辑 in the list or on 详细; the edit page, the saves
// and the photo upload are 404) until he allows it in 个人信息维护; then its change is saved and 详细 shows who
// changed what (信息变更记录).
func TestEmployerChangesOnlyWithThePersonsLeave(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	me := e.client().signIn("zhangsan")
	save := func(allow bool) {
		t.Helper()
		ver, _ := me.get("/profile").Doc.Find(`input[name="version"]`).Attr("value")
		f := url.Values{"version": {ver}, "name": {"张三"}, "education": {"大专"}, "phone": {"13512345678"},
			"work_start_date": {"2010-09-01"}, "employer_code": {demoCode("jianshe")}}
		if allow {
			f.Set("employer_may_edit", "1")
		}
		if p := me.submit("/profile", "/profile", f); p.Location() != "/profile?ok=1" {
			t.Fatalf("profile save: %d %s", p.Status, p.Text(`[data-testid="alert-error"]`))
		}
	}
	save(false)
	id := strconv.FormatInt(e.person(demoCode("zhangsan")).ID, 10)
	ent := e.client().signIn("jianshe")
	row := ent.get("/staff?q=" + url.QueryEscape("张三")).Doc.Find(`[data-testid="person-row-` + id + `"]`)
	if row.Length() != 1 || row.Find(`[data-testid="row-edit"]`).Length() != 0 || row.Find(`[data-testid="row-self-kept"]`).Length() != 1 {
		t.Fatalf("list row: %d rows, edit links %d", row.Length(), row.Find(`[data-testid="row-edit"]`).Length())
	}
	d := ent.get("/staff/" + id)
	if d.Status != http.StatusOK || d.Doc.Find(`[data-testid="detail-edit"]`).Length() != 0 || d.Doc.Find(`[data-testid="detail-self-kept"]`).Length() != 1 ||
		d.Doc.Find(`input[name="photo"]`).Length() != 0 {
		t.Errorf("详细: %d, edit link or photo upload shown", d.Status)
	}
	if p := ent.get("/staff/" + id + "/edit"); p.Status != http.StatusNotFound {
		t.Errorf("edit page: %d", p.Status)
	}
	if p := ent.getHX("/staff/" + id + "/row/edit"); p.Status != http.StatusNotFound {
		t.Errorf("inline edit: %d", p.Status)
	}
	p := ent.submit("/staff", "/staff/"+id, url.Values{"inline": {"1"}, "name": {"张三"}, "phone": {"13900000000"}, "version": {"1"}})
	if p.Status != http.StatusNotFound {
		t.Errorf("inline save: %d", p.Status)
	}
	if got := e.person(demoCode("zhangsan")).Phone; got != "13512345678" {
		t.Errorf("the enterprise changed his phone to %s", got)
	}
	// He allows it: the enterprise's edit is saved, and 详细 says who changed what.
	save(true)
	if _, checked := me.get("/profile").Doc.Find(`[data-testid="employer-may-edit"]`).Attr("checked"); !checked {
		t.Error("个人信息维护 does not show 允许工作单位维护 as ticked")
	}
	ver := strconv.Itoa(e.person(demoCode("zhangsan")).Version)
	if p := ent.submit("/staff", "/staff/"+id, url.Values{"inline": {"1"}, "name": {"张三"}, "education": {"大专"}, "phone": {"13900000000"}, "version": {ver}}); p.Location() != "/staff?ok=saved" {
		t.Fatalf("allowed save: %d %s", p.Status, p.Body)
	}
	if got := e.person(demoCode("zhangsan")).Phone; got != "13900000000" {
		t.Errorf("phone after the allowed save: %s", got)
	}
	hist := ent.get("/staff/" + id).Doc.Find(`[data-testid="history-row"]`)
	found := false
	hist.Each(func(_ int, r *goquery.Selection) {
		if txt := r.Text(); strings.Contains(txt, "jianshe") && strings.Contains(txt, "手机号码") && strings.Contains(txt, "13512345678") && strings.Contains(txt, "13900000000") {
			found = true
		}
	})
	if !found {
		t.Errorf("信息变更记录 lacks the enterprise's phone change: %q", hist.Text())
	}
}

// A training institution sees its roster but never changes the master data of someone employed elsewhere (the demo
// roster holds two of 北京城建's staff).
func TestTrainingNeverEditsStaffOfOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tr := e.client().signIn("peixun")
	rows := tr.get("/trainees").Doc.Find(`[data-testid^="person-row-"]`)
	kept := rows.Has(`[data-testid="row-self-kept"]`)
	if kept.Length() < 2 || rows.Has(`[data-testid="row-edit"]`).Length() == 0 {
		t.Fatalf("roster: %d rows, %d not editable", rows.Length(), kept.Length())
	}
	testid, _ := kept.First().Attr("data-testid")
	id := strings.TrimPrefix(testid, "person-row-")
	if p := tr.get("/trainees/" + id); p.Status != http.StatusOK {
		t.Errorf("详细 of a roster member: %d", p.Status)
	}
	if p := tr.get("/trainees/" + id + "/edit"); p.Status != http.StatusNotFound {
		t.Errorf("edit page: %d", p.Status)
	}
	if p := tr.submit("/trainees", "/trainees/"+id, url.Values{"name": {"改名"}, "phone": {"13900000000"}, "version": {"1"}}); p.Status != http.StatusNotFound {
		t.Errorf("save: %d", p.Status)
	}
}
