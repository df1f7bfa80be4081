package ident

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkErr asserts the error contract shared by all parsers.
func checkErr(t *testing.T, in string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %T %v is not *Error", in, err, err)
	}
	switch e.Rule {
	case RuleEmpty, RuleLength, RuleCharset, RuleChecksum, RuleBirthDate, RuleRegion, RuleOrgCode:
	default:
		t.Fatalf("%q: unknown rule %q", in, e.Rule)
	}
	if e.Msg == "" || !utf8.ValidString(e.Msg) || err.Error() != e.Msg {
		t.Fatalf("%q: bad message %q", in, e.Msg)
	}
}

// Random mutations rarely produce a correct check character, so each fuzz
// target also tries the input with its check character(s) recomputed by the
// reference checkers; that way the "accepted" path is exercised as well.

func FuzzParseIDNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		checkIDNumber(t, s)
		if n := Normalize(s); len(n) == 18 && allDigits(n[:17]) {
			checkIDNumber(t, withIDCheck(n[:17]))
		}
	})
}

func checkIDNumber(t *testing.T, s string) {
	t.Helper()
	if n := Normalize(s); Normalize(n) != n {
		t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, Normalize(n))
	}
	id, err := ParseIDNumber(s)
	if err != nil {
		checkErr(t, s, err)
		if id != (IDNumber{}) {
			t.Fatalf("%q: non-zero value with error: %+v", s, id)
		}
		return
	}
	if !refIDValid(id.Number) || id.Region != id.Number[:6] {
		t.Fatalf("%q: accepted as %+v, which the reference checker rejects", s, id)
	}
	if m := MaskIDNumber(id.Number); len(m) != 18 || m[:6] != id.Number[:6] || m[14:] != id.Number[14:] {
		t.Fatalf("MaskIDNumber(%q) = %q", id.Number, m)
	}
	again, err := ParseIDNumber(id.Number)
	if err != nil {
		t.Fatalf("%q accepted as %q, but re-parsing fails: %v", s, id.Number, err)
	}
	if again.Converted {
		t.Fatalf("re-parsing %q reports Converted", id.Number)
	}
	again.Converted = id.Converted
	if again != id {
		t.Fatalf("%q: parsed %+v, re-parsed %+v", s, id, again)
	}
}

func FuzzParseCreditCode(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		checkCreditCode(t, s)
		if n := Normalize(s); len(n) == 18 && allIn(n[:16], refCreditAlphabet) {
			checkCreditCode(t, withCreditCheck(n[:8]+withOrgCheck(n[8:16])))
		}
	})
}

func checkCreditCode(t *testing.T, s string) {
	t.Helper()
	cc, err := ParseCreditCode(s)
	credit, org, err2 := ParseOrganizationCode(s)
	if err != nil {
		checkErr(t, s, err)
		if cc != (CreditCode{}) {
			t.Fatalf("%q: non-zero value with error: %+v", s, cc)
		}
		if err2 != nil {
			checkErr(t, s, err2)
		} else if credit != "" {
			t.Fatalf("%q: ParseCreditCode fails (%v) but ParseOrganizationCode returns credit code %q", s, err, credit)
		}
		return
	}
	c := cc.Code
	if refCreditCheck(c[:17]) != c[17:] || refOrgCheck(c[8:16]) != c[16:17] || cc.OrgCode != c[8:17] || cc.Region != c[2:8] {
		t.Fatalf("%q: accepted as %+v, which the reference checkers reject", s, cc)
	}
	if err2 != nil || credit != cc.Code || org != cc.OrgCode {
		t.Fatalf("%q: ParseOrganizationCode = %q, %q, %v; ParseCreditCode = %+v", s, credit, org, err2, cc)
	}
	again, err := ParseCreditCode(cc.Code)
	if err != nil || again != cc {
		t.Fatalf("%q: parsed %+v, re-parsed %+v, %v", s, cc, again, err)
	}
	if o, err := ParseOrgCode(cc.OrgCode); err != nil || o != cc.OrgCode {
		t.Fatalf("%q: embedded org code %q fails ParseOrgCode: %q, %v", s, cc.OrgCode, o, err)
	}
}

func FuzzParseOrgCode(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		checkOrgCode(t, s)
		if n := stripOrgHyphen(Normalize(s)); len(n) == 9 && allIn(n[:8], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			checkOrgCode(t, withOrgCheck(n[:8]))
		}
	})
}

func checkOrgCode(t *testing.T, s string) {
	t.Helper()
	oc, err := ParseOrgCode(s)
	if err != nil {
		checkErr(t, s, err)
		if oc != "" {
			t.Fatalf("%q: non-empty value %q with error", s, oc)
		}
		return
	}
	if len(oc) != 9 || refOrgCheck(oc[:8]) != oc[8:] {
		t.Fatalf("%q: accepted as %q, which the reference checker rejects", s, oc)
	}
	again, err := ParseOrgCode(oc)
	if err != nil || again != oc {
		t.Fatalf("%q: parsed %q, re-parsed %q, %v", s, oc, again, err)
	}
	if credit, org, err := ParseOrganizationCode(s); err != nil || credit != "" || org != oc {
		t.Fatalf("%q: ParseOrganizationCode = %q, %q, %v; ParseOrgCode = %q", s, credit, org, err, oc)
	}
}

func allDigits(s string) bool { return allIn(s, "0123456789") }

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}
