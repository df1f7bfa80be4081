package spreadsheet

import (
	"errors"
	"testing"
	"time"
)

func TestNormalizeText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"张三", "张三"},
		{"  张三  ", "张三"},
		{"１１０１０１１９９００３０７１２３Ｘ", "11010119900307123X"},
		{"ａｂｃＡＢＣ！～", "abcABC!~"},
		{"（北京）", "(北京)"},
		{"＊身份证号", "*身份证号"},
		{"张\u3000三", "张 三"},
		{"\u3000\u3000张三\u3000", "张三"},
		{"张\u00a0\u00a0三", "张 三"},
		{"北京市   朝阳区\t\n建国路", "北京市 朝阳区 建国路"},
		{"1101\u200b0119900307\ufeff1234", "110101199003071234"},
		{"x\u2003y", "x y"},
		{"。，、", "。,、"},       // only the full-width comma is in the ASCII block
		{"\uff5f", "\uff5f"}, // just past the range
	} {
		if got := NormalizeText(tc.in); got != tc.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The two rules of a damaged long code, whatever the cell type (Row.MangledNumber applies rule (b) to number cells).
func TestMangledNumberRules(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"1.10101E+17", true},
		{"1.10101199003071E+17", true},
		{"1.1010119900307101E+17", true},
		{"1.10101199003071232E17", true},
		{"1.1010119900307123e+17", true},
		{"1.10101199003071E+017", true}, // LibreOffice writes a 3-digit exponent
		{"1.38001E+10", true},
		{"1E+17", true},
		{"１．１０１０１Ｅ＋１７", true},
		{" 1.10101E+17 ", true},
		{"110101199003070000", true},
		{"1101011990030700", true},
		{"11010119900307100000", true},
		{"110101199003071234", false},
		{"11010119900307123X", false},
		{"110101199003071230", false},
		{"13800138000", false},
		{"100000000000000", false}, // 15 digits: exact in Excel
		{"", false},
		{"E+17", false},
		{"1.1E", false},
		{"1.1E+", false},
		{"1.1E+17x", false},
		{"ABCE+17", false},
		{"2012-07-01", false},
	} {
		v := NormalizeText(tc.in)
		if got := isScientific(v) || hasTruncatedDigits(v); got != tc.want {
			t.Errorf("rules (a) or (b) on %q = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRowMangledNumber(t *testing.T) {
	num := Row{Cells: map[string]string{"id": "110101199003070000"}, Numeric: map[string]bool{"id": true}}
	txt := Row{Cells: map[string]string{"id": "110101199003070000"}}
	sci := Row{Cells: map[string]string{"id": "1.10101E+17"}}
	ok := Row{Cells: map[string]string{"id": "110101199003071234"}, Numeric: map[string]bool{"id": true}}
	if !num.MangledNumber("id") || txt.MangledNumber("id") || !sci.MangledNumber("id") || ok.MangledNumber("id") {
		t.Error("MangledNumber rule")
	}
	if num.MangledNumber("missing") {
		t.Error("missing key")
	}
}

func TestParseDate(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		in   string
		want time.Time // zero: error
	}{
		{"41091", d(2012, 7, 1)},
		{"41091.75", d(2012, 7, 1)},
		{"1", d(1900, 1, 1)},
		{"59", d(1900, 2, 28)},
		{"60", time.Time{}}, // Excel's phantom 1900-02-29
		{"61", d(1900, 3, 1)},
		{"2958465", d(9999, 12, 31)},
		{"2958466", time.Time{}},
		{"0", time.Time{}},
		{"32874", d(1990, 1, 1)},
		{"2012-07-01", d(2012, 7, 1)},
		{"2012-7-1", d(2012, 7, 1)},
		{"2012/7/1", d(2012, 7, 1)},
		{"2012/07/01", d(2012, 7, 1)},
		{"2012.07.01", d(2012, 7, 1)},
		{"2012.07", d(2012, 7, 1)},
		{"2012.7", d(2012, 7, 1)},
		{"2012-07", d(2012, 7, 1)},
		{"2012/7", d(2012, 7, 1)},
		{"2012年7月", d(2012, 7, 1)},
		{"2012年07月", d(2012, 7, 1)},
		{"2012年7月1日", d(2012, 7, 1)},
		{"2012年7月15号", d(2012, 7, 15)},
		{"2012年7月15", d(2012, 7, 15)},
		{"2012 年 7 月 1 日", d(2012, 7, 1)},
		{"20120701", d(2012, 7, 1)},
		{"201207", d(2012, 7, 1)},
		{"２０１２年７月１日", d(2012, 7, 1)},
		{"２０１２－０７－０１", d(2012, 7, 1)},
		{"２０１２．０７", d(2012, 7, 1)},
		{"２０１２／７／１", d(2012, 7, 1)},
		{" 2012-07-01 ", d(2012, 7, 1)},
		{"2012-07-01T00:00:00Z", d(2012, 7, 1)},
		{"2012-07-01T08:30:00+08:00", d(2012, 7, 1)},
		{"2012-07-01 00:00:00", d(2012, 7, 1)},
		{"2012-07-01 13:45", d(2012, 7, 1)},
		{"2000-02-29", d(2000, 2, 29)},
		{"1900-02-29", time.Time{}},
		{"2013-02-29", time.Time{}},
		{"2012-13-01", time.Time{}},
		{"2012-00-01", time.Time{}},
		{"2012-07-32", time.Time{}},
		{"2012-07/01", time.Time{}},
		{"2012-07-01T25:00", time.Time{}},
		{"2012-07-01x", time.Time{}},
		{"1899-12-31", time.Time{}},
		{"12-7-1", time.Time{}},
		{"7/1/2012", time.Time{}},
		{"2012年", time.Time{}},
		{"2012年13月", time.Time{}},
		{"201213", d(2450, 11, 24)}, // not a month: a serial number
		{"20121301", time.Time{}},
		{"123456789", time.Time{}},
		{"abc", time.Time{}},
		{"", time.Time{}},
		{"-1", time.Time{}},
		{"41091.5.5", time.Time{}},
		{"1.10101E+17", time.Time{}},
	} {
		got, err := ParseDate(tc.in)
		if tc.want.IsZero() {
			if err == nil {
				t.Errorf("ParseDate(%q) = %v, want error", tc.in, got)
			} else if !errors.Is(err, ErrDate) || err.Error() != "日期格式无法识别" {
				t.Errorf("ParseDate(%q) error %v", tc.in, err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
