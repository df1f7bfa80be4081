package models

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// A statement that runs on every request (the session lookup) or on every 报名表 submit is sent with its values
// apart from its text ("bound"), so that its text is the same each time and the database keeps it compiled: on
// SQLite the connection keeps each such statement (internal/database's statement cache), on PostgreSQL pgx prepares
// it once per connection. Every other statement is left as bun writes it, values in the text: partial indexes need
// their conditions' constants literal, and a statement that runs once gains nothing from being kept.
//
//	b := bind(db)
//	err := db.NewSelect().Model(s).Where("s.id = ?", b.v(id)).Conn(b.on(db)).Scan(ctx)

// bound collects the values of one statement in the order of their placeholders ($1, $2, …; SQLite reads them too).
type bound struct {
	pg   bool
	args []any
}

func bind(db bun.IDB) *bound { return &bound{pg: isPostgres(db)} }

// v adds a value and returns its placeholder. On SQLite a time goes as the text bun writes for it (times are stored
// and compared as text there), so a bound time compares with stored ones exactly as a written one does.
func (b *bound) v(x any) bun.Safe {
	if t, ok := x.(time.Time); ok && !b.pg {
		x = t.UTC().Format("2006-01-02 15:04:05.999999-07:00")
	}
	b.args = append(b.args, x)
	return bun.Safe("$" + strconv.Itoa(len(b.args)))
}

// on is db (the database, a connection or a transaction) running the statement with the values collected.
func (b *bound) on(db bun.IDB) bun.IConn {
	args := b.args
	if b.pg {
		args = append([]any{pgx.QueryExecModeCacheStatement}, args...)
	}
	var c bun.IConn
	switch db := db.(type) {
	case *bun.DB:
		c = db.DB
	case bun.Tx:
		c = db.Tx
	case bun.Conn:
		c = db.Conn
	default:
		panic("bound: unknown bun.IDB")
	}
	return boundConn{c: c, args: args}
}

// boundConn is what bun runs a query on: it passes the statement's values along with the text bun wrote.
type boundConn struct {
	c    bun.IConn
	args []any
}

func (b boundConn) QueryContext(ctx context.Context, query string, _ ...any) (*sql.Rows, error) {
	return b.c.QueryContext(ctx, query, b.args...)
}

func (b boundConn) ExecContext(ctx context.Context, query string, _ ...any) (sql.Result, error) {
	return b.c.ExecContext(ctx, query, b.args...)
}

func (b boundConn) QueryRowContext(ctx context.Context, query string, _ ...any) *sql.Row {
	return b.c.QueryRowContext(ctx, query, b.args...)
}
