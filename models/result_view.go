package models

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// 查看考试结果 (manual 2.1.3 / 2.2.3 / 2.3.3) and the 考试合格人员 list. A result exists for a caller when the candidate
// has a 准考证 of a live draw and is in the caller's scope (as for 准考证, scopeTickets: oneself; an enterprise's
// filed, vouched-for and staff registrations; a training institution's filed ones; an admin all), and:
//   - for applicants, the plan's results are published and the registration is 合格 or 不合格;
//   - for an admin, from 已放号 on.
// Anything else is ErrNotFound or simply absent from a list.

// ResultRow is one candidate's result with the columns of LIFECYCLE §6's lists.
type ResultRow struct {
	RegistrationID int64     `bun:"registration_id"`
	PlanID         int64     `bun:"plan_id"`
	PlanName       string    `bun:"plan_name"`
	ExamAt         time.Time `bun:"exam_at"`
	TicketNo       string    `bun:"ticket_no"`
	Category       string    `bun:"category_name"`
	Level          string    `bun:"level"`
	Name           string    `bun:"person_name"`
	IDNumber       string    `bun:"id_number"`
	Phone          string    `bun:"phone"`
	Employer       string    `bun:"employer_name"`
	Status         RegStatus `bun:"status"`
	Channel        Channel   `bun:"channel"`
	CertNo         string    `bun:"cert_no"` // the 证书编号 issued from this result ("" before 发证)
}

// Outcome is the 考试结果 as the lists show it: 合格, 不合格, or (for the registry, before 发布) 成绩未公告 / 已放号.
func (r ResultRow) Outcome() string { return r.Status.Label() }

// Announced is the admin list's 公告状态.
func (r ResultRow) Announced() string {
	if r.Status == RegPassed || r.Status == RegFailed {
		return "成绩已公告"
	}
	if r.Status == RegScored {
		return "成绩未公告"
	}
	return "成绩未判定"
}

// ResultFilter narrows ListResults and EachResult.
type ResultFilter struct {
	PlanID     int64
	Name       string // 考生姓名, a part of it
	PassedOnly bool   // the 考试合格人员 list
	Offset     int
	Limit      int
}

func resultBase(db bun.IDB, acct *Account) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("tickets AS t").
		Join("JOIN registrations AS reg ON reg.id = t.registration_id").
		Join("JOIN persons AS p ON p.id = reg.person_id").
		Join("JOIN exam_plans AS plan ON plan.id = t.plan_id AND plan.id = reg.plan_id").
		Join("LEFT JOIN exam_categories AS cat ON cat.id = plan.category_id").
		Join("JOIN draws AS d ON d.id = t.draw_id").
		Where("d.cancelled_at IS NULL")
	if acct != nil && acct.Role == RoleAdmin {
		q = q.Where("reg.status IN (?)", bun.In(resultStatuses))
	} else {
		q = q.Where("reg.status IN (?)", bun.In([]RegStatus{RegPassed, RegFailed})).
			Where("EXISTS (SELECT 1 FROM result_releases AS rr WHERE rr.plan_id = plan.id AND rr.published_at IS NOT NULL)")
	}
	return scopeTickets(q, acct)
}

func resultQuery(db bun.IDB, acct *Account, f ResultFilter) *bun.SelectQuery {
	q := resultBase(db, acct).
		ColumnExpr("t.registration_id, t.plan_id, plan.name AS plan_name, plan.exam_at, t.ticket_no").
		ColumnExpr("COALESCE(cat.name, '') AS category_name, plan.level, p.name AS person_name, p.id_number, p.phone").
		ColumnExpr("reg.employer_name, reg.status, reg.channel, COALESCE(cert.number, '') AS cert_no").
		Join("LEFT JOIN certificates AS cert ON cert.registration_id = t.registration_id")
	if f.PlanID != 0 {
		q = q.Where("t.plan_id = ?", f.PlanID)
	}
	if s := strings.TrimSpace(f.Name); s != "" {
		q = q.Where("p.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if f.PassedOnly {
		q = q.Where("reg.status = ?", RegPassed)
	}
	return q.OrderExpr("t.ticket_no")
}

// ListResults returns a page of the results the actor sees, in 准考证号 order, and how many match.
func ListResults(ctx context.Context, db bun.IDB, actor Actor, f ResultFilter) ([]ResultRow, int, error) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	var rs []ResultRow
	n, err := resultQuery(db, actor.Account, f).Limit(int64(f.Limit)).Offset(int64(f.Offset)).ScanAndCount(ctx, &rs)
	return rs, int(n), err
}

// EachResult calls fn with every result the actor sees, in 准考证号 order, as the database cursor reads them: an
// export of any length holds one row at a time.
func EachResult(ctx context.Context, db bun.IDB, actor Actor, f ResultFilter, fn func(*ResultRow) error) error {
	q := resultQuery(db, actor.Account, f)
	rows, err := q.Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r ResultRow
	for rows.Next() {
		r = ResultRow{}
		if err := q.DB().ScanRow(ctx, rows, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SubjectScores are the scores of the given registrations, by registration, in the plan's subject order.
func SubjectScores(ctx context.Context, db bun.IDB, regIDs []int64) (map[int64][]Score, error) {
	out := map[int64][]Score{}
	if len(regIDs) == 0 {
		return out, nil
	}
	var ss []Score
	err := db.NewSelect().Model(&ss).ColumnExpr("score.*").
		Join("JOIN exam_subjects AS sub ON sub.id = score.subject_id").
		Where("score.registration_id IN (?)", bun.List(regIDs)).OrderExpr("sub.sort_order, sub.starts_at, sub.id").Scan(ctx)
	for _, s := range ss {
		out[s.RegistrationID] = append(out[s.RegistrationID], s)
	}
	return out, err
}

// ResultPlans lists the plans in which the actor sees at least one result (the 查看考试结果 picker), latest exam
// first.
func ResultPlans(ctx context.Context, db bun.IDB, actor Actor, f PlanFilter) ([]ExamPlan, error) {
	if actor.Account == nil {
		return nil, ErrNotAllowed
	}
	var ps []ExamPlan
	sub := resultBase(db, actor.Account).ColumnExpr("DISTINCT t.plan_id")
	q := db.NewSelect().Model(&ps).Relation("Category").Where("plan.id IN (?)", sub).OrderExpr("plan.exam_at DESC, plan.id DESC")
	if s := strings.TrimSpace(f.Query); s != "" {
		q = q.Where("plan.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if f.CategoryID != 0 {
		q = q.Where("plan.category_id = ?", f.CategoryID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	err := q.Limit(int64(f.Limit)).Scan(ctx)
	return ps, err
}

// ResultPlanInScope loads a plan for 查看考试结果: it must hold a result the actor sees, else ErrNotFound.
func ResultPlanInScope(ctx context.Context, db bun.IDB, actor Actor, planID int64) (*ExamPlan, error) {
	ok, err := resultBase(db, actor.Account).Where("t.plan_id = ?", planID).Exists(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	p := new(ExamPlan)
	err = db.NewSelect().Model(p).Relation("Category").Where("plan.id = ?", planID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// ResultPlanSummary is a released plan on 成绩管理's list: its candidates and where its results are.
type ResultPlanSummary struct {
	ExamPlan   `bun:",extend"`
	Candidates int        `bun:"candidates"`
	Scored     int        `bun:"scored"`
	Published  *time.Time `bun:"published_at"`
}

// ResultPlanList is 成绩管理's list: released plans, latest exam first (admins only).
func ResultPlanList(ctx context.Context, db bun.IDB, actor Actor, limit int) ([]ResultPlanSummary, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotFound
	}
	var out []ResultPlanSummary
	err := db.NewSelect().Model(&out).Relation("Category").ColumnExpr("plan.id, plan.name, plan.category_id, plan.level, plan.exam_at").
		ColumnExpr("(SELECT COUNT(*) FROM tickets AS t JOIN draws AS d ON d.id = t.draw_id WHERE t.plan_id = plan.id AND d.cancelled_at IS NULL) AS candidates").
		ColumnExpr("(SELECT COUNT(DISTINCT s.registration_id) FROM scores AS s WHERE s.plan_id = plan.id) AS scored").
		ColumnExpr("(SELECT rr.published_at FROM result_releases AS rr WHERE rr.plan_id = plan.id) AS published_at").
		Where("plan.released_at IS NOT NULL").OrderExpr("plan.exam_at DESC, plan.id DESC").Limit(int64(limit)).Scan(ctx)
	return out, err
}
