package models_test

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/models"
)

func TestContactSettingsValidate(t *testing.T) {
	for _, c := range []struct {
		email, mobile string
		bad           []string
	}{
		{"", "", nil},
		{"a@example.com", "13800138000", nil},
		{"Zhang San <a@example.com>", "", []string{"email"}},
		{"a@localhost", "", []string{"email"}},
		{"a@@example.com", "", []string{"email"}},
		{"", "1380013800", []string{"mobile"}},
		{"", "12800138000", []string{"mobile"}},
		{"x", "010-12345678", []string{"email", "mobile"}},
	} {
		errs := models.ContactSettings{Email: c.email, Mobile: c.mobile}.Normalize().Validate()
		if len(errs) != len(c.bad) {
			t.Errorf("%q %q: errors %v, want on %v", c.email, c.mobile, errs, c.bad)
		}
		for _, k := range c.bad {
			if errs[k] == "" {
				t.Errorf("%q %q: no error on %s", c.email, c.mobile, k)
			}
		}
	}
}

func TestNoticeWorkflows(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	me := &models.Account{Username: "zhangsan", PasswordHash: "x", Role: models.RolePractitioner}
	other := &models.Account{Username: "lisi", PasswordHash: "x", Role: models.RolePractitioner}
	for _, a := range []*models.Account{me, other} {
		if err := models.InsertAccount(ctx, db, a); err != nil {
			t.Fatal(err)
		}
	}
	actor := models.Actor{Account: me}
	// 通知设置 and its audit row commit together.
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.UpdateContact(ctx, db, actor, models.ContactSettings{Email: "a@example.com"})
		return err
	}, func() {
		if a, _ := models.GetAccount(ctx, db, me.ID); a.Email != "" {
			t.Error("the email stayed after the rollback")
		}
	})
	if _, err := models.UpdateContact(ctx, db, actor, models.ContactSettings{Email: "a@example.com", Mobile: "13800138000"}); err != nil {
		t.Fatal(err)
	}
	if auditCount(t, db, models.EventContactUpdated) != 1 {
		t.Error("no audit row")
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return models.Notify(ctx, tx, map[int64]models.Notice{me.ID: {Kind: models.NoticeApproved, Title: "审核通过"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, _, err := models.ListMessages(ctx, db, actor, 0, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages %v, %v", msgs, err)
	}
	if _, err := models.MarkMessageRead(ctx, db, models.Actor{Account: other}, msgs[0].ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another account marking it read: %v", err)
	}
	if n, _ := models.UnreadMessages(ctx, db, me.ID); n != 1 {
		t.Fatalf("unread = %d", n)
	}
	if n, err := models.MarkAllMessagesRead(ctx, db, actor); err != nil || n != 1 {
		t.Fatalf("read all = %d, %v", n, err)
	}
	// 重发 and its audit row commit together; only admins may.
	var item models.OutboxItem
	if err := db.NewSelect().Model(&item).Where("channel = 'email'").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	db.NewUpdate().Model((*models.OutboxItem)(nil)).Set("status = 'failed', attempts = 5").Where("id = ?", item.ID).Exec(ctx)
	admin := models.Actor{Account: &models.Account{ID: other.ID, Role: models.RoleAdmin, Username: "admin"}}
	assertRollsBack(t, db, func(ctx context.Context) error { return models.ResendOutbox(ctx, db, admin, item.ID) }, func() {
		var st string
		db.NewSelect().Model((*models.OutboxItem)(nil)).Column("status").Where("id = ?", item.ID).Scan(ctx, &st)
		if st != "failed" {
			t.Errorf("status %s after the rollback", st)
		}
	})
	if err := models.ResendOutbox(ctx, db, actor, item.ID); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("a practitioner resending: %v", err)
	}
	if err := models.ResendOutbox(ctx, db, admin, item.ID); err != nil {
		t.Fatal(err)
	}
	if err := models.ResendOutbox(ctx, db, admin, 999999); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown row: %v", err)
	}
}
