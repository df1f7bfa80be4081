package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The periodic work on certificates: expiry to 失效 after 有效期止, and the 90/30/7-day reminders before it.

// ExpireCertificates is the periodic 过期失效 (task certificate.expire): every valid or suspended certificate whose
// 有效期止 is before today (Beijing) becomes 失效, as the system, through the transition table, with its history. A
// lock does not stop expiry (a lock blocks business; expiry is a fact). A second run moves nothing.
func ExpireCertificates(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	actor := SystemActor("certificate.expire")
	today := civilDate(now)
	total := 0
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var certs []Certificate
		if err := tx.NewSelect().Model(&certs).Where("status IN (?)", bun.List([]CertStatus{CertValid, CertSuspended})).
			Where("valid_until IS NOT NULL AND valid_until < ?", today).Order("id").Scan(ctx); err != nil || len(certs) == 0 {
			return err
		}
		batch, err := NewBatchNumber(ctx, tx, actor, BatchCertStatus)
		if err != nil {
			return err
		}
		byFrom := map[CertStatus][]int64{}
		for _, c := range certs {
			byFrom[c.Status] = append(byFrom[c.Status], c.ID)
		}
		for _, from := range []CertStatus{CertValid, CertSuspended} {
			if len(byFrom[from]) == 0 {
				continue
			}
			moved, err := moveCertificates(ctx, tx, actor, certs, Move[CertStatus]{IDs: byFrom[from], From: from,
				To: CertExpired, BatchNo: batch, Reason: "有效期届满"}, Now())
			if errors.Is(err, ErrNothingMoved) {
				continue
			}
			if err != nil {
				return err
			}
			total += len(moved)
		}
		return nil
	})
	return total, err
}

// ReminderDays are the lead times of the expiry reminders, shortest first.
var ReminderDays = []int{7, 30, 90}

// RemindExpiringCertificates is the periodic 到期提醒 (task certificate.remind): for each valid certificate whose
// 有效期止 is within 90 days, the shortest lead time (7, 30 or 90 days) it has reached is sent once, to the holder's
// account and the employer's accounts (a message and the outbox). What was sent is recorded per certificate, end date
// and lead time, so a second run sends nothing and a renewed certificate is reminded again.
func RemindExpiringCertificates(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	today := civilDate(now)
	sent := 0
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var certs []Certificate
		if err := tx.NewSelect().Model(&certs).Where("status = ?", CertValid).
			Where("valid_until IS NOT NULL AND valid_until >= ? AND valid_until <= ?", today, today.AddDate(0, 0, ReminderDays[len(ReminderDays)-1])).
			Order("id").Scan(ctx); err != nil {
			return err
		}
		// An account may hear about several certificates in one run (an employer's staff, a holder of two): each
		// certificate is its own message, so the notices are kept per account and sent in rounds of one per account.
		notices := map[int64][]Notice{}
		pending := 0
		for i := range certs {
			c := &certs[i]
			left := int(c.ValidUntil.Sub(today).Hours() / 24)
			lead := 0
			for _, d := range ReminderDays {
				if left <= d {
					lead = d
					break
				}
			}
			claimed, err := claimReminder(ctx, tx, c, lead, now)
			if err != nil || !claimed {
				if err != nil {
					return err
				}
				continue
			}
			who, err := certificateAudience(ctx, tx, c)
			if err != nil {
				return err
			}
			n := Notice{Kind: NoticeCertExpiring, Title: fmt.Sprintf("证书将于 %d 天内到期：%s", lead, c.Name),
				Body: fmt.Sprintf("%s（%s）证书编号 %s 有效期至 %s，请在有效期届满前办理续期。", c.Name, c.PostName,
					c.Number, c.ValidUntilText()), Link: "/certificates/" + fmt.Sprint(c.ID)}
			for _, id := range who {
				notices[id] = append(notices[id], n)
			}
			pending += len(who)
			sent++
			if pending >= batchChunk {
				if err := notifyInRounds(ctx, tx, notices); err != nil {
					return err
				}
				notices, pending = map[int64][]Notice{}, 0
			}
		}
		if err := notifyInRounds(ctx, tx, notices); err != nil {
			return err
		}
		if sent == 0 {
			return nil
		}
		return SystemActor("certificate.remind").Audit(ctx, tx, EventCertReminded, "certificates", "ok",
			fmt.Sprintf("到期提醒 %d 张证书", sent))
	})
	return sent, err
}

// notifyInRounds sends every notice of every account: round i carries each account's i-th notice, as Notify takes
// one notice per account.
func notifyInRounds(ctx context.Context, tx bun.IDB, notices map[int64][]Notice) error {
	for i := 0; ; i++ {
		round := map[int64]Notice{}
		for id, ns := range notices {
			if i < len(ns) {
				round[id] = ns[i]
			}
		}
		if len(round) == 0 {
			return nil
		}
		if err := Notify(ctx, tx, round); err != nil {
			return err
		}
	}
}

// claimReminder records that the reminder of lead days for c's current end date is sent; false when it was already.
func claimReminder(ctx context.Context, tx bun.IDB, c *Certificate, lead int, now time.Time) (bool, error) {
	res, err := tx.NewRaw(`INSERT INTO certificate_reminders (certificate_id, valid_until, days, sent_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, c.ID, *c.ValidUntil, lead, now).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// certificateAudience is who hears about a certificate: the holder's practitioner account and the accounts of the
// employer named on it.
func certificateAudience(ctx context.Context, tx bun.IDB, c *Certificate) ([]int64, error) {
	var ids []int64
	q := tx.NewSelect().Model((*Account)(nil)).Column("id").Where("disabled = ?", false).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("role = ? AND person_id = ?", RolePractitioner, c.PersonID)
			if c.OrganizationID != nil {
				q = q.WhereOr("role = ? AND organization_id = ?", RoleEnterprise, *c.OrganizationID)
			}
			return q
		}).Order("id")
	return ids, q.Scan(ctx, &ids)
}

func init() {
	RegisterPeriodic(PeriodicTask{Name: "certificate.expire", Label: "证书过期失效", Every: time.Hour, Run: ExpireCertificates})
	RegisterPeriodic(PeriodicTask{Name: "certificate.remind", Label: "证书到期提醒（90/30/7 天）", Every: time.Hour,
		Run: RemindExpiringCertificates})
}
