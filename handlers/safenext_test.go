package handlers

import "testing"

func TestSafeNextRefusesEveryWayOffSite(t *testing.T) {
	t.Parallel()
	hostile := []string{
		"", "evil.example", "https://evil.example/", "http:/evil.example", "javascript:alert(1)",
		"//evil.example/", "///evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/",
		"\t//evil.example/", " //evil.example/", "/\\evil.example/", "\\\\evil.example/", "/\\/evil.example",
		"/%2F/evil.example/", "/%2f/evil.example/", "%2F%2Fevil.example/", "/%5Cevil.example/", "/%5cevil.example",
		"/%09/evil.example/", "/%0a/evil.example/", "/%0D%0A/evil.example", "/%252F/evil.example/", "/%25252F/evil.example/",
		"/%zz", "/x\x00y", "/x\x7fy", "/\u0085/evil.example", "/\u2028/evil.example",
	}
	for _, v := range hostile {
		if got := safeNext(v); got != "" {
			t.Errorf("safeNext(%q) = %q; want it refused", v, got)
		}
	}
	local := []string{"/home", "/people?q=%E5%BC%A0&page=2", "/registrations/batch", "/a/b/c#top", "/plans/picker?return=%2Fregistrations"}
	for _, v := range local {
		if got := safeNext(v); got != v {
			t.Errorf("safeNext(%q) = %q; want it kept", v, got)
		}
	}
}
