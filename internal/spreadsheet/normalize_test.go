package spreadsheet

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"
)

// normalizeTextRef is NormalizeText without its fast path.
func normalizeTextRef(s string) string {
	var b strings.Builder
	pendingSpace := false
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - 0x21
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF:
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

var normalizeSamples = []string{
	"", " ", "  ", "a", " a", "a ", "a b", "a  b", "a\tb", "a\nb", "a\vb", "a\fb", "a\rb",
	"张三", "张 三", "张  三", "北京市朝阳区建筑工程有限公司", "110101199003071234", "1.10101199003071E+17",
	"张\u3000三", "张\u00a0三", "x\u0085y", "x\u2003y", "１２３", "（北京）", "＊", "\uff5f", "\uff00",
	"a\u200bb", "\ufeffa", "a\u2060", "\xff", "a\xffb", "\xe5\xbc", "\ufffd", "a\x01b", "a\x1cb",
	"😀", "a 😀 b", "12.5", "2012-07-01", "中级",
}

func TestNormalizeTextFastPath(t *testing.T) {
	for _, s := range normalizeSamples {
		if got, want := NormalizeText(s), normalizeTextRef(s); got != want {
			t.Errorf("NormalizeText(%q) = %q, want %q", s, got, want)
		}
	}
	// Text that needs no change is returned as it is, without allocating.
	for _, s := range []string{"张三", "北京市 朝阳区", "110101199003071234", "a b c"} {
		if n := testing.AllocsPerRun(100, func() { NormalizeText(s) }); n != 0 {
			t.Errorf("NormalizeText(%q): %v allocations", s, n)
		}
	}
}

func FuzzNormalizeText(f *testing.F) {
	for _, s := range normalizeSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := NormalizeText(s), normalizeTextRef(s); got != want {
			t.Fatalf("NormalizeText(%q) = %q, want %q", s, got, want)
		}
	})
}

// readUpload reads like io.ReadAll(io.LimitReader(r, limit)) whatever r is.
func TestReadUpload(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10000)
	path := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	readers := map[string]func() io.Reader{
		"bytes.Reader":   func() io.Reader { return bytes.NewReader(data) },
		"strings.Reader": func() io.Reader { return strings.NewReader(string(data)) },
		"SectionReader":  func() io.Reader { return io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data))) },
		"half read": func() io.Reader {
			r := bytes.NewReader(data)
			r.Seek(int64(len(data)/2), io.SeekStart)
			return r
		},
		"os.File": func() io.Reader {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		},
		"plain":       func() io.Reader { return io.MultiReader(bytes.NewReader(data)) },
		"one byte":    func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"lying size":  func() io.Reader { return lyingSize{bytes.NewReader(data), 10} },
		"negative":    func() io.Reader { return lyingSize{bytes.NewReader(data), -5} },
		"giant claim": func() io.Reader { return lyingSize{bytes.NewReader(data), 1 << 62} },
		"max claim":   func() io.Reader { return lyingSize{bytes.NewReader(data), math.MaxInt} },
	}
	for name, mk := range readers {
		for _, limit := range []int64{1, 999, int64(len(data)), int64(len(data)) + 1, 1 << 30} {
			want, _ := io.ReadAll(io.LimitReader(mk(), limit))
			got, err := readUpload(mk(), limit)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s, limit %d: %d bytes (want %d), %v", name, limit, len(got), len(want), err)
			}
		}
	}
	// Errors come through.
	if _, err := readUpload(iotest.ErrReader(io.ErrUnexpectedEOF), 100); err != io.ErrUnexpectedEOF {
		t.Errorf("got %v", err)
	}
}

type lyingSize struct {
	io.Reader
	n int
}

func (l lyingSize) Len() int { return l.n }
