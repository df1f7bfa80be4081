package models

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
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

// NewAccount is what an admin fills in to create an account.
type NewAccount struct {
	Role         Role
	Username     string
	DisplayName  string
	IDNumber     string // practitioner: the person the account is for
	OrgName      string // enterprise, training: the organization the account acts for
	OrgCode      string // its 统一社会信用代码 or 组织机构代码
	PasswordHash string
	MustChange   bool
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

// CreateAccount checks the form and creates the account with, as its role needs, its person or organization:
// an existing one with the same ID number or code is linked, otherwise a new one is created. All or nothing.
func CreateAccount(ctx context.Context, db bun.IDB, n NewAccount) (*Account, error) {
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
	var idn ident.IDNumber
	var credit, org string
	switch n.Role {
	case RolePractitioner:
		var err error
		if strings.TrimSpace(n.IDNumber) == "" {
			errs["id_number"] = "从业人员账号须填写身份证号"
		} else if idn, err = ident.ParseIDNumber(n.IDNumber); err != nil {
			errs["id_number"] = err.Error()
		}
		if strings.TrimSpace(n.DisplayName) == "" {
			errs["display_name"] = "从业人员账号须填写姓名"
		}
	case RoleEnterprise, RoleTraining:
		var err error
		if strings.TrimSpace(n.OrgCode) == "" {
			errs["org_code"] = "请填写统一社会信用代码或组织机构代码"
		} else if credit, org, err = ident.ParseOrganizationCode(n.OrgCode); err != nil {
			errs["org_code"] = err.Error()
		}
		if strings.TrimSpace(n.OrgName) == "" {
			errs["org_name"] = "请填写单位名称"
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	acct := &Account{Role: n.Role, Username: n.Username, DisplayName: strings.TrimSpace(n.DisplayName),
		PasswordHash: n.PasswordHash, MustChangePassword: n.MustChange}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		switch n.Role {
		case RolePractitioner:
			p, err := FindPersonByIDNumber(ctx, tx, idn.Number)
			if errors.Is(err, ErrNotFound) {
				birth := idn.BirthDate
				p = &Person{IDNumber: idn.Number, Name: acct.DisplayName, Gender: idn.Gender.String(), BirthDate: &birth}
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
		case RoleEnterprise, RoleTraining:
			o, err := FindOrganizationByCode(ctx, tx, credit, "")
			if credit == "" || errors.Is(err, ErrNotFound) {
				o, err = FindOrganizationByCode(ctx, tx, "", org)
			}
			if errors.Is(err, ErrNotFound) {
				o = &Organization{Kind: OrganizationKind(n.Role), Name: strings.TrimSpace(n.OrgName), OrgCode: &org}
				if credit != "" {
					o.CreditCode = &credit
				}
				err = InsertOrganization(ctx, tx, o)
			}
			if err != nil {
				return err
			}
			if string(o.Kind) != string(n.Role) {
				return FieldErrors{"org_code": "该代码已登记为" + o.Kind.Label() + "，角色不符"}
			}
			acct.OrganizationID = &o.ID
			if acct.DisplayName == "" {
				acct.DisplayName = o.Name
			}
		}
		err := InsertAccount(ctx, tx, acct)
		if errors.Is(err, ErrDuplicate) {
			return FieldErrors{"username": "该用户名已被使用"}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}
