package database

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// ServingRoleGrants are the statements GrantServingRole runs, as the README shows them: the role the server serves
// with may read and write rows, and use the sequences behind the ids, in the schema — nothing else. Only the owner
// (the role migrations run as) can TRUNCATE, ALTER (disable a trigger), DROP TRIGGER or DROP TABLE, so the serving
// role cannot get around the 操作日志's append-only trigger (SECURITY.md 30). The default privileges extend the same
// grants to the tables later migrations create (as the owner).
var ServingRoleGrants = []string{
	"GRANT USAGE ON SCHEMA ? TO ?",
	"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ? TO ?",
	"GRANT USAGE ON ALL SEQUENCES IN SCHEMA ? TO ?",
	"ALTER DEFAULT PRIVILEGES IN SCHEMA ? GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ?",
	"ALTER DEFAULT PRIVILEGES IN SCHEMA ? GRANT USAGE ON SEQUENCES TO ?",
}

// GrantServingRole gives role exactly the serving privileges on the current schema of db, which must be connected
// as the schema's owner (the migration URL). The role itself is created by the database administrator.
func GrantServingRole(ctx context.Context, db *bun.DB, role string) error {
	if db.Dialect().Name() != dialect.PG {
		return errors.New("database roles exist only on PostgreSQL")
	}
	if role == "" {
		return errors.New("no role named")
	}
	var schema string
	if err := db.NewRaw("SELECT current_schema()").Scan(ctx, &schema); err != nil {
		return err
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, stmt := range ServingRoleGrants {
			if _, err := tx.ExecContext(ctx, stmt, bun.Ident(schema), bun.Ident(role)); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		return nil
	})
}
