package handlers_test

import (
	"net/http"
	"testing"

	"examcert/internal/portal/portaltest"
)

// BenchmarkPortalSignIn is one whole sign-in through the portal, as the browser makes it: 通过网上办事大厅登录,
// the provider's authorization and login page (in the test process), the callback with the code exchange and the
// ID token's verification, the account lookup by its link, and the new session.
func BenchmarkPortalSignIn(b *testing.B) {
	e, prov := newPortalEnv(b, []portaltest.User{{Username: "bench", Name: "本奇", IDNumber: portalIDNumber(99)}})
	e.client().portalSignIn(prov, "bench") // the first one links the account
	b.ResetTimer()
	for b.Loop() {
		if p := e.client().portalSignIn(prov, "bench"); p.Status != http.StatusSeeOther {
			b.Fatalf("sign-in: %d", p.Status)
		}
	}
}
