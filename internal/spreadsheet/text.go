package spreadsheet

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NormalizeText cleans up text the way people type it into spreadsheets:
//
//   - full-width ASCII (U+FF01..U+FF5E: "１２３", "ＡＢＣ", "（", "＊", "．") becomes
//     the half-width character;
//   - U+3000 (ideographic space), NBSP and every other Unicode white space
//     (tabs and line breaks included) becomes a plain space;
//   - invisible characters that sneak in with copy and paste (U+200B..U+200D,
//     U+2060, U+FEFF) are removed;
//   - the result is trimmed and inner runs of spaces collapse to one space.
//
// It does not change letter case: callers decide whether "x" in an ID number
// becomes "X".
func NormalizeText(s string) string {
	if isNormalText(s) {
		return s // nothing to change: no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - 0x21
		case isInvisible(r):
			continue
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
			continue
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isInvisible: the zero-width characters NormalizeText removes.
func isInvisible(r rune) bool {
	return r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF
}

// isNormalText reports whether NormalizeText would return s unchanged:
// valid UTF-8 without full-width ASCII, invisible characters or white space
// other than single inner ASCII spaces.
func isNormalText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
					return false
				}
			case '\t' <= c && c <= '\r': // \t \n \v \f \r
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r >= 0xFF01 && r <= 0xFF5E) || isInvisible(r) || unicode.IsSpace(r) {
			return false
		}
		i += size
	}
	return true
}

// How Excel damages a long code (an ID number, a bank or phone number) typed into a number cell, as seen in
// NormalizeText of the value:
//
//	(a) scientific notation: digits, an optional fraction, E or e, an optional
//	    sign and digits, e.g. "1.10101E+17", "1.10101199003071E+17". A code never
//	    has this shape, so this is damage whatever kind of cell it came from.
//	(b) a run of 16 or more digits in which every digit after the 15th is 0,
//	    e.g. "110101199003070000": Excel keeps only 15 significant digits.
//
// Rule (b) also matches genuine ID numbers that happen to end in "000" (about 1 in 1,100), so Row.MangledNumber
// applies it only to number cells.

// isScientific matches [+-]?\d+(\.\d*)?[Ee][+-]?\d+ without a regexp.
func isScientific(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i >= len(s) || (s[i] != 'E' && s[i] != 'e') {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i > j && i == len(s)
}

// hasTruncatedDigits: 16 or more digits, all zero after the 15th.
func hasTruncatedDigits(s string) bool {
	if len(s) < 16 || !allDigits(s) {
		return false
	}
	return strings.Trim(s[15:], "0") == ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// ErrDate is returned by ParseDate for text it cannot read as a date.
var ErrDate = errors.New("日期格式无法识别")

// Excel serial numbers: 1 is 1900-01-01, 2958465 is 9999-12-31.
const (
	minSerial = 1
	maxSerial = 2958465
)

// ParseDate reads a date the way people put dates into a spreadsheet, after
// NormalizeText (so full-width digits and punctuation work) and with all
// spaces removed:
//
//   - an Excel serial number, which is what Read returns for a cell Excel
//     stores as a date: "41091" is 2012-07-01, "41091.75" the same day (the
//     time of day is dropped). Range 1..2958465 (1900-01-01..9999-12-31).
//     Excel's 1900 leap-year bug is honoured: serial 60 is the non-existent
//     1900-02-29 and is refused, serials from 61 on are one day less than a
//     plain day count. Workbooks in the 1904 date system (old Mac Excel) are
//     not detected: their serials read 4 years and 1 day early.
//   - "2012-07-01", "2012-7-1", "2012/7/1", "2012.07.01" (one separator kind
//     throughout), with an optional time after a space or "T" which is
//     ignored ("2012-07-01T00:00:00Z", the raw value of a t="d" cell);
//   - "2012-07", "2012/7", "2012.07": the first of that month;
//   - "2012年7月", "2012年7月1日" (also "1号", or no 日);
//   - "20120701" (8 digits) and "201207" (6 digits, when it is a month of
//     1900..2099; otherwise a 6-digit string is a serial number).
//
// A "yyyy.m" or "yyyy.mm" string is always read as a month, never as the
// serial number with a fraction that it could also be (serials below 10000
// are dates before 1927).
//
// The year must be 1900..9999 and the day must exist. The result is midnight
// UTC of that date. Any other input returns ErrDate, whose message
// "日期格式无法识别" can be shown to the user.
func ParseDate(s string) (time.Time, error) {
	s = strings.ReplaceAll(NormalizeText(s), " ", "")
	if s == "" {
		return time.Time{}, ErrDate
	}
	if allDigits(s) {
		switch len(s) {
		case 8:
			return ymd(s[0:4], s[4:6], s[6:8])
		case 6:
			if y, _ := strconv.Atoi(s[0:4]); y >= 1900 && y <= 2099 {
				if t, err := ymd(s[0:4], s[4:6], "1"); err == nil {
					return t, nil
				}
			}
		}
		if len(s) <= 7 {
			n, _ := strconv.Atoi(s)
			return fromSerial(float64(n))
		}
		return time.Time{}, ErrDate
	}
	if t, ok := parseSeparated(s); ok {
		return t, nil
	}
	if t, ok := parseChinese(s); ok {
		return t, nil
	}
	// A serial number with a fraction: at least 5 digits before the point, so
	// that "2012.07" stays a month (handled above).
	if dot := strings.IndexByte(s, '.'); dot >= 5 && dot <= 7 && allDigits(s[:dot]) && allDigits(s[dot+1:]) {
		v, err := strconv.ParseFloat(s, 64)
		if err == nil {
			return fromSerial(v)
		}
	}
	return time.Time{}, ErrDate
}

// fromSerial converts an Excel (1900 date system) serial number.
func fromSerial(v float64) (time.Time, error) {
	n := int(math.Floor(v))
	if math.IsNaN(v) || n < minSerial || n > maxSerial || n == 60 {
		return time.Time{}, ErrDate
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if n < 60 {
		base = base.AddDate(0, 0, 1)
	}
	return base.AddDate(0, 0, n), nil
}

// parseSeparated handles yyyy-m-d, yyyy/m/d, yyyy.m.d (one separator kind),
// their year-month forms, and an ignored time part after the date.
func parseSeparated(s string) (time.Time, bool) {
	if len(s) < 6 || !allDigits(s[:4]) {
		return time.Time{}, false
	}
	sep := s[4]
	if sep != '-' && sep != '/' && sep != '.' {
		return time.Time{}, false
	}
	rest := s[5:]
	// Split off a time part: "T..." or, since spaces were removed, digits
	// followed directly by hh:mm. Only "-" dates carry times in practice, but
	// accept any separator.
	if i := strings.IndexByte(rest, 'T'); i >= 0 {
		if !validTime(rest[i+1:]) {
			return time.Time{}, false
		}
		rest = rest[:i]
	} else if i := strings.IndexByte(rest, ':'); i >= 0 {
		// "2012-07-0100:00:00" after space removal: the day has 1-2 digits and
		// the hour 1-2 digits; the time must start 2 digits before the colon.
		if i < 2 || !validTime(rest[i-2:]) {
			return time.Time{}, false
		}
		rest = rest[:i-2]
	}
	parts := strings.Split(rest, string(sep))
	switch len(parts) {
	case 1:
		t, err := ymd(s[:4], parts[0], "1")
		return t, err == nil
	case 2:
		t, err := ymd(s[:4], parts[0], parts[1])
		return t, err == nil
	}
	return time.Time{}, false
}

// validTime accepts hh:mm, hh:mm:ss, hh:mm:ss.fff, each optionally followed by
// Z or a ±hh:mm / ±hhmm offset. The value is not used.
func validTime(s string) bool {
	if strings.HasSuffix(s, "Z") {
		s = s[:len(s)-1]
	} else if i := strings.LastIndexAny(s, "+-"); i > 0 {
		off := strings.Replace(s[i+1:], ":", "", 1)
		if len(off) != 4 || !allDigits(off) {
			return false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if !allDigits(s[i+1:]) {
			return false
		}
		s = s[:i]
	}
	f := strings.Split(s, ":")
	if len(f) < 2 || len(f) > 3 {
		return false
	}
	limits := []int{23, 59, 60}
	for i, p := range f {
		if len(p) < 1 || len(p) > 2 || !allDigits(p) {
			return false
		}
		if n, _ := strconv.Atoi(p); n > limits[i] {
			return false
		}
	}
	return true
}

// parseChinese handles 2012年7月, 2012年7月1日, 2012年7月1号, 2012年7月1.
func parseChinese(s string) (time.Time, bool) {
	y, rest, ok := strings.Cut(s, "年")
	if !ok || len(y) != 4 || !allDigits(y) {
		return time.Time{}, false
	}
	m, d, ok := strings.Cut(rest, "月")
	if !ok {
		return time.Time{}, false
	}
	if d == "" {
		d = "1"
	} else if r, ok := strings.CutSuffix(d, "日"); ok {
		d = r
	} else if r, ok := strings.CutSuffix(d, "号"); ok {
		d = r
	}
	t, err := ymd(y, m, d)
	return t, err == nil
}

func ymd(ys, ms, ds string) (time.Time, error) {
	if len(ys) != 4 || len(ms) < 1 || len(ms) > 2 || len(ds) < 1 || len(ds) > 2 ||
		!allDigits(ys) || !allDigits(ms) || !allDigits(ds) {
		return time.Time{}, ErrDate
	}
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < 1900 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, ErrDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(m) {
		return time.Time{}, ErrDate
	}
	return t, nil
}
