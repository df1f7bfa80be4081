package handlers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"examcert/models"
)

// A list longer than models.CountBound past its page counts no further: its pager says 以上 and keeps the next
// link; a page near the end counts exactly, and the last page knows its total from its own rows.
func TestStaffPagerCountsUpToTheBound(t *testing.T) {
	e := newEnv(t)
	c := e.client().signIn("jianshe")
	pager := func(path string) (string, bool) {
		t.Helper()
		p := c.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: status %d", path, p.Status)
		}
		return p.Text(`[data-testid="pager"] span`), p.Doc.Find(`[data-testid="pager"] a:contains("下一页")`).Length() == 1
	}
	text, _ := pager("/staff")
	m := regexp.MustCompile(`^共 (\d+) 条`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("pager %q", text)
	}
	before, _ := strconv.Atoi(m[1])
	total := models.CountBound + 25 // 52 pages of 20: the last holds 5
	benchStaff(t, e, total-before)
	last := (total + 19) / 20

	for _, tc := range []struct {
		page int
		want string
		next bool
	}{
		{1, fmt.Sprintf("共 %d 条以上，第 1 页", models.CountBound), true},
		{2, fmt.Sprintf("共 %d 条以上，第 2 页", models.CountBound+20), true},
		{last - 1, fmt.Sprintf("共 %d 条，第 %d / %d 页", total, last-1, last), true},
		{last, fmt.Sprintf("共 %d 条，第 %d / %d 页", total, last, last), false},
	} {
		got, next := pager("/staff?page=" + strconv.Itoa(tc.page))
		if got != tc.want || next != tc.next {
			t.Errorf("page %d: %q, next link %v; want %q, %v", tc.page, got, next, tc.want, tc.next)
		}
	}
	if got, _ := pager("/staff?q=" + "不存在的姓名"); got != "共 0 条，第 1 / 1 页" {
		t.Errorf("no match: %q", got)
	}
}
