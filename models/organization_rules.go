package models

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// OrgInput is what the admin types about an organization.
type OrgInput struct {
	Kind         string
	Name         string
	Code         string // 统一社会信用代码 (18) or 组织机构代码 (9)
	ContactName  string
	ContactPhone string
	Address      string
}

// Validate checks the fields; the code must pass GB 32100 / GB 11714.
func (in OrgInput) Validate() (OrgInput, string, string, FieldErrors) {
	errs := FieldErrors{}
	if in.Kind != string(KindEnterprise) && in.Kind != string(KindTraining) {
		errs["kind"] = "请选择单位类型"
	}
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n < 2 || n > 100 {
		errs["name"] = "单位名称应为2至100个字"
	}
	var credit, org string
	var err error
	if strings.TrimSpace(in.Code) == "" {
		errs["code"] = "请输入统一社会信用代码或组织机构代码"
	} else if credit, org, err = ident.ParseOrganizationCode(in.Code); err != nil {
		errs["code"] = err.Error()
	}
	in.ContactName, in.Address = strings.TrimSpace(in.ContactName), strings.TrimSpace(in.Address)
	in.ContactPhone = NormalizePhone(in.ContactPhone)
	if in.ContactPhone != "" && !ValidPhone(in.ContactPhone) {
		errs["contact_phone"] = PhoneFormatMsg
	}
	if utf8.RuneCountInString(in.ContactName) > 30 {
		errs["contact_name"] = "最多30个字"
	}
	if utf8.RuneCountInString(in.Address) > 100 {
		errs["address"] = "最多100个字"
	}
	if len(errs) > 0 {
		return in, "", "", errs
	}
	return in, credit, org, nil
}

func (in OrgInput) apply(o *Organization, credit, org string) {
	o.Name, o.ContactName, o.ContactPhone, o.Address = in.Name, in.ContactName, in.ContactPhone, in.Address
	o.OrgCode, o.CreditCode = &org, nil
	if credit != "" {
		o.CreditCode = &credit
	}
}

// CreateOrganization stores a new organization; a code already registered is a field error.
func CreateOrganization(ctx context.Context, db bun.IDB, in OrgInput) (*Organization, error) {
	in, credit, org, errs := in.Validate()
	if errs != nil {
		return nil, errs
	}
	o := &Organization{Kind: OrganizationKind(in.Kind)}
	in.apply(o, credit, org)
	if err := InsertOrganization(ctx, db, o); err == ErrDuplicate {
		return nil, FieldErrors{"code": "该代码已登记"}
	} else if err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateOrganization saves an organization if nobody changed it since version (else ErrConflict). Its kind
// does not change: its accounts' roles depend on it.
func UpdateOrganization(ctx context.Context, db bun.IDB, o *Organization, in OrgInput, version int) error {
	in.Kind = string(o.Kind)
	in, credit, org, errs := in.Validate()
	if errs != nil {
		return errs
	}
	in.apply(o, credit, org)
	o.UpdatedAt = Now()
	res, err := db.NewUpdate().Model(o).Column("name", "credit_code", "org_code", "contact_name", "contact_phone", "address", "updated_at").
		Set("version = version + 1").Where("id = ? AND version = ?", o.ID, version).Exec(ctx)
	if IsUniqueViolation(err) {
		return FieldErrors{"code": "该代码已登记"}
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrConflict
	}
	o.Version = version + 1
	return nil
}

// OrgFilter narrows ListOrganizations.
type OrgFilter struct {
	Query         string
	Kind          OrganizationKind
	Offset, Limit int
}

// ListOrganizations returns a page of organizations, by name, and how many match.
func ListOrganizations(ctx context.Context, db bun.IDB, f OrgFilter) ([]Organization, int, error) {
	var os []Organization
	q := db.NewSelect().Model(&os).OrderExpr("name, id")
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		n := ident.Normalize(s)
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%").
				WhereOr("credit_code = ?", n).WhereOr("org_code = ?", strings.ReplaceAll(n, "-", ""))
		})
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	n, err := q.Offset(int64(f.Offset)).Limit(int64(f.Limit)).ScanAndCount(ctx)
	return os, int(n), err
}

// AccountsOf lists the accounts that act for an organization.
func AccountsOf(ctx context.Context, db bun.IDB, orgID int64) ([]Account, error) {
	var accts []Account
	err := db.NewSelect().Model(&accts).Where("organization_id = ?", orgID).OrderExpr("username").Scan(ctx)
	return accts, err
}

// AccountCounts returns how many accounts each of the given organizations has.
func AccountCounts(ctx context.Context, db bun.IDB, orgIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		OrganizationID int64 `bun:"organization_id"`
		N              int   `bun:"n"`
	}
	err := db.NewSelect().Model((*Account)(nil)).Column("organization_id").ColumnExpr("COUNT(*) AS n").
		Where("organization_id IN (?)", bun.List(orgIDs)).Group("organization_id").Scan(ctx, &rows)
	for _, r := range rows {
		out[r.OrganizationID] = r.N
	}
	return out, err
}
