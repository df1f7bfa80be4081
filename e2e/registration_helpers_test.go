package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"examcert/internal/ident"
)

// Helpers for the registration tests (考试报名, 批量报名, the exam-plan picker).

// The demo exam plans (demo.seedPlans): two open for registration, one draft.
const (
	regPlanConstruction = "2026年第四季度施工员（土建）岗位考试" // at least 1 year of work, 高中/中专/技校 or more
	regPlanSafety       = "2026年第四季度安全员考试"       // at least 2 years of work, no education minimum
	regPlanDraft        = "2027年第一季度质量员（土建）岗位考试" // a draft: nobody may register or pick it
)

// regBirth is the birth date of regIDNumber(n): 1985-01-01 plus n days.
func regBirth(n int) time.Time { return time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }

// regIDNumber is a valid ID number no demo person has: a man born on regBirth(n) in 西城区 (110102). Different n
// give different numbers.
func regIDNumber(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 77))
	return ident.GenerateIDNumber(r, "110102", regBirth(n), ident.GenderMale)
}

// regBadCheckDigit is idn with another last character, so that its check digit is wrong.
func regBadCheckDigit(idn string) string {
	c := "0"
	if idn[17] == '0' {
		c = "1"
	}
	return idn[:17] + c
}

// regPhotoFile draws a 600×840 portrait-like picture (a face on a light background, varied by seed), writes it to
// dir/name as JPEG and returns the path. The name matters for the batch photo upload (<ID number>.jpg).
func regPhotoFile(t *testing.T, dir, name string, seed int) string {
	t.Helper()
	const w, h = 600, 840
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	face := color.RGBA{uint8(140 + seed*17%90), 105, 90, 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{225, 232, uint8(235 + y%20), 255}
			dx, dy := x-w/2, y-h*2/5
			switch {
			case dx*dx+dy*dy < (w/4)*(w/4):
				c = face
				c.R += uint8(x % 30)
			case y > h*3/4 && dx*dx < (w*2/5)*(w*2/5):
				c = color.RGBA{40, 50, uint8(80 + x%40), 255} // shoulders
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// regOpenPlanID is the id of the plan called name in 正在报名的考试 on the 考试报名 page (open-plan-<id>).
func (b *tab) regOpenPlanID(name string) string {
	b.t.Helper()
	id := ""
	var names []string
	b.doc().Find(`[data-testid^="open-plan-"]`).Each(func(_ int, tr *goquery.Selection) {
		n := strings.TrimSpace(tr.Find("td").First().Text())
		names = append(names, n)
		if n == name {
			id = strings.TrimPrefix(tr.AttrOr("data-testid", ""), "open-plan-")
		}
	})
	if id == "" {
		b.t.Fatalf("the 考试报名 page (%s) lists no open plan %s; it lists %q", b.location(), name, names)
	}
	return id
}

var regDetailPath = regexp.MustCompile(`^/registrations/(\d+)\?ok=1$`)

// regExpectSaved checks that 保存 led to the 报名成功 page with the status given (待审核, or 待单位确认 when the
// registration names a registered enterprise that did not file it) and returns the registration's id. When it did
// not, it fails with what the form says is wrong.
func (b *tab) regExpectSaved(status string) string {
	b.t.Helper()
	m := regDetailPath.FindStringSubmatch(b.path())
	if m == nil {
		d := b.doc()
		var errs []string
		d.Find(".error, [data-testid=alert-error], [data-testid=error-plan]").Each(func(_ int, s *goquery.Selection) {
			errs = append(errs, strings.TrimSpace(s.Text()))
		})
		b.t.Fatalf("after 保存 the tab is on %s, want /registrations/<id>?ok=1; the page says %q", b.path(), errs)
	}
	b.waitVisible("[data-testid=reg-detail-panel]")
	if got := b.text("[data-testid=alert-ok]"); got != "报名成功" {
		b.t.Errorf("after 保存 the page says %q, want 报名成功", got)
	}
	if got := b.text("[data-testid=reg-status]"); got != status {
		b.t.Errorf("status after 保存 = %q, want %s", got, status)
	}
	return m[1]
}

// regDetail is the value of a field on the 报名信息 page (data-testid=detail-<label>).
func (b *tab) regDetail(label string) string {
	b.t.Helper()
	return b.text(`[data-testid="detail-` + label + `"]`)
}

// regLookupID types an ID number into the 报名表 of an organization and has it looked up: with JavaScript by
// leaving the field (htmx fills 性别 and 出生日期 in place), without through 核对身份证号 (the form is posted and
// shown again filled in, nothing saved). It checks the gender and birth date the number gives.
func (b *tab) regLookupID(idn, gender, birth string) {
	b.t.Helper()
	filled := func() bool { return b.prop("#gender") == gender && b.prop("#birth_date") == birth }
	if b.js {
		before := b.path()
		b.setMarker()
		b.typeAndLeave("#id_number", idn)
		b.eventually("性别 and 出生日期 filled from "+idn, filled)
		if !b.hasMarker() {
			b.t.Error("the ID number lookup reloaded the page; with JavaScript it should fill the form in place")
		}
		if got := b.path(); got != before {
			b.t.Errorf("the ID number lookup moved the tab from %s to %s", before, got)
		}
	} else {
		b.retype("#id_number", idn)
		b.clickAndLoad("[data-testid=check-id]")
		b.waitVisible("[data-testid=reg-form]")
		if got := b.path(); got != "/registrations" { // the form posted to /registrations and came back
			b.t.Errorf("after 核对身份证号 the tab is on %s, want /registrations (the form shown again)", got)
		}
		if !filled() {
			b.t.Errorf("after 核对身份证号 性别/出生日期 = %q/%q, want %s/%s", b.prop("#gender"), b.prop("#birth_date"), gender, birth)
		}
	}
	if got := b.prop("#id_number"); got != idn {
		b.t.Errorf("身份证号 = %q after the lookup, want %s", got, idn)
	}
	if got := b.text("[data-testid=lookup-error]"); got != "" {
		b.t.Errorf("a valid ID number shows the lookup error %q", got)
	}
}

// regListRow is a row of a registrations table as a person reads it.
type regListRow struct {
	ID, Name, Status string // Status: the status cell, e.g. 待审核（缺照片） or 待审核 已缴费
	Deletable        bool   // it has 【删除】
}

// regRows reads the rows of the registrations table inside scope (a CSS selector).
func (b *tab) regRows(scope string) []regListRow {
	b.t.Helper()
	var rows []regListRow
	b.doc().Find(scope + ` tr[data-testid^="reg-row-"]`).Each(func(_ int, tr *goquery.Selection) {
		rows = append(rows, regListRow{
			ID:        strings.TrimPrefix(tr.AttrOr("data-testid", ""), "reg-row-"),
			Name:      strings.TrimSpace(tr.Find("td").Eq(2).Text()),
			Status:    strings.Join(strings.Fields(tr.Find("[data-testid=reg-status]").Text()), " "),
			Deletable: tr.Find("[data-testid=reg-delete]").Length() == 1,
		})
	})
	return rows
}

// regRowOf is the row of the person called name, or fails.
func regRowOf(t *testing.T, rows []regListRow, name string) regListRow {
	t.Helper()
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no row for %s in %+v", name, rows)
	return regListRow{}
}

// regPickerNames lists the plan names the exam-plan picker shows.
func (b *tab) regPickerNames() []string {
	b.t.Helper()
	var names []string
	b.doc().Find("[data-testid=plan-picker] [data-testid=picker-row] [data-testid=picker-choose]").Each(func(_ int, a *goquery.Selection) {
		names = append(names, strings.TrimSpace(a.Text()))
	})
	return names
}

// regDialogLog records the JavaScript dialogs (alert, confirm) a tab opened; each is accepted (【确定】).
type regDialogLog struct {
	mu   sync.Mutex
	msgs []string
}

func (d *regDialogLog) messages() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.msgs...)
}

// regAcceptDialogs accepts every dialog the tab opens from now until the test ends, noting its message. A click that
// opens a dialog returns once the dialog is closed.
func (b *tab) regAcceptDialogs() *regDialogLog {
	b.t.Helper()
	d := &regDialogLog{}
	ctx, cancel := context.WithCancel(b.ctx)
	b.t.Cleanup(cancel)
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening) // subscribed now: no dialog is missed
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.msgs = append(d.msgs, ev.Message)
			d.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return d
}

// regMarkPaid marks a registration paid behind the server's back, as the payment system would (paid_at is set to
// the registration's own created_at, which is in the format each database stores times in).
func (s *server) regMarkPaid(t *testing.T, regID string) {
	t.Helper()
	if _, err := strconv.ParseInt(regID, 10, 64); err != nil {
		t.Fatalf("registration id %q is not a number", regID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.db(t).ExecContext(ctx, "UPDATE registrations SET paid_at = created_at WHERE id = "+regID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("marking registration %s paid changed %d rows", regID, n)
	}
}

// regFillTemplate writes rows into the data sheet of the downloaded 报名表导入模版.xlsx, from row 2 (under the
// headings), as a person with Excel would, and saves it as dir/name. It returns the path.
func regFillTemplate(t *testing.T, template []byte, rows [][]any, dir, name string) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(template))
	if err != nil {
		t.Fatalf("the downloaded template is not a workbook: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}
