package models

import (
	"context"
	"errors"
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
	// SameAs is the id of the registered organization the admin confirmed, beside the code field, to be the one
	// typed: CreateOrganization then records the credit code on it instead of creating another (see OrgCodeTaken).
	SameAs int64
}

// OrgCodeTaken is CreateOrganization's answer when the code typed, or the 组织机构代码 inside the credit code typed,
// is already registered: the message beside the code field, and the organization that holds it, to be shown there.
// Nothing is merged without the admin's word: when CanRecordCredit, the form may be sent again with SameAs set to
// Existing.ID to record the credit code on it.
type OrgCodeTaken struct {
	FieldErrors
	Existing        *Organization
	CanRecordCredit bool // the credit code typed embeds Existing's 组织机构代码, Existing records no credit code, same kind
}

func (e *OrgCodeTaken) Error() string { return e.FieldErrors.Error() }

// Unwrap lets the form kit show the message beside the field like any FieldErrors.
func (e *OrgCodeTaken) Unwrap() error { return e.FieldErrors }

// findCodeHolder returns the organization already holding the credit code or the 组织机构代码 (nil when none), and
// whether the credit code could be recorded on it.
func findCodeHolder(ctx context.Context, db bun.IDB, kind OrganizationKind, credit, org string) (*Organization, bool, error) {
	if credit != "" {
		o, err := FindOrganizationByCode(ctx, db, credit, "")
		if err == nil {
			return o, false, nil
		} else if !errors.Is(err, ErrNotFound) {
			return nil, false, err
		}
	}
	o, err := FindOrganizationByCode(ctx, db, "", org)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	return o, credit != "" && o.CreditCode == nil && o.Kind == kind, nil
}

// codeTaken is the message beside the code field; the form shows the holder under it.
func codeTaken(o *Organization, canRecord bool) *OrgCodeTaken {
	msg := "该代码已登记"
	if canRecord {
		msg = "该代码中的组织机构代码已登记（见下方单位）；若是同一单位，请确认后为其记录统一社会信用代码，否则请核对代码"
	}
	return &OrgCodeTaken{FieldErrors: FieldErrors{"code": msg}, Existing: o, CanRecordCredit: canRecord}
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

// CreateOrganization is 新建单位 by the registry: it checks the input and stores the organization with its audit
// row, in one transaction. A code already registered is a field error.
func CreateOrganization(ctx context.Context, db bun.IDB, actor Actor, in OrgInput) (*Organization, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	in, credit, org, errs := in.Validate()
	if errs != nil {
		return nil, errs
	}
	o := &Organization{Kind: OrganizationKind(in.Kind)}
	in.apply(o, credit, org)
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		holder, canRecord, err := findCodeHolder(ctx, tx, o.Kind, credit, org)
		switch {
		case err != nil:
			return err
		case holder != nil && canRecord && in.SameAs == holder.ID:
			o = holder
			return recordCreditCode(ctx, tx, actor, o, credit)
		case holder != nil:
			return codeTaken(holder, canRecord)
		}
		if err := InsertOrganization(ctx, tx, o); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventOrgCreated, "organization:"+o.Code(), "ok", o.Name)
	})
	if errors.Is(err, ErrDuplicate) {
		return nil, FieldErrors{"code": "该代码已登记"}
	}
	return o, err
}

// recordCreditCode gives a registered organization, known so far by its 组织机构代码, the credit code the admin
// confirmed is its own; its name and other fields stay as they are.
func recordCreditCode(ctx context.Context, tx bun.Tx, actor Actor, o *Organization, credit string) error {
	o.CreditCode, o.UpdatedAt = &credit, Now()
	res, err := tx.NewUpdate().Model(o).Column("credit_code", "updated_at").Set("version = version + 1").
		Where("id = ? AND version = ? AND credit_code IS NULL", o.ID, o.Version).Exec(ctx)
	if IsUniqueViolation(err) {
		return FieldErrors{"code": "该代码已登记"}
	}
	if err := affectedOneOr(res, err, ErrConflict); err != nil {
		return err
	}
	o.Version++
	return actor.Audit(ctx, tx, EventOrgUpdated, "organization:"+credit, "ok", "记录统一社会信用代码："+o.Name)
}

// UpdateOrganization is 编辑单位 by the registry: it saves organization id if nobody changed it since version (else
// ErrConflict), with its audit row. Its kind does not change: its accounts' roles depend on it.
func UpdateOrganization(ctx context.Context, db bun.IDB, actor Actor, id int64, in OrgInput, version int) (*Organization, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var o *Organization
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if o, err = GetOrganization(ctx, tx, id); err != nil {
			return err
		}
		in.Kind = string(o.Kind)
		in, credit, org, errs := in.Validate()
		if errs != nil {
			return errs
		}
		in.apply(o, credit, org)
		o.UpdatedAt = Now()
		res, err := tx.NewUpdate().Model(o).Column("name", "credit_code", "org_code", "contact_name", "contact_phone", "address", "updated_at").
			Set("version = version + 1").Where("id = ? AND version = ?", o.ID, version).Exec(ctx)
		if IsUniqueViolation(err) {
			return FieldErrors{"code": "该代码已登记"}
		}
		if err := affectedOneOr(res, err, ErrConflict); err != nil {
			return err
		}
		o.Version = version + 1
		return actor.Audit(ctx, tx, EventOrgUpdated, "organization:"+o.Code(), "ok", o.Name)
	})
	return o, err
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
