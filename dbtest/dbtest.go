// Package dbtest gives each test a fresh, migrated database: a SQLite file in the test's temp folder, or, when
// TEST_DATABASE_URL is set, a throw-away PostgreSQL database copied from a migrated template.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"examcert/database"
)

// URL returns TEST_DATABASE_URL ("" for SQLite).
func URL() string { return os.Getenv("TEST_DATABASE_URL") }

// Open returns a migrated, empty database that is closed (and for PostgreSQL dropped) when the test ends.
func Open(t testing.TB) *bun.DB {
	t.Helper()
	db, _ := OpenWithURL(t)
	return db
}

// OpenWithURL is Open that also returns the URL (empty for SQLite, whose folder is then the data dir) a separate
// server process can be pointed at.
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
	name, err := createFromTemplate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := withDatabase(URL(), name)
	db, err := database.Open(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		_ = adminExec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return db, u
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
	counter  atomic.Int64
)

func createFromTemplate(ctx context.Context) (string, error) {
	tmplOnce.Do(func() {
		tmplName = fmt.Sprintf("examcert_tpl_%d", os.Getpid())
		if tmplErr = adminExec(ctx, "DROP DATABASE IF EXISTS "+tmplName+" WITH (FORCE)"); tmplErr != nil {
			return
		}
		if tmplErr = adminExec(ctx, "CREATE DATABASE "+tmplName); tmplErr != nil {
			return
		}
		db, err := database.Open(ctx, withDatabase(URL(), tmplName), "")
		if err != nil {
			tmplErr = err
			return
		}
		defer db.Close()
		_, tmplErr = database.Migrate(ctx, db)
	})
	if tmplErr != nil {
		return "", fmt.Errorf("template database: %w", tmplErr)
	}
	name := fmt.Sprintf("examcert_t_%d_%d", os.Getpid(), counter.Add(1))
	return name, adminExec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmplName)
}

func adminExec(ctx context.Context, stmt string) error {
	db, err := sql.Open("pgx", URL())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String()
}

// DropTemplates removes this process's template database; call it from TestMain after m.Run.
func DropTemplates() {
	if URL() != "" && tmplName != "" {
		_ = adminExec(context.Background(), "DROP DATABASE IF EXISTS "+tmplName+" WITH (FORCE)")
	}
}
