package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/internal/password"
	"examcert/models"
)

const testPassword = "Xy7#kLm2pQ"

// idNumber is a valid 身份证号, a different one for each n.
func idNumber(n uint64) string {
	r := rand.New(rand.NewPCG(n, 99))
	return ident.GenerateIDNumber(r, "110101", time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), ident.GenderFemale)
}

// accountWith stores an account of role with testPassword, through CreateAccount as seeding does.
func accountWith(t *testing.T, db bun.IDB, n models.NewAccount) *models.Account {
	t.Helper()
	hash, err := password.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	n.PasswordHash = hash
	a, _, err := models.CreateAccount(context.Background(), db, testAdmin, n)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func addSessions(t *testing.T, db bun.IDB, accountID int64, ids ...string) {
	t.Helper()
	now := models.Now()
	for _, id := range ids {
		s := &models.Session{ID: id, AccountID: &accountID, SignedInAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := models.SaveSession(context.Background(), db, s); err != nil {
			t.Fatal(err)
		}
	}
}

func sessionsOf(t *testing.T, db bun.IDB, accountID int64) []string {
	t.Helper()
	var ids []string
	err := db.NewSelect().Model((*models.Session)(nil)).Column("id").Where("account_id = ?", accountID).Order("id").Scan(context.Background(), &ids)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func reload(t *testing.T, db bun.IDB, id int64) *models.Account {
	t.Helper()
	a, err := models.GetAccount(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSetupAdmin(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	policy := password.DefaultPolicy
	anonymous := models.Actor{IP: "192.0.2.9", RequestID: "setup"}
	in := models.AdminSetup{Username: "root", DisplayName: "管理员", Password: testPassword, Confirm: testPassword,
		FirstRun: true, Token: "token-1", Expected: "token-1"}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.SetupAdmin(ctx, db, anonymous, in, policy)
		return err
	}, func() {
		if has, _ := models.HasAdmin(ctx, db); has {
			t.Error("an admin is left after a failed setup")
		}
	}, "accounts")
	var fe models.FieldErrors
	wrong := in
	wrong.Token, wrong.Password, wrong.Confirm = "token-2", "short", "short"
	if _, err := models.SetupAdmin(ctx, db, anonymous, wrong, policy); !errors.As(err, &fe) || fe["token"] == "" || fe["password"] != "密码长度至少为8位" {
		t.Errorf("wrong token and weak password: %v", err)
	}
	noToken := in
	noToken.Token, noToken.Expected = "", ""
	if _, err := models.SetupAdmin(ctx, db, anonymous, noToken, policy); !errors.As(err, &fe) || fe["token"] == "" {
		t.Errorf("first run without a token expected: %v", err)
	}
	acct, err := models.SetupAdmin(ctx, db, anonymous, in, policy)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Role != models.RoleAdmin || acct.MustChangePassword || !password.Verify(acct.PasswordHash, testPassword) {
		t.Errorf("admin: %+v", acct)
	}
	var ev models.AuditEvent
	if err := db.NewSelect().Model(&ev).Where("event = ?", models.EventAdminSetup).Scan(ctx); err != nil || ev.Username != "root" || ev.IP != "192.0.2.9" {
		t.Errorf("audit row %+v, %v; want one naming the new admin", ev, err)
	}
	// The page is gone once there is an admin; the command line may still add one.
	again := in
	again.Username = "root2"
	if _, err := models.SetupAdmin(ctx, db, anonymous, again, policy); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a second first run: %v, want ErrNotFound", err)
	}
	again.FirstRun, again.Token, again.Expected = false, "", ""
	if _, err := models.SetupAdmin(ctx, db, models.Actor{RequestID: "create-admin"}, again, policy); err != nil {
		t.Errorf("create-admin with an admin there: %v", err)
	}
	if n := auditCount(t, db, models.EventAdminSetup); n != 2 {
		t.Errorf("%d admin.setup rows, want 2", n)
	}
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	ent := models.NewAccount{Role: models.RoleEnterprise, Username: "newco", OrgName: "北京新建设有限公司", OrgCode: "91350100M000100Y43"}
	enterprise := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	if _, _, err := models.CreateAccount(ctx, db, enterprise, ent); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("an enterprise creating an account: %v", err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, _, err := models.CreateAccount(ctx, db, testAdmin, ent)
		return err
	}, nil, "accounts", "organizations", "persons")
	acct, temp, err := models.CreateAccount(ctx, db, testAdmin, ent)
	if err != nil {
		t.Fatal(err)
	}
	if temp == "" || !acct.MustChangePassword || !password.Verify(acct.PasswordHash, temp) || acct.OrganizationID == nil ||
		acct.DisplayName != "北京新建设有限公司" {
		t.Errorf("created %+v with temporary password %q", acct, temp)
	}
	before := snapshot(t, db, "accounts", "organizations", "persons")
	var fe models.FieldErrors
	for _, tc := range []struct {
		in          models.NewAccount
		field, want string
	}{
		{models.NewAccount{Role: models.RoleAdmin, Username: "NewCo"}, "username", "该用户名已被使用"},
		{models.NewAccount{Role: models.RoleTraining, Username: "other", OrgName: "某学校", OrgCode: "M000100Y4"}, "org_code", "该代码已登记为企业，角色不符"},
		// The new organization is stored before the username is found taken: it must not stay behind.
		{models.NewAccount{Role: models.RoleEnterprise, Username: "newco", OrgName: "另一公司", OrgCode: ident.GenerateOrgCode(rand.New(rand.NewPCG(5, 6)))}, "username", "该用户名已被使用"},
	} {
		if _, _, err := models.CreateAccount(ctx, db, testAdmin, tc.in); !errors.As(err, &fe) || fe[tc.field] != tc.want {
			t.Errorf("%+v: %v, want %s: %s", tc.in, err, tc.field, tc.want)
		}
	}
	pp := models.NewAccount{Role: models.RolePractitioner, Username: "pp", DisplayName: "某人", IDNumber: idNumber(1)}
	if _, _, err := models.CreateAccount(ctx, db, testAdmin, pp); err != nil {
		t.Fatal(err)
	}
	pp.Username = "pp2"
	if _, _, err := models.CreateAccount(ctx, db, testAdmin, pp); !errors.As(err, &fe) || fe["id_number"] != "此人已有账号" {
		t.Errorf("a second account for the same person: %v", err)
	}
	after := snapshot(t, db, "accounts", "organizations", "persons")
	if after["accounts"] != before["accounts"]+1 || after["organizations"] != before["organizations"] || after["persons"] != before["persons"]+1 {
		t.Errorf("refused creations left rows behind: before %v, after %v", before, after)
	}
	if n := auditCount(t, db, models.EventAccountCreated); n != 2 {
		t.Errorf("%d account.created rows, want 2", n)
	}
}

func TestAdminAccountActions(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	target := accountWith(t, db, models.NewAccount{Role: models.RolePractitioner, Username: "pp", DisplayName: "某人", IDNumber: idNumber(1)})
	addSessions(t, db, target.ID, "s1", "s2")
	practitioner := models.Actor{Account: target}
	for name, run := range map[string]func() error{
		"reset":   func() error { _, _, err := models.ResetPassword(ctx, db, practitioner, target.ID); return err },
		"unlock":  func() error { _, err := models.UnlockAccount(ctx, db, practitioner, target.ID); return err },
		"disable": func() error { _, err := models.DisableAccount(ctx, db, practitioner, target.ID); return err },
		"enable":  func() error { _, err := models.EnableAccount(ctx, db, practitioner, target.ID); return err },
	} {
		if err := run(); !errors.Is(err, models.ErrNotAllowed) {
			t.Errorf("%s by a practitioner: %v", name, err)
		}
	}

	// 重置密码: a temporary password, and every session ends.
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, _, err := models.ResetPassword(ctx, db, testAdmin, target.ID)
		return err
	}, func() {
		if a := reload(t, db, target.ID); a.PasswordHash != target.PasswordHash || a.MustChangePassword || len(sessionsOf(t, db, target.ID)) != 2 {
			t.Errorf("after a failed reset: must change %v, sessions %v", a.MustChangePassword, sessionsOf(t, db, target.ID))
		}
	})
	a, temp, err := models.ResetPassword(ctx, db, testAdmin, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.MustChangePassword || !password.Verify(a.PasswordHash, temp) || len(sessionsOf(t, db, target.ID)) != 0 {
		t.Errorf("after the reset: %+v, sessions %v", a, sessionsOf(t, db, target.ID))
	}
	if _, _, err := models.ResetPassword(ctx, db, testAdmin, 999999); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("reset of an unknown account: %v", err)
	}

	// 解锁.
	until := models.Now().Add(time.Hour)
	if _, err := db.NewUpdate().Model((*models.Account)(nil)).Set("failed_logins = 5").Set("locked_until = ?", until).Where("id = ?", target.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.UnlockAccount(ctx, db, testAdmin, target.ID)
		return err
	}, func() {
		if !reload(t, db, target.ID).Locked(models.Now()) {
			t.Error("unlocked by a failed unlock")
		}
	})
	if a, err := models.UnlockAccount(ctx, db, testAdmin, target.ID); err != nil || a.Locked(models.Now()) || a.FailedLogins != 0 {
		t.Errorf("unlock: %+v, %v", a, err)
	}

	// 停用 ends the sessions in the same transaction; a second click changes nothing; 启用 undoes it.
	addSessions(t, db, target.ID, "s3")
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.DisableAccount(ctx, db, testAdmin, target.ID)
		return err
	}, func() {
		if reload(t, db, target.ID).Disabled || len(sessionsOf(t, db, target.ID)) != 1 {
			t.Error("a failed disable disabled the account or ended its session")
		}
	})
	if a, err := models.DisableAccount(ctx, db, testAdmin, target.ID); err != nil || !a.Disabled || len(sessionsOf(t, db, target.ID)) != 0 {
		t.Errorf("disable: %+v, %v, sessions %v", a, err, sessionsOf(t, db, target.ID))
	}
	if _, err := models.DisableAccount(ctx, db, testAdmin, target.ID); !errors.Is(err, models.ErrConflict) {
		t.Errorf("disabling a disabled account: %v, want ErrConflict", err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.EnableAccount(ctx, db, testAdmin, target.ID)
		return err
	}, func() {
		if !reload(t, db, target.ID).Disabled {
			t.Error("enabled by a failed enable")
		}
	})
	if a, err := models.EnableAccount(ctx, db, testAdmin, target.ID); err != nil || a.Disabled {
		t.Errorf("enable: %+v, %v", a, err)
	}
	if _, err := models.EnableAccount(ctx, db, testAdmin, target.ID); !errors.Is(err, models.ErrConflict) {
		t.Errorf("enabling an enabled account: %v, want ErrConflict", err)
	}
	for event, want := range map[string]int{models.EventPasswordReset: 1, models.EventAccountUnlocked: 1,
		models.EventAccountDisabled: 1, models.EventAccountEnabled: 1} {
		if n := auditCount(t, db, event); n != want {
			t.Errorf("%d %s rows, want %d", n, event, want)
		}
	}
}

// Nobody disables their own account, nor the last admin who can still sign in.
func TestDisableRefusals(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	root := accountWith(t, db, models.NewAccount{Role: models.RoleAdmin, Username: "root"})
	root2 := accountWith(t, db, models.NewAccount{Role: models.RoleAdmin, Username: "root2"})
	asRoot := models.Actor{Account: root}
	if _, err := models.DisableAccount(ctx, db, asRoot, root.ID); !errors.Is(err, models.ErrDisableSelf) {
		t.Errorf("disabling oneself: %v", err)
	}
	if _, err := models.DisableAccount(ctx, db, asRoot, root2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := models.DisableAccount(ctx, db, testAdmin, root.ID); !errors.Is(err, models.ErrLastAdmin) {
		t.Errorf("disabling the last admin: %v", err)
	}
	if reload(t, db, root.ID).Disabled {
		t.Error("the last admin was disabled")
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	acct := accountWith(t, db, models.NewAccount{Role: models.RoleEnterprise, Username: "ent", OrgName: "甲公司", OrgCode: "M000100Y4"})
	addSessions(t, db, acct.ID, "this-browser", "other-1", "other-2")
	me := models.Actor{Account: acct, IP: "192.0.2.7"}
	policy := password.DefaultPolicy
	const newPassword = "Qw8$zxTy3"
	in := models.PasswordChange{Old: testPassword, New: newPassword, Confirm: newPassword, KeepSession: "this-browser"}

	var fe models.FieldErrors
	wrong := in
	wrong.Old = "Wrong#2026x"
	if err := models.ChangePassword(ctx, db, me, wrong, policy); !errors.As(err, &fe) || fe["old_password"] != "原密码不正确" {
		t.Fatalf("wrong old password: %v", err)
	}
	var results []string
	if err := db.NewSelect().Model((*models.AuditEvent)(nil)).Column("result").Where("event = ?", models.EventPasswordChanged).Scan(ctx, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0] != "bad_old_password" {
		t.Errorf("a wrong old password is audited once: %v", results)
	}
	same := in
	same.New, same.Confirm = testPassword, testPassword
	if err := models.ChangePassword(ctx, db, me, same, policy); !errors.As(err, &fe) || fe["new_password"] != "新密码不能与原密码相同" {
		t.Errorf("the same password again: %v", err)
	}

	assertRollsBack(t, db, func(ctx context.Context) error {
		return models.ChangePassword(ctx, db, me, in, policy)
	}, func() {
		if a := reload(t, db, acct.ID); a.PasswordHash != acct.PasswordHash || len(sessionsOf(t, db, acct.ID)) != 3 {
			t.Errorf("after a failed change: sessions %v", sessionsOf(t, db, acct.ID))
		}
	})
	if err := models.ChangePassword(ctx, db, me, in, policy); err != nil {
		t.Fatal(err)
	}
	a := reload(t, db, acct.ID)
	if !password.Verify(a.PasswordHash, newPassword) || a.MustChangePassword || me.Account.PasswordHash != a.PasswordHash {
		t.Error("the new password is not stored, or the actor's account does not carry it")
	}
	if got := sessionsOf(t, db, acct.ID); len(got) != 1 || got[0] != "this-browser" {
		t.Errorf("sessions after the change: %v, want only this-browser", got)
	}
	if n := auditCount(t, db, models.EventPasswordChanged); n != 2 {
		t.Errorf("%d password.changed rows, want 2", n)
	}
}

// A sign-in writes its failure counters, lockout or sign-in time in one transaction with its audit rows.
func TestSignInRecordsItsOutcome(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	acct := accountWith(t, db, models.NewAccount{Role: models.RolePractitioner, Username: "pp", DisplayName: "某人", IDNumber: idNumber(1)})
	from := models.Actor{IP: "192.0.2.5", RequestID: "r1"}
	wrong := models.Credentials{Login: "PP", Password: "Wrong#2026x"}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.SignIn(ctx, db, from, wrong)
		return err
	}, func() {
		if n := reload(t, db, acct.ID).FailedLogins; n != 0 {
			t.Errorf("a failed sign-in that did not commit counted %d failures", n)
		}
	}, "login_throttles")
	if _, err := models.SignIn(ctx, db, from, wrong); !errors.Is(err, models.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if n := reload(t, db, acct.ID).FailedLogins; n != 1 {
		t.Errorf("failed_logins = %d, want 1", n)
	}
	right := models.Credentials{Login: " pp ", Password: testPassword}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.SignIn(ctx, db, from, right)
		return err
	}, func() {
		if a := reload(t, db, acct.ID); a.LastLoginAt != nil || a.FailedLogins != 1 {
			t.Errorf("a sign-in that did not commit was recorded: %+v", a)
		}
	})
	out, err := models.SignIn(ctx, db, from, right)
	if err != nil || out.Account == nil || out.Account.ID != acct.ID || out.PrevLoginAt != nil {
		t.Fatalf("sign-in: %+v, %v", out, err)
	}
	if a := reload(t, db, acct.ID); a.FailedLogins != 0 || a.LastLoginIP != "192.0.2.5" {
		t.Errorf("after the sign-in: %+v", a)
	}
	// An unknown name locks like a real one, at the fifth failure, audited once as a lockout.
	// From the third failure of a name the captcha is required: each attempt solves one.
	var errs []error
	for i := 0; i < 5; i++ {
		id := "captcha-" + strconv.Itoa(i)
		models.CaptchaStore{DB: db}.Set(id, []byte{1, 2, 3, 4})
		_, err := models.SignIn(ctx, db, from, models.Credentials{Login: "nobody", Password: "x", CaptchaID: id, CaptchaAnswer: "1234"})
		errs = append(errs, err)
	}
	if !errors.Is(errs[3], models.ErrBadCredentials) || !errors.Is(errs[4], models.ErrAccountLocked) {
		t.Errorf("unknown name: %v", errs)
	}
	for event, want := range map[string]int{models.EventLoginOK: 1, models.EventLoginFailed: 6, models.EventAccountLocked: 1} {
		if n := auditCount(t, db, event); n != want {
			t.Errorf("%d %s rows, want %d", n, event, want)
		}
	}
	if _, err := models.SignIn(ctx, db, from, models.Credentials{Login: "pp"}); !errors.Is(err, models.ErrNoCredentials) {
		t.Errorf("no password: %v", err)
	}
}
