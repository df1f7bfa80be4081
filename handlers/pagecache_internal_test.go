package handlers

import (
	"bytes"
	"testing"

	"examcert/internal/dbtest"
)

// The page cache counts what it keeps, body and gzipped body, and gives it back when a page is replaced or its
// session's pages are dropped: only that session's pages go.
func TestPageCacheCountsWhatItKeeps(t *testing.T) {
	pc := newPageCache(dbtest.Open(t))
	if pc == nil {
		t.Skip("nothing is kept on PostgreSQL")
	}
	page := func(n int) *cachedPage {
		return &cachedPage{body: bytes.Repeat([]byte("页"), n), gz: make([]byte, n/4)}
	}
	list, frag := pageKey{uri: "/staff"}, pageKey{uri: "/staff", fragment: true}
	pc.keep("a", list, page(1000))
	pc.keep("a", frag, page(400))
	pc.keep("b", list, page(2000))
	if want := page(1000).size() + page(400).size() + page(2000).size(); pc.size != want {
		t.Fatalf("kept %d bytes, counted %d", want, pc.size)
	}
	pc.keep("b", list, page(100)) // in place of b's list page
	pc.dropSession("a")
	if pc.get("a", list) != nil || pc.get("a", frag) != nil || pc.get("b", list) == nil {
		t.Fatal("dropping session a dropped the wrong pages")
	}
	if want := page(100).size(); pc.size != want {
		t.Fatalf("after a's pages went and b's was replaced: counted %d bytes, want %d", pc.size, want)
	}
	pc.dropSession("b")
	if pc.size != 0 || len(pc.pages) != 0 {
		t.Fatalf("nothing kept, yet %d bytes counted in %d sessions", pc.size, len(pc.pages))
	}
	big := &cachedPage{body: make([]byte, maxCachedBytes/2)}
	pc.keep("a", list, big)
	pc.keep("b", list, big)
	pc.keep("c", list, page(10)) // past the bound: everything goes, then this one is kept
	if pc.get("a", list) != nil || pc.get("c", list) == nil || pc.size != page(10).size() {
		t.Fatalf("past the bound: %d bytes counted", pc.size)
	}
}
