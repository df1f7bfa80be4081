package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Two servers on one database. On SQLite each process keeps the sessions and list pages it has read in memory:
// a change made by anyone else (here: SQL from outside both processes, then a sign-out through one of them) must
// show on both at once, never the kept page. On PostgreSQL nothing is kept, and the same holds.
func TestTwoProcessesKeepNothingStale(t *testing.T) {
	t.Parallel()
	bin := testBinary(t)
	a := startServer(t, bin)
	b := &server{DataDir: a.DataDir, DatabaseURL: a.DatabaseURL, stderr: &lockedBuffer{}}
	if err := b.start(t, bin); err != nil {
		t.Fatalf("second process: %v\n%s", err, b.stderr.String())
	}
	c := signInHTTP(t, a.URL, "jianshe")
	session := c.cookie("examcert_session")
	staff := func(s *server) (int, string) {
		resp := sessionGet(t, s.URL, "/staff", session)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for range 2 { // rendered, then kept
		for i, s := range []*server{a, b} {
			if status, _ := staff(s); status != http.StatusOK {
				t.Fatalf("server %d: 企业人员信息 answered %d", i, status)
			}
		}
	}

	const phone = "13712345678"
	if _, err := a.db(t).Exec(`UPDATE persons SET phone = '` + phone + `'
		WHERE organization_id = (SELECT organization_id FROM accounts WHERE username = 'jianshe')`); err != nil {
		t.Fatal(err)
	}
	for i, s := range []*server{a, b} {
		if status, body := staff(s); status != http.StatusOK || !strings.Contains(body, phone) {
			t.Errorf("server %d: after the staff's phone numbers changed, 企业人员信息 answered %d without %s", i, status, phone)
		}
	}

	c.signOut(t, a.URL)
	for i, s := range []*server{a, b} {
		if status, loc := getWithSession(t, s.URL, "/staff", session); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("server %d still takes the signed-out session: %d → %q", i, status, loc)
		}
	}
}
