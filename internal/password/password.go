// Package password holds the password policy (length, character classes, the common-password list, maximum age)
// and the one way passwords are hashed and checked.
package password

import (
	"bufio"
	"crypto/rand"
	_ "embed"
	"errors"
	"math/big"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

//go:embed common.txt
var commonList string

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func isCommon(pw string) bool {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 10100)
		sc := bufio.NewScanner(strings.NewReader(commonList))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			common[strings.ToLower(line)] = struct{}{}
		}
	})
	_, ok := common[strings.ToLower(pw)]
	return ok
}

// Policy is configurable; DefaultPolicy is what SECURITY.md asks for.
type Policy struct {
	MinLength    int           // characters, not bytes
	MinClasses   int           // of: lower case, upper case, digits, other symbols
	RejectCommon bool          // reject passwords on the embedded common-password list
	MaxAgeAdmin  time.Duration // admins must change their password after this long; 0 = never
}

// DefaultPolicy: at least 8 characters, 3 of 4 classes, not common, admins change every 90 days.
var DefaultPolicy = Policy{MinLength: 8, MinClasses: 3, RejectCommon: true, MaxAgeAdmin: 90 * 24 * time.Hour}

// ErrPolicy is wrapped by every policy violation; its text is shown to the user as it is.
type PolicyError struct{ Msg string }

func (e *PolicyError) Error() string { return e.Msg }

// Check returns a *PolicyError saying, in Chinese, which rule the password breaks.
// username, when given, may not be part of the password.
func (p Policy) Check(pw, username string) error {
	if pw == "" {
		return &PolicyError{"请输入新密码"}
	}
	if n := utf8.RuneCountInString(pw); n < p.MinLength {
		return &PolicyError{"密码长度至少为" + itoa(p.MinLength) + "位"}
	}
	if len(pw) > 72 {
		// bcrypt reads only the first 72 bytes; a longer password would silently be cut.
		return &PolicyError{"密码过长（最多72个字节）"}
	}
	if c := classes(pw); c < p.MinClasses {
		return &PolicyError{"密码须包含大写字母、小写字母、数字、符号中的至少" + itoa(p.MinClasses) + "类"}
	}
	if p.RejectCommon && isCommon(pw) {
		return &PolicyError{"该密码过于常见，请换一个"}
	}
	if p.RejectCommon && keyboardPattern(pw) {
		return &PolicyError{"密码不能是键盘上相邻的按键或连续的字母、数字，请换一个"}
	}
	if p.RejectCommon && decoratedWord(pw) {
		return &PolicyError{"密码不能是常见单词加数字或符号，请换一个"}
	}
	if u := strings.ToLower(strings.TrimSpace(username)); len(u) >= 3 && strings.Contains(strings.ToLower(pw), u) {
		return &PolicyError{"密码不能包含用户名"}
	}
	return nil
}

// Expired says whether an admin's password, changed at changedAt, must be changed now.
func (p Policy) Expired(changedAt, now time.Time) bool {
	return p.MaxAgeAdmin > 0 && now.Sub(changedAt) > p.MaxAgeAdmin
}

func classes(pw string) int {
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case unicode.IsSpace(r):
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	return n
}

func itoa(n int) string {
	if n < 10 && n >= 0 {
		return string(rune('0' + n))
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// Cost is the bcrypt cost used for new hashes. Tests lower it to bcrypt.MinCost to stay fast.
var Cost = bcrypt.DefaultCost

// Hash returns the bcrypt hash of pw.
func Hash(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), Cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// dummyHash is compared against when the account does not exist, so an unknown user costs as much time as a
// wrong password and the two cannot be told apart by timing.
var (
	dummyOnce sync.Once
	dummyHash []byte
)

// Verify reports whether pw matches hash. An empty hash (unknown account) still spends the time of a comparison.
func Verify(hash, pw string) bool {
	if hash == "" {
		dummyOnce.Do(func() { dummyHash, _ = bcrypt.GenerateFromPassword([]byte("examcert-dummy"), Cost) })
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(pw))
		return false
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	if err != nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return false
	}
	return err == nil
}

// Generate returns a random 12-character password with all four classes and no look-alike characters
// (0/O, 1/l/I), for temporary passwords an admin reads out to a user. A draw the policy would refuse (about one in
// a hundred thousand: its letters alone a short word, as in 3@@#4ARu6+6%, or a keyboard run) is drawn again, so a temporary
// password is always one the user could also have chosen.
func Generate() string {
	for {
		if pw := draw(); DefaultPolicy.Check(pw, "") == nil {
			return pw
		}
	}
}

func draw() string {
	sets := []string{"abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "#%+=@"}
	all := strings.Join(sets, "")
	b := make([]byte, 12)
	for i := range b {
		set := all
		if i < len(sets) {
			set = sets[i]
		}
		b[i] = set[randIntn(len(set))]
	}
	// Shuffle so the classes are not always in the same positions.
	for i := len(b) - 1; i > 0; i-- {
		j := randIntn(i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func randIntn(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return int(v.Int64())
}
