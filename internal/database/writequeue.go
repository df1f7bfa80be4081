package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"sync"
	"time"
)

// SQLite lets one connection write at a time. A second writer is left to SQLite's busy handler, which sleeps 1, 2,
// 5, 10 … ms between tries: under load most of a request's time goes to those sleeps. So the writers of this
// process queue for one write slot instead and go the moment the previous one is done. Every transaction is a
// write transaction here (BEGIN IMMEDIATE), and so is any statement outside a transaction that is not a SELECT.
// Readers never queue. Another process on the same file still meets the busy handler, as before.
//
// The slot's holder writes through one shared writer connection. A connection's page cache is thrown away whenever
// another connection has written since it last looked, so writes spread over the pool would each start by reading
// their pages again; the writer's cache stays warm because it is the one that changed them.

// errQueueTimeout is what a writer gets after waiting as long as the busy timeout would have let it.
var errQueueTimeout = errors.New("database is locked (waited 15 s for the write slot)")

const queueTimeout = 15 * time.Second

type queuedConnector struct {
	dsn  string
	drv  driver.Driver
	slot chan struct{} // holds a token while a writer is at work

	mu      sync.Mutex
	writer  driver.Conn // opened on first use; used only by the slot's holder
	changes *Changes    // what the writer has changed (changes.go)
}

// writerConn returns the shared writer connection (the caller holds the slot), reopening it after a failure.
func (c *queuedConnector) writerConn() (driver.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writer != nil {
		if v, ok := c.writer.(driver.Validator); ok && !v.IsValid() {
			c.writer.Close()
			c.writer = nil
		}
	}
	if c.writer == nil {
		w, err := c.drv.Open(c.dsn)
		if err != nil {
			return nil, err
		}
		if err := c.changes.hook(w); err != nil {
			w.Close()
			return nil, err
		}
		c.writer = withStmtCache(w)
	}
	return c.writer, nil
}

// Close closes the writer connection, then the WAL index Changes reads (sql.DB.Close calls it, after the pool's).
func (c *queuedConnector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.changes.unwatch()
	if c.writer == nil {
		return nil
	}
	err := c.writer.Close()
	c.writer = nil
	return err
}

func newQueuedConnector(drv driver.Driver, dsn string) *queuedConnector {
	return &queuedConnector{dsn: dsn, drv: drv, slot: make(chan struct{}, 1), changes: newChanges()}
}

func (c *queuedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &queuedConn{cachingConn: withStmtCache(conn), connector: c, slot: c.slot}, nil
}

func (c *queuedConnector) Driver() driver.Driver { return c.drv }

// queuedConn wraps one SQLite connection. database/sql uses a connection from one goroutine at a time.
type queuedConn struct {
	*cachingConn // Ping, ResetSession, IsValid, PrepareContext and Close are its own
	connector    *queuedConnector
	slot         chan struct{}
	tx           driver.Conn // the writer connection while this connection runs a transaction on it
}

// acquire waits for the write slot and returns the writer connection.
func (c *queuedConn) acquire(ctx context.Context) (driver.Conn, error) {
	select {
	case c.slot <- struct{}{}:
	default:
		t := time.NewTimer(queueTimeout)
		defer t.Stop()
		select {
		case c.slot <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
			return nil, errQueueTimeout
		}
	}
	w, err := c.connector.writerConn()
	if err != nil {
		c.release()
		return nil, err
	}
	return w, nil
}

// release gives up the write slot, once what was written is committed (or rolled back) and published.
func (c *queuedConn) release() {
	c.connector.changes.end()
	c.connector.changes.publish()
	<-c.slot
}

// writes says whether a statement outside a transaction must queue: anything but a SELECT.
func writes(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) < 6 || !strings.EqualFold(q[:6], "SELECT")
}

func (c *queuedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *queuedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	w, tx, err := c.begin(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.tx = w
	return &queuedTx{Tx: tx, conn: c}, nil
}

// begin takes the write slot and begins a transaction on the writer (BEGIN IMMEDIATE: SQLite's write lock), which
// Changes learns of.
func (c *queuedConn) begin(ctx context.Context, opts driver.TxOptions) (driver.Conn, driver.Tx, error) {
	w, err := c.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := w.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		c.release()
		return nil, nil, err
	}
	c.connector.changes.begin()
	return w, tx, nil
}

// A write outside a transaction runs in one of its own, so that Changes sees it begin and end under the write lock.

func (c *queuedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	switch {
	case c.tx != nil:
		return c.tx.(driver.ExecerContext).ExecContext(ctx, query, args)
	case !writes(query):
		return c.cachingConn.ExecContext(ctx, query, args)
	}
	w, tx, err := c.begin(ctx, driver.TxOptions{})
	if err != nil {
		return nil, err
	}
	defer c.release()
	res, err := w.(driver.ExecerContext).ExecContext(ctx, query, args)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return res, tx.Commit()
}

func (c *queuedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	switch {
	case c.tx != nil:
		return c.tx.(driver.QueryerContext).QueryContext(ctx, query, args)
	case !writes(query):
		return c.cachingConn.QueryContext(ctx, query, args)
	}
	// INSERT … RETURNING: the statement (and its transaction) ends when its rows are closed.
	w, tx, err := c.begin(ctx, driver.TxOptions{})
	if err != nil {
		return nil, err
	}
	rows, err := w.(driver.QueryerContext).QueryContext(ctx, query, args)
	if err != nil {
		_ = tx.Rollback()
		c.release()
		return nil, err
	}
	return &queuedRows{Rows: rows, tx: tx, release: sync.OnceFunc(c.release)}, nil
}

type queuedTx struct {
	driver.Tx
	conn *queuedConn
}

func (t *queuedTx) Commit() error   { return t.end(t.Tx.Commit) }
func (t *queuedTx) Rollback() error { return t.end(t.Tx.Rollback) }

func (t *queuedTx) end(f func() error) error {
	err := f()
	if t.conn.tx != nil {
		t.conn.tx = nil
		t.conn.release()
	}
	return err
}

type queuedRows struct {
	driver.Rows
	tx      driver.Tx
	failed  bool // a row could not be read: the statement failed, and its transaction is rolled back
	release func()
}

func (r *queuedRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err != nil && !errors.Is(err, io.EOF) {
		r.failed = true
	}
	return err
}

func (r *queuedRows) Close() error {
	err := r.Rows.Close()
	if r.tx != nil {
		end := r.tx.Commit
		if err != nil || r.failed {
			end = r.tx.Rollback
		}
		if terr := end(); err == nil {
			err = terr
		}
		r.tx = nil
	}
	r.release()
	return err
}
