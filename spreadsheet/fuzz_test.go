package spreadsheet

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzRead: arbitrary bytes never panic, never return an internal error,
// never leave temporary files, and rows come out in order.
func FuzzRead(f *testing.F) {
	f.Add([]byte{})
	f.Add(smallXLSX(f))
	f.Add(withSheetXML(f, headerRow+`<row r="2">`+is("A2", "张三")+is("B2", "1")+`</row>`))
	var tpl bytes.Buffer
	if err := WriteTemplate(&tpl, templateSpec); err != nil {
		f.Fatal(err)
	}
	f.Add(tpl.Bytes())
	dir := f.TempDir()
	lim := Limits{MaxFileBytes: 1 << 20, MaxRows: 1000, MaxUnzipped: 16 << 20, TempDir: dir}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := Read(bytes.NewReader(data), smallCols, lim)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Msg == "" {
				t.Fatalf("internal error %v", err)
			}
		}
		last := 1
		for _, r := range rows {
			if r.Number <= last {
				t.Fatalf("row numbers out of order: %d after %d", r.Number, last)
			}
			last = r.Number
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("temporary files left: %v", ents)
		}
	})
}
