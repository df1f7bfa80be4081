package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"examcert/models"
	"examcert/views/components"
)

// listQuery is what a list page was asked for: the search text, the other filters, and the page.
type listQuery struct {
	Q       string
	Page    int
	PerPage int
	Filter  url.Values // q and the list's other filters, kept in the pager's links
}

// Offset is the first row of the page.
func (l listQuery) Offset() int { return (l.Page - 1) * l.PerPage }

// readList reads a list page's query: ?q=…&page=… and the named filters. A search text with a NUL byte or that is
// not UTF-8 (no person's name has either) is a 400 with a Chinese message, not an SQL error.
func readList(c echo.Context, perPage int, filters ...string) (listQuery, error) {
	l := listQuery{Q: strings.TrimSpace(c.QueryParam("q")), PerPage: perPage, Filter: url.Values{}}
	l.Page, _ = strconv.Atoi(c.QueryParam("page"))
	l.Page = max(l.Page, 1)
	for _, k := range append([]string{"q"}, filters...) {
		v := strings.TrimSpace(c.QueryParam(k))
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return l, echo.NewHTTPError(http.StatusBadRequest, "查询条件含有无效字符，请重新输入")
		}
		l.Filter.Set(k, v)
	}
	return l, nil
}

// pager is the list's previous/next links for total rows, keeping its filters.
func (l listQuery) pager(base string, total int) components.Pager {
	return pager(base, total, l.Page, l.PerPage, l.Filter)
}

// pagerOf is pager for a count that may have stopped at its bound (models.Count): then the pager says 以上 and
// keeps its next link, since a bounded Total reaches models.CountBound (1,000) rows past this page's start, more
// than any page holds.
func (l listQuery) pagerOf(base string, n models.Count) components.Pager {
	p := l.pager(base, n.Total)
	p.More = n.More
	return p
}
