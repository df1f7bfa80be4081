package models

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The pure rules of a certificate (LIFECYCLE §1–2): how long it is valid, the retirement-age cap on its end date, its
// number from the 岗位's template, and its 电子证照标识 with the MOD 37,36 check character.

// CertKind is the kind of certificate a 岗位 leads to.
type CertKind string

// Kinds of certificate.
const (
	CertSafety  CertKind = "safety"  // 安管人员 (A, B, C1, C2, C3)
	CertSpecial CertKind = "special" // 建筑施工特种作业 (工种 01 … 99)
	CertSkill   CertKind = "skill"   // 职业技能: no end date (当前有效证书)
)

// CertKindLabels names the kinds in Chinese.
var CertKindLabels = map[CertKind]string{CertSafety: "安管", CertSpecial: "特种作业", CertSkill: "职业技能"}

// ValidYears is how long a certificate of the kind is valid from its 发证日期; 0: no end date.
func (k CertKind) ValidYears() int {
	switch k {
	case CertSafety:
		return 3
	case CertSpecial:
		return 2
	}
	return 0
}

// RetirementCap is the retirement-age cap on a certificate's end date (LIFECYCLE §1) for a person born on birth
// (a calendar date) of gender 男/女: the base-age birthday plus the extra months of the 2024 延迟退休 rules. ok is
// false when the kind and code are exempt (法人 A, B) or have no end date at all (职业技能).
//
// For a base-age birthday in month m (m = 1 for 2025-01, ≤ 0 before 2025) the extra is min((m−1) div step + 1, max)
// months; the `min` is what Beijing's code leaves out until 2040, overshooting for base birthdays in 2037–2039 (step
// 4) and 2035–2039 (step 2).
func RetirementCap(kind CertKind, code string, gender string, birth time.Time) (cap time.Time, ok bool) {
	if kind == CertSkill || (kind == CertSafety && (code == "A" || code == "B")) {
		return time.Time{}, false
	}
	base, step, most := 60, 4, 36 // 男 60 → 63
	if gender == "女" {
		switch kind {
		case CertSpecial:
			base, step, most = 50, 2, 60 // 女 50 → 55
		default:
			base, step, most = 55, 4, 36 // 女 55 → 58
		}
	}
	birthday := addMonths(civilDate(birth), base*12)
	m := (birthday.Year()-2025)*12 + int(birthday.Month())
	extra := 0
	if m > 0 {
		extra = min((m-1)/step+1, most)
	}
	return addMonths(civilDate(birth), base*12+extra), true
}

// addMonths adds n months to a calendar date, keeping the day of month where the month has it and taking the
// month's last day where it does not (31 May + 1 month = 30 June, not 1 July).
func addMonths(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d.Day(), last), 0, 0, 0, 0, time.UTC)
}

// civilDate is t's calendar date in Beijing, as a UTC midnight (how dates are stored).
func civilDate(t time.Time) time.Time {
	b := t.In(Beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
}

// ErrOverAge: the person has reached the retirement-age cap on or before the 发证日期.
var ErrOverAge = errors.New("the person has reached the retirement age")

// ValidUntil is a new certificate's 有效期止 for 发证日期 from: from + 3 or 2 years, capped by the retirement age;
// nil for a kind without an end date. A cap on or before from is ErrOverAge.
func ValidUntil(kind CertKind, code, gender string, birth *time.Time, from time.Time) (*time.Time, error) {
	years := kind.ValidYears()
	if years == 0 {
		return nil, nil
	}
	end := civilDate(from).AddDate(years, 0, 0)
	if birth != nil {
		if cap, ok := RetirementCap(kind, code, gender, *birth); ok {
			if !cap.After(civilDate(from)) {
				return nil, ErrOverAge
			}
			end = minTime(end, cap)
		}
	}
	return &end, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// ErrBadTemplate: a 岗位's number template cannot make a number.
var ErrBadTemplate = errors.New("bad certificate number template")

// FormatCertNumber makes a 证书编号 from a template: literal text, {Y} for the 4-digit year, {N:n} for serial in n
// digits (exactly one). 京建安C3（{Y}）{N:7}, 2021, 22585 → 京建安C3（2021）0022585. A serial too long for its
// digits is an error: numbers never grow a digit silently.
func FormatCertNumber(template string, year int, serial int64) (string, error) {
	var b strings.Builder
	serials := 0
	for rest := template; rest != ""; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("%w: %q has an unclosed {", ErrBadTemplate, template)
		}
		field := rest[i+1 : i+j]
		rest = rest[i+j+1:]
		switch {
		case field == "Y":
			b.WriteString(fmt.Sprintf("%04d", year))
		case strings.HasPrefix(field, "N:"):
			n, err := strconv.Atoi(field[2:])
			if err != nil || n < 1 || n > 12 {
				return "", fmt.Errorf("%w: %q has a bad serial width", ErrBadTemplate, template)
			}
			s := fmt.Sprintf("%0*d", n, serial)
			if len(s) > n {
				return "", fmt.Errorf("%w: serial %d does not fit %d digits", ErrBadTemplate, serial, n)
			}
			b.WriteString(s)
			serials++
		default:
			return "", fmt.Errorf("%w: %q has an unknown field {%s}", ErrBadTemplate, template, field)
		}
	}
	if serials != 1 {
		return "", fmt.Errorf("%w: %q needs exactly one {N:n}", ErrBadTemplate, template)
	}
	if len([]rune(b.String())) > 25 {
		return "", fmt.Errorf("%w: %q makes numbers longer than 25 characters", ErrBadTemplate, template)
	}
	return b.String(), nil
}

// 电子证照标识 (GB/T 36904; LIFECYCLE §2).
const (
	licenseRoot        = "1.2.156.3005.2"
	LicenseTypeSafety  = "11100000000013338W011" // 安管人员
	LicenseTypeSpecial = "11100000000013338W032" // 建筑施工特种作业
	// IssuerCreditCode is the 统一社会信用代码 of the 发证机关, 北京市住房和城乡建设委员会.
	IssuerCreditCode = "11110000000021135M"
	// IssuingAuthority is the 发证机关 printed on every certificate.
	IssuingAuthority = "北京市住房和城乡建设委员会"
)

// LicenseID is a certificate's 电子证照标识: root . type . issuer . serial . version(3) . check. The serial is the
// number's trailing year + serial (安管: its last 11 digits, 特种: its last 10). "" for 职业技能 (no national type).
func LicenseID(kind CertKind, number string, version int) string {
	var typ string
	var tail int
	switch kind {
	case CertSafety:
		typ, tail = LicenseTypeSafety, 11
	case CertSpecial:
		typ, tail = LicenseTypeSpecial, 10
	default:
		return ""
	}
	var digits []byte
	for _, c := range number {
		if c >= '0' && c <= '9' {
			digits = append(digits, byte(c))
		}
	}
	if len(digits) < tail {
		return ""
	}
	serial := string(digits[len(digits)-tail:])
	ver := fmt.Sprintf("%03d", version)
	return strings.Join([]string{licenseRoot, typ, IssuerCreditCode, serial, ver,
		string(Mod3736(typ + IssuerCreditCode + serial + ver))}, ".")
}

const mod3736Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// Mod3736 is the ISO/IEC 7064 MOD 37,36 check character of s (digits and capital letters; others are skipped).
func Mod3736(s string) byte {
	p := 36
	for _, c := range strings.ToUpper(s) {
		v := strings.IndexRune(mod3736Alphabet, c)
		if v < 0 {
			continue
		}
		p = (p + v) % 36
		if p == 0 {
			p = 36
		}
		p = p * 2 % 37
	}
	return mod3736Alphabet[(37-p)%36]
}

// MaskIDNumberPublic masks an ID number for public pages: the first 6 and last 2 characters, stars between.
func MaskIDNumberPublic(n string) string {
	r := []rune(n)
	if len(r) <= 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-2:])
}
