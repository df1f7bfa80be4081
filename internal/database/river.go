package database

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
)

// migrateRiver applies the background job runner's own schema (river's job, leader and queue tables; see
// internal/jobs) with river's migrator, after ours: the runner's tables come and go with the database like ours.
func migrateRiver(ctx context.Context, db *bun.DB) ([]string, error) {
	var names []string
	var res *rivermigrate.MigrateResult
	var err error
	cfg := &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)}
	if db.Dialect().Name().String() == "pg" {
		m, merr := rivermigrate.New(riverdatabasesql.New(db.DB), cfg)
		if merr != nil {
			return nil, merr
		}
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	} else {
		m, merr := rivermigrate.New(riversqlite.New(db.DB), cfg)
		if merr != nil {
			return nil, merr
		}
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		names = append(names, fmt.Sprintf("river_%03d %s", v.Version, v.Name))
	}
	return names, nil
}
