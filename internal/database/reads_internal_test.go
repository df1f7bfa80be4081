package database

import (
	"slices"
	"testing"
)

// The names a statement mentions are its identifiers, quoted or not, never what a string literal holds (a search
// box's text must not become a table name the cache keeps a counter for).
func TestSQLNamesSkipLiterals(t *testing.T) {
	got := sqlNames(`SELECT "p"."name", Phone FROM "persons" AS "p" WHERE p.name LIKE '%it''s "x" orders%' AND id = $1 LIMIT 20`)
	want := []string{"select", "p", "name", "phone", "from", "persons", "as", "p", "where", "p", "name", "like", "and", "id", "limit"}
	if !slices.Equal(got, want) {
		t.Fatalf("names %q, want %q", got, want)
	}
}
