package models_test

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"examcert/models"
)

// testAdmin is an admin actor that is not stored (its audit rows name no account id).
var testAdmin = models.Actor{Account: &models.Account{Role: models.RoleAdmin, Username: "test-admin"}, IP: "192.0.2.1", RequestID: "test"}

// snapshot counts the rows of tables, plus the audit log and the status history, which every workflow writes.
func snapshot(t *testing.T, db bun.IDB, tables ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range append([]string{"audit_events", "status_changes"}, tables...) {
		n, err := db.NewSelect().Table(tbl).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[tbl] = int(n)
	}
	return out
}

// assertRollsBack runs a workflow as if the process failed right after its audit row was written, and checks that
// it then leaves nothing behind: not its audit row, nor any row in tables, nor (through check, which may be nil)
// the change it makes to rows that exist.
func assertRollsBack(t *testing.T, db bun.IDB, run func(ctx context.Context) error, check func(), tables ...string) {
	t.Helper()
	before := snapshot(t, db, tables...)
	err := run(models.WithFailureAfterAudit(context.Background()))
	if !errors.Is(err, models.ErrInjected) {
		t.Fatalf("with a failure after the audit row: err = %v, want ErrInjected (did the workflow write an audit row?)", err)
	}
	after := snapshot(t, db, tables...)
	for tbl, n := range before {
		if after[tbl] != n {
			t.Errorf("%s: %d rows before, %d after a failed workflow", tbl, n, after[tbl])
		}
	}
	if check != nil {
		check()
	}
}

// auditCount is how many audit rows of event there are.
func auditCount(t *testing.T, db bun.IDB, event string) int {
	t.Helper()
	n, err := db.NewSelect().Table("audit_events").Where("event = ?", event).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
