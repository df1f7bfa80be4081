package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// ExamSite is a 考点: a place with rooms.
type ExamSite struct {
	bun.BaseModel `bun:"table:exam_sites"`

	ID           int64     `bun:"id,pk,autoincrement"`
	Name         string    `bun:"name,notnull"`
	Address      string    `bun:"address,notnull"`
	ContactName  string    `bun:"contact_name,notnull"`
	ContactPhone string    `bun:"contact_phone,notnull"`
	RoomCount    int       `bun:"room_count,notnull"`
	Capacity     int       `bun:"capacity,notnull"` // 容纳人数, all rooms together
	Active       bool      `bun:"active,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
	UpdatedAt    time.Time `bun:"updated_at,notnull"`
	Version      int       `bun:"version,notnull"`
}

// ExamSubject is one subject of a plan, with its time (the 准考证 lists them).
type ExamSubject struct {
	bun.BaseModel `bun:"table:exam_subjects"`

	ID        int64     `bun:"id,pk,autoincrement"`
	PlanID    int64     `bun:"plan_id,notnull"`
	Name      string    `bun:"name,notnull"`
	StartsAt  time.Time `bun:"starts_at,notnull"`
	EndsAt    time.Time `bun:"ends_at,notnull"`
	SortOrder int       `bun:"sort_order,notnull"`
}

// ExamRoom is a 考场 of a plan at a 考点; its 准考证号 range is set at 放号.
type ExamRoom struct {
	bun.BaseModel `bun:"table:exam_rooms,alias:room"`

	ID            int64     `bun:"id,pk,autoincrement"`
	PlanID        int64     `bun:"plan_id,notnull"`
	SiteID        int64     `bun:"site_id,notnull"`
	Site          *ExamSite `bun:"rel:belongs-to,join:site_id=id"`
	RoomNo        string    `bun:"room_no,notnull"`
	Capacity      int       `bun:"capacity,notnull"`
	StartsAt      time.Time `bun:"starts_at,notnull"`
	EndsAt        time.Time `bun:"ends_at,notnull"`
	FirstTicketNo string    `bun:"first_ticket_no,notnull"`
	LastTicketNo  string    `bun:"last_ticket_no,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
	Version       int       `bun:"version,notnull"`
}

// Draw is one drawing of a plan's candidates over its rooms; its seed reproduces it.
type Draw struct {
	bun.BaseModel `bun:"table:draws"`

	ID                  int64      `bun:"id,pk,autoincrement"`
	PlanID              int64      `bun:"plan_id,notnull"`
	Seed                string     `bun:"seed,notnull"`
	SpreadOrganizations bool       `bun:"spread_organizations,notnull"`
	Candidates          int        `bun:"candidates,notnull"`
	BatchNo             string     `bun:"batch_no,notnull"`
	AccountID           *int64     `bun:"account_id"`
	DrawnAt             time.Time  `bun:"drawn_at,notnull"`
	CancelledAt         *time.Time `bun:"cancelled_at"`
}

// Ticket is a candidate's 准考证: room, seat, number; 签到 and 缺考 on exam day.
type Ticket struct {
	bun.BaseModel `bun:"table:tickets,alias:t"`

	RegistrationID int64         `bun:"registration_id,pk"`
	Registration   *Registration `bun:"rel:belongs-to,join:registration_id=id"`
	PlanID         int64         `bun:"plan_id,notnull"`
	RoomID         int64         `bun:"room_id,notnull"`
	Room           *ExamRoom     `bun:"rel:belongs-to,join:room_id=id"`
	DrawID         int64         `bun:"draw_id,notnull"`
	SeatNo         int           `bun:"seat_no,notnull"`
	TicketNo       string        `bun:"ticket_no,notnull"`
	CheckedInAt    *time.Time    `bun:"checked_in_at"`
	CheckedInBy    *int64        `bun:"checked_in_by"`
	Absent         bool          `bun:"absent,notnull"`
}

// ProctorScope lets a 考务人员 check candidates in at one 考点 on one day (YYYY-MM-DD, Beijing time).
type ProctorScope struct {
	bun.BaseModel `bun:"table:proctor_scopes"`

	ID        int64  `bun:"id,pk,autoincrement"`
	AccountID int64  `bun:"account_id,notnull"`
	SiteID    int64  `bun:"site_id,notnull"`
	Day       string `bun:"day,notnull"`
}

// NextYearlyCounter takes the next value of a per-year counter (from 1) inside tx: the row is locked until tx ends,
// so two transactions never take the same value.
func NextYearlyCounter(ctx context.Context, tx bun.IDB, scope string, year int) (int64, error) {
	var v int64
	err := tx.NewRaw(`INSERT INTO yearly_counters (scope, year, value) VALUES (?, ?, 1)
		ON CONFLICT (scope, year) DO UPDATE SET value = yearly_counters.value + 1 RETURNING value`, scope, year).Scan(ctx, &v)
	return v, err
}
