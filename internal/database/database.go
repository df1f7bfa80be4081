// Package database opens the one database the server uses: PostgreSQL when a URL is given, otherwise an embedded
// SQLite file (pure Go, no cgo) set up so that concurrent writers wait for each other instead of failing.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"examcert/migrations"
)

// SQLiteFile is the database file's name inside the data folder.
const SQLiteFile = "examcert.db"

// Open connects to url (postgres://…), or to the SQLite file in dataDir when url is empty, and checks the connection.
func Open(ctx context.Context, url, dataDir string) (*bun.DB, error) {
	var db *bun.DB
	var changes *Changes
	if url != "" {
		if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
			return nil, fmt.Errorf("database url must start with postgres://")
		}
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("database url: %w", err)
		}
		// bun writes every value into the SQL text itself, so each query is new to the server: pgx's default
		// (prepare each new text, then execute it) would cost a second round trip per query and churn its
		// statement cache. The simple protocol sends the text once.
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		sqldb := stdlib.OpenDB(*cfg)
		// As many idle as open: with fewer, every burst past the idle count closed connections on their return and
		// opened new ones (a server process each, and pgx's prepared statements again), so the submit got slower
		// from 4 to 16 clients (693 → 544/s; now 653 → 674/s).
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(20)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, err
		}
		registered, err := sql.Open("sqlite", "") // only to reach the registered driver; connects to nothing
		if err != nil {
			return nil, err
		}
		pinSlabs()
		connector := newQueuedConnector(registered.Driver(), SQLiteDSN(filepath.Join(dataDir, SQLiteFile)))
		sqldb := sql.OpenDB(connector)
		changes = connector.changes
		sqldb.SetMaxOpenConns(8)
		sqldb.SetMaxIdleConns(8)
		sqldb.SetConnMaxIdleTime(0)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database unreachable: %w", err)
	}
	if url == "" {
		// The WAL index exists once a connection has read the file. Without it nothing is cached (ChangesOf: nil).
		var n int
		if err := db.QueryRowContext(pingCtx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			db.Close()
			return nil, err
		}
		if err := changes.watchFile(filepath.Join(dataDir, SQLiteFile)); err == nil {
			changesOf.Store(db.DB, changes)
			db.AddQueryHook(readsHook{}) // TrackReads
		}
	}
	return db, nil
}

// SQLiteDSN sets, on every connection: WAL (readers never block the writer), a busy timeout (a writer waits for
// another instead of failing with SQLITE_BUSY), foreign keys, temporary data in memory, and BEGIN IMMEDIATE for
// transactions (so a read transaction never has to be upgraded to a write one, the case busy_timeout cannot help
// with). In memory, the statement journal that a statement with triggers needs inside a transaction (every insert
// into registrations: the seats triggers) is kept in small pieces instead of a 64 KiB buffer mapped and unmapped
// for each statement, which cost the 报名表 submit a third of its time.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(15000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_txlock=immediate"
}

func migrator(db *bun.DB) *migrate.Migrator {
	return migrate.NewMigrator(db, migrations.Migrations,
		migrate.WithTemplateData(migrations.For(db.Dialect().Name().String())),
		migrate.WithMarkAppliedOnSuccess(true))
}

// Migrate applies every migration not yet applied, ours then the job runner's (river's), and returns their names.
func Migrate(ctx context.Context, db *bun.DB) ([]string, error) {
	var more []string
	names, err := withMigrator(ctx, db, func(m *migrate.Migrator) (*migrate.MigrationGroup, error) {
		g, err := m.Migrate(ctx)
		if err == nil { // under the same lock: two processes starting at once do not both run river's
			more, err = migrateRiver(ctx, db)
		}
		return g, err
	})
	return append(names, more...), err
}

// Rollback undoes the last group of migrations applied and returns their names.
func Rollback(ctx context.Context, db *bun.DB) ([]string, error) {
	return withMigrator(ctx, db, func(m *migrate.Migrator) (*migrate.MigrationGroup, error) { return m.Rollback(ctx) })
}

// withMigrator holds the migration lock while step runs, so two processes starting at once do not both migrate.
func withMigrator(ctx context.Context, db *bun.DB, step func(*migrate.Migrator) (*migrate.MigrationGroup, error)) ([]string, error) {
	m := migrator(db)
	if err := m.Init(ctx); err != nil {
		return nil, err
	}
	if err := m.Lock(ctx); err != nil {
		return nil, err
	}
	defer m.Unlock(ctx) //nolint:errcheck // the lock row is removed on the next successful unlock anyway
	group, err := step(m)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name+" "+mg.Comment)
	}
	return names, nil
}
