// Package dbtest gives each test a fresh, migrated database: a SQLite file in the test's temp folder, or, when
// TEST_DATABASE_URL is set, a throw-away schema in that PostgreSQL database.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// URL returns TEST_DATABASE_URL ("" for SQLite).
func URL() string { return os.Getenv("TEST_DATABASE_URL") }

// Open returns a migrated, empty database that is closed (and for PostgreSQL dropped) when the test ends.
func Open(t testing.TB) *bun.DB {
	t.Helper()
	db, _ := OpenWithURL(t)
	return db
}

// OpenWithURL is Open that also returns the URL (empty for SQLite) a separate server process can be pointed at.
func OpenWithURL(t testing.TB) (*bun.DB, string) {
	t.Helper()
	ctx := context.Background()
	if URL() == "" {
		dir := t.TempDir()
		db, err := database.Open(ctx, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := database.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		return db, ""
	}
	// A schema per test in the one test database: CREATE DATABASE costs seconds on a busy machine, a schema
	// and the migrations a fraction of that.
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), counter.Add(1))
	if err := adminExec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	u := withSearchPath(URL(), name)
	db, err := database.Open(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		_ = adminExec(context.Background(), "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	})
	if _, err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db, u
}

var counter atomic.Int64

func adminExec(ctx context.Context, stmt string) error {
	db, err := sql.Open("pgx", URL())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

// withSearchPath points a PostgreSQL URL's connections at one schema.
func withSearchPath(raw, schema string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
