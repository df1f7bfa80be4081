package ident

import (
	"math/rand/v2"
	"testing"
	"time"
)

var testRegions = []string{"110101", "110105", "310115", "440305", "510104", "650102", "810000", "820000", "710000", "830000"}

func TestGenerateIDNumber(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	start := date(1900, 1, 1)
	days := int(time.Now().Sub(start).Hours()/24) - 1 // stay clear of "today"
	for i := 0; i < 1000; i++ {
		region := testRegions[r.IntN(len(testRegions))]
		birth := start.AddDate(0, 0, r.IntN(days))
		gender := GenderMale
		if r.IntN(2) == 0 {
			gender = GenderFemale
		}
		n := GenerateIDNumber(r, region, birth, gender)
		if !refIDValid(n) {
			t.Fatalf("GenerateIDNumber produced %q, invalid per reference checker", n)
		}
		id, err := ParseIDNumber(n)
		if err != nil {
			t.Fatalf("GenerateIDNumber produced %q: %v", n, err)
		}
		want := IDNumber{Number: n, BirthDate: birth, Gender: gender, Region: region}
		if id != want {
			t.Fatalf("ParseIDNumber(%q) = %+v, want %+v", n, id, want)
		}
	}
}

func TestGenerateIDNumberUsesLocalDate(t *testing.T) {
	// 1990-03-07 23:00 in UTC-5 is already 03-08 in UTC; the date in the
	// value's own location is the one encoded.
	birth := time.Date(1990, 3, 7, 23, 0, 0, 0, time.FixedZone("", -5*3600))
	n := GenerateIDNumber(rand.New(rand.NewPCG(3, 4)), "110101", birth, GenderMale)
	if n[6:14] != "19900307" {
		t.Errorf("GenerateIDNumber encoded %s, want 19900307", n[6:14])
	}
}

func TestGenerateOrgAndCreditCode(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 1000; i++ {
		oc := GenerateOrgCode(r)
		if refOrgCheck(oc[:8]) != oc[8:] {
			t.Fatalf("GenerateOrgCode produced %q, invalid per reference checker", oc)
		}
		if got, err := ParseOrgCode(oc); err != nil || got != oc {
			t.Fatalf("ParseOrgCode(%q) = %q, %v", oc, got, err)
		}

		region := testRegions[r.IntN(len(testRegions))]
		cc := GenerateCreditCode(r, region)
		if refCreditCheck(cc[:17]) != cc[17:] || refOrgCheck(cc[8:16]) != cc[16:17] {
			t.Fatalf("GenerateCreditCode produced %q, invalid per reference checkers", cc)
		}
		got, err := ParseCreditCode(cc)
		if err != nil {
			t.Fatalf("ParseCreditCode(%q): %v", cc, err)
		}
		want := CreditCode{Code: cc, OrgCode: cc[8:17], RegistrationAuthority: '9', OrgType: '1', Region: region}
		if got != want {
			t.Fatalf("ParseCreditCode(%q) = %+v, want %+v", cc, got, want)
		}
		if c, o, err := ParseOrganizationCode(cc); err != nil || c != cc || o != cc[8:17] {
			t.Fatalf("ParseOrganizationCode(%q) = %q, %q, %v", cc, c, o, err)
		}
	}
}

func TestGeneratorsDeterministic(t *testing.T) {
	gen := func() []string {
		r := rand.New(rand.NewPCG(42, 42))
		return []string{
			GenerateIDNumber(r, "110101", date(1990, 3, 7), GenderFemale),
			GenerateOrgCode(r),
			GenerateCreditCode(r, "350100"),
		}
	}
	a, b := gen(), gen()
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("run 1 gave %q, run 2 gave %q", a[i], b[i])
		}
	}
}

func TestGeneratorsPanicOnBadRegion(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for name, f := range map[string]func(){
		"id short":     func() { GenerateIDNumber(r, "11010", date(1990, 1, 1), GenderMale) },
		"id letter":    func() { GenerateIDNumber(r, "11010A", date(1990, 1, 1), GenderMale) },
		"id year":      func() { GenerateIDNumber(r, "110101", date(10000, 1, 1), GenderMale) },
		"credit short": func() { GenerateCreditCode(r, "3501") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
