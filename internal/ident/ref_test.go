package ident

// Independent reference implementations of the three check-character
// algorithms, written from the mathematical definitions in the standards
// (ISO 7064 MOD 11-2 for GB 11643, powers of 3 mod 31 for GB 32100, powers
// of 2 mod 11 for GB 11714) rather than from the weight tables used in the
// package, so that a typo in a table cannot hide behind a test that shares it.

import (
	"strconv"
	"strings"
)

func powmod(b, e, m int) int {
	r := 1
	for ; e > 0; e-- {
		r = r * b % m
	}
	return r
}

// refIDCheck returns the GB 11643 check character for 17 digits: the
// character a18 such that Σ a_i·2^(18-i) ≡ 1 (mod 11), with 10 written X.
func refIDCheck(body string) string {
	s := 0
	for i := 0; i < 17; i++ {
		d, _ := strconv.Atoi(body[i : i+1])
		s += d * powmod(2, 17-i, 11)
	}
	for a := 0; a <= 10; a++ {
		if (s+a)%11 == 1 {
			if a == 10 {
				return "X"
			}
			return strconv.Itoa(a)
		}
	}
	panic("unreachable")
}

// refIDValid reports whether an 18-character number has a correct check character.
func refIDValid(n string) bool {
	return len(n) == 18 && refIDCheck(n[:17]) == n[17:]
}

// withIDCheck appends the check character to 17 digits.
func withIDCheck(body string) string { return body + refIDCheck(body) }

const refCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// refCreditCheck returns the GB 32100 check character for 17 characters.
func refCreditCheck(body string) string {
	s := 0
	for i := 0; i < 17; i++ {
		s += strings.IndexByte(refCreditAlphabet, body[i]) * powmod(3, i, 31)
	}
	c := 31 - s%31
	if c == 31 {
		c = 0
	}
	return refCreditAlphabet[c : c+1]
}

func withCreditCheck(body string) string { return body + refCreditCheck(body) }

// refOrgCheck returns the GB 11714 check character for 8 body characters.
func refOrgCheck(body string) string {
	s := 0
	for i := 0; i < 8; i++ {
		v, _ := strconv.ParseInt(body[i:i+1], 36, 0) // 0-9, A=10 … Z=35
		s += int(v) * powmod(2, 8-i, 11)
	}
	switch c := 11 - s%11; c {
	case 10:
		return "X"
	case 11:
		return "0"
	default:
		return strconv.Itoa(c)
	}
}

func withOrgCheck(body string) string { return body + refOrgCheck(body) }
