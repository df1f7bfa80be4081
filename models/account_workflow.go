package models

import (
	"context"
	"crypto/subtle"
	"errors"

	"github.com/uptrace/bun"

	"examcert/internal/password"
)

// Refusals of 停用: nobody disables their own account, nor the last admin who can still sign in (nobody would be
// left to manage the system).
var (
	ErrDisableSelf = errors.New("不能停用自己的账号")
	ErrLastAdmin   = errors.New("不能停用最后一个管理员账号")
)

// accountObject names an account in the audit log.
func accountObject(a *Account) string { return "account:" + a.Username }

// ResetPassword is 重置密码 by an admin: the account gets a new temporary password (returned, to be shown once)
// that must be changed at the next sign-in; its lockout is lifted and every session of it ends, with the audit
// row, in one transaction. It returns the account as it now is.
func ResetPassword(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Account, string, error) {
	if !actor.Is(RoleAdmin) {
		return nil, "", ErrNotAllowed
	}
	temp := password.Generate()
	hash, err := password.Hash(temp)
	if err != nil {
		return nil, "", err
	}
	a, err := changeAccount(ctx, db, actor, id, EventPasswordReset, func(ctx context.Context, tx bun.Tx, a *Account) error {
		if err := setPassword(ctx, tx, a.ID, hash, true, ""); err != nil {
			return err
		}
		return DeleteSessionsOf(ctx, tx, a.ID, "")
	})
	if err != nil {
		return nil, "", err
	}
	return a, temp, nil
}

// UnlockAccount is 解锁 by an admin: it clears the account's failed sign-ins and its lockout at every address,
// with its audit row.
func UnlockAccount(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Account, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	return changeAccount(ctx, db, actor, id, EventAccountUnlocked, func(ctx context.Context, tx bun.Tx, a *Account) error {
		res, err := tx.NewUpdate().Model((*Account)(nil)).
			Set("failed_logins = 0").Set("locked_until = NULL").Set("updated_at = ?", Now()).Set("version = version + 1").
			Where("id = ?", a.ID).Exec(ctx)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		return clearLockouts(ctx, tx, a.ID)
	})
}

// DisableAccount is 停用 by an admin: the account can no longer sign in and every session of it ends, in the same
// transaction as its audit row. An account already disabled (a double click, or another admin first) is
// ErrConflict and nothing is written; so is, with ErrDisableSelf and ErrLastAdmin, what must never be disabled.
func DisableAccount(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Account, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	if actor.AccountID() != nil && *actor.AccountID() == id {
		return nil, ErrDisableSelf
	}
	return changeAccount(ctx, db, actor, id, EventAccountDisabled, func(ctx context.Context, tx bun.Tx, a *Account) error {
		if a.Role == RoleAdmin && !a.Disabled {
			n, err := lockEnabledAdmins(ctx, tx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastAdmin
			}
		}
		if err := setDisabled(ctx, tx, a.ID, true); err != nil {
			return err
		}
		return DeleteSessionsOf(ctx, tx, a.ID, "")
	})
}

// EnableAccount is 启用 by an admin: a disabled account may sign in again. One not disabled is ErrConflict.
func EnableAccount(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Account, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	return changeAccount(ctx, db, actor, id, EventAccountEnabled, func(ctx context.Context, tx bun.Tx, a *Account) error {
		return setDisabled(ctx, tx, a.ID, false)
	})
}

// changeAccount is the frame of an admin's action on one account: in one transaction it loads the account
// (ErrNotFound when there is none), applies change, writes the audit row event and reads the account back.
func changeAccount(ctx context.Context, db bun.IDB, actor Actor, id int64, event string,
	change func(ctx context.Context, tx bun.Tx, a *Account) error) (*Account, error) {
	var a *Account
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if a, err = GetAccount(ctx, tx, id); err != nil {
			return err
		}
		if err := change(ctx, tx, a); err != nil {
			return err
		}
		if err := actor.Audit(ctx, tx, event, accountObject(a), "ok", ""); err != nil {
			return err
		}
		a, err = GetAccount(ctx, tx, id)
		return err
	})
	return a, err
}

// setDisabled moves an account from enabled to disabled or back, by one guarded UPDATE (WHERE disabled = from),
// so that two clicks at once change it once: the second finds nothing to change (ErrConflict). An account has two
// states and two moves; a transition table (transition.go) would need a status column for so little.
func setDisabled(ctx context.Context, tx bun.IDB, id int64, disabled bool) error {
	res, err := tx.NewUpdate().Model((*Account)(nil)).
		Set("disabled = ?", disabled).Set("updated_at = ?", Now()).Set("version = version + 1").
		Where("id = ? AND disabled = ?", id, !disabled).Exec(ctx)
	return affectedOneOr(res, err, ErrConflict)
}

// lockEnabledAdmins counts the admins who can still sign in, locking their rows on PostgreSQL so that two admins
// disabling each other at once cannot both succeed (SQLite's write transactions run one at a time anyway).
func lockEnabledAdmins(ctx context.Context, tx bun.IDB) (int, error) {
	var ids []int64
	q := tx.NewSelect().Model((*Account)(nil)).Column("id").Where("role = ? AND disabled = ?", RoleAdmin, false)
	if isPostgres(tx) {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx, &ids)
	return len(ids), err
}

// setPassword stores a new password hash and clears the lockout; mustChange marks a temporary password. When
// oldHash is given, the change applies only if the hash is still that one (else ErrConflict).
func setPassword(ctx context.Context, tx bun.IDB, id int64, hash string, mustChange bool, oldHash string) error {
	now := Now()
	q := tx.NewUpdate().Model((*Account)(nil)).
		Set("password_hash = ?", hash).Set("password_changed_at = ?", now).Set("must_change_password = ?", mustChange).
		Set("failed_logins = 0").Set("locked_until = NULL").Set("updated_at = ?", now).Set("version = version + 1").
		Where("id = ?", id)
	none := ErrNotFound
	if oldHash != "" {
		q, none = q.Where("password_hash = ?", oldHash), ErrConflict
	}
	res, err := q.Exec(ctx)
	if err := affectedOneOr(res, err, none); err != nil {
		return err
	}
	return clearLockouts(ctx, tx, id)
}

// PasswordChange is what 修改密码 sends, and the session it is sent from.
type PasswordChange struct {
	Old, New, Confirm string
	KeepSession       string // the session making the change: it stays signed in, every other one ends
}

// check applies the rules of a new password to a change of the account a, saying what is wrong beside each field.
func (in PasswordChange) check(a *Account, policy password.Policy) FieldErrors {
	errs := FieldErrors{}
	switch {
	case in.Old == "":
		errs["old_password"] = "请输入原密码"
	case !password.Verify(a.PasswordHash, in.Old):
		errs["old_password"] = msgBadOldPassword
	}
	if in.New != "" && in.New == in.Old {
		errs["new_password"] = "新密码不能与原密码相同"
	} else if err := policy.Check(in.New, a.Username); err != nil {
		errs["new_password"] = err.Error()
	}
	if errs["new_password"] == "" && in.Confirm != in.New {
		errs["confirm_password"] = "两次输入的新密码不一致"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

const msgBadOldPassword = "原密码不正确"

// ChangePassword is 修改密码: the actor changes their own password. It checks the old one and the policy, stores
// the new hash and ends every session of the account but in.KeepSession, with the audit row, in one
// transaction; the actor's account (in memory) then carries the new password. A wrong old password is audited
// too (committed on its own) before the field errors are returned, since someone may be guessing it.
func ChangePassword(ctx context.Context, db bun.IDB, actor Actor, in PasswordChange, policy password.Policy) error {
	if actor.Account == nil {
		return ErrNotAllowed
	}
	a, err := GetAccount(ctx, db, actor.Account.ID)
	if err != nil {
		return err
	}
	if errs := in.check(a, policy); errs != nil {
		if errs["old_password"] == msgBadOldPassword {
			return badOldPassword(ctx, db, actor, a, errs)
		}
		return errs
	}
	hash, err := password.Hash(in.New)
	if err != nil {
		return err
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := setPassword(ctx, tx, a.ID, hash, false, a.PasswordHash); err != nil {
			return err
		}
		if err := DeleteSessionsOf(ctx, tx, a.ID, in.KeepSession); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPasswordChanged, "", "ok", "")
	})
	if err != nil {
		return err
	}
	actor.Account.PasswordHash, actor.Account.MustChangePassword, actor.Account.PasswordChangedAt = hash, false, Now()
	return nil
}

// badOldPassword counts a wrong old password as a failed sign-in of the account from the actor's address
// (SignIn's counters of the account and of the account at that address, which lock), with its audit row. It does
// not count against the address as a whole: that count asks everyone signing in there for the captcha, and
// someone already signed in is guessing nothing but their own password. The failure that locks the account at this address also ends every session of the account
// (whoever is guessing holds one of them) and is returned as ErrAccountLocked; any other is errs.
func badOldPassword(ctx context.Context, db bun.IDB, actor Actor, a *Account, errs FieldErrors) error {
	var refusal error
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if refusal, err = wrongPasswordOf(ctx, tx, a, actor.IP, Now()); err != nil {
			return err
		}
		if err := actor.Audit(ctx, tx, EventPasswordChanged, "", "bad_old_password", ""); err != nil {
			return err
		}
		if refusal != ErrLockedNow {
			return nil
		}
		if err := actor.Audit(ctx, tx, EventAccountLocked, "", "locked", ""); err != nil {
			return err
		}
		return DeleteSessionsOf(ctx, tx, a.ID, "")
	})
	switch {
	case err != nil:
		return err
	case refusal == ErrLockedNow:
		return ErrAccountLocked
	}
	return errs
}

// AdminSetup is the first admin's account: from the first-run page (/setup) or the create-admin command.
type AdminSetup struct {
	Username, DisplayName string
	Password, Confirm     string
	// FirstRun is the /setup page, which anyone can reach: Token must be the one the server printed in its log
	// (Expected), and there must be no admin yet. The create-admin command is run by whoever runs the server: it
	// needs no token and may add an admin to a system that has one (to recover from lost admin passwords).
	FirstRun        bool
	Token, Expected string
}

// Validate checks the setup form: the token (first run), the username and the password against policy.
func (in AdminSetup) Validate(policy password.Policy) FieldErrors {
	errs := FieldErrors{}
	if in.FirstRun && (in.Expected == "" || subtle.ConstantTimeCompare([]byte(in.Token), []byte(in.Expected)) != 1) {
		errs["token"] = "初始化令牌不正确（见服务器启动日志）"
	}
	if msg := CheckUsername(in.Username); msg != "" {
		errs["username"] = msg
	}
	if err := policy.Check(in.Password, in.Username); err != nil {
		errs["password"] = err.Error()
	} else if in.Confirm != in.Password {
		errs["confirm_password"] = "两次输入的密码不一致"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// SetupAdmin creates an admin account for someone not signed in (actor has no account): the first admin on the
// first-run page, or an admin made by the create-admin command. The account and its audit row (which names the
// new admin) commit together. On the first-run page an admin that exists already is ErrNotFound: the page is gone.
func SetupAdmin(ctx context.Context, db bun.IDB, actor Actor, in AdminSetup, policy password.Policy) (*Account, error) {
	d, errs := NewAccount{Role: RoleAdmin, Username: in.Username, DisplayName: in.DisplayName}.Validate()
	for k, v := range in.Validate(policy) {
		if errs == nil {
			errs = FieldErrors{}
		}
		errs[k] = v
	}
	if errs != nil {
		return nil, errs
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	d.passwordHash = hash
	var acct *Account
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if in.FirstRun {
			// Two first runs at once must not both find no admin: PostgreSQL's transactions do not wait for each
			// other on a read (SQLite's write transactions run one at a time anyway).
			if isPostgres(tx) {
				if _, err := tx.ExecContext(ctx, "LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE"); err != nil {
					return err
				}
			}
			has, err := HasAdmin(ctx, tx)
			if err != nil {
				return err
			}
			if has {
				return ErrNotFound
			}
		}
		var err error
		if acct, err = insertDraft(ctx, tx, d); err != nil {
			return err
		}
		who := actor
		who.Account = acct
		return who.Audit(ctx, tx, EventAdminSetup, accountObject(acct), "ok", "")
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}
