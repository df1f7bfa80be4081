package handlers_test

import (
	"net/http"
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
