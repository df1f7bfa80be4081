package handlers_test

import (
	"net/http"
	"testing"
)

// BenchmarkStaffList: 企业人员信息, signed in as the enterprise, 50 people on staff, the first page (the list the
// issue "list pages near static speed" measures); BenchmarkHealthz is the in-process reference.
func BenchmarkStaffList(b *testing.B) {
	e := newEnv(b)
	benchStaff(b, e, 50)
	c := e.client().signIn("jianshe")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := c.get("/staff"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}
