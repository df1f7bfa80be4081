package models

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/internal/password"
)

// FieldErrors maps a form field's name to what is wrong with it, in Chinese.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	var parts []string
	for k, v := range e {
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, "; ")
}

// NewAccount is what an admin fills in to create an account (新建账号).
type NewAccount struct {
	Role        Role
	Username    string
	DisplayName string
	IDNumber    string // practitioner: the person the account is for
	OrgName     string // enterprise, training: the organization the account acts for
	OrgCode     string // its 统一社会信用代码 or 组织机构代码
	// PasswordHash is left empty by the admin's form: the account then gets a temporary password, shown once, that
	// must be changed at the first sign-in. Only seeding (demo accounts, whose password is published) sets it.
	PasswordHash string
}

// CheckUsername says what is wrong with a username, or "" when it is fine.
func CheckUsername(u string) string {
	u = NormalizeUsername(u)
	n := utf8.RuneCountInString(u)
	switch {
	case u == "":
		return "请输入用户名"
	case n < 2 || n > 64:
		return "用户名应为2至64个字符"
	}
	for _, r := range u {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '-') {
			return "用户名只能包含字母、数字、下划线、点、短横线或中文"
		}
	}
	return ""
}

// accountDraft is a checked NewAccount: the ID number and organization codes parsed.
type accountDraft struct {
	NewAccount
	idn          ident.IDNumber
	credit, org  string
	displayTrim  string
	orgNameTrim  string
	passwordHash string
	mustChange   bool
}

// Validate checks the form by the rules of its role: every account a valid username; a practitioner's an ID
// number and a name; an organization's a name and a valid 统一社会信用代码 or 组织机构代码.
func (n NewAccount) Validate() (accountDraft, FieldErrors) {
	d := accountDraft{NewAccount: n, displayTrim: strings.TrimSpace(n.DisplayName), orgNameTrim: strings.TrimSpace(n.OrgName)}
	errs := FieldErrors{}
	if !n.Role.Valid() {
		errs["role"] = "请选择角色"
	}
	if msg := CheckUsername(n.Username); msg != "" {
		errs["username"] = msg
	}
	if utf8.RuneCountInString(n.DisplayName) > 64 {
		errs["display_name"] = "名称最多64个字符"
	}
	var err error
	switch n.Role {
	case RolePractitioner:
		if strings.TrimSpace(n.IDNumber) == "" {
			errs["id_number"] = "从业人员账号须填写身份证号"
		} else if d.idn, err = ident.ParseIDNumber(n.IDNumber); err != nil {
			errs["id_number"] = err.Error()
		}
		if d.displayTrim == "" {
			errs["display_name"] = "从业人员账号须填写姓名"
		}
	case RoleEnterprise, RoleTraining:
		if strings.TrimSpace(n.OrgCode) == "" {
			errs["org_code"] = "请填写统一社会信用代码或组织机构代码"
		} else if d.credit, d.org, err = ident.ParseOrganizationCode(n.OrgCode); err != nil {
			errs["org_code"] = err.Error()
		}
		if d.orgNameTrim == "" {
			errs["org_name"] = "请填写单位名称"
		}
	}
	if len(errs) > 0 {
		return d, errs
	}
	return d, nil
}

// CreateAccount is 新建账号 by an admin: it checks the form and creates the account with, as its role needs, its
// person or organization (an existing one with the same ID number or code is linked, otherwise a new one is
// created), and its audit row, all or nothing. Unless the form carries a password hash (seeding), the account
// gets a temporary password, returned here to be shown once, that must be changed at the first sign-in.
func CreateAccount(ctx context.Context, db bun.IDB, actor Actor, n NewAccount) (*Account, string, error) {
	if !actor.Is(RoleAdmin) {
		return nil, "", ErrNotAllowed
	}
	d, errs := n.Validate()
	if errs != nil {
		return nil, "", errs
	}
	var temp string
	d.passwordHash = n.PasswordHash
	if d.passwordHash == "" {
		temp = password.Generate()
		hash, err := password.Hash(temp)
		if err != nil {
			return nil, "", err
		}
		d.passwordHash, d.mustChange = hash, true
	}
	var acct *Account
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if acct, err = insertDraft(ctx, tx, d); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventAccountCreated, "account:"+acct.Username, "ok", string(acct.Role))
	})
	if err != nil {
		return nil, "", err
	}
	return acct, temp, nil
}

// insertDraft stores a checked account with its person or organization, inside the workflow's transaction.
func insertDraft(ctx context.Context, tx bun.Tx, d accountDraft) (*Account, error) {
	acct := &Account{Role: d.Role, Username: d.Username, DisplayName: d.displayTrim, PasswordHash: d.passwordHash,
		MustChangePassword: d.mustChange}
	var err error
	switch d.Role {
	case RolePractitioner:
		err = linkPerson(ctx, tx, d, acct)
	case RoleEnterprise, RoleTraining:
		err = linkOrganization(ctx, tx, d, acct)
	}
	if err != nil {
		return nil, err
	}
	err = InsertAccount(ctx, tx, acct)
	if errors.Is(err, ErrDuplicate) {
		return nil, FieldErrors{"username": "该用户名已被使用"}
	}
	return acct, err
}

// linkPerson finds or creates the practitioner's person; a person has one account at most.
func linkPerson(ctx context.Context, tx bun.Tx, d accountDraft, acct *Account) error {
	p, err := FindPersonByIDNumber(ctx, tx, d.idn.Number)
	if errors.Is(err, ErrNotFound) {
		birth := d.idn.BirthDate
		p = &Person{IDNumber: d.idn.Number, Name: acct.DisplayName, Gender: d.idn.Gender.String(), BirthDate: &birth}
		err = InsertPerson(ctx, tx, p)
	}
	if err != nil {
		return err
	}
	taken, err := tx.NewSelect().Model((*Account)(nil)).Where("person_id = ?", p.ID).Exists(ctx)
	if err != nil {
		return err
	}
	if taken {
		return FieldErrors{"id_number": "此人已有账号"}
	}
	acct.PersonID = &p.ID
	return nil
}

// linkOrganization finds (by credit code, else by organization code) or creates the account's organization,
// which must be of the account's kind.
func linkOrganization(ctx context.Context, tx bun.Tx, d accountDraft, acct *Account) error {
	o, err := FindOrganizationByCode(ctx, tx, d.credit, "")
	if d.credit == "" || errors.Is(err, ErrNotFound) {
		o, err = FindOrganizationByCode(ctx, tx, "", d.org)
		if err == nil && d.credit != "" {
			// The credit code typed is not this organization's: never join it silently (see OrgCodeTaken).
			return FieldErrors{"org_code": "该代码中的组织机构代码已登记为「" + o.Name + "」，但该单位未记录此统一社会信用代码；" +
				"请先在 机构与账号 → 单位 → 新建单位 中核对，确认是同一单位后再创建账号"}
		}
	}
	if errors.Is(err, ErrNotFound) {
		org := d.org
		o = &Organization{Kind: OrganizationKind(d.Role), Name: d.orgNameTrim, OrgCode: &org}
		if d.credit != "" {
			credit := d.credit
			o.CreditCode = &credit
		}
		err = InsertOrganization(ctx, tx, o)
	}
	if err != nil {
		return err
	}
	if string(o.Kind) != string(d.Role) {
		return FieldErrors{"org_code": "该代码已登记为" + o.Kind.Label() + "，角色不符"}
	}
	acct.OrganizationID = &o.ID
	if acct.DisplayName == "" {
		acct.DisplayName = o.Name
	}
	return nil
}
