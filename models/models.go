// Package models holds the records of the domain (bun models), the queries on them and the rules they obey.
// No HTTP and no HTML here: functions take a context and a bun.IDB (the database or a transaction).
package models

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Domain errors. Handlers map each of them once to a message and a status code.
var (
	ErrNotFound   = errors.New("not found")
	ErrConflict   = errors.New("record changed by someone else")
	ErrDuplicate  = errors.New("already exists")
	ErrOutOfScope = errors.New("outside the caller's scope")
)

// Now is the time every record is stamped with: UTC, so stored times compare correctly as text in SQLite.
func Now() time.Time { return time.Now().UTC() }

// notFound turns sql.ErrNoRows into ErrNotFound and leaves other errors as they are.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// IsUniqueViolation says whether err is a unique-constraint failure, on SQLite or PostgreSQL.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") ||
		strings.Contains(s, "duplicate key value")
}

// China has one time zone and no daylight saving; pages show times in it.
var Beijing = time.FixedZone("CST", 8*3600)

// isPostgres says whether db speaks PostgreSQL (else SQLite), for the few statements the two write differently.
func isPostgres(db bun.IDB) bool { return db.Dialect().Name().String() == "pg" }
