package password

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestPolicyCheck(t *testing.T) {
	p := DefaultPolicy
	cases := []struct {
		pw, user string
		ok       bool
		msg      string
	}{
		{"", "", false, "请输入新密码"},
		{"Ab1!", "", false, "密码长度至少为8位"},
		{"abcdefgh", "", false, "密码须包含大写字母、小写字母、数字、符号中的至少3类"},
		{"abcdefg1", "", false, "密码须包含大写字母、小写字母、数字、符号中的至少3类"},
		{"Password1", "", false, "该密码过于常见，请换一个"},
		{"p@ssw0rd", "", false, "该密码过于常见，请换一个"},
		{"1QAZ@wsx", "", false, "该密码过于常见，请换一个"},
		{"Zhang#2026x", "zhang", false, "密码不能包含用户名"},
		{"Kq7#mRt2", "", true, ""},
		// Found accepted when the first release was tried: a common word with digits and a symbol, or key runs.
		{"Password1!", "", false, "密码不能是常见单词加数字或符号，请换一个"},
		{"Admin123!", "", false, "密码不能是常见单词加数字或符号，请换一个"},
		{"Beijing@2026", "", false, "密码不能是常见单词加数字或符号，请换一个"},
		{"Test@1234", "", false, "密码不能是常见单词加数字或符号，请换一个"},
		{"P@ssw0rd2026", "", false, "密码不能是常见单词加数字或符号，请换一个"},
		{"2026#Welcome", "", false, "密码不能是常见单词加数字或符号，请换一个"},
		{"Abc12345!", "", false, "密码不能是键盘上相邻的按键或连续的字母、数字，请换一个"},
		{"Qwer1234!", "", false, "密码不能是键盘上相邻的按键或连续的字母、数字，请换一个"},
		{"1qaz@WSX3edc", "", false, "密码不能是键盘上相邻的按键或连续的字母、数字，请换一个"},
		{"Asdf!@#$5", "", false, "密码不能是键盘上相邻的按键或连续的字母、数字，请换一个"},
		{"Zxcv0987^", "", false, "密码不能是键盘上相邻的按键或连续的字母、数字，请换一个"},
		{"Qw8$zxTy3", "", true, ""},
		{"Xy7#kLm2pQ", "", true, ""},
		{"Hetong#Lu7x", "", true, ""},
		{"Lvshi2026@Kj", "", true, ""},
		{"考试证书Ab12", "", true, ""}, // Chinese characters count as the fourth class
	}
	for _, c := range cases {
		err := p.Check(c.pw, c.user)
		if c.ok {
			if err != nil {
				t.Errorf("Check(%q) = %v, want ok", c.pw, err)
			}
			continue
		}
		if err == nil || err.Error() != c.msg {
			t.Errorf("Check(%q) = %v, want %q", c.pw, err, c.msg)
		}
	}
}

func TestConfigurablePolicy(t *testing.T) {
	p := Policy{MinLength: 12, MinClasses: 2}
	if err := p.Check("Kq7#mRt2", ""); err == nil || err.Error() != "密码长度至少为12位" {
		t.Fatalf("got %v", err)
	}
	if err := p.Check("password1234", ""); err != nil {
		t.Fatalf("common list is off, got %v", err)
	}
}

func TestExpired(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	if DefaultPolicy.Expired(now.Add(-89*24*time.Hour), now) {
		t.Error("89 days is not expired")
	}
	if !DefaultPolicy.Expired(now.Add(-91*24*time.Hour), now) {
		t.Error("91 days is expired")
	}
	if (Policy{}).Expired(now.Add(-1000*24*time.Hour), now) {
		t.Error("MaxAgeAdmin 0 never expires")
	}
}

func TestHashVerify(t *testing.T) {
	Cost = bcrypt.MinCost
	h, err := Hash("Kq7#mRt2")
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(h, "Kq7#mRt2") {
		t.Error("right password rejected")
	}
	if Verify(h, "Kq7#mRt3") {
		t.Error("wrong password accepted")
	}
	if Verify("", "anything") {
		t.Error("empty hash accepted")
	}
}

func TestGenerateMeetsPolicy(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		pw := Generate()
		if err := DefaultPolicy.Check(pw, ""); err != nil {
			t.Fatalf("Generate() = %q: %v", pw, err)
		}
		if classes(pw) != 4 {
			t.Fatalf("Generate() = %q has %d classes", pw, classes(pw))
		}
		seen[pw] = true
	}
	if len(seen) < 2000 {
		t.Fatalf("only %d distinct passwords of 2000", len(seen))
	}
}

func TestCommonListIsLargeAndRefused(t *testing.T) {
	isCommon("x")
	if len(common) < 10000 {
		t.Fatalf("the common-password list has %d entries, want ≥ 10,000", len(common))
	}
	// Each of the common passwords, made to pass the composition rules the way people do it, is still refused.
	refused, tried := 0, 0
	for w := range common {
		if len(w) < 4 || !isLetters(w) {
			continue
		}
		tried++
		pw := strings.ToUpper(w[:1]) + w[1:] + "2026!"
		if DefaultPolicy.Check(pw, "") != nil {
			refused++
		}
	}
	if tried < 1000 || refused != tried {
		t.Errorf("%d of %d decorated common words refused", refused, tried)
	}
}
