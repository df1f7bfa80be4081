package spreadsheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
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
			if !errors.As(err, &fe) || fe.Msg == "" || fe.Msg == msgMismatch {
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

// FuzzReadSheetXML puts arbitrary bytes in place of the worksheet XML of a
// valid file, so that mutations reach the XML checks and excelize instead of
// failing the zip CRC. Besides never panicking, excelize must never see rows
// other than those the pre-scan checked (msgMismatch).
func FuzzReadSheetXML(f *testing.F) {
	seeds := []string{
		headerRow + `<row r="2">` + is("A2", "张三") + is("B2", "110101199003071234") + `</row>`,
		headerRow + `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>1.10101199003071E+17</v></c><c r="C2"><v>41091</v></c></row>`,
		headerRow + `<row r="2147483647">` + is("A2147483647", "x") + `</row>`,
		headerRow + `<row r="-1"><c t="inlineStr"><is><t>x</t></is></c></row><row r="3"><c t="inlineStr"><is><t>w</t></is></c></row>`,
		headerRow + `<row r="5">` + is("A5", "x") + `</row><row r="3">` + is("A3", "y") + `</row>`,
		headerRow + `<row r="2">` + is("C2", "x") + is("A2", "y") + `</row>`,
		headerRow + `<row r="2">` + is("XFE2", "x") + `</row>`,
		headerRow + `<row>` + is("A2", "x") + `</row><row><c t="inlineStr"><is><t>y</t></is></c></row>`,
	}
	for _, s := range seeds {
		f.Add([]byte(sheetHead + s + sheetTail))
	}
	base := smallXLSX(f)
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		f.Fatal(err)
	}
	parts := map[string][]byte{}
	var names []string
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		parts[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
		names = append(names, zf.Name)
	}
	dir := f.TempDir()
	lim := Limits{MaxRows: 1000, TempDir: dir}
	f.Fuzz(func(t *testing.T, sheet []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range names {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			if name == "xl/worksheets/sheet1.xml" {
				w.Write(sheet)
			} else {
				w.Write(parts[name])
			}
		}
		zw.Close()
		rows, err := Read(bytes.NewReader(buf.Bytes()), smallCols, lim)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("internal error %v", err)
			}
			if fe.Msg == msgMismatch {
				t.Fatalf("excelize disagrees with the pre-scan on %q", sheet)
			}
		}
		last := 1
		for _, r := range rows {
			if r.Number <= last || r.Number > maxRowNumber {
				t.Fatalf("row numbers out of order: %d after %d", r.Number, last)
			}
			last = r.Number
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("temporary files left: %v", ents)
		}
	})
}
