package handlers

import (
	"net/url"
	"strconv"

	"examcert/views/components"
)

// pager builds the previous/next links of a list page, keeping the list's filter in the query string.
func pager(base string, total, page, perPage int, filter url.Values) components.Pager {
	pages := max((total+perPage-1)/perPage, 1)
	p := components.Pager{Total: total, Page: page, Pages: pages}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range filter {
			if len(v) > 0 && v[0] != "" {
				q[k] = v
			}
		}
		q.Set("page", strconv.Itoa(n))
		return base + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}
