package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"examcert/models"
)

// SECURITY.md 14 and 19: the registration detail page shows the full ID number, and 打印报名表 puts every form of
// a plan into one file; each disclosure leaves one audit row (the number itself never goes into the log).
func TestFullIDDisclosuresAreAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "审计披露测试考试", nil)
	c := e.client().signIn("jianshe")
	idn := newID(41)
	p := c.regPost(planID, map[string]string{"id_number": idn, "name": "褚四一", "education": "本科", "work_start_date": "2010-03-01",
		"employer_name": "北京城建示范工程有限公司"}, testPhoto(t, 600, 840, "png"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	if n := len(e.auditEvents(models.EventRegViewed)); n != 0 {
		t.Fatalf("%d detail views audited before anyone looked", n)
	}
	d := c.get(p.Location())
	if d.Status != http.StatusOK || !strings.Contains(d.Body, idn) {
		t.Fatalf("detail: %d, full ID shown: %v", d.Status, strings.Contains(d.Body, idn))
	}
	regID, _ := strconv.ParseInt(strings.Split(strings.TrimPrefix(p.Location(), "/registrations/"), "?")[0], 10, 64)
	number := (&models.Registration{ID: regID, PlanID: planID}).Number()
	views := e.auditEvents(models.EventRegViewed)
	if len(views) != 1 || views[0].Object != "registration:"+number || !strings.Contains(views[0].Detail, "完整身份证号") ||
		views[0].Username != "jianshe" {
		t.Fatalf("detail view audit rows: %+v", views)
	}

	q := c.get("/registrations/batch/print?plan=" + strconv.FormatInt(planID, 10))
	if q.Status != http.StatusOK || !strings.HasPrefix(q.Body, "%PDF") {
		t.Fatalf("print all: %d %.100q", q.Status, q.Body)
	}
	bulk := e.auditEvents(models.EventRegPrintedAll)
	if len(bulk) != 1 || bulk[0].Object != "plan:"+strconv.FormatInt(planID, 10) ||
		!strings.Contains(bulk[0].Detail, "1份报名表") || !strings.Contains(bulk[0].Detail, "审计披露测试考试") {
		t.Fatalf("print-all audit rows: %+v", bulk)
	}
	if label := models.EventLabel(models.EventRegPrintedAll); !strings.Contains(label, "批量") || !strings.Contains(label, "身份证号") {
		t.Errorf("the bulk disclosure's label does not say so: %q", label)
	}
	for _, ev := range append(views, bulk...) {
		if strings.Contains(ev.Object+ev.Detail, idn) {
			t.Errorf("the audit log holds the full ID number: %+v", ev)
		}
	}
}
