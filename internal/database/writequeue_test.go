package database_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// openSQLite opens a fresh SQLite database with a table to write to.
func openSQLite(t *testing.T) *bun.DB {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func count(t *testing.T, db bun.IDB) int {
	t.Helper()
	var n int
	if err := db.NewRaw("SELECT COUNT(*) FROM notes").Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// While a transaction holds the write slot, readers go on; a writer waits for the commit and then succeeds
// (instead of sleeping in SQLite's busy handler or failing).
func TestWriterWaitsReaderDoesNot(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('in the transaction')"); err != nil {
		t.Fatal(err)
	}
	readDone := make(chan int, 1)
	go func() { readDone <- count(t, db) }()
	select {
	case n := <-readDone:
		if n != 0 {
			t.Fatalf("a reader saw %d uncommitted rows", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a reader waited for the open write transaction")
	}
	writeDone := make(chan error, 1)
	go func() {
		_, err := db.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('after the transaction')")
		writeDone <- err
	}()
	select {
	case err := <-writeDone:
		t.Fatalf("a writer did not wait for the open transaction: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-writeDone; err != nil {
		t.Fatalf("the waiting writer failed: %v", err)
	}
	if n := count(t, db); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
}

// A writer that gives up (its request was cancelled) leaves the queue with the context's error; rolled-back
// transactions and INSERT … RETURNING outside a transaction give the slot back.
func TestSlotIsAlwaysGivenBack(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := db.ExecContext(cctx, "INSERT INTO notes (body) VALUES ('cancelled')"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a cancelled writer: %v, want the context's error", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		var id int64
		if err := db.NewRaw("INSERT INTO notes (body) VALUES ('returning') RETURNING id").Scan(ctx, &id); err != nil || id == 0 {
			t.Fatalf("INSERT … RETURNING %d: id %d, %v", i, id, err)
		}
	}
	done := make(chan error, 1)
	go func() {
		done <- db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('last')")
			return err
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write slot was not given back")
	}
	if n := count(t, db); n != 4 {
		t.Fatalf("%d rows, want 4", n)
	}
}

// Many goroutines mixing transactions, plain writes and INSERT … RETURNING: none fails, none is lost.
func TestQueuedWritersAllLand(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	const workers, each = 16, 30
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				var err error
				switch (w + i) % 3 {
				case 0:
					err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
						var n int
						if err := tx.NewRaw("SELECT COUNT(*) FROM notes").Scan(ctx, &n); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('tx')")
						return err
					})
				case 1:
					_, err = db.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('plain')")
				default:
					var id int64
					err = db.NewRaw("INSERT INTO notes (body) VALUES ('returning') RETURNING id").Scan(ctx, &id)
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
		t.Fatal(err)
	}
	if n := count(t, db); n != workers*each {
		t.Fatalf("%d rows, want %d", n, workers*each)
	}
}
