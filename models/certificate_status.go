package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// CertTransitions is the table of a certificate's validity changes (LIFECYCLE §7). Every admin action needs a
// reason; expiry is the system's (the periodic task certificate.expire).
var CertTransitions = Transitions[CertStatus]{Kind: "certificate", Table: "certificates", Lines: []Transition[CertStatus]{
	{From: CertValid, To: CertSuspended, Roles: adminOnly, Action: "暂扣", Event: EventCertSuspended, NeedsReason: true},
	{From: CertSuspended, To: CertValid, Roles: adminOnly, Action: "暂扣发还", Event: EventCertReturned, NeedsReason: true},
	{From: CertValid, To: CertAnnulled, Roles: adminOnly, Action: "撤销", Event: EventCertAnnulled, NeedsReason: true},
	{From: CertSuspended, To: CertAnnulled, Roles: adminOnly, Action: "撤销", Event: EventCertAnnulled, NeedsReason: true},
	{From: CertValid, To: CertRevoked, Roles: adminOnly, Action: "吊销", Event: EventCertRevoked, NeedsReason: true},
	{From: CertSuspended, To: CertRevoked, Roles: adminOnly, Action: "吊销", Event: EventCertRevoked, NeedsReason: true},
	{From: CertValid, To: CertCancelled, Roles: adminOnly, Action: "注销", Event: EventCertCancelled, NeedsReason: true},
	{From: CertSuspended, To: CertCancelled, Roles: adminOnly, Action: "注销", Event: EventCertCancelled, NeedsReason: true},
	{From: CertValid, To: CertTransferredOut, Roles: adminOnly, Action: "办理转出", Event: EventCertTransferred, NeedsReason: true},
	{From: CertTransferredOut, To: CertValid, Roles: adminOnly, Action: "取消转出", Event: EventCertTransferUndone, NeedsReason: true},
	{From: CertValid, To: CertExpired, Roles: []Role{RoleSystem}, Action: "过期失效", Event: EventCertExpired},
	{From: CertSuspended, To: CertExpired, Roles: []Role{RoleSystem}, Action: "过期失效", Event: EventCertExpired},
}}

var adminOnly = []Role{RoleAdmin}

// The 操作类型 a status change is recorded under.
var certOps = map[CertStatus]string{CertSuspended: OpSuspend, CertAnnulled: OpCancel, CertRevoked: OpCancel,
	CertCancelled: OpCancel, CertTransferredOut: OpCancel, CertExpired: OpExpire}

// Errors of certificate changes.
var (
	ErrCertificateLocked = errors.New("the certificate is locked")
	ErrCertNotValid      = errors.New("the certificate is not valid")
)

// CertStatusActions lists the admin actions open to a certificate in status s (distinct targets, table order).
func CertStatusActions(s CertStatus, actor Actor) []Transition[CertStatus] {
	return CertTransitions.From(s, actor)
}

// ChangeCertificateStatus moves certificates to status to, with a reason, as one action (one 批号 ZSZT… when more
// than one): each through the transition table's guarded UPDATE, each with a history row of the version before.
// A locked certificate blocks the whole action (nothing moves); ids outside the table's lines for to are an error.
func ChangeCertificateStatus(ctx context.Context, db bun.IDB, actor Actor, ids []int64, to CertStatus, reason string) (batch string, moved []int64, err error) {
	if len(ids) == 0 {
		return "", nil, ErrNothingMoved
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var certs []Certificate
		if err := tx.NewSelect().Model(&certs).Where("id IN (?)", bun.List(ids)).Order("id").Scan(ctx); err != nil {
			return err
		}
		if len(certs) != len(uniqueIDs(ids)) {
			return ErrNotFound
		}
		now := Now()
		byFrom := map[CertStatus][]int64{}
		for i := range certs {
			if certs[i].IsLocked(now) {
				return fmt.Errorf("%w: %s", ErrCertificateLocked, certs[i].Number)
			}
			byFrom[certs[i].Status] = append(byFrom[certs[i].Status], certs[i].ID)
		}
		if len(certs) > 1 {
			var err error
			if batch, err = NewBatchNumber(ctx, tx, actor, BatchCertStatus); err != nil {
				return err
			}
		}
		for _, from := range CertStatuses {
			group := byFrom[from]
			if len(group) == 0 {
				continue
			}
			got, err := moveCertificates(ctx, tx, actor, certs, Move[CertStatus]{IDs: group, From: from, To: to,
				BatchNo: batch, Reason: reason}, now)
			if err != nil {
				return err
			}
			moved = append(moved, got...)
		}
		return nil
	})
	return batch, moved, err
}

// moveCertificates applies one move and writes the history of each certificate moved (its version before).
func moveCertificates(ctx context.Context, tx bun.IDB, actor Actor, before []Certificate, m Move[CertStatus], now time.Time) ([]int64, error) {
	m.Set = map[string]any{"status_reason": m.Reason, "status_changed_at": now}
	moved, err := CertTransitions.Apply(ctx, tx, actor, m)
	if err != nil {
		return nil, err
	}
	op := certOps[m.To]
	switch {
	case m.From == CertSuspended && m.To == CertValid:
		op = OpReturn
	case m.From == CertTransferredOut:
		op = OpUndoExport
	}
	rows := make([]CertHistory, 0, len(moved))
	for i := range before {
		for _, id := range moved {
			if before[i].ID == id {
				rows = append(rows, historyOf(&before[i], actor, op, m.Reason, m.BatchNo, now))
			}
		}
	}
	for i := 0; i < len(rows); i += batchChunk {
		chunk := rows[i:min(i+batchChunk, len(rows))]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return moved, nil
}

func uniqueIDs(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// LockCertificate sets or lifts a certificate's lock (锁定: it blocks all business until lifted or until the end
// date), with a reason, as one guarded change of the version read: history row and audit row with it.
func LockCertificate(ctx context.Context, db bun.IDB, actor Actor, id int64, version int, lock bool, until *time.Time, reason string) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	if reason == "" {
		return ErrReasonRequired
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		c, err := certificateForUpdate(ctx, tx, id, version)
		if err != nil {
			return err
		}
		now := Now()
		h := historyOf(c, actor, OpOther, reason, "", now)
		if _, err := tx.NewInsert().Model(&h).Exec(ctx); err != nil {
			return err
		}
		lockReason, event := reason, EventCertLocked
		if !lock {
			until, lockReason, event = nil, "", EventCertUnlocked
		}
		if err := guardedCertUpdate(ctx, tx, c, map[string]any{"locked": lock, "locked_until": until, "lock_reason": lockReason}); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, event, "certificate:"+strconv.FormatInt(id, 10), "ok", c.Number+"，理由："+reason)
	})
}

// ReissueCertificate 换发: a new version of a valid, unlocked certificate (version + 1, a new 电子证照标识 version and a
// new verification token). The old version's token stays in the history, so an old printout's QR still resolves and
// says 已换发.
func ReissueCertificate(ctx context.Context, db bun.IDB, actor Actor, id int64, version int, reason string) (*Certificate, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	if reason == "" {
		return nil, ErrReasonRequired
	}
	var out *Certificate
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		c, err := certificateForUpdate(ctx, tx, id, version)
		if err != nil {
			return err
		}
		now := Now()
		if c.IsLocked(now) {
			return ErrCertificateLocked
		}
		if c.Status != CertValid {
			return ErrCertNotValid
		}
		set := map[string]any{"business": BusinessReissue}
		if err := newCertificateVersion(ctx, tx, actor, c, OpOther, reason, "", set, now); err != nil {
			return err
		}
		if err := actor.Audit(ctx, tx, EventCertReissued, "certificate:"+strconv.FormatInt(id, 10), "ok",
			fmt.Sprintf("%s 第 %d 版，理由：%s", c.Number, c.Version+1, reason)); err != nil {
			return err
		}
		out = new(Certificate)
		return tx.NewSelect().Model(out).Where("id = ?", id).Scan(ctx)
	})
	return out, err
}

// certificateForUpdate reads a certificate for a change of the version the caller saw (ErrConflict when it moved on).
func certificateForUpdate(ctx context.Context, tx bun.IDB, id int64, version int) (*Certificate, error) {
	c := new(Certificate)
	if err := tx.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	if version != 0 && c.Version != version {
		return nil, ErrConflict
	}
	return c, nil
}

// guardedCertUpdate writes set to c only if nobody changed it since it was read, and moves its version on.
func guardedCertUpdate(ctx context.Context, tx bun.IDB, c *Certificate, set map[string]any) error {
	q := tx.NewUpdate().Table("certificates").Set("updated_at = ?", Now()).Set("version = version + 1")
	for _, col := range sortedKeys(set) {
		q = q.Set("? = ?", bun.Ident(col), set[col])
	}
	res, err := q.Where("id = ? AND version = ?", c.ID, c.Version).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrConflict
	}
	return nil
}
