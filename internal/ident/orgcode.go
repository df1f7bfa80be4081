package ident

import (
	"strings"
	"unicode/utf8"
)

// CreditCode is a parsed 统一社会信用代码 (GB 32100-2015).
type CreditCode struct {
	Code                  string // the 18-character code, normalised
	OrgCode               string // positions 9-17: the embedded 9-character 组织机构代码 (主体标识码)
	RegistrationAuthority byte   // position 1: 登记管理部门代码, e.g. '1' 机构编制, '5' 民政, '9' 工商/市场监管, 'Y' 其他
	OrgType               byte   // position 2: 机构类别代码, e.g. '1' 企业 under authority '9'
	Region                string // positions 3-8: 登记管理机关行政区划码
}

// creditAlphabet is the GB 32100 character set: digits and upper-case letters
// without I, O, S, V and Z. A character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are 3^(i-1) mod 31 for positions 1..17.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditValue maps an ASCII byte to its GB 32100 value, or -1.
var creditValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(creditAlphabet); i++ {
		t[creditAlphabet[i]] = int8(i)
	}
	return t
}()

// orgWeights are the GB 11714 weights 3 7 9 10 5 8 4 2 (2^(9-i) mod 11).
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// ParseCreditCode parses and validates a 统一社会信用代码 according to
// GB 32100-2015. The input is passed through Normalize first.
//
// Checks, in the order they are reported: not empty, length 18, characters
// (only the 31-character GB 32100 alphabet), the MOD 31 check character
// (position 18), the region code (positions 3-8 must be digits), and the
// embedded 组织机构代码 (positions 9-17), which must pass the GB 11714 check.
//
// Positions 1 (登记管理部门) and 2 (机构类别) are deliberately not restricted
// beyond the alphabet: the standard's table has grown over time (1-9, A, N, Y
// for the authority so far) and rejecting a newly allocated code would be
// worse than accepting an unusual one. The region is not looked up in
// GB/T 2260 either, since codes such as 100000 (national level) are in use.
func ParseCreditCode(s string) (CreditCode, error) {
	s = Normalize(s)
	return parseCreditCode(s)
}

func parseCreditCode(s string) (CreditCode, error) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return CreditCode{}, newErr(RuleEmpty, "统一社会信用代码不能为空")
	case n != 18:
		return CreditCode{}, newErr(RuleLength, "统一社会信用代码长度应为18位")
	case len(s) != 18:
		return CreditCode{}, newErr(RuleCharset, "统一社会信用代码含有无效字符（只能是数字和大写字母，不使用I、O、S、V、Z）")
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := creditValue[s[i]]
		if v < 0 {
			return CreditCode{}, newErr(RuleCharset, "统一社会信用代码含有无效字符（只能是数字和大写字母，不使用I、O、S、V、Z）")
		}
		if i < 17 {
			sum += int(v) * creditWeights[i]
		}
	}
	if creditAlphabet[(31-sum%31)%31] != s[17] {
		return CreditCode{}, newErr(RuleChecksum, "统一社会信用代码校验码错误，请检查是否输入有误")
	}
	for i := 2; i < 8; i++ {
		if !isDigit(s[i]) {
			return CreditCode{}, newErr(RuleRegion, "统一社会信用代码第3-8位应为行政区划码（数字）")
		}
	}
	org := s[8:17]
	if _, err := parseOrgCode(org); err != nil {
		return CreditCode{}, newErr(RuleOrgCode, "统一社会信用代码中的组织机构代码（第9-17位）无效")
	}
	return CreditCode{
		Code:                  s,
		OrgCode:               org,
		RegistrationAuthority: s[0],
		OrgType:               s[1],
		Region:                s[2:8],
	}, nil
}

// ParseOrgCode parses and validates a 组织机构代码 according to GB 11714-1997
// and returns it as 9 characters without a hyphen. The input is passed
// through Normalize first and may be written as "XXXXXXXX-X" (with an ASCII
// or full-width hyphen before the check character).
//
// The 8 body characters must be digits or upper-case letters (A=10 … Z=35);
// the check character C9 = 11 - (Σ value×weight mod 11), written 'X' for 10
// and '0' for 11.
func ParseOrgCode(s string) (string, error) {
	return parseOrgCode(stripOrgHyphen(Normalize(s)))
}

// stripOrgHyphen turns "XXXXXXXX-X" into "XXXXXXXXX"; other strings are
// returned unchanged.
func stripOrgHyphen(s string) string {
	if len(s) == 10 && s[8] == '-' {
		return s[:8] + s[9:]
	}
	return s
}

func parseOrgCode(s string) (string, error) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", newErr(RuleEmpty, "组织机构代码不能为空")
	case n != 9:
		return "", newErr(RuleLength, "组织机构代码长度应为9位")
	}
	sum := 0
	for i := 0; i < 8; i++ {
		v := orgValue(s[i])
		if v < 0 {
			return "", newErr(RuleCharset, "组织机构代码只能包含数字和大写字母")
		}
		sum += v * orgWeights[i]
	}
	if c := s[8]; !isDigit(c) && c != 'X' {
		return "", newErr(RuleCharset, "组织机构代码最后一位（校验码）只能是数字或X")
	}
	if orgCheckChar(sum) != s[8] {
		return "", newErr(RuleChecksum, "组织机构代码校验码错误，请检查是否输入有误")
	}
	return s, nil
}

// orgValue is the GB 11714 value of a body character (0-9, A=10 … Z=35), or -1.
// s[i] on a 9-rune string that is not all ASCII yields a byte >= 0x80, which
// is rejected here, so multi-byte input cannot slip through.
func orgValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

func orgCheckChar(sum int) byte {
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// ParseOrganizationCode accepts either an 18-character 统一社会信用代码 or a
// 9-character 组织机构代码 (optionally "XXXXXXXX-X") and returns the
// normalised credit code and organization code. For a credit code, orgCode is
// its embedded 组织机构代码; for a 9-character input, creditCode is "".
func ParseOrganizationCode(s string) (creditCode string, orgCode string, err error) {
	s = Normalize(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", "", newErr(RuleEmpty, "统一社会信用代码或组织机构代码不能为空")
	case n == 18:
		cc, err := parseCreditCode(s)
		if err != nil {
			return "", "", err
		}
		return cc.Code, cc.OrgCode, nil
	case n == 9 || (n == 10 && strings.IndexByte(s, '-') == 8):
		oc, err := parseOrgCode(stripOrgHyphen(s))
		if err != nil {
			return "", "", err
		}
		return "", oc, nil
	}
	return "", "", newErr(RuleLength, "应为18位统一社会信用代码或9位组织机构代码")
}
