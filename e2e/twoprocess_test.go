package e2e

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// SECURITY.md 22 across processes: two servers on one database (the SQLite file, or the PostgreSQL database), the
// same 报名表s sent to both at the same moment. Each process queues its own SQLite writers; between processes,
// SQLite's busy timeout (or PostgreSQL's locks) must still order them. Every person ends up registered exactly
// once, and no request fails.
func TestTwoProcessesOneDatabase(t *testing.T) {
	t.Parallel()
	bin := testBinary(t)
	// The ID-number lookup budget is one per account across processes (it is kept in the database): 24 报名表s of one
	// account at once would pass the default burst of 20, which is not what this test is about.
	budget := []string{"--lookup-rate", "6000", "--lookup-burst", "1000"}
	a := startServer(t, bin, budget...)
	b := &server{DataDir: a.DataDir, DatabaseURL: a.DatabaseURL, stderr: &lockedBuffer{}, extraArgs: budget}
	if err := b.start(t, bin); err != nil {
		t.Fatalf("second process: %v\n%s", err, b.stderr.String())
	}
	var planID int64
	if err := a.db(t).QueryRow("SELECT id FROM exam_plans WHERE name = $1", regPlanSafety).Scan(&planID); err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile(regPhotoFile(t, t.TempDir(), "p.jpg", 1))
	if err != nil {
		t.Fatal(err)
	}
	clients := []*formClient{signInHTTP(t, a.URL, "jianshe"), signInHTTP(t, b.URL, "jianshe")}
	const people = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]int{}
	for n := 0; n < people; n++ {
		for _, c := range clients {
			wg.Add(1)
			go func(c *formClient, n int) {
				defer wg.Done()
				fields := map[string]string{"plan": strconv.FormatInt(planID, 10), "id_number": regIDNumber(500 + n), "name": "双进程" + string([]rune("甲乙丙丁戊己庚辛壬癸子丑")[n]),
					"education": "本科", "work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}
				status, body := c.postMultipart(t, "/registrations", fields, photo)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case status == http.StatusSeeOther:
					answers["saved"]++
				case status == http.StatusOK && strings.Contains(body, "不能重复报名"):
					answers["already registered"]++
				default:
					answers["status "+strconv.Itoa(status)]++
					t.Errorf("answer %d: %q", status, formErrors(body))
				}
			}(c, n)
		}
	}
	wg.Wait()
	if answers["saved"] != people || answers["already registered"] != people {
		t.Errorf("answers %v: want %d saved and %d told the person is already registered", answers, people, people)
	}
	var regs, distinct, seats int
	db := a.db(t)
	if err := db.QueryRow("SELECT COUNT(*), COUNT(DISTINCT person_id) FROM registrations WHERE plan_id = $1", planID).Scan(&regs, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT SUM(taken) FROM plan_seats WHERE plan_id = $1", planID).Scan(&seats); err != nil {
		t.Fatal(err)
	}
	if regs != people || distinct != people || seats != people {
		t.Fatalf("%d registrations of %d people, %d seats taken; want %d of each", regs, distinct, seats, people)
	}
}

// formClient is a signed-in HTTP client (no browser) and its CSRF token.
type formClient struct {
	base  string
	http  *http.Client
	token string
}

// signInHTTP signs a demo account in with plain requests (the account must not need a captcha).
func signInHTTP(t *testing.T, base, username string) *formClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &formClient{base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := c.http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.http.PostForm(base+"/login", url.Values{"_csrf": {c.cookie("examcert_csrf")}, "username": {username}, "password": {demoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s at %s: %d", username, base, resp.StatusCode)
	}
	c.token = c.cookie("examcert_csrf")
	return c
}

// signOut posts 退出 to base (a server, or the proxy before servers).
func (c *formClient) signOut(t *testing.T, base string) {
	t.Helper()
	resp, err := c.http.PostForm(base+"/logout", url.Values{"_csrf": {c.token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
}

func (c *formClient) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// postMultipart posts a form with a photo, as the 报名表 does, and returns the status and body.
func (c *formClient) postMultipart(t *testing.T, path string, fields map[string]string, photo []byte) (int, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", c.token)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("photo", "photo.jpg")
	_, _ = fw.Write(photo)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// formErrors picks the error messages out of a page.
func formErrors(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-testid="(?:error-[a-z_0-9]+|alert-error)"[^>]*>([^<]+)<`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}
