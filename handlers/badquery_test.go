package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// A NUL byte or invalid UTF-8 in any search box is a 400 with a Chinese message, never an SQL error (500), for
// every page a signed-in user can search.
func TestBadCharactersInEverySearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users := map[string]*client{}
	for _, u := range []string{"zhangsan", "jianshe", "peixun", "admin"} {
		users[u] = e.client().signIn(u)
	}
	for _, r := range e.app.Echo.Routes() {
		if r.Method != http.MethodGet || strings.Contains(r.Path, ":") || strings.HasPrefix(r.Path, "/static") {
			continue
		}
		for _, bad := range []string{"%00", "%ff%fe", "a%00b"} {
			for u, c := range users {
				p := c.get(r.Path + "?q=" + bad + "&name=" + bad + "&username=" + bad + "&id_number=" + bad)
				if p.Status >= 500 {
					t.Errorf("%s as %s with %s: %d", r.Path, u, bad, p.Status)
				}
				if p.Status == http.StatusBadRequest && !strings.Contains(p.Body, "无效字符") {
					t.Errorf("%s as %s with %s: 400 without the message", r.Path, u, bad)
				}
			}
		}
	}
	if p := users["jianshe"].get("/staff?q=%00"); p.Status != http.StatusBadRequest {
		t.Errorf("NUL in the staff search: %d, want 400", p.Status)
	}
}
