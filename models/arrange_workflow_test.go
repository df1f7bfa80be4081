package models_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/models"
)

// arrangeFixture is a free plan examined in 2027, and an admin, on a database of its own.
type arrangeFixture struct {
	db   *bun.DB
	plan *models.ExamPlan
	n    int // people made so far
}

func newArrangeFixture(t testing.TB) *arrangeFixture {
	t.Helper()
	db := dbtest.Open(t)
	f := &arrangeFixture{db: db}
	f.plan = f.newPlan(t, "考务编排测试", 0)
	return f
}

func (f *arrangeFixture) newPlan(t testing.TB, name string, feeCents int) *models.ExamPlan {
	t.Helper()
	exam := time.Date(2027, 3, 20, 9, 0, 0, 0, models.Beijing).UTC()
	p := &models.ExamPlan{Name: name, CategoryID: 1, Level: "无", RegistrationStartsAt: exam.AddDate(0, -2, 0),
		RegistrationEndsAt: exam.AddDate(0, -1, 0), ExamAt: exam, FeeCents: feeCents, PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(context.Background(), f.db, p, 0); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *arrangeFixture) site(t testing.TB, name string, rooms, capacity int) *models.ExamSite {
	t.Helper()
	s, err := models.CreateSite(context.Background(), f.db, testAdmin, models.SiteInput{Name: name, Address: "北京市海淀区测试路1号",
		ContactName: "王老师", ContactPhone: "010-12345678", RoomCount: fmt.Sprint(rooms), Capacity: fmt.Sprint(capacity)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *arrangeFixture) rooms(t testing.TB, plan *models.ExamPlan, site *models.ExamSite, n, capacity int) []models.ExamRoom {
	t.Helper()
	rs, err := models.GenerateRooms(context.Background(), f.db, testAdmin, plan.ID, models.GenerateInput{SiteID: fmt.Sprint(site.ID),
		Count: fmt.Sprint(n), Capacity: fmt.Sprint(capacity), StartsAt: "2027-03-20 09:00", EndsAt: "2027-03-20 11:00"})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// candidates files n registrations of plan directly in status, each working for employer(i) ("" for none); it
// returns their ids in filing order.
func (f *arrangeFixture) candidates(t testing.TB, plan *models.ExamPlan, n int, status models.RegStatus, employer func(i int) string) []int64 {
	t.Helper()
	ctx := context.Background()
	now := models.Now()
	var ids []int64
	for start := 0; start < n; start += 1000 {
		k := min(1000, n-start)
		people := make([]models.Person, k)
		for i := range people {
			f.n++
			people[i] = models.Person{IDNumber: fmt.Sprintf("T%017d", f.n), Name: fmt.Sprintf("考生%d", f.n), CreatedAt: now, UpdatedAt: now, Version: 1}
		}
		if _, err := f.db.NewInsert().Model(&people).Returning("id").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		regs := make([]models.Registration, k)
		for i := range regs {
			emp := ""
			if employer != nil {
				emp = employer(start + i)
			}
			regs[i] = models.Registration{PlanID: plan.ID, PersonID: people[i].ID, Channel: models.Channel("self"), EmployerName: emp,
				Status: status, Resume: "[]", CreatedAt: now, UpdatedAt: now, Version: 1}
		}
		if _, err := f.db.NewInsert().Model(&regs).Returning("id").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for _, r := range regs {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func (f *arrangeFixture) tickets(t testing.TB, planID int64) []models.Ticket {
	t.Helper()
	var ts []models.Ticket
	if err := f.db.NewSelect().Model(&ts).Relation("Room").Where("t.plan_id = ?", planID).Order("ticket_no").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ts
}

func (f *arrangeFixture) status(t testing.TB, id int64) models.RegStatus {
	t.Helper()
	var s models.RegStatus
	if err := f.db.NewSelect().Model((*models.Registration)(nil)).Column("status").Where("id = ?", id).Scan(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *arrangeFixture) count(t testing.TB, table, where string, args ...any) int {
	t.Helper()
	n, err := f.db.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestSiteWorkflows(t *testing.T) {
	t.Parallel()
	f := newArrangeFixture(t)
	ctx := context.Background()
	in := models.SiteInput{Name: "北京建筑大学考点", Address: "西城区展览馆路1号", ContactName: "李老师", ContactPhone: "13800138000", RoomCount: "10", Capacity: "300"}
	s, err := models.CreateSite(ctx, f.db, testAdmin, in)
	if err != nil {
		t.Fatal(err)
	}
	// Rules, each beside its field, in Chinese.
	bad := []struct {
		in    models.SiteInput
		field string
	}{
		{models.SiteInput{Name: "甲", Address: "某地址", RoomCount: "1", Capacity: "1"}, "name"},
		{models.SiteInput{Name: "考点二", Address: "", RoomCount: "1", Capacity: "1"}, "address"},
		{models.SiteInput{Name: "考点二", Address: "某地址", ContactPhone: "12", RoomCount: "1", Capacity: "1"}, "contact_phone"},
		{models.SiteInput{Name: "考点二", Address: "某地址", RoomCount: "0", Capacity: "1"}, "room_count"},
		{models.SiteInput{Name: "考点二", Address: "某地址", RoomCount: "5", Capacity: "3"}, "capacity"},
		{in, "name"}, // the same name again
	}
	for _, b := range bad {
		_, err := models.CreateSite(ctx, f.db, testAdmin, b.in)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe[b.field] == "" {
			t.Errorf("%+v: err = %v, want a message beside %s", b.in, err, b.field)
		}
	}
	if _, err := models.CreateSite(ctx, f.db, models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}, in); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise creating a 考点: %v", err)
	}
	// Version-guarded edits.
	in.Capacity = "320"
	if _, err := models.UpdateSite(ctx, f.db, testAdmin, s.ID, in, s.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpdateSite(ctx, f.db, testAdmin, s.ID, in, s.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale edit: %v, want ErrConflict", err)
	}
	// Rooms in use bound the 考点's counts.
	f.rooms(t, f.plan, s, 4, 30)
	in.RoomCount = "3"
	if _, err := models.UpdateSite(ctx, f.db, testAdmin, s.ID, in, s.Version+1); err == nil || !strings.Contains(err.Error(), "4个考场") {
		t.Errorf("fewer rooms than in use: %v", err)
	}
	// Stopped: no new rooms there.
	if err := models.ToggleSite(ctx, f.db, testAdmin, s.ID); err != nil {
		t.Fatal(err)
	}
	_, err = models.CreateRoom(ctx, f.db, testAdmin, f.plan.ID, models.RoomInput{SiteID: fmt.Sprint(s.ID), RoomNo: "99", Capacity: "10",
		StartsAt: "2027-03-20 09:00", EndsAt: "2027-03-20 11:00"})
	var fe models.FieldErrors
	if !errors.As(err, &fe) || fe["site_id"] != "该考点已停用" {
		t.Errorf("a room at a stopped 考点: %v", err)
	}
	if n := auditCount(t, f.db, models.EventSiteSaved); n != 3 {
		t.Errorf("%d 维护考点 audit rows, want 3 (created, updated, toggled)", n)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.CreateSite(ctx, f.db, testAdmin, models.SiteInput{Name: "回滚考点", Address: "某地址", RoomCount: "1", Capacity: "10"})
		return err
	}, nil, "exam_sites")
}

func TestRoomRules(t *testing.T) {
	t.Parallel()
	f := newArrangeFixture(t)
	ctx := context.Background()
	s := f.site(t, "第一考点", 5, 200)
	rs := f.rooms(t, f.plan, s, 3, 30)
	if rs[0].RoomNo != "01" || rs[2].RoomNo != "03" {
		t.Errorf("generated room numbers %s…%s, want 01…03", rs[0].RoomNo, rs[2].RoomNo)
	}
	more := f.rooms(t, f.plan, s, 1, 10)
	if more[0].RoomNo != "04" {
		t.Errorf("the next generated room is %s, want 04", more[0].RoomNo)
	}
	room := func(no, capacity, starts, ends string) models.RoomInput {
		return models.RoomInput{SiteID: fmt.Sprint(s.ID), RoomNo: no, Capacity: capacity, StartsAt: starts, EndsAt: ends}
	}
	cases := []struct {
		in    models.RoomInput
		field string
	}{
		{room("01", "5", "2027-03-20 09:00", "2027-03-20 11:00"), "room_no"},    // taken
		{room("05", "0", "2027-03-20 09:00", "2027-03-20 11:00"), "capacity"},   // no seats
		{room("05", "20", "2027-03-20 09:00", "2027-03-20 08:00"), "ends_at"},   // ends before it starts
		{room("05", "20", "明天", "2027-03-20 08:00"), "starts_at"},               // not a time
		{room("05", "101", "2027-03-20 09:00", "2027-03-20 11:00"), "capacity"}, // the 考点 holds 200, 100 used
		{models.RoomInput{SiteID: "x", RoomNo: "05", Capacity: "1", StartsAt: "2027-03-20 09:00", EndsAt: "2027-03-20 10:00"}, "site_id"},
	}
	for _, c := range cases {
		_, err := models.CreateRoom(ctx, f.db, testAdmin, f.plan.ID, c.in)
		var fe models.FieldErrors
		if !errors.As(err, &fe) || fe[c.field] == "" {
			t.Errorf("%+v: err = %v, want a message beside %s", c.in, err, c.field)
		}
	}
	r, err := models.UpdateRoom(ctx, f.db, testAdmin, rs[0].ID, room("01", "20", "2027-03-20 09:00", "2027-03-20 11:00"), rs[0].Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpdateRoom(ctx, f.db, testAdmin, rs[0].ID, room("01", "25", "2027-03-20 09:00", "2027-03-20 11:00"), rs[0].Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale room edit: %v, want ErrConflict", err)
	}
	if _, err := models.CreateRoom(ctx, f.db, testAdmin, f.plan.ID, room("05", "10", "2027-03-20 09:00", "2027-03-20 10:00")); err != nil {
		t.Errorf("a 5th room within the 考点's seats: %v", err)
	}
	// The 考点 has 5 rooms: a 6th is refused.
	if _, err := models.CreateRoom(ctx, f.db, testAdmin, f.plan.ID, room("06", "1", "2027-03-20 09:00", "2027-03-20 10:00")); err == nil || !strings.Contains(err.Error(), "共5个考场") {
		t.Errorf("a 6th room at a 考点 of 5: %v", err)
	}
	// Subjects.
	if _, err := models.AddSubject(ctx, f.db, testAdmin, f.plan.ID, models.SubjectInput{Name: "安全生产知识", StartsAt: "2027-03-20 09:00", EndsAt: "2027-03-20 10:30"}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddSubject(ctx, f.db, testAdmin, f.plan.ID, models.SubjectInput{Name: "", StartsAt: "2027-03-20 09:00", EndsAt: "2027-03-20 10:30"}); err == nil {
		t.Error("a subject without a name was accepted")
	}
	// After 放号 nothing of the arrangement changes.
	f.candidates(t, f.plan, 10, models.RegApproved, nil)
	if _, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	locked := []error{}
	_, err = models.UpdateRoom(ctx, f.db, testAdmin, r.ID, room("01", "21", "2027-03-20 09:00", "2027-03-20 11:00"), r.Version)
	locked = append(locked, err)
	_, err = models.DeleteRoom(ctx, f.db, testAdmin, r.ID)
	locked = append(locked, err)
	_, err = models.GenerateRooms(ctx, f.db, testAdmin, f.plan.ID, models.GenerateInput{SiteID: fmt.Sprint(s.ID), Count: "1", Capacity: "1", StartsAt: "2027-03-20 09:00", EndsAt: "2027-03-20 11:00"})
	locked = append(locked, err)
	_, err = models.AddSubject(ctx, f.db, testAdmin, f.plan.ID, models.SubjectInput{Name: "实操", StartsAt: "2027-03-20 13:00", EndsAt: "2027-03-20 14:00"})
	locked = append(locked, err)
	for i, err := range locked {
		if !errors.Is(err, models.ErrReleased) {
			t.Errorf("change %d after 放号: %v, want ErrReleased", i, err)
		}
	}
}

var ticketNoRE = regexp.MustCompile(`^27001\d{4}$`)

func TestReleaseNumbers(t *testing.T) {
	t.Parallel()
	f := newArrangeFixture(t)
	ctx := context.Background()
	a := f.site(t, "A考点", 10, 1000)
	b := f.site(t, "B考点", 10, 1000)
	// Room order is (考点, 开始时间, 考场号): B's rooms are made first but come after A's.
	rb := f.rooms(t, f.plan, b, 2, 30)
	ra := f.rooms(t, f.plan, a, 3, 25)
	ids := f.candidates(t, f.plan, 100, models.RegApproved, nil)
	f.candidates(t, f.plan, 5, models.RegUnitConfirmed, nil) // not ready: no numbers

	// Seats: 3·25 + 2·30 = 135. 136 candidates are refused, saying how many seats are missing.
	f.candidates(t, f.plan, 35, models.RegApproved, nil)
	extra := f.candidates(t, f.plan, 1, models.RegApproved, nil)
	_, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{})
	var short *models.ShortOfSeatsError
	if !errors.As(err, &short) || !strings.Contains(err.Error(), "还差1个座位") {
		t.Fatalf("136 candidates for 135 seats: %v", err)
	}
	if f.count(t, "tickets", "1=1") != 0 || f.count(t, "draws", "1=1") != 0 {
		t.Fatal("a refused 放号 left rows")
	}
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegWithdrawn).Where("id = ?", extra[0]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ReleaseNumbers(ctx, f.db, models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}, f.plan.ID, models.ReleaseOptions{}); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise's 放号: %v", err)
	}
	res, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Already || res.Draw.Candidates != 135 || len(res.Draw.Seed) != 64 || !strings.HasPrefix(res.Draw.BatchNo, "KWFH") {
		t.Errorf("result %+v", res)
	}
	if res.First != "270010001" || res.Last != "270010135" {
		t.Errorf("range %s～%s, want 270010001～270010135", res.First, res.Last)
	}
	ts := f.tickets(t, f.plan.ID)
	if len(ts) != 135 {
		t.Fatalf("%d tickets, want 135", len(ts))
	}
	order := []int64{ra[0].ID, ra[1].ID, ra[2].ID, rb[0].ID, rb[1].ID}
	// Numbers contiguous per room, rooms in room order, seats 1… in number order; rooms full (135 = 135).
	var seen []int64
	seat := 0
	for i, tk := range ts {
		if !ticketNoRE.MatchString(tk.TicketNo) || tk.TicketNo != fmt.Sprintf("27001%04d", i+1) {
			t.Fatalf("ticket %d: %s", i, tk.TicketNo)
		}
		if len(seen) == 0 || seen[len(seen)-1] != tk.RoomID {
			seen, seat = append(seen, tk.RoomID), 0
		}
		seat++
		if tk.SeatNo != seat {
			t.Fatalf("ticket %s: seat %d, want %d", tk.TicketNo, tk.SeatNo, seat)
		}
	}
	if fmt.Sprint(seen) != fmt.Sprint(order) {
		t.Errorf("rooms in number order %v, want %v", seen, order)
	}
	rooms, _ := models.ListRooms(ctx, f.db, f.plan.ID)
	if rooms[0].FirstTicketNo != "270010001" || rooms[0].LastTicketNo != "270010025" || rooms[4].LastTicketNo != "270010135" {
		t.Errorf("room ranges %s～%s … %s", rooms[0].FirstTicketNo, rooms[0].LastTicketNo, rooms[4].LastTicketNo)
	}
	for _, id := range ids {
		if s := f.status(t, id); s != models.RegTicketed {
			t.Fatalf("registration %d: %s, want ticketed", id, s)
		}
	}
	if n := auditCount(t, f.db, models.EventRegTicketed); n != 1 {
		t.Errorf("%d 放号 audit rows, want 1", n)
	}
	if n := f.count(t, "status_changes", "batch_no = ?", res.Draw.BatchNo); n != 135 {
		t.Errorf("%d status changes with the 批号, want 135", n)
	}
	if at, _ := models.ReleasedAt(ctx, f.db, f.plan.ID); at == nil {
		t.Error("released_at not set")
	}
	// Running it again changes nothing.
	before := snapshot(t, f.db, "tickets", "draws", "messages", "batch_numbers")
	again, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{Spread: true})
	if err != nil || !again.Already || again.Draw.ID != res.Draw.ID || again.First != res.First {
		t.Errorf("second 放号: %+v, %v", again, err)
	}
	if after := snapshot(t, f.db, "tickets", "draws", "messages", "batch_numbers"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second 放号 changed rows: %v → %v", before, after)
	}
	// The seed reproduces it.
	check, err := models.VerifyDraw(ctx, f.db, testAdmin, res.Draw.ID)
	if err != nil || !check.Matches() || check.Checked != 135 {
		t.Errorf("校验: %+v, %v", check, err)
	}
	// A tampered seat is found.
	if _, err := f.db.NewUpdate().Model((*models.Ticket)(nil)).Set("seat_no = 999").Where("ticket_no = '270010001'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if check, _ := models.VerifyDraw(ctx, f.db, testAdmin, res.Draw.ID); check.Matches() || check.Differences != 1 {
		t.Errorf("校验 after a seat was changed: %+v", check)
	}
}

func TestReleaseNotifiesAndRefuses(t *testing.T) {
	t.Parallel()
	f := newArrangeFixture(t)
	ctx := context.Background()
	if _, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{}); !errors.Is(err, models.ErrNoCandidates) {
		t.Errorf("no candidates: %v", err)
	}
	// A charged plan numbers its 已缴费 candidates, not the 已审核 ones.
	paid := f.newPlan(t, "收费计划", 5000)
	s := f.site(t, "收费考点", 2, 100)
	f.rooms(t, paid, s, 2, 10)
	f.candidates(t, paid, 3, models.RegApproved, nil)
	ready := f.candidates(t, paid, 4, models.RegPaid, nil)
	// Someone to tell: an account that filed the registrations.
	acct := accountWith(t, f.db, models.NewAccount{Username: "arrange-p", Role: models.RolePractitioner, IDNumber: idNumber(77), DisplayName: "考生甲"})
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("account_id = ?", acct.ID).Where("id IN (?)", bun.In(ready)).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := models.ReleaseNumbers(ctx, f.db, testAdmin, paid.ID, models.ReleaseOptions{})
	if err != nil || res.Draw.Candidates != 4 {
		t.Fatalf("%+v %v", res, err)
	}
	var msgs []models.Message
	if err := f.db.NewSelect().Model(&msgs).Where("account_id = ?", acct.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Kind != models.NoticeTicketReady || msgs[0].Link != "/tickets" || !strings.Contains(msgs[0].Title, "准考证可打印") {
		t.Errorf("messages %+v", msgs)
	}
	// The first plan released in 2027 is 001 (and the next, below, 002).
	if res.First != "270010001" {
		t.Errorf("first released plan of 2027 numbered %s", res.First)
	}
	// Rolls back whole: nothing of a failed 放号 stays (tickets, draw, counters, moves, messages).
	f2 := f.newPlan(t, "回滚计划", 0)
	f.rooms(t, f2, f.site(t, "回滚考点", 1, 50), 1, 50)
	ids := f.candidates(t, f2, 20, models.RegApproved, nil)
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f2.ID, models.ReleaseOptions{Spread: true})
		return err
	}, func() {
		if s := f.status(t, ids[0]); s != models.RegApproved {
			t.Errorf("after a failed 放号 the registration is %s", s)
		}
		if at, _ := models.ReleasedAt(ctx, f.db, f2.ID); at != nil {
			t.Error("a failed 放号 left the plan locked")
		}
	}, "tickets", "draws", "messages", "batch_numbers", "yearly_counters")
	res2, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f2.ID, models.ReleaseOptions{})
	if err != nil || res2.First != "270020001" {
		t.Errorf("the second plan of 2027: %+v %v", res2, err)
	}
}

func TestCancelRelease(t *testing.T) {
	t.Parallel()
	f := newArrangeFixture(t)
	ctx := context.Background()
	s := f.site(t, "取消考点", 3, 90)
	f.rooms(t, f.plan, s, 3, 30)
	ids := f.candidates(t, f.plan, 50, models.RegApproved, nil)
	if err := models.CancelRelease(ctx, f.db, testAdmin, f.plan.ID, "考场调整"); !errors.Is(err, models.ErrNotReleased) {
		t.Errorf("取消放号 before 放号: %v", err)
	}
	first, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fe models.FieldErrors
	if err := models.CancelRelease(ctx, f.db, testAdmin, f.plan.ID, " "); !errors.As(err, &fe) || fe["reason"] == "" {
		t.Errorf("取消放号 without a reason: %v", err)
	}
	if err := models.CancelRelease(ctx, f.db, models.Actor{Account: &models.Account{Role: models.RoleTraining}}, f.plan.ID, "考场调整"); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("a training institution's 取消放号: %v", err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		return models.CancelRelease(ctx, f.db, testAdmin, f.plan.ID, "考场调整")
	}, func() {
		if n := f.count(t, "tickets", "plan_id = ?", f.plan.ID); n != 50 {
			t.Errorf("a failed 取消放号 left %d tickets", n)
		}
	}, "tickets", "draws", "messages", "batch_numbers")
	// Someone checked in: refused.
	if _, err := f.db.NewUpdate().Model((*models.Ticket)(nil)).Set("checked_in_at = ?", models.Now()).Where("registration_id = ?", ids[7]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := models.CancelRelease(ctx, f.db, testAdmin, f.plan.ID, "考场调整"); !errors.Is(err, models.ErrCheckedIn) {
		t.Errorf("取消放号 after a check-in: %v", err)
	}
	if _, err := f.db.NewUpdate().Model((*models.Ticket)(nil)).Set("checked_in_at = NULL").Where("registration_id = ?", ids[7]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := models.CancelRelease(ctx, f.db, testAdmin, f.plan.ID, "考场调整"); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "tickets", "plan_id = ?", f.plan.ID); n != 0 {
		t.Errorf("%d tickets after 取消放号", n)
	}
	for _, id := range ids {
		if s := f.status(t, id); s != models.RegApproved {
			t.Fatalf("registration %d: %s after 取消放号, want approved", id, s)
		}
	}
	if at, _ := models.ReleasedAt(ctx, f.db, f.plan.ID); at != nil {
		t.Error("still locked after 取消放号")
	}
	rooms, _ := models.ListRooms(ctx, f.db, f.plan.ID)
	if rooms[0].FirstTicketNo != "" {
		t.Error("room ranges kept after 取消放号")
	}
	if check, err := models.VerifyDraw(ctx, f.db, testAdmin, first.Draw.ID); err != nil || !check.Cancelled || check.Matches() {
		t.Errorf("校验 of a cancelled draw: %+v %v", check, err)
	}
	if n := auditCount(t, f.db, models.EventRegUnticketed); n != 1 {
		t.Errorf("%d 取消放号 audit rows, want 1", n)
	}
	// Rooms may change again; the next 放号 draws anew with the same plan number.
	if _, err := models.DeleteRoom(ctx, f.db, testAdmin, rooms[2].ID); err != nil {
		t.Errorf("room edit after 取消放号: %v", err)
	}
	second, err := models.ReleaseNumbers(ctx, f.db, testAdmin, f.plan.ID, models.ReleaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if second.Draw.ID == first.Draw.ID || second.Draw.Seed == first.Draw.Seed || second.First != "270010001" {
		t.Errorf("second draw %+v after first %+v", second.Draw, first.Draw)
	}
	ds, _ := models.ListDraws(ctx, f.db, f.plan.ID)
	if len(ds) != 2 || ds[1].CancelledAt == nil {
		t.Errorf("draws %+v", ds)
	}
}
