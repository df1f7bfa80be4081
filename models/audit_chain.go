package models

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"examcert/internal/database"
)

// The 操作日志 is tamper-evident (SECURITY.md 30): every row carries row_hash = SHA-256(prev_hash ‖ the row's
// canonical encoding), prev_hash being the row_hash of the row before it in the chain, and VerifyAudit recomputes
// the whole chain.
//
// Why rows are chained after the fact, by a sealer, and not by the transaction that writes them: every workflow
// writes its audit row in its own transaction, and the 报名表 submit runs many at once. Linking a row at insert
// would mean reading the previous row's hash and holding that row locked until commit, so every writing
// transaction in the system would queue behind the one before it. Instead rows are inserted with the chain columns
// NULL (the database refuses a row that arrives with them set), and SealAudit, run every few seconds by the server
// and by `examcert audit verify`, links the committed rows in one short transaction that no writer waits for.
//
// Why the chain's order is chain_seq, given by the sealer, and not id: on PostgreSQL an id is taken when the row is
// inserted, not when its transaction commits, so row 41 can become visible after row 42 has been sealed. Sealing in
// id order would have to wait a guessed safety margin, and a transaction slower than the margin would break the
// chain. The sealer instead numbers rows in the order it finds them committed (by id within one round); a late row
// simply joins the chain in the next round. Nothing is ever skipped and nobody waits.
//
// Purging rows older than 180 days removes the start of the chain: verification takes the oldest remaining row's
// prev_hash as its anchor (and tolerates the ragged edge a purge by age can leave, see purgeSlack). A row removed from the middle breaks the link of the row after it; rows removed from
// the end no longer match the chain's head (audit_chain), which only the sealer writes.

// genesisHash is prev_hash of the first row ever sealed.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// sealBatch is how many rows one sealing transaction links at most, so that each stays short.
const sealBatch = 200

// auditChainHead is the one row of audit_chain: where the chain ends.
type auditChainHead struct {
	bun.BaseModel `bun:"table:audit_chain"`

	ID             int64      `bun:"id,pk"`
	LastSeq        int64      `bun:"last_seq,notnull"`
	LastHash       string     `bun:"last_hash,notnull"`
	LastOccurredAt *time.Time `bun:"last_occurred_at"`
}

// AuditRowHash is the hash a row carries given the hash of the row before it: SHA-256 over the previous hash and
// a length-prefixed encoding of every field, so no two different rows encode alike.
func AuditRowHash(prevHash string, ev *AuditEvent) string {
	h := sha256.New()
	h.Write([]byte("examcert audit v1\x00"))
	h.Write([]byte(prevHash))
	field := func(present bool, s string) {
		var b [5]byte
		if present {
			b[0] = 1
		}
		binary.BigEndian.PutUint32(b[1:], uint32(len(s)))
		h.Write(b[:])
		h.Write([]byte(s))
	}
	optInt := func(p *int64) {
		if p == nil {
			field(false, "")
			return
		}
		field(true, strconv.FormatInt(*p, 10))
	}
	field(true, strconv.FormatInt(ev.ChainSeq, 10))
	field(true, strconv.FormatInt(ev.ID, 10))
	// Microseconds: what PostgreSQL keeps of a time.
	field(true, ev.OccurredAt.UTC().Format("2006-01-02T15:04:05.000000Z"))
	optInt(ev.AccountID)
	field(true, ev.Username)
	field(true, string(ev.Role))
	optInt(ev.OrganizationID)
	for _, s := range []string{ev.IP, ev.Event, ev.Object, ev.Result, ev.Detail, ev.RequestID} {
		field(true, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SealAudit links every committed, unsealed audit row into the chain and returns how many it linked. Each batch
// is one short transaction that locks only the chain's head, which no workflow touches.
func SealAudit(ctx context.Context, db bun.IDB) (int, error) {
	total := 0
	for {
		n, err := sealAuditBatch(ctx, db)
		total += n
		if err != nil || n < sealBatch {
			return total, err
		}
	}
}

func sealAuditBatch(ctx context.Context, db bun.IDB) (int, error) {
	n := 0
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var head auditChainHead
		q := tx.NewSelect().Model(&head).Where("id = 1")
		if tx.Dialect().Name() == dialect.PG {
			q = q.For("UPDATE") // a second server process seals after this one, from the new head
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("audit chain head: %w", err)
		}
		var rows []AuditEvent
		if err := tx.NewSelect().Model(&rows).Where("chain_seq IS NULL").OrderExpr("id").Limit(sealBatch).Scan(ctx); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		for i := range rows {
			ev := &rows[i]
			ev.ChainSeq = head.LastSeq + 1
			ev.PrevHash = head.LastHash
			ev.RowHash = AuditRowHash(ev.PrevHash, ev)
			head.LastSeq, head.LastHash = ev.ChainSeq, ev.RowHash
			at := ev.OccurredAt
			head.LastOccurredAt = &at
		}
		if err := writeSeals(ctx, tx, rows); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&head).Column("last_seq", "last_hash", "last_occurred_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// writeSeals stores the chain columns of rows. PostgreSQL: one statement for the batch (a round trip per row made
// sealing 5,000 rows take seconds); SQLite: one bound statement per row, compiled once (in-process, and its planner
// would scan the table for each row of a joined VALUES list).
func writeSeals(ctx context.Context, tx bun.Tx, rows []AuditEvent) error {
	sealed := int64(0)
	if tx.Dialect().Name() == dialect.PG {
		values := make([]byte, 0, len(rows)*16)
		args := make([]any, 0, len(rows)*4)
		for i := range rows {
			if i > 0 {
				values = append(values, ',')
			}
			values = append(values, "(?::bigint, ?::bigint, ?, ?)"...)
			args = append(args, rows[i].ID, rows[i].ChainSeq, rows[i].PrevHash, rows[i].RowHash)
		}
		res, err := tx.NewRaw("WITH v(id, seq, prev, hash) AS (VALUES "+string(values)+") "+
			"UPDATE audit_events SET chain_seq = v.seq, prev_hash = v.prev, row_hash = v.hash FROM v "+
			"WHERE audit_events.id = v.id AND audit_events.chain_seq IS NULL", args...).Exec(ctx)
		if err != nil {
			return fmt.Errorf("sealing audit rows %d–%d: %w", rows[0].ID, rows[len(rows)-1].ID, err)
		}
		sealed, _ = res.RowsAffected()
	} else {
		for i := range rows {
			ev := &rows[i]
			b := database.Bind(tx) // the same text for every row: compiled once (with the table's triggers), not per row
			res, err := tx.NewUpdate().Model((*AuditEvent)(nil)).
				Set("chain_seq = ?", b.V(ev.ChainSeq)).Set("prev_hash = ?", b.V(ev.PrevHash)).Set("row_hash = ?", b.V(ev.RowHash)).
				Where("id = ? AND chain_seq IS NULL", b.V(ev.ID)).Conn(b.On(tx)).Exec(ctx)
			if err != nil {
				return fmt.Errorf("sealing audit row %d: %w", ev.ID, err)
			}
			k, _ := res.RowsAffected()
			sealed += k
		}
	}
	if sealed != int64(len(rows)) {
		return fmt.Errorf("sealing audit rows %d–%d: %d of %d sealed", rows[0].ID, rows[len(rows)-1].ID, sealed, len(rows))
	}
	return nil
}

// AuditVerdict is what VerifyAudit found.
type AuditVerdict struct {
	Intact   bool
	Count    int         // sealed rows checked
	Purged   bool        // the chain starts after rows purged for age
	Unsealed int         // rows not yet sealed (committed after sealing began)
	Broken   *AuditEvent // the first row that does not fit (nil when intact)
	Reason   string      // why, in Chinese
}

// String is the verdict as `examcert audit verify` prints it.
func (v AuditVerdict) String() string {
	if v.Intact {
		s := fmt.Sprintf("操作日志完整：哈希链校验通过，共 %d 行", v.Count)
		if v.Purged {
			s += "（更早的行已按保存期限清除）"
		}
		if v.Unsealed > 0 {
			s += fmt.Sprintf("；另有 %d 行刚写入、尚未入链", v.Unsealed)
		}
		return s
	}
	if v.Broken == nil {
		return "操作日志被篡改：" + v.Reason
	}
	b := v.Broken
	return fmt.Sprintf("操作日志被篡改：第一处断裂在 id=%d（时间 %s，事件 %s）：%s", b.ID,
		b.OccurredAt.In(beijing).Format("2006-01-02 15:04:05"), b.Event+" "+EventLabel(b.Event), v.Reason)
}

var beijing = time.FixedZone("CST", 8*3600)

// auditRetention is how long an audit row must be kept (SECURITY.md 19).
const auditRetention = 180 * 24 * time.Hour

// purgeSlack bounds how much older a row can be than a row sealed before it: a row's time is taken when it is
// written, its place in the chain when it has committed. So a purge by age (DELETE … WHERE occurred_at < cutoff)
// can leave, at its edge, a gap in the chain after a row that was just too young to go. A gap is taken for such an
// edge only when the row before it is itself within purgeSlack of the retention limit; anywhere younger it is a
// deletion, and named.
const purgeSlack = time.Hour

// VerifyAudit seals what is waiting, then recomputes the chain from its oldest remaining row to its head and
// names the first row that does not fit. It reads the log in pages, so its memory does not grow with the log.
func VerifyAudit(ctx context.Context, db bun.IDB) (AuditVerdict, error) {
	if _, err := SealAudit(ctx, db); err != nil {
		return AuditVerdict{}, err
	}
	var v AuditVerdict
	var head auditChainHead
	if err := db.NewSelect().Model(&head).Where("id = 1").Scan(ctx); err != nil {
		return v, fmt.Errorf("audit chain head: %w", err)
	}
	var last *AuditEvent
	prevSeq, prevHash := int64(0), ""
	for {
		var rows []AuditEvent
		if err := db.NewSelect().Model(&rows).Where("chain_seq > ?", prevSeq).Where("chain_seq <= ?", head.LastSeq).
			OrderExpr("chain_seq").Limit(1000).Scan(ctx); err != nil {
			return v, err
		}
		for i := range rows {
			ev := &rows[i]
			switch {
			case last == nil && ev.ChainSeq == 1 && ev.PrevHash != genesisHash:
				return v.broken(ev, "链的第一行不是从起点开始")
			case last == nil && ev.ChainSeq > 1:
				v.Purged = true // rows before it were purged: its prev_hash is the anchor
			case last != nil && ev.ChainSeq != prevSeq+1 && last.OccurredAt.Before(Now().Add(-auditRetention+purgeSlack)):
				v.Purged = true // a purge's edge (see purgeSlack): ev's prev_hash is the anchor again
			case last != nil && ev.ChainSeq != prevSeq+1:
				return v.broken(ev, fmt.Sprintf("它之前的 %d 行已被删除", ev.ChainSeq-prevSeq-1))
			case last != nil && ev.PrevHash != prevHash:
				return v.broken(ev, "记录的前一行哈希与前一行不符")
			}
			if AuditRowHash(ev.PrevHash, ev) != ev.RowHash {
				return v.broken(ev, "该行内容已被改动（哈希不符）")
			}
			prevSeq, prevHash = ev.ChainSeq, ev.RowHash
			last = ev
			v.Count++
		}
		if len(rows) < 1000 {
			break
		}
	}
	switch {
	case last == nil && head.LastSeq > 0 && (head.LastOccurredAt == nil || Now().Sub(*head.LastOccurredAt) < auditRetention):
		return v.broken(nil, fmt.Sprintf("已入链的 %d 行全部不见了，而最新一行未满保存期限", head.LastSeq))
	case last != nil && (prevSeq != head.LastSeq || prevHash != head.LastHash):
		return v.broken(last, fmt.Sprintf("它之后的 %d 行已被删除", head.LastSeq-prevSeq))
	}
	n, err := db.NewSelect().Model((*AuditEvent)(nil)).Where("chain_seq IS NULL").Count(ctx)
	if err != nil {
		return v, err
	}
	v.Unsealed = int(n)
	v.Intact = true
	return v, nil
}

func (v AuditVerdict) broken(ev *AuditEvent, reason string) (AuditVerdict, error) {
	v.Broken, v.Reason = ev, reason
	return v, nil
}

// ErrAuditChainBroken is what `examcert audit verify` exits with when the chain does not verify.
var ErrAuditChainBroken = errors.New("audit chain broken")
