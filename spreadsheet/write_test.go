package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteSheet(t *testing.T) {
	hostile := []string{"=1+1", "+SUM(A1)", "-2", "@x", "<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`,
		"=HYPERLINK(\"http://evil\",\"x\")", " leading and trailing ", "_x0041_", "110101199003071234", "41091", "1.10101E+17", "多\n行", ""}
	headers := []string{"姓名", "身份证号", "=cmd|' /C calc'!A0"}
	var rows [][]string
	for i := 0; i < len(hostile); i += 3 {
		r := hostile[i:min(i+3, len(hostile))]
		rows = append(rows, r)
	}
	var buf bytes.Buffer
	if err := WriteSheet(&buf, "名单", headers, rows); err != nil {
		t.Fatal(err)
	}
	sheet := zipPart(t, buf.Bytes(), "xl/worksheets/sheet1.xml")
	if strings.Contains(sheet, "<f>") || strings.Contains(sheet, "<f ") || strings.Contains(sheet, "<script>") {
		t.Fatalf("formula or raw markup in sheet XML:\n%s", sheet)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"名单"}) {
		t.Fatalf("sheets %v", got)
	}
	got, err := f.GetRows("名单", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	want := append([][]string{headers}, rows...)
	// GetRows drops trailing empty cells.
	for i := range want {
		for len(want[i]) > 0 && want[i][len(want[i])-1] == "" {
			want[i] = want[i][:len(want[i])-1]
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%q\nwant\n%q", got, want)
	}
	for r := range want {
		for c := range want[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, _ := f.GetCellType("名单", cell)
			if want[r][c] != "" && typ != excelize.CellTypeInlineString {
				t.Errorf("%s has type %v", cell, typ)
			}
			if fm, _ := f.GetCellFormula("名单", cell); fm != "" {
				t.Errorf("%s has formula %q", cell, fm)
			}
		}
	}
	// Our own reader agrees.
	cols := []Column{{Key: "a", Header: "姓名"}, {Key: "b", Header: "身份证号"}, {Key: "c", Header: "=cmd|' /C calc'!A0"}}
	back, err := readBytes(buf.Bytes(), cols, Limits{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if back[0].Cells["a"] != "=1+1" || back[0].Cells["b"] != "+SUM(A1)" || back[1].Cells["a"] != "@x" || back[0].Numeric != nil {
		t.Errorf("Read: %+v", back)
	}
}

func TestWriteSheetLarge(t *testing.T) {
	rows := make([][]string, 20000)
	for i := range rows {
		rows[i] = []string{"王伟", "110101199003071234", "=1+1", "北京市朝阳区建筑工程有限公司"}
	}
	var buf bytes.Buffer
	if err := WriteSheet(&buf, "Sheet1", []string{"a", "b", "c", "d"}, rows); err != nil {
		t.Fatal(err)
	}
	got, err := readBytes(buf.Bytes(), []Column{{Key: "c", Header: "c", Required: true}}, Limits{MaxRows: 20000, TempDir: t.TempDir()})
	if err != nil || len(got) != 20000 || got[19999].Cells["c"] != "=1+1" || got[19999].Number != 20001 {
		t.Fatalf("%d rows, %v", len(got), err)
	}
}

func TestWriteSheetBadName(t *testing.T) {
	for _, name := range []string{"", "a/b", "[x]", strings.Repeat("长", 32)} {
		if err := WriteSheet(&bytes.Buffer{}, name, []string{"a"}, nil); err == nil {
			t.Errorf("sheet name %q accepted", name)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"张三", "张三"},
		{"=1+1", "'=1+1"},
		{"+SUM(A1)", "'+SUM(A1)"},
		{"-2", "'-2"},
		{"@x", "'@x"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"110101199003071234", "110101199003071234"},
		{"'quoted", "'quoted"},
	} {
		if got := CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{CSVCell("=1+1"), CSVCell(`a,"b"`)})
	w.Flush()
	if got := buf.String(); got != "'=1+1,\"a,\"\"b\"\"\"\n" {
		t.Errorf("csv %q", got)
	}
}
