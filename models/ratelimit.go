package models

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// RateLimit is a budget of requests per client kept in the database (table rate_limits): a token bucket of Burst
// tokens refilled at Rate per second. Every server process spends from the same bucket, so N servers behind a load
// balancer allow what one would.
type RateLimit struct {
	Name  string  // the budget: "lookup", "login" …
	Rate  float64 // tokens per second
	Burst int
}

// Allow spends one token of who's bucket and says whether there was one. It is one statement: an INSERT of a full
// bucket less one, or an UPDATE that refills the bucket for the time gone by and spends a token only when at least
// one is there (an empty bucket is left as it was, so refused requests do not push the refill back).
func (l RateLimit) Allow(ctx context.Context, db bun.IDB, who string) (bool, error) {
	return l.AllowAt(ctx, db, who, Now())
}

// AllowAt is Allow with the clock given: a request at that instant (tests step the clock instead of sleeping).
func (l RateLimit) AllowAt(ctx context.Context, db bun.IDB, who string, at time.Time) (bool, error) {
	now := at.UnixMicro()
	least := "min"
	if isPostgres(db) {
		least = "LEAST"
	}
	burst, perMicro := float64(l.Burst), l.Rate/1e6
	// The casts tell PostgreSQL the bound values' types (it would take the rate for an integer, from at_us).
	refilled := least + "(CAST(? AS DOUBLE PRECISION), rate_limits.tokens + (? - rate_limits.at_us) * CAST(? AS DOUBLE PRECISION))"
	var tokens float64
	b := database.Bind(db) // every lookup and 报名表 spends from a bucket
	nowV, burstV, rateV := b.V(now), b.V(burst), b.V(perMicro)
	err := db.NewRaw(`INSERT INTO rate_limits (key, tokens, at_us) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET tokens = `+refilled+` - 1, at_us = ?
		WHERE `+refilled+` >= 1 RETURNING tokens`,
		b.V(l.Name+":"+who), b.V(burst-1), nowV, burstV, nowV, rateV, nowV, burstV, nowV, rateV).Conn(b.On(db)).Scan(ctx, &tokens)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ForgetFullRateLimits deletes the buckets untouched for a day: they would be full again, as a new one is.
func ForgetFullRateLimits(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	res, err := db.NewDelete().Table("rate_limits").Where("at_us < ?", now.Add(-24*time.Hour).UnixMicro()).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func init() {
	RegisterPeriodic(PeriodicTask{Name: "ratelimit.forget", Label: "清理过期的访问频率记录", Every: time.Hour, Run: ForgetFullRateLimits})
}
