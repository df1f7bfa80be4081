package handlers_test

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"examcert/internal/ident"
)

// 新建单位 with a credit code whose 组织机构代码 is registered: the page shows that organization beside the code field,
// with a link and a confirm button; nothing is merged until the admin presses it, which records the credit code.
func TestAdminOrganizationCreditCodeHeldElsewhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client().signIn("admin")
	credit := ident.GenerateCreditCode(rand.New(rand.NewPCG(77, 78)), "110105")
	p := c.submit("/admin/organizations/new", "/admin/organizations", url.Values{"kind": {"enterprise"}, "name": {"北京老字号建设公司"}, "code": {credit[8:17]}})
	if p.Location() != "/admin/organizations?ok=created" {
		t.Fatalf("create: %d", p.Status)
	}
	form := url.Values{"kind": {"enterprise"}, "name": {"北京新名称有限公司"}, "code": {credit}}
	p = c.submit("/admin/organizations/new", "/admin/organizations", form)
	holder := p.Text(`[data-testid="org-holder"]`)
	link, _ := p.Doc.Find(`[data-testid="org-holder-link"]`).Attr("href")
	if !strings.Contains(p.Text(`[data-testid="error-code"]`), "请确认后为其记录统一社会信用代码") || !strings.Contains(holder, "北京老字号建设公司") ||
		!strings.Contains(holder, credit[8:17]) || !strings.Contains(holder, "未记录") || !strings.HasPrefix(link, "/admin/organizations/") ||
		p.Doc.Find(`[data-testid="org-holder-confirm"]`).Length() != 1 {
		t.Fatalf("the holder beside the code field: %q (link %q)", holder, link)
	}
	list := c.get("/admin/organizations?q=" + credit[8:17])
	if n := list.Doc.Find(`[data-testid="org-row"]`).Length(); n != 1 || strings.Contains(list.Text(`[data-testid="org-table"]`), credit) {
		t.Fatalf("merged without the admin's word: %d rows", n)
	}
	id, _ := p.Doc.Find(`[data-testid="org-holder-confirm"]`).Attr("value")
	form.Set("same_as", id)
	p = c.submit("/admin/organizations/new", "/admin/organizations", form)
	if p.Location() != link+"?ok=credit" {
		t.Fatalf("confirm: %d %s", p.Status, p.Location())
	}
	edit := c.get(link + "?ok=credit")
	if code, _ := edit.Doc.Find(`input[name="code"]`).Attr("value"); code != credit || !strings.Contains(edit.Text(`[data-testid="alert-ok"]`), "已为该单位记录统一社会信用代码") {
		t.Errorf("after the confirmation the code is %q", code)
	}
	if name, _ := edit.Doc.Find(`input[name="name"]`).Attr("value"); name != "北京老字号建设公司" {
		t.Errorf("the typed name replaced the registered one: %q", name)
	}
	if n := c.get("/admin/organizations?q=" + credit).Doc.Find(`[data-testid="org-row"]`).Length(); n != 1 {
		t.Errorf("%d organizations with the code, want 1", n)
	}
}
