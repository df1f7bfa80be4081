package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"examcert/models"
)

// 考试方式 in 考务管理: the form offers the three (机考 chosen for a new plan), stores the one chosen, shows it in the
// admin's list and the applicants' list of open plans, and says beside the select when the value is not one of them.
func TestAdminPlanExamMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client().signIn("admin")
	form := admin.get("/admin/exams/new")
	var offered []string
	form.Doc.Find(`select[name="exam_mode"] option`).Each(func(_ int, s *goquerySelection) { offered = append(offered, s.Text()) })
	if v, _ := form.Doc.Find(`select[name="exam_mode"] option[selected]`).Attr("value"); v != "computer" || len(offered) != 3 {
		t.Errorf("new plan form: %q chosen of %v", v, offered)
	}
	id := createPlan(t, e, "2026年建筑电工实操考试", url.Values{"exam_mode": {"practical"}})
	sid := strconv.FormatInt(id, 10)
	if p, _ := models.GetPlan(context.Background(), e.db, id); p.ExamMode != models.ModePractical {
		t.Errorf("stored %q", p.ExamMode)
	}
	row := admin.get("/admin/exams").Doc.Find(`[data-testid="plan-row-` + sid + `"] [data-testid="plan-exam-mode"]`)
	if row.Text() != "实操考试" {
		t.Errorf("admin list: %q", row.Text())
	}
	open := e.client().signIn("zhangsan").get("/registrations")
	if got := open.Text(`[data-testid="open-plan-` + sid + `"] [data-testid="plan-exam-mode"]`); got != "实操考试" {
		t.Errorf("open plans: %q", got)
	}
	vals := planFormValues(admin, sid)
	if vals.Get("exam_mode") != "practical" {
		t.Errorf("edit form: %q", vals.Get("exam_mode"))
	}
	vals.Set("exam_mode", "网考")
	p := admin.do(http.MethodPost, "/admin/exams/"+sid, vals, false, nil)
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-exam_mode"]`) != "请选择考试方式（机考、实操或网考）" {
		t.Errorf("bad 考试方式: %d %q", p.Status, p.Text(`[data-testid="error-exam_mode"]`))
	}
	vals.Set("exam_mode", "online")
	if p := admin.do(http.MethodPost, "/admin/exams/"+sid, vals, false, nil); p.Location() != "/admin/exams?ok=saved" {
		t.Fatalf("edit: %d %v", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	if p, _ := models.GetPlan(context.Background(), e.db, id); p.ExamMode != models.ModeOnline {
		t.Errorf("stored after edit %q", p.ExamMode)
	}
}
