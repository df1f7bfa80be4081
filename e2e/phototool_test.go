package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestPhotoToolDownload uses the public 一寸照片生成 page, signed out: the chosen PNG is posted as multipart form
// data and comes back as a download, which the browser saves; it is a 295×413 JPEG, and the page stays where it
// was.
func TestPhotoToolDownload(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	srv := startServer(t, bin) // two photos: well within the tool's limit of 6 a minute per address
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			file := twoTonePhoto(t, 700, 980, "png")
			b := newTab(t, browser, srv, m.js)
			b.open("/photo-tool")
			b.waitVisible("[data-testid=photo-tool-form]")
			b.assertScripting()
			form := b.doc().Find("[data-testid=photo-tool-form]")
			if got, _ := form.Attr("enctype"); got != "multipart/form-data" {
				t.Errorf("the form has enctype %q, want multipart/form-data", got)
			}
			if got, _ := form.Attr("method"); !strings.EqualFold(got, "post") {
				t.Errorf("the form has method %q, want post", got)
			}

			dir := b.allowDownloads()
			b.choosePhoto(file) // no crop box is dragged, so the photo is centred

			ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
			defer cancel()
			requests := chromedp.Events(ctx, network.RequestWillBeSent) // subscribed before the click
			dl := b.clickForDownload("[data-testid=photo-tool-submit]", dir)
			for ev, err := range requests {
				if err != nil {
					t.Fatalf("no request for POST /photo-tool seen: %v", err)
				}
				u, _ := url.Parse(ev.Request.URL)
				if u == nil || u.Path != "/photo-tool" || ev.Request.Method != "POST" {
					continue
				}
				ct := ""
				for k, v := range ev.Request.Headers {
					if strings.EqualFold(k, "Content-Type") {
						ct, _ = v.(string)
					}
				}
				if !strings.HasPrefix(ct, "multipart/form-data; boundary=") {
					t.Errorf("the photo was posted as %q, want multipart/form-data", ct)
				}
				break
			}

			if !strings.HasSuffix(dl.Name, ".jpg") {
				t.Errorf("the download is named %q, want a .jpg", dl.Name)
			}
			photo := decodePhoto(t, "the downloaded photo", dl.Data)
			if got := tone(photo, 40, 200) + " " + tone(photo, 255, 200); got != "red blue" {
				t.Errorf("the downloaded photo shows %s left and right, want red blue (the middle of the picture)", got)
			}
			if got := b.path(); got != "/photo-tool" {
				t.Errorf("after the download the tab is on %s, want /photo-tool", got)
			}
			if got := b.text("[data-testid=alert-error]"); got != "" {
				t.Errorf("the page shows an error: %s", got)
			}
		})
	}
}
