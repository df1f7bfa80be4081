package models

import (
	"context"

	"github.com/uptrace/bun"
)

// The reads of the shared 证书申请 screens (the registry's inbox, the employer's confirmation, the detail page):
// one row, the ids a 选择全部符合条件 covers, the certificate an application is about, and who took each step.

// appRowQuery is the select of ListApplications' rows (the application, its certificate's number and 岗位).
func appRowQuery(db bun.IDB, out any) *bun.SelectQuery {
	return db.NewSelect().Model(out).
		ColumnExpr("app.*, COALESCE(cert.number, '') AS current_number, COALESCE(cert.post_name, cat.name, '') AS post_name").
		Join("LEFT JOIN certificates AS cert ON cert.id = app.certificate_id").
		Join("LEFT JOIN exam_categories AS cat ON cat.id = app.category_id")
}

// ApplicationRow is one application in the actor's scope as a list shows it (ErrNotFound otherwise).
func ApplicationRow(ctx context.Context, db bun.IDB, actor Actor, id int64) (*AppRow, error) {
	r := new(AppRow)
	if err := scopeApplications(appRowQuery(db, r).Where("app.id = ?", id), actor.Account).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return r, nil
}

// ApplicationIDs are the ids of every application in the actor's scope matching f (Limit and Offset ignored):
// what 选择全部符合条件 acts on.
func ApplicationIDs(ctx context.Context, db bun.IDB, actor Actor, f AppFilter) ([]int64, error) {
	var ids []int64
	q := db.NewSelect().TableExpr("cert_applications AS app").Column("app.id")
	f.Limit, f.Offset = 0, 0
	err := filterApplications(scopeApplications(q, actor.Account), actor, f).OrderExpr("app.id").Scan(ctx, &ids)
	return ids, err
}

// ApplicationCertificate is the certificate an application in the actor's scope is about (renewal, change), or nil.
// Whoever may see the application sees the certificate as it stands, even an employer that is not yet its holder's.
func ApplicationCertificate(ctx context.Context, db bun.IDB, app *CertApplication) (*Certificate, error) {
	if app.CertificateID == nil {
		return nil, nil
	}
	c := new(Certificate)
	if err := db.NewSelect().Model(c).Where("cert.id = ?", *app.CertificateID).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return c, nil
}

// StepAccountNames names the accounts that took steps: display name (or user name) by account id.
func StepAccountNames(ctx context.Context, db bun.IDB, steps []StatusChange) (map[int64]string, error) {
	out := map[int64]string{}
	var ids []int64
	for _, s := range steps {
		if s.AccountID != nil {
			ids = append(ids, *s.AccountID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var accts []Account
	if err := db.NewSelect().Model(&accts).Column("id", "username", "display_name", "role").
		Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, a := range accts {
		name := a.DisplayName
		if name == "" {
			name = a.Username
		}
		out[a.ID] = name + "（" + a.Role.Label() + "）"
	}
	return out, nil
}

// ApplicationVisible says whether acct's scope (scopeApplications) holds app: a list of certificates links to an
// open application only where its detail page would not be 404.
func ApplicationVisible(acct *Account, app *CertApplication) bool {
	if acct == nil {
		return false
	}
	eq := func(p *int64, v int64) bool { return p != nil && *p == v }
	switch acct.Role {
	case RoleAdmin:
		return app.Status != AppDraft
	case RolePractitioner:
		return app.FiledBy == acct.ID || (acct.PersonID != nil && eq(app.PersonID, *acct.PersonID))
	case RoleEnterprise:
		return acct.OrganizationID != nil && (eq(app.OrganizationID, *acct.OrganizationID) || eq(app.FiledByOrg, *acct.OrganizationID))
	case RoleTraining:
		return acct.OrganizationID != nil && eq(app.FiledByOrg, *acct.OrganizationID)
	}
	return false
}
