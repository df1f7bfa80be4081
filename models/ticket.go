package models

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// 准考证 as applicants and the registry read them (LIFECYCLE §5). A ticket exists for a caller only when all of
// these hold: the registration is 已放号 (ticketed) and has its tickets row, the row's draw was not cancelled, the
// plan is released (放号 locked it: released_at), and the registration is in the caller's scope:
//   - a practitioner: their own;
//   - an enterprise: those it filed, those naming it as the unit (单位确认: it vouched for the candidate), and those
//     of its staff (persons.organization_id), the same people whose registrations it already sees;
//   - a training institution: those it filed;
//   - an admin: all.
// Everything else is ErrNotFound, through every path (list, page, PDF, Word, photo, batch).

// TicketView is one 准考证 with everything printed on it.
type TicketView struct {
	RegistrationID int64     `bun:"registration_id"`
	PlanID         int64     `bun:"plan_id"`
	DrawID         int64     `bun:"draw_id"` // the 放号 the ticket is of: signed into its QR token
	TicketNo       string    `bun:"ticket_no"`
	SeatNo         int       `bun:"seat_no"`
	RoomID         int64     `bun:"room_id"`
	RoomNo         string    `bun:"room_no"`
	RoomStartsAt   time.Time `bun:"room_starts_at"`
	RoomEndsAt     time.Time `bun:"room_ends_at"`
	SiteName       string    `bun:"site_name"`
	SiteAddress    string    `bun:"site_address"`
	PersonName     string    `bun:"person_name"`
	IDNumber       string    `bun:"id_number"`
	Phone          string    `bun:"phone"`
	Title          string    `bun:"title"` // 技术职称
	Employer       string    `bun:"employer_name"`
	PhotoKey       string    `bun:"photo_key"`
	PlanName       string    `bun:"plan_name"`
	Category       string    `bun:"category_name"`
	Level          string    `bun:"level"`
	ExamMode       ExamMode  `bun:"exam_mode"` // the plan's 考试方式: the ticket's variant
	OrganizationID *int64    `bun:"organization_id"`
}

// Room is the 考场 label printed on lists: 考点 and room number.
func (t *TicketView) Room() string { return t.SiteName + " 第" + t.RoomNo + "考场" }

// Post is the 岗位名称 printed: the plan's 岗位/工种 with its 级别 (and the candidate's 技术职称) when it has one.
func (t *TicketView) Post() string {
	p := t.Category
	if t.Level != "" && t.Level != "无" {
		p += "（" + t.Level + "）"
	}
	if t.Title != "" {
		p += "，" + t.Title
	}
	return p
}

// Remark is the 备注: the last four digits of the mobile number, as Beijing prints it.
func (t *TicketView) Remark() string {
	if len(t.Phone) >= 4 {
		return "手机尾号" + t.Phone[len(t.Phone)-4:]
	}
	return ""
}

// ticketQuery selects ticket views: released, not cancelled, ticketed; scoped to acct.
func ticketQuery(db bun.IDB, acct *Account) *bun.SelectQuery {
	return ticketBase(db, acct).
		ColumnExpr("t.registration_id, t.plan_id, t.draw_id, t.ticket_no, t.seat_no, t.room_id").
		ColumnExpr("room.room_no, room.starts_at AS room_starts_at, room.ends_at AS room_ends_at").
		ColumnExpr("site.name AS site_name, site.address AS site_address").
		ColumnExpr("p.name AS person_name, p.id_number, p.phone, p.title, reg.employer_name, reg.photo_key, reg.organization_id").
		ColumnExpr("plan.name AS plan_name, COALESCE(cat.name, '') AS category_name, plan.level, plan.exam_mode")
}

// ticketBase is ticketQuery's tables and conditions, without columns.
func ticketBase(db bun.IDB, acct *Account) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("tickets AS t").
		Join("JOIN registrations AS reg ON reg.id = t.registration_id").
		Join("JOIN persons AS p ON p.id = reg.person_id").
		Join("JOIN exam_plans AS plan ON plan.id = t.plan_id AND plan.id = reg.plan_id").
		Join("LEFT JOIN exam_categories AS cat ON cat.id = plan.category_id").
		Join("JOIN exam_rooms AS room ON room.id = t.room_id").
		Join("JOIN exam_sites AS site ON site.id = room.site_id").
		Join("JOIN draws AS d ON d.id = t.draw_id").
		Where("reg.status = ?", RegTicketed).
		Where("plan.released_at IS NOT NULL").
		Where("d.cancelled_at IS NULL")
	return scopeTickets(q, acct)
}

// scopeTickets narrows a ticket query (registrations AS reg joined) to the caller's scope: the registrations they
// see (scopeRegistrations), so a ticket is never shown where its registration is not (SECURITY.md 9).
func scopeTickets(q *bun.SelectQuery, acct *Account) *bun.SelectQuery {
	return scopeRegistrations(q, acct)
}

// TicketFilter narrows ListTickets.
type TicketFilter struct {
	PlanID  int64
	RoomID  int64
	Query   string // 姓名 or 准考证号, a part of it
	AfterNo string // keyset: only tickets after this 准考证号 (batches read a page at a time)
	Offset  int
	Limit   int
}

// ListTickets returns a page of the tickets the actor sees, in 准考证号 order, and how many match.
func ListTickets(ctx context.Context, db bun.IDB, actor Actor, f TicketFilter) ([]TicketView, int, error) {
	var ts []TicketView
	q := ticketQuery(db, actor.Account).OrderExpr("t.ticket_no")
	if f.PlanID != 0 {
		q = q.Where("t.plan_id = ?", f.PlanID)
	}
	if f.RoomID != 0 {
		q = q.Where("t.room_id = ?", f.RoomID)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + escapeLike(s) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("p.name LIKE ? ESCAPE '\\'", like).WhereOr("t.ticket_no LIKE ? ESCAPE '\\'", like)
		})
	}
	if f.AfterNo != "" {
		q = q.Where("t.ticket_no > ?", f.AfterNo)
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	if f.AfterNo != "" { // a batch page: no count needed
		err := q.Scan(ctx, &ts)
		return ts, len(ts), err
	}
	n, err := q.ScanAndCount(ctx, &ts)
	return ts, int(n), err
}

// TicketInScope loads the ticket of registration regID if the actor may see it, else ErrNotFound.
func TicketInScope(ctx context.Context, db bun.IDB, actor Actor, regID int64) (*TicketView, error) {
	var ts []TicketView
	if err := ticketQuery(db, actor.Account).Where("t.registration_id = ?", regID).Limit(1).Scan(ctx, &ts); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, ErrNotFound
	}
	return &ts[0], nil
}

// EachTicketPage calls fn with the actor's tickets of a plan (of one room when roomID is not 0), pageSize at a time
// in 准考证号 order, so that a batch of any size holds one page at a time. fn may stop the walk with an error.
func EachTicketPage(ctx context.Context, db bun.IDB, actor Actor, planID, roomID int64, pageSize int,
	fn func([]TicketView) error) error {
	after := ""
	for {
		ts, _, err := ListTickets(ctx, db, actor, TicketFilter{PlanID: planID, RoomID: roomID, AfterNo: firstKey(after), Limit: pageSize})
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return nil
		}
		if err := fn(ts); err != nil {
			return err
		}
		if len(ts) < pageSize {
			return nil
		}
		after = ts[len(ts)-1].TicketNo
	}
}

// firstKey is the keyset start: "" would mean "no keyset", so the walk starts below every 准考证号 (digits).
func firstKey(after string) string {
	if after == "" {
		return " "
	}
	return after
}

// TicketPlans lists the released plans in which the actor sees at least one ticket (the 打印准考证 picker; for an
// admin every released plan), latest exam first.
func TicketPlans(ctx context.Context, db bun.IDB, actor Actor, f PlanFilter) ([]ExamPlan, error) {
	if actor.Account == nil {
		return nil, ErrNotAllowed
	}
	var ps []ExamPlan
	sub := ticketBase(db, actor.Account).ColumnExpr("DISTINCT t.plan_id")
	q := db.NewSelect().Model(&ps).Relation("Category").Where("plan.released_at IS NOT NULL").
		Where("plan.id IN (?)", sub).OrderExpr("plan.exam_at DESC, plan.id DESC")
	if s := strings.TrimSpace(f.Query); s != "" {
		q = q.Where("plan.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if f.CategoryID != 0 {
		q = q.Where("plan.category_id = ?", f.CategoryID)
	}
	if !f.From.IsZero() {
		q = q.Where("plan.exam_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("plan.exam_at < ?", f.To.AddDate(0, 0, 1).UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	err := q.Limit(int64(f.Limit)).Scan(ctx)
	return ps, err
}

// TicketPlan loads a plan for the 打印准考证 screen: it must be released and hold a ticket the actor sees, else
// ErrNotFound (an unreleased plan, or one with nothing of the caller's, reveals nothing).
func TicketPlan(ctx context.Context, db bun.IDB, actor Actor, planID int64) (*ExamPlan, error) {
	p, err := GetPlan(ctx, db, planID)
	if err != nil {
		return nil, err
	}
	ok, err := db.NewSelect().TableExpr("exam_plans").Where("id = ? AND released_at IS NOT NULL", planID).Exists(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	if actor.Is(RoleAdmin) {
		return p, nil
	}
	ts, _, err := ListTickets(ctx, db, actor, TicketFilter{PlanID: planID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, ErrNotFound
	}
	return p, nil
}

// PlanSubjects are a plan's subjects with their times, in order.
func PlanSubjects(ctx context.Context, db bun.IDB, planID int64) ([]ExamSubject, error) {
	var ss []ExamSubject
	err := db.NewSelect().Model(&ss).Where("plan_id = ?", planID).OrderExpr("sort_order, starts_at, id").Scan(ctx)
	return ss, err
}

// TicketRoom is a 考场 of a released plan with its 考点 and how many tickets it holds.
type TicketRoom struct {
	ExamRoom `bun:",extend"`
	Tickets  int `bun:"tickets"`
}

// ReleasedRooms lists the rooms of a released plan in (考点, 开始时间, 考场号) order, for the registry's documents:
// admins only; an unreleased plan is ErrNotFound. roomID ≠ 0 lists that room alone (ErrNotFound if not the plan's).
func ReleasedRooms(ctx context.Context, db bun.IDB, actor Actor, planID, roomID int64) ([]TicketRoom, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotFound
	}
	if _, err := TicketPlan(ctx, db, actor, planID); err != nil {
		return nil, err
	}
	var rs []TicketRoom
	err := db.NewSelect().Model(&rs).Relation("Site").
		ColumnExpr("room.*").ColumnExpr("(SELECT COUNT(*) FROM tickets AS t WHERE t.room_id = room.id) AS tickets").
		Where("room.plan_id = ?", planID).
		Where("? = 0 OR room.id = ?", roomID, roomID).
		OrderExpr("site.name, room.starts_at, room.room_no").Scan(ctx)
	if err == nil && roomID != 0 && len(rs) == 0 {
		return nil, ErrNotFound
	}
	return rs, err
}

// TicketObject names a ticket in the audit log: its 准考证号, never the person.
func TicketObject(ticketNo string) string { return "ticket:" + ticketNo }

// PlanTicketsObject names a plan's tickets in the audit log.
func PlanTicketsObject(planID int64) string {
	return "plan:" + strconv.FormatInt(planID, 10) + ":tickets"
}
