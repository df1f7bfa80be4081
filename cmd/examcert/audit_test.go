package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"examcert/internal/database"
	"examcert/internal/dbtest"
	"examcert/models"
)

// captureStdout runs fn and returns what it printed.
func captureStdout(t *testing.T, fn func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	runErr := fn()
	os.Stdout = old
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out), runErr
}

// `examcert audit verify` on the configured database (SQLite, or PostgreSQL with TEST_DATABASE_URL): intact with
// its count and exit status 0; after the owner edits a sealed row, the row named and a non-zero exit status.
func TestAuditVerifyCommand(t *testing.T) {
	ctx := context.Background()
	var db *bun.DB
	var args []string
	if dbtest.URL() == "" {
		dir := t.TempDir()
		args = []string{"--data-dir", dir}
		if err := run(append([]string{"migrate"}, args...)); err != nil {
			t.Fatal(err)
		}
		var err error
		if db, err = database.Open(ctx, "", dir); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
	} else {
		var u string
		db, u = dbtest.OpenWithURL(t)
		args = []string{"--database-url", u}
	}
	var ids []int64
	for i := range 3 {
		ev := &models.AuditEvent{Event: models.EventLoginOK, Username: fmt.Sprintf("u%d", i)}
		if err := models.RecordAudit(ctx, db, ev); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	verify := append([]string{"audit", "verify"}, args...)
	out, err := captureStdout(t, func() error { return run(verify) })
	if err != nil || !strings.Contains(out, "完整") || !strings.Contains(out, "共 3 行") {
		t.Fatalf("untouched: %q %v", out, err)
	}
	drop := "DROP TRIGGER audit_events_no_update"
	if db.Dialect().Name() == dialect.PG {
		drop = "DROP TRIGGER audit_events_append_only ON audit_events"
	}
	if _, err := db.ExecContext(ctx, drop); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewUpdate().Model((*models.AuditEvent)(nil)).Set("username = 'nobody'").Where("id = ?", ids[1]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	out, err = captureStdout(t, func() error { return run(verify) })
	if !errors.Is(err, models.ErrAuditChainBroken) || !strings.Contains(out, fmt.Sprintf("id=%d", ids[1])) || !strings.Contains(out, "登录成功") {
		t.Fatalf("tampered: %q %v", out, err)
	}
	if err := run(append([]string{"audit"}, args...)); err == nil {
		t.Error("audit without verify accepted")
	}
}
