// Package sessionstore is a gorilla/sessions Store that keeps sessions in the database. The cookie carries only a
// random id, so a session can be revoked (sign-out, password change, disabled account) by deleting its row, and it
// ends by itself after an idle period or a maximum age since sign-in.
package sessionstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/gob"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/uptrace/bun"

	"examcert/internal/database"
	"examcert/models"
)

// Keys of the values every session carries.
const (
	KeyAccountID  = "account_id"   // int64; absent before sign-in
	KeySignedInAt = "signed_in_at" // int64 unix seconds
	KeyLastSeenAt = "last_seen_at" // int64 unix seconds; read from the row, never written from Values
	KeyExpired    = "expired"      // bool; set on a fresh session when the cookie named one that timed out
	KeyAccount    = "account"      // *models.Account, loaded with the row; never written
	KeyEntry      = "cache_entry"  // *Entry, the cache's (cache.go); never written
)

// Store keeps sessions in the sessions table.
type Store struct {
	DB          bun.IDB
	Options     sessions.Options
	IdleTimeout time.Duration
	MaxAge      time.Duration
	cache       *cache // nil: every request reads its session row
}

// New returns a store whose cookies are HttpOnly, SameSite=Lax, Secure when secure is set, and last only as long
// as the browser (no Max-Age): the server decides when a session ends.
func New(db bun.IDB, secure bool, idle, maxAge time.Duration) *Store {
	s := &Store{
		DB:          db,
		Options:     sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode},
		IdleTimeout: idle,
		MaxAge:      maxAge,
	}
	if bdb, ok := db.(*bun.DB); ok {
		if ch := database.ChangesOf(bdb); ch != nil {
			s.cache = newCache(ch)
		}
	}
	return s
}

// Get returns the request's session, loaded once per request (gorilla's registry caches it).
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the cookie, or starts an empty one when there is none, or it has ended.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.Options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return sess, nil
	}
	ctx := r.Context()
	now := models.Now()
	row, values, entry, err := s.load(ctx, c.Value, now)
	if errors.Is(err, models.ErrNotFound) {
		sess.Values[KeyExpired] = true
		return sess, nil
	}
	if err != nil {
		return sess, err
	}
	if now.Sub(row.LastSeenAt) > s.IdleTimeout || now.Sub(row.SignedInAt) > s.MaxAge {
		if s.cache != nil {
			s.cache.drop(row.ID)
		}
		sess.Values[KeyExpired] = true
		return sess, models.DeleteSession(ctx, s.DB, row.ID)
	}
	sess.Values = values
	sess.ID = row.ID
	sess.IsNew = false
	sess.Values[KeySignedInAt] = row.SignedInAt.Unix()
	sess.Values[KeyLastSeenAt] = row.LastSeenAt.Unix()
	if row.Account != nil && row.AccountID != nil {
		sess.Values[KeyAccount] = row.Account
	}
	if entry != nil {
		sess.Values[KeyEntry] = entry
	}
	return sess, nil
}

// load reads session id (kept, or from the database) with its values decoded; entry is the cache's, when it keeps
// the row.
func (s *Store) load(ctx context.Context, id string, now time.Time) (*models.Session, map[any]any, *Entry, error) {
	if s.cache == nil {
		row, values, err := s.read(ctx, id, now)
		return row, values, nil, err
	}
	if e := s.cache.get(id); e != nil && e.row.ExpiresAt.After(now) {
		row, values := e.session()
		return row, values, e, nil
	}
	g := s.cache.guard()
	row, values, err := s.read(ctx, id, now)
	if err != nil {
		return nil, nil, nil, err
	}
	if e := s.cache.put(g, row, values); e != nil {
		row, values = e.session()
		return row, values, e, nil
	}
	return row, values, nil, nil
}

// read reads session id from the database and decodes its values.
func (s *Store) read(ctx context.Context, id string, now time.Time) (*models.Session, map[any]any, error) {
	row, err := models.GetSession(ctx, s.DB, id, now)
	if err != nil {
		return nil, nil, err
	}
	values := map[any]any{}
	if row.Data != "" {
		raw, err := base64.StdEncoding.DecodeString(row.Data)
		if err != nil {
			return nil, nil, err
		}
		if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&values); err != nil {
			return nil, nil, err
		}
	}
	return row, values, nil
}

// EntryOf is the cache's entry for the request's session, or nil: two requests with the same entry saw the same
// session row, account and organization.
func EntryOf(sess *sessions.Session) *Entry {
	e, _ := sess.Values[KeyEntry].(*Entry)
	return e
}

// Save writes the session row and sets the cookie; a negative MaxAge deletes both.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := models.DeleteSession(ctx, s.DB, sess.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		sess.ID = newID()
	}
	now := models.Now()
	signedIn := now
	if v, ok := sess.Values[KeySignedInAt].(int64); ok {
		signedIn = time.Unix(v, 0).UTC()
	}
	row := &models.Session{ID: sess.ID, SignedInAt: signedIn, LastSeenAt: now, ExpiresAt: s.expiry(signedIn, now)}
	if id, ok := sess.Values[KeyAccountID].(int64); ok {
		row.AccountID = &id
	}
	data := make(map[any]any, len(sess.Values))
	for k, v := range sess.Values {
		if k == KeyLastSeenAt || k == KeyExpired || k == KeySignedInAt || k == KeyAccount || k == KeyEntry {
			continue
		}
		data[k] = v
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(data); err != nil {
		return err
	}
	row.Data = base64.StdEncoding.EncodeToString(buf.Bytes())
	if err := models.SaveSession(ctx, s.DB, row); err != nil {
		return err
	}
	sess.Values[KeySignedInAt] = signedIn.Unix()
	sess.Values[KeyLastSeenAt] = now.Unix()
	http.SetCookie(w, sessions.NewCookie(sess.Name(), sess.ID, sess.Options))
	return nil
}

// Touch moves the idle clock forward, at most once a minute, so a busy user is not signed out mid-work and an
// ordinary page view does not write to the database.
func (s *Store) Touch(ctx context.Context, sess *sessions.Session) error {
	last, _ := sess.Values[KeyLastSeenAt].(int64)
	signedIn, _ := sess.Values[KeySignedInAt].(int64)
	now := models.Now()
	if sess.ID == "" || now.Unix()-last < 60 {
		return nil
	}
	sess.Values[KeyLastSeenAt] = now.Unix()
	return models.TouchSession(ctx, s.DB, sess.ID, now, s.expiry(time.Unix(signedIn, 0), now))
}

// Renew gives the session a new id and forgets its values (used at sign-in, so an id known before sign-in is
// worthless after it). The old row is deleted; Save writes the new one.
func (s *Store) Renew(ctx context.Context, sess *sessions.Session) error {
	if sess.ID != "" {
		if err := models.DeleteSession(ctx, s.DB, sess.ID); err != nil {
			return err
		}
	}
	sess.ID = ""
	sess.IsNew = true
	sess.Values = map[any]any{}
	return nil
}

func (s *Store) expiry(signedIn, now time.Time) time.Time {
	idle := now.Add(s.IdleTimeout)
	if abs := signedIn.Add(s.MaxAge); abs.Before(idle) {
		return abs
	}
	return idle
}

func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
