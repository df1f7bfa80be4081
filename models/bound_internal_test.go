package models

import (
	"context"
	"fmt"
	"testing"
	"time"

	"examcert/internal/database"
	"examcert/internal/dbtest"
)

// A bound time compares with stored times exactly as the same time written into the statement does (on SQLite both
// are text), at whole seconds, microseconds, and times given in another zone.
func TestBoundTimesCompareAsWrittenOnes(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	base := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	offsets := []time.Duration{0, time.Microsecond, 10 * time.Microsecond, 500 * time.Millisecond, time.Second,
		time.Second + 123456*time.Microsecond, time.Hour}
	for i, d := range offsets {
		s := &Session{ID: fmt.Sprint("s", i), Data: "{}", SignedInAt: base, LastSeenAt: base, ExpiresAt: base.Add(d)}
		if err := SaveSession(ctx, db, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range append(offsets, -time.Second, 999*time.Millisecond, 3*time.Microsecond) {
		for _, at := range []time.Time{base.Add(d), base.Add(d).In(Beijing)} {
			written, err := db.NewSelect().Model((*Session)(nil)).Where("expires_at > ?", at).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b := database.Bind(db)
			bound, err := db.NewSelect().Model((*Session)(nil)).Where("expires_at > ?", b.V(at)).Conn(b.On(db)).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if bound != written {
				t.Errorf("expires_at > %s: %d bound, %d written", at, bound, written)
			}
		}
	}
}

// GetSession (a bound statement) finds a session until the moment it expires, in a transaction as outside one.
func TestGetSessionUntilItExpires(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	now := Now()
	if err := SaveSession(ctx, db, &Session{ID: "s", Data: "{}", SignedInAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if s, err := GetSession(ctx, db, "s", now.Add(time.Minute-time.Microsecond)); err != nil || s.ID != "s" {
		t.Errorf("before it expires: %v", err)
	}
	if _, err := GetSession(ctx, db, "s", now.Add(time.Minute)); err != ErrNotFound {
		t.Errorf("when it expires: %v, want ErrNotFound", err)
	}
	if _, err := GetSession(ctx, db, "other", now); err != ErrNotFound {
		t.Errorf("no such session: %v, want ErrNotFound", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if s, err := GetSession(ctx, tx, "s", now); err != nil || s.ID != "s" {
		t.Errorf("in a transaction: %v", err)
	}
}

// BenchmarkSessionLookup: the session lookup every request makes, bound (as GetSession runs it) against the same
// query with its values written into the text (as it ran before), in one run.
func BenchmarkSessionLookup(b *testing.B) {
	db := dbtest.Open(b)
	ctx := context.Background()
	now := Now()
	if err := SaveSession(ctx, db, &Session{ID: "s", Data: "{}", SignedInAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	b.Run("written", func(b *testing.B) {
		for b.Loop() {
			s := new(Session)
			if err := db.NewSelect().Model(s).Relation("Account").Relation("Account.Organization").
				Where("s.id = ? AND s.expires_at > ?", "s", now).Scan(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bound", func(b *testing.B) {
		for b.Loop() {
			if _, err := GetSession(ctx, db, "s", now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// An INSERT with bound columns stores what bun's written INSERT stores, to the text of each column (SQLite keeps
// times as text): pointers set and nil, named string types, times with and without fractions, nullzero columns.
func TestBoundInsertStoresWhatAWrittenOneDoes(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	acct, org := int64(7), int64(9)
	for i, ev := range []AuditEvent{
		{OccurredAt: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), AccountID: &acct, Username: "甲", Role: RoleEnterprise,
			OrganizationID: &org, IP: "10.0.0.1", Event: EventLoginOK, Object: "o", Result: "ok", Detail: "明细", RequestID: "r"},
		{OccurredAt: time.Date(2026, 12, 3, 9, 0, 1, 123456000, time.UTC), Event: EventLogout},
	} {
		written, bound := ev, ev
		if _, err := db.NewInsert().Model(&written).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		b := database.Bind(db)
		if _, err := b.Columns(db.NewInsert().Model(&bound), &bound).Returning("id").Conn(b.On(db)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if bound.ID == 0 || bound.ID == written.ID {
			t.Fatalf("event %d: ids %d and %d", i, written.ID, bound.ID)
		}
		var rows []map[string]any
		if err := db.NewSelect().Model((*AuditEvent)(nil)).
			ColumnExpr("CAST(occurred_at AS TEXT) AS occurred_at, account_id, username, role, organization_id, ip, event, object, result, detail, request_id, chain_seq, prev_hash, row_hash").
			Where("id IN (?, ?)", written.ID, bound.ID).OrderExpr("id").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || fmt.Sprint(rows[0]) != fmt.Sprint(rows[1]) {
			t.Errorf("event %d: written %v\n bound %v", i, rows[0], rows[1])
		}
	}
}
