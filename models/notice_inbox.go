package models

import (
	"context"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// ListMessages is the actor's 消息, newest first, one page of them, and how many there are.
func ListMessages(ctx context.Context, db bun.IDB, actor Actor, offset, limit int) ([]Message, int, error) {
	if actor.AccountID() == nil {
		return nil, 0, ErrNotAllowed
	}
	var out []Message
	n, err := db.NewSelect().Model(&out).Where("account_id = ?", *actor.AccountID()).
		OrderExpr("id DESC").Offset(int64(offset)).Limit(int64(limit)).ScanAndCount(ctx)
	return out, int(n), err
}

// UnreadMessages counts an account's unread messages: one range of the partial index messages_unread, cheap
// enough for the header of every page.
func UnreadMessages(ctx context.Context, db bun.IDB, accountID int64) (int, error) {
	n, err := db.NewSelect().Model((*Message)(nil)).Where("account_id = ?", accountID).Where("read_at IS NULL").Count(ctx)
	return int(n), err
}

// GetMessage loads one of the actor's messages; anyone else's is ErrNotFound.
func GetMessage(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Message, error) {
	if actor.AccountID() == nil {
		return nil, ErrNotFound
	}
	m := new(Message)
	err := db.NewSelect().Model(m).Where("id = ? AND account_id = ?", id, *actor.AccountID()).Scan(ctx)
	return m, notFound(err)
}

// MarkMessageRead marks one of the actor's messages read (reading it again changes nothing). Another account's
// message is ErrNotFound. Reading is not an audited event: it changes nothing but the reader's own inbox.
func MarkMessageRead(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Message, error) {
	m, err := GetMessage(ctx, db, actor, id)
	if err != nil {
		return nil, err
	}
	if m.ReadAt == nil {
		now := Now()
		if _, err := db.NewUpdate().Model((*Message)(nil)).Set("read_at = ?", now).
			Where("id = ? AND read_at IS NULL", m.ID).Exec(ctx); err != nil {
			return nil, err
		}
		m.ReadAt = &now
	}
	return m, nil
}

// MarkAllMessagesRead marks every unread message of the actor read, and says how many there were.
func MarkAllMessagesRead(ctx context.Context, db bun.IDB, actor Actor) (int, error) {
	if actor.AccountID() == nil {
		return 0, ErrNotAllowed
	}
	res, err := db.NewUpdate().Model((*Message)(nil)).Set("read_at = ?", Now()).
		Where("account_id = ? AND read_at IS NULL", *actor.AccountID()).Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ContactSettings is 通知设置: where an account's notices go besides its 消息. Both are optional.
type ContactSettings struct {
	Email  string
	Mobile string
}

// Normalize trims what was typed and folds full-width characters, as people paste them from Chinese documents.
func (in ContactSettings) Normalize() ContactSettings {
	return ContactSettings{Email: strings.ToLower(ident.Normalize(in.Email)), Mobile: ident.Normalize(in.Mobile)}
}

// Validate says what is wrong with each field, in Chinese; nil when both are fine.
func (in ContactSettings) Validate() FieldErrors {
	errs := FieldErrors{}
	if in.Email != "" {
		a, err := mail.ParseAddress(in.Email)
		if err != nil || a.Address != in.Email || !strings.Contains(in.Email[strings.LastIndex(in.Email, "@")+1:], ".") ||
			len(in.Email) > 254 {
			errs["email"] = "请输入有效的电子邮箱，如 zhangsan@example.com"
		}
	}
	if in.Mobile != "" && !mobileRE.MatchString(in.Mobile) {
		errs["mobile"] = "请输入11位手机号码，如 13800138000"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// UpdateContact is 通知设置: the actor sets their own email and mobile, with the audit row, in one transaction.
func UpdateContact(ctx context.Context, db bun.IDB, actor Actor, in ContactSettings) (ContactSettings, error) {
	if actor.AccountID() == nil {
		return in, ErrNotAllowed
	}
	in = in.Normalize()
	if errs := in.Validate(); errs != nil {
		return in, errs
	}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*Account)(nil)).Set("email = ?", in.Email).Set("mobile = ?", in.Mobile).
			Set("updated_at = ?", Now()).Set("version = version + 1").Where("id = ?", *actor.AccountID()).Exec(ctx)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		if err := actor.Audit(ctx, tx, EventContactUpdated, accountObject(actor.Account), "ok",
			"邮箱："+maskEmail(in.Email)+"；手机："+maskMobile(in.Mobile)); err != nil {
			return err
		}
		return failureAfterAudit(ctx)
	})
	if err != nil {
		return in, err
	}
	actor.Account.Email, actor.Account.Mobile = in.Email, in.Mobile
	return in, nil
}

func maskEmail(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 1 {
		return s
	}
	return s[:1] + "***" + s[at:]
}

func maskMobile(s string) string {
	if len(s) != 11 {
		return s
	}
	return s[:3] + "****" + s[7:]
}

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutboxFilter narrows ListOutbox.
type OutboxFilter struct {
	Status        string // "" for every status
	Offset, Limit int
}

// ListOutbox is the outbox for the 后台任务 page, newest first (admins only).
func ListOutbox(ctx context.Context, db bun.IDB, actor Actor, f OutboxFilter) ([]OutboxItem, int, error) {
	if !actor.Is(RoleAdmin) {
		return nil, 0, ErrNotAllowed
	}
	var out []OutboxItem
	q := db.NewSelect().Model(&out).OrderExpr("id DESC").Offset(int64(f.Offset)).Limit(int64(f.Limit))
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	n, err := q.ScanAndCount(ctx)
	return out, int(n), err
}

// ResendOutbox is 重发: an admin puts a failed (or waiting) email or SMS back in line to be sent now, with its
// attempts counted from zero. A sent one is ErrConflict: sending it again would tell the person twice.
func ResendOutbox(ctx context.Context, db bun.IDB, actor Actor, id int64) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		item := new(OutboxItem)
		if err := tx.NewSelect().Model(item).Where("id = ?", id).Scan(ctx); err != nil {
			return notFound(err)
		}
		res, err := tx.NewUpdate().Model((*OutboxItem)(nil)).Set("status = ?", OutboxPending).Set("attempts = 0").
			Set("last_error = ''").Set("next_attempt_at = ?", Now()).
			Where("id = ? AND status <> ?", id, OutboxSent).Exec(ctx)
		if err := affectedOneOr(res, err, ErrConflict); err != nil {
			return err
		}
		if err := actor.Audit(ctx, tx, EventOutboxResent, "outbox:"+strconv.FormatInt(id, 10), "ok", item.Channel+" "+item.LastError); err != nil {
			return err
		}
		return failureAfterAudit(ctx)
	})
}

// DueOutbox lists up to limit pending rows whose time has come, oldest first (for the sender).
func DueOutbox(ctx context.Context, db bun.IDB, now time.Time, limit int64) ([]OutboxItem, error) {
	var out []OutboxItem
	err := db.NewSelect().Model(&out).Where("status = ? AND next_attempt_at <= ?", OutboxPending, now).
		OrderExpr("next_attempt_at, id").Limit(limit).Scan(ctx)
	return out, err
}

// ClaimOutbox takes item for this sender until now+lease: a guarded UPDATE that only one process wins, since the
// row's next_attempt_at moves on. It reports whether this caller won; a sender that dies mid-send leaves the row
// to be taken again when the lease ends.
func ClaimOutbox(ctx context.Context, db bun.IDB, item *OutboxItem, now time.Time, lease time.Duration) (bool, error) {
	until := now.Add(lease)
	res, err := db.NewUpdate().Model((*OutboxItem)(nil)).Set("next_attempt_at = ?", until).
		Where("id = ? AND status = ? AND attempts = ? AND next_attempt_at = ?", item.ID, OutboxPending, item.Attempts,
			item.NextAttemptAt).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if n == 1 {
		item.NextAttemptAt = until
	}
	return n == 1, err
}

// MarkOutboxSent records a successful send.
func MarkOutboxSent(ctx context.Context, db bun.IDB, item *OutboxItem, now time.Time) error {
	_, err := db.NewUpdate().Model((*OutboxItem)(nil)).Set("status = ?", OutboxSent).Set("attempts = attempts + 1").
		Set("sent_at = ?", now).Set("last_error = ''").Where("id = ? AND status = ?", item.ID, OutboxPending).Exec(ctx)
	return err
}

// MarkOutboxAttempt records a failed send: counted, with the error, tried again at next, or given up on (failed)
// when giveUp.
func MarkOutboxAttempt(ctx context.Context, db bun.IDB, item *OutboxItem, cause string, next time.Time, giveUp bool) error {
	status := OutboxPending
	if giveUp {
		status = OutboxFailed
	}
	if r := []rune(cause); len(r) > 500 {
		cause = string(r[:500])
	}
	_, err := db.NewUpdate().Model((*OutboxItem)(nil)).Set("status = ?", status).Set("attempts = attempts + 1").
		Set("last_error = ?", cause).Set("next_attempt_at = ?", next).
		Where("id = ? AND status = ?", item.ID, OutboxPending).Exec(ctx)
	return err
}

// HoldOutbox leaves item pending, uncounted, with the reason it cannot be sent yet (no channel configured), to be
// looked at again at next: nothing is lost, and the admin sees why it waits.
func HoldOutbox(ctx context.Context, db bun.IDB, item *OutboxItem, reason string, next time.Time) error {
	_, err := db.NewUpdate().Model((*OutboxItem)(nil)).Set("last_error = ?", reason).Set("next_attempt_at = ?", next).
		Where("id = ? AND status = ?", item.ID, OutboxPending).Exec(ctx)
	return err
}
