package models_test

import (
	"context"
	"errors"
	"testing"

	"examcert/internal/dbtest"
	"examcert/internal/password"
	"examcert/models"
)

// 修改密码: wrong old passwords count like failed sign-ins from the actor's address; the fifth locks the account
// there, ends every session of it, and is audited; the account elsewhere is not locked out.
func TestWrongOldPasswordsCountLikeFailedSignIns(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	acct := accountWith(t, db, models.NewAccount{Role: models.RoleEnterprise, Username: "ent", OrgName: "甲公司", OrgCode: "M000100Y4"})
	addSessions(t, db, acct.ID, "this-browser", "other-1")
	me := models.Actor{Account: acct, IP: "192.0.2.7"}
	wrong := models.PasswordChange{Old: "Wrong#2026x", New: "Qw8$zxTy3", Confirm: "Qw8$zxTy3", KeepSession: "this-browser"}
	var fe models.FieldErrors
	for i := 0; i < 4; i++ {
		if err := models.ChangePassword(ctx, db, me, wrong, password.DefaultPolicy); !errors.As(err, &fe) {
			t.Fatalf("wrong old password %d: %v", i+1, err)
		}
	}
	if n := reload(t, db, acct.ID).FailedLogins; n != 4 {
		t.Errorf("failed_logins = %d after 4 wrong old passwords", n)
	}
	if err := models.ChangePassword(ctx, db, me, wrong, password.DefaultPolicy); !errors.Is(err, models.ErrAccountLocked) {
		t.Fatalf("5th wrong old password: %v; want the lockout", err)
	}
	if got := sessionsOf(t, db, acct.ID); len(got) != 0 {
		t.Errorf("sessions after the lockout: %v", got)
	}
	if a := reload(t, db, acct.ID); !a.Locked(models.Now()) {
		t.Error("the account does not show as locked")
	}
	if n := auditCount(t, db, models.EventAccountLocked); n != 1 {
		t.Errorf("%d account.locked rows", n)
	}
	if n := auditCount(t, db, models.EventPasswordChanged); n != 5 {
		t.Errorf("%d password.changed rows, want 5 bad_old_password", n)
	}
	right := models.Credentials{Login: "ent", Password: testPassword, CaptchaID: "c1", CaptchaAnswer: "1234"}
	models.CaptchaStore{DB: db}.Set("c1", []byte{1, 2, 3, 4})
	if _, err := models.SignIn(ctx, db, models.Actor{IP: "192.0.2.7"}, right); !errors.Is(err, models.ErrAccountLocked) {
		t.Errorf("sign-in from the same address: %v; want the lockout", err)
	}
	models.CaptchaStore{DB: db}.Set("c2", []byte{1, 2, 3, 4})
	right.CaptchaID = "c2"
	if out, err := models.SignIn(ctx, db, models.Actor{IP: "198.51.100.1"}, right); err != nil || out.Account == nil {
		t.Errorf("sign-in from another address: %v", err)
	}
	// 解锁 lifts the lockout at every address.
	if _, err := models.UnlockAccount(ctx, db, testAdmin, acct.ID); err != nil {
		t.Fatal(err)
	}
	models.CaptchaStore{DB: db}.Set("c3", []byte{1, 2, 3, 4})
	right.CaptchaID = "c3"
	if _, err := models.SignIn(ctx, db, models.Actor{IP: "192.0.2.7"}, right); err != nil {
		t.Errorf("sign-in after 解锁: %v", err)
	}
}
