package models

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// QueueRow is a registration as a review queue lists it: one row of one query (person, filing organization and plan
// joined), so a page of the queue is two statements whatever its size.
type QueueRow struct {
	ID           int64     `bun:"id"`
	PlanID       int64     `bun:"plan_id"`
	PlanName     string    `bun:"plan_name"`
	PersonID     int64     `bun:"person_id"`
	Name         string    `bun:"name"`
	IDNumber     string    `bun:"id_number"`
	Education    string    `bun:"education"`
	EmployerName string    `bun:"employer_name"`
	YearsOfWork  int       `bun:"years_of_work"`
	Channel      Channel   `bun:"channel"`
	OrgName      string    `bun:"org_name"`
	Status       RegStatus `bun:"status"`
	RejectReason string    `bun:"reject_reason"`
	AccountID    *int64    `bun:"account_id"`
	CreatedAt    time.Time `bun:"created_at"`
	Version      int       `bun:"version"` // as shown: a decision on it applies only if nobody changed it since
}

// Number is the row's 报名编号.
func (r *QueueRow) Number() string { return (&Registration{ID: r.ID, PlanID: r.PlanID}).Number() }

// ChannelLabels name the channels of a registration.
var ChannelLabels = map[Channel]string{ChannelSelf: "个人报名", ChannelEnterprise: "企业报名", ChannelTraining: "培训机构报名"}

// QueueFilter narrows a review queue: the plan (0: every plan, for 单位确认), a status, the filing organization, the
// channel, and a name or ID number.
type QueueFilter struct {
	PlanID  int64
	Status  RegStatus
	OrgID   int64
	Channel Channel
	Query   string
	Offset  int
	Limit   int
}

// queueQuery is the queue's rows for actor: the registry sees a plan's registrations; an enterprise those that name
// it and were filed by others (its 单位确认 queue). Any other role sees nothing.
func queueQuery(db bun.IDB, actor Actor, f QueueFilter, withStatus bool) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("registrations AS reg")
	if strings.TrimSpace(f.Query) != "" {
		q = q.Join("JOIN persons AS p ON p.id = reg.person_id") // counts need the person only to search by name
	}
	switch {
	case actor.Is(RoleAdmin):
		q = q.Where("reg.plan_id = ?", f.PlanID)
	case actor.Is(RoleEnterprise) && actor.OrganizationID() != nil:
		q = q.Where("reg.unit_org_id = ?", *actor.OrganizationID()).
			Where("(reg.organization_id IS NULL OR reg.organization_id <> ?)", *actor.OrganizationID())
		if f.PlanID != 0 {
			q = q.Where("reg.plan_id = ?", f.PlanID)
		}
	default:
		return q.Where("1 = 0")
	}
	if withStatus && f.Status != "" {
		q = q.Where("reg.status = ?", f.Status)
	}
	if f.OrgID != 0 {
		q = q.Where("reg.organization_id = ?", f.OrgID)
	}
	if f.Channel != "" {
		q = q.Where("reg.channel = ?", f.Channel)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("p.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%").WhereOr("p.id_number = ?", strings.ToUpper(s))
		})
	}
	return q
}

// ReviewQueue returns a page of a review queue, oldest first (first filed, first decided), and how many match.
func ReviewQueue(ctx context.Context, db bun.IDB, actor Actor, f QueueFilter) ([]QueueRow, int, error) {
	var rows []QueueRow
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q := queueColumns(queueQuery(db, actor, f, true), f).OrderExpr("reg.id ASC").Offset(int64(f.Offset)).Limit(int64(f.Limit))
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, 0, err
	}
	n, err := queueQuery(db, actor, f, true).Count(ctx)
	return rows, int(n), err
}

// ReviewQueueRow is one registration of actor's queue (f's plan, any status): ErrNotFound outside it.
func ReviewQueueRow(ctx context.Context, db bun.IDB, actor Actor, f QueueFilter, id int64) (*QueueRow, error) {
	f.Status, f.OrgID, f.Channel, f.Query = "", 0, "", ""
	var rows []QueueRow
	q := queueQuery(db, actor, f, false).Where("reg.id = ?", id)
	if err := queueColumns(q, f).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// queueColumns are the columns of a QueueRow.
func queueColumns(q *bun.SelectQuery, f QueueFilter) *bun.SelectQuery {
	if strings.TrimSpace(f.Query) == "" {
		q = q.Join("JOIN persons AS p ON p.id = reg.person_id")
	}
	return q.Join("JOIN exam_plans AS plan ON plan.id = reg.plan_id").
		Join("LEFT JOIN organizations AS o ON o.id = reg.organization_id").
		ColumnExpr("reg.id, reg.plan_id, plan.name AS plan_name, reg.person_id, p.name, p.id_number, p.education, reg.employer_name").
		ColumnExpr("reg.years_of_work, reg.channel, COALESCE(o.name, '') AS org_name, reg.status, reg.reject_reason, reg.account_id, reg.created_at, reg.version")
}

// ReviewQueueIDs is every registration id of the queue that matches the filter (选择全部符合条件的 N 条).
func ReviewQueueIDs(ctx context.Context, db bun.IDB, actor Actor, f QueueFilter) ([]int64, error) {
	var ids []int64
	err := queueQuery(db, actor, f, true).Column("reg.id").OrderExpr("reg.id").Scan(ctx, &ids)
	return ids, err
}

// ReviewCounts counts the queue's registrations by status, with the filter's other conditions (the status tabs).
func ReviewCounts(ctx context.Context, db bun.IDB, actor Actor, f QueueFilter) (map[RegStatus]int, error) {
	var rows []struct {
		Status RegStatus `bun:"status"`
		N      int       `bun:"n"`
	}
	err := queueQuery(db, actor, f, false).ColumnExpr("reg.status, COUNT(*) AS n").GroupExpr("reg.status").Scan(ctx, &rows)
	out := make(map[RegStatus]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}

// FilingOrganization is an organization that filed registrations of a plan (the queue's 报名单位 filter).
type FilingOrganization struct {
	ID   int64  `bun:"id"`
	Name string `bun:"name"`
}

// FilingOrganizations lists the organizations that filed registrations of a plan, by name.
func FilingOrganizations(ctx context.Context, db bun.IDB, planID int64) ([]FilingOrganization, error) {
	var out []FilingOrganization
	err := db.NewSelect().TableExpr("organizations AS o").ColumnExpr("o.id, o.name").
		Where("o.id IN (SELECT organization_id FROM registrations WHERE plan_id = ? AND organization_id IS NOT NULL)", planID).
		OrderExpr("o.name").Scan(ctx, &out)
	return out, err
}

// PlanToReview is a plan in 报名审核's list, with its registrations by status.
type PlanToReview struct {
	Plan   ExamPlan
	Counts map[RegStatus]int
}

// Waiting is how many of the plan's registrations wait for the registry (待审核 and 已受理).
func (p PlanToReview) Waiting() int { return p.Counts[RegUnitConfirmed] + p.Counts[RegAccepted] }

// PlansToReview lists the plans past their draft that have registrations, with counts by status, those with most
// waiting first; category narrows them to a 岗位/工种 (0: all).
func PlansToReview(ctx context.Context, db bun.IDB, categoryID int64) ([]PlanToReview, error) {
	var rows []struct {
		PlanID int64     `bun:"plan_id"`
		Status RegStatus `bun:"status"`
		N      int       `bun:"n"`
	}
	q := db.NewSelect().TableExpr("registrations AS reg").ColumnExpr("reg.plan_id, reg.status, COUNT(*) AS n").GroupExpr("reg.plan_id, reg.status")
	if categoryID != 0 {
		q = q.Where("reg.plan_id IN (SELECT id FROM exam_plans WHERE category_id = ?)", categoryID)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	counts := map[int64]map[RegStatus]int{}
	var ids []int64
	for _, r := range rows {
		if counts[r.PlanID] == nil {
			counts[r.PlanID] = map[RegStatus]int{}
			ids = append(ids, r.PlanID)
		}
		counts[r.PlanID][r.Status] = r.N
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var plans []ExamPlan
	if err := db.NewSelect().Model(&plans).Relation("Category").Where("plan.id IN (?)", bun.List(ids)).
		Where("plan.status <> ?", PlanDraft).OrderExpr("plan.exam_at, plan.id").Scan(ctx); err != nil {
		return nil, err
	}
	out := make([]PlanToReview, len(plans))
	for i, p := range plans {
		out[i] = PlanToReview{Plan: p, Counts: counts[p.ID]}
	}
	// Most waiting first, then as listed (soonest exam first).
	slices.SortStableFunc(out, func(a, b PlanToReview) int { return b.Waiting() - a.Waiting() })
	return out, nil
}

// HistoryEntry is one status change of a registration, as its page lists it: when, who (the account's name and
// role), what (the action of the transition table), the 批号 and the reason.
type HistoryEntry struct {
	ChangedAt  time.Time `bun:"changed_at"`
	FromStatus RegStatus `bun:"from_status"`
	ToStatus   RegStatus `bun:"to_status"`
	BatchNo    string    `bun:"batch_no"`
	Reason     string    `bun:"reason"`
	Who        string    `bun:"who"`
	Role       Role      `bun:"role"`
}

// Action is what the change was called (单位确认, 审核通过, 退回修改 …).
func (h HistoryEntry) Action() string {
	if l, ok := RegistrationTransitions.Find(h.FromStatus, h.ToStatus); ok {
		return l.Action
	}
	return h.ToStatus.Label()
}

// RegistrationHistory is a registration's status changes, oldest first, with who made them (one query).
func RegistrationHistory(ctx context.Context, db bun.IDB, regID int64) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := db.NewSelect().TableExpr("status_changes AS sc").Join("LEFT JOIN accounts AS a ON a.id = sc.account_id").
		ColumnExpr("sc.changed_at, sc.from_status, sc.to_status, sc.batch_no, sc.reason").
		ColumnExpr("COALESCE(a.display_name, '') AS who, COALESCE(a.role, '') AS role").
		Where("sc.record_kind = 'registration' AND sc.record_id = ?", regID).OrderExpr("sc.id").Scan(ctx, &out)
	return out, err
}
