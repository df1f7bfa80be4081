package models_test

import (
	"errors"
	"testing"
	"time"

	"examcert/models"
)

func TestRetirementCap(t *testing.T) {
	cases := []struct {
		name      string
		kind      models.CertKind
		code, sex string
		birth     string
		want      string // "" = no cap
	}{
		{"男 before 2025: plain 60", models.CertSafety, "C3", "男", "1964-06-15", "2024-06-15"},
		{"男 base birthday 2025-01: +1 month", models.CertSafety, "C3", "男", "1965-01-10", "2025-02-10"},
		{"男 2025-04: still +1", models.CertSafety, "C3", "男", "1965-04-10", "2025-05-10"},
		{"男 2025-05: +2", models.CertSafety, "C3", "男", "1965-05-10", "2025-07-10"},
		{"男 2030-05: +17", models.CertSpecial, "01", "男", "1970-05-10", "2031-10-10"},
		{"男 2036-12: +36 reached", models.CertSafety, "C1", "男", "1976-12-01", "2039-12-01"},
		// Beijing's code gives +37 … +39 months here (no min): the cap stays at 63.
		{"男 2037-01 overshoot case", models.CertSafety, "C3", "男", "1977-01-20", "2040-01-20"},
		{"男 2038-06 overshoot case", models.CertSpecial, "01", "男", "1978-06-05", "2041-06-05"},
		{"男 2039-12 overshoot case", models.CertSafety, "C2", "男", "1979-12-31", "2042-12-31"},
		{"女 安管 55, 2030-01: +16", models.CertSafety, "C3", "女", "1975-01-15", "2031-05-15"},
		{"女 安管 2038-03 overshoot case", models.CertSafety, "C3", "女", "1983-03-03", "2041-03-03"},
		{"女 特种 50, 2025-03: +2", models.CertSpecial, "02", "女", "1975-03-09", "2025-05-09"},
		{"女 特种 2035-01 overshoot case (step 2)", models.CertSpecial, "04", "女", "1985-01-20", "2040-01-20"},
		{"女 特种 2039-12 overshoot case", models.CertSpecial, "04", "女", "1989-12-01", "2044-12-01"},
		{"month end kept in range", models.CertSafety, "C3", "男", "1969-11-30", "2031-02-28"},
		{"法人 A exempt", models.CertSafety, "A", "男", "1960-01-01", ""},
		{"B exempt", models.CertSafety, "B", "女", "1960-01-01", ""},
		{"职业技能 none", models.CertSkill, "", "男", "1960-01-01", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := models.RetirementCap(c.kind, c.code, c.sex, day(c.birth))
			if c.want == "" {
				if ok {
					t.Fatalf("cap %v, want none", got)
				}
				return
			}
			if !ok || !got.Equal(day(c.want)) {
				t.Fatalf("cap %v (ok %v), want %s", got.Format("2006-01-02"), ok, c.want)
			}
		})
	}
}

func TestValidUntil(t *testing.T) {
	birth := func(s string) *time.Time { d := day(s); return &d }
	cases := []struct {
		name      string
		kind      models.CertKind
		code, sex string
		birth     *time.Time
		from      string
		want      string
		err       error
	}{
		{"安管 3 years", models.CertSafety, "C3", "男", birth("1990-01-01"), "2026-12-04", "2029-12-04", nil},
		{"特种 2 years", models.CertSpecial, "01", "女", birth("1990-01-01"), "2026-12-04", "2028-12-04", nil},
		{"capped by age", models.CertSafety, "C3", "男", birth("1968-03-10"), "2026-12-04", "2029-01-10", nil},
		{"over age", models.CertSpecial, "01", "女", birth("1970-01-01"), "2026-12-04", "", models.ErrOverAge},
		{"B not capped", models.CertSafety, "B", "男", birth("1960-01-01"), "2026-12-04", "2029-12-04", nil},
		{"职业技能 no end", models.CertSkill, "", "男", birth("1960-01-01"), "2026-12-04", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := models.ValidUntil(c.kind, c.code, c.sex, c.birth, day(c.from))
			if !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			if c.want == "" {
				if got != nil {
					t.Fatalf("end %v, want none", got)
				}
				return
			}
			if got == nil || !got.Equal(day(c.want)) {
				t.Fatalf("end %v, want %s", got, c.want)
			}
		})
	}
}

func TestFormatCertNumber(t *testing.T) {
	cases := []struct {
		tpl    string
		year   int
		serial int64
		want   string
		bad    bool
	}{
		{"京建安C3（{Y}）{N:7}", 2021, 22585, "京建安C3（2021）0022585", false},
		{"京建安B（{Y}）{N:7}", 2019, 162540, "京建安B（2019）0162540", false},
		{"京A01{Y}{N:6}", 2012, 392, "京A012012000392", false},
		{"京A01{Y}{N:6}", 2012, 1000000, "", true},
		{"京A01{Y}", 2012, 1, "", true},
		{"京A01{Y}{N:6}{N:2}", 2012, 1, "", true},
		{"京{X}{N:6}", 2012, 1, "", true},
		{"京{N:6", 2012, 1, "", true},
	}
	for _, c := range cases {
		got, err := models.FormatCertNumber(c.tpl, c.year, c.serial)
		if c.bad != (err != nil) || got != c.want {
			t.Errorf("%s %d %d = %q, %v; want %q (error %v)", c.tpl, c.year, c.serial, got, err, c.want, c.bad)
		}
	}
}

func TestMod3736(t *testing.T) {
	// The public examples of LIFECYCLE §2.
	for _, c := range []struct {
		parts string
		want  byte
	}{
		{"11100000000013338W011" + "11430000006122244L" + "20230000403" + "001", 'U'},
		{"11100000000013338W011" + "11430000006122244L" + "20230000403" + "002", 'S'},
	} {
		if got := models.Mod3736(c.parts); got != c.want {
			t.Errorf("Mod3736(%s) = %c, want %c", c.parts, got, c.want)
		}
	}
}

func TestLicenseID(t *testing.T) {
	got := models.LicenseID(models.CertSafety, "京建安C3（2021）0022585", 1)
	want := "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20210022585.001."
	if len(got) != len(want)+1 || got[:len(want)] != want {
		t.Fatalf("LicenseID = %q, want %q + check", got, want)
	}
	if c := got[len(got)-1]; c != models.Mod3736("11100000000013338W011"+"11110000000021135M"+"20210022585"+"001") {
		t.Fatalf("check %c", c)
	}
	sp := models.LicenseID(models.CertSpecial, "京A012012000392", 2)
	if want := "1.2.156.3005.2.11100000000013338W032.11110000000021135M.2012000392.002."; sp[:len(want)] != want {
		t.Fatalf("special LicenseID = %q", sp)
	}
	if models.LicenseID(models.CertSkill, "X", 1) != "" {
		t.Fatal("职业技能 has no 电子证照标识")
	}
}

func TestMaskIDNumberPublic(t *testing.T) {
	if got := models.MaskIDNumberPublic("110101199003070013"); got != "110101**********13" {
		t.Fatalf("mask = %q", got)
	}
}
