package sessionstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/handlers/sessionstore"
	"examcert/internal/database"
	"examcert/internal/dbtest"
	"examcert/models"
)

// On SQLite a session is read once and kept: another account's change (a sign-in elsewhere notes its time) leaves
// it kept, its own account's change ends it (the next request reads the new row), and so does any write by another
// process. On PostgreSQL nothing is kept.
func TestKeptSessionsEndWithTheirRows(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() // on SQLite, a folder of its own: another process's connection opens the same file
	var db *bun.DB
	if dbtest.URL() != "" {
		db = dbtest.Open(t)
	} else {
		var err error
		if db, err = database.Open(ctx, "", dir); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := database.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	st := sessionstore.New(db, false, 30*time.Minute, 12*time.Hour)
	mine := &models.Account{Username: "mine", Role: models.RolePractitioner, PasswordHash: "x", DisplayName: "甲"}
	other := &models.Account{Username: "other", Role: models.RolePractitioner, PasswordHash: "x"}
	for _, a := range []*models.Account{mine, other} {
		if err := models.InsertAccount(ctx, db, a); err != nil {
			t.Fatal(err)
		}
	}
	cookie := signIn(t, st, mine.ID)
	load := func() (*sessionstore.Entry, *models.Account) { t.Helper(); return loadEntry(t, st, cookie) }
	first, _ := load()
	if dbtest.URL() != "" {
		if first != nil {
			t.Fatal("a session was kept on PostgreSQL")
		}
		return
	}
	if again, _ := load(); first == nil || again != first {
		t.Fatal("the session was read again though nothing changed")
	}
	if _, err := db.ExecContext(ctx, "UPDATE accounts SET display_name = '乙' WHERE id = ?", other.ID); err != nil {
		t.Fatal(err)
	}
	if again, _ := load(); again != first {
		t.Fatal("another account's change ended the kept session")
	}
	if _, err := db.ExecContext(ctx, "UPDATE accounts SET display_name = '丙' WHERE id = ?", mine.ID); err != nil {
		t.Fatal(err)
	}
	kept, acct := load()
	if kept == first || acct == nil || acct.DisplayName != "丙" {
		t.Fatalf("after its account changed the session shows %+v (kept again: %v)", acct, kept == first)
	}
	foreign, err := sql.Open("sqlite", database.SQLiteDSN(filepath.Join(dir, database.SQLiteFile)))
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	if _, err := foreign.ExecContext(ctx, "UPDATE accounts SET display_name = '丁' WHERE id = ?", mine.ID); err != nil {
		t.Fatal(err)
	}
	if _, acct := load(); acct == nil || acct.DisplayName != "丁" {
		t.Fatalf("after another process changed the account the session shows %+v", acct)
	}
}
