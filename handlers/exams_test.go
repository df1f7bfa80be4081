package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// createPlan makes an exam plan through the admin screens and opens it for registration now.
func createPlan(t *testing.T, e *env, name string, extra url.Values) int64 {
	t.Helper()
	admin := e.client().signIn("admin")
	now := time.Now().In(models.Beijing)
	f := url.Values{"name": {name}, "category_id": {"1"}, "level": {"初级"},
		"registration_starts": {now.Add(-time.Hour).Format("2006-01-02T15:04")},
		"registration_ends":   {now.Add(72 * time.Hour).Format("2006-01-02T15:04")},
		"exam_at":             {now.Add(240 * time.Hour).Format("2006-01-02T15:04")},
		"fee":                 {"120"}, "capacity": {"0"}, "min_years": {"0"}, "photo_min_kb": {"0"}, "photo_max_kb": {"60"},
		"payment_deadline": {now.Add(96 * time.Hour).Format("2006-01-02T15:04")}}
	for k, v := range extra {
		f[k] = v
	}
	p := admin.submit("/admin/exams/new", "/admin/exams", f)
	if p.Location() != "/admin/exams?ok=created" {
		t.Fatalf("create plan: %d %v", p.Status, p.Doc.Find(".error").Text())
	}
	var plan models.ExamPlan
	if err := e.db.NewSelect().Model(&plan).Where("name = ?", name).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(plan.ID, 10)
	if p := admin.submit("/admin/exams", "/admin/exams/"+id+"/advance?from=draft", nil); p.Location() != "/admin/exams?ok=advanced" {
		t.Fatalf("open plan: %d %q", p.Status, p.Location())
	}
	return plan.ID
}

func TestAdminExamPlans(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client().signIn("admin")
	p := admin.submit("/admin/exams/new", "/admin/exams", url.Values{"name": {"x"}, "registration_starts": {"2026-12-10T09:00"},
		"registration_ends": {"2026-12-01T09:00"}, "exam_at": {"bad"}, "fee": {"-3"}, "photo_max_kb": {"5"}})
	for field, want := range map[string]string{"name": "名称应为2至100个字", "category_id": "请选择岗位/工种", "level": "请选择级别",
		"registration_ends": "报名截止时间应晚于开始时间", "exam_at": "请填写日期和时间", "fee": "报名费应为金额", "photo_max_kb": "照片大小上限不能小于20KB"} {
		if got := p.Text(`[data-testid="error-` + field + `"]`); !strings.Contains(got, want) {
			t.Errorf("%s: %q; want %q", field, got, want)
		}
	}
	id := createPlan(t, e, "2026年第四季度施工员（土建）考试", url.Values{"capacity": {"200"}, "min_years": {"2"}, "min_education": {"大专"}})
	list := admin.get("/admin/exams")
	row := list.Doc.Find(`[data-testid="plan-row-` + strconv.FormatInt(id, 10) + `"]`)
	if !strings.Contains(row.Text(), "施工员-土建") || row.Find(`[data-testid="plan-status"]`).Text() != "报名中" || !strings.Contains(row.Text(), "0/200") {
		t.Errorf("row: %q", row.Text())
	}
	// Advancing twice from the same status moves it once.
	sid := strconv.FormatInt(id, 10)
	admin.submit("/admin/exams", "/admin/exams/"+sid+"/advance?from=open", nil)
	admin.submit("/admin/exams", "/admin/exams/"+sid+"/advance?from=open", nil)
	plan, _ := models.GetPlan(context.Background(), e.db, id)
	if plan.Status != models.PlanClosed {
		t.Errorf("status %s; want closed", plan.Status)
	}
	// Edit with a stale version: conflict.
	vals := planFormValues(admin, sid)
	vals.Set("fee", "150")
	if p := admin.do(http.MethodPost, "/admin/exams/"+sid, vals, false, nil); p.Location() != "/admin/exams?ok=saved" {
		t.Fatalf("edit: %d %v", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	if p := admin.do(http.MethodPost, "/admin/exams/"+sid, vals, false, nil); !strings.Contains(p.Text(`[data-testid="alert-error"]`), "已被他人修改") {
		t.Errorf("stale edit: %q", p.Text(`[data-testid="alert-error"]`))
	}
	// 岗位/工种 list.
	if p := admin.submit("/admin/exam-categories", "/admin/exam-categories", url.Values{"category_name": {"施工员-土建"}}); p.Text(`[data-testid="error-category_name"]`) != "该岗位/工种已存在" {
		t.Errorf("duplicate category: %q", p.Text(`[data-testid="error-category_name"]`))
	}
	if p := admin.submit("/admin/exam-categories", "/admin/exam-categories", url.Values{"category_name": {"造价员"}}); p.Location() != "/admin/exam-categories?ok=added" {
		t.Errorf("add category: %d", p.Status)
	}
}

// planFormValues reads the plan's edit form as the browser would send it back.
func planFormValues(admin *client, sid string) url.Values {
	form := admin.get("/admin/exams/" + sid)
	ver, _ := form.Doc.Find(`input[name="version"]`).Attr("value")
	vals := url.Values{"_csrf": {admin.csrf()}, "version": {ver}}
	form.Doc.Find("form[data-testid=plan-form] input, form[data-testid=plan-form] select").Each(func(_ int, s *goquerySelection) {
		n, _ := s.Attr("name")
		if n == "" || n == "_csrf" || n == "version" {
			return
		}
		v, _ := s.Attr("value")
		if s.Is("select") {
			v, _ = s.Find("option[selected]").Attr("value")
		}
		vals.Set(n, v)
	})
	return vals
}

// The capacity cannot go below the places already taken: the form says so beside the field.
func TestCapacityBelowSeatsIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "缩减名额考试", nil)
	ids := benchStaff(t, e, 2)
	c := e.client().signIn("jianshe")
	for _, id := range ids {
		p := c.regPost(planID, map[string]string{"id_number": id, "name": "基准考生", "education": "本科",
			"work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}, nil)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("register: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
		}
	}
	admin := e.client().signIn("admin")
	sid := strconv.FormatInt(planID, 10)
	vals := planFormValues(admin, sid)
	vals.Set("capacity", "1")
	p := admin.do(http.MethodPost, "/admin/exams/"+sid, vals, false, nil)
	if got := p.Text(`[data-testid="error-capacity"]`); got != "名额不能少于已报名的2人" {
		t.Fatalf("capacity below the seats taken: %d %q", p.Status, got)
	}
	vals.Set("capacity", "2")
	if p := admin.do(http.MethodPost, "/admin/exams/"+sid, vals, false, nil); p.Location() != "/admin/exams?ok=saved" {
		t.Fatalf("capacity equal to the seats taken: %d %v", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	if list := admin.get("/admin/exams"); !strings.Contains(list.Body, "2/2") {
		t.Errorf("the plan list does not show 2/2 places")
	}
}

// 停用/启用 of a 岗位/工种 flips it (a second click flips it back), is audited, and an unknown one is 404.
func TestToggleCategory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := e.client().signIn("admin")
	active := func() bool {
		t.Helper()
		cs, err := models.ListCategories(ctx, e.db, false)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(cs, func(c models.ExamCategory) bool { return c.ID == 1 })
	}
	for _, want := range []bool{false, true} {
		if p := admin.submit("/admin/exam-categories", "/admin/exam-categories/1/toggle", nil); p.Location() != "/admin/exam-categories?ok=toggled" {
			t.Fatalf("toggle: %d %q", p.Status, p.Location())
		}
		if active() != want {
			t.Fatalf("category 1 active = %v, want %v", !want, want)
		}
	}
	if n, _ := e.db.NewSelect().Model((*models.AuditEvent)(nil)).Where("object = 'category:1'").Count(ctx); n != 2 {
		t.Errorf("%d audit rows for the toggles, want 2", n)
	}
	if p := admin.submit("/admin/exam-categories", "/admin/exam-categories/99999/toggle", nil); p.Status != http.StatusNotFound {
		t.Errorf("unknown category: %d", p.Status)
	}
}
