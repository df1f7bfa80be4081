package portal_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"examcert/internal/portal"
	"examcert/internal/portal/portaltest"
)

const redirect = "http://127.0.0.1:1/portal/callback"

func newRP(prov *portaltest.Provider) *portal.RP {
	return portal.New(portal.Settings{Issuer: prov.Issuer, ClientID: prov.ClientID, ClientSecret: prov.ClientSecret,
		IDNumberClaim: "id_number", CreditCodeClaim: "credit_code", NameClaim: "name", Timeout: 2 * time.Second})
}

func reason(err error) string {
	var f *portal.Failure
	if errors.As(err, &f) {
		return f.Reason
	}
	return ""
}

// signIn runs a sign-in at the provider and returns the query examcert's callback would get.
func signIn(t *testing.T, rp *portal.RP, prov *portaltest.Provider, p portal.Pending, user string) url.Values {
	t.Helper()
	auth, err := rp.AuthURL(context.Background(), p, redirect)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(auth)
	if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("nonce") != p.Nonce || q.Query().Get("state") != p.State {
		t.Fatalf("authorization URL lacks PKCE, nonce or state: %s", auth)
	}
	back, err := url.Parse(prov.SignIn(t, auth, user))
	if err != nil {
		t.Fatal(err)
	}
	return back.Query()
}

// The code flow gives the identity with its claims; the PKCE verifier is what the provider checks at the exchange.
func TestCallbackAndPKCE(t *testing.T) {
	prov := portaltest.Start(t, portaltest.User{Username: "u1", Name: "甲", IDNumber: "11010219900101002X"})
	prov.AllowRedirects("http://127.0.0.1:1")
	rp := newRP(prov)
	ctx := context.Background()

	p := portal.NewPending(time.Now())
	id, err := rp.Callback(ctx, p, signIn(t, rp, prov, p, "u1"), redirect, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "u1" || id.Name != "甲" || id.IDNumber != "11010219900101002X" || id.SID != portaltest.SID("u1") ||
		id.Issuer != prov.Issuer || id.IDToken == "" {
		t.Fatalf("identity %+v", id)
	}

	p = portal.NewPending(time.Now())
	q := signIn(t, rp, prov, p, "u1")
	p.Verifier = portal.NewPending(time.Now()).Verifier // not the one the challenge was made from
	if _, err := rp.Callback(ctx, p, q, redirect, time.Now()); reason(err) != "code" {
		t.Fatalf("wrong PKCE verifier: %v (reason %q)", err, reason(err))
	}

	p = portal.NewPending(time.Now().Add(-portal.PendingTTL - time.Minute))
	if _, err := rp.Callback(ctx, p, signIn(t, rp, prov, p, "u1"), redirect, time.Now()); reason(err) != "state" {
		t.Fatalf("a sign-in begun too long ago: %v", err)
	}

	if u := rp.EndSessionURL(id.IDToken, "http://127.0.0.1:1/login?reason=signed_out"); u == "" {
		t.Fatal("no end-session URL though the provider has the endpoint")
	}
}

// Nothing is fetched before the first use: an RP for a portal that is down is made, and fails only when used,
// and the sign-out URL is then "" (sign-out does not wait for the portal).
func TestLazyDiscovery(t *testing.T) {
	prov := portaltest.Start(t)
	prov.Stop()
	rp := newRP(prov)
	if _, err := rp.AuthURL(context.Background(), portal.NewPending(time.Now()), redirect); reason(err) != "unavailable" {
		t.Fatalf("down portal: %v", err)
	}
	if _, err := rp.VerifyLogoutToken(context.Background(), "x", time.Now()); reason(err) != "unavailable" {
		t.Fatalf("logout token with the portal down: %v", err)
	}
	if u := rp.EndSessionURL("token", ""); u != "" {
		t.Fatalf("end-session URL of an unknown portal: %q", u)
	}
}
