package database_test

import (
	"context"
	"testing"

	"examcert/internal/database"
)

// TrackReads notes the tables that the statements run with its context read, and only those: what they read stays
// current until one of those tables is written.
func TestTrackReadsNotesTheTablesRead(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	if _, err := db.ExecContext(ctx, "CREATE TABLE tags (name TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	ch := database.ChangesOf(db)
	tracked, reads := ch.TrackReads(ctx)
	if _, err := db.NewSelect().Table("notes").Count(tracked); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewSelect().Table("tags").Count(ctx); err != nil { // not tracked
		t.Fatal(err)
	}
	v := reads.Versions()
	if !v.Current() {
		t.Fatal("nothing was written, yet what was read is not current")
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO tags (name) VALUES ('a')"); err != nil {
		t.Fatal(err)
	}
	if !v.Current() {
		t.Fatal("a write of a table read without the tracking context made the reads stale")
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO notes (body) VALUES ('b')"); err != nil {
		t.Fatal(err)
	}
	if v.Current() {
		t.Fatal("a write of a table read is not seen")
	}
}
