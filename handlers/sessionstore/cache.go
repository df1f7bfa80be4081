package sessionstore

import (
	"strconv"
	"sync"

	"examcert/internal/database"
	"examcert/models"
)

// cache keeps each session row this process has read, with its account and organization and its values decoded,
// so a request of a signed-in user reads nothing from the database (SQLite only: database.Changes). A row is
// dropped when it is written (sign-out, a new CSRF token, the idle clock, a password change deleting the
// account's sessions), or its account or organization is (an account disabled, its password or role changed, a
// sign-in noting its time), and every row when another process writes the file: the next request reads it again.
type cache struct {
	changes *database.Changes
	mu      sync.RWMutex
	rows    map[string]*Entry
}

// Entry is one cached session. Callers get copies of its parts; the same *Entry means the same row.
type Entry struct {
	row    models.Session
	values map[any]any
	deps   database.Versions // no table: the epoch (another process's writes)
}

// maxCachedSessions bounds the cache (about 2 KB a session, 40 MB when full); when it is full it is emptied.
const maxCachedSessions = 20_000

func newCache(ch *database.Changes) *cache {
	c := &cache{changes: ch, rows: map[string]*Entry{}}
	ch.Watch("sessions", func(id string) {
		c.mu.Lock()
		delete(c.rows, id)
		c.mu.Unlock()
	})
	ch.Watch("accounts", func(key string) {
		id, _ := strconv.ParseInt(key, 10, 64)
		c.dropWhere(func(e *Entry) bool { return e.row.AccountID != nil && *e.row.AccountID == id })
	})
	ch.Watch("organizations", func(key string) {
		id, _ := strconv.ParseInt(key, 10, 64)
		c.dropWhere(func(e *Entry) bool {
			return e.row.Account != nil && e.row.Account.OrganizationID != nil && *e.row.Account.OrganizationID == id
		})
	})
	return c
}

// dropWhere forgets the sessions that match (an account or organization was written).
func (c *cache) dropWhere(match func(*Entry) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.rows {
		if match(e) {
			delete(c.rows, id)
		}
	}
}

// get returns the cached session id, unless another process has written the file since it was read.
func (c *cache) get(id string) *Entry {
	c.mu.RLock()
	e := c.rows[id]
	c.mu.RUnlock()
	if e == nil || !e.deps.Current() {
		return nil
	}
	return e
}

// guard is taken before a session row is read from the database; put keeps the row only if no session, account
// or organization was written meanwhile (a write that the row may or may not show).
func (c *cache) guard() database.Versions {
	return c.changes.Versions("sessions", "accounts", "organizations")
}

// put keeps row and values (the cache owns them from now on: callers use copies, Entry.session).
func (c *cache) put(g database.Versions, row *models.Session, values map[any]any) *Entry {
	e := &Entry{row: *row, values: values, deps: g.Epoch()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !g.Current() {
		return nil
	}
	if len(c.rows) >= maxCachedSessions {
		c.rows = map[string]*Entry{}
	}
	c.rows[row.ID] = e
	return e
}

// drop forgets a session (one that ended by time).
func (c *cache) drop(id string) {
	c.mu.Lock()
	delete(c.rows, id)
	c.mu.Unlock()
}

// session returns a copy of the entry's row, account and organization, and of its values, for one request.
func (e *Entry) session() (*models.Session, map[any]any) {
	row := e.row
	if e.row.Account != nil {
		acct := *e.row.Account
		if acct.Organization != nil {
			org := *acct.Organization
			acct.Organization = &org
		}
		row.Account = &acct
	}
	values := make(map[any]any, len(e.values)+4)
	for k, v := range e.values {
		values[k] = v
	}
	return &row, values
}
