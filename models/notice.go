package models

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// Message is one entry of an account's 消息 (message centre).
type Message struct {
	bun.BaseModel `bun:"table:messages"`

	ID        int64      `bun:"id,pk,autoincrement"`
	AccountID int64      `bun:"account_id,notnull"`
	Kind      string     `bun:"kind,notnull"`
	Title     string     `bun:"title,notnull"`
	Body      string     `bun:"body,notnull"`
	Link      string     `bun:"link,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ReadAt    *time.Time `bun:"read_at"`
}

// OutboxItem is an email or SMS waiting to be sent (or sent, or given up on) by the background sender.
type OutboxItem struct {
	bun.BaseModel `bun:"table:outbox"`

	ID            int64      `bun:"id,pk,autoincrement"`
	MessageID     *int64     `bun:"message_id"`
	Channel       string     `bun:"channel,notnull"` // email, sms
	Recipient     string     `bun:"recipient,notnull"`
	Subject       string     `bun:"subject,notnull"`
	Body          string     `bun:"body,notnull"`
	Status        string     `bun:"status,notnull"` // pending, sent, failed
	Attempts      int        `bun:"attempts,notnull"`
	LastError     string     `bun:"last_error,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	SentAt        *time.Time `bun:"sent_at"`
}

// Kinds of notice.
const (
	NoticeReturned      = "returned"       // 退回修改, with the reason
	NoticeApproved      = "approved"       // 审核通过
	NoticePaymentNotice = "payment_notice" // 缴费通知
	NoticePaid          = "paid"           // 缴费已确认
	NoticeForfeited     = "forfeited"      // 视为放弃
	NoticeTicketReady   = "ticket_ready"   // 准考证可打印
	NoticeUnitToConfirm = "unit_to_confirm"
	NoticeApplication   = "application" // a step of a 证书申请 (退回修改, 不予通过, 决定通过)
)

// Notice is what an account is told: a kind, a title and body, and a link to the page it is about.
type Notice struct {
	Kind, Title, Body, Link string
}

// Notify tells each account of its notice, inside tx (the workflow's transaction): a 消息 row per account, plus an
// email and an SMS in the outbox for accounts that gave an address. Rows are written in chunks, so a batch decision
// over 10,000 registrations stays a handful of statements.
func Notify(ctx context.Context, tx bun.IDB, notices map[int64]Notice) error {
	if len(notices) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(notices))
	for id := range notices {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	now := Now()
	for i := 0; i < len(ids); i += batchChunk {
		chunk := ids[i:min(i+batchChunk, len(ids))]
		msgs := make([]Message, len(chunk))
		for j, id := range chunk {
			n := notices[id]
			msgs[j] = Message{AccountID: id, Kind: n.Kind, Title: n.Title, Body: n.Body, Link: n.Link, CreatedAt: now}
		}
		if _, err := tx.NewInsert().Model(&msgs).Returning("id").Exec(ctx); err != nil {
			return err
		}
		var accts []Account
		if err := tx.NewSelect().Model(&accts).Column("id", "email", "mobile").Where("id IN (?)", bun.List(chunk)).
			Where("email <> '' OR mobile <> ''").Scan(ctx); err != nil {
			return err
		}
		if err := queueOutbox(ctx, tx, msgs, accts, now); err != nil {
			return err
		}
	}
	return nil
}

func queueOutbox(ctx context.Context, tx bun.IDB, msgs []Message, accts []Account, now time.Time) error {
	byAccount := make(map[int64]*Message, len(msgs))
	for i := range msgs {
		byAccount[msgs[i].AccountID] = &msgs[i]
	}
	var out []OutboxItem
	for _, a := range accts {
		m := byAccount[a.ID]
		if a.Email != "" {
			out = append(out, OutboxItem{MessageID: &m.ID, Channel: "email", Recipient: a.Email, Subject: m.Title,
				Body: m.Body, Status: "pending", NextAttemptAt: now, CreatedAt: now})
		}
		if a.Mobile != "" {
			out = append(out, OutboxItem{MessageID: &m.ID, Channel: "sms", Recipient: a.Mobile,
				Body: "【建设行业考务】" + m.Title, Status: "pending", NextAttemptAt: now, CreatedAt: now})
		}
	}
	if len(out) == 0 {
		return nil
	}
	_, err := tx.NewInsert().Model(&out).Exec(ctx)
	return err
}

// RegistrationAccounts is who hears of a registration's progress: the account that filed it and the person's own
// account (when they have one), by registration id.
func RegistrationAccounts(ctx context.Context, tx bun.IDB, regIDs []int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(regIDs))
	for i := 0; i < len(regIDs); i += batchChunk {
		chunk := regIDs[i:min(i+batchChunk, len(regIDs))]
		var rows []struct {
			RegID     int64  `bun:"reg_id"`
			AccountID *int64 `bun:"account_id"`
			OwnID     *int64 `bun:"own_id"`
		}
		err := tx.NewSelect().TableExpr("registrations AS r").
			ColumnExpr("r.id AS reg_id, r.account_id, a.id AS own_id").
			Join("LEFT JOIN accounts AS a ON a.person_id = r.person_id AND a.role = ?", RolePractitioner).
			Where("r.id IN (?)", bun.List(chunk)).Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			for _, id := range []*int64{r.AccountID, r.OwnID} {
				if id != nil && !slices.Contains(out[r.RegID], *id) {
					out[r.RegID] = append(out[r.RegID], *id)
				}
			}
		}
	}
	return out, nil
}

// NotifyRegistrations tells everyone concerned with each registration (RegistrationAccounts) of what happened to it.
// An account concerned with many registrations of the batch (an organization) gets one message per registration's
// notice folded into one: the last one written wins the title, and the body counts them.
func NotifyRegistrations(ctx context.Context, tx bun.IDB, regIDs []int64, notice func(regID int64) Notice) error {
	who, err := RegistrationAccounts(ctx, tx, regIDs)
	if err != nil {
		return err
	}
	notices := map[int64]Notice{}
	counts := map[int64]int{}
	for _, regID := range regIDs {
		n := notice(regID)
		for _, acct := range who[regID] {
			counts[acct]++
			notices[acct] = n
		}
	}
	for acct, c := range counts {
		if c > 1 {
			n := notices[acct]
			n.Body = n.Title + "：共 " + strconv.Itoa(c) + " 条报名。"
			notices[acct] = n
		}
	}
	return Notify(ctx, tx, notices)
}
