package database_test

import (
	"context"
	"database/sql"
	"testing"
)

func notesWhere(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A statement with arguments is kept compiled by its connection: run again with new values it answers for them, also
// when the same text runs while its first rows are still open (then it runs uncached), inside a transaction (on the
// writer connection) and outside one; a write through a kept statement is seen by the kept reads.
func TestKeptStatementsAnswerForTheirNewValues(t *testing.T) {
	db := openSQLite(t)
	ctx := context.Background()
	const ins = "INSERT INTO notes (body) VALUES ($1)"
	for _, b := range []string{"a", "b", "c"} {
		if _, err := db.DB.ExecContext(ctx, ins, b); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const sel = "SELECT body FROM notes WHERE body <> $1 ORDER BY body"
	outer, err := conn.QueryContext(ctx, sel, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !outer.Next() {
		t.Fatal("no first row")
	}
	inner, err := conn.QueryContext(ctx, sel, "c") // the kept statement is busy with outer's rows
	if err != nil {
		t.Fatal(err)
	}
	if got := notesWhere(t, inner); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("inner query: %v, want [a b]", got)
	}
	var first string
	if err := outer.Scan(&first); err != nil {
		t.Fatal(err)
	}
	if got := append([]string{first}, notesWhere(t, outer)...); len(got) != 2 || got[0] != "b" || got[1] != "c" {
		t.Errorf("outer query: %v, want [b c]", got)
	}
	for _, v := range []string{"b", "a", "b"} { // the kept statement again, now free, with other values
		rows, err := conn.QueryContext(ctx, sel, v)
		if err != nil {
			t.Fatal(err)
		}
		if got := notesWhere(t, rows); len(got) != 2 || got[0] == v || got[1] == v {
			t.Errorf("without %q: %v", v, got)
		}
	}

	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, ins, "d"); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryContext(ctx, sel, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got := notesWhere(t, rows); len(got) != 3 || got[2] != "d" {
		t.Errorf("in the transaction: %v, want [b c d]", got)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	rows, err = conn.QueryContext(ctx, sel, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got := notesWhere(t, rows); len(got) != 2 {
		t.Errorf("after the rollback: %v, want [b c]", got)
	}
	if _, err := conn.ExecContext(ctx, "SELECT no_such_column FROM notes WHERE id = $1", 1); err == nil {
		t.Error("a statement that does not compile ran")
	}
}
