package handlers

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/uptrace/bun"

	"examcert/models"
)

// dbRateStore is echo's rate-limiter store kept in the database (models.RateLimit): every server process behind the
// load balancer spends from the same budget. A database error refuses the request.
type dbRateStore struct {
	db    bun.IDB
	limit models.RateLimit
}

func (s dbRateStore) Allow(who string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.limit.Allow(ctx, s.db, who)
}

// rateLimit is a route's middleware spending one token of limit per client address (the real one: see realIP), and
// deny's answer once the address's bucket is empty.
func rateLimit(db bun.IDB, limit models.RateLimit, deny func(c echo.Context) error) echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:       dbRateStore{db: db, limit: limit},
		DenyHandler: func(c echo.Context, _ string, _ error) error { return deny(c) },
	})
}
