package models

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// 签到 on exam day (LIFECYCLE §5): a 考务人员 (at the 考点 and on the days an admin gave them) or an admin scans a
// candidate's 准考证 QR token, or types the 准考证号, and the ticket records 已签到 with the time; after a room's exam,
// whoever did not check in is marked 缺考 (tickets.absent), which results read later.

// Refusals of a scan: each records nothing, and the 签到 page shows it large and red.
var (
	ErrTicketUnknown = errors.New("no ticket with this number, or a token this system did not sign")
	// ErrTicketCancelledDraw: the token was printed from a draw since cancelled (取消放号); its number may be held by
	// another candidate of the new draw, who is not shown.
	ErrTicketCancelledDraw = errors.New("the ticket was printed from a cancelled draw")
	ErrTicketOutOfScope    = errors.New("the ticket's 考点 or day is not the proctor's")
	ErrTicketOtherPlan     = errors.New("the ticket is of another exam plan")
	ErrTicketOtherDay      = errors.New("the ticket's exam is not today")
	ErrTicketOtherRoom     = errors.New("the ticket is of another room")
	ErrTicketAbsent        = errors.New("the ticket was marked absent")
	// ErrTicketLate: at a 机考 the candidate came more than 30 minutes after the subject began (迟到30分钟视为缺考).
	ErrTicketLate = errors.New("more than 30 minutes after the subject began")
	// ErrPracticalStarted: at a 实操 the candidate came after the subject began (迟到即视为缺考).
	ErrPracticalStarted = errors.New("the practical exam has begun")
	// ErrOnlineExam: a 网考 is taken online, so nobody of its plan is checked in at a 考点.
	ErrOnlineExam = errors.New("the plan is an online exam, not checked in at a 考点")
	// ErrExamNotOver: 缺考 is marked only once the room's exam has ended.
	ErrExamNotOver = errors.New("the room's exam has not ended yet")
)

// BatchAbsent is the kind of 批号 of a 标记缺考.
const BatchAbsent = "QKBJ"

// ExamDay is the day (YYYY-MM-DD, Beijing time) of a moment: the day of a room's exam is the day it starts.
func ExamDay(t time.Time) string { return t.In(Beijing).Format("2006-01-02") }

// checkinScope is where an actor may check candidates in: an admin everywhere, a 考务人员 at the 考点 and on the
// days of their proctor_scopes rows, anyone else nowhere.
type checkinScope struct {
	all  bool
	days map[int64]map[string]bool // 考点 → days
}

func loadCheckinScope(ctx context.Context, db bun.IDB, actor Actor) (checkinScope, error) {
	s := checkinScope{days: map[int64]map[string]bool{}}
	switch {
	case actor.Is(RoleAdmin, RoleSystem): // the system: 缺考 marked after the exam (MarkAbsentAfterExams)
		s.all = true
		return s, nil
	case !actor.Is(RoleProctor) || actor.AccountID() == nil:
		return s, ErrNotAllowed
	}
	var rows []ProctorScope
	if err := db.NewSelect().Model(&rows).Where("account_id = ?", *actor.AccountID()).Scan(ctx); err != nil {
		return s, err
	}
	for _, r := range rows {
		if s.days[r.SiteID] == nil {
			s.days[r.SiteID] = map[string]bool{}
		}
		s.days[r.SiteID][r.Day] = true
	}
	return s, nil
}

func (s checkinScope) covers(r *ExamRoom) bool {
	return s.all || s.days[r.SiteID][ExamDay(r.StartsAt)]
}

// rooms narrows a query on exam_rooms (alias room) to the 考点 the scope has; days are checked in Go (covers).
func (s checkinScope) rooms(q *bun.SelectQuery) *bun.SelectQuery {
	if s.all {
		return q
	}
	sites := make([]int64, 0, len(s.days))
	for id := range s.days {
		sites = append(sites, id)
	}
	if len(sites) == 0 {
		return q.Where("1 = 0")
	}
	return q.Where("room.site_id IN (?)", bun.List(sites))
}

// CheckinPlan is a plan the actor may check candidates of in, with its exam days in scope.
type CheckinPlan struct {
	ID   int64
	Name string
	Days []string
}

// CheckinPlans lists the plans with rooms in the actor's scope: for a 考务人员 the plans with rooms at their 考点 on
// their days; for an admin the plans with rooms from a week ago on. Soonest first.
func CheckinPlans(ctx context.Context, db bun.IDB, actor Actor) ([]CheckinPlan, error) {
	scope, err := loadCheckinScope(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	var rooms []ExamRoom
	q := scope.rooms(db.NewSelect().Model(&rooms).Column("room.id", "room.plan_id", "room.site_id", "room.starts_at"))
	if scope.all {
		q = q.Where("room.starts_at >= ?", Now().AddDate(0, 0, -7))
	}
	if err := q.OrderExpr("room.starts_at, room.id").Scan(ctx); err != nil {
		return nil, err
	}
	var out []CheckinPlan
	at := map[int64]int{}
	for i := range rooms {
		r := &rooms[i]
		if !scope.covers(r) {
			continue
		}
		k, ok := at[r.PlanID]
		if !ok {
			k = len(out)
			at[r.PlanID] = k
			out = append(out, CheckinPlan{ID: r.PlanID})
		}
		if d := ExamDay(r.StartsAt); !containsString(out[k].Days, d) {
			out[k].Days = append(out[k].Days, d)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	var plans []ExamPlan
	if err := db.NewSelect().Model(&plans).Column("id", "name").Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, p := range plans {
		out[at[p.ID]].Name = p.Name
	}
	return out, nil
}

func containsString(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// CheckinRoom is a room of a plan with its 签到 counts.
type CheckinRoom struct {
	Room      ExamRoom // with Site
	Total     int
	CheckedIn int
	Absent    int
}

// Over says whether the room's exam has ended at now (缺考 may then be marked).
func (r CheckinRoom) Over(now time.Time) bool { return !now.Before(r.Room.EndsAt) }

// CheckinRooms lists a plan's rooms in the actor's scope with their counts, by (考点, 开始时间, 考场号). A plan with
// no room in scope is ErrNotFound.
func CheckinRooms(ctx context.Context, db bun.IDB, actor Actor, planID int64) ([]CheckinRoom, error) {
	scope, err := loadCheckinScope(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	var rooms []ExamRoom
	err = scope.rooms(db.NewSelect().Model(&rooms).Relation("Site").Where("room.plan_id = ?", planID)).
		OrderExpr("site.name, room.starts_at, room.room_no").Scan(ctx)
	if err != nil {
		return nil, err
	}
	var out []CheckinRoom
	var ids []int64
	for _, r := range rooms {
		if scope.covers(&r) {
			out = append(out, CheckinRoom{Room: r})
			ids = append(ids, r.ID)
		}
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	counts, err := roomCounts(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		c := counts[out[i].Room.ID]
		out[i].Total, out[i].CheckedIn, out[i].Absent = c.Total, c.CheckedIn, c.Absent
	}
	return out, nil
}

type roomCount struct {
	RoomID    int64 `bun:"room_id"`
	Total     int   `bun:"total"`
	CheckedIn int   `bun:"checked_in"`
	Absent    int   `bun:"absent"`
}

// validTickets narrows a query on tickets (alias t) to those of a draw still in force.
func validTickets(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Where("t.draw_id IN (SELECT id FROM draws WHERE cancelled_at IS NULL)")
}

func roomCounts(ctx context.Context, db bun.IDB, roomIDs []int64) (map[int64]roomCount, error) {
	var rows []roomCount
	err := validTickets(db.NewSelect().TableExpr("tickets AS t").
		ColumnExpr("t.room_id").ColumnExpr("COUNT(*) AS total").
		ColumnExpr("SUM(CASE WHEN t.checked_in_at IS NOT NULL THEN 1 ELSE 0 END) AS checked_in").
		ColumnExpr("SUM(CASE WHEN t.absent THEN 1 ELSE 0 END) AS absent").
		Where("t.room_id IN (?)", bun.List(roomIDs))).
		GroupExpr("t.room_id").Scan(ctx, &rows)
	out := map[int64]roomCount{}
	for _, r := range rows {
		out[r.RoomID] = r
	}
	return out, err
}

// CheckinRoomList is one room in the actor's scope with its candidates by seat (registration and person loaded),
// for the 已签到 / 未签到 list. A room out of scope is ErrNotFound.
func CheckinRoomList(ctx context.Context, db bun.IDB, actor Actor, roomID int64) (CheckinRoom, []Ticket, error) {
	var out CheckinRoom
	scope, err := loadCheckinScope(ctx, db, actor)
	if err != nil {
		return out, nil, err
	}
	room, err := roomInScope(ctx, db, scope, roomID)
	if err != nil {
		return out, nil, err
	}
	out.Room = *room
	var ts []Ticket
	err = validTickets(db.NewSelect().Model(&ts).Relation("Registration").Relation("Registration.Person").
		Where("t.room_id = ?", roomID)).OrderExpr("t.seat_no").Scan(ctx)
	if err != nil {
		return out, nil, err
	}
	out.Total = len(ts)
	for _, t := range ts {
		if t.CheckedInAt != nil {
			out.CheckedIn++
		}
		if t.Absent {
			out.Absent++
		}
	}
	return out, ts, nil
}

func roomInScope(ctx context.Context, db bun.IDB, scope checkinScope, roomID int64) (*ExamRoom, error) {
	room := new(ExamRoom)
	if err := db.NewSelect().Model(room).Relation("Site").Where("room.id = ?", roomID).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	if !scope.covers(room) {
		return nil, ErrNotFound
	}
	return room, nil
}

// CheckInInput is one scan at the 签到 page: the plan (and room, when one is chosen) the actor checks in for, and
// what the scanner or the keyboard typed: the QR token, or a 准考证号.
type CheckInInput struct {
	Tokens TicketTokens
	PlanID int64
	RoomID int64 // 0: any room of the plan in the actor's scope
	Code   string
	At     time.Time // when the scan happened, which the day and lateness rules read (zero: Now)
}

// CheckInResult is the candidate a scan found: the ticket with its room (and 考点), registration and person.
// Already says the ticket had been checked in before this scan (at Ticket.CheckedInAt).
type CheckInResult struct {
	Ticket  *Ticket
	Already bool
}

var ticketNoRE = regexp.MustCompile(`^[0-9]{9}$`)

// ticketNumber reads what was scanned or typed: a signed token (its 准考证号 and draw), or a 准考证号 (full-width
// digits and spaces allowed; draw 0: whichever draw is in force). A token of the earlier format, which signed the
// number alone, is no longer taken: it cannot tell a ticket printed before a 取消放号 from one printed after.
func ticketNumber(tokens TicketTokens, code string) (string, int64, error) {
	code = strings.TrimSpace(code)
	if strings.HasPrefix(code, "ZKZ") && strings.Contains(code, ".") {
		return tokens.Verify(code)
	}
	var b strings.Builder
	for _, r := range code {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune(r - '０' + '0')
		case r == ' ' || r == '\u3000' || r == '-':
		default:
			b.WriteRune(r)
		}
	}
	if n := b.String(); ticketNoRE.MatchString(n) {
		return n, 0, nil
	}
	return "", 0, ErrTicketUnknown
}

// CheckIn is 签到: it finds the ticket the code names and, when the ticket is of the chosen plan (and room), of a
// room in the actor's scope, and of today's exam, records 已签到 (checked_in_at, checked_in_by) with one audit row,
// in one transaction. A second scan of the same ticket records nothing and says when it was first checked in
// (Already). Refusals record nothing: ErrTicketUnknown (no such number, or a forged token), ErrTicketOutOfScope,
// ErrTicketOtherPlan, ErrTicketOtherDay, ErrTicketOtherRoom, ErrTicketAbsent, and by the plan's 考试方式: a 网考 plan
// is ErrOnlineExam, a candidate late for a 机考 (more than 30 minutes) is ErrTicketLate and for a 实操 (at all)
// ErrPracticalStarted (lateEntry). From ErrTicketOtherPlan on the result still names the ticket, so the page can say
// where the candidate belongs. A plan or room the actor has no room of is ErrNotFound.
func CheckIn(ctx context.Context, db bun.IDB, actor Actor, in CheckInInput) (*CheckInResult, error) {
	scope, err := loadCheckinScope(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	if err := checkinTarget(ctx, db, scope, in.PlanID, in.RoomID); err != nil {
		return nil, err
	}
	var mode ExamMode
	if err := db.NewSelect().Model((*ExamPlan)(nil)).Column("exam_mode").Where("id = ?", in.PlanID).Scan(ctx, &mode); err != nil {
		return nil, notFound(err)
	}
	if mode == ModeOnline {
		return nil, ErrOnlineExam
	}
	no, drawID, err := ticketNumber(in.Tokens, in.Code)
	if err != nil {
		return nil, ErrTicketUnknown
	}
	t, err := loadTicket(ctx, db, "t.ticket_no = ?", no)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrTicketUnknown
	}
	if err != nil {
		return nil, err
	}
	if drawID != 0 && drawID != t.DrawID {
		return nil, ErrTicketCancelledDraw // the number is someone's now, but not this printed ticket's
	}
	if !scope.covers(t.Room) {
		return nil, ErrTicketOutOfScope
	}
	at := in.At
	if at.IsZero() {
		at = Now()
	}
	res := &CheckInResult{Ticket: t}
	switch {
	case t.PlanID != in.PlanID:
		return res, ErrTicketOtherPlan
	case ExamDay(t.Room.StartsAt) != ExamDay(at):
		return res, ErrTicketOtherDay
	case in.RoomID != 0 && t.RoomID != in.RoomID:
		return res, ErrTicketOtherRoom
	case t.Absent:
		return res, ErrTicketAbsent
	case t.CheckedInAt != nil:
		res.Already = true
		return res, nil
	}
	subjects, err := PlanSubjects(ctx, db, t.PlanID)
	if err != nil {
		return nil, err
	}
	if err := lateEntry(mode, t.Room, subjects, at); err != nil {
		return res, err
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		now := at
		r, err := tx.NewUpdate().Model((*Ticket)(nil)).Set("checked_in_at = ?", now).Set("checked_in_by = ?", actor.AccountID()).
			Where("registration_id = ? AND checked_in_at IS NULL AND absent = ?", t.RegistrationID, false).Exec(ctx)
		if err := affectedOneOr(r, err, ErrConflict); err != nil {
			return err
		}
		t.CheckedInAt, t.CheckedInBy = &now, actor.AccountID()
		return actor.Audit(ctx, tx, EventCheckedIn, "ticket:"+t.TicketNo, "ok",
			t.Room.Site.Name+" 第"+t.Room.RoomNo+"考场 座位"+strconv.Itoa(t.SeatNo))
	})
	if errors.Is(err, ErrConflict) {
		// Checked in (or marked absent) by someone else since it was read: say what it is now.
		if t, err = loadTicket(ctx, db, "t.registration_id = ?", t.RegistrationID); err != nil {
			return nil, err
		}
		res.Ticket = t
		if t.Absent {
			return res, ErrTicketAbsent
		}
		res.Already = true
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// lateEntry is the rule of entry printed on the 准考证 (LIFECYCLE §5): at a 机考 a candidate may come in until 30
// minutes after the subject began (exactly 30 minutes is still in time), at a 实操 until it begins. Which subject:
// see subjectStart.
func lateEntry(mode ExamMode, room *ExamRoom, subjects []ExamSubject, now time.Time) error {
	var grace time.Duration
	var late error
	switch mode {
	case ModeComputer:
		grace, late = 30*time.Minute, ErrTicketLate
	case ModePractical:
		grace, late = 0, ErrPracticalStarted
	default:
		return nil
	}
	if now.After(subjectStart(room, subjects, now).Add(grace)) {
		return late
	}
	return nil
}

// subjectStart is when the subject a candidate comes for began: of the plan's subjects that start within the room's
// time, the first one not yet over at now (the last one when all are over); when no subject starts within it, the
// room's start. A candidate too late for one subject may so still sit the next.
func subjectStart(room *ExamRoom, subjects []ExamSubject, now time.Time) time.Time {
	ss := slices.Clone(subjects)
	slices.SortFunc(ss, func(a, b ExamSubject) int { return a.StartsAt.Compare(b.StartsAt) })
	start := room.StartsAt
	for _, s := range ss {
		if s.StartsAt.Before(room.StartsAt) || !s.StartsAt.Before(room.EndsAt) {
			continue
		}
		start = s.StartsAt
		if now.Before(s.EndsAt) {
			break
		}
	}
	return start
}

// checkinTarget checks that the plan (and the room, when given) has a room in scope (else ErrNotFound).
func checkinTarget(ctx context.Context, db bun.IDB, scope checkinScope, planID, roomID int64) error {
	if roomID != 0 {
		room, err := roomInScope(ctx, db, scope, roomID)
		if err != nil {
			return err
		}
		if room.PlanID != planID {
			return ErrNotFound
		}
		return nil
	}
	var rooms []ExamRoom
	if err := scope.rooms(db.NewSelect().Model(&rooms).Column("room.id", "room.site_id", "room.starts_at").
		Where("room.plan_id = ?", planID)).Scan(ctx); err != nil {
		return err
	}
	for i := range rooms {
		if scope.covers(&rooms[i]) {
			return nil
		}
	}
	return ErrNotFound
}

// loadTicket loads one ticket of a draw in force, with its room and 考点, registration and person.
func loadTicket(ctx context.Context, db bun.IDB, where string, arg any) (*Ticket, error) {
	t := new(Ticket)
	err := validTickets(db.NewSelect().Model(t).Relation("Room").Relation("Room.Site").
		Relation("Registration").Relation("Registration.Person").Where(where, arg)).
		Where("registration.status = ?", RegTicketed).Scan(ctx)
	return t, notFound(err)
}

// CheckinCard is the ticket of a registration in the actor's scope (its card after a scan, its photo), else
// ErrNotFound.
func CheckinCard(ctx context.Context, db bun.IDB, actor Actor, registrationID int64) (*Ticket, error) {
	scope, err := loadCheckinScope(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	t, err := loadTicket(ctx, db, "t.registration_id = ?", registrationID)
	if err != nil {
		return nil, err
	}
	if !scope.covers(t.Room) {
		return nil, ErrNotFound
	}
	return t, nil
}

// Absence is what 标记缺考 did: how many candidates it marked and the batch's 批号 ("" when there was nobody left
// to mark, and so nothing was written).
type Absence struct {
	Marked  int
	BatchNo string
}

// MarkAbsent is 标记缺考 of a room, once its exam has ended (else ErrExamNotOver): every candidate of the room not
// checked in is marked absent, with one 批号 (QKBJ) and one audit row, in one transaction. Marking again marks
// nobody and writes nothing. A room outside the actor's scope is ErrNotFound.
func MarkAbsent(ctx context.Context, db bun.IDB, actor Actor, roomID int64) (Absence, error) {
	var out Absence
	scope, err := loadCheckinScope(ctx, db, actor)
	if err != nil {
		return out, err
	}
	room, err := roomInScope(ctx, db, scope, roomID)
	if err != nil {
		return out, err
	}
	if Now().Before(room.EndsAt) {
		return out, ErrExamNotOver
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		out = Absence{}
		var n int
		err := validTickets(tx.NewSelect().TableExpr("tickets AS t").ColumnExpr("COUNT(*)").
			Where("t.room_id = ? AND t.checked_in_at IS NULL AND t.absent = ?", roomID, false)).Scan(ctx, &n)
		if err != nil || n == 0 {
			return err
		}
		if out.BatchNo, err = NewBatchNumber(ctx, tx, actor, BatchAbsent); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model((*Ticket)(nil)).Set("absent = ?", true).Set("absent_batch_no = ?", out.BatchNo).
			Where("room_id = ? AND checked_in_at IS NULL AND absent = ?", roomID, false).
			Where("draw_id IN (SELECT id FROM draws WHERE cancelled_at IS NULL)").Exec(ctx)
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		if err != nil {
			return err
		}
		out.Marked = int(m)
		return actor.Audit(ctx, tx, EventMarkedAbsent, "room:"+strconv.FormatInt(roomID, 10), "ok",
			out.BatchNo+" "+room.Site.Name+" 第"+room.RoomNo+"考场 缺考"+strconv.Itoa(out.Marked)+"人")
	})
	if err != nil {
		return Absence{}, err
	}
	return out, nil
}

// ProctorScopeRow is one 考点 and day of a 考务人员, with the 考点's name.
type ProctorScopeRow struct {
	ID       int64
	SiteID   int64
	SiteName string
	Day      string
}

// ProctorScopesOf returns a 考务人员 account (admins only; another role's account is ErrNotFound) and its 考点 and
// days, by day then 考点.
func ProctorScopesOf(ctx context.Context, db bun.IDB, actor Actor, accountID int64) (*Account, []ProctorScopeRow, error) {
	if !actor.Is(RoleAdmin) {
		return nil, nil, ErrNotAllowed
	}
	acct, err := GetAccount(ctx, db, accountID)
	if err != nil {
		return nil, nil, err
	}
	if acct.Role != RoleProctor {
		return nil, nil, ErrNotFound
	}
	var rows []ProctorScopeRow
	err = db.NewSelect().TableExpr("proctor_scopes AS ps").Join("JOIN exam_sites AS s ON s.id = ps.site_id").
		ColumnExpr("ps.id, ps.site_id, s.name AS site_name, ps.day").
		Where("ps.account_id = ?", accountID).OrderExpr("ps.day, s.name").Scan(ctx, &rows)
	return acct, rows, err
}

// ProctorSiteChoices lists the active 考点 by name, for the scope editor.
func ProctorSiteChoices(ctx context.Context, db bun.IDB) ([]ExamSite, error) {
	var sites []ExamSite
	err := db.NewSelect().Model(&sites).Where("active = ?", true).OrderExpr("name").Scan(ctx)
	return sites, err
}

// ProctorScopeInput is one 考点 and day an admin gives a 考务人员.
type ProctorScopeInput struct {
	AccountID int64
	SiteID    int64
	Day       string // YYYY-MM-DD
}

// AddProctorScope lets a 考务人员 check in at a 考点 on a day (admins only), with its audit row. A day given twice is
// not an error (nothing changes, nothing is written); an unknown 考点 or a bad day are field errors.
func AddProctorScope(ctx context.Context, db bun.IDB, actor Actor, in ProctorScopeInput) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	errs := FieldErrors{}
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Day), Beijing)
	if err != nil {
		errs["day"] = "请选择日期"
	}
	if in.SiteID == 0 {
		errs["site_id"] = "请选择考点"
	}
	if len(errs) > 0 {
		return errs
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		acct, err := GetAccount(ctx, tx, in.AccountID)
		if err != nil {
			return err
		}
		if acct.Role != RoleProctor {
			return ErrNotFound
		}
		site := new(ExamSite)
		if err := tx.NewSelect().Model(site).Where("id = ? AND active = ?", in.SiteID, true).Scan(ctx); err != nil {
			if errors.Is(notFound(err), ErrNotFound) {
				return FieldErrors{"site_id": "请选择考点"}
			}
			return err
		}
		row := &ProctorScope{AccountID: acct.ID, SiteID: site.ID, Day: day.Format("2006-01-02")}
		res, err := tx.NewInsert().Model(row).On("CONFLICT (account_id, site_id, day) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return actor.Audit(ctx, tx, EventProctorScopeAdded, "account:"+acct.Username, "ok", site.Name+" "+row.Day)
	})
}

// RemoveProctorScope takes a 考点 and day away from a 考务人员 (admins only), with its audit row; a row already gone
// is ErrNotFound.
func RemoveProctorScope(ctx context.Context, db bun.IDB, actor Actor, accountID, scopeID int64) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		acct, err := GetAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		row := new(ProctorScope)
		if err := tx.NewSelect().Model(row).Where("id = ? AND account_id = ?", scopeID, accountID).Scan(ctx); err != nil {
			return notFound(err)
		}
		res, err := tx.NewDelete().Model((*ProctorScope)(nil)).Where("id = ?", scopeID).Exec(ctx)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventProctorScopeRemoved, "account:"+acct.Username, "ok",
			"site:"+strconv.FormatInt(row.SiteID, 10)+" "+row.Day)
	})
}
