package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"examcert/internal/database"
	"examcert/models"
)

// noticesNotify tells an account of notices through the server's own database, as a workflow would.
func noticesNotify(t *testing.T, srv *server, username string, notices ...models.Notice) {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, srv.DatabaseURL, srv.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	if err := db.NewSelect().Model((*models.Account)(nil)).Column("id").Where("username = ?", username).Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	for _, n := range notices {
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return models.Notify(ctx, tx, map[int64]models.Notice{id: n})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestNoticesMessageCentre: a notice appears in 消息 with the unread count in the header; 标为已读 lowers the count
// (in place with JavaScript, by a reload without); opening a message goes to the page it is about.
func TestNoticesMessageCentre(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			// lisi: the demo's zhangsan holds a certificate ending within 90 days, whose 到期提醒 the server's
			// periodic task may add to his 消息 at any moment.
			lisi := account{user: "lisi", landing: "/home"}
			noticesNotify(t, srv, lisi.user,
				models.Notice{Kind: models.NoticeReturned, Title: "报名被退回修改", Body: "照片不清晰，请重新上传", Link: "/profile"},
				models.Notice{Kind: models.NoticeApproved, Title: "报名审核通过", Body: "请按时参加考试", Link: "/registrations"})
			b := newTab(t, browser, srv, m.js)
			b.signIn(lisi, demoPassword)
			b.assertScripting()
			if got := b.text("[data-testid=unread-count]"); got != "2" {
				t.Fatalf("header unread count = %q, want 2", got)
			}
			b.clickAndLoad("[data-testid=unread-link]")
			b.waitVisible("[data-testid=messages-panel]")
			if got := b.path(); got != "/messages" {
				t.Fatalf("消息 opened %s", got)
			}
			if n := b.doc().Find("[data-testid=message-row]").Length(); n != 2 {
				t.Fatalf("%d messages listed, want 2", n)
			}
			if got := b.text("[data-testid=message-row]"); !strings.Contains(got, "报名审核通过") || !strings.Contains(got, "未读") {
				t.Errorf("newest message row = %q", got)
			}
			if m.js {
				b.setMarker()
				b.click("[data-testid=message-read]")
				b.eventually("the count to drop in place", func() bool { return b.text("[data-testid=unread-count]") == "1" })
				if !b.hasMarker() {
					t.Error("标为已读 reloaded the page; with JavaScript it should work in place")
				}
			} else {
				b.clickAndLoad("[data-testid=message-read]")
				b.waitVisible("[data-testid=messages-panel]")
				if got := b.text("[data-testid=unread-count]"); got != "1" {
					t.Errorf("header unread count after reading one = %q, want 1", got)
				}
			}
			if got := b.text("[data-testid=messages-unread]"); got != "1" {
				t.Errorf("the page says %s unread, want 1", got)
			}
			// The older one, still unread: opening it reads it and goes to its page.
			b.clickAndLoad("[data-testid=message-row]:nth-child(2) [data-testid=message-open]")
			b.waitVisible("[data-testid=menu]")
			if got := b.path(); got != "/profile" {
				t.Errorf("the message led to %s, want /profile", got)
			}
			if n := b.doc().Find("[data-testid=unread-count]").Length(); n != 0 {
				t.Errorf("all read, yet the header shows a count (%s)", b.text("[data-testid=unread-count]"))
			}
		})
	}
}
