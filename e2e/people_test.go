package e2e

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"examcert/internal/ident"
)

// TestPeopleAutofillByIDNumber adds a person to 企业人员信息 as the enterprise jianshe. Typing an ID number fills
// 性别 and 出生日期 (and, for a person the system knows, 姓名) and says where the person stands: with JavaScript
// in place when the field is left, without through the 核对身份证号 button, which posts the form and shows it
// again filled. Then the form is completed and saved, and the new person is found in the list.
func TestPeopleAutofillByIDNumber(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			b := newTab(t, browser, srv, m.js)
			b.signIn(enterprise, demoPassword)
			b.assertScripting()
			b.clickAndLoad(`[data-testid="menu-staff.page"]`)
			b.waitVisible("[data-testid=people-results]")
			b.clickAndLoad("[data-testid=people-add]")
			b.waitVisible("[data-testid=person-form]")
			if got := b.path(); got != "/staff/new" {
				t.Fatalf("新增人员 opened %s, want /staff/new", got)
			}
			if m.js {
				b.setMarker()
			}
			idn := newIDNumber(uint64(i + 1))

			// lookup enters an ID number and has it looked up: with JavaScript by leaving the field, without by
			// 核对身份证号. until says when the answer is on the page.
			lookup := func(number string, until func() bool) {
				t.Helper()
				if m.js {
					b.typeAndLeave("#id_number", number)
					b.eventually("the autofill for "+number, until)
					if !b.hasMarker() {
						t.Error("the ID number lookup reloaded the page; with JavaScript it should fill the form in place")
					}
					return
				}
				b.retype("#id_number", number)
				b.clickAndLoad("[data-testid=check-id]")
				b.waitVisible("[data-testid=person-form]")
				if got := b.path(); got != "/staff" { // the form posted to /staff and came back, nothing saved
					t.Errorf("after 核对身份证号 the tab is on %s, want /staff (the form shown again)", got)
				}
				if !until() {
					t.Errorf("after 核对身份证号 the form is not filled in for %s", number)
				}
			}

			// A valid number nobody has: gender and birth date from the number, and 尚无此人.
			lookup(idn, func() bool { return b.prop("#gender") == "女" })
			if got := b.prop("#gender"); got != "女" {
				t.Errorf("性别 = %q, want 女", got)
			}
			if got := b.prop("#birth_date"); got != "1990-03-04" {
				t.Errorf("出生日期 = %q, want 1990-03-04", got)
			}
			if got := b.prop("#id_number"); got != idn {
				t.Errorf("身份证号 = %q after the lookup, want %s", got, idn)
			}
			if got := b.text("[data-testid=person-stage]"); !strings.Contains(got, "尚无此人") {
				t.Errorf("stage says %q, want 尚无此人", got)
			}
			if got := b.text("[data-testid=lookup-error]"); got != "" {
				t.Errorf("a valid number shows the lookup error %q", got)
			}

			// A known person outside the enterprise's people (张三, who has an account of his own): what the number
			// encodes, 已在系统中登记 and a masked name, never the name itself (SECURITY.md 27).
			lookup(zhangsanIDNumber, func() bool { return strings.Contains(b.text("[data-testid=person-stage]"), "张*") })
			if got := b.prop("#name"); got != "" {
				t.Errorf("姓名 = %q for someone outside the enterprise, want it left empty", got)
			}
			if got := b.prop("#gender") + " " + b.prop("#birth_date"); got != "男 1988-03-12" {
				t.Errorf("性别 and 出生日期 = %q, want 男 1988-03-12", got)
			}
			if got := b.text("[data-testid=person-stage]"); got != "此人已在系统中登记（张*）" {
				t.Errorf("stage of a known person outside says %q, want 此人已在系统中登记（张*）", got)
			}

			// Back to the new number, and the rest of the form.
			name := "王丽华"
			lookup(idn, func() bool { return b.prop("#gender") == "女" })
			b.retype("#name", name)
			b.choose("#education", "本科")
			b.retype("#phone", "13800001111")
			b.clickAndLoad("[data-testid=person-save]")
			if got := b.path(); got != "/staff?ok=added" {
				t.Fatalf("after 保存 the tab is on %s (errors: %q %q), want /staff?ok=added",
					got, b.text("[data-testid=alert-error]"), b.doc().Find(".field .error").Text())
			}
			if got := b.text("[data-testid=alert-ok]"); got != "人员已添加" {
				t.Errorf("the list says %q after adding, want 人员已添加", got)
			}

			b.searchPeople(name)
			rows := b.doc().Find(`#people-results tbody tr[data-testid^="person-row-"]`)
			if rows.Length() != 1 {
				t.Fatalf("searching %s finds %d rows, want 1", name, rows.Length())
			}
			got := rowText(rows)
			for _, want := range []string{name, ident.MaskIDNumber(idn), "女", "1990-03-04", "本科", "13800001111"} {
				if !strings.Contains(got, want) {
					t.Errorf("the new person's row %q lacks %q", got, want)
				}
			}
			if strings.Contains(b.doc().Find("#people-results").Text(), idn) {
				t.Error("the list shows the full ID number; it should be masked")
			}

			// The enterprise's own person now: a new form fills 姓名, 学历 and 手机号码 as stored.
			b.clickAndLoad("[data-testid=people-add]")
			b.waitVisible("[data-testid=person-form]")
			if m.js {
				b.setMarker()
			}
			lookup(idn, func() bool { return b.prop("#phone") == "13800001111" })
			if got := b.prop("#name") + " " + b.prop("#education") + " " + b.prop("#phone"); got != name+" 本科 13800001111" {
				t.Errorf("姓名, 学历 and 手机号码 of one's own person = %q, want %s 本科 13800001111", got, name)
			}
			if m.js { // another number: what the autofill filled goes with the person it was filled for
				lookup(newIDNumber(uint64(i+11)), func() bool { return b.prop("#phone") == "" })
				if got := b.prop("#name") + b.prop("#education") + b.prop("#phone"); got != "" {
					t.Errorf("after another number the form still shows %q of the previous person", got)
				}
			}
		})
	}
}

// searchPeople searches the people list by name (查询) and waits for the results: with JavaScript they replace
// the list in place (and the URL gets ?q=), without the page is loaded again.
func (b *tab) searchPeople(name string) {
	b.t.Helper()
	b.retype("#q", name)
	btn := "[data-testid=people-search] button[type=submit]"
	if !b.js {
		b.clickAndLoad(btn)
		return
	}
	b.click(btn)
	b.eventually("the search results for "+name, func() bool {
		if !strings.Contains(b.path(), "q=") {
			return false
		}
		d := b.doc()
		if d.Find("[data-testid=people-empty]").Length() > 0 {
			return true
		}
		names := d.Find("#people-results [data-testid=cell-name]")
		return names.Length() > 0 && names.FilterFunction(func(_ int, c *goquery.Selection) bool {
			return !strings.Contains(c.Text(), name)
		}).Length() == 0
	})
}

// TestStaffInlineEdit changes a staff member's 手机号码 from the list. With JavaScript, 编辑 turns the row into a
// form in place and 保存 turns it back, with the new number and 修改保存成功, without leaving the list (twice,
// so the row's version is the saved one). Without, 编辑 opens the full edit page, and 保存 leads back to the list.
func TestStaffInlineEdit(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			b := newTab(t, browser, srv, m.js)
			b.signIn(enterprise, demoPassword)
			b.open("/staff")
			b.waitVisible("[data-testid=people-results]")
			b.assertScripting()

			first := b.doc().Find(`#people-results tbody tr[data-testid^="person-row-"]`).First()
			testID, _ := first.Attr("data-testid")
			if testID == "" {
				t.Fatal("the staff list has no rows")
			}
			id := strings.TrimPrefix(testID, "person-row-")
			row := `[data-testid="` + testID + `"]`
			name := strings.TrimSpace(first.Find("[data-testid=cell-name]").Text())

			if !m.js {
				b.clickAndLoad(row + " [data-testid=row-edit]")
				b.waitVisible("[data-testid=person-form]")
				if got := b.path(); got != "/staff/"+id+"/edit" {
					t.Fatalf("编辑 opened %s, want /staff/%s/edit", got, id)
				}
				if got := b.prop("#name"); got != name {
					t.Errorf("the edit page is of %q, want %q", got, name)
				}
				if b.doc().Find("#id_number[readonly]").Length() != 1 {
					t.Error("the ID number of a saved person is editable on the edit page")
				}
				b.retype("#phone", "13912345678")
				b.clickAndLoad("[data-testid=person-save]")
				if got := b.path(); got != "/staff?ok=saved" {
					t.Fatalf("after 保存 the tab is on %s (%q), want /staff?ok=saved", got, b.text("[data-testid=alert-error]"))
				}
				if got := b.text("[data-testid=alert-ok]"); got != "修改保存成功" {
					t.Errorf("the list says %q after saving, want 修改保存成功", got)
				}
				if got := b.text(row + " [data-testid=cell-phone]"); got != "13912345678" {
					t.Errorf("手机号码 in the row = %q after saving, want 13912345678", got)
				}
				b.screenshot("staff-list-" + m.name)
				return
			}

			b.setMarker()
			for round, phone := range []string{"13912345678", "13912345679"} {
				b.click(row + " [data-testid=row-edit]")
				b.waitVisible(row + ".editing input[name=phone]")
				d := b.doc()
				if n := d.Find(row).Length(); n != 1 {
					t.Fatalf("%d rows %s after 编辑, want 1", n, testID)
				}
				if n := d.Find("tr.editing").Length(); n != 1 {
					t.Errorf("%d rows in edit mode, want 1", n)
				}
				if got := b.prop(row + " input[name=name]"); got != name {
					t.Errorf("the row's 姓名 field holds %q, want %q", got, name)
				}
				if round == 0 {
					b.screenshot("staff-inline-edit")
				}
				b.retype(row+" input[name=phone]", phone)
				b.click(row + " [data-testid=row-save]")
				b.eventually("the saved row", func() bool {
					return b.doc().Find(row+":not(.editing) [data-testid=row-message]").Length() == 1
				})
				if got := b.text(row + " [data-testid=cell-phone]"); got != phone {
					t.Errorf("round %d: 手机号码 in the row = %q after 保存, want %s", round+1, got, phone)
				}
				if got := b.text(row + " [data-testid=row-message]"); got != "修改保存成功" {
					t.Errorf("round %d: the row says %q, want 修改保存成功", round+1, got)
				}
				if got := b.text(row + " [data-testid=row-conflict]"); got != "" {
					t.Errorf("round %d: the row reports a conflict: %s", round+1, got)
				}
				if got := b.path(); got != "/staff" {
					t.Errorf("round %d: after 保存 the tab is on %s, want /staff", round+1, got)
				}
				if !b.hasMarker() {
					t.Fatalf("round %d: the inline edit reloaded the page", round+1)
				}
			}
			b.screenshot("staff-list-" + m.name)
			// What the row shows is what was stored.
			b.open("/staff")
			if got := b.text(row + " [data-testid=cell-phone]"); got != "13912345679" {
				t.Errorf("after a reload 手机号码 = %q, want 13912345679", got)
			}
		})
	}
}
