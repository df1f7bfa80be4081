package ident

import (
	"time"
	"unicode/utf8"
)

// Gender is the sex encoded in an identity number.
type Gender int

// Gender values; the zero value means "unknown".
const (
	GenderMale   Gender = 1
	GenderFemale Gender = 2
)

// String returns "男", "女", or "未知" for any other value.
func (g Gender) String() string {
	switch g {
	case GenderMale:
		return "男"
	case GenderFemale:
		return "女"
	}
	return "未知"
}

// IDNumber is a parsed 公民身份号码 (GB 11643-1999).
type IDNumber struct {
	Number    string    // the 18-character number, normalised (check character 'X' upper-case)
	BirthDate time.Time // date of birth at 00:00 UTC
	Gender    Gender    // from the 17th digit: odd = male, even = female
	Region    string    // the first 6 digits (address code, GB/T 2260)
	Converted bool      // true when the input was a 15-digit legacy number
}

// GB 11643-1999 weights W_i = 2^(i-1) mod 11 for positions 18..2 (left to
// right) and the check character for each value of sum mod 11.
var (
	idWeights    = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheckChars = "10X98765432"
)

// minBirthDate is the earliest birth date accepted.
var minBirthDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// chinaTime is China Standard Time (UTC+8, no daylight saving); "today" for
// the future-date check is the calendar date there. A fixed zone avoids a
// dependency on the system's tz database.
var chinaTime = time.FixedZone("CST", 8*60*60)

// now is replaced in tests.
var now = time.Now

// ParseIDNumber parses and validates a 公民身份号码 according to GB 11643-1999.
//
// The input is first passed through Normalize, so surrounding spaces,
// full-width characters and a lower-case x are accepted. An 18-character
// number must be 17 digits followed by a digit or X. A 15-digit legacy number
// (first-generation cards, birth year 19YY) is converted to 18 digits by
// inserting "19" after the address code and appending the computed check
// character; Converted is then true.
//
// Checks, in the order they are reported: not empty, length, characters,
// province code (first two digits, see validProvince), birth date (a real
// calendar date, not before 1900-01-01 and not after today in China Standard
// Time), and finally the ISO 7064 MOD 11-2 check character (18-digit input only).
func ParseIDNumber(s string) (IDNumber, error) {
	s = Normalize(s)
	var b [18]byte
	converted := false
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return IDNumber{}, newErr(RuleEmpty, "身份证号不能为空")
	case n == 18 && len(s) == 18:
		for i := 0; i < 17; i++ {
			if !isDigit(s[i]) {
				return IDNumber{}, newErr(RuleCharset, "身份证号只能包含数字，最后一位可以是X")
			}
		}
		if c := s[17]; !isDigit(c) && c != 'X' {
			return IDNumber{}, newErr(RuleCharset, "身份证号只能包含数字，最后一位可以是X")
		}
		copy(b[:], s)
	case n == 15 && len(s) == 15:
		for i := 0; i < 15; i++ {
			if !isDigit(s[i]) {
				return IDNumber{}, newErr(RuleCharset, "15位旧身份证号只能包含数字")
			}
		}
		copy(b[:6], s[:6])
		b[6], b[7] = '1', '9'
		copy(b[8:17], s[6:])
		b[17] = idCheckChar(b[:17])
		converted = true
	case n == 18 || n == 15:
		// Right number of characters, but some are not ASCII.
		return IDNumber{}, newErr(RuleCharset, "身份证号只能包含数字，最后一位可以是X")
	default:
		return IDNumber{}, newErr(RuleLength, "身份证号长度应为18位（或15位旧号码）")
	}

	if !validProvince(int(b[0]-'0')*10 + int(b[1]-'0')) {
		return IDNumber{}, newErr(RuleRegion, "身份证号中的地区码无效")
	}

	year := atoi(b[6:10])
	month := atoi(b[10:12])
	day := atoi(b[12:14])
	birth := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || day < 1 || birth.Day() != day || birth.Month() != time.Month(month) {
		return IDNumber{}, newErr(RuleBirthDate, "身份证号中的出生日期无效")
	}
	if birth.Before(minBirthDate) {
		return IDNumber{}, newErr(RuleBirthDate, "身份证号中的出生日期无效（不能早于1900年1月1日）")
	}
	ty, tm, td := now().In(chinaTime).Date()
	if birth.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return IDNumber{}, newErr(RuleBirthDate, "身份证号中的出生日期不能晚于今天")
	}

	if !converted && idCheckChar(b[:17]) != b[17] {
		return IDNumber{}, newErr(RuleChecksum, "身份证号校验码错误，请检查是否输入有误")
	}

	g := GenderFemale
	if (b[16]-'0')%2 == 1 {
		g = GenderMale
	}
	num := string(b[:])
	return IDNumber{
		Number:    num,
		BirthDate: birth,
		Gender:    g,
		Region:    num[:6],
		Converted: converted,
	}, nil
}

// idCheckChar computes the GB 11643 check character for 17 ASCII digits.
func idCheckChar(body []byte) byte {
	sum := 0
	for i, c := range body[:17] {
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// validProvince reports whether p is a province-level code of GB/T 2260:
// 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71 (台湾), 81 (香港), 82 (澳门).
// 83 is accepted as well: GB/T 2260 has no such entry, but it is the address
// code used in the 公民身份号码-format numbers on 台湾居民居住证 (since 2018),
// whose 香港/澳门 counterparts use 81 and 82. The obsolete 91 (国外) is not
// accepted.
func validProvince(p int) bool {
	switch {
	case 11 <= p && p <= 15,
		21 <= p && p <= 23,
		31 <= p && p <= 37,
		41 <= p && p <= 46,
		50 <= p && p <= 54,
		61 <= p && p <= 65,
		p == 71, p == 81, p == 82, p == 83:
		return true
	}
	return false
}

// MaskIDNumber hides the middle of an identity number for display: the first
// 6 and last 4 characters are kept and exactly eight '*' go in between, e.g.
// "110101********0013" (so the masked form does not reveal the length of
// what was hidden). Input shorter than 10 characters is masked completely,
// with one '*' per character. Characters are counted as runes; the input is
// not normalised.
func MaskIDNumber(n string) string {
	r := []rune(n)
	if len(r) < 10 {
		return string(repeatStar(len(r)))
	}
	out := make([]rune, 0, 18)
	out = append(out, r[:6]...)
	out = append(out, repeatStar(8)...)
	out = append(out, r[len(r)-4:]...)
	return string(out)
}

func repeatStar(n int) []rune {
	s := make([]rune, n)
	for i := range s {
		s[i] = '*'
	}
	return s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// atoi converts a short run of ASCII digits (already validated).
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
