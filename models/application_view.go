package models

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
)

// scopeApplications narrows a query of cert_applications (alias app) to what acct may see: the registry every
// submitted one; a practitioner their own (about them, or filed by them); an enterprise those it filed or must
// confirm; a training institution those it filed.
func scopeApplications(q *bun.SelectQuery, acct *Account) *bun.SelectQuery {
	if acct == nil {
		return q.Where("1 = 0")
	}
	switch acct.Role {
	case RoleAdmin:
		return q.Where("app.status <> ?", AppDraft)
	case RolePractitioner:
		if acct.PersonID != nil {
			return q.Where("(app.person_id = ? OR app.filed_by = ?)", *acct.PersonID, acct.ID)
		}
		return q.Where("app.filed_by = ?", acct.ID)
	case RoleEnterprise:
		if acct.OrganizationID != nil {
			return q.Where("(app.organization_id = ? OR app.filed_by_org = ?)", *acct.OrganizationID, *acct.OrganizationID)
		}
	case RoleTraining:
		if acct.OrganizationID != nil {
			return q.Where("app.filed_by_org = ?", *acct.OrganizationID)
		}
	}
	return q.Where("1 = 0")
}

// AppFilter narrows ListApplications (every field optional). Waiting lists only the applications that wait for the
// actor: 待单位确认 for an employer, 已申请/已受理/已审核 for the registry.
type AppFilter struct {
	Kind          AppKind
	Status        AppStatus
	Waiting       bool
	Query         string // 姓名, 证件号码, 证书编号 or 申请批号
	Limit, Offset int
}

// AppRow is one line of an application list: the application and the certificate's number and 岗位.
type AppRow struct {
	CertApplication `bun:",extend"`

	CurrentNumber string `bun:"current_number"` // the certificate's number (renewal, change), or the one applied with
	PostName      string `bun:"post_name"`
}

// Number is the certificate number the application is about.
func (r *AppRow) Number() string {
	if r.CurrentNumber != "" {
		return r.CurrentNumber
	}
	return r.CertNumber
}

// ListApplications returns one page of the applications in the actor's scope that match f, those waiting longest
// first, and how many match in all.
func ListApplications(ctx context.Context, db bun.IDB, actor Actor, f AppFilter) ([]AppRow, int, error) {
	var out []AppRow
	q := filterApplications(scopeApplications(appRowQuery(db, &out), actor.Account), actor, f)
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	if err := q.OrderExpr("app.updated_at, app.id").Scan(ctx); err != nil {
		return nil, 0, err
	}
	// The count without the joins, which only name the certificate of each row shown.
	count := db.NewSelect().TableExpr("cert_applications AS app")
	n, err := filterApplications(scopeApplications(count, actor.Account), actor, f).Count(ctx)
	return out, int(n), err
}

func filterApplications(q *bun.SelectQuery, actor Actor, f AppFilter) *bun.SelectQuery {
	if f.Kind != "" {
		q = q.Where("app.kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("app.status = ?", f.Status)
	}
	if f.Waiting {
		q = q.Where("app.status IN (?)", bun.List(WaitingStatuses(actor)))
		if org := actor.OrganizationID(); org != nil && actor.Is(RoleEnterprise) {
			q = q.Where("app.organization_id = ?", *org)
		}
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + escapeLike(s) + "%"
		q = q.Where("(app.name LIKE ? ESCAPE '\\' OR app.id_number = ? OR app.batch_no = ? OR app.cert_number = ? OR "+
			"app.certificate_id IN (SELECT id FROM certificates WHERE number = ?))", like, strings.ToUpper(s), strings.ToUpper(s), s, s)
	}
	return q
}

// WaitingStatuses are the states in which an application waits for actor.
func WaitingStatuses(actor Actor) []AppStatus {
	switch {
	case actor.Is(RoleAdmin):
		return []AppStatus{AppApplied, AppAccepted, AppReviewed}
	case actor.Is(RoleEnterprise):
		return []AppStatus{AppUnitPending}
	}
	return []AppStatus{AppReturned}
}

// AppCount is how many applications of a kind stand in a state.
type AppCount struct {
	Kind   AppKind   `bun:"kind"`
	Status AppStatus `bun:"status"`
	N      int       `bun:"n"`
}

// CountApplications counts the applications in the actor's scope by kind and state.
func CountApplications(ctx context.Context, db bun.IDB, actor Actor) ([]AppCount, error) {
	var out []AppCount
	q := db.NewSelect().TableExpr("cert_applications AS app").ColumnExpr("app.kind, app.status, COUNT(*) AS n").
		GroupExpr("app.kind, app.status")
	err := scopeApplications(q, actor.Account).Scan(ctx, &out)
	return out, err
}

// ApplicationFor returns one application in the actor's scope (ErrNotFound otherwise).
func ApplicationFor(ctx context.Context, db bun.IDB, actor Actor, id int64) (*CertApplication, error) {
	a := new(CertApplication)
	if err := scopeApplications(db.NewSelect().Model(a).Where("app.id = ?", id), actor.Account).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return a, nil
}

// ApplicationSteps is an application's steps, oldest first: each state change with its 批号, who and why.
func ApplicationSteps(ctx context.Context, db bun.IDB, id int64) ([]StatusChange, error) {
	return StatusHistory(ctx, db, AppTransitions.Kind, id)
}
