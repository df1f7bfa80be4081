package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// Session is one server-side session. The browser's cookie holds only ID.
type Session struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`

	ID         string    `bun:"id,pk"`
	AccountID  *int64    `bun:"account_id"`
	Account    *Account  `bun:"rel:belongs-to,join:account_id=id"` // loaded with the session (one query per request)
	Data       string    `bun:"data,notnull"`
	SignedInAt time.Time `bun:"signed_in_at,notnull"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
}

// GetSession loads a session that has not expired at now. It runs on every request, so it is a bound statement
// (see bind); the expiry is checked here rather than in SQL.
func GetSession(ctx context.Context, db bun.IDB, id string, now time.Time) (*Session, error) {
	s := new(Session)
	b := database.Bind(db)
	err := db.NewSelect().Model(s).Relation("Account").Relation("Account.Organization").Where("s.id = ?", b.V(id)).
		Conn(b.On(db)).Scan(ctx)
	if err == nil && !s.ExpiresAt.After(now) {
		return s, ErrNotFound
	}
	return s, notFound(err)
}

// SaveSession inserts or replaces a session row.
func SaveSession(ctx context.Context, db bun.IDB, s *Session) error {
	_, err := db.NewInsert().Model(s).
		On("CONFLICT (id) DO UPDATE").
		Set("account_id = EXCLUDED.account_id").
		Set("data = EXCLUDED.data").
		Set("last_seen_at = EXCLUDED.last_seen_at").
		Set("expires_at = EXCLUDED.expires_at").
		Exec(ctx)
	return err
}

// TouchSession moves a session's last-seen time (the idle clock) forward.
func TouchSession(ctx context.Context, db bun.IDB, id string, now, expires time.Time) error {
	_, err := db.NewUpdate().Model((*Session)(nil)).Set("last_seen_at = ?", now).Set("expires_at = ?", expires).
		Where("id = ?", id).Exec(ctx)
	return err
}

// DeleteSession removes one session (sign-out).
func DeleteSession(ctx context.Context, db bun.IDB, id string) error {
	_, err := db.NewDelete().Model((*Session)(nil)).Where("id = ?", id).Exec(ctx)
	return err
}

// DeleteSessionsOf removes every session of an account except keep (password change, disabling).
func DeleteSessionsOf(ctx context.Context, db bun.IDB, accountID int64, keep string) error {
	_, err := db.NewDelete().Model((*Session)(nil)).Where("account_id = ? AND id <> ?", accountID, keep).Exec(ctx)
	return err
}

// DeleteExpiredSessions removes sessions that can no longer be used.
func DeleteExpiredSessions(ctx context.Context, db bun.IDB, now time.Time) (int64, error) {
	res, err := db.NewDelete().Model((*Session)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SignOut is 退出: the actor's session row is deleted (a copied cookie is then worthless) with its audit row, in one
// transaction.
func SignOut(ctx context.Context, db bun.IDB, actor Actor, sessionID string) error {
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := DeleteSession(ctx, tx, sessionID); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventLogout, "", "ok", "")
	})
}
