package handlers_test

import (
	"io"
	"net/http"
	"strconv"
	"testing"
)

// BenchmarkStaffList: 企业人员信息, signed in as the enterprise, 50 people on staff, the first page (the list the
// issue "list pages near static speed" measures); BenchmarkHealthz is the in-process reference.
func BenchmarkStaffList(b *testing.B) { benchStaffList(b, 50) }

// BenchmarkStaffList100k is the same page with 100,000 people on staff (as the load test has it).
func BenchmarkStaffList100k(b *testing.B) { benchStaffList(b, 100000) }

func benchStaffList(b *testing.B, staff int) {
	e := newEnv(b)
	benchStaff(b, e, staff)
	c := e.client().signIn("jianshe")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := c.get("/staff"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}

// BenchmarkStaffListKept: the 企业人员信息 page of 100,000 staff answered from the page cache (the same address
// again, nothing changed) against the same page rendered (an address the cache has not seen: ?v=n), in one run. The
// client only reads the bytes (no HTML parsing). On PostgreSQL both render.
func BenchmarkStaffListKept(b *testing.B) {
	e := newEnv(b)
	benchStaff(b, e, 100000)
	c := e.client().signIn("jianshe")
	get := func(b *testing.B, path string) {
		resp, err := c.http.Get(e.srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.Run("rendered", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			get(b, "/staff?v="+strconv.Itoa(i))
		}
	})
	b.Run("kept", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			get(b, "/staff")
		}
	})
}
