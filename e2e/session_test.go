package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
)

// TestExpiredSession ends the session behind the browser's back (its row is deleted, as the idle sweep or a
// revocation would) while 登录信息维护 is open, then submits the form. With JavaScript the submit is an htmx
// request, and the answer (HX-Redirect) must load the sign-in page as a whole page, not into the panel; without,
// the plain post is redirected there.
func TestExpiredSession(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	srv := startServer(t, bin)
	db := srv.db(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := newTab(t, browser, srv, m.js)
			b.signIn(admin, demoPassword)
			b.open("/account/password")
			b.waitVisible("[data-testid=password-form]")
			b.assertScripting()

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := db.ExecContext(ctx, "DELETE FROM sessions")
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				t.Fatal("no session rows to delete: the sign-in did not store its session in the database")
			}

			b.fill("old_password", demoPassword)
			b.fill("new_password", newPassword)
			b.fill("confirm_password", newPassword)
			if m.js {
				// The answer to the htmx request is HX-Redirect, which htmx follows with a whole-page load.
				ev := b.clickForResponse("[data-testid=password-submit]", "/account/password")
				if ev.Type != network.ResourceTypeXHR && ev.Type != network.ResourceTypeFetch {
					t.Errorf("the form was sent as %s, want an htmx (XHR) request", ev.Type)
				}
				if to := header(ev.Response, "HX-Redirect"); !strings.HasPrefix(to, "/login?") {
					t.Errorf("htmx request answered %d with HX-Redirect %q, want the sign-in page", ev.Response.Status, to)
				}
			} else {
				b.clickAndLoad("[data-testid=password-submit]")
			}
			b.waitVisible("[data-testid=login-form]")
			if got := b.path(); !strings.HasPrefix(got, "/login?") {
				t.Errorf("after the session ended the tab is on %s, want the sign-in page", got)
			}
			d := b.doc()
			if d.Find("[data-testid=menu], [data-testid=password-panel]").Length() != 0 {
				t.Error("the sign-in page was put inside the workspace instead of replacing it")
			}
			notice := strings.TrimSpace(d.Find("[data-testid=alert-info]").Text())
			if !strings.Contains(notice, "登录已超时") && !strings.Contains(notice, "请先登录") {
				t.Errorf("sign-in page says %q, want 登录已超时 or 请先登录", notice)
			}
			// The password did not change: the request never reached the handler.
			b.signIn(admin, demoPassword)
		})
	}
}
