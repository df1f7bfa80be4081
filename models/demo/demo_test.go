package demo_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/internal/password"
	"examcert/models"
	"examcert/models/demo"
)

func TestMain(m *testing.M) {
	password.Cost = bcrypt.MinCost
	code := m.Run()
	os.Exit(code)
}

// TestPrintCodes prints the demo accounts' generated codes (run with -v); it also checks each one is valid.
func TestPrintCodes(t *testing.T) {
	for _, a := range demo.Accounts() {
		switch a.Role {
		case models.RolePractitioner:
			if _, err := ident.ParseIDNumber(a.Code); err != nil {
				t.Errorf("%s: %v", a.Username, err)
			}
		case models.RoleEnterprise, models.RoleTraining:
			cc, err := ident.ParseCreditCode(a.Code)
			if err != nil {
				t.Errorf("%s: %v", a.Username, err)
			}
			t.Logf("%-9s %-8s %s  组织机构代码 %s", a.Username, a.Role.Label(), a.Code, cc.OrgCode)
			continue
		}
		t.Logf("%-9s %-8s %s", a.Username, a.Role.Label(), a.Code)
	}
}

func TestSeedOnlyIntoAnEmptyDatabase(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	accts, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := db.NewSelect().Model((*models.Account)(nil)).Count(ctx)
	if int(n) != len(accts) || n != 8 {
		t.Fatalf("%d accounts in the database, %d seeded", n, len(accts))
	}
	// One demo plan shows the 网考 variant; the others are 机考.
	var online []string
	if err := db.NewSelect().Model((*models.ExamPlan)(nil)).Column("name").Where("exam_mode = ?", models.ModeOnline).Scan(ctx, &online); err != nil ||
		len(online) != 1 || online[0] != "2027年第一季度质量员（土建）岗位考试" {
		t.Errorf("网考 demo plans: %v, %v", online, err)
	}
	if _, err := demo.Seed(ctx, db); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("second seed: %v", err)
	}
	// Same codes every time: the README and the browser tests rely on it.
	if demo.Accounts()[1].Code != demo.Accounts()[1].Code {
		t.Fatal("demo codes are not deterministic")
	}
}
