package e2e

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"examcert/internal/printout"
)

// newCameraBrowser is newBrowser with a fake camera that films video (a .y4m file, looped) and a permission
// prompt that always says yes, as a 考务人员's tablet whose camera sees a 准考证.
func newCameraBrowser(t *testing.T, video string) context.Context {
	t.Helper()
	requireChromium(t)
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 768),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return ctx
}

// qrModulesOf reads the dark modules back from the ticket page's QR code (printout.QRSVG, the encoder the 准考证
// uses): one "M x y h n v1 h-n z" run per stretch of dark modules, the quiet zone included in the viewBox.
var qrRun = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`)

func qrModulesOf(t *testing.T, payload string) (side int, dark [][]bool) {
	t.Helper()
	svg, err := printout.QRSVG(payload, 100)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`viewBox="0 0 (\d+) \d+"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no viewBox in %.200s", svg)
	}
	side, _ = strconv.Atoi(m[1])
	dark = make([][]bool, side)
	for i := range dark {
		dark[i] = make([]bool, side)
	}
	runs := qrRun.FindAllStringSubmatch(svg, -1)
	if len(runs) == 0 {
		t.Fatalf("no modules in %.200s", svg)
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		n, _ := strconv.Atoi(r[3])
		for i := x; i < x+n; i++ {
			dark[y][i] = true
		}
	}
	return side, dark
}

// writeQRVideo writes a few frames of 640×480 YUV4MPEG2 (4:2:0) showing the QR code of payload on white, 6 px a
// module, the quiet zone included, and returns the file's path.
func writeQRVideo(t *testing.T, payload string) string {
	t.Helper()
	const w, h, px, frames = 640, 480, 6, 5
	side, dark := qrModulesOf(t, payload)
	if side*px > h {
		t.Fatalf("a %d-module code does not fit in %d px", side, h)
	}
	luma := make([]byte, w*h)
	for i := range luma {
		luma[i] = 235 // white in video range
	}
	x0, y0 := (w-side*px)/2, (h-side*px)/2
	for row := range side {
		for col := range side {
			if !dark[row][col] {
				continue
			}
			for y := y0 + row*px; y < y0+(row+1)*px; y++ {
				for x := x0 + col*px; x < x0+(col+1)*px; x++ {
					luma[y*w+x] = 16 // black in video range
				}
			}
		}
	}
	chroma := make([]byte, (w/2)*(h/2))
	for i := range chroma {
		chroma[i] = 128 // no colour
	}
	path := filepath.Join(t.TempDir(), "ticket.y4m")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(f)
	out.WriteString("YUV4MPEG2 W" + strconv.Itoa(w) + " H" + strconv.Itoa(h) + " F10:1 Ip A1:1 C420\n")
	for range frames {
		out.WriteString("FRAME\n")
		out.Write(luma)
		out.Write(chroma) // U
		out.Write(chroma) // V
	}
	if err := out.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// cameraShown says whether the element sel finds takes up room on the page (false when hidden or missing).
func (b *tab) cameraShown(sel string) bool {
	q := strconv.Quote(sel)
	return run(b, chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+q+`);return !!e && e.getClientRects().length>0})()`))
}

// A 考务人员 with a camera: with JavaScript the 签到 page offers 用摄像头扫码; the camera films the 准考证 QR code,
// the page submits it as a scan and the card says 签到成功; 继续扫码 scans again (已于 … 签到). With the camera
// refused the box says 摄像头不可用. Without JavaScript there is no camera button and a typed 准考证号 works.
func TestCheckinCameraScan(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	srv := startServer(t, bin)
	tokens, _, rooms := checkinSeed(t, srv)
	filmed := rooms["js"].here[0]
	browserCtx := newCameraBrowser(t, writeQRVideo(t, tokens.Sign(filmed.Ticket.TicketNo, filmed.Ticket.DrawID)))

	t.Run("js", func(t *testing.T) {
		r := rooms["js"]
		b := newTab(t, browserCtx, srv, true)
		b.signIn(proctor, demoPassword)
		b.assertScripting()
		b.choose("#room_id", strconv.FormatInt(r.room.ID, 10))
		b.clickAndLoad("[data-testid=checkin-pick-submit]")
		b.eventually("the camera button", func() bool { return b.cameraShown("[data-testid=camera-start]") })
		if got := b.text("[data-testid=camera-start]"); got != "用摄像头扫码" {
			t.Errorf("camera button %q", got)
		}
		if b.cameraShown("[data-testid=camera-video]") {
			t.Error("the video shows before the button is pressed")
		}

		// The camera refused (the person says no, as the browser reports it; --use-fake-ui-for-media-stream says
		// yes to every prompt, so the refusal is made by the page's getUserMedia for this one call): the box says
		// so in Chinese, and the button stays for another try.
		run(b, chromedp.Evaluate[bool](`(function(){var md=navigator.mediaDevices, real=md.getUserMedia;
			md.getUserMedia=function(){md.getUserMedia=real;return Promise.reject(new DOMException("Permission denied","NotAllowedError"))};
			return true})()`))
		b.click("[data-testid=camera-start]")
		b.eventually("摄像头不可用", func() bool {
			return b.text("[data-testid=camera-note]") == "摄像头不可用：未获准使用摄像头。请用扫码枪或输入准考证号。"
		})
		if !b.cameraShown("[data-testid=camera-start]") || b.cameraShown("[data-testid=camera-video]") {
			t.Error("after a refused camera the button should be back and no video shown")
		}
		if b.text("[data-testid=card-name]") != "" {
			t.Error("a refused camera checked someone in")
		}

		b.click("[data-testid=camera-start]")
		b.eventually("the filmed candidate's card", func() bool { return b.text("[data-testid=card-name]") == filmed.Person.Name })
		if got := b.text("[data-testid=card-status]"); !strings.HasPrefix(got, "签到成功 ") {
			t.Errorf("status %q", got)
		}
		if got := b.text("[data-testid=card-ticket]"); got != filmed.Ticket.TicketNo {
			t.Errorf("card 准考证号 %q, want %q", got, filmed.Ticket.TicketNo)
		}
		if b.cameraShown("[data-testid=camera-video]") || b.text("[data-testid=camera-note]") != "" {
			t.Error("the camera should be off after a hit, with no message")
		}
		if got := b.text("[data-testid=camera-start]"); got != "继续扫码" {
			t.Errorf("after a hit the button says %q, want 继续扫码", got)
		}
		live := run(b, chromedp.Evaluate[bool](`!!document.querySelector("[data-testid=camera-video]").srcObject`))
		if live {
			t.Error("the camera stream is still attached after a hit")
		}
		b.screenshot("checkin-camera-js")

		b.click("[data-testid=camera-start]")
		b.eventually("已于 … 签到 on the second scan", func() bool { return strings.HasPrefix(b.text("[data-testid=card-status]"), "已于 ") })
	})

	t.Run("nojs", func(t *testing.T) {
		r := rooms["nojs"]
		b := newTab(t, browserCtx, srv, false)
		b.signIn(proctor, demoPassword)
		b.assertScripting()
		b.choose("#room_id", strconv.FormatInt(r.room.ID, 10))
		b.clickAndLoad("[data-testid=checkin-pick-submit]")
		if b.cameraShown("[data-testid=checkin-camera]") || b.cameraShown("[data-testid=camera-start]") {
			t.Error("without JavaScript the camera button shows")
		}
		who := r.here[0]
		b.checkinScan(who.Ticket.TicketNo)
		if got := b.text("[data-testid=card-name]"); got != who.Person.Name {
			t.Errorf("typed 准考证号: card %q, want %q", got, who.Person.Name)
		}
		if got := b.text("[data-testid=card-status]"); !strings.HasPrefix(got, "签到成功 ") {
			t.Errorf("status %q", got)
		}
		if b.cameraShown("[data-testid=camera-start]") {
			t.Error("without JavaScript the camera button shows after a scan")
		}
	})
}
