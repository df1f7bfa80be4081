package models

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/sync/errgroup"
)

// 统计 (issue 12): the registry's figures over registrations, results, certificates and check-in, each one GROUP BY
// query. A filter narrows all of them: the year of the exam (Beijing time), one plan, one 岗位, one organization.
// Certificates follow the filter through their own columns: the year they were issued in, the registration (plan)
// they were issued from, their 岗位 and their employer.

// ExpiringWithin is how far ahead 即将到期的证书 looks; StatsExpiringRows how many of them the screen lists.
const (
	ExpiringWithin    = 90 * 24 * time.Hour
	StatsExpiringRows = 20
)

// StatsFilter narrows the figures; a zero field does not filter. Now is the clock for 即将到期 (zero: Now()).
type StatsFilter struct {
	Year           int
	PlanID         int64
	CategoryID     int64
	OrganizationID int64
	Now            time.Time
}

// StatusCount is how many registrations are in a status.
type StatusCount struct {
	Status RegStatus `bun:"status"`
	Count  int       `bun:"n"`
}

// PassRate is 合格率 of a plan, a subject or an organization: passed / (passed + failed). Key is the plan's or the
// organization's id (0: 个人报名), or 0 for a subject (subjects are grouped by name across plans).
type PassRate struct {
	Key    int64  `bun:"key"`
	Name   string `bun:"name"`
	Passed int    `bun:"passed"`
	Failed int    `bun:"failed"`
}

// Rate is the pass rate in percent, 0 when nobody was judged.
func (p PassRate) Rate() float64 { return percent(p.Passed, p.Passed+p.Failed) }

// CertStateCount is how many certificates are in a state.
type CertStateCount struct {
	Status CertStatus `bun:"status"`
	Count  int        `bun:"n"`
}

// ExpiringCert is a valid certificate whose 有效期 ends within ExpiringWithin.
type ExpiringCert struct {
	Number       string    `bun:"number"`
	Name         string    `bun:"name"`
	PostName     string    `bun:"post_name"`
	EmployerName string    `bun:"employer_name"`
	ValidUntil   time.Time `bun:"valid_until"`
}

// AbsenceRate is 缺考率 of a plan: tickets marked absent / tickets.
type AbsenceRate struct {
	PlanID  int64  `bun:"plan_id"`
	Name    string `bun:"name"`
	Absent  int    `bun:"absent"`
	Tickets int    `bun:"tickets"`
}

// Rate is the absence rate in percent.
func (a AbsenceRate) Rate() float64 { return percent(a.Absent, a.Tickets) }

// Stats is every figure of the 统计 screen.
type Stats struct {
	ByStatus       []StatusCount
	ByPlan         []PassRate
	BySubject      []PassRate
	ByOrganization []PassRate
	CertStates     []CertStateCount
	ExpiringCount  int
	Expiring       []ExpiringCert // the first StatsExpiringRows, soonest first
	Absence        []AbsenceRate
}

func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) * 100 / float64(of)
}

// StatsTable names one table of the 统计 screen (the id of its 导出).
type StatsTable string

// The tables of the 统计 screen, in screen order.
const (
	StatsByStatus      StatsTable = "status"
	StatsPassByPlan    StatsTable = "pass-plan"
	StatsPassBySubject StatsTable = "pass-subject"
	StatsPassByOrg     StatsTable = "pass-org"
	StatsCertStates    StatsTable = "cert-state"
	StatsExpiring      StatsTable = "expiring"
	StatsAbsence       StatsTable = "absence"
)

// StatsTables are every table of the screen.
var StatsTables = []StatsTable{StatsByStatus, StatsPassByPlan, StatsPassBySubject, StatsPassByOrg, StatsCertStates,
	StatsExpiring, StatsAbsence}

// statsStep is one query of the screen: the table it fills and its name (in the benchmark).
type statsStep struct {
	table StatsTable
	name  string
	run   func() error
}

// statsSteps are the queries of the screen under f, each filling its part of s.
func statsSteps(ctx context.Context, db bun.IDB, f StatsFilter, s *Stats) []statsStep {
	return []statsStep{
		{StatsByStatus, "by_status", func() error {
			return f.registrations(db).ColumnExpr("reg.status, COUNT(*) AS n").Group("reg.status").Scan(ctx, &s.ByStatus)
		}},
		{StatsPassByPlan, "pass_by_plan", func() error { return f.passByPlan(db).Scan(ctx, &s.ByPlan) }},
		{StatsPassByOrg, "pass_by_org", func() error { return f.passByOrganization(db).Scan(ctx, &s.ByOrganization) }},
		{StatsPassBySubject, "pass_by_subject", func() error { return f.subjects(db).Scan(ctx, &s.BySubject) }},
		{StatsCertStates, "cert_states", func() error {
			return f.certificates(db).ColumnExpr("cert.status, COUNT(*) AS n").Group("cert.status").Scan(ctx, &s.CertStates)
		}},
		{StatsExpiring, "expiring_count", func() error {
			n, err := f.expiring(db).Count(ctx)
			s.ExpiringCount = int(n)
			return err
		}},
		{StatsExpiring, "expiring_rows", func() error { return f.expiringRows(db).Limit(StatsExpiringRows).Scan(ctx, &s.Expiring) }},
		{StatsAbsence, "absence", func() error { return f.absence(db).Scan(ctx, &s.Absence) }},
	}
}

// statsParallel is how many of the screen's queries run at once on PostgreSQL (each on its own pooled connection).
const statsParallel = 4

// Statistics computes the figures of the 统计 screen: admins only, else ErrNotAllowed. With tables, only their
// queries run (an export reads one table); the others stay empty. On PostgreSQL, outside a transaction, the queries
// run concurrently (each fills its own fields of the result; the first error cancels the rest); on SQLite, or in a
// transaction (one connection), one after the other.
func Statistics(ctx context.Context, db bun.IDB, actor Actor, f StatsFilter, tables ...StatsTable) (*Stats, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	s := new(Stats)
	g, gctx := errgroup.WithContext(ctx)
	if _, pool := db.(*bun.DB); pool && isPostgres(db) {
		g.SetLimit(statsParallel)
	} else {
		g.SetLimit(1)
	}
	for _, step := range statsSteps(gctx, db, f, s) {
		if len(tables) > 0 && !slices.Contains(tables, step.table) {
			continue
		}
		g.Go(step.run)
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s, nil
}

// EachExpiringCertificate calls fn for every valid certificate of f that expires within ExpiringWithin, soonest
// first, read from a cursor (the 即将到期 export streams them): admins only, else ErrNotAllowed.
func EachExpiringCertificate(ctx context.Context, db bun.IDB, actor Actor, f StatsFilter, fn func(*ExpiringCert) error) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	q := f.expiringRows(db)
	rows, err := q.Rows(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r ExpiringCert
	for rows.Next() {
		r = ExpiringCert{}
		if err := q.DB().ScanRow(ctx, rows, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// expiringRows are the columns of the filter's expiring certificates, soonest first.
func (f StatsFilter) expiringRows(db bun.IDB) *bun.SelectQuery {
	return f.expiring(db).ColumnExpr("cert.number, cert.name, cert.post_name, cert.employer_name, cert.valid_until").
		Order("cert.valid_until", "cert.id")
}

// yearRange is the Beijing calendar year as UTC instants [from, to).
func (f StatsFilter) yearRange() (time.Time, time.Time) {
	from := time.Date(f.Year, 1, 1, 0, 0, 0, 0, Beijing).UTC()
	return from, from.AddDate(1, 0, 0)
}

// plans narrows a query that has the plan as "plan" by year and 岗位 (and by the plan itself when byID).
func (f StatsFilter) plans(q *bun.SelectQuery, byID bool) *bun.SelectQuery {
	if f.Year > 0 {
		from, to := f.yearRange()
		q = q.Where("plan.exam_at >= ? AND plan.exam_at < ?", from, to)
	}
	if f.CategoryID > 0 {
		q = q.Where("plan.category_id = ?", f.CategoryID)
	}
	if byID && f.PlanID > 0 {
		q = q.Where("plan.id = ?", f.PlanID)
	}
	return q
}

// registrations is the filter's registrations ("reg"); their plan ("plan") is joined only when the year or the
// 岗位 needs it, so that the unfiltered counts read the index alone.
func (f StatsFilter) registrations(db bun.IDB) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("registrations AS reg")
	if f.OrganizationID > 0 {
		q = q.Where("reg.organization_id = ?", f.OrganizationID)
	}
	if f.PlanID > 0 {
		q = q.Where("reg.plan_id = ?", f.PlanID)
	}
	if f.Year == 0 && f.CategoryID == 0 {
		return q
	}
	return f.plans(q.Join("JOIN exam_plans AS plan ON plan.id = reg.plan_id"), false)
}

// judged counts 合格 and 不合格 among the filter's registrations by key (a column of reg), in a subquery "x" with
// columns key, passed and failed: the caller joins the names to the few groups.
func (f StatsFilter) judged(db bun.IDB, key string) *bun.SelectQuery {
	inner := f.registrations(db).Where("reg.status IN (?)", bun.In([]RegStatus{RegPassed, RegFailed})).
		ColumnExpr(key+" AS key").
		ColumnExpr("SUM(CASE WHEN reg.status = ? THEN 1 ELSE 0 END) AS passed", RegPassed).
		ColumnExpr("SUM(CASE WHEN reg.status = ? THEN 1 ELSE 0 END) AS failed", RegFailed).
		GroupExpr(key)
	return db.NewSelect().TableExpr("(?) AS x", inner).ColumnExpr("x.key, x.passed, x.failed")
}

// passByPlan is 合格率 by plan.
func (f StatsFilter) passByPlan(db bun.IDB) *bun.SelectQuery {
	return f.judged(db, "reg.plan_id").Join("JOIN exam_plans AS plan ON plan.id = x.key").ColumnExpr("plan.name AS name").Order("x.key")
}

// passByOrganization is 合格率 by organization, 个人报名 (no organization) as key 0, the largest first.
func (f StatsFilter) passByOrganization(db bun.IDB) *bun.SelectQuery {
	return f.judged(db, "COALESCE(reg.organization_id, 0)").Join("LEFT JOIN organizations AS o ON o.id = x.key").
		ColumnExpr("COALESCE(o.name, '个人报名') AS name").OrderExpr("x.passed + x.failed DESC, x.key")
}

// subjects is 合格率 by subject name over published plans: a score passes when 正常 and at or above its 合格线.
// Scores are counted by subject before the names are joined.
func (f StatsFilter) subjects(db bun.IDB) *bun.SelectQuery {
	inner := db.NewSelect().TableExpr("scores AS s").
		Join("JOIN pass_lines AS pl ON pl.subject_id = s.subject_id").
		ColumnExpr("s.subject_id").
		ColumnExpr("SUM(CASE WHEN s.situation = ? AND s.total_tenths >= pl.line_tenths THEN 1 ELSE 0 END) AS passed", SituationNormal).
		ColumnExpr("SUM(CASE WHEN s.situation = ? AND s.total_tenths >= pl.line_tenths THEN 0 ELSE 1 END) AS failed", SituationNormal).
		Where("s.plan_id IN (?)", f.plans(db.NewSelect().TableExpr("exam_plans AS plan").Column("plan.id").
			Join("JOIN result_releases AS rr ON rr.plan_id = plan.id AND rr.published_at IS NOT NULL"), true)).
		Group("s.subject_id")
	if f.OrganizationID > 0 {
		inner = inner.Join("JOIN registrations AS reg ON reg.id = s.registration_id").Where("reg.organization_id = ?", f.OrganizationID)
	}
	return db.NewSelect().TableExpr("(?) AS x", inner).Join("JOIN exam_subjects AS sub ON sub.id = x.subject_id").
		ColumnExpr("0 AS key, sub.name AS name, SUM(x.passed) AS passed, SUM(x.failed) AS failed").Group("sub.name").Order("sub.name")
}

// certificates is the filter's certificates ("cert").
func (f StatsFilter) certificates(db bun.IDB) *bun.SelectQuery {
	q := db.NewSelect().TableExpr("certificates AS cert")
	if f.Year > 0 {
		from, to := f.yearRange()
		q = q.Where("cert.issued_on >= ? AND cert.issued_on < ?", from, to)
	}
	if f.CategoryID > 0 {
		q = q.Where("cert.category_id = ?", f.CategoryID)
	}
	if f.OrganizationID > 0 {
		q = q.Where("cert.organization_id = ?", f.OrganizationID)
	}
	if f.PlanID > 0 {
		q = q.Where("cert.registration_id IN (SELECT id FROM registrations WHERE plan_id = ?)", f.PlanID)
	}
	return q
}

// expiring is the filter's valid certificates whose 有效期 ends within ExpiringWithin from f.Now.
func (f StatsFilter) expiring(db bun.IDB) *bun.SelectQuery {
	now := f.Now
	if now.IsZero() {
		now = Now()
	}
	return f.certificates(db).Where("cert.status = ? AND cert.valid_until >= ? AND cert.valid_until < ?",
		CertValid, now, now.Add(ExpiringWithin))
}

// absence is 缺考率 by plan over the filter's tickets, counted by plan_id before the names are joined. A ticket is
// absent when check-in marked it or a score of its registration is 缺考 (as the 缺考 rule counts, absenceDates).
// Both parts read indexes only (migration absence_indexes): the tickets and their check-in 缺考 by plan
// (tickets_plan_absent), and, added to them, the registrations with a 缺考 score (scores_absent) whose ticket is not
// marked (tickets_absent), merged in registration order. Every score has a ticket of its plan: 取消放号 is refused
// once a score is in (ErrBeyondTicketed).
func (f StatsFilter) absence(db bun.IDB) *bun.SelectQuery {
	narrow := func(q *bun.SelectQuery, alias string) *bun.SelectQuery {
		if f.OrganizationID > 0 {
			q = q.Join("JOIN registrations AS reg ON reg.id = "+alias+".registration_id").Where("reg.organization_id = ?", f.OrganizationID)
		}
		if f.PlanID > 0 {
			q = q.Where(alias+".plan_id = ?", f.PlanID)
		} else if f.Year > 0 || f.CategoryID > 0 {
			q = q.Where(alias+".plan_id IN (?)", f.plans(db.NewSelect().TableExpr("exam_plans AS plan").Column("plan.id"), false))
		}
		return q.Group(alias + ".plan_id")
	}
	checkIn := narrow(db.NewSelect().TableExpr("tickets AS t").ColumnExpr("t.plan_id, COUNT(*) AS tickets").
		ColumnExpr("SUM(CASE WHEN t.absent THEN 1 ELSE 0 END) AS absent"), "t")
	scored := narrow(db.NewSelect().TableExpr("scores AS s").
		ColumnExpr("s.plan_id, 0 AS tickets, COUNT(DISTINCT s.registration_id) AS absent").
		Where("s.situation = ?", SituationAbsent).
		Where("NOT EXISTS (SELECT 1 FROM tickets AS ta WHERE ta.registration_id = s.registration_id AND ta.absent)"), "s")
	return db.NewSelect().TableExpr("(?) AS x", checkIn.UnionAll(scored)).Join("JOIN exam_plans AS plan ON plan.id = x.plan_id").
		ColumnExpr("x.plan_id, plan.name AS name, SUM(x.tickets) AS tickets, SUM(x.absent) AS absent").
		Group("x.plan_id", "plan.name").Order("x.plan_id")
}

// StatsChoice is an option of a 统计 filter.
type StatsChoice struct {
	ID   int64  `bun:"id"`
	Name string `bun:"name"`
}

// StatsChoices are the filter's options: plans (newest exam first), 岗位 and organizations by name.
func StatsChoices(ctx context.Context, db bun.IDB) (plans, categories, orgs []StatsChoice, err error) {
	if err = db.NewSelect().TableExpr("exam_plans").ColumnExpr("id, name").OrderExpr("exam_at DESC, id DESC").Scan(ctx, &plans); err != nil {
		return
	}
	if err = db.NewSelect().TableExpr("exam_categories").ColumnExpr("id, name").OrderExpr("sort_order, id").Scan(ctx, &categories); err != nil {
		return
	}
	err = db.NewSelect().TableExpr("organizations").ColumnExpr("id, name").OrderExpr("name, id").Scan(ctx, &orgs)
	return
}
