package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// The 考试方式's entry rules reach the 考务人员 as the large red refusal, with htmx and without: a 机考 candidate more
// than 30 minutes late, a 实操 candidate after the start, any candidate of a 网考; nothing is recorded.
func TestCheckinRefusalsByExamMode(t *testing.T) {
	t.Parallel()
	now := models.Now()
	if models.ExamDay(now.Add(-31*time.Minute)) != models.ExamDay(now) {
		t.Skip("room 01 would begin yesterday (Beijing time)")
	}
	e := newEnv(t)
	d := newCheckinDay(t, e)
	c := e.client().signIn("kaowu")
	ctx := context.Background()
	set := func(mode models.ExamMode, starts time.Time) {
		t.Helper()
		if _, err := e.db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("exam_mode = ?", mode).Where("id = ?", d.planA.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.NewUpdate().Model((*models.ExamRoom)(nil)).Set("starts_at = ?", starts).Where("id = ?", d.a1.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	code := d.c[d.a1][0].Ticket.TicketNo
	form := url.Values{"plan_id": {checkinItoa(d.planA.ID)}, "room_id": {checkinItoa(d.a1.ID)}, "code": {code}}
	cases := []struct {
		mode            models.ExamMode
		late            time.Duration
		refusal, detail string
	}{
		{models.ModeComputer, 31 * time.Minute, "迟到超过30分钟，不得入场", "第01考场，考试时间"},
		{models.ModePractical, time.Minute, "实操考试开考后不得入场", "第01考场，考试时间"},
		{models.ModeOnline, 0, "网上考试无需现场签到", ""},
	}
	for _, tc := range cases {
		set(tc.mode, now.Add(-tc.late))
		p := c.submit("/checkin", "/checkin", form)
		if p.Status != http.StatusOK || p.Text(`[data-testid="checkin-refusal"] strong`) != tc.refusal || !strings.Contains(p.Body, "<html") {
			t.Errorf("%s: %d %q", tc.mode, p.Status, p.Text(`[data-testid="checkin-refusal"]`))
		}
		if got := p.Text(`[data-testid="checkin-refusal-detail"]`); !strings.Contains(got, tc.detail) || (tc.detail == "" && got != "") {
			t.Errorf("%s: detail %q, want %q", tc.mode, got, tc.detail)
		}
		h := c.submitHX("/checkin", "/checkin", form, true)
		if h.Text(`[data-testid="checkin-refusal"] strong`) != tc.refusal || strings.Contains(h.Body, "<html") {
			t.Errorf("%s with htmx: %.300s", tc.mode, h.Body)
		}
	}
	if tk := e.checkedIn(t, d.c[d.a1][0]); tk.CheckedInAt != nil {
		t.Errorf("checked in after refusals: %+v", tk)
	}
	if n := len(e.auditEvents(models.EventCheckedIn)); n != 0 {
		t.Errorf("%d audit rows after refusals", n)
	}
	// The same candidate 29 minutes into a 机考 is in time.
	set(models.ModeComputer, now.Add(-29*time.Minute))
	if p := c.submit("/checkin", "/checkin", form); p.Status != http.StatusSeeOther {
		t.Errorf("in time: %d %q", p.Status, p.Text(`[data-testid="checkin-refusal"]`))
	}
	if tk := e.checkedIn(t, d.c[d.a1][0]); tk.CheckedInAt == nil {
		t.Error("not checked in although in time")
	}
}
