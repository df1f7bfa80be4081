package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"examcert/models"
)

// downloadsOf lists an account's 我的下载 rows as "task params", oldest first.
func (e *env) downloadsOf(t *testing.T, username string) []string {
	t.Helper()
	var ds []models.Download
	if err := e.db.NewSelect().Model(&ds).Where("account_id = ?", e.account(username).ID).OrderExpr("id").
		Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.Task+" "+d.Params)
	}
	return out
}

// The 生成 buttons of 考场资料 and 打印准考证 queue the documents for 我的下载: a plain form is sent there (303) and
// told so; htmx gets the same words and a link in place. The direct downloads stay beside them.
func TestDocumentButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := ticketFixture(t, e)
	sp, r1 := strconv.FormatInt(w.plan.ID, 10), strconv.FormatInt(w.rooms[0].ID, 10)
	docsPage := "/admin/tickets?plan=" + sp
	adm := e.client().signIn("admin")
	docs := adm.get(docsPage)
	for sel, want := range map[string]int{`[data-testid="docs-gen-all-photos"]`: 1, `[data-testid="docs-gen-all-labels"]`: 1,
		`[data-testid="docs-gen-all-doors"]`: 1, `[data-testid="docs-gen-photo-zip"]`: 1, `[data-testid="docs-gen-room-labels"]`: 2,
		`[data-testid="docs-gen-room-photos"]`: 2, `[data-testid="docs-gen-room-door"]`: 2, `[data-testid="docs-all-labels"]`: 1} {
		if n := docs.Doc.Find(sel).Length(); n != want {
			t.Errorf("考场资料: %d of %s, want %d", n, sel, want)
		}
	}
	form := docs.Doc.Find(`[data-testid="docs-gen-room-door"]`).First().Closest("form")
	if m, _ := form.Attr("method"); m != "post" || form.Find(`input[name="_csrf"]`).Length() != 1 ||
		form.Find(`input[name="room"]`).AttrOr("value", "") != r1 {
		t.Errorf("a room's 生成门贴 is not a POST form with the CSRF token and the room: %s", form.Text())
	}
	action := form.AttrOr("action", "")

	// JavaScript off: 303 to 我的下载, which says so and lists the request.
	off := adm.submit(docsPage, action, url.Values{"doc": {"desk-labels"}, "plan": {sp}})
	if off.Status != http.StatusSeeOther || off.Location() != "/downloads?notice=queued" {
		t.Fatalf("生成全部桌签 without JavaScript: %d → %q", off.Status, off.Location())
	}
	dl := adm.get(off.Location())
	if got := dl.Text(`[data-testid="alert-ok"]`); got != "已加入我的下载，生成后可下载" {
		t.Errorf("我的下载 after the request says %q", got)
	}
	if !strings.Contains(dl.Text(`[data-testid="downloads-panel"]`), "桌签") {
		t.Errorf("我的下载 does not list 桌签: %s", dl.Text(`[data-testid="downloads-panel"]`))
	}
	// JavaScript on: the notice and a link, in place.
	on := adm.submitHX(docsPage, action, url.Values{"doc": {"door-signs"}, "plan": {sp}, "room": {r1}}, true)
	if on.Status != http.StatusOK || strings.Contains(on.Body, "<html") ||
		!strings.Contains(on.Text(`[data-testid="document-queued"]`), "已加入我的下载，生成后可下载") ||
		on.Doc.Find(`[data-testid="document-queued-link"]`).AttrOr("href", "") != "/downloads" {
		t.Fatalf("生成门贴 with htmx: %d %.300s", on.Status, on.Body)
	}
	want := []string{`tickets.desk_labels {"plan":"` + sp + `"}`, `tickets.door_signs {"plan":"` + sp + `","room":"` + r1 + `"}`}
	if got := e.downloadsOf(t, "admin"); !slices.Equal(got, want) {
		t.Errorf("admin's downloads = %v, want %v", got, want)
	}

	// An organization: 生成全部准考证 beside the direct 打印全部准考证.
	js := e.client().signIn("jianshe")
	ticketsPage := "/tickets?plan=" + sp
	tp := js.get(ticketsPage)
	gen := tp.Doc.Find(`[data-testid="tickets-generate-all"]`).Closest("form")
	if gen.Length() != 1 || tp.Doc.Find(`[data-testid="tickets-print-all"]`).Length() != 1 {
		t.Fatalf("打印准考证 lacks 生成全部准考证 or 打印全部准考证")
	}
	orgAction := gen.AttrOr("action", "")
	if p := js.submit(ticketsPage, orgAction, url.Values{"plan": {sp}}); p.Status != http.StatusSeeOther || p.Location() != "/downloads?notice=queued" {
		t.Fatalf("生成全部准考证 without JavaScript: %d → %q", p.Status, p.Location())
	}
	if p := js.submitHX(ticketsPage, orgAction, url.Values{"plan": {sp}}, true); p.Status != http.StatusOK ||
		p.Doc.Find(`[data-testid="document-queued"]`).Length() != 1 {
		t.Fatalf("生成全部准考证 with htmx: %d %.300s", p.Status, p.Body)
	}
	if got := e.downloadsOf(t, "jianshe"); len(got) != 2 || got[0] != `tickets.organization {"plan":"`+sp+`"}` {
		t.Errorf("jianshe's downloads = %v", got)
	}
	// The notice is one of the fixed texts, never what the link says.
	if p := js.get("/downloads?notice=" + url.QueryEscape("<b>中奖了</b>")); p.Doc.Find(`[data-testid="alert-ok"]`).Length() != 0 {
		t.Error("an unknown ?notice= shows a message")
	}
}

// A forged plan, another plan's room, a plan the organization has no ticket in, an unreleased plan: 404 with and
// without JavaScript, and nothing queued (SECURITY.md 9).
func TestDocumentButtonsScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := ticketFixture(t, e)
	sp := strconv.FormatInt(w.plan.ID, 10)
	unreleased := strconv.FormatInt(w.unreleased.ID, 10)
	adm := e.client().signIn("admin")
	docsPage := "/admin/tickets?plan=" + sp
	for name, f := range map[string]url.Values{
		"forged plan":       {"doc": {"desk-labels"}, "plan": {"999999"}},
		"no plan":           {"doc": {"desk-labels"}},
		"unreleased plan":   {"doc": {"door-signs"}, "plan": {unreleased}},
		"another plan room": {"doc": {"room-photos"}, "plan": {sp}, "room": {strconv.FormatInt(w.otherRoom.ID, 10)}},
		"bad room":          {"doc": {"room-photos"}, "plan": {sp}, "room": {"-1"}},
		"unknown document":  {"doc": {"../photos"}, "plan": {sp}},
	} {
		for _, hx := range []bool{false, true} {
			if p := adm.submitHX(docsPage, "/admin/tickets/documents", f, hx); p.Status != http.StatusNotFound {
				t.Errorf("admin, %s (htmx %v): %d, want 404", name, hx, p.Status)
			}
		}
	}
	ticketsPage := "/tickets?plan=" + sp
	for who, plan := range map[string]string{"jianshe": "999999", "jianshe2": unreleased, "peixun2": sp} {
		c := e.client().signIn(who)
		for _, hx := range []bool{false, true} {
			if p := c.submitHX("/tickets", "/tickets/documents", url.Values{"plan": {plan}}, hx); p.Status != http.StatusNotFound {
				t.Errorf("%s asking for plan %s (htmx %v): %d, want 404", who, plan, hx, p.Status)
			}
		}
	}
	for _, who := range []string{"admin", "jianshe", "jianshe2", "peixun2"} {
		if got := e.downloadsOf(t, who); len(got) != 0 {
			t.Errorf("%s: refused requests were queued: %v", who, got)
		}
	}
	// Each side's button is not the other's: an organization cannot ask for the registry's documents.
	js := e.client().signIn("jianshe")
	if p := js.submit(ticketsPage, "/admin/tickets/documents", url.Values{"doc": {"desk-labels"}, "plan": {sp}}); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Errorf("an enterprise posting to 考场资料: %d", p.Status)
	}
}
