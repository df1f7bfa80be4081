package models_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/checkinfixture"
	"examcert/internal/dbtest"
	"examcert/models"
)

// checkinFixture is an exam day: plan A with rooms at 考点 X (two today, one in two days, one whose exam is over)
// and at 考点 Y (today), plan B with a room at X today; 考务人员 p (X: today, in two days, the finished room's day)
// and q (Y: today).
type checkinFixture struct {
	db                          *bun.DB
	tokens                      models.TicketTokens
	planA, planB                *models.ExamPlan
	siteX, siteY                *models.ExamSite
	a1, a2, later, done, ay, b1 *models.ExamRoom
	c                           map[*models.ExamRoom][]checkinfixture.Candidate
	p, q                        models.Actor
}

func newCheckinFixture(t *testing.T) *checkinFixture {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t)
	f := &checkinFixture{db: db, c: map[*models.ExamRoom][]checkinfixture.Candidate{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.tokens, err = models.NewTicketTokens(ctx, db)
	must(err)
	f.planA, err = checkinfixture.Plan(ctx, db, "施工员考试")
	must(err)
	f.planB, err = checkinfixture.Plan(ctx, db, "安全员考试")
	must(err)
	f.siteX, err = checkinfixture.Site(ctx, db, "第一考点")
	must(err)
	f.siteY, err = checkinfixture.Site(ctx, db, "第二考点")
	must(err)
	now := models.Now()
	room := func(plan *models.ExamPlan, site *models.ExamSite, no string, starts, ends time.Time, n, seq int) *models.ExamRoom {
		r, err := checkinfixture.Room(ctx, db, plan, site, no, starts, ends)
		must(err)
		d, err := checkinfixture.Draw(ctx, db, plan)
		must(err)
		f.c[r], err = checkinfixture.Candidates(ctx, db, r, d, n, seq, "")
		must(err)
		return r
	}
	f.a1 = room(f.planA, f.siteX, "01", now, now.Add(2*time.Hour), 3, 1)
	f.a2 = room(f.planA, f.siteX, "02", now, now.Add(2*time.Hour), 2, 11)
	f.later = room(f.planA, f.siteX, "03", now.Add(48*time.Hour), now.Add(50*time.Hour), 1, 21)
	f.done = room(f.planA, f.siteX, "04", now.Add(-3*time.Hour), now.Add(-time.Minute), 3, 31)
	f.ay = room(f.planA, f.siteY, "01", now, now.Add(2*time.Hour), 1, 41)
	f.b1 = room(f.planB, f.siteX, "01", now, now.Add(2*time.Hour), 1, 1)
	pa, err := checkinfixture.Proctor(ctx, db, "kaowu1", "x")
	must(err)
	qa, err := checkinfixture.Proctor(ctx, db, "kaowu2", "x")
	must(err)
	for _, day := range []string{models.ExamDay(now), models.ExamDay(f.later.StartsAt), models.ExamDay(f.done.StartsAt)} {
		if err := checkinfixture.Scope(ctx, db, pa, f.siteX, day); err != nil && !models.IsUniqueViolation(err) {
			t.Fatal(err)
		}
	}
	must(checkinfixture.Scope(ctx, db, qa, f.siteY, models.ExamDay(now)))
	f.p = models.Actor{Account: pa, IP: "192.0.2.7", RequestID: "t"}
	f.q = models.Actor{Account: qa, IP: "192.0.2.8", RequestID: "t"}
	return f
}

func (f *checkinFixture) ticket(t *testing.T, c checkinfixture.Candidate) *models.Ticket {
	t.Helper()
	tk := new(models.Ticket)
	if err := f.db.NewSelect().Model(tk).Where("registration_id = ?", c.Registration.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f *checkinFixture) scan(by models.Actor, plan *models.ExamPlan, room *models.ExamRoom, code string) (*models.CheckInResult, error) {
	in := models.CheckInInput{Tokens: f.tokens, PlanID: plan.ID, Code: code}
	if room != nil {
		in.RoomID = room.ID
	}
	return models.CheckIn(context.Background(), f.db, by, in)
}

// A scan records 已签到 once, with who and when and one audit row; the token, the typed number (also in full-width
// digits) and a second scan all name the same ticket, and a second scan records nothing.
func TestCheckInRecordsOnce(t *testing.T) {
	f := newCheckinFixture(t)
	c := f.c[f.a1][0]
	res, err := f.scan(f.p, f.planA, f.a1, f.tokens.Sign(c.Ticket.TicketNo, c.Ticket.DrawID))
	if err != nil || res.Already {
		t.Fatalf("first scan: %+v, %v", res, err)
	}
	if res.Ticket.Registration.Person.Name != c.Person.Name || res.Ticket.Room.Site.Name != "第一考点" || res.Ticket.SeatNo != 1 {
		t.Errorf("card: %+v", res.Ticket)
	}
	tk := f.ticket(t, c)
	if tk.CheckedInAt == nil || tk.CheckedInBy == nil || *tk.CheckedInBy != f.p.Account.ID {
		t.Fatalf("ticket after check-in: %+v", tk)
	}
	if n := auditCount(t, f.db, models.EventCheckedIn); n != 1 {
		t.Fatalf("%d check-in audit rows, want 1", n)
	}
	wide := strings.Map(func(r rune) rune { return r - '0' + '０' }, c.Ticket.TicketNo)
	for _, code := range []string{c.Ticket.TicketNo, " " + wide + "\n", f.tokens.Sign(c.Ticket.TicketNo, c.Ticket.DrawID)} {
		res, err := f.scan(f.p, f.planA, nil, code)
		if err != nil || !res.Already || res.Ticket.CheckedInAt == nil || !res.Ticket.CheckedInAt.Equal(*tk.CheckedInAt) {
			t.Fatalf("second scan with %q: %+v, %v", code, res, err)
		}
	}
	if n := auditCount(t, f.db, models.EventCheckedIn); n != 1 {
		t.Fatalf("%d check-in audit rows after second scans, want 1", n)
	}
}

// Every refusal records nothing: a forged or unknown code, a ticket of another plan, room or day, a ticket outside
// the 考务人员's 考点 or days, a ticket marked 缺考.
func TestCheckInRefusals(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	a1 := f.c[f.a1][0].Ticket.TicketNo
	if _, err := f.db.NewUpdate().Model((*models.Ticket)(nil)).Set("absent = ?", true).
		Where("registration_id = ?", f.c[f.a1][2].Registration.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var other models.TicketTokens // not this installation's key
	cases := []struct {
		name string
		by   models.Actor
		plan *models.ExamPlan
		room *models.ExamRoom
		code string
		want error
	}{
		{"forged token", f.p, f.planA, f.a1, other.Sign(a1, f.c[f.a1][0].Ticket.DrawID), models.ErrTicketUnknown},
		{"token with a changed number", f.p, f.planA, f.a1, strings.Replace(f.tokens.Sign(a1, f.c[f.a1][0].Ticket.DrawID), a1, f.c[f.a1][1].Ticket.TicketNo, 1), models.ErrTicketUnknown},
		{"unknown number", f.p, f.planA, f.a1, "999999999", models.ErrTicketUnknown},
		{"not a number", f.p, f.planA, f.a1, "hello", models.ErrTicketUnknown},
		{"empty", f.p, f.planA, f.a1, "", models.ErrTicketUnknown},
		{"other plan", f.p, f.planA, nil, f.c[f.b1][0].Ticket.TicketNo, models.ErrTicketOtherPlan},
		{"other room", f.p, f.planA, f.a1, f.c[f.a2][0].Ticket.TicketNo, models.ErrTicketOtherRoom},
		{"other day", f.p, f.planA, nil, f.c[f.later][0].Ticket.TicketNo, models.ErrTicketOtherDay},
		{"other 考点 (p)", f.p, f.planA, nil, f.c[f.ay][0].Ticket.TicketNo, models.ErrTicketOutOfScope},
		{"other 考点 (q)", f.q, f.planA, nil, a1, models.ErrTicketOutOfScope},
		{"marked absent", f.p, f.planA, f.a1, f.c[f.a1][2].Ticket.TicketNo, models.ErrTicketAbsent},
		{"plan with no room in scope", f.q, f.planB, nil, f.c[f.b1][0].Ticket.TicketNo, models.ErrNotFound},
		{"room out of scope", f.q, f.planA, f.a1, a1, models.ErrNotFound},
		{"room of another plan", f.p, f.planB, f.a1, a1, models.ErrNotFound},
		{"practitioner", models.Actor{Account: &models.Account{ID: 1, Role: models.RolePractitioner}}, f.planA, nil, a1, models.ErrNotAllowed},
		{"signed out", models.Actor{}, f.planA, nil, a1, models.ErrNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, f.db, "batch_numbers")
			_, err := f.scan(tc.by, tc.plan, tc.room, tc.code)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var n int
			if err := f.db.NewSelect().Model((*models.Ticket)(nil)).ColumnExpr("COUNT(*)").Where("checked_in_at IS NOT NULL").Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d tickets checked in after a refusal", n)
			}
			after := snapshot(t, f.db, "batch_numbers")
			if after["audit_events"] != before["audit_events"] {
				t.Errorf("a refusal wrote an audit row")
			}
		})
	}
	// The wrong room names the right one; an admin may check in anywhere, on the exam's day.
	res, err := f.scan(f.p, f.planA, f.a1, f.c[f.a2][0].Ticket.TicketNo)
	if !errors.Is(err, models.ErrTicketOtherRoom) || res == nil || res.Ticket.Room.RoomNo != "02" {
		t.Errorf("wrong room: %+v, %v", res, err)
	}
	if _, err := f.scan(testAdmin, f.planA, nil, f.c[f.ay][0].Ticket.TicketNo); err != nil {
		t.Errorf("admin at 第二考点: %v", err)
	}
	if _, err := f.scan(testAdmin, f.planA, nil, f.c[f.later][0].Ticket.TicketNo); !errors.Is(err, models.ErrTicketOtherDay) {
		t.Errorf("admin, exam in two days: %v", err)
	}
	if _, err := f.scan(f.q, f.planA, f.ay, f.c[f.ay][0].Ticket.TicketNo); err != nil {
		t.Errorf("q at their own 考点: %v", err)
	}
}

// A failure after the audit row leaves the ticket as it was.
func TestCheckInRollsBack(t *testing.T) {
	f := newCheckinFixture(t)
	c := f.c[f.a1][0]
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.CheckIn(ctx, f.db, f.p, models.CheckInInput{Tokens: f.tokens, PlanID: f.planA.ID, Code: c.Ticket.TicketNo})
		return err
	}, func() {
		if tk := f.ticket(t, c); tk.CheckedInAt != nil || tk.CheckedInBy != nil {
			t.Errorf("ticket after a rolled-back check-in: %+v", tk)
		}
	}, "tickets")
}

// 缺考 is marked only after the room's exam, for whoever did not check in, with one 批号 and one audit row; marking
// again changes nothing and writes nothing; a room outside the 考务人员's scope is not found.
func TestMarkAbsent(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	if _, err := models.MarkAbsent(ctx, f.db, f.p, f.a1.ID); !errors.Is(err, models.ErrExamNotOver) {
		t.Fatalf("before the end: %v", err)
	}
	if _, err := models.MarkAbsent(ctx, f.db, f.q, f.done.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("q, another 考点: %v", err)
	}
	came := f.c[f.done][1]
	if _, err := f.db.NewUpdate().Model((*models.Ticket)(nil)).Set("checked_in_at = ?", f.done.StartsAt).
		Where("registration_id = ?", came.Registration.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.MarkAbsent(ctx, f.db, f.p, f.done.ID)
		return err
	}, func() {
		for _, c := range f.c[f.done] {
			if f.ticket(t, c).Absent {
				t.Errorf("%s marked absent by a rolled-back marking", c.Ticket.TicketNo)
			}
		}
	}, "tickets", "batch_numbers")

	got, err := models.MarkAbsent(ctx, f.db, f.p, f.done.ID)
	if err != nil || got.Marked != 2 || !strings.HasPrefix(got.BatchNo, models.BatchAbsent) {
		t.Fatalf("marking: %+v, %v", got, err)
	}
	for _, c := range f.c[f.done] {
		if want := c.Registration.ID != came.Registration.ID; f.ticket(t, c).Absent != want {
			t.Errorf("%s absent = %v, want %v", c.Ticket.TicketNo, !want, want)
		}
	}
	var batch string
	if err := f.db.NewSelect().Model((*models.Ticket)(nil)).Column("absent_batch_no").
		Where("registration_id = ?", f.c[f.done][0].Registration.ID).Scan(ctx, &batch); err != nil || batch != got.BatchNo {
		t.Errorf("ticket's 批号 %q, %v; want %s", batch, err, got.BatchNo)
	}
	before := snapshot(t, f.db, "batch_numbers")
	again, err := models.MarkAbsent(ctx, f.db, testAdmin, f.done.ID)
	if err != nil || again.Marked != 0 || again.BatchNo != "" {
		t.Fatalf("marking again: %+v, %v", again, err)
	}
	if after := snapshot(t, f.db, "batch_numbers"); after["audit_events"] != before["audit_events"] || after["batch_numbers"] != before["batch_numbers"] {
		t.Errorf("marking again wrote something: %v → %v", before, after)
	}
	if n := auditCount(t, f.db, models.EventMarkedAbsent); n != 1 {
		t.Errorf("%d 缺考 audit rows, want 1", n)
	}
	room, list, err := models.CheckinRoomList(ctx, f.db, f.p, f.done.ID)
	if err != nil || room.Total != 3 || room.CheckedIn != 1 || room.Absent != 2 || len(list) != 3 || list[0].SeatNo != 1 {
		t.Errorf("room list: %+v %d, %v", room, len(list), err)
	}
}

// Each 考务人员 sees the plans and rooms of their 考点 and days only; an admin sees every one.
func TestCheckinLists(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	names := func(by models.Actor) string {
		ps, err := models.CheckinPlans(ctx, f.db, by)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names(f.q); got != "施工员考试" {
		t.Errorf("q's plans: %s", got)
	}
	if got := names(f.p); !strings.Contains(got, "施工员考试") || !strings.Contains(got, "安全员考试") {
		t.Errorf("p's plans: %s", got)
	}
	rooms, err := models.CheckinRooms(ctx, f.db, f.q, f.planA.ID)
	if err != nil || len(rooms) != 1 || rooms[0].Room.ID != f.ay.ID || rooms[0].Total != 1 {
		t.Errorf("q's rooms of A: %+v, %v", rooms, err)
	}
	rooms, err = models.CheckinRooms(ctx, f.db, f.p, f.planA.ID)
	if err != nil || len(rooms) != 4 {
		t.Errorf("p's rooms of A: %d, %v", len(rooms), err)
	}
	if _, err := models.CheckinRooms(ctx, f.db, f.q, f.planB.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("q, plan B: %v", err)
	}
	if _, _, err := models.CheckinRoomList(ctx, f.db, f.q, f.a1.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("q, room A1: %v", err)
	}
	if _, err := models.CheckinCard(ctx, f.db, f.q, f.c[f.a1][0].Registration.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("q, card of A1: %v", err)
	}
	rooms, err = models.CheckinRooms(ctx, f.db, testAdmin, f.planA.ID)
	if err != nil || len(rooms) != 5 {
		t.Errorf("admin's rooms of A: %d, %v", len(rooms), err)
	}
}

// Admins create 考务人员 and give them 考点 and days; a 考务人员 always solves the captcha.
func TestProctorAccountsAndScopes(t *testing.T) {
	f := newCheckinFixture(t)
	ctx := context.Background()
	acct, temp, err := models.CreateAccount(ctx, f.db, testAdmin, models.NewAccount{Role: models.RoleProctor, Username: "kaowu9", DisplayName: "王考务"})
	if err != nil || temp == "" || acct.Role != models.RoleProctor || acct.PersonID != nil || acct.OrganizationID != nil {
		t.Fatalf("create: %+v, %v", acct, err)
	}
	if acct.Role.Label() != "考务人员" || !acct.Role.Valid() {
		t.Errorf("role %q label %q", acct.Role, acct.Role.Label())
	}
	if need, err := models.CaptchaRequired(ctx, f.db, acct, "kaowu9", "192.0.2.1"); err != nil || !need {
		t.Errorf("captcha required for a 考务人员: %v, %v", need, err)
	}
	in := models.ProctorScopeInput{AccountID: acct.ID, SiteID: f.siteY.ID, Day: "2026-12-24"}
	if err := models.AddProctorScope(ctx, f.db, f.p, in); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("a 考务人员 adding scopes: %v", err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error { return models.AddProctorScope(ctx, f.db, testAdmin, in) }, nil, "proctor_scopes")
	for i := 0; i < 2; i++ {
		if err := models.AddProctorScope(ctx, f.db, testAdmin, in); err != nil {
			t.Fatalf("add #%d: %v", i+1, err)
		}
	}
	if n := auditCount(t, f.db, models.EventProctorScopeAdded); n != 1 {
		t.Errorf("%d audit rows for one scope added twice", n)
	}
	var fe models.FieldErrors
	if err := models.AddProctorScope(ctx, f.db, testAdmin, models.ProctorScopeInput{AccountID: acct.ID, SiteID: f.siteY.ID, Day: "24/12"}); !errors.As(err, &fe) || fe["day"] == "" {
		t.Errorf("bad day: %v", err)
	}
	if err := models.AddProctorScope(ctx, f.db, testAdmin, models.ProctorScopeInput{AccountID: acct.ID, SiteID: 999999, Day: "2026-12-24"}); !errors.As(err, &fe) || fe["site_id"] == "" {
		t.Errorf("unknown 考点: %v", err)
	}
	admin := accountWith(t, f.db, models.NewAccount{Role: models.RoleAdmin, Username: "root"})
	if err := models.AddProctorScope(ctx, f.db, testAdmin, models.ProctorScopeInput{AccountID: admin.ID, SiteID: f.siteY.ID, Day: "2026-12-24"}); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("scope for an admin account: %v", err)
	}
	_, rows, err := models.ProctorScopesOf(ctx, f.db, testAdmin, acct.ID)
	if err != nil || len(rows) != 1 || rows[0].SiteName != "第二考点" || rows[0].Day != "2026-12-24" {
		t.Fatalf("scopes: %+v, %v", rows, err)
	}
	if err := models.RemoveProctorScope(ctx, f.db, testAdmin, f.p.Account.ID, rows[0].ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("removing another account's scope: %v", err)
	}
	if err := models.RemoveProctorScope(ctx, f.db, testAdmin, acct.ID, rows[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, rows, _ := models.ProctorScopesOf(ctx, f.db, testAdmin, acct.ID); len(rows) != 0 {
		t.Errorf("after removal: %+v", rows)
	}
}

// A 准考证 printed before 取消放号 names its draw: after a new 放号 hands its 准考证号 to someone else, its QR token
// is refused and shows nobody, while the new ticket's token and the typed 准考证号 check in the new holder.
func TestTokenOfACancelledDrawIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newArrangeFixture(t)
	tokens, err := models.NewTicketTokens(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	s := f.site(t, "重新放号考点", 1, 30)
	start := models.Now().In(models.Beijing).Truncate(time.Minute) // today's exam, begun this minute
	if _, err := models.GenerateRooms(ctx, f.db, testAdmin, f.plan.ID, models.GenerateInput{SiteID: fmt.Sprint(s.ID), Count: "1",
		Capacity: "30", StartsAt: start.Format("2006-01-02 15:04"), EndsAt: start.Add(2 * time.Hour).Format("2006-01-02 15:04")}); err != nil {
		t.Fatal(err)
	}
	f.candidates(t, f.plan, 20, models.RegApproved, nil)
	first, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	holder := func(no string) models.Ticket {
		t.Helper()
		for _, tk := range f.tickets(t, f.plan.ID) {
			if tk.TicketNo == no {
				return tk
			}
		}
		t.Fatalf("nobody holds %s", no)
		return models.Ticket{}
	}
	old := holder(first.First)
	oldToken := tokens.Sign(old.TicketNo, old.DrawID)
	if old.DrawID != first.Draw.ID {
		t.Fatalf("ticket of draw %d, want %d", old.DrawID, first.Draw.ID)
	}
	if err := models.CancelRelease(ctx, f.db, testAdmin, f.plan.ID, "考场调整"); err != nil {
		t.Fatal(err)
	}
	second, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := holder(old.TicketNo) // the same number, drawn anew
	if second.Draw.ID == first.Draw.ID || now.DrawID != second.Draw.ID {
		t.Fatalf("second draw %d, the number's ticket of draw %d", second.Draw.ID, now.DrawID)
	}
	scan := func(code string) (*models.CheckInResult, error) {
		return models.CheckIn(ctx, f.db, testAdmin, models.CheckInInput{Tokens: tokens, PlanID: f.plan.ID, Code: code})
	}
	if res, err := scan(oldToken); !errors.Is(err, models.ErrTicketCancelledDraw) || res != nil {
		t.Errorf("the token printed before 取消放号: %+v %v, want ErrTicketCancelledDraw and nobody shown", res, err)
	}
	if n := f.count(t, "tickets", "plan_id = ? AND checked_in_at IS NOT NULL", f.plan.ID); n != 0 {
		t.Errorf("%d checked in after the refused token", n)
	}
	if tampered := strings.Replace(oldToken, "."+fmt.Sprint(first.Draw.ID)+".", "."+fmt.Sprint(second.Draw.ID)+".", 1); tampered == oldToken {
		t.Fatal("the token does not carry its draw")
	} else if _, err := scan(tampered); !errors.Is(err, models.ErrTicketUnknown) {
		t.Errorf("the old token with the new draw written in: %v, want ErrTicketUnknown", err)
	}
	res, err := scan(tokens.Sign(now.TicketNo, now.DrawID))
	if err != nil || res.Already || res.Ticket.RegistrationID != now.RegistrationID {
		t.Fatalf("the new ticket's token: %+v %v", res, err)
	}
	other := holder(second.Last)
	if res, err := scan(other.TicketNo); err != nil || res.Already || res.Ticket.RegistrationID != other.RegistrationID {
		t.Errorf("a typed 准考证号 after the new 放号: %+v %v", res, err)
	}
}

// 缺考 by itself: the periodic checkin.absent marks, as the system, whoever of a room did not check in once its exam
// ended more than an hour ago, through 标记缺考 (one 批号 and audit row per room); a room ended half an hour ago and
// a 网考's room are left alone, and a second run changes nothing.
func TestAbsentMarkedAfterTheExam(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Open(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var task models.PeriodicTask
	for _, x := range models.PeriodicTasks() {
		if x.Name == "checkin.absent" {
			task = x
		}
	}
	if task.Run == nil || task.Every <= 0 || task.Label == "" {
		t.Fatalf("checkin.absent is not registered: %+v", task)
	}
	site, err := checkinfixture.Site(ctx, db, "缺考考点")
	must(err)
	now := models.Now()
	seq := 1
	room := func(plan *models.ExamPlan, no string, endedAgo time.Duration, n int) []checkinfixture.Candidate {
		t.Helper()
		r, err := checkinfixture.Room(ctx, db, plan, site, no, now.Add(-endedAgo-2*time.Hour), now.Add(-endedAgo))
		must(err)
		d, err := checkinfixture.Draw(ctx, db, plan)
		must(err)
		cs, err := checkinfixture.Candidates(ctx, db, r, d, n, seq, "")
		must(err)
		seq += 10
		return cs
	}
	plan, err := checkinfixture.Plan(ctx, db, "缺考考试")
	must(err)
	ended := room(plan, "01", 2*time.Hour, 3)
	recent := room(plan, "02", 30*time.Minute, 2)
	online, err := checkinfixture.Plan(ctx, db, "网上考试")
	must(err)
	_, err = db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("exam_mode = ?", models.ModeOnline).Where("id = ?", online.ID).Exec(ctx)
	must(err)
	web := room(online, "01", 3*time.Hour, 2)
	came := ended[1]
	_, err = db.NewUpdate().Model((*models.Ticket)(nil)).Set("checked_in_at = ?", now.Add(-3*time.Hour)).
		Where("registration_id = ?", came.Registration.ID).Exec(ctx)
	must(err)

	n, err := task.Run(ctx, db, models.Now())
	if err != nil || n != 2 {
		t.Fatalf("first run: %d %v, want the 2 of the ended room who did not come", n, err)
	}
	batchOf := func(c checkinfixture.Candidate) string {
		t.Helper()
		var b string
		must(db.NewSelect().Model((*models.Ticket)(nil)).ColumnExpr("COALESCE(absent_batch_no, '')").Where("registration_id = ?", c.Registration.ID).Scan(ctx, &b))
		return b
	}
	absent := func(c checkinfixture.Candidate) (bool, string) {
		t.Helper()
		var tk models.Ticket
		must(db.NewSelect().Model(&tk).Where("registration_id = ?", c.Registration.ID).Scan(ctx))
		return tk.Absent, batchOf(c)
	}
	var batch string
	for _, c := range ended {
		a, b := absent(c)
		if want := c.Registration.ID != came.Registration.ID; a != want || (want && !strings.HasPrefix(b, models.BatchAbsent)) {
			t.Errorf("ended room, %s: absent %v (%q), want %v", c.Ticket.TicketNo, a, b, want)
		}
		if a {
			batch = b
		}
	}
	for _, c := range append(append([]checkinfixture.Candidate{}, recent...), web...) {
		if a, _ := absent(c); a {
			t.Errorf("%s marked absent: its room ended half an hour ago, or is a 网考's", c.Ticket.TicketNo)
		}
	}
	var audits []models.AuditEvent
	must(db.NewSelect().Model(&audits).Where("event = ?", models.EventMarkedAbsent).Scan(ctx))
	if len(audits) != 1 || audits[0].Username != "system:checkin.absent" || !strings.Contains(audits[0].Detail, batch) {
		t.Errorf("audit rows %+v, want one by the system naming %s", audits, batch)
	}
	before := snapshot(t, db, "batch_numbers")
	if n, err := task.Run(ctx, db, models.Now()); err != nil || n != 0 {
		t.Errorf("second run: %d %v, want nothing", n, err)
	}
	if after := snapshot(t, db, "batch_numbers"); !maps.Equal(before, after) {
		t.Errorf("the second run wrote something: %v → %v", before, after)
	}
	if n, err := db.NewSelect().Model((*models.Ticket)(nil)).Where("absent = ?", true).Count(ctx); err != nil || n != 2 {
		t.Errorf("%d tickets absent after the second run, %v; want 2", n, err)
	}
}
