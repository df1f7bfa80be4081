package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Sign-in rules (SECURITY.md 1, 2, 7).
const (
	MaxFailedLogins      = 5                // failures before a lockout
	LockoutDuration      = 30 * time.Minute // how long a lockout lasts
	CaptchaAfterFailures = 3                // failures (of the name or of the client address) before anyone needs the captcha
	failureWindow        = 30 * time.Minute // failures older than this are forgotten
)

// Sign-in errors. ErrBadCredentials is the one answer for an unknown name and for a wrong password.
var (
	ErrBadCredentials  = errors.New("用户名或密码错误")
	ErrAccountLocked   = errors.New("登录失败次数过多，账号已锁定30分钟，请稍后再试或联系管理员解锁")
	ErrAccountDisabled = errors.New("账号已停用，请联系管理员")
	// ErrLockedNow is ErrAccountLocked returned by the very failure that locked the account (to audit the lockout once).
	ErrLockedNow = fmt.Errorf("%w", ErrAccountLocked)
)

// LoginThrottle counts failed sign-ins for something that is not an account: an unknown login name, so that it
// locks exactly like a real one (nobody learns which names exist), or a client address.
type LoginThrottle struct {
	bun.BaseModel `bun:"table:login_throttles"`

	Key           string     `bun:"key,pk"`
	Failures      int        `bun:"failures,notnull"`
	LastFailureAt time.Time  `bun:"last_failure_at,notnull"`
	LockedUntil   *time.Time `bun:"locked_until"`
}

// NameKey and AddressKey are the throttle keys of a login name and a client address.
func NameKey(login string) string { return "name:" + NormalizeUsername(login) }
func AddressKey(ip string) string { return "ip:" + ip }

func throttle(ctx context.Context, db bun.IDB, key string, now time.Time) (*LoginThrottle, error) {
	t := new(LoginThrottle)
	err := db.NewSelect().Model(t).Where("key = ?", key).Scan(ctx)
	if err = notFound(err); err == ErrNotFound {
		return &LoginThrottle{Key: key}, nil
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(t.LastFailureAt) > failureWindow && !(t.LockedUntil != nil && t.LockedUntil.After(now)) {
		t.Failures = 0
	}
	return t, nil
}

// countFailure adds one failure to a throttle key, starting over when the last one is old, and locks the key at
// MaxFailedLogins. It returns the new count.
func countFailure(ctx context.Context, db bun.IDB, key string, now time.Time) (int, error) {
	var failures int
	err := db.NewRaw(`INSERT INTO login_throttles (key, failures, last_failure_at) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_throttles.last_failure_at < ? THEN 1 ELSE login_throttles.failures + 1 END,
			last_failure_at = excluded.last_failure_at
		RETURNING failures`, key, now, now.Add(-failureWindow)).Scan(ctx, &failures)
	if err != nil {
		return 0, err
	}
	if failures >= MaxFailedLogins {
		_, err = db.NewUpdate().Model((*LoginThrottle)(nil)).Set("locked_until = ?", now.Add(LockoutDuration)).
			Where("key = ?", key).Exec(ctx)
	}
	return failures, err
}

// CaptchaRequired says whether a sign-in as login from ip must solve the captcha: always for training
// institutions and admins, and for anyone after CaptchaAfterFailures failures of that name or that address.
func CaptchaRequired(ctx context.Context, db bun.IDB, acct *Account, login, ip string) (bool, error) {
	now := Now()
	if acct != nil && (acct.Role == RoleTraining || acct.Role == RoleAdmin) {
		return true, nil
	}
	if acct != nil && acct.FailedLogins >= CaptchaAfterFailures {
		return true, nil
	}
	for _, key := range []string{NameKey(login), AddressKey(ip)} {
		t, err := throttle(ctx, db, key, now)
		if err != nil {
			return false, err
		}
		if t.Failures >= CaptchaAfterFailures {
			return true, nil
		}
	}
	return false, nil
}

// Authenticate checks a password for an account found by FindAccountForLogin (acct is nil when the name is
// unknown). It counts failures, locks at MaxFailedLogins, and on success clears the count and records the sign-in.
// verify is the password check (password.Verify), passed in so this package needs no hashing.
func Authenticate(ctx context.Context, db bun.IDB, acct *Account, login, ip, pw string, verify func(hash, pw string) bool) (*Account, error) {
	now := Now()
	if acct == nil {
		t, err := throttle(ctx, db, NameKey(login), now)
		if err != nil {
			return nil, err
		}
		if t.LockedUntil != nil && t.LockedUntil.After(now) {
			return nil, ErrAccountLocked
		}
		verify("", pw) // spend the time a real check takes
		return nil, failed(ctx, db, NameKey(login), ip, now)
	}
	if acct.Locked(now) {
		return nil, ErrAccountLocked
	}
	if !verify(acct.PasswordHash, pw) {
		var n int
		err := db.NewRaw(`UPDATE accounts SET
				failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1 ELSE failed_logins + 1 END,
				locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN NULL ELSE locked_until END
			WHERE id = ? RETURNING failed_logins`, now, now, acct.ID).Scan(ctx, &n)
		if err != nil {
			return nil, err
		}
		acct.FailedLogins = n
		if n >= MaxFailedLogins {
			until := now.Add(LockoutDuration)
			if _, err := db.NewUpdate().Model((*Account)(nil)).Set("locked_until = ?", until).Where("id = ?", acct.ID).Exec(ctx); err != nil {
				return nil, err
			}
			acct.LockedUntil = &until
		}
		if _, err := countFailure(ctx, db, AddressKey(ip), now); err != nil {
			return nil, err
		}
		if n >= MaxFailedLogins {
			return nil, ErrLockedNow
		}
		return nil, ErrBadCredentials
	}
	if acct.Disabled {
		return nil, ErrAccountDisabled
	}
	_, err := db.NewUpdate().Model((*Account)(nil)).
		Set("failed_logins = 0").Set("locked_until = NULL").
		Set("last_login_at = ?", now).Set("last_login_ip = ?", ip).
		Where("id = ?", acct.ID).Exec(ctx)
	if err != nil {
		return nil, err
	}
	acct.FailedLogins, acct.LockedUntil, acct.LastLoginAt, acct.LastLoginIP = 0, nil, &now, ip
	return acct, nil
}

// failed counts a failure of an unknown name (and of the address) and answers as for a real account.
func failed(ctx context.Context, db bun.IDB, nameKey, ip string, now time.Time) error {
	n, err := countFailure(ctx, db, nameKey, now)
	if err != nil {
		return err
	}
	if _, err := countFailure(ctx, db, AddressKey(ip), now); err != nil {
		return err
	}
	if n == MaxFailedLogins {
		return ErrLockedNow
	}
	if n > MaxFailedLogins {
		return ErrAccountLocked
	}
	return ErrBadCredentials
}
