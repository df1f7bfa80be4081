package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Captcha is the answer to one image captcha, kept in the database so any server process can check it.
type Captcha struct {
	bun.BaseModel `bun:"table:captchas"`

	ID        string    `bun:"id,pk"`
	Digits    string    `bun:"digits,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}

// CaptchaLifetime is how long an unanswered captcha stays valid.
const CaptchaLifetime = 10 * time.Minute

// CaptchaStore implements github.com/dchest/captcha's Store on the database.
type CaptchaStore struct{ DB bun.IDB }

func (s CaptchaStore) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// Set stores the digits (values 0-9) of captcha id.
func (s CaptchaStore) Set(id string, digits []byte) {
	ctx, cancel := s.ctx()
	defer cancel()
	b := make([]byte, len(digits))
	for i, d := range digits {
		b[i] = '0' + d
	}
	now := Now()
	_, _ = s.DB.NewInsert().Model(&Captcha{ID: id, Digits: string(b), ExpiresAt: now.Add(CaptchaLifetime)}).
		On("CONFLICT (id) DO UPDATE").Set("digits = EXCLUDED.digits").Set("expires_at = EXCLUDED.expires_at").Exec(ctx)
	// Forget old ones while we are here; captchas are cheap and short-lived.
	_, _ = s.DB.NewDelete().Model((*Captcha)(nil)).Where("expires_at < ?", now).Exec(ctx)
}

// Get returns the digits of captcha id (nil when unknown or expired), deleting it when clear is set, so an
// answer can be checked only once.
func (s CaptchaStore) Get(id string, clear bool) []byte {
	ctx, cancel := s.ctx()
	defer cancel()
	c := new(Captcha)
	if err := s.DB.NewSelect().Model(c).Where("id = ? AND expires_at > ?", id, Now()).Scan(ctx); err != nil {
		return nil
	}
	if clear {
		res, err := s.DB.NewDelete().Model((*Captcha)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return nil
		}
		if n, _ := res.RowsAffected(); n == 0 { // another request used it first
			return nil
		}
	}
	out := make([]byte, len(c.Digits))
	for i := range c.Digits {
		out[i] = c.Digits[i] - '0'
	}
	return out
}

// Check compares an answer with the digits of captcha id, using the captcha up whatever the answer: each one can
// be checked once only.
func (s CaptchaStore) Check(id, answer string) bool {
	if id == "" {
		return false
	}
	digits := s.Get(id, true)
	if len(digits) == 0 || len(answer) != len(digits) {
		return false
	}
	for i := range digits {
		if answer[i] != '0'+digits[i] {
			return false
		}
	}
	return true
}

// Live says whether captcha id is unused and valid for at least another d (long enough to be typed).
func (s CaptchaStore) Live(id string, d time.Duration) bool {
	ctx, cancel := s.ctx()
	defer cancel()
	n, err := s.DB.NewSelect().Model((*Captcha)(nil)).Where("id = ? AND expires_at > ?", id, Now().Add(d)).Count(ctx)
	return err == nil && n > 0
}

// Discard deletes captcha id (its form shows a new one instead), saying whether it was there.
func (s CaptchaStore) Discard(id string) bool {
	ctx, cancel := s.ctx()
	defer cancel()
	res, err := s.DB.NewDelete().Model((*Captcha)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return false
	}
	n, _ := res.RowsAffected()
	return n > 0
}
