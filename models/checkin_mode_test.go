package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/checkinfixture"
	"examcert/internal/dbtest"
	"examcert/models"
)

// modeDay is an exam day by 考试方式, seen at noon (Beijing time) of a fixed day, the moment each scan says it
// happened (CheckInInput.At), so that every room is of that day whatever the hour the test runs: rooms that began a
// little more or a little less than the rule allows, a 实操 just begun and one about to begin, a 机考 whose second
// subject is on, and a 网考.
type modeDay struct {
	now    time.Time
	db     *bun.DB
	tokens models.TicketTokens
	plans  map[string]*models.ExamPlan
	rooms  map[string]*models.ExamRoom
	c      map[string]checkinfixture.Candidate
}

func newModeDay(t *testing.T) *modeDay {
	t.Helper()
	now := time.Date(2027, 3, 20, 12, 0, 0, 0, models.Beijing).UTC()
	ctx := context.Background()
	d := &modeDay{now: now, db: dbtest.Open(t), plans: map[string]*models.ExamPlan{}, rooms: map[string]*models.ExamRoom{},
		c: map[string]checkinfixture.Candidate{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	d.tokens, err = models.NewTicketTokens(ctx, d.db)
	must(err)
	site, err := checkinfixture.Site(ctx, d.db, "第一考点")
	must(err)
	plan := func(key string, mode models.ExamMode) {
		p, err := checkinfixture.Plan(ctx, d.db, key)
		must(err)
		_, err = d.db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("exam_mode = ?", mode).Where("id = ?", p.ID).Exec(ctx)
		must(err)
		d.plans[key] = p
	}
	seq := 1
	room := func(key, planKey string, starts, ends time.Time) {
		p := d.plans[planKey]
		r, err := checkinfixture.Room(ctx, d.db, p, site, key, starts, ends)
		must(err)
		draw, err := checkinfixture.Draw(ctx, d.db, p)
		must(err)
		cs, err := checkinfixture.Candidates(ctx, d.db, r, draw, 1, seq, "")
		must(err)
		seq += 10
		d.rooms[key], d.c[key] = r, cs[0]
	}
	plan("机考", models.ModeComputer)
	room("31", "机考", now.Add(-31*time.Minute), now.Add(time.Hour))
	room("29", "机考", now.Add(-29*time.Minute), now.Add(time.Hour))
	plan("实操", models.ModePractical)
	room("-1", "实操", now.Add(-time.Minute), now.Add(time.Hour))
	room("+1", "实操", now.Add(time.Minute), now.Add(time.Hour))
	plan("两科", models.ModeComputer)
	room("70", "两科", now.Add(-70*time.Minute), now.Add(2*time.Hour))
	for i, s := range [][2]time.Duration{{-70 * time.Minute, -40 * time.Minute}, {-20 * time.Minute, time.Hour}} {
		_, err := d.db.NewInsert().Model(&models.ExamSubject{PlanID: d.plans["两科"].ID, Name: []string{"安全生产知识考核", "管理能力考核"}[i],
			StartsAt: now.Add(s[0]), EndsAt: now.Add(s[1]), SortOrder: i}).Exec(ctx)
		must(err)
	}
	plan("网考", models.ModeOnline)
	room("网", "网考", now, now.Add(time.Hour))
	return d
}

func (d *modeDay) scan(key string) (*models.CheckInResult, error) {
	c := d.c[key]
	return models.CheckIn(context.Background(), d.db, testAdmin,
		models.CheckInInput{Tokens: d.tokens, PlanID: c.Ticket.PlanID, RoomID: c.Ticket.RoomID, Code: d.tokens.Sign(c.Ticket.TicketNo, c.Ticket.DrawID), At: d.now})
}

func (d *modeDay) checkedIn(t *testing.T, key string) bool {
	t.Helper()
	tk := new(models.Ticket)
	if err := d.db.NewSelect().Model(tk).Where("registration_id = ?", d.c[key].Registration.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tk.CheckedInAt != nil
}

// A candidate too late for the 考试方式's rule is refused, the ticket named (so the page can say when the exam
// began) and nothing recorded; one in time is checked in; a 网考 plan is not checked in at all.
func TestCheckInByExamMode(t *testing.T) {
	d := newModeDay(t)
	cases := []struct {
		room string
		want error
	}{
		{"31", models.ErrTicketLate},
		{"-1", models.ErrPracticalStarted},
		{"网", models.ErrOnlineExam},
	}
	for _, tc := range cases {
		before := snapshot(t, d.db, "tickets")
		res, err := d.scan(tc.room)
		if !errors.Is(err, tc.want) {
			t.Errorf("room %s: %v, want %v", tc.room, err, tc.want)
		}
		if tc.want != models.ErrOnlineExam && (res == nil || res.Ticket.TicketNo != d.c[tc.room].Ticket.TicketNo) {
			t.Errorf("room %s: the refusal does not name the ticket: %+v", tc.room, res)
		}
		if d.checkedIn(t, tc.room) {
			t.Errorf("room %s: refused, yet 已签到", tc.room)
		}
		if after := snapshot(t, d.db, "tickets"); after["audit_events"] != before["audit_events"] {
			t.Errorf("room %s: a refusal wrote an audit row", tc.room)
		}
	}
	// In time: 29 minutes into a 机考, a minute before a 实操, and 20 minutes into the second subject of a 机考 whose
	// room began 70 minutes ago.
	for _, room := range []string{"29", "+1", "70"} {
		if res, err := d.scan(room); err != nil || res.Already || !d.checkedIn(t, room) {
			t.Errorf("room %s: %+v, %v", room, res, err)
		}
	}
	if n := auditCount(t, d.db, models.EventCheckedIn); n != 3 {
		t.Errorf("%d check-in audit rows, want 3", n)
	}
	// A ticket checked in in time and scanned again later is 已签到, not late.
	if _, err := d.db.NewUpdate().Model((*models.ExamRoom)(nil)).Set("starts_at = ?", d.now.Add(-2*time.Hour)).
		Where("id = ?", d.rooms["+1"].ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res, err := d.scan("+1"); err != nil || !res.Already {
		t.Errorf("second scan after the start: %+v, %v", res, err)
	}
}
