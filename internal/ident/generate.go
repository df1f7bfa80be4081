package ident

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// GenerateIDNumber returns an 18-digit 公民身份号码 with a correct check
// character, for demo data and tests. region must be 6 ASCII digits (e.g.
// "110101") and birth's calendar date (in birth's location) must have a year
// between 0 and 9999, otherwise GenerateIDNumber panics. The 3-digit sequence
// code is random, with an odd last digit for GenderMale and an even one for
// GenderFemale (any other gender gives a random parity). The result is
// accepted by ParseIDNumber when region has a valid province code and birth
// is between 1900-01-01 and today.
func GenerateIDNumber(r *rand.Rand, region string, birth time.Time, gender Gender) string {
	mustDigits("GenerateIDNumber: region", region, 6)
	y, m, d := birth.Date()
	if y < 0 || y > 9999 {
		panic("ident: GenerateIDNumber: birth year out of range")
	}
	var b [18]byte
	copy(b[:], region)
	putDigits(b[6:10], y)
	putDigits(b[10:12], int(m))
	putDigits(b[12:14], d)
	b[14] = byte('0' + r.IntN(10))
	b[15] = byte('0' + r.IntN(10))
	last := r.IntN(10)
	switch gender {
	case GenderMale:
		last = last/2*2 + 1
	case GenderFemale:
		last = last / 2 * 2
	}
	b[16] = byte('0' + last)
	b[17] = idCheckChar(b[:17])
	return string(b[:])
}

// GenerateOrgCode returns a random valid 9-character 组织机构代码. The body
// uses only characters of the GB 32100 alphabet (no I, O, S, V, Z), so the
// result can also be embedded in a 统一社会信用代码.
func GenerateOrgCode(r *rand.Rand) string {
	var b [9]byte
	sum := 0
	for i := 0; i < 8; i++ {
		b[i] = creditAlphabet[r.IntN(len(creditAlphabet))]
		sum += orgValue(b[i]) * orgWeights[i]
	}
	b[8] = orgCheckChar(sum)
	return string(b[:])
}

// GenerateCreditCode returns a random valid 统一社会信用代码 with registration
// authority '9' (工商/市场监管), organization type '1' (企业), the given region
// (6 ASCII digits, else it panics) and an embedded valid 组织机构代码.
func GenerateCreditCode(r *rand.Rand, region string) string {
	mustDigits("GenerateCreditCode: region", region, 6)
	b := []byte("91" + region + GenerateOrgCode(r) + "0")
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(creditValue[b[i]]) * creditWeights[i]
	}
	b[17] = creditAlphabet[(31-sum%31)%31]
	return string(b)
}

func mustDigits(what, s string, n int) {
	ok := len(s) == n
	for i := 0; ok && i < n; i++ {
		ok = isDigit(s[i])
	}
	if !ok {
		panic("ident: " + what + " must be " + strconv.Itoa(n) + " ASCII digits, got " + strconv.Quote(s))
	}
}

func putDigits(dst []byte, v int) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}
