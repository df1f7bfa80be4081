package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// actionTimeout bounds every single browser step.
const actionTimeout = 30 * time.Second

// newBrowser starts one headless Chromium for a test function, with a fresh profile; it stops when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	requireChromium(t)
	profile := t.TempDir() // removed after the browser below has exited (cleanups run last-in first-out)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 768),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to ctx and not to a step's timeout
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return ctx
}

// mode is one way a person uses the site: with JavaScript (htmx swaps in place) or without (plain forms).
type mode struct {
	name string // js or nojs
	js   bool
}

var modes = []mode{{"js", true}, {"nojs", false}}

// tab is one browser tab in a browser context of its own (its own cookies), bound to a test and a server.
type tab struct {
	t   *testing.T
	ctx context.Context
	srv *server
	js  bool
}

// newTab opens a tab in a fresh browser context (like a private window), with JavaScript off when !js.
func newTab(t *testing.T, browser context.Context, srv *server, js bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatal(err)
	}
	if !js {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		if err != nil {
			t.Fatalf("turn JavaScript off: %v", err)
		}
	}
	return &tab{t: t, ctx: ctx, srv: srv, js: js}
}

// do runs steps with a timeout and fails the test on error.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser step failed at %s: %v", b.location(), err)
	}
}

// run runs one action that returns a value, with a timeout, and fails the test on error.
func run[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser step failed at %s: %v", b.location(), err)
	}
	return v
}

// location is the tab's current URL (best effort; for messages and assertions).
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	info, err := chromedp.Run(ctx, chromedp.NavigationEntries())
	if err != nil || int(info.CurrentIndex) >= len(info.Entries) || info.CurrentIndex < 0 {
		return "?"
	}
	return info.Entries[info.CurrentIndex].URL
}

// path is the path and query of the tab's URL, e.g. /login?reason=signed_out.
func (b *tab) path() string {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// open loads a path of the server and waits for the page to load.
func (b *tab) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.srv.URL + path))
}

// clickAndLoad clicks what sel finds and waits for the new document to load (a link or a plain form post).
func (b *tab) clickAndLoad(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	if err != nil {
		b.t.Fatalf("click %s and wait for the next page, at %s: %v", sel, b.location(), err)
	}
	if msg := b.text("[data-testid=error-page]"); msg != "" {
		b.t.Fatalf("click %s led to an error page at %s: %s", sel, b.location(), msg)
	}
}

// staleCSRF lists what on the page carries a CSRF token other than the browser's current token cookie.
func (b *tab) staleCSRF() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.srv.URL}})
	if err != nil {
		b.t.Fatal(err)
	}
	token := ""
	for _, c := range res.Cookies {
		if c.Name == "examcert_csrf" {
			token = c.Value
		}
	}
	if token == "" {
		b.t.Fatal("the browser has no examcert_csrf cookie")
	}
	var stale []string
	d := b.doc()
	d.Find("input[name=_csrf]").Each(func(_ int, in *goquery.Selection) {
		if v, _ := in.Attr("value"); v != token {
			action, _ := in.Closest("form").Attr("action")
			stale = append(stale, "the _csrf field of the form posting to "+action)
		}
	})
	if h, ok := d.Find("body").Attr("hx-headers"); ok && !strings.Contains(h, token) {
		stale = append(stale, "the hx-headers of <body>")
	}
	return stale
}

// clickForResponse clicks what sel finds and returns the first response the tab then receives for path.
func (b *tab) clickForResponse(sel, path string) *network.EventResponseReceived {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	responses := chromedp.Events(ctx, network.ResponseReceived) // subscribed before the click: nothing is missed
	b.click(sel)
	for ev, err := range responses {
		if err != nil {
			b.t.Fatalf("no response for %s after clicking %s: %v", path, sel, err)
		}
		if u, err := url.Parse(ev.Response.URL); err == nil && u.Path == path {
			return &ev
		}
	}
	b.t.Fatalf("no response for %s after clicking %s", path, sel)
	return nil
}

// header is a response header by case-insensitive name.
func header(r *network.Response, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// click clicks what sel finds and does not wait for anything.
func (b *tab) click(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel)))
}

// submit clicks a submit button: with JavaScript it may be an htmx request, so the caller waits for what it
// expects; without, it waits for the next page.
func (b *tab) submit(sel string) {
	b.t.Helper()
	if b.js {
		b.click(sel)
		return
	}
	b.clickAndLoad(sel)
}

// fill types value into the input with id, after emptying it.
func (b *tab) fill(id, value string) {
	b.t.Helper()
	sel := chromedp.CSS("#" + id)
	b.do(chromedp.WaitVisible(sel), chromedp.Clear(sel), chromedp.SendKeys(sel, value))
}

// choosePhoto chooses file in the form's photo field (#photo). With JavaScript on, it waits until the preview
// (static/app.js) has loaded: until then the page grows under the form, and a click aimed at a button below it can
// land where the button was (TestChain/js once timed out so, waiting for 【保存】's next page).
func (b *tab) choosePhoto(file string) {
	b.t.Helper()
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#photo"), []string{file}))
	if !b.js {
		return
	}
	b.waitVisible("#crop-preview img")
	b.eventually("the photo's preview to load", func() bool {
		return run(b, chromedp.Evaluate[bool](`(() => { const i = document.querySelector("#crop-preview img"); return i.complete && i.naturalWidth > 0; })()`))
	})
}

// waitVisible waits until sel shows.
func (b *tab) waitVisible(sel string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// doc is the current DOM as goquery sees it (read through DevTools, so it works with JavaScript off too).
func (b *tab) doc() *goquery.Document {
	b.t.Helper()
	html := run(b, chromedp.OuterHTML(chromedp.CSS("html")))
	d, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		b.t.Fatal(err)
	}
	return d
}

// text is the trimmed text of the first element sel finds in the current DOM ("" when there is none).
func (b *tab) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(b.doc().Find(sel).First().Text())
}

// value is the value attribute of the first element sel finds.
func (b *tab) value(sel string) string {
	b.t.Helper()
	v, _ := b.doc().Find(sel).First().Attr("value")
	return v
}

// eventually polls cond every 50 ms until it holds or the step timeout ends.
func (b *tab) eventually(what string, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.t.Fatalf("timed out waiting for %s (at %s)", what, b.location())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot saves a full-page PNG to <module root>/artifacts/name.png (the folder is git-ignored).
func (b *tab) screenshot(name string) {
	b.t.Helper()
	png := run(b, chromedp.FullScreenshot(100))
	dir := filepath.Join(root(b.t), "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// htmxReady waits, with JavaScript, until htmx has taken charge of what sel finds (the element, or the nearest
// one around it with hx-post, hx-get or hx-boost) and no swap is under way: a click on content just swapped in, before htmx
// has processed it, would post a plain form instead. Without JavaScript it does nothing.
func (b *tab) htmxReady(sel string) {
	b.t.Helper()
	if !b.js {
		return
	}
	q, _ := json.Marshal(sel)
	expr := `(function(){var e=document.querySelector(` + string(q) + `);e=e&&e.closest("[hx-post],[hx-get],[hx-boost]");` +
		`var d=e&&e["htmx-internal-data"];` +
		`return !!(d&&d.initHash)&&!document.querySelector(".htmx-request,.htmx-settling,.htmx-swapping,.htmx-added")})()`
	b.eventually("htmx ready for "+sel, func() bool { return run(b, chromedp.Evaluate[bool](expr)) })
}
