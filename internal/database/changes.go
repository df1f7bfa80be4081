package database

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
	"modernc.org/sqlite"
)

// Changes tells a cache what has been written to the SQLite file since it read something: a counter per table,
// moved after every write of this process that touched the table has committed (and for a watched table the keys
// of the rows written), and an epoch, moved when the file changed in a way this process cannot account for.
//
// Every write of this process goes through the one writer connection (writequeue.go), in a transaction, whose
// pre-update hook notes each changed row; the notes are published when the writer gives up the write slot, after
// its commit, so a reader that sees a counter unchanged has read nothing older than it.
//
// Another process (a second examcert on the same file, or sqlite3 at the command line) is seen through the WAL
// index: SQLite adds one to its change counter (iChange, in the header at the start of examcert.db-shm) for every
// transaction that commits a change, whoever makes it. The writer reads it when it has taken SQLite's write lock and
// again after its commit, and accounts for its own +1; any other step of the counter moves the epoch, which makes
// every kept answer stale. Reading it is one pread of 4 bytes, so every cache lookup checks it.
//
// PostgreSQL, where other servers write the same data, has no Changes: nothing is cached there.
type Changes struct {
	counters sync.Map      // table name → *atomic.Uint64
	epoch    atomic.Uint64 // moved by a change of the file this process did not make (or cannot account for)
	wal      *walIndex     // the WAL index (examcert.db-shm), read for its change counter
	seen     atomic.Uint32 // the WAL index's change counter as accounted for
	writing  atomic.Bool   // the writer holds SQLite's write lock (from begin to end)…
	wrote    atomic.Bool   // … and has changed a row: its commit will add one to the counter
	began    uint32        // the counter when the writer began (the slot's holder only)

	mu       sync.Mutex
	pending  map[string]bool     // tables written since the slot was taken
	keys     map[string][]string // watched tables: keys of the rows written since then
	watchers map[string][]func(key string)
}

func newChanges() *Changes {
	return &Changes{pending: map[string]bool{}, keys: map[string][]string{}, watchers: map[string][]func(string){}}
}

// changesOf holds each SQLite database's Changes, by its *sql.DB.
var changesOf sync.Map

// ChangesOf returns the SQLite database's Changes, or nil: PostgreSQL, or a SQLite file whose WAL index could not
// be mapped (then nothing is cached).
func ChangesOf(db *bun.DB) *Changes {
	if ch, ok := changesOf.Load(db.DB); ok {
		return ch.(*Changes)
	}
	return nil
}

// walChangeCounter is the offset of iChange in the WAL index header (https://sqlite.org/walformat.html).
const walChangeCounter = 8

// watchFile opens the WAL index of the SQLite file at path (its -shm file, which SQLite made when the first
// connection read the file in WAL mode).
func (ch *Changes) watchFile(path string) error {
	w, err := openWALIndex(path + "-shm")
	if err != nil {
		return err
	}
	k, ok := w.counter()
	if !ok {
		w.close()
		return fmt.Errorf("%s-shm: no change counter", path)
	}
	ch.wal = w
	ch.seen.Store(k)
	return nil
}

// unwatch closes the WAL index, once the database's connections are closed.
func (ch *Changes) unwatch() {
	if ch.wal != nil {
		ch.wal.close()
	}
}

// sync moves the epoch if the file changed in a way nobody accounts for: a reader calls it before it trusts or
// takes versions. The writer's commit between its begin and end is its own (+1 once it has changed a row).
func (ch *Changes) sync() {
	if ch.wal == nil {
		return
	}
	k, ok := ch.wal.counter()
	seen := ch.seen.Load()
	if ok && (k == seen || (k == seen+1 && ch.writing.Load() && ch.wrote.Load())) {
		return
	}
	ch.epoch.Add(1)
	ch.seen.CompareAndSwap(seen, k)
}

// begin: the writer has SQLite's write lock (BEGIN IMMEDIATE), so every commit before it is in the counter.
func (ch *Changes) begin() {
	if ch.wal == nil {
		return
	}
	k, ok := ch.wal.counter()
	if !ok || k != ch.seen.Load() {
		ch.epoch.Add(1)
		ch.seen.Store(k)
	}
	ch.began = k
	ch.wrote.Store(false)
	ch.writing.Store(true)
}

// end: the writer's transaction is over (committed or rolled back). Its commit accounts for one step of the counter
// if it changed a row; anything else is someone else's.
func (ch *Changes) end() {
	if ch.wal == nil || !ch.writing.Load() {
		return
	}
	k, ok := ch.wal.counter()
	if !ok || (k != ch.began && (k != ch.began+1 || !ch.wrote.Load())) {
		ch.epoch.Add(1)
	}
	ch.seen.Store(k)
	ch.writing.Store(false)
}

// Watch calls f, after the commit, with the key (first column, as text) of every row of table that a write
// inserted, changed or deleted. f must be quick: the next writer waits for it.
func (ch *Changes) Watch(table string, f func(key string)) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.watchers[table] = append(ch.watchers[table], f)
}

// counter is table's counter, made on first use.
func (ch *Changes) counter(table string) *atomic.Uint64 {
	if c, ok := ch.counters.Load(table); ok {
		return c.(*atomic.Uint64)
	}
	c, _ := ch.counters.LoadOrStore(table, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

// Versions is what a cached answer was made from: the tables it read, each with its counter at the time, and the
// epoch.
type Versions struct {
	ch       *Changes
	epoch    uint64
	names    []string
	counters []*atomic.Uint64
	seen     []uint64
}

// Versions reads the counters of tables now: take them before reading the tables, keep them with the answer.
func (ch *Changes) Versions(tables ...string) Versions {
	v := Versions{}
	ch.start(&v)
	for _, t := range tables {
		ch.Read(&v, t)
	}
	return v
}

func (ch *Changes) start(v *Versions) {
	if v.ch == nil {
		ch.sync()
		v.ch, v.epoch = ch, ch.epoch.Load()
	}
}

// Read adds table, with its counter now, to v, unless v has it already (its earlier counter is the one to keep).
func (ch *Changes) Read(v *Versions, table string) {
	ch.start(v)
	if slices.Contains(v.names, table) {
		return
	}
	c := ch.counter(table)
	v.names, v.counters, v.seen = append(v.names, table), append(v.counters, c), append(v.seen, c.Load())
}

// Epoch is v without its tables: current until another process writes the file.
func (v Versions) Epoch() Versions { return Versions{ch: v.ch, epoch: v.epoch} }

// Current says whether nothing v was made from has been written since.
func (v Versions) Current() bool {
	if v.ch == nil {
		return false
	}
	v.ch.sync()
	if v.ch.epoch.Load() != v.epoch {
		return false
	}
	for i, c := range v.counters {
		if c.Load() != v.seen[i] {
			return false
		}
	}
	return true
}

// changed is the writer's pre-update hook: it notes the table, and a watched row's key.
func (ch *Changes) changed(d sqlite.SQLitePreUpdateData) {
	ch.wrote.Store(true)
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.pending[d.TableName] = true
	if len(ch.watchers[d.TableName]) == 0 {
		return
	}
	// The driver stores each value in the slice it is given (as Scan into *any would), so pass a slice.
	for _, row := range []func(...any) error{d.Old, d.New} {
		key := make([]any, 1)
		if err := row(key...); err == nil && key[0] != nil {
			ch.keys[d.TableName] = append(ch.keys[d.TableName], keyText(key[0]))
		}
	}
}

func keyText(key any) string {
	if b, ok := key.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(key)
}

// publish moves the counters of the tables written, and tells the watchers which rows; the writer calls it when it
// gives up the slot (after end), its work committed or rolled back (a rolled-back write moves them too, which costs a cache no
// more than a miss).
func (ch *Changes) publish() {
	ch.mu.Lock()
	if len(ch.pending) == 0 {
		ch.mu.Unlock()
		return
	}
	tables, keys := ch.pending, ch.keys
	ch.pending, ch.keys = map[string]bool{}, map[string][]string{}
	var calls []func()
	for t, ks := range keys {
		for _, f := range ch.watchers[t] {
			for _, k := range ks {
				calls = append(calls, func() { f(k) })
			}
		}
	}
	ch.mu.Unlock()
	for t := range tables {
		ch.counter(t).Add(1)
	}
	for _, call := range calls {
		call()
	}
}

// hook makes conn, the writer connection, report its changes.
func (ch *Changes) hook(conn any) error {
	h, ok := conn.(sqlite.HookRegisterer)
	if !ok {
		return fmt.Errorf("sqlite connection %T takes no hooks", conn)
	}
	h.RegisterPreUpdateHook(ch.changed)
	return nil
}
