package models

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
)

// Who sees which certificate (SECURITY 9): a practitioner their own; an enterprise its current staff's
// (persons.organization_id); a training institution those of the people it trained (the registration it filed); an
// admin all. Anything else is ErrNotFound through every path (list, detail, PDF, photo).

// scopeCertificates narrows a query over certificates AS cert (joined to persons AS p) to acct's scope.
func scopeCertificates(q *bun.SelectQuery, acct *Account) *bun.SelectQuery {
	if acct == nil {
		return q.Where("1 = 0")
	}
	switch acct.Role {
	case RoleAdmin:
		return q
	case RolePractitioner:
		if acct.PersonID != nil {
			return q.Where("cert.person_id = ?", *acct.PersonID)
		}
	case RoleEnterprise:
		if acct.OrganizationID != nil {
			return q.Where("p.organization_id = ?", *acct.OrganizationID)
		}
	case RoleTraining:
		if acct.OrganizationID != nil {
			return q.Where("cert.training_org_id = ?", *acct.OrganizationID)
		}
	}
	return q.Where("1 = 0")
}

// CertFilter narrows ListCertificates (every field optional).
type CertFilter struct {
	Number, Name, IDNumber, Organization string
	Status                               CertStatus
	Limit, Offset                        int
}

// ListCertificates returns one page of the certificates in the actor's scope that match f, newest first, and how
// many match in all.
func ListCertificates(ctx context.Context, db bun.IDB, actor Actor, f CertFilter) ([]Certificate, int, error) {
	var out []Certificate
	q := db.NewSelect().Model(&out).Join("JOIN persons AS p ON p.id = cert.person_id")
	q = scopeCertificates(q, actor.Account)
	if s := strings.TrimSpace(f.Number); s != "" {
		q = q.Where("cert.number LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if s := strings.TrimSpace(f.Name); s != "" {
		q = q.Where("cert.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if s := strings.ToUpper(strings.TrimSpace(f.IDNumber)); s != "" {
		q = q.Where("cert.id_number = ?", s)
	}
	if s := strings.TrimSpace(f.Organization); s != "" {
		q = q.Where("cert.employer_name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if f.Status != "" {
		q = q.Where("cert.status = ?", f.Status)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	n, err := q.OrderExpr("cert.id DESC").ScanAndCount(ctx)
	return out, int(n), err
}

// CertificateFor returns one certificate in the actor's scope (ErrNotFound otherwise).
func CertificateFor(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Certificate, error) {
	c := new(Certificate)
	q := db.NewSelect().Model(c).Join("JOIN persons AS p ON p.id = cert.person_id").Where("cert.id = ?", id)
	if err := scopeCertificates(q, actor.Account).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return c, nil
}

// CertificateHistory is a certificate's history, oldest first.
func CertificateHistory(ctx context.Context, db bun.IDB, id int64) ([]CertHistory, error) {
	var out []CertHistory
	return out, db.NewSelect().Model(&out).Where("certificate_id = ?", id).Order("id").Scan(ctx)
}

// Verification is what the public verification page shows for a token: the certificate as it is now, and, when the
// token is a superseded version's, that version (the page then says 已换发 and links to the current one).
type Verification struct {
	Certificate *Certificate
	Superseded  *CertHistory
}

// VerifyToken resolves a verification token: the current version's, or a superseded version's (换发). Unknown
// tokens are ErrNotFound; nothing else is told.
func VerifyToken(ctx context.Context, db bun.IDB, token string) (*Verification, error) {
	token = strings.ToLower(strings.TrimSpace(token))
	if token == "" || len(token) > 64 {
		return nil, ErrNotFound
	}
	v := &Verification{Certificate: new(Certificate)}
	err := db.NewSelect().Model(v.Certificate).Where("verify_token = ?", token).Scan(ctx)
	if err == nil {
		return v, nil
	}
	if notFound(err) != ErrNotFound {
		return nil, err
	}
	v.Superseded = new(CertHistory)
	if err := db.NewSelect().Model(v.Superseded).Where("verify_token = ?", token).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	if err := db.NewSelect().Model(v.Certificate).Where("id = ?", v.Superseded.CertificateID).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	return v, nil
}

// FindCertificateToVerify finds the certificate with exactly this 证书编号 and this 姓名 (both needed, so a search
// reveals nothing by enumerating either) and returns its current verification token.
func FindCertificateToVerify(ctx context.Context, db bun.IDB, number, name string) (string, error) {
	number, name = strings.TrimSpace(number), strings.TrimSpace(name)
	if number == "" || name == "" {
		return "", ErrNotFound
	}
	var token string
	err := db.NewSelect().Model((*Certificate)(nil)).Column("verify_token").
		Where("number = ? AND name = ?", normalizeCertNumber(number), name).Limit(1).Scan(ctx, &token)
	return token, notFound(err)
}

// normalizeCertNumber accepts the half-width brackets of old numbers and printouts: 京建安C3(2021)… is looked up as
// 京建安C3（2021）….
func normalizeCertNumber(s string) string {
	return strings.NewReplacer("(", "（", ")", "）").Replace(strings.ToUpper(s))
}
