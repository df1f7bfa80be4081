package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"examcert/internal/ident"
)

// Helpers for the person forms (autofill, inline edit), photos and downloads.

// Demo data the people tests rely on (demo.Accounts, a fixed seed).
const (
	jiansheName       = "北京城建示范工程有限公司"
	jiansheCreditCode = "91110105G1921G9139"
	jiansheOrgCode    = "G1921G913"
	zhangsanIDNumber  = "110105198803123397"
)

// newIDNumber is a valid ID number that no demo person has: a woman born on 1990-03-04 in 东城区 (110101).
func newIDNumber(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 2026))
	return ident.GenerateIDNumber(r, "110101", time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC), ident.GenderFemale)
}

// retype empties the input sel finds and types value into it, as a person would. Unlike fill, it also empties an
// input that was typed into (chromedp.Clear only resets the value attribute, which no longer counts once the
// value was edited).
func (b *tab) retype(sel, value string) {
	b.t.Helper()
	s := chromedp.CSS(sel)
	q, _ := json.Marshal(sel)
	// Emptied without events (chromedp.SetValue fires input and change, which would start an autofill).
	b.do(chromedp.WaitVisible(s),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+string(q)+`).value = ""`),
		chromedp.SendKeys(s, value))
}

// typeAndLeave retypes the input and presses Tab: the focus moves on and the input fires change, which is what
// the autofills (hx-trigger="change") listen to.
func (b *tab) typeAndLeave(sel, value string) {
	b.t.Helper()
	b.retype(sel, value)
	b.do(chromedp.KeyEvent(kb.Tab))
}

// prop is the current value of a form control: what the page shows, typed or filled in (not the value attribute).
// It is read in one step in the page, so it is safe to poll while htmx swaps the control for a new one.
func (b *tab) prop(sel string) string {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	v := run(b, chromedp.Evaluate[*string](`(document.querySelector(`+string(q)+`) || {value: null}).value`))
	if v == nil {
		b.t.Fatalf("no %s on the page at %s", sel, b.location())
	}
	return *v
}

// choose sets the value of a control a person picks from rather than types into: a <select>, a date input.
func (b *tab) choose(sel, value string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.CSS(sel), value))
	if got := b.prop(sel); got != value {
		b.t.Fatalf("%s: chose %q, the control holds %q (no such option?)", sel, value, got)
	}
}

// rowText is a table row's cells, each trimmed, joined with " | ".
func rowText(row *goquery.Selection) string {
	var cells []string
	row.Find("td").Each(func(_ int, td *goquery.Selection) {
		cells = append(cells, strings.Join(strings.Fields(td.Text()), " "))
	})
	return strings.Join(cells, " | ")
}

// fetched is a response body read by the page itself.
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Data   string `json:"data"` // base64
}

// fetch GETs path with the page's own fetch(), so with the tab's cookies and session, and returns the body.
func (b *tab) fetch(path string) (body []byte, contentType string) {
	b.t.Helper()
	p, _ := json.Marshal(path)
	expr := `fetch(` + string(p) + `, {credentials: "same-origin", cache: "no-store"}).then(async r => {
		const u = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
		return {status: r.status, type: r.headers.get("content-type") || "", data: btoa(s)};
	})`
	res := run(b, chromedp.Evaluate[fetched](expr, chromedp.EvalAwaitPromise))
	if res.Status != 200 {
		b.t.Fatalf("GET %s from the page: status %d", path, res.Status)
	}
	data, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return data, res.Type
}

// Colours of the two halves of twoTonePhoto: which of them a processed photo shows tells where it was cropped.
var (
	leftTone  = color.RGBA{200, 40, 40, 255} // red
	rightTone = color.RGBA{40, 60, 200, 255} // blue
)

// twoTonePhoto draws a w×h picture whose left half is red and right half blue, with a lighter band at the top so
// it is not two flat areas, and writes it to a temp file as JPEG or PNG. It returns the file's path.
func twoTonePhoto(t *testing.T, w, h int, format string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := leftTone
			if x >= w/2 {
				c = rightTone
			}
			if y < h/10 {
				c.G += 60
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "photo-"+strings.ReplaceAll(t.Name(), "/", "-")+"."+format)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tone says which half of twoTonePhoto the pixel at x, y of img looks like: "red", "blue" or "other".
func tone(img image.Image, x, y int) string {
	r, g, bl, _ := img.At(x, y).RGBA()
	r, g, bl = r>>8, g>>8, bl>>8
	switch {
	case r > 150 && bl < 100 && g < 140:
		return "red"
	case bl > 150 && r < 100:
		return "blue"
	}
	return "other"
}

// decodePhoto decodes a processed photo and checks it is a 295×413 JPEG.
func decodePhoto(t *testing.T, what string, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a JPEG (%d bytes): %v", what, len(data), err)
	}
	if s := img.Bounds().Size(); s.X != 295 || s.Y != 413 {
		t.Fatalf("%s is %d×%d, want 295×413", what, s.X, s.Y)
	}
	return img
}

// rect is an element's box in the viewport, in CSS pixels.
type rect struct {
	X, Y, W, H float64
}

// box is where sel is in the viewport, after scrolling it into view.
func (b *tab) box(sel string) rect {
	b.t.Helper()
	b.do(chromedp.ScrollIntoView(chromedp.CSS(sel)))
	q, _ := json.Marshal(sel)
	return run(b, chromedp.Evaluate[rect](`(() => { const r = document.querySelector(`+string(q)+
		`).getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`))
}

// drag presses the left mouse button at from, moves in steps to to, and releases it there.
func (b *tab) drag(fromX, fromY, toX, toY float64) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, fromX, fromY),
		chromedp.MouseEvent(chromedp.MousePressed, fromX, fromY, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	}
	const n = 8
	for i := 1; i <= n; i++ {
		x, y := fromX+(toX-fromX)*float64(i)/n, fromY+(toY-fromY)*float64(i)/n
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft, func(p *input.DispatchMouseEventParams) {
			p.Buttons = 1
		}))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, toX, toY, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	b.do(steps...)
}

// allowDownloads makes the tab's browser context save downloads into a new temp folder, and returns the folder.
func (b *tab) allowDownloads() string {
	b.t.Helper()
	dir := b.t.TempDir()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
		BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
		DownloadPath:     dir,
		EventsEnabled:    new(true),
	})
	if err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
	return dir
}

// download is a file the browser saved.
type download struct {
	Name string // the name the server suggested
	Data []byte
}

// clickForDownload clicks sel and waits until the browser has saved the download it starts into dir (see
// allowDownloads).
func (b *tab) clickForDownload(sel, dir string) download {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	begins := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin) // subscribed before the click
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	b.click(sel)
	var begin browser.EventDownloadWillBegin
	for ev, err := range begins {
		if err != nil {
			b.t.Fatalf("no download started after clicking %s (at %s): %v", sel, b.location(), err)
		}
		begin = ev
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("download %s did not finish: %v", begin.SuggestedFilename, err)
		}
		if ev.GUID != begin.GUID {
			continue
		}
		switch ev.State {
		case browser.DownloadProgressStateCanceled:
			b.t.Fatalf("download %s was canceled", begin.SuggestedFilename)
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, begin.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			return download{Name: begin.SuggestedFilename, Data: data}
		}
	}
	b.t.Fatalf("download %s did not finish", begin.SuggestedFilename)
	return download{}
}
