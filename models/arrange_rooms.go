package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// ErrReleased is the answer to a change of a plan's 考场 or 科目 after 放号: the arrangement is locked until an admin
// 取消放号.
var ErrReleased = errors.New("已放号，考场安排已锁定；如需调整请先取消放号")

// Limits of a plan's arrangement.
const (
	maxRoomCapacity  = 999
	maxRoomsPerBatch = 200
)

// planArrangement is what 考务编排 reads and writes of a plan besides the plan form's fields: its number in the
// exam year and when 放号 locked it.
type planArrangement struct {
	bun.BaseModel `bun:"table:exam_plans,alias:plan"`

	ID           int64      `bun:"id,pk"`
	Name         string     `bun:"name"`
	FeeCents     int        `bun:"fee_cents"`
	ExamAt       time.Time  `bun:"exam_at"`
	NumberInYear int        `bun:"number_in_year"`
	ReleasedAt   *time.Time `bun:"released_at"`
}

func (p *planArrangement) readyForNumbers() RegStatus {
	return (&ExamPlan{FeeCents: p.FeeCents}).ReadyForNumbers()
}

// loadArrangement reads a plan's arrangement state; lock takes the plan's row lock for the rest of tx (PostgreSQL;
// SQLite has one writer at a time), so 放号 and a room edit never interleave.
func loadArrangement(ctx context.Context, db bun.IDB, planID int64, lock bool) (*planArrangement, error) {
	p := new(planArrangement)
	q := db.NewSelect().Model(p).Where("plan.id = ?", planID)
	if lock && isPostgres(db) {
		q = q.For("UPDATE")
	}
	return p, notFound(q.Scan(ctx))
}

// lockUnreleased locks a plan for a change of its arrangement; after 放号 it is ErrReleased.
func lockUnreleased(ctx context.Context, tx bun.IDB, planID int64) (*planArrangement, error) {
	p, err := loadArrangement(ctx, tx, planID, true)
	if err != nil {
		return nil, err
	}
	if p.ReleasedAt != nil {
		return nil, ErrReleased
	}
	return p, nil
}

// ReleasedAt is when 放号 locked a plan's arrangement (nil when it has not).
func ReleasedAt(ctx context.Context, db bun.IDB, planID int64) (*time.Time, error) {
	p, err := loadArrangement(ctx, db, planID, false)
	if err != nil {
		return nil, err
	}
	return p.ReleasedAt, nil
}

func arrangementObject(planID int64) string { return "plan:" + strconv.FormatInt(planID, 10) }

// timeSpan reads a 开始/结束 pair typed as datetime-local (Beijing time); the end must follow the start on the same day.
func timeSpan(errs FieldErrors, starts, ends string, start, end *time.Time) {
	s, err := ParseLocalTime(starts)
	if err != nil {
		errs["starts_at"] = "请填写开始时间，如 2026-12-20 09:00"
	}
	e, err2 := ParseLocalTime(ends)
	if err2 != nil {
		errs["ends_at"] = "请填写结束时间，如 2026-12-20 11:00"
	}
	if err != nil || err2 != nil {
		return
	}
	switch {
	case !e.After(s):
		errs["ends_at"] = "结束时间应晚于开始时间"
	case e.Sub(s) > 12*time.Hour:
		errs["ends_at"] = "考试时长不能超过12小时"
	}
	*start, *end = s.UTC(), e.UTC()
}

// SubjectInput is a 科目 of a plan as typed.
type SubjectInput struct{ Name, StartsAt, EndsAt string }

// AddSubject adds a 科目 with its time to a plan (the 准考证 lists them by time), before 放号, with its audit row.
func AddSubject(ctx context.Context, db bun.IDB, actor Actor, planID int64, in SubjectInput) (*ExamSubject, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	s := &ExamSubject{PlanID: planID, Name: strings.TrimSpace(in.Name)}
	errs := FieldErrors{}
	if n := utf8.RuneCountInString(s.Name); n < 2 || n > 40 {
		errs["subject_name"] = "科目名称应为2至40个字"
	}
	timeSpan(errs, in.StartsAt, in.EndsAt, &s.StartsAt, &s.EndsAt)
	if len(errs) > 0 {
		return nil, errs
	}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := lockUnreleased(ctx, tx, planID); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*ExamSubject)(nil)).Where("plan_id = ?", planID).Count(ctx)
		if err != nil {
			return err
		}
		if n >= 10 {
			return FieldErrors{"subject_name": "一个考试计划最多10个科目"}
		}
		s.SortOrder = int(n) + 1
		if _, err := tx.NewInsert().Model(s).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventArrangementSaved, arrangementObject(planID), "subject added", s.Name)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DeleteSubject removes a 科目 of a plan before 放号, with its audit row; it returns the plan's id.
func DeleteSubject(ctx context.Context, db bun.IDB, actor Actor, id int64) (int64, error) {
	if !actor.Is(RoleAdmin) {
		return 0, ErrNotAllowed
	}
	var s ExamSubject
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&s).Where("id = ?", id).Scan(ctx); err != nil {
			return notFound(err)
		}
		if _, err := lockUnreleased(ctx, tx, s.PlanID); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*ExamSubject)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventArrangementSaved, arrangementObject(s.PlanID), "subject deleted", s.Name)
	})
	return s.PlanID, err
}

// ListSubjects is a plan's 科目 by time.
func ListSubjects(ctx context.Context, db bun.IDB, planID int64) ([]ExamSubject, error) {
	var ss []ExamSubject
	err := db.NewSelect().Model(&ss).Where("plan_id = ?", planID).OrderExpr("starts_at, sort_order, id").Scan(ctx)
	return ss, err
}

// RoomInput is a 考场 as typed.
type RoomInput struct{ SiteID, RoomNo, Capacity, StartsAt, EndsAt string }

func (in RoomInput) validate(r *ExamRoom) FieldErrors {
	errs := FieldErrors{}
	if id, err := strconv.ParseInt(in.SiteID, 10, 64); err != nil || id <= 0 {
		errs["site_id"] = "请选择考点"
	} else {
		r.SiteID = id
	}
	r.RoomNo = strings.TrimSpace(in.RoomNo)
	if n := utf8.RuneCountInString(r.RoomNo); n < 1 || n > 10 {
		errs["room_no"] = "考场号应为1至10个字"
	}
	var ok bool
	if r.Capacity, ok = parseCount(in.Capacity, 1, maxRoomCapacity); !ok {
		errs["capacity"] = "容纳人数应为1至999的整数"
	}
	timeSpan(errs, in.StartsAt, in.EndsAt, &r.StartsAt, &r.EndsAt)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkSiteRoom checks a room against its 考点: the 考点 is in use (unless the room was there already: keep), and the
// plan's rooms there stay within its 考场数量 and 容纳人数 (leaving room except out, the room being edited).
func checkSiteRoom(ctx context.Context, tx bun.IDB, planID, siteID, except int64, adding, capacity int, keep bool) error {
	site, err := GetSite(ctx, tx, siteID)
	if errors.Is(err, ErrNotFound) {
		return FieldErrors{"site_id": "请选择考点"}
	} else if err != nil {
		return err
	}
	if !site.Active && !keep {
		return FieldErrors{"site_id": "该考点已停用"}
	}
	var use struct {
		N   int `bun:"n"`
		Cap int `bun:"cap"`
	}
	if err := tx.NewSelect().Model((*ExamRoom)(nil)).ColumnExpr("COUNT(*) AS n, COALESCE(SUM(capacity), 0) AS cap").
		Where("plan_id = ? AND site_id = ? AND id <> ?", planID, siteID, except).Scan(ctx, &use); err != nil {
		return err
	}
	if use.N+adding > site.RoomCount {
		return FieldErrors{"site_id": fmt.Sprintf("考点“%s”共%d个考场，本计划已用%d个", site.Name, site.RoomCount, use.N)}
	}
	if use.Cap+capacity > site.Capacity {
		return FieldErrors{"capacity": fmt.Sprintf("考点“%s”可容纳%d人，本计划已用%d个座位，最多还可安排%d人",
			site.Name, site.Capacity, use.Cap, site.Capacity-use.Cap)}
	}
	return nil
}

const msgRoomNoTaken = "该考点已有此考场号"

// CreateRoom adds a 考场 to a plan before 放号, with its audit row.
func CreateRoom(ctx context.Context, db bun.IDB, actor Actor, planID int64, in RoomInput) (*ExamRoom, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	r := &ExamRoom{PlanID: planID}
	if errs := in.validate(r); errs != nil {
		return nil, errs
	}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := lockUnreleased(ctx, tx, planID); err != nil {
			return err
		}
		if err := checkSiteRoom(ctx, tx, planID, r.SiteID, 0, 1, r.Capacity, false); err != nil {
			return err
		}
		if err := insertRooms(ctx, tx, []ExamRoom{*r}, r); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventArrangementSaved, arrangementObject(planID), "room added", r.RoomNo)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// insertRooms stores new rooms; a 考场号 already used at the 考点 is a field error. first, when given, gets the
// first room's id.
func insertRooms(ctx context.Context, tx bun.IDB, rooms []ExamRoom, first *ExamRoom) error {
	now := Now()
	for i := range rooms {
		rooms[i].CreatedAt, rooms[i].UpdatedAt, rooms[i].Version = now, now, 1
	}
	_, err := tx.NewInsert().Model(&rooms).Returning("id").Exec(ctx)
	if IsUniqueViolation(err) {
		return FieldErrors{"room_no": msgRoomNoTaken}
	}
	if err == nil && first != nil {
		*first = rooms[0]
	}
	return err
}

// UpdateRoom saves a 考场 before 放号 if nobody changed it since version (else ErrConflict), with its audit row.
func UpdateRoom(ctx context.Context, db bun.IDB, actor Actor, id int64, in RoomInput, version int) (*ExamRoom, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var r *ExamRoom
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if r, err = GetRoom(ctx, tx, id); err != nil {
			return err
		}
		if _, err := lockUnreleased(ctx, tx, r.PlanID); err != nil {
			return err
		}
		oldSite := r.SiteID
		if errs := in.validate(r); errs != nil {
			return errs
		}
		if err := checkSiteRoom(ctx, tx, r.PlanID, r.SiteID, r.ID, 1, r.Capacity, r.SiteID == oldSite); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(r).Column("site_id", "room_no", "capacity", "starts_at", "ends_at").
			Set("updated_at = ?", Now()).Set("version = version + 1").Where("id = ? AND version = ?", id, version).Exec(ctx)
		if IsUniqueViolation(err) {
			return FieldErrors{"room_no": msgRoomNoTaken}
		}
		if err := affectedOneOr(res, err, ErrConflict); err != nil {
			return err
		}
		r.Version = version + 1
		return actor.Audit(ctx, tx, EventArrangementSaved, arrangementObject(r.PlanID), "room updated", r.RoomNo)
	})
	return r, err
}

// DeleteRoom removes a 考场 before 放号, with its audit row; it returns the plan's id.
func DeleteRoom(ctx context.Context, db bun.IDB, actor Actor, id int64) (int64, error) {
	if !actor.Is(RoleAdmin) {
		return 0, ErrNotAllowed
	}
	var planID int64
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		r, err := GetRoom(ctx, tx, id)
		if err != nil {
			return err
		}
		planID = r.PlanID
		if _, err := lockUnreleased(ctx, tx, r.PlanID); err != nil {
			return err
		}
		// A cancelled draw's tickets are gone; a room is never referenced by a live one before 放号.
		if _, err := tx.NewDelete().Model((*ExamRoom)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventArrangementSaved, arrangementObject(r.PlanID), "room deleted", r.RoomNo)
	})
	return planID, err
}

// GenerateInput is the quick 批量生成考场: Count rooms of Capacity at a 考点, numbered on from the plan's highest
// numbered room (01, 02 …, so a plan's 考场号 stay unique across its 考点), all with the same times.
type GenerateInput struct{ SiteID, Count, Capacity, StartsAt, EndsAt string }

// GenerateRooms adds Count rooms at once before 放号, with one audit row; it returns them.
func GenerateRooms(ctx context.Context, db bun.IDB, actor Actor, planID int64, in GenerateInput) ([]ExamRoom, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var tmpl ExamRoom
	errs := RoomInput{SiteID: in.SiteID, RoomNo: "1", Capacity: in.Capacity, StartsAt: in.StartsAt, EndsAt: in.EndsAt}.validate(&tmpl)
	if errs == nil {
		errs = FieldErrors{}
	}
	count, ok := parseCount(in.Count, 1, maxRoomsPerBatch)
	if !ok {
		errs["count"] = "考场个数应为1至200的整数"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var rooms []ExamRoom
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := lockUnreleased(ctx, tx, planID); err != nil {
			return err
		}
		if err := checkSiteRoom(ctx, tx, planID, tmpl.SiteID, 0, count, count*tmpl.Capacity, false); err != nil {
			return err
		}
		var nos []string
		if err := tx.NewSelect().Model((*ExamRoom)(nil)).Column("room_no").Where("plan_id = ?", planID).Scan(ctx, &nos); err != nil {
			return err
		}
		last := 0
		for _, no := range nos {
			if n, err := strconv.Atoi(no); err == nil {
				last = max(last, n)
			}
		}
		for i := 1; i <= count; i++ {
			r := tmpl
			r.PlanID, r.RoomNo = planID, fmt.Sprintf("%02d", last+i)
			rooms = append(rooms, r)
		}
		if err := insertRooms(ctx, tx, rooms, nil); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventArrangementSaved, arrangementObject(planID), "rooms generated",
			fmt.Sprintf("%s～%s，%d个考场，每场%d人", rooms[0].RoomNo, rooms[len(rooms)-1].RoomNo, count, tmpl.Capacity))
	})
	if err != nil {
		return nil, err
	}
	return rooms, nil
}

// GetRoom loads a 考场 with its 考点.
func GetRoom(ctx context.Context, db bun.IDB, id int64) (*ExamRoom, error) {
	r := new(ExamRoom)
	err := db.NewSelect().Model(r).Relation("Site").Where("room.id = ?", id).Scan(ctx)
	return r, notFound(err)
}

// ListRooms is a plan's 考场 with their 考点, in room order: by 考点 (name, then id), 开始时间 and 考场号 (numbers by
// value). Numbers are given, and candidates seated, in this order.
func ListRooms(ctx context.Context, db bun.IDB, planID int64) ([]ExamRoom, error) {
	var rs []ExamRoom
	if err := db.NewSelect().Model(&rs).Relation("Site").Where("room.plan_id = ?", planID).Scan(ctx); err != nil {
		return nil, err
	}
	sortRooms(rs)
	return rs, nil
}

func sortRooms(rs []ExamRoom) {
	slices.SortFunc(rs, func(a, b ExamRoom) int {
		return cmp.Or(cmp.Compare(a.Site.Name, b.Site.Name), cmp.Compare(a.SiteID, b.SiteID),
			a.StartsAt.Compare(b.StartsAt), compareRoomNo(a.RoomNo, b.RoomNo), cmp.Compare(a.ID, b.ID))
	})
}

// compareRoomNo orders 考场号 numerically when both are numbers (2 before 10), as text otherwise.
func compareRoomNo(a, b string) int {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return cmp.Or(cmp.Compare(x, y), cmp.Compare(a, b))
	}
	return cmp.Compare(a, b)
}

// SiteSummary is one 考点 of a plan's arrangement: its rooms and their seats.
type SiteSummary struct {
	Site     ExamSite
	Rooms    int
	Capacity int
	Seated   int // candidates given a seat there (after 放号)
}

// ArrangementSummary is a plan's arrangement at a glance: the candidates waiting for numbers against the seats, per
// 考点, and the live draw when numbers are out.
type ArrangementSummary struct {
	Ready      int    // registrations in the plan's ReadyForNumbers status
	ReadyLabel string // its name: 已审核 or 已缴费
	Capacity   int    // Σ room capacity
	Sites      []SiteSummary
	ReleasedAt *time.Time
	Draw       *Draw // the live draw (nil before 放号)
	Ticketed   int   // tickets of the live draw
}

// Missing is how many seats are short of the candidates (0 when they are covered).
func (s ArrangementSummary) Missing() int { return max(0, s.Ready-s.Capacity) }

// SummarizeArrangement counts a plan's candidates and seats.
func SummarizeArrangement(ctx context.Context, db bun.IDB, planID int64) (*ArrangementSummary, error) {
	p, err := loadArrangement(ctx, db, planID, false)
	if err != nil {
		return nil, err
	}
	ready := p.readyForNumbers()
	s := &ArrangementSummary{ReleasedAt: p.ReleasedAt, ReadyLabel: ready.Label()}
	n, err := db.NewSelect().Model((*Registration)(nil)).Where("plan_id = ? AND status = ?", planID, ready).Count(ctx)
	if err != nil {
		return nil, err
	}
	s.Ready = int(n)
	rooms, err := ListRooms(ctx, db, planID)
	if err != nil {
		return nil, err
	}
	seated, err := RoomCounts(ctx, db, planID)
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		s.Capacity += r.Capacity
		if len(s.Sites) == 0 || s.Sites[len(s.Sites)-1].Site.ID != r.SiteID {
			s.Sites = append(s.Sites, SiteSummary{Site: *r.Site})
		}
		last := &s.Sites[len(s.Sites)-1]
		last.Rooms++
		last.Capacity += r.Capacity
		last.Seated += seated[r.ID]
	}
	if s.Draw, err = LiveDraw(ctx, db, planID); err != nil {
		return nil, err
	}
	if s.Draw != nil {
		n, err := db.NewSelect().Model((*Ticket)(nil)).Where("draw_id = ?", s.Draw.ID).Count(ctx)
		if err != nil {
			return nil, err
		}
		s.Ticketed = int(n)
	}
	return s, nil
}
