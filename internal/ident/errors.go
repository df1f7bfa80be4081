package ident

// Error is the error type returned by every parser in this package.
//
// Msg is a complete Chinese sentence suitable for showing to an end user;
// Error returns it unchanged. Rule is a short, stable English code naming the
// rule that failed (see the Rule* constants), meant for programs.
//
// Use errors.As to get at the fields, and errors.Is with the Err* sentinels
// to test the rule: errors.Is(err, ident.ErrChecksum) is true for any
// *Error whose Rule is RuleChecksum, whatever kind of code was parsed.
type Error struct {
	Rule string
	Msg  string
}

// Error returns the user-facing Chinese message.
func (e *Error) Error() string { return e.Msg }

// Is reports whether target is an *Error with the same Rule, so that the
// Err* sentinels match every error of their rule.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Rule == e.Rule
}

// Rule codes carried in Error.Rule.
const (
	RuleEmpty     = "empty"     // input is empty after trimming
	RuleLength    = "length"    // wrong number of characters
	RuleCharset   = "charset"   // a character not allowed at its position
	RuleChecksum  = "checksum"  // check character does not match
	RuleBirthDate = "birthdate" // impossible, too early or future birth date
	RuleRegion    = "region"    // bad administrative-division (地区) code
	RuleOrgCode   = "orgcode"   // 组织机构代码 inside a credit code is invalid
)

// Sentinels for errors.Is. They match by Rule only; the errors actually
// returned carry a more specific message. Do not modify them.
var (
	ErrEmpty     = &Error{Rule: RuleEmpty, Msg: "不能为空"}
	ErrLength    = &Error{Rule: RuleLength, Msg: "长度不正确"}
	ErrCharset   = &Error{Rule: RuleCharset, Msg: "含有无效字符"}
	ErrChecksum  = &Error{Rule: RuleChecksum, Msg: "校验码错误"}
	ErrBirthDate = &Error{Rule: RuleBirthDate, Msg: "出生日期无效"}
	ErrRegion    = &Error{Rule: RuleRegion, Msg: "地区码无效"}
	ErrOrgCode   = &Error{Rule: RuleOrgCode, Msg: "其中的组织机构代码无效"}
)

// newErr returns a fresh *Error so that callers can never alter a value
// shared with other callers.
func newErr(rule, msg string) error { return &Error{Rule: rule, Msg: msg} }
