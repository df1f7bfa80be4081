package ident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWeightTablesMatchDefinitions(t *testing.T) {
	for i, w := range idWeights {
		if want := powmod(2, 17-i, 11); w != want {
			t.Errorf("idWeights[%d] = %d, want %d", i, w, want)
		}
	}
	for i, w := range creditWeights {
		if want := powmod(3, i, 31); w != want {
			t.Errorf("creditWeights[%d] = %d, want %d", i, w, want)
		}
	}
	for i, w := range orgWeights {
		if want := powmod(2, 8-i, 11); w != want {
			t.Errorf("orgWeights[%d] = %d, want %d", i, w, want)
		}
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseIDNumberValid(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		number    string
		birth     time.Time
		gender    Gender
		converted bool
	}{
		{"GB 11643 sample", "11010519491231002X", "11010519491231002X", date(1949, 12, 31), GenderFemale, false},
		{"lowercase x", "11010519491231002x", "11010519491231002X", date(1949, 12, 31), GenderFemale, false},
		{"full-width", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X", date(1949, 12, 31), GenderFemale, false},
		{"full-width upper X", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", date(1949, 12, 31), GenderFemale, false},
		{"ASCII spaces and tabs", " \t 11010519491231002X \r\n", "11010519491231002X", date(1949, 12, 31), GenderFemale, false},
		{"ideographic space and NBSP", "\u3000\u00a011010519491231002X\u3000", "11010519491231002X", date(1949, 12, 31), GenderFemale, false},
		{"BOM and zero-width space", "\ufeff11010519491231002X\u200b", "11010519491231002X", date(1949, 12, 31), GenderFemale, false},
		{"male", "110101199003070011", "110101199003070011", date(1990, 3, 7), GenderMale, false},
		{"15-digit legacy", "110105491231002", "11010519491231002X", date(1949, 12, 31), GenderFemale, true},
		{"15-digit legacy full-width", "１１０１０５４９１２３１００２", "11010519491231002X", date(1949, 12, 31), GenderFemale, true},
		{"15-digit legacy male", "110101900307001", withIDCheck("11010119900307001"), date(1990, 3, 7), GenderMale, true},
		{"29 Feb 2000", withIDCheck("11010120000229000"), withIDCheck("11010120000229000"), date(2000, 2, 29), GenderFemale, false},
		{"1900-01-01", withIDCheck("11010119000101001"), withIDCheck("11010119000101001"), date(1900, 1, 1), GenderMale, false},
		{"check char 0", withIDCheck("44030520000229001"), withIDCheck("44030520000229001"), date(2000, 2, 29), GenderMale, false},
		{"Hong Kong 81", withIDCheck("81000019800101003"), withIDCheck("81000019800101003"), date(1980, 1, 1), GenderMale, false},
		{"Taiwan residence permit 83", withIDCheck("83000019800101004"), withIDCheck("83000019800101004"), date(1980, 1, 1), GenderFemale, false},
		{"Xinjiang 65", withIDCheck("65010219800101005"), withIDCheck("65010219800101005"), date(1980, 1, 1), GenderMale, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !refIDValid(tt.number) {
				t.Fatalf("test data: %q is not valid per the reference checker", tt.number)
			}
			got, err := ParseIDNumber(tt.in)
			if err != nil {
				t.Fatalf("ParseIDNumber(%q) error: %v", tt.in, err)
			}
			want := IDNumber{Number: tt.number, BirthDate: tt.birth, Gender: tt.gender, Region: tt.number[:6], Converted: tt.converted}
			if got != want {
				t.Errorf("ParseIDNumber(%q) =\n %+v\nwant\n %+v", tt.in, got, want)
			}
			if got.BirthDate.Location() != time.UTC {
				t.Errorf("BirthDate location = %v, want UTC", got.BirthDate.Location())
			}
		})
	}
}

// TestReferenceChecker guards the reference checker itself with numbers
// whose check characters are published or worked out by hand.
func TestReferenceChecker(t *testing.T) {
	for _, n := range []string{"11010519491231002X", "110101199003070011"} {
		if !refIDValid(n) {
			t.Errorf("refIDValid(%q) = false", n)
		}
	}
	// Often quoted as a sample, but its check character is wrong (should be 1).
	if refIDValid("110101199003070013") {
		t.Error(`refIDValid("110101199003070013") = true`)
	}
}

func TestParseIDNumberErrors(t *testing.T) {
	// Two days ahead, so the test cannot straddle midnight; the exact
	// boundary is covered by TestParseIDNumberToday.
	soon := time.Now().In(chinaTime).AddDate(0, 0, 2)
	future := withIDCheck("110101" + soon.Format("20060102") + "001")
	tests := []struct {
		name string
		in   string
		rule string
		msg  string
	}{
		{"empty", "", RuleEmpty, "身份证号不能为空"},
		{"only spaces", " \u3000\t", RuleEmpty, "身份证号不能为空"},
		{"too short", "1101051949", RuleLength, "身份证号长度应为18位（或15位旧号码）"},
		{"17 digits", "11010519491231002", RuleLength, "身份证号长度应为18位（或15位旧号码）"},
		{"19 chars", "11010519491231002X1", RuleLength, "身份证号长度应为18位（或15位旧号码）"},
		{"inner space", "110105 19491231002X", RuleLength, "身份证号长度应为18位（或15位旧号码）"},
		{"letter in body", "1101051949123100AX", RuleCharset, "身份证号只能包含数字，最后一位可以是X"},
		{"X not last", "1101051949123100X2", RuleCharset, "身份证号只能包含数字，最后一位可以是X"},
		{"bad check letter", "11010519491231002Y", RuleCharset, "身份证号只能包含数字，最后一位可以是X"},
		{"hyphen", "110105-1949123100X", RuleCharset, "身份证号只能包含数字，最后一位可以是X"},
		{"non-ASCII 18 runes", "11010519491231002中", RuleCharset, "身份证号只能包含数字，最后一位可以是X"},
		{"invalid UTF-8", "11010519491231002\xff", RuleCharset, "身份证号只能包含数字，最后一位可以是X"},
		{"15-digit with X", "11010549123100X", RuleCharset, "15位旧身份证号只能包含数字"},
		{"province 00", withIDCheck("00010519491231002"), RuleRegion, "身份证号中的地区码无效"},
		{"province 16", withIDCheck("16010519491231002"), RuleRegion, "身份证号中的地区码无效"},
		{"province 91", withIDCheck("91010519491231002"), RuleRegion, "身份证号中的地区码无效"},
		{"province 84", withIDCheck("84000019800101003"), RuleRegion, "身份证号中的地区码无效"},
		{"15-digit bad province", "990105491231002", RuleRegion, "身份证号中的地区码无效"},
		{"month 13", withIDCheck("11010519491331002"), RuleBirthDate, "身份证号中的出生日期无效"},
		{"month 00", withIDCheck("11010519490031002"), RuleBirthDate, "身份证号中的出生日期无效"},
		{"day 00", withIDCheck("11010519491200002"), RuleBirthDate, "身份证号中的出生日期无效"},
		{"31 April", withIDCheck("11010519490431002"), RuleBirthDate, "身份证号中的出生日期无效"},
		{"30 Feb", withIDCheck("11010520000230002"), RuleBirthDate, "身份证号中的出生日期无效"},
		{"29 Feb 1900", withIDCheck("11010119000229001"), RuleBirthDate, "身份证号中的出生日期无效"},
		{"29 Feb 2001", withIDCheck("11010120010229001"), RuleBirthDate, "身份证号中的出生日期无效"},
		{"15-digit 29 Feb 1900", "110101000229001", RuleBirthDate, "身份证号中的出生日期无效"},
		{"before 1900", withIDCheck("11010118991231001"), RuleBirthDate, "身份证号中的出生日期无效（不能早于1900年1月1日）"},
		{"year 0000", withIDCheck("11010100000101001"), RuleBirthDate, "身份证号中的出生日期无效（不能早于1900年1月1日）"},
		{"in two days", future, RuleBirthDate, "身份证号中的出生日期不能晚于今天"},
		{"year 2999", withIDCheck("11010129990101001"), RuleBirthDate, "身份证号中的出生日期不能晚于今天"},
		{"checksum", "110101199003070013", RuleChecksum, "身份证号校验码错误，请检查是否输入有误"},
		{"checksum X expected", "110105194912310020", RuleChecksum, "身份证号校验码错误，请检查是否输入有误"},
		{"transposed digits", "11010519491213002X", RuleChecksum, "身份证号校验码错误，请检查是否输入有误"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIDNumber(tt.in)
			if err == nil {
				t.Fatalf("ParseIDNumber(%q) = %+v, want error", tt.in, got)
			}
			if got != (IDNumber{}) {
				t.Errorf("ParseIDNumber(%q) returned non-zero value %+v with error", tt.in, got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Rule != tt.rule || e.Msg != tt.msg || err.Error() != tt.msg {
				t.Errorf("ParseIDNumber(%q) error = {%s %q}, want {%s %q}", tt.in, e.Rule, e.Msg, tt.rule, tt.msg)
			}
		})
	}
}

func TestParseIDNumberToday(t *testing.T) {
	defer func(f func() time.Time) { now = f }(now)
	// 2024-06-15 23:30 UTC is already 2024-06-16 07:30 in China.
	now = func() time.Time { return time.Date(2024, 6, 15, 23, 30, 0, 0, time.UTC) }
	if _, err := ParseIDNumber(withIDCheck("11010120240616001")); err != nil {
		t.Errorf("born today (China time): %v", err)
	}
	if _, err := ParseIDNumber(withIDCheck("11010120240617001")); !errors.Is(err, ErrBirthDate) {
		t.Errorf("born tomorrow (China time): err = %v, want birthdate error", err)
	}
}

func TestErrorsIsAndAs(t *testing.T) {
	_, err := ParseIDNumber("110101199003070013")
	if !errors.Is(err, ErrChecksum) {
		t.Errorf("errors.Is(%v, ErrChecksum) = false", err)
	}
	if errors.Is(err, ErrLength) {
		t.Errorf("errors.Is(%v, ErrLength) = true", err)
	}
	_, err = ParseCreditCode("91350100M000100Y44")
	if !errors.Is(err, ErrChecksum) {
		t.Errorf("errors.Is(%v, ErrChecksum) = false", err)
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Rule != RuleChecksum || !strings.Contains(e.Error(), "校验码错误") {
		t.Errorf("errors.AsType = %+v, %v", e, ok)
	}
	// Errors are fresh values: changing one must not affect the next.
	e.Msg = "changed"
	if _, err2 := ParseCreditCode("91350100M000100Y44"); err2.Error() == "changed" {
		t.Error("returned errors share state")
	}
}

func TestGenderString(t *testing.T) {
	for g, want := range map[Gender]string{GenderMale: "男", GenderFemale: "女", 0: "未知", 3: "未知"} {
		if got := g.String(); got != want {
			t.Errorf("Gender(%d).String() = %q, want %q", int(g), got, want)
		}
	}
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002X", "110105********002X"},
		{"110101199003070011", "110101********0011"},
		{"110105491231002", "110105********1002"},
		{"", ""},
		{"123", "***"},
		{"123456789", "*********"},
		{"1234567890", "123456********7890"},
		{"身份证号码一二三四", "*********"},
		{"一二三四五六七八九十甲乙", "一二三四五六********九十甲乙"},
	}
	for _, tt := range tests {
		if got := MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "ABC"},
		{"  11010519491231002x  ", "11010519491231002X"},
		{"\t\u3000\u00a0ａｂｃＸＹＺ０１９\u3000\n", "ABCXYZ019"},
		{"Ｍ０００１００Ｙ－４", "M000100Y-4"},
		{"a b", "A B"},
		{"中文ｘ", "中文X"},
		{"ß", "ß"}, // only ASCII letters are upper-cased
	}
	for _, tt := range tests {
		got := Normalize(tt.in)
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Normalize(got); again != got {
			t.Errorf("Normalize not idempotent on %q: %q", got, again)
		}
	}
}

func BenchmarkParseIDNumber(b *testing.B) {
	inputs := []string{"11010519491231002X", " １１０１０５１９４９１２３１００２ｘ ", "110105491231002"}
	for _, in := range inputs {
		if _, err := ParseIDNumber(in); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("ascii", func(b *testing.B) {
		for b.Loop() {
			ParseIDNumber(inputs[0])
		}
	})
	b.Run("fullwidth", func(b *testing.B) {
		for b.Loop() {
			ParseIDNumber(inputs[1])
		}
	})
	b.Run("legacy15", func(b *testing.B) {
		for b.Loop() {
			ParseIDNumber(inputs[2])
		}
	})
}
