package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"examcert/internal/dbtest"
	"examcert/models"
)

// writeAuditRows records n events with varied fields and returns them in order.
func writeAuditRows(t *testing.T, db bun.IDB, n int) []models.AuditEvent {
	t.Helper()
	var out []models.AuditEvent
	for i := range n {
		ev := &models.AuditEvent{Event: models.EventLoginOK, Username: fmt.Sprintf("user%d", i), IP: "10.0.0.1",
			Object: "account:" + fmt.Sprint(i), Detail: "第" + fmt.Sprint(i) + "次", RequestID: "req"}
		if i%2 == 0 {
			id := int64(i + 1)
			ev.AccountID, ev.Role = &id, models.RoleAdmin
		}
		if err := models.RecordAudit(context.Background(), db, ev); err != nil {
			t.Fatal(err)
		}
		out = append(out, *ev)
	}
	return out
}

func verifyAudit(t *testing.T, db bun.IDB) models.AuditVerdict {
	t.Helper()
	v, err := models.VerifyAudit(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dropAuditTrigger does what only the table's owner can: removes the append-only rule for update or delete.
func dropAuditTrigger(t *testing.T, db *bun.DB, op string) {
	t.Helper()
	stmt := "DROP TRIGGER audit_events_append_only ON audit_events"
	if db.Dialect().Name() != dialect.PG {
		stmt = "DROP TRIGGER audit_events_no_" + op
	}
	if _, err := db.ExecContext(context.Background(), stmt); err != nil {
		t.Fatal(err)
	}
}

// SECURITY.md 30: an untouched log verifies, with its count, and so does one that has grown since.
func TestAuditChainVerifiesAnUntouchedLog(t *testing.T) {
	db := dbtest.Open(t)
	if v := verifyAudit(t, db); !v.Intact || v.Count != 0 {
		t.Fatalf("empty log: %+v", v)
	}
	writeAuditRows(t, db, 5)
	if v := verifyAudit(t, db); !v.Intact || v.Count != 5 || !strings.Contains(v.String(), "共 5 行") {
		t.Fatalf("5 rows: %+v %s", v, v)
	}
	writeAuditRows(t, db, 3)
	if v := verifyAudit(t, db); !v.Intact || v.Count != 8 || v.Unsealed != 0 {
		t.Fatalf("8 rows: %+v", v)
	}
	var evs []models.AuditEvent
	if err := db.NewSelect().Model(&evs).OrderExpr("chain_seq").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		if ev.ChainSeq != int64(i+1) || len(ev.RowHash) != 64 || (i > 0 && ev.PrevHash != evs[i-1].RowHash) {
			t.Fatalf("row %d: seq %d prev %q hash %q", i, ev.ChainSeq, ev.PrevHash, ev.RowHash)
		}
	}
}

// The append-only rule still holds for sealed rows: only the sealer's one-time setting of the chain columns is let
// through, and a row cannot be inserted already "sealed".
func TestSealedAuditRowsCannotBeChanged(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	rows := writeAuditRows(t, db, 2)
	if _, err := models.SealAudit(ctx, db); err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"detail = 'x'", "row_hash = NULL", "chain_seq = 99", "prev_hash = row_hash"} {
		if _, err := db.NewUpdate().Model((*models.AuditEvent)(nil)).Set(set).Where("id = ?", rows[0].ID).Exec(ctx); err == nil {
			t.Errorf("sealed row: SET %s succeeded", set)
		}
	}
	forged := &models.AuditEvent{Event: models.EventLoginOK, OccurredAt: models.Now(), ChainSeq: 3, PrevHash: rows[1].RowHash, RowHash: strings.Repeat("a", 64)}
	if _, err := db.NewInsert().Model(forged).Exec(ctx); err == nil {
		t.Error("a row was inserted already sealed")
	}
	// Sealing an unsealed row may not change its content at the same time.
	writeAuditRows(t, db, 1)
	if _, err := db.NewUpdate().Model((*models.AuditEvent)(nil)).Set("chain_seq = 3, prev_hash = 'p', row_hash = 'h', detail = 'changed'").
		Where("chain_seq IS NULL").Exec(ctx); err == nil {
		t.Error("sealing changed the row's content")
	}
	if v := verifyAudit(t, db); !v.Intact || v.Count != 3 {
		t.Fatalf("%+v", v)
	}
}

// The owner drops the trigger and edits a sealed row: verify names that row.
func TestAuditChainNamesAChangedRow(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	rows := writeAuditRows(t, db, 5)
	if _, err := models.SealAudit(ctx, db); err != nil {
		t.Fatal(err)
	}
	dropAuditTrigger(t, db, "update")
	if _, err := db.NewUpdate().Model((*models.AuditEvent)(nil)).Set("detail = 'nothing happened'").Where("id = ?", rows[2].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	v := verifyAudit(t, db)
	if v.Intact || v.Broken == nil || v.Broken.ID != rows[2].ID || !strings.Contains(v.String(), fmt.Sprintf("id=%d", rows[2].ID)) ||
		!strings.Contains(v.String(), models.EventLoginOK) {
		t.Fatalf("want a break at id %d: %+v %s", rows[2].ID, v, v)
	}
}

// A row deleted from the middle is reported at the row after it; one cut off the end at the row before.
func TestAuditChainNamesADeletedRow(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	rows := writeAuditRows(t, db, 5)
	if _, err := models.SealAudit(ctx, db); err != nil {
		t.Fatal(err)
	}
	dropAuditTrigger(t, db, "delete")
	if _, err := db.NewDelete().Model((*models.AuditEvent)(nil)).Where("id = ?", rows[4].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if v := verifyAudit(t, db); v.Intact || v.Broken == nil || v.Broken.ID != rows[3].ID || !strings.Contains(v.Reason, "之后") {
		t.Fatalf("newest row deleted: want a break at id %d: %+v", rows[3].ID, v)
	}
	if _, err := db.NewDelete().Model((*models.AuditEvent)(nil)).Where("id = ?", rows[1].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if v := verifyAudit(t, db); v.Intact || v.Broken == nil || v.Broken.ID != rows[2].ID || !strings.Contains(v.Reason, "之前") {
		t.Fatalf("middle row deleted: want a break at id %d: %+v", rows[2].ID, v)
	}
}

// Purging rows past the 180-day retention removes the start of the chain; what remains still verifies. A row
// whose transaction took its time just before the limit but was sealed after a younger row leaves a gap at the
// purge's edge: not a break either.
func TestAuditChainSurvivesPurge(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	limit := models.Now().AddDate(0, 0, -180)
	for _, at := range []time.Time{limit.AddDate(0, 0, -20), limit.AddDate(0, 0, -20), limit.Add(10 * time.Minute), limit.Add(-time.Minute)} {
		old := &models.AuditEvent{Event: models.EventLoginOK, OccurredAt: at}
		if _, err := db.NewInsert().Model(old).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	writeAuditRows(t, db, 2)
	if v := verifyAudit(t, db); !v.Intact || v.Count != 6 || v.Purged {
		t.Fatalf("before purge: %+v", v)
	}
	res, err := db.NewDelete().Model((*models.AuditEvent)(nil)).Where("occurred_at < ?", limit).Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 3 {
		t.Fatalf("purged %d rows", n)
	}
	if v := verifyAudit(t, db); !v.Intact || v.Count != 3 || !v.Purged {
		t.Fatalf("after purge: %+v %s", v, v)
	}
}

// Many transactions write audit rows at once, committing in any order, while two sealers run (as two server
// processes would): every row ends up in one valid chain, each exactly once.
func TestAuditChainUnderConcurrentWriters(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	const writers, each = 16, 8
	stop := make(chan struct{})
	const sealers = 2
	sealErr := make(chan error, sealers)
	seal := func() {
		for {
			if _, err := models.SealAudit(ctx, db); err != nil {
				sealErr <- err
				return
			}
			select {
			case <-stop:
				sealErr <- nil
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}
	for range sealers {
		go seal()
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					ev := &models.AuditEvent{Event: models.EventRegistered, Username: fmt.Sprintf("w%d", w), Object: fmt.Sprint(i)}
					if err := models.RecordAudit(ctx, tx, ev); err != nil {
						return err
					}
					time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) // commit out of id order
					return nil
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	for range sealers {
		if err := <-sealErr; err != nil {
			t.Fatalf("sealer: %v", err)
		}
	}
	close(errs)
	for err := range errs {
		t.Fatalf("writer: %v", err)
	}
	v := verifyAudit(t, db)
	if !v.Intact || v.Count != writers*each || v.Unsealed != 0 {
		t.Fatalf("%+v %s", v, v)
	}
	var seqs []int64
	if err := db.NewSelect().Model((*models.AuditEvent)(nil)).Column("chain_seq").OrderExpr("chain_seq").Scan(ctx, &seqs); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := db.NewSelect().Model((*models.AuditEvent)(nil)).Column("id").OrderExpr("chain_seq").Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	ooo := 0
	for i := 1; i < len(ids); i++ {
		if ids[i] < ids[i-1] {
			ooo++
		}
	}
	t.Logf("rows sealed after a higher id: %d", ooo)
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("chain_seq %d at place %d", s, i+1)
		}
	}
}

// A log longer than one sealing batch and one verification page: sealed in several transactions, verified across
// pages, and a change deep in it still named.
func TestAuditChainSealsAndVerifiesInPages(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	evs := make([]models.AuditEvent, 2100)
	for i := range evs {
		evs[i] = models.AuditEvent{Event: models.EventRegistered, OccurredAt: models.Now(), Username: "u", Object: fmt.Sprint(i)}
	}
	if _, err := db.NewInsert().Model(&evs).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if v := verifyAudit(t, db); !v.Intact || v.Count != len(evs) {
		t.Fatalf("%+v", v)
	}
	var target models.AuditEvent
	if err := db.NewSelect().Model(&target).Where("chain_seq = 1500").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	dropAuditTrigger(t, db, "update")
	if _, err := db.NewUpdate().Model((*models.AuditEvent)(nil)).Set("object = 'x'").Where("id = ?", target.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if v := verifyAudit(t, db); v.Intact || v.Broken == nil || v.Broken.ID != target.ID {
		t.Fatalf("want a break at id %d: %+v", target.ID, v)
	}
}
