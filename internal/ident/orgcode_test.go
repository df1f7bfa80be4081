package ident

import (
	"errors"
	"testing"
)

func TestParseCreditCodeValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want CreditCode
	}{
		{"commonly cited sample", "91350100M000100Y43",
			CreditCode{Code: "91350100M000100Y43", OrgCode: "M000100Y4", RegistrationAuthority: '9', OrgType: '1', Region: "350100"}},
		{"digits-only org code", "91110000600037341L",
			CreditCode{Code: "91110000600037341L", OrgCode: "600037341", RegistrationAuthority: '9', OrgType: '1', Region: "110000"}},
		{"lower case", "91350100m000100y43",
			CreditCode{Code: "91350100M000100Y43", OrgCode: "M000100Y4", RegistrationAuthority: '9', OrgType: '1', Region: "350100"}},
		{"full-width and spaces", "\u3000９１３５０１００Ｍ０００１００Ｙ４３ ",
			CreditCode{Code: "91350100M000100Y43", OrgCode: "M000100Y4", RegistrationAuthority: '9', OrgType: '1', Region: "350100"}},
		{"民政 authority, org check X", withCreditCheck("52110000" + "12345677X"),
			CreditCode{Code: withCreditCheck("52110000" + "12345677X"), OrgCode: "12345677X", RegistrationAuthority: '5', OrgType: '2', Region: "110000"}},
		{"national level, authority 1", withCreditCheck("11100000" + "123456710"),
			CreditCode{Code: withCreditCheck("11100000" + "123456710"), OrgCode: "123456710", RegistrationAuthority: '1', OrgType: '1', Region: "100000"}},
		{"authority Y", withCreditCheck("Y1440300" + "12345677X"),
			CreditCode{Code: withCreditCheck("Y1440300" + "12345677X"), OrgCode: "12345677X", RegistrationAuthority: 'Y', OrgType: '1', Region: "440300"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := tt.want.Code; refCreditCheck(c[:17]) != c[17:] || refOrgCheck(c[8:16]) != c[16:17] {
				t.Fatalf("test data: %q is not valid per the reference checkers", c)
			}
			got, err := ParseCreditCode(tt.in)
			if err != nil {
				t.Fatalf("ParseCreditCode(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseCreditCode(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCreditCodeErrors(t *testing.T) {
	const (
		msgLen     = "统一社会信用代码长度应为18位"
		msgCharset = "统一社会信用代码含有无效字符（只能是数字和大写字母，不使用I、O、S、V、Z）"
		msgCheck   = "统一社会信用代码校验码错误，请检查是否输入有误"
		msgRegion  = "统一社会信用代码第3-8位应为行政区划码（数字）"
		msgOrg     = "统一社会信用代码中的组织机构代码（第9-17位）无效"
	)
	tests := []struct {
		name, in, rule, msg string
	}{
		{"empty", "", RuleEmpty, "统一社会信用代码不能为空"},
		{"spaces", "\u3000 ", RuleEmpty, "统一社会信用代码不能为空"},
		{"17 chars", "91350100M000100Y4", RuleLength, msgLen},
		{"19 chars", "91350100M000100Y433", RuleLength, msgLen},
		{"org code only", "M000100Y4", RuleLength, msgLen},
		{"letter I", "91350100M000100I43", RuleCharset, msgCharset},
		{"letter O", "9135010OM000100Y43", RuleCharset, msgCharset},
		{"letter S", "S1350100M000100Y43", RuleCharset, msgCharset},
		{"letter V", "91350100M000100Y4V", RuleCharset, msgCharset},
		{"letter Z", "91350100M00Z100Y43", RuleCharset, msgCharset},
		{"hyphen", "91350100-M000100Y4", RuleCharset, msgCharset},
		{"non-ASCII", "91350100M000100Y4号", RuleCharset, msgCharset},
		{"checksum", "91350100M000100Y44", RuleChecksum, msgCheck},
		{"transposed", "91351000M000100Y43", RuleChecksum, msgCheck},
		{"region letter", withCreditCheck("91A50100M000100Y4"), RuleRegion, msgRegion},
		{"bad org check", withCreditCheck("91350100M000100Y5"), RuleOrgCode, msgOrg},
		{"org check letter", withCreditCheck("91350100M000100YA"), RuleOrgCode, msgOrg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCreditCode(tt.in)
			if err == nil {
				t.Fatalf("ParseCreditCode(%q) = %+v, want error", tt.in, got)
			}
			if got != (CreditCode{}) {
				t.Errorf("non-zero value %+v returned with error", got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Rule != tt.rule || err.Error() != tt.msg {
				t.Errorf("ParseCreditCode(%q) error = {%s %q}, want {%s %q}", tt.in, e.Rule, e.Msg, tt.rule, tt.msg)
			}
		})
	}
}

func TestParseOrgCode(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "M000100Y4", "M000100Y4"},
		{"hyphen", "M000100Y-4", "M000100Y4"},
		{"lower case", "m000100y-4", "M000100Y4"},
		{"full-width with full-width hyphen", "Ｍ０００１００Ｙ－４", "M000100Y4"},
		{"spaces", "  60003734-1\t", "600037341"},
		{"check X", "12345677-X", "12345677X"},
		{"check x lower", "12345677x", "12345677X"},
		{"check 0 (C9 = 11)", "12345671-0", "123456710"},
		{"letters I O S V Z allowed by GB 11714", withOrgCheck("IOSVZ123"), withOrgCheck("IOSVZ123")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if refOrgCheck(tt.want[:8]) != tt.want[8:] {
				t.Fatalf("test data: %q is not valid per the reference checker", tt.want)
			}
			got, err := ParseOrgCode(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseOrgCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseOrgCodeErrors(t *testing.T) {
	tests := []struct {
		name, in, rule, msg string
	}{
		{"empty", "", RuleEmpty, "组织机构代码不能为空"},
		{"8 chars", "M000100Y", RuleLength, "组织机构代码长度应为9位"},
		{"10 chars", "M000100Y44", RuleLength, "组织机构代码长度应为9位"},
		{"hyphen misplaced", "M00-0100Y4", RuleLength, "组织机构代码长度应为9位"},
		{"two hyphens", "M000100Y--4", RuleLength, "组织机构代码长度应为9位"},
		{"credit code", "91350100M000100Y43", RuleLength, "组织机构代码长度应为9位"},
		{"symbol in body", "M000*00Y4", RuleCharset, "组织机构代码只能包含数字和大写字母"},
		{"hyphen in 9 chars", "M000100-4", RuleCharset, "组织机构代码只能包含数字和大写字母"},
		{"non-ASCII body", "中000100Y4", RuleCharset, "组织机构代码只能包含数字和大写字母"},
		{"check letter", "M000100YA", RuleCharset, "组织机构代码最后一位（校验码）只能是数字或X"},
		{"non-ASCII check", "M000100Y号", RuleCharset, "组织机构代码最后一位（校验码）只能是数字或X"},
		{"checksum", "M000100Y5", RuleChecksum, "组织机构代码校验码错误，请检查是否输入有误"},
		{"checksum X expected", "123456779", RuleChecksum, "组织机构代码校验码错误，请检查是否输入有误"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOrgCode(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseOrgCode(%q) = %q, %v; want *Error", tt.in, got, err)
			}
			if got != "" || e.Rule != tt.rule || e.Error() != tt.msg {
				t.Errorf("ParseOrgCode(%q) = %q, {%s %q}; want \"\", {%s %q}", tt.in, got, e.Rule, e.Msg, tt.rule, tt.msg)
			}
		})
	}
}

func TestParseOrganizationCode(t *testing.T) {
	tests := []struct {
		name, in, credit, org, rule string
	}{
		{"credit code", " 91350100m000100y43 ", "91350100M000100Y43", "M000100Y4", ""},
		{"org code", "M000100Y4", "", "M000100Y4", ""},
		{"org code with hyphen", "ｍ０００１００ｙ－４", "", "M000100Y4", ""},
		{"empty", "\t", "", "", RuleEmpty},
		{"wrong length", "91350100M000", "", "", RuleLength},
		{"10 chars no hyphen", "M000100Y44", "", "", RuleLength},
		{"bad credit checksum", "91350100M000100Y44", "", "", RuleChecksum},
		{"bad org checksum", "M000100Y-5", "", "", RuleChecksum},
		{"credit with bad org", withCreditCheck("91350100M000100Y5"), "", "", RuleOrgCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			credit, org, err := ParseOrganizationCode(tt.in)
			if tt.rule == "" {
				if err != nil || credit != tt.credit || org != tt.org {
					t.Errorf("ParseOrganizationCode(%q) = %q, %q, %v; want %q, %q, nil", tt.in, credit, org, err, tt.credit, tt.org)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Rule != tt.rule || credit != "" || org != "" {
				t.Errorf("ParseOrganizationCode(%q) = %q, %q, %v; want rule %s", tt.in, credit, org, err, tt.rule)
			}
		})
	}
	_, _, err := ParseOrganizationCode("12345")
	if err == nil || err.Error() != "应为18位统一社会信用代码或9位组织机构代码" {
		t.Errorf("length message = %v", err)
	}
}
