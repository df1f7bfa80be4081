package config

import "testing"

// The portal's settings come from flags or environment variables (flags win); issuer and client id go together.
func TestParsePortalSettings(t *testing.T) {
	t.Setenv("EXAMCERT_PORTAL_ISSUER", "https://wsbs.example.gov.cn")
	t.Setenv("EXAMCERT_PORTAL_CLIENT_ID", "examcert")
	t.Setenv("EXAMCERT_PORTAL_CLIENT_SECRET", "from-env")
	t.Setenv("EXAMCERT_PORTAL_ID_NUMBER_CLAIM", "sfzh")
	t.Setenv("EXAMCERT_PUBLIC_URL", "https://examcert.example.gov.cn/")
	c, err := Parse("t", []string{"--portal-credit-code-claim", "tyshxydm", "--portal-password-fallback=false"})
	if err != nil {
		t.Fatal(err)
	}
	want := Portal{Issuer: "https://wsbs.example.gov.cn", ClientID: "examcert", ClientSecret: "from-env",
		IDNumberClaim: "sfzh", CreditCodeClaim: "tyshxydm", NameClaim: "name", PasswordFallback: false}
	if c.Portal != want || !c.Portal.Enabled() {
		t.Errorf("portal %+v, want %+v", c.Portal, want)
	}
	if c.PublicURL != "https://examcert.example.gov.cn" {
		t.Errorf("public URL %q", c.PublicURL)
	}
	if c, err := Parse("t", []string{"--portal-client-id", "other"}); err != nil || c.Portal.ClientID != "other" {
		t.Errorf("flag does not win: %+v %v", c.Portal, err)
	}
}

func TestPortalDefaultsAndMistakes(t *testing.T) {
	d, err := Parse("t", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Portal.Enabled() || !d.Portal.PasswordFallback || d.Portal.IDNumberClaim != "id_number" || d.Portal.CreditCodeClaim != "credit_code" {
		t.Errorf("defaults %+v", d.Portal)
	}
	for _, bad := range [][]string{{"--portal-issuer", "https://x"}, {"--portal-client-id", "x"},
		{"--public-url", "examcert.example"}, {"--portal-password-fallback", "maybe"}} {
		if _, err := Parse("t", bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
