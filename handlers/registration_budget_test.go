package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"examcert/internal/config"
	"examcert/models"
)

// An organization's 报名表 names someone by ID number, so it spends one lookup whatever comes of it (SECURITY.md
// 27): refused for a rule, saved, refused as a second registration of the same person. With a budget of 3 the
// 4th is refused (429, audited) and saves nothing, though it would have been saved.
func TestOrganizationRegistrationSpendsOneLookupEachTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.LookupRate, c.LookupBurst = 0.01, 3 })
	planID := createPlan(t, e, "限流报名", url.Values{"min_education": {"大专"}})
	c := e.client().signIn("jianshe")
	form := func(n uint64, education string) map[string]string {
		return map[string]string{"id_number": newID(n), "name": "冯十二", "education": education,
			"work_start_date": "2010-03-01", "employer_name": "北京城建示范工程有限公司"}
	}
	photo := testPhoto(t, 600, 840, "png")
	if p := c.regPost(planID, form(1, "高中/中专/技校"), photo); !strings.Contains(p.Text(`[data-testid="error-education"]`), "大专及以上") {
		t.Fatalf("1st, refused for its education: %d %q", p.Status, p.Text(`[data-testid="error-education"]`))
	}
	if p := c.regPost(planID, form(2, "本科"), photo); p.Status != http.StatusSeeOther {
		t.Fatalf("2nd, saved: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	if p := c.regPost(planID, form(2, "本科"), photo); !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "不能重复报名") {
		t.Fatalf("3rd, the same person again: %d %q", p.Status, p.Text(`[data-testid="error-id_number"]`))
	}
	limited := len(e.auditEvents(models.EventPersonLookup))
	p := c.regPost(planID, form(3, "本科"), photo)
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "查询过于频繁") {
		t.Fatalf("4th, past the budget: %d %q", p.Status, p.Text("body"))
	}
	if n := len(e.auditEvents(models.EventPersonLookup)); n != limited+1 {
		t.Errorf("the refusal wrote %d audit rows, want 1", n-limited)
	}
	if n := len(e.auditEvents(models.EventRegistered)); n != 1 {
		t.Errorf("%d registrations submitted, want 1", n)
	}
}
