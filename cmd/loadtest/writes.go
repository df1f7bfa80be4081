package main

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"examcert/models"
)

// The registration's own writes, without the server: what the database must do for one 报名表 however fast the
// server is. That is the INSERT into registrations (its foreign keys, its unique and other indexes, the seats
// trigger taking a place) and the audit row, in one transaction, and nothing before them: no session, plan or
// person read, no HTTP. Between the plain INSERT and the submit, it tells the database's share of the gap from the
// server's.

// measureWrites stores the registration and its audit row for the staff, one person each, into a new plan, with c
// clients (pgbench) on PostgreSQL, in a loop on SQLite.
func measureWrites(ctx context.Context, o options, f *fixture, c int) (float64, error) {
	plan, err := openPlan(ctx, f.db, fmt.Sprintf("负载测试：只写，%d个连接", c), len(f.staff))
	if err != nil {
		return 0, err
	}
	var rate float64
	if f.url == "" {
		rate, err = writesSQLite(ctx, o, f, plan)
	} else {
		rate, err = writesPgbench(ctx, o, f, plan, c)
	}
	if err != nil {
		return 0, err
	}
	return rate, checkSeats(ctx, f, plan.ID)
}

// writeRows are the two rows: the registration of the given person into plan, as the submit stores it, and its
// audit row.
func writeRows(f *fixture, plan *models.ExamPlan, personID int64) (*models.Registration, *models.AuditEvent) {
	reg := rawRegistration(f, personID)
	reg.PlanID, reg.AccountID = plan.ID, &f.accountID
	ev := &models.AuditEvent{OccurredAt: reg.CreatedAt, AccountID: &f.accountID, Username: f.clerks[0], Role: models.RoleEnterprise,
		OrganizationID: &f.org.ID, IP: "127.0.0.1", Event: models.EventRegistered, Object: "registration:loadtest",
		Result: "ok", Detail: plan.Name, RequestID: "loadtest"}
	return reg, ev
}

// writesSQLite stores the rows in a loop, one transaction each, for the duration.
func writesSQLite(ctx context.Context, o options, f *fixture, plan *models.ExamPlan) (float64, error) {
	start := time.Now()
	n := 0
	for ; time.Since(start) < o.duration; n++ {
		if n == len(f.staffIDs) {
			return 0, fmt.Errorf("out of people: run with more -people")
		}
		reg, ev := writeRows(f, plan, f.staffIDs[n])
		if err := f.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewInsert().Model(reg).Exec(ctx); err != nil {
				return err
			}
			_, err := tx.NewInsert().Model(ev).Exec(ctx)
			return err
		}); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// writesPgbench has pgbench store the rows with c clients, each transaction taking the next of the staff from a
// sequence (their ids are consecutive).
func writesPgbench(ctx context.Context, o options, f *fixture, plan *models.ExamPlan, c int) (float64, error) {
	first, last := f.staffIDs[0], f.staffIDs[len(f.staffIDs)-1]
	if last-first+1 != int64(len(f.staffIDs)) {
		return 0, fmt.Errorf("the staff's ids are not consecutive (%d…%d for %d people)", first, last, len(f.staffIDs))
	}
	if _, err := f.db.ExecContext(ctx, "CREATE SEQUENCE IF NOT EXISTS loadtest_writes; SELECT setval('loadtest_writes', ?, false)", first); err != nil {
		return 0, err
	}
	reg, ev := writeRows(f, plan, 0)
	insReg, err := f.db.NewInsert().Model(reg).ExcludeColumn("id").Value("person_id", "nextval('loadtest_writes')").
		AppendQuery(f.db.QueryGen(), nil)
	if err != nil {
		return 0, err
	}
	insEv, err := f.db.NewInsert().Model(ev).ExcludeColumn("id").AppendQuery(f.db.QueryGen(), nil)
	if err != nil {
		return 0, err
	}
	return pgbench(ctx, o, f, c, "writes.sql", "BEGIN;\n"+string(insReg)+";\n"+string(insEv)+";\nCOMMIT;\n")
}
