package spreadsheet

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"archive/zip"
)

func TestSlowInputs(t *testing.T) {
	ents, _ := os.ReadDir("/tmp/fz")
	for _, e := range ents {
		raw, _ := os.ReadFile("/tmp/fz/" + e.Name())
		s := strings.TrimPrefix(string(raw), "go test fuzz v1\n[]byte(")
		s = strings.TrimSuffix(strings.TrimSpace(s), ")")
		u, err := strconv.Unquote(s)
		if err != nil {
			t.Fatal(err)
		}
		b := []byte(u)
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			for _, f := range zr.File {
				t.Logf("  %s %d/%d", f.Name, f.CompressedSize64, f.UncompressedSize64)
			}
		}
		start := time.Now()
		_, err = Read(bytes.NewReader(b), smallCols, Limits{MaxFileBytes: 1 << 20, MaxRows: 1000, MaxUnzipped: 16 << 20, TempDir: t.TempDir()})
		t.Logf("%s: %d bytes, %v, %v", e.Name(), len(b), time.Since(start), err)
	}
}
