package database

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/schema"
)

// A statement that runs on every request (the session lookup) or on every 报名表 submit is sent with its values apart
// from its text ("bound"), so that its text is the same each time and the database keeps it compiled: on SQLite the
// connection keeps each such statement (stmtcache.go), on PostgreSQL pgx prepares it once per connection. Every other statement is left as bun writes it, values in the text: partial indexes need
// their conditions' constants literal, and a statement that runs once gains nothing from being kept.
//
//	b := database.Bind(db)
//	err := db.NewSelect().Model(s).Where("s.id = ?", b.V(id)).Conn(b.On(db)).Scan(ctx)

// Bound collects the values of one statement in the order of their placeholders ($1, $2, …; SQLite reads them too).
type Bound struct {
	dialect schema.Dialect
	pg      bool
	args    []any
}

// Bind starts the values of one statement to run on db.
func Bind(db bun.IDB) *Bound {
	return &Bound{dialect: db.Dialect(), pg: db.Dialect().Name() == dialect.PG}
}

// Columns has q (an INSERT of model, a pointer to a struct) send model's values bound. A column bun writes as
// DEFAULT or NULL (a zero id, a nil pointer, a zero nullzero field) stays so, and so does a value that is not a plain
// number, string, bool or time (bun's own encoding is kept for it). The columns in except are left out: the caller
// gives them their own values (every bound value must be used: PostgreSQL must know each one's type).
func (b *Bound) Columns(q *bun.InsertQuery, model any, except ...string) *bun.InsertQuery {
	v := reflect.ValueOf(model).Elem()
	for _, f := range q.DB().Dialect().Tables().Get(v.Type()).Fields {
		if slices.Contains(except, f.Name) || (f.IsPtr && f.HasNilValue(v)) || (f.HasZeroValue(v) && (f.NullZero || f.SQLDefault != "")) {
			continue
		}
		fv := f.Value(v)
		if f.IsPtr {
			fv = fv.Elem()
		}
		switch fv.Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8,
			reflect.Uint16, reflect.Uint32, reflect.Float32, reflect.Float64, reflect.String:
		default:
			if fv.Type() != reflect.TypeFor[time.Time]() {
				continue
			}
		}
		q = q.Value(f.Name, "?", b.V(fv.Interface()))
	}
	return q
}

// V adds a value and returns its placeholder. On SQLite a time goes as the text bun writes for it (the dialect's
// AppendTime, without its quotes: times are stored and compared as text there), so a bound time compares with
// stored ones exactly as a written one does.
func (b *Bound) V(x any) bun.Safe {
	if t, ok := x.(*time.Time); ok && t != nil {
		x = *t
	}
	if t, ok := x.(time.Time); ok && !b.pg {
		x = strings.Trim(string(b.dialect.AppendTime(nil, t)), "'")
	}
	b.args = append(b.args, x)
	return bun.Safe("$" + strconv.Itoa(len(b.args)))
}

// BindList binds each of xs, for "IN (?)".
func BindList[T any](b *Bound, xs []T) any {
	out := make([]bun.Safe, len(xs))
	for i, x := range xs {
		out[i] = b.V(x)
	}
	return bun.List(out)
}

// On is db (the database, a connection or a transaction) running the statement with the values collected.
func (b *Bound) On(db bun.IDB) bun.IConn {
	var c bun.IConn
	switch db := db.(type) {
	case *bun.DB:
		c = db.DB
	case bun.Tx:
		c = db.Tx
	case bun.Conn:
		c = db.Conn
	default:
		panic("database.Bound: unknown bun.IDB")
	}
	return boundConn{c: c, b: b}
}

// bound is the values collected, when the statement runs (so On may be called before the last v).
func (b *Bound) bound() []any {
	if b.pg {
		return append([]any{pgx.QueryExecModeCacheStatement}, b.args...)
	}
	return b.args
}

// boundConn is what bun runs a query on: it passes the statement's values along with the text bun wrote.
type boundConn struct {
	c bun.IConn
	b *Bound
}

func (b boundConn) QueryContext(ctx context.Context, query string, _ ...any) (*sql.Rows, error) {
	return b.c.QueryContext(ctx, query, b.b.bound()...)
}

func (b boundConn) ExecContext(ctx context.Context, query string, _ ...any) (sql.Result, error) {
	return b.c.ExecContext(ctx, query, b.b.bound()...)
}

func (b boundConn) QueryRowContext(ctx context.Context, query string, _ ...any) *sql.Row {
	return b.c.QueryRowContext(ctx, query, b.b.bound()...)
}
