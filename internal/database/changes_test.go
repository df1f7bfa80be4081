package database_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"examcert/internal/database"
)

// A write moves the counter of each table it touched, only once it has committed, and a watcher hears the key of
// every row written (inserted, changed or deleted), in a transaction or not; a table not written keeps its counter.
func TestChangesCountCommittedWritesPerTable(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	if _, err := db.ExecContext(ctx, "CREATE TABLE tags (name TEXT PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	ch := database.ChangesOf(db)
	if ch == nil {
		t.Fatal("a SQLite database has no Changes")
	}
	var mu sync.Mutex
	var heard []string
	ch.Watch("tags", func(key string) { mu.Lock(); heard = append(heard, key); mu.Unlock() })

	notes, tags := ch.Versions("notes"), ch.Versions("tags")
	if _, err := db.ExecContext(ctx, "INSERT INTO tags (name, n) VALUES ('a', 1), ('b', 2)"); err != nil {
		t.Fatal(err)
	}
	if tags.Current() || !notes.Current() {
		t.Fatalf("after an insert into tags: tags current %v (want false), notes current %v (want true)", tags.Current(), notes.Current())
	}

	tags = ch.Versions("tags")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE tags SET n = 3 WHERE name = 'a'"); err != nil {
		t.Fatal(err)
	}
	if !tags.Current() {
		t.Fatal("an uncommitted update already moved the counter: a reader could cache what the commit replaces")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if tags.Current() {
		t.Fatal("a committed update did not move the counter")
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM tags WHERE name = 'b'"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(heard)
	if want := []string{"a", "a", "a", "b", "b"}; !slices.Equal(heard, want) { // insert a, b; update a (old, new); delete b
		t.Fatalf("watcher heard %q, want %q", heard, want)
	}
}

// PostgreSQL has no Changes: several servers share it, so nothing is cached.
func TestNoChangesOnPostgreSQL(t *testing.T) {
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	db, err := database.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if database.ChangesOf(db) != nil {
		t.Fatal("PostgreSQL has Changes")
	}
}

// A write that another process makes (here: another connection to the file, outside this process's queue) makes
// every kept answer stale, whatever table it wrote; this process's own writes move only their tables' counters.
func TestChangesSeeAnotherProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := database.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	ch := database.ChangesOf(db)
	other, err := sql.Open("sqlite", database.SQLiteDSN(filepath.Join(dir, database.SQLiteFile)))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	onA := ch.Versions("a")
	if _, err := db.ExecContext(ctx, "INSERT INTO b (id) VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if !onA.Current() {
		t.Fatal("this process's write to b made what was read from a stale")
	}
	if _, err := other.ExecContext(ctx, "INSERT INTO b (id) VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	if onA.Current() {
		t.Fatal("another process wrote the file and what was read from a is still current")
	}
	// Noticed once: what is read after it is current again.
	onA = ch.Versions("a")
	if !onA.Current() {
		t.Fatal("versions taken after the other process's write are stale")
	}
	// Another process's write while this process's writer holds its transaction open is seen too: the writer
	// accounts for its own commit only.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO b (id) VALUES (3)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if !onA.Current() {
		t.Fatal("this process's transaction on b made what was read from a stale")
	}
	if _, err := other.ExecContext(ctx, "DELETE FROM a"); err != nil { // changes nothing: a is empty
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, "INSERT INTO a (id) VALUES (4)"); err != nil {
		t.Fatal(err)
	}
	if onA.Current() {
		t.Fatal("another process's insert into a went unseen")
	}
}
