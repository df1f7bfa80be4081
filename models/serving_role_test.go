package models_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
	"examcert/internal/dbtest"
	"examcert/models"
)

// SECURITY.md 30, on PostgreSQL: a login role granted as the README says (database.GrantServingRole, run as the
// owner) does the application's normal work — audit rows, a sign-in, sealing the chain — but cannot truncate the
// 操作日志, disable or drop its trigger, or drop the table.
func TestServingRoleCannotTamperWithTheAuditLog(t *testing.T) {
	if dbtest.URL() == "" {
		t.Skip("database roles exist only on PostgreSQL (set TEST_DATABASE_URL)")
	}
	t.Parallel()
	ctx := context.Background()
	owner, ownerURL := dbtest.OpenWithURL(t)
	role := fmt.Sprintf("examcert_serving_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := owner.ExecContext(ctx, "CREATE ROLE ? LOGIN PASSWORD 'serving-test-pw'", bun.Ident(role)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // runs before the schema is dropped, after the role's connections are closed
		for _, stmt := range []string{"DROP OWNED BY ?", "DROP ROLE ?"} {
			if _, err := owner.ExecContext(context.Background(), stmt, bun.Ident(role)); err != nil {
				t.Errorf("%s: %v", stmt, err)
			}
		}
	})
	if err := database.GrantServingRole(ctx, owner, role); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "serving-test-pw")
	app, err := database.Open(ctx, u.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	var who string
	if err := app.NewRaw("SELECT current_user").Scan(ctx, &who); err != nil || who != role {
		t.Fatalf("connected as %q (%v), want %q", who, err, role)
	}

	// The normal work.
	if err := models.RecordAudit(ctx, app, &models.AuditEvent{Event: models.EventExport, Username: "someone"}); err != nil {
		t.Fatalf("insert an audit row: %v", err)
	}
	acct := accountWith(t, app, models.NewAccount{Role: models.RolePractitioner, Username: "served", DisplayName: "某人", IDNumber: idNumber(7)})
	out, err := models.SignIn(ctx, app, models.Actor{IP: "192.0.2.9", RequestID: "r"}, models.Credentials{Login: "served", Password: testPassword})
	if err != nil || out.Account == nil || out.Account.ID != acct.ID {
		t.Fatalf("sign-in as the serving role: %+v %v", out, err)
	}
	if v, err := models.VerifyAudit(ctx, app); err != nil || !v.Intact || v.Count < 3 {
		t.Fatalf("seal and verify as the serving role: %+v %v", v, err)
	}
	before, err := app.NewSelect().Model((*models.AuditEvent)(nil)).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// What only the owner may do.
	for _, stmt := range []string{
		"TRUNCATE audit_events",
		"ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
		"ALTER TABLE audit_events DISABLE TRIGGER ALL",
		"DROP TRIGGER audit_events_append_only ON audit_events",
		"DROP TRIGGER audit_events_insert_unsealed ON audit_events",
		"DROP TABLE audit_events",
		"DROP FUNCTION audit_events_append_only() CASCADE",
		"TRUNCATE audit_chain",
		"DROP TABLE audit_chain",
		"CREATE TABLE audit_events_copy (id BIGINT)",
	} {
		_, err := app.ExecContext(ctx, stmt)
		if err == nil {
			t.Errorf("the serving role could: %s", stmt)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "permission denied") && !strings.Contains(msg, "must be owner") {
			t.Errorf("%s: refused for another reason: %v", stmt, err)
		}
	}
	// Rows: the trigger still refuses changing or deleting them.
	for _, stmt := range []string{"UPDATE audit_events SET detail = 'x'", "DELETE FROM audit_events"} {
		if _, err := app.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	after, err := owner.NewSelect().Model((*models.AuditEvent)(nil)).Count(ctx)
	if err != nil || after != before {
		t.Fatalf("audit rows %d → %d (%v)", before, after, err)
	}
	if v, err := models.VerifyAudit(ctx, owner); err != nil || !v.Intact {
		t.Fatalf("the chain after the attempts: %+v %v", v, err)
	}
}
