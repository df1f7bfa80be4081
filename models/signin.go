package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/internal/password"
)

// Sign-in rules (SECURITY.md 1, 2, 7, 32). A lockout is of one name from one client address: failures from one
// address never lock the owner out at another, so nobody can shut someone else out by failing on purpose, also
// not by typing an enterprise's public credit code. An attacker at one address is locked out of the name, slowed
// by the rate limit and made to solve the captcha (after 3 failures of the address, and after 3 failures of the
// account from anywhere); the owner elsewhere only solves the captcha too.
const (
	MaxFailedLogins      = 5                // failures before a lockout
	LockoutDuration      = 30 * time.Minute // how long a lockout lasts
	CaptchaAfterFailures = 3                // failures (of the name or of the client address) before anyone needs the captcha
	failureWindow        = 30 * time.Minute // failures older than this are forgotten
)

// Sign-in errors. ErrBadCredentials is the one answer for an unknown name and for a wrong password.
var (
	ErrBadCredentials = errors.New("用户名或密码错误")
	ErrAccountLocked  = errors.New("登录失败次数过多，账号已锁定30分钟，请稍后再试或联系管理员解锁")
	// ErrLockedNow is ErrAccountLocked returned by the very failure that locked the account (to audit the lockout once).
	ErrLockedNow = fmt.Errorf("%w", ErrAccountLocked)
	// The form's own refusals: nothing typed, or the captcha (when required) not solved.
	ErrNoCredentials  = errors.New("请输入用户名和密码")
	ErrCaptchaMissing = errors.New("请输入验证码")
	ErrCaptchaWrong   = errors.New("验证码错误，请重新输入")
	// ErrPasswordSignInOff: the right password of a practitioner or enterprise when only the portal may sign them in.
	ErrPasswordSignInOff = errors.New("从业人员和企业请通过网上办事大厅登录")
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

// lockKey is the throttle key that locks: one account (or, for an unknown name, the name as typed) from one
// client address.
func lockKey(acct *Account, login, ip string) string {
	if acct != nil {
		return accountKeyPrefix(acct.ID) + ip
	}
	return NameKey(login) + "@" + ip
}

func accountKeyPrefix(id int64) string { return "account:" + strconv.FormatInt(id, 10) + "@" }

// clearLockouts forgets every address's failures and lockout of an account (解锁, a new password).
func clearLockouts(ctx context.Context, db bun.IDB, id int64) error {
	_, err := db.NewDelete().Model((*LoginThrottle)(nil)).Where("key LIKE ?", accountKeyPrefix(id)+"%").Exec(ctx)
	return err
}

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
// institutions, admins and 考务人员, and for anyone after CaptchaAfterFailures failures of that name or that address.
func CaptchaRequired(ctx context.Context, db bun.IDB, acct *Account, login, ip string) (bool, error) {
	now := Now()
	if acct != nil && (acct.Role == RoleTraining || acct.Role == RoleAdmin || acct.Role == RoleProctor) {
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

// SignInNeedsCaptcha is CaptchaRequired for a name as typed on the form (whatever account it names, if any).
func SignInNeedsCaptcha(ctx context.Context, db bun.IDB, login, ip string) (bool, error) {
	login = strings.TrimSpace(login)
	var acct *Account
	if login != "" {
		var err error
		if acct, err = accountForLogin(ctx, db, login); err != nil {
			return false, err
		}
	}
	return CaptchaRequired(ctx, db, acct, login, ip)
}

// Credentials is what the sign-in form sends: the name (a username, a 统一社会信用代码 / 组织机构代码, or a 身份证号),
// the password, and the captcha with the answer typed.
type Credentials struct {
	Login, Password          string
	CaptchaID, CaptchaAnswer string
	// PasswordRoles, when not nil, are the only roles that may sign in with a password (the others sign in through
	// the 网上办事大厅); a right password of another role is refused with ErrPasswordSignInOff.
	PasswordRoles []Role
}

// SignInOutcome is what a sign-in attempt leads to. Signed in: the account, and when and from where it signed in
// the time before (shown on every page, so a user notices a sign-in that was not theirs). Refused: whether the
// next attempt must solve the captcha.
type SignInOutcome struct {
	Account     *Account
	PrevLoginAt *time.Time
	PrevLoginIP string
	NeedCaptcha bool
}

// SignIn is 系统登录. It asks for the captcha when CaptchaRequired, checks the password, and records the outcome:
// the failure counters (of the account, or of an unknown name, which locks exactly like a real one so nobody
// learns which names exist; and of the client address), the lockout of the name at this address at
// MaxFailedLogins, or the sign-in time, each in one transaction with its audit rows (login.ok, login.failed,
// account.locked). A refusal is returned as the error the form shows (ErrBadCredentials, the one answer for an
// unknown name, a wrong password and a disabled account; ErrAccountLocked; ErrCaptchaMissing, ErrCaptchaWrong;
// ErrNoCredentials, not audited).
func SignIn(ctx context.Context, db bun.IDB, actor Actor, in Credentials) (SignInOutcome, error) {
	login := strings.TrimSpace(in.Login)
	if login == "" || in.Password == "" {
		return SignInOutcome{}, ErrNoCredentials
	}
	actor.Account, actor.Typed = nil, login
	acct, err := accountForLogin(ctx, db, login)
	if err != nil {
		return SignInOutcome{}, err
	}
	needCaptcha, err := CaptchaRequired(ctx, db, acct, login, actor.IP)
	if err != nil {
		return SignInOutcome{}, err
	}
	if needCaptcha {
		if refusal := checkCaptcha(db, in); refusal != nil {
			return SignInOutcome{NeedCaptcha: true}, recordSignIn(ctx, db, actor, acct, verdictCaptcha, refusal)
		}
	}
	out := SignInOutcome{Account: acct}
	if acct != nil {
		out.PrevLoginAt, out.PrevLoginIP = acct.LastLoginAt, acct.LastLoginIP
	}
	v, err := judge(ctx, db, acct, login, actor.IP, in.Password)
	if err != nil {
		return SignInOutcome{}, err
	}
	if v == verdictOK && in.PasswordRoles != nil && !slices.Contains(in.PasswordRoles, acct.Role) {
		return SignInOutcome{}, recordSignIn(ctx, db, actor, acct, verdictPasswordOff, ErrPasswordSignInOff)
	}
	var refusal error
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		refusal, err = v.record(ctx, tx, actor, acct, login)
		return err
	})
	if err != nil {
		return SignInOutcome{}, err
	}
	if refusal != nil {
		again, err := CaptchaRequired(ctx, db, nil, login, actor.IP)
		if err != nil {
			return SignInOutcome{}, err
		}
		return SignInOutcome{NeedCaptcha: again || needCaptcha}, refusal
	}
	return out, nil
}

// accountForLogin resolves a sign-in name: a username, an enterprise's 统一社会信用代码 / 组织机构代码, or a
// practitioner's 身份证号. nil means no such account (not an error).
func accountForLogin(ctx context.Context, db bun.IDB, login string) (*Account, error) {
	var credit, org, idNumber string
	if cc, oc, err := ident.ParseOrganizationCode(login); err == nil {
		credit, org = cc, oc
	} else if n, err := ident.ParseIDNumber(login); err == nil {
		idNumber = n.Number
	}
	acct, err := FindAccountForLogin(ctx, db, login, credit, org, idNumber)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return acct, err
}

// checkCaptcha says why the captcha of a sign-in is not solved (nil when it is).
func checkCaptcha(db bun.IDB, in Credentials) error {
	answer := strings.TrimSpace(in.CaptchaAnswer)
	switch {
	case answer == "":
		return ErrCaptchaMissing
	case !(CaptchaStore{DB: db}).Check(in.CaptchaID, answer):
		return ErrCaptchaWrong
	}
	return nil
}

// verdict is how a sign-in attempt went, decided before its transaction: the password check is slow on purpose,
// and a write transaction holds SQLite's one writer lock.
type verdict string

const (
	verdictOK       verdict = "ok"
	verdictWrong    verdict = "bad_credentials" // wrong password, or an unknown name
	verdictLocked   verdict = "locked"          // locked already: the password is not even checked
	verdictDisabled verdict = "disabled"        // the right password of a disabled account: answered and counted as wrong
	verdictCaptcha  verdict = "captcha"
	// verdictPasswordOff: the right password of a role that must sign in through the portal.
	verdictPasswordOff verdict = "password_off"
)

// judge decides a sign-in attempt. Only the lockout of this name at this address refuses it unchecked.
func judge(ctx context.Context, db bun.IDB, acct *Account, login, ip, pw string) (verdict, error) {
	now := Now()
	t, err := throttle(ctx, db, lockKey(acct, login, ip), now)
	if err != nil {
		return "", err
	}
	switch {
	case t.LockedUntil != nil && t.LockedUntil.After(now):
		return verdictLocked, nil
	case acct == nil:
		password.Verify("", pw) // spend the time a real check takes
		return verdictWrong, nil
	case !password.Verify(acct.PasswordHash, pw):
		return verdictWrong, nil
	case acct.Disabled:
		return verdictDisabled, nil
	}
	return verdictOK, nil
}

// record writes, inside tx, what the verdict changes (the failure counters and lockout, or the sign-in time) and
// its audit rows. It returns the refusal to show, if any.
func (v verdict) record(ctx context.Context, tx bun.Tx, actor Actor, acct *Account, login string) (refusal, err error) {
	now := Now()
	refusal = map[verdict]error{verdictLocked: ErrAccountLocked}[v]
	switch {
	case v == verdictOK:
		return nil, signedIn(ctx, tx, actor, acct, now)
	case v == verdictWrong && acct == nil:
		refusal, err = failed(ctx, tx, login, actor.IP, now)
	case v == verdictWrong, v == verdictDisabled:
		refusal, err = wrongPassword(ctx, tx, acct, actor.IP, now)
	}
	if err != nil {
		return nil, err
	}
	return refusal, auditRefusal(ctx, tx, actor, acct, refusal, v)
}

// recordSignIn writes the audit row of a refusal that changes nothing else (a captcha not solved), and returns
// the refusal once it is committed.
func recordSignIn(ctx context.Context, db bun.IDB, actor Actor, acct *Account, v verdict, refusal error) error {
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		return auditRefusal(ctx, tx, actor, acct, refusal, v)
	})
	if err != nil {
		return err
	}
	return refusal
}

// auditRefusal writes login.failed with why, and account.locked when this very failure locked the name.
func auditRefusal(ctx context.Context, tx bun.IDB, actor Actor, acct *Account, refusal error, v verdict) error {
	actor.Account = acct
	result := string(v)
	if errors.Is(refusal, ErrAccountLocked) {
		result = string(verdictLocked)
	}
	if err := actor.Audit(ctx, tx, EventLoginFailed, "", result, ""); err != nil {
		return err
	}
	if refusal == ErrLockedNow {
		return actor.Audit(ctx, tx, EventAccountLocked, "", "locked", "")
	}
	return nil
}

// signedIn clears the account's failure count (and the failures from this address) and records when and from
// where it signed in. Lockouts at other addresses stay: the owner signing in does not let an attacker go on.
func signedIn(ctx context.Context, tx bun.Tx, actor Actor, acct *Account, now time.Time) error {
	return signedInVia(ctx, tx, actor, acct, now, "")
}

// signedInVia is signedIn with how the account signed in as the audit row's detail ("" for a password).
func signedInVia(ctx context.Context, tx bun.Tx, actor Actor, acct *Account, now time.Time, via string) error {
	if _, err := tx.NewDelete().Model((*LoginThrottle)(nil)).Where("key = ?", lockKey(acct, "", actor.IP)).Exec(ctx); err != nil {
		return err
	}
	_, err := tx.NewUpdate().Model((*Account)(nil)).
		Set("failed_logins = 0").Set("locked_until = NULL").
		Set("last_login_at = ?", now).Set("last_login_ip = ?", actor.IP).
		Where("id = ?", acct.ID).Exec(ctx)
	if err != nil {
		return err
	}
	actor.Account = acct
	if err := actor.Audit(ctx, tx, EventLoginOK, "", "ok", via); err != nil {
		return err
	}
	acct.FailedLogins, acct.LockedUntil, acct.LastLoginAt, acct.LastLoginIP = 0, nil, &now, actor.IP
	return nil
}

// wrongPassword counts a failure of a real account: of the account (for the captcha, and for 机构与账号 to show),
// of the account at this address, which locks at MaxFailedLogins, and of the address. The account's own
// locked_until records the last lockout (at some address) for the admin to see and lift; it locks nobody out.
func wrongPassword(ctx context.Context, tx bun.IDB, acct *Account, ip string, now time.Time) (refusal, err error) {
	if _, err := countFailure(ctx, tx, AddressKey(ip), now); err != nil {
		return nil, err
	}
	return wrongPasswordOf(ctx, tx, acct, ip, now)
}

// wrongPasswordOf counts a wrong password of the account and of the account at this address, locking it there at
// MaxFailedLogins; wrongPassword also counts it against the address.
func wrongPasswordOf(ctx context.Context, tx bun.IDB, acct *Account, ip string, now time.Time) (refusal, err error) {
	var n int
	err = tx.NewRaw(`UPDATE accounts SET
			failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1 ELSE failed_logins + 1 END,
			locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN NULL ELSE locked_until END
		WHERE id = ? RETURNING failed_logins`, now, now, acct.ID).Scan(ctx, &n)
	if err != nil {
		return nil, err
	}
	acct.FailedLogins = n
	atAddress, err := countFailure(ctx, tx, lockKey(acct, "", ip), now)
	if err != nil {
		return nil, err
	}
	if atAddress >= MaxFailedLogins {
		until := now.Add(LockoutDuration)
		if _, err := tx.NewUpdate().Model((*Account)(nil)).Set("locked_until = ?", until).Where("id = ?", acct.ID).Exec(ctx); err != nil {
			return nil, err
		}
		acct.LockedUntil = &until
	}
	if atAddress >= MaxFailedLogins {
		return ErrLockedNow, nil
	}
	return ErrBadCredentials, nil
}

// failed counts a failure of an unknown name (for the captcha), of the name at this address (which locks) and of
// the address, and answers as for a real account.
func failed(ctx context.Context, db bun.IDB, login, ip string, now time.Time) (refusal, err error) {
	if _, err := countFailure(ctx, db, NameKey(login), now); err != nil {
		return nil, err
	}
	n, err := countFailure(ctx, db, lockKey(nil, login, ip), now)
	if err != nil {
		return nil, err
	}
	if _, err := countFailure(ctx, db, AddressKey(ip), now); err != nil {
		return nil, err
	}
	switch {
	case n == MaxFailedLogins:
		return ErrLockedNow, nil
	case n > MaxFailedLogins:
		return ErrAccountLocked, nil
	}
	return ErrBadCredentials, nil
}
