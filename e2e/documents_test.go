package e2e

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestDocumentsGenerate: on 考场资料 the admin clicks 生成桌签 for the plan; the page says it is queued (in place
// with JavaScript, on 我的下载 after the redirect without), the background runner makes it, 我的下载 shows it
// 已完成, and the file downloads as a PDF. With JavaScript and without.
func TestDocumentsGenerate(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			plan := ticketsRelease(t, srv)
			b := newTab(t, browser, srv, m.js)
			b.signIn(admin, demoPassword)
			b.assertScripting()
			b.open("/admin/tickets?plan=" + plan)
			b.waitVisible(`[data-testid="docs-generate"]`)
			if m.js {
				b.click(`[data-testid="docs-gen-all-labels"]`)
				b.waitVisible(`[data-testid="document-queued"]`)
				if !strings.Contains(b.text(`[data-testid="document-queued"]`), "已加入我的下载，生成后可下载") {
					t.Errorf("in place: %q", b.text(`[data-testid="document-queued"]`))
				}
				if got := b.path(); got != "/admin/tickets?plan="+plan {
					t.Errorf("with JavaScript the button left the page for %s", got)
				}
				b.clickAndLoad(`[data-testid="document-queued-link"]`)
			} else {
				b.clickAndLoad(`[data-testid="docs-gen-all-labels"]`)
				if got := b.text(`[data-testid="alert-ok"]`); got != "已加入我的下载，生成后可下载" {
					t.Errorf("after the redirect 我的下载 says %q", got)
				}
			}
			if got := b.path(); !strings.HasPrefix(got, "/downloads") {
				t.Fatalf("not on 我的下载: %s", got)
			}
			// The runner polls every second; with JavaScript the panel looks again by itself, without it the
			// admin reloads.
			deadline := time.Now().Add(60 * time.Second)
			for b.doc().Find(`[data-testid="download-file"]`).Length() == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("桌签 not made within 60 s: %s", b.text(`[data-testid="downloads-panel"]`))
				}
				time.Sleep(500 * time.Millisecond)
				if !m.js {
					b.open("/downloads")
				}
			}
			if got := b.text(`[data-testid="download-status"]`); got != "已完成" {
				t.Errorf("status %q, want 已完成", got)
			}
			dir := b.allowDownloads()
			f := b.clickForDownload(`[data-testid="download-file"]`, dir)
			if !bytes.HasPrefix(f.Data, []byte("%PDF-")) || !strings.HasPrefix(f.Name, "桌签-") || !strings.HasSuffix(f.Name, ".pdf") {
				t.Errorf("the download: %q, %d bytes", f.Name, len(f.Data))
			}
		})
	}
}
