package models

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Role is what an account acts as.
type Role string

const (
	RolePractitioner Role = "practitioner"
	RoleEnterprise   Role = "enterprise"
	RoleTraining     Role = "training"
	RoleAdmin        Role = "admin"
	// RoleProctor is a 考务人员: an account an admin creates for 签到 on exam day, limited to given 考点 and days
	// (proctor_scopes); it sees nothing else.
	RoleProctor Role = "proctor"
	// RoleSystem is no account's role: it is the background jobs' actor (SystemActor), e.g. for 视为放弃 after
	// 缴费截止, so that their changes are audited like anyone's.
	RoleSystem Role = "system"
)

// Roles lists every role, in the order screens show them.
var Roles = []Role{RolePractitioner, RoleEnterprise, RoleTraining, RoleAdmin, RoleProctor}

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case RolePractitioner:
		return "从业人员"
	case RoleEnterprise:
		return "企业"
	case RoleTraining:
		return "培训机构"
	case RoleAdmin:
		return "管理员"
	case RoleProctor:
		return "考务人员"
	case RoleSystem:
		return "系统"
	}
	return string(r)
}

// Valid says whether r is one of the roles an account can have (Roles).
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Account is a 用户: who signs in, with which role, acting for which person or organization.
type Account struct {
	bun.BaseModel `bun:"table:accounts"`

	ID             int64  `bun:"id,pk,autoincrement"`
	Username       string `bun:"username,notnull"`
	PasswordHash   string `bun:"password_hash,notnull"`
	Role           Role   `bun:"role,notnull"`
	DisplayName    string `bun:"display_name,notnull"`
	PersonID       *int64 `bun:"person_id"`
	OrganizationID *int64 `bun:"organization_id"`
	Email          string `bun:"email,notnull"`  // for notices by email; optional
	Mobile         string `bun:"mobile,notnull"` // for notices by SMS; optional
	// Organization is loaded with the session (one query per request); elsewhere it is nil.
	Organization       *Organization `bun:"rel:belongs-to,join:organization_id=id"`
	Disabled           bool          `bun:"disabled,notnull"`
	FailedLogins       int           `bun:"failed_logins,notnull"`
	LockedUntil        *time.Time    `bun:"locked_until"`
	PasswordChangedAt  time.Time     `bun:"password_changed_at,notnull"`
	MustChangePassword bool          `bun:"must_change_password,notnull"`
	LastLoginAt        *time.Time    `bun:"last_login_at"`
	LastLoginIP        string        `bun:"last_login_ip,notnull"`
	CreatedAt          time.Time     `bun:"created_at,notnull"`
	UpdatedAt          time.Time     `bun:"updated_at,notnull"`
	Version            int           `bun:"version,notnull"`
}

// Locked says whether the account is locked at now.
func (a *Account) Locked(now time.Time) bool {
	return a.LockedUntil != nil && a.LockedUntil.After(now)
}

// NormalizeUsername folds what people type (spaces, full-width letters, upper case) into the stored form.
func NormalizeUsername(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '！' && r <= '～': // full-width ASCII
			r -= 0xFEE0
		case r == '\u3000':
			r = ' '
		}
		b.WriteRune(r)
	}
	return strings.ToLower(strings.TrimSpace(b.String()))
}

// InsertAccount stores a new account; a taken username is ErrDuplicate.
func InsertAccount(ctx context.Context, db bun.IDB, a *Account) error {
	now := Now()
	a.Username = NormalizeUsername(a.Username)
	a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
	if a.PasswordChangedAt.IsZero() {
		a.PasswordChangedAt = now
	}
	_, err := db.NewInsert().Model(a).Returning("id").Exec(ctx)
	if IsUniqueViolation(err) {
		return ErrDuplicate
	}
	return err
}

// GetAccount loads one account.
func GetAccount(ctx context.Context, db bun.IDB, id int64) (*Account, error) {
	a := new(Account)
	err := db.NewSelect().Model(a).Where("id = ?", id).Scan(ctx)
	return a, notFound(err)
}

// HasAdmin says whether any admin account exists (a fresh install has none until create-admin or setup).
func HasAdmin(ctx context.Context, db bun.IDB) (bool, error) {
	return db.NewSelect().Model((*Account)(nil)).Where("role = ?", RoleAdmin).Exists(ctx)
}

// FindAccountForLogin finds the account a sign-in name refers to: a username; for an enterprise its
// 统一社会信用代码 or 组织机构代码; for a practitioner their 身份证号. creditCode, orgCode and idNumber are the
// already-validated forms of login (empty when login is not such a code).
func FindAccountForLogin(ctx context.Context, db bun.IDB, login, creditCode, orgCode, idNumber string) (*Account, error) {
	a := new(Account)
	err := db.NewSelect().Model(a).Where("username = ?", NormalizeUsername(login)).Scan(ctx)
	if err == nil || notFound(err) != ErrNotFound {
		return a, notFound(err)
	}
	if creditCode != "" || orgCode != "" {
		org, err := FindOrganizationByCode(ctx, db, creditCode, orgCode)
		if err != nil {
			return nil, err
		}
		var accts []Account
		err = db.NewSelect().Model(&accts).Where("organization_id = ? AND role = ?", org.ID, RoleEnterprise).Limit(2).Scan(ctx)
		if err != nil {
			return nil, err
		}
		if len(accts) != 1 { // a code shared by several accounts cannot say which one is meant
			return nil, ErrNotFound
		}
		return &accts[0], nil
	}
	if idNumber != "" {
		err := db.NewSelect().Model(a).
			Where("role = ?", RolePractitioner).
			Where("person_id = (SELECT id FROM persons WHERE id_number = ?)", idNumber).
			Limit(1).Scan(ctx)
		return a, notFound(err)
	}
	return nil, ErrNotFound
}

type execResult interface{ RowsAffected() (int64, error) }

func affectedOne(res execResult, err error) error { return affectedOneOr(res, err, ErrNotFound) }

// affectedOneOr is affectedOne with the error to give when no row changed (a database error passes through as it is).
func affectedOneOr(res execResult, err, none error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}

// AccountFilter narrows ListAccounts.
type AccountFilter struct {
	Query  string // part of the username or display name
	Role   Role
	Offset int
	Limit  int
}

// ListAccounts returns a page of accounts and the total that match.
func ListAccounts(ctx context.Context, db bun.IDB, f AccountFilter) ([]Account, int, error) {
	var accts []Account
	q := db.NewSelect().Model(&accts).OrderExpr("id")
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + escapeLike(strings.ToLower(s)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("username LIKE ? ESCAPE '\\'", like).WhereOr("LOWER(display_name) LIKE ? ESCAPE '\\'", like)
		})
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	n, err := q.Offset(int64(f.Offset)).Limit(int64(f.Limit)).ScanAndCount(ctx)
	return accts, int(n), err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Owners are the people and organizations a page of accounts acts for, by id.
type Owners struct {
	Persons       map[int64]*Person
	Organizations map[int64]*Organization
}

// AccountOwners loads, in two queries, the people and organizations of accts.
func AccountOwners(ctx context.Context, db bun.IDB, accts []Account) (Owners, error) {
	o := Owners{Persons: map[int64]*Person{}, Organizations: map[int64]*Organization{}}
	var pids, oids []int64
	for _, a := range accts {
		if a.PersonID != nil {
			pids = append(pids, *a.PersonID)
		}
		if a.OrganizationID != nil {
			oids = append(oids, *a.OrganizationID)
		}
	}
	if len(pids) > 0 {
		var ps []Person
		if err := db.NewSelect().Model(&ps).Where("id IN (?)", bun.List(pids)).Scan(ctx); err != nil {
			return o, err
		}
		for i := range ps {
			o.Persons[ps[i].ID] = &ps[i]
		}
	}
	if len(oids) > 0 {
		var os []Organization
		if err := db.NewSelect().Model(&os).Where("id IN (?)", bun.List(oids)).Scan(ctx); err != nil {
			return o, err
		}
		for i := range os {
			o.Organizations[os[i].ID] = &os[i]
		}
	}
	return o, nil
}
