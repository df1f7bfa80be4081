package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// OrganizationKind is enterprise (企业) or training (培训机构).
type OrganizationKind string

const (
	KindEnterprise OrganizationKind = "enterprise"
	KindTraining   OrganizationKind = "training"
)

// Label is the kind's Chinese name.
func (k OrganizationKind) Label() string {
	if k == KindTraining {
		return "培训机构"
	}
	return "企业"
}

// Organization is a 单位: an enterprise or a training institution.
type Organization struct {
	bun.BaseModel `bun:"table:organizations"`

	ID           int64            `bun:"id,pk,autoincrement"`
	Kind         OrganizationKind `bun:"kind,notnull"`
	Name         string           `bun:"name,notnull"`
	CreditCode   *string          `bun:"credit_code"` // 统一社会信用代码
	OrgCode      *string          `bun:"org_code"`    // 组织机构代码
	ContactName  string           `bun:"contact_name,notnull"`
	ContactPhone string           `bun:"contact_phone,notnull"`
	Address      string           `bun:"address,notnull"`
	CreatedAt    time.Time        `bun:"created_at,notnull"`
	UpdatedAt    time.Time        `bun:"updated_at,notnull"`
	Version      int              `bun:"version,notnull"`
}

// Code is the credit code when the organization has one, else its organization code.
func (o *Organization) Code() string {
	if o.CreditCode != nil && *o.CreditCode != "" {
		return *o.CreditCode
	}
	if o.OrgCode != nil {
		return *o.OrgCode
	}
	return ""
}

// InsertOrganization stores a new organization.
func InsertOrganization(ctx context.Context, db bun.IDB, o *Organization) error {
	now := Now()
	o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
	_, err := db.NewInsert().Model(o).Returning("id").Exec(ctx)
	if IsUniqueViolation(err) {
		return ErrDuplicate
	}
	return err
}

// GetOrganization loads one organization.
func GetOrganization(ctx context.Context, db bun.IDB, id int64) (*Organization, error) {
	o := new(Organization)
	err := db.NewSelect().Model(o).Where("id = ?", id).Scan(ctx)
	return o, notFound(err)
}

// FindOrganizationByCode finds an organization by its 统一社会信用代码 or 组织机构代码 (both already normalised).
func FindOrganizationByCode(ctx context.Context, db bun.IDB, creditCode, orgCode string) (*Organization, error) {
	o := new(Organization)
	q := db.NewSelect().Model(o)
	switch {
	case creditCode != "":
		q = q.Where("credit_code = ?", creditCode)
	case orgCode != "":
		q = q.Where("org_code = ?", orgCode)
	default:
		return nil, ErrNotFound
	}
	err := q.Limit(1).Scan(ctx)
	return o, notFound(err)
}
