package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestShippedBinaryHasNoTestHooks checks that the captcha test hook exists only in the testhooks build: its route
// is not in the shipped binary's bytes, and a running shipped server answers 404 for a captcha that exists.
func TestShippedBinaryHasNoTestHooks(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	const hook = "/_test/captcha"
	plain, hooked := plainBinary(t), testBinary(t)
	for _, c := range []struct {
		bin  string
		want bool
	}{{plain, false}, {hooked, true}} {
		b, err := os.ReadFile(c.bin)
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(b, []byte(hook)); got != c.want {
			t.Errorf("%s contains %q: %v, want %v", c.bin, hook, got, c.want)
		}
	}

	for _, c := range []struct {
		name string
		bin  string
		want int
	}{{"plain", plain, http.StatusNotFound}, {"testhooks", hooked, http.StatusOK}} {
		t.Run(c.name, func(t *testing.T) {
			srv := startServer(t, c.bin)
			id := loginCaptchaID(t, srv.URL)
			if got := get(t, srv.URL, hook+"/"+url.PathEscape(id)).StatusCode; got != c.want {
				t.Errorf("GET %s/<id of a live captcha> = %d, want %d", hook, got, c.want)
			}
			if got := get(t, srv.URL, hook+"/x").StatusCode; got != http.StatusNotFound {
				t.Errorf("GET %s/x = %d, want 404", hook, got)
			}
		})
	}
}

// loginCaptchaID fetches /login with a plain client and returns the id of the captcha it made.
func loginCaptchaID(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	d, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := d.Find("[data-testid=captcha-id]").Attr("value")
	if id == "" {
		t.Fatalf("GET /login has no captcha id:\n%s", body)
	}
	return id
}
