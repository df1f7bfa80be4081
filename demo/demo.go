// Package demo seeds an empty database with demonstration accounts, people and organizations. It runs only when
// asked (serve --demo or the seed-demo command), so a production install never has these accounts.
package demo

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"examcert/ident"
	"examcert/models"
	"examcert/password"
)

// Password is the password of every demo account (the README lists them).
const Password = "Demo#2026"

// Account describes one demo account.
type Account struct {
	Username, Name string
	Role           models.Role
	Code           string // credit code (organizations) or ID number (practitioners), also a sign-in name
}

// ErrNotEmpty: demo data goes only into a database without accounts.
var ErrNotEmpty = errors.New("the database already has accounts; demo data is only seeded into an empty one")

// Accounts returns the demo accounts with their generated codes; the same every time (fixed seed).
func Accounts() []Account {
	r := rand.New(rand.NewPCG(2026, 11))
	born := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	return []Account{
		{"admin", "注册中心管理员", models.RoleAdmin, ""},
		{"zhangsan", "张三", models.RolePractitioner, ident.GenerateIDNumber(r, "110105", born(1988, 3, 12), ident.GenderMale)},
		{"lisi", "李思", models.RolePractitioner, ident.GenerateIDNumber(r, "110108", born(1992, 9, 30), ident.GenderFemale)},
		{"jianshe", "北京城建示范工程有限公司", models.RoleEnterprise, ident.GenerateCreditCode(r, "110105")},
		{"jianshe2", "北京宏远建设集团有限公司", models.RoleEnterprise, ident.GenerateCreditCode(r, "110106")},
		{"peixun", "北京建筑职业技能培训学校", models.RoleTraining, ident.GenerateCreditCode(r, "110102")},
		{"peixun2", "北京安全生产培训中心", models.RoleTraining, ident.GenerateCreditCode(r, "110114")},
	}
}

// Seed creates the demo accounts in one transaction. It refuses a database that already has accounts.
func Seed(ctx context.Context, db bun.IDB) ([]Account, error) {
	n, err := db.NewSelect().Model((*models.Account)(nil)).Count(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	hash, err := password.Hash(Password)
	if err != nil {
		return nil, err
	}
	accts := Accounts()
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, a := range accts {
			na := models.NewAccount{Role: a.Role, Username: a.Username, DisplayName: a.Name, PasswordHash: hash}
			switch a.Role {
			case models.RolePractitioner:
				na.IDNumber = a.Code
			case models.RoleEnterprise, models.RoleTraining:
				na.OrgName, na.OrgCode = a.Name, a.Code
			}
			if _, err := models.CreateAccount(ctx, tx, na); err != nil {
				return err
			}
		}
		return nil
	})
	return accts, err
}
