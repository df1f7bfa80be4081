package database

import (
	"context"
	"database/sql/driver"
	"sync"
)

// SQLite compiles a statement's text before it runs it: for the short statements of a request that is most of their
// cost (a third of the 报名表 submit's CPU; an INSERT into registrations compiles its triggers too). bun writes the
// values into the text, so its statements are new each time and nothing can be kept. A statement that comes with
// its values apart (arguments: the hot statements of models, and the job runner's) has the same text every time, so
// each connection keeps it compiled, keyed by its text, and only binds the new values.

// One thing undoes it: modernc's SQLite is built with SQLITE_ENABLE_STAT4, and once ANALYZE has filled sqlite_stat4,
// SQLite compiles such a statement again at every run whose bound value is compared with an indexed column (the
// value might change the plan). examcert never runs ANALYZE on SQLite (its indexes choose the plans), so this happens
// only after someone runs it by hand; a profile then shows sqlite3Reprepare under sqlite3_step.

// maxCachedStmts bounds the statements one connection keeps; past it the cache starts again (the hot ones come
// back at once).
const maxCachedStmts = 128

// cachingConn is one SQLite connection with its compiled statements. database/sql uses a connection from one
// goroutine at a time; the writer connection is used only by the write slot's holder.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt driver.Stmt
	busy bool // its rows are still open: the same text meanwhile runs uncached
}

func withStmtCache(c driver.Conn) *cachingConn {
	return &cachingConn{Conn: c, stmts: map[string]*cachedStmt{}}
}

// stmt returns the connection's compiled statement for query, marked busy; nil when the query comes without
// arguments (its values are in its text) or its statement is in use already: it then runs uncached.
func (c *cachingConn) stmt(ctx context.Context, query string, args []driver.NamedValue) (*cachedStmt, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		s.busy = true
		return s, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		for q, s := range c.stmts {
			if !s.busy {
				s.stmt.Close()
				delete(c.stmts, q)
			}
		}
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{stmt: st, busy: true}
	c.stmts[query] = s
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.stmt(ctx, query, args)
	switch {
	case err != nil:
		return nil, err
	case s == nil:
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	defer func() { s.busy = false }()
	return s.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.stmt(ctx, query, args)
	switch {
	case err != nil:
		return nil, err
	case s == nil:
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		s.busy = false
		return nil, err
	}
	return &cachedRows{Rows: rows, done: sync.OnceFunc(func() { s.busy = false })}, nil
}

// Close finalizes the kept statements, then closes the connection.
func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.stmt.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) Ping(ctx context.Context) error {
	return c.Conn.(driver.Pinger).Ping(ctx)
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type cachedRows struct {
	driver.Rows
	done func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.done()
	return err
}
