package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/wneessen/go-mail"

	"examcert/models"
)

// Email is one email to send.
type Email struct {
	To, Subject, Body string
}

// EmailSender sends emails; the result has one error (nil when sent) per email, in order.
type EmailSender interface {
	SendEmails(ctx context.Context, emails []Email) []error
}

// SMSSender sends a text message to a mobile number. No provider is configured in this system yet: without one,
// SMS rows wait in the outbox with the reason NoSMSChannel, where the 后台任务 page shows them.
type SMSSender interface {
	SendSMS(ctx context.Context, mobile, text string) error
}

// Reasons an outbox row waits without being tried.
const (
	NoSMSChannel   = "未配置短信通道"
	NoEmailChannel = "未配置邮件服务器（--smtp-host）"
)

// SMTP sends email through an SMTP server (STARTTLS when the server offers it), one connection per batch.
type SMTP struct {
	Host     string
	Port     int
	User     string // empty: no authentication
	Password string
	From     string // the From address
	Timeout  time.Duration
}

// SendEmails implements EmailSender: UTF-8 subject and body (the notices are in Chinese), plain text.
func (s SMTP) SendEmails(ctx context.Context, emails []Email) []error {
	errs := make([]error, len(emails))
	msgs := make([]*mail.Msg, len(emails))
	for i, e := range emails {
		m := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingB64))
		if err := m.From(s.From); err != nil {
			errs[i] = fmt.Errorf("发件地址无效：%w", err)
			continue
		}
		if err := m.To(e.To); err != nil {
			errs[i] = fmt.Errorf("收件地址无效：%w", err)
			continue
		}
		m.Subject(e.Subject)
		m.SetBodyString(mail.TypeTextPlain, e.Body)
		msgs[i] = m
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTLSPolicy(mail.TLSOpportunistic), mail.WithTimeout(timeout)}
	if s.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.User), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err == nil {
		err = c.DialWithContext(ctx)
	}
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("无法连接邮件服务器：%w", err)
			}
		}
		return errs
	}
	defer c.Close() //nolint:errcheck // every message's own result is what counts
	for i, m := range msgs {
		if m == nil {
			continue
		}
		if err := c.Send(m); err != nil {
			errs[i] = err
			if errors.Is(err, context.Canceled) {
				break
			}
		}
	}
	return errs
}

// SendPolicy is how the sender retries.
type SendPolicy struct {
	MaxAttempts int                             // after this many failed tries a row is failed (default 5)
	Backoff     func(attempt int) time.Duration // wait after the n-th failed try (default 1, 2, 4 … minutes, at most an hour)
	Lease       time.Duration                   // how long a claimed row is this sender's (default 5 min)
	Hold        time.Duration                   // how long a row with no channel waits before it is looked at again (default 1 h)
	Batch       int                             // rows claimed at once (default 100)
}

func (p SendPolicy) withDefaults() SendPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.Backoff == nil {
		p.Backoff = func(n int) time.Duration { return min(time.Minute<<min(n-1, 6), time.Hour) }
	}
	if p.Lease <= 0 {
		p.Lease = 5 * time.Minute
	}
	if p.Hold <= 0 {
		p.Hold = time.Hour
	}
	if p.Batch <= 0 {
		p.Batch = 100
	}
	return p
}

// Sender sends what is due in the outbox. Several senders (one per server process) may run at once: each row is
// claimed with a guarded UPDATE before it is sent (models.ClaimOutbox), so it goes out once.
type Sender struct {
	db     bun.IDB
	email  EmailSender
	sms    SMSSender
	policy SendPolicy
}

// NewSender makes a sender; email or sms nil means that channel is not configured.
func NewSender(db bun.IDB, email EmailSender, sms SMSSender, p SendPolicy) *Sender {
	return &Sender{db: db, email: email, sms: sms, policy: p.withDefaults()}
}

// SendResult counts what one SendDue did.
type SendResult struct {
	Sent    int `json:"sent"`
	Retried int `json:"retried"` // failed this time, to be tried again
	Failed  int `json:"failed"`  // given up on
	Held    int `json:"held"`    // no channel configured
}

// SendDue sends every row due at now, a batch at a time, until none is left.
func (s *Sender) SendDue(ctx context.Context, now time.Time) (SendResult, error) {
	var total SendResult
	for {
		items, err := models.DueOutbox(ctx, s.db, now, int64(s.policy.Batch))
		if err != nil || len(items) == 0 {
			return total, err
		}
		var mine []models.OutboxItem
		for i := range items {
			won, err := models.ClaimOutbox(ctx, s.db, &items[i], now, s.policy.Lease)
			if err != nil {
				return total, err
			}
			if won {
				mine = append(mine, items[i])
			}
		}
		if err := s.send(ctx, mine, now, &total); err != nil {
			return total, err
		}
		if len(items) < s.policy.Batch {
			return total, nil
		}
	}
}

func (s *Sender) send(ctx context.Context, items []models.OutboxItem, now time.Time, total *SendResult) error {
	var emails []Email
	var emailItems []*models.OutboxItem
	for i := range items {
		it := &items[i]
		switch {
		case it.Channel == "email" && s.email == nil:
			if err := s.hold(ctx, it, NoEmailChannel, now, total); err != nil {
				return err
			}
		case it.Channel == "email":
			emails = append(emails, Email{To: it.Recipient, Subject: it.Subject, Body: it.Body})
			emailItems = append(emailItems, it)
		case s.sms == nil:
			if err := s.hold(ctx, it, NoSMSChannel, now, total); err != nil {
				return err
			}
		default:
			if err := s.record(ctx, it, s.sms.SendSMS(ctx, it.Recipient, it.Body), now, total); err != nil {
				return err
			}
		}
	}
	if len(emails) == 0 {
		return nil
	}
	for i, err := range s.email.SendEmails(ctx, emails) {
		if err := s.record(ctx, emailItems[i], err, now, total); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sender) hold(ctx context.Context, it *models.OutboxItem, reason string, now time.Time, total *SendResult) error {
	total.Held++
	return models.HoldOutbox(ctx, s.db, it, reason, now.Add(s.policy.Hold))
}

// record writes the outcome of one try. The database write uses a context of its own: a send that went out must be
// recorded even when the job is being stopped.
func (s *Sender) record(ctx context.Context, it *models.OutboxItem, sendErr error, now time.Time, total *SendResult) error {
	wctx := context.WithoutCancel(ctx)
	if sendErr == nil {
		total.Sent++
		return models.MarkOutboxSent(wctx, s.db, it, models.Now())
	}
	attempt := it.Attempts + 1
	giveUp := attempt >= s.policy.MaxAttempts
	if giveUp {
		total.Failed++
	} else {
		total.Retried++
	}
	return models.MarkOutboxAttempt(wctx, s.db, it, sendErr.Error(), now.Add(s.policy.Backoff(attempt)), giveUp)
}
