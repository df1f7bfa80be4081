package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Issue 10, more than one server: two examcert processes, each with a data folder of its own, on one PostgreSQL
// database, behind a round-robin proxy that sends each request to the next one. Signing in, filing a 报名表 with
// a photo, seeing that photo from both servers and signing out all work through the proxy; the stored photo is
// in the database (neither folder holds it), and after sign-out the old session cookie is refused by both.
func TestTwoServers(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("servers share only a PostgreSQL database: set TEST_DATABASE_URL")
	}
	t.Parallel()
	bin := testBinary(t)
	proxyArgs := []string{"--trusted-proxies", "127.0.0.1"}
	a := startServer(t, bin, proxyArgs...)
	b := &server{DataDir: t.TempDir(), DatabaseURL: a.DatabaseURL, stderr: &lockedBuffer{}, extraArgs: proxyArgs}
	if err := b.start(t, bin); err != nil {
		t.Fatalf("second server: %v\n%s", err, b.stderr.String())
	}
	backends := []*server{a, b}
	lb := newRoundRobin(t, backends)

	// Sign-in: the page comes from one server, the form goes to the other.
	c := signInHTTP(t, lb.URL, "jianshe")
	session := c.cookie("examcert_session")
	if session == "" {
		t.Fatal("no session cookie after sign-in")
	}
	for i, s := range backends {
		if status, loc := getWithSession(t, s.URL, "/registrations", session); status != http.StatusOK {
			t.Fatalf("server %d refuses the session made through the proxy: %d → %s", i, status, loc)
		}
	}

	// 报名表 with a photo, through the proxy; the photo is then read from each server directly.
	var planID int64
	db := a.db(t)
	if err := db.QueryRow("SELECT id FROM exam_plans WHERE name = $1", regPlanSafety).Scan(&planID); err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile(regPhotoFile(t, t.TempDir(), "p.jpg", 3))
	if err != nil {
		t.Fatal(err)
	}
	idNumber := regIDNumber(900)
	status, body := c.postMultipart(t, "/registrations", map[string]string{"plan": strconv.FormatInt(planID, 10),
		"id_number": idNumber, "name": "两台服务器", "education": "本科", "work_start_date": "2012-07-01",
		"employer_name": "北京城建示范工程有限公司"}, photo)
	if status != http.StatusSeeOther {
		t.Fatalf("报名表 through the proxy: %d %q", status, formErrors(body))
	}
	uploadedOn := lb.last()
	var regID int64
	if err := db.QueryRow(`SELECT r.id FROM registrations r JOIN persons p ON p.id = r.person_id
		WHERE r.plan_id = $1 AND p.id_number = $2`, planID, idNumber).Scan(&regID); err != nil {
		t.Fatalf("the 报名表 was not saved: %v", err)
	}
	photoPath := "/registrations/" + strconv.FormatInt(regID, 10) + "/photo"
	var shown [2][]byte
	for i, s := range backends {
		ct, got := getPhoto(t, s.URL, photoPath, session)
		if ct != "image/jpeg" || len(got) == 0 {
			t.Fatalf("server %d: photo answered %q, %d bytes", i, ct, len(got))
		}
		shown[i] = got
	}
	if !bytes.Equal(shown[0], shown[1]) {
		t.Fatalf("the photo uploaded on server %d differs between the servers (%d and %d bytes)", uploadedOn, len(shown[0]), len(shown[1]))
	}
	for i, s := range backends {
		if files := filesUnder(t, filepath.Join(s.DataDir, "blobs")); len(files) > 0 {
			t.Errorf("server %d keeps stored files in its own folder: %v", i, files)
		}
	}

	// Sign-out through the proxy ends the session on both servers.
	c.signOut(t, lb.URL)
	for i, s := range backends {
		status, loc := getWithSession(t, s.URL, "/registrations", session)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("server %d still takes the signed-out session: %d → %q", i, status, loc)
		}
		if ct, _ := getPhoto(t, s.URL, photoPath, session); ct == "image/jpeg" {
			t.Errorf("server %d still shows the photo to the signed-out session", i)
		}
	}
	if n := lb.served(); n[0] == 0 || n[1] == 0 {
		t.Fatalf("the proxy did not use both servers: %v", n)
	}
}

// roundRobin is the load balancer of the test: each request goes to the next backend, as a reverse proxy that
// adds X-Forwarded-For (the servers trust 127.0.0.1 as a proxy).
type roundRobin struct {
	*httptest.Server
	next   atomic.Int64
	mu     sync.Mutex
	counts []int
	lastTo int
}

func newRoundRobin(t *testing.T, backends []*server) *roundRobin {
	t.Helper()
	lb := &roundRobin{counts: make([]int, len(backends))}
	proxies := make([]*httputil.ReverseProxy, len(backends))
	for i, s := range backends {
		target, err := url.Parse(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		proxies[i] = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded()
			r.Out.Host = r.In.Host // the servers see the address the browser used, as behind a real balancer
		}}
	}
	lb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(lb.next.Add(1)-1) % len(proxies)
		lb.mu.Lock()
		lb.counts[i]++
		lb.lastTo = i
		lb.mu.Unlock()
		proxies[i].ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	return lb
}

// last is the backend that took the latest request.
func (lb *roundRobin) last() int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.lastTo
}

// served is how many requests each backend took.
func (lb *roundRobin) served() []int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return append([]int(nil), lb.counts...)
}

// getWithSession sends GET path to one server with only the given session cookie, and returns the status and
// where it redirects.
func getWithSession(t *testing.T, base, path, session string) (int, string) {
	t.Helper()
	resp := sessionGet(t, base, path, session)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// getPhoto fetches a photo from one server with the session cookie: its content type ("" unless 200) and bytes.
func getPhoto(t *testing.T, base, path, session string) (string, []byte) {
	t.Helper()
	resp := sessionGet(t, base, path, session)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", nil
	}
	return resp.Header.Get("Content-Type"), b
}

func sessionGet(t *testing.T, base, path, session string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.AddCookie(&http.Cookie{Name: "examcert_session", Value: session})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// filesUnder lists the regular files below dir (none when dir does not exist).
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
