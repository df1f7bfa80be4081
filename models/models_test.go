package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

func TestAuditRowsCannotBeChanged(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	ev := &models.AuditEvent{Event: models.EventLoginOK, Username: "alice", IP: "10.0.0.1"}
	if err := models.RecordAudit(ctx, db, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewUpdate().Model((*models.AuditEvent)(nil)).Set("result = 'x'").Where("id = ?", ev.ID).Exec(ctx); err == nil {
		t.Error("update of an audit row succeeded")
	}
	if _, err := db.NewDelete().Model((*models.AuditEvent)(nil)).Where("id = ?", ev.ID).Exec(ctx); err == nil {
		t.Error("delete of a fresh audit row succeeded")
	}
	n, err := db.NewSelect().Model((*models.AuditEvent)(nil)).Count(ctx)
	if err != nil || n != 1 {
		t.Fatalf("audit rows = %d, %v; want 1", n, err)
	}
}

func TestOldAuditRowsMayBePurged(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	ev := &models.AuditEvent{Event: models.EventLoginOK}
	if err := models.RecordAudit(ctx, db, ev); err != nil {
		t.Fatal(err)
	}
	// Backdate by inserting directly: the only way an old row can exist in a test.
	old := &models.AuditEvent{Event: models.EventLoginOK, OccurredAt: models.Now().AddDate(0, 0, -181)}
	if _, err := db.NewInsert().Model(old).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := db.NewDelete().Model((*models.AuditEvent)(nil)).Where("id = ?", old.ID).Exec(ctx)
	if err != nil {
		t.Fatalf("deleting a 181-day-old row: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("deleted %d rows", n)
	}
}

func TestMigrationsRollBackAndReapply(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	if _, err := database.Rollback(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewSelect().Model((*models.Account)(nil)).Count(ctx); err == nil {
		t.Fatal("accounts table still there after rollback")
	}
	names, err := database.Migrate(ctx, db)
	if err != nil || len(names) == 0 {
		t.Fatalf("re-apply: %v %v", names, err)
	}
	if names, err := database.Migrate(ctx, db); err != nil || len(names) != 0 {
		t.Fatalf("second migrate applied %v, %v", names, err)
	}
}

// SECURITY.md 24: many concurrent writers never surface SQLITE_BUSY (nor fail on PostgreSQL).
func TestConcurrentWritersNeverFail(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	hash := "x"
	acct := &models.Account{Username: "writer", Role: models.RolePractitioner, PasswordHash: hash}
	if err := models.InsertAccount(ctx, db, acct); err != nil {
		t.Fatal(err)
	}
	const writers, each = 20, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// A transaction that reads then writes (the case busy_timeout alone cannot save) and a plain write.
				err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					if _, err := models.GetAccount(ctx, tx, acct.ID); err != nil {
						return err
					}
					_, err := tx.NewUpdate().Model((*models.Account)(nil)).Set("failed_logins = failed_logins + 1").Where("id = ?", acct.ID).Exec(ctx)
					return err
				})
				if err == nil {
					err = models.RecordAudit(ctx, db, &models.AuditEvent{Event: "test.write", Detail: fmt.Sprint(w, i)})
				}
				if err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent write failed: %v", err)
	}
	got, _ := models.GetAccount(ctx, db, acct.ID)
	if got.FailedLogins != writers*each {
		t.Fatalf("failed_logins = %d; want %d (lost updates)", got.FailedLogins, writers*each)
	}
}

func TestFindAccountForLogin(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	credit := ident.GenerateCreditCode(r, "110105")
	cc, _ := ident.ParseCreditCode(credit)
	idn := ident.GenerateIDNumber(r, "110101", time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), ident.GenderFemale)
	if _, _, err := models.CreateAccount(ctx, db, testAdmin, models.NewAccount{Role: models.RoleEnterprise, Username: "ent", OrgName: "甲公司", OrgCode: credit, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := models.CreateAccount(ctx, db, testAdmin, models.NewAccount{Role: models.RolePractitioner, Username: "pp", DisplayName: "某人", IDNumber: idn, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ login, credit, org, idn, want string }{
		{"ENT", "", "", "", "ent"},
		{credit, credit, cc.OrgCode, "", "ent"},
		{cc.OrgCode, "", cc.OrgCode, "", "ent"},
		{idn, "", "", idn, "pp"},
	} {
		a, err := models.FindAccountForLogin(ctx, db, tc.login, tc.credit, tc.org, tc.idn)
		if err != nil || a.Username != tc.want {
			t.Errorf("%s: %v %v", tc.login, a, err)
		}
	}
	// A second enterprise account of the same organization makes the code ambiguous: no account.
	if _, _, err := models.CreateAccount(ctx, db, testAdmin, models.NewAccount{Role: models.RoleEnterprise, Username: "ent2", OrgName: "甲公司", OrgCode: credit, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.FindAccountForLogin(ctx, db, credit, credit, cc.OrgCode, ""); err != models.ErrNotFound {
		t.Errorf("ambiguous code: %v", err)
	}
	// A practitioner's ID number is not an enterprise code and vice versa.
	if _, err := models.FindAccountForLogin(ctx, db, "nobody", "", "", ""); err != models.ErrNotFound {
		t.Errorf("unknown: %v", err)
	}
}
