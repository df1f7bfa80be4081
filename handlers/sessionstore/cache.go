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
	// The kept sessions of each account and of each organization's accounts, so a write of one (every sign-in
	// notes its time) drops its sessions without looking at the others: the next writer waits for the watchers.
	byAccount, byOrg map[int64]map[string]bool
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
	c := &cache{changes: ch}
	c.empty()
	ch.Watch("sessions", c.drop)
	ch.Watch("accounts", func(key string) { c.dropAll(c.byAccount, key) })
	ch.Watch("organizations", func(key string) { c.dropAll(c.byOrg, key) })
	return c
}

// empty forgets every session (the caller holds mu, or no one else has c yet).
func (c *cache) empty() {
	c.rows, c.byAccount, c.byOrg = map[string]*Entry{}, map[int64]map[string]bool{}, map[int64]map[string]bool{}
}

// dropAll forgets the sessions that index (byAccount or byOrg) has under key, the id of the row written.
func (c *cache) dropAll(index map[int64]map[string]bool, key string) {
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for sid := range index[id] {
		c.remove(sid)
	}
}

// remove forgets session id and its places in the indexes (the caller holds mu).
func (c *cache) remove(id string) {
	e := c.rows[id]
	if e == nil {
		return
	}
	delete(c.rows, id)
	acct, org := e.owners()
	unindex(c.byAccount, acct, id)
	unindex(c.byOrg, org, id)
}

// owners is the session's account and its organization (nil when it has none).
func (e *Entry) owners() (acct, org *int64) {
	if e.row.Account != nil {
		org = e.row.Account.OrganizationID
	}
	return e.row.AccountID, org
}

func index(ix map[int64]map[string]bool, owner *int64, id string) {
	if owner == nil {
		return
	}
	if ix[*owner] == nil {
		ix[*owner] = map[string]bool{}
	}
	ix[*owner][id] = true
}

func unindex(ix map[int64]map[string]bool, owner *int64, id string) {
	if owner == nil {
		return
	}
	delete(ix[*owner], id)
	if len(ix[*owner]) == 0 {
		delete(ix, *owner)
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
		c.empty()
	}
	c.remove(row.ID)
	c.rows[row.ID] = e
	acct, org := e.owners()
	index(c.byAccount, acct, row.ID)
	index(c.byOrg, org, row.ID)
	return e
}

// drop forgets a session (written, or ended by time).
func (c *cache) drop(id string) {
	c.mu.Lock()
	c.remove(id)
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
