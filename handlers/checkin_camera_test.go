package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The 签到 page, and no other, may use the camera: its Permissions-Policy says camera=(self), every other page's
// camera=(). Its camera box is hidden until the script shows it, and only it loads the camera script and names the
// QR decoder, which is served.
func TestCheckinCameraPermission(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := newCheckinDay(t, e)
	c := e.client().signIn("kaowu")
	const camera, noCamera = "camera=(self), microphone=(), geolocation=()", "camera=(), microphone=(), geolocation=()"

	p := c.get("/checkin?plan_id=" + checkinItoa(d.planA.ID))
	if p.Status != http.StatusOK {
		t.Fatalf("签到 page: %d", p.Status)
	}
	if got := p.Header.Get("Permissions-Policy"); got != camera {
		t.Errorf("签到 page Permissions-Policy %q, want %q", got, camera)
	}
	box := p.Doc.Find(`[data-testid="checkin-camera"]`)
	if _, hidden := box.Attr("hidden"); box.Length() != 1 || !hidden {
		t.Fatalf("the camera box must be on the page and hidden until the script shows it (found %d)", box.Length())
	}
	if got := strings.TrimSpace(box.Find(`[data-testid="camera-start"]`).Text()); got != "用摄像头扫码" {
		t.Errorf("camera button %q", got)
	}
	if p.Doc.Find(`script[src^="/static/checkin-camera.js?v="]`).Length() != 1 {
		t.Error("the 签到 page does not load checkin-camera.js")
	}
	decoder, _ := box.Attr("data-decoder")
	if !strings.HasPrefix(decoder, "/static/vendor/jsQR-1.4.0.js?v=") {
		t.Fatalf("decoder address %q", decoder)
	}
	for _, src := range []string{decoder, "/static/vendor/jsQR-LICENSE.txt"} {
		f := c.get(src)
		if f.Status != http.StatusOK || f.Body == "" {
			t.Errorf("%s: %d", src, f.Status)
		}
	}
	if f := c.get(decoder); !strings.Contains(f.Header.Get("Content-Type"), "javascript") || !strings.Contains(f.Body, `root["jsQR"]`) {
		t.Errorf("decoder served as %q", f.Header.Get("Content-Type"))
	}

	// A refusal without JavaScript is the 签到 page again (a POST to the same address): the camera stays allowed.
	refused := c.submit("/checkin", "/checkin", url.Values{"plan_id": {checkinItoa(d.planA.ID)}, "room_id": {checkinItoa(d.a1.ID)}, "code": {"X"}})
	if refused.Status != http.StatusOK || refused.Text(`[data-testid="checkin-refusal"] strong`) == "" {
		t.Fatalf("refusal: %d", refused.Status)
	}
	if got := refused.Header.Get("Permissions-Policy"); got != camera {
		t.Errorf("refusal page Permissions-Policy %q, want %q", got, camera)
	}

	for _, path := range []string{"/checkin/rooms/" + checkinItoa(d.a1.ID), "/account/password"} {
		o := c.get(path)
		if o.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, o.Status)
		}
		if got := o.Header.Get("Permissions-Policy"); got != noCamera {
			t.Errorf("%s Permissions-Policy %q, want %q", path, got, noCamera)
		}
		if o.Doc.Find(`[data-testid="checkin-camera"], script[src*="checkin-camera"], [data-decoder]`).Length() != 0 {
			t.Errorf("%s carries the camera box or script", path)
		}
	}
	anon := e.client().get("/login")
	if got := anon.Header.Get("Permissions-Policy"); got != noCamera {
		t.Errorf("/login Permissions-Policy %q, want %q", got, noCamera)
	}
}
