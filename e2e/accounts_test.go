package e2e

import (
	"slices"
	"strings"
	"testing"
)

// An admin's 停用 asks first, in both modes: with JavaScript the browser's dialog and the row changes in place;
// without it a page that asks, whose 确定 acts and returns to the list.
func TestAdminDisableAsksFirst(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	srv := startServer(t, bin)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			user := []string{"lisi", "zhangsan"}[i]
			b := newTab(t, browser, srv, m.js)
			b.signIn(admin, demoPassword)
			b.assertScripting()
			b.open("/admin/accounts?q=" + user)
			row := "[data-testid=account-row-" + user + "]"
			b.waitVisible(row)
			if m.js {
				dialogs := b.regAcceptDialogs()
				b.click(row + " [data-testid=account-disable]")
				b.eventually("the row says 已停用", func() bool { return b.text(row+" [data-testid=account-status]") == "已停用" })
				if !slices.ContainsFunc(dialogs.messages(), func(s string) bool { return strings.Contains(s, "确定停用账号 "+user) }) {
					t.Errorf("停用 did not ask first; dialogs seen: %q", dialogs.messages())
				}
				return
			}
			b.clickAndLoad(row + " [data-testid=account-disable]")
			if q := b.text("[data-testid=confirm-question]"); !strings.Contains(q, "确定停用") {
				t.Fatalf("without JavaScript 停用 shows %q at %s, want a page that asks", q, b.path())
			}
			b.open("/admin/accounts?q=" + user)
			if got := b.text(row + " [data-testid=account-status]"); got == "已停用" {
				t.Fatal("the account was disabled before the question was answered")
			}
			b.clickAndLoad(row + " [data-testid=account-disable]")
			b.clickAndLoad("[data-testid=confirm-yes]")
			b.open("/admin/accounts?q=" + user)
			if got := b.text(row + " [data-testid=account-status]"); got != "已停用" {
				t.Errorf("after 确定 the account reads %q, want 已停用", got)
			}
		})
	}
}
