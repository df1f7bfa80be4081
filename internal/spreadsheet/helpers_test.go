package spreadsheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// regCols is a realistic registration column set (12 columns).
var regCols = []Column{
	{Key: "name", Header: "姓名", Required: true},
	{Key: "id_number", Header: "身份证号", Required: true, Text: true, Note: "18位，末位X大写"},
	{Key: "gender", Header: "性别", Required: true, Choices: []string{"男", "女"}},
	{Key: "birth", Header: "出生日期", Note: "如 1990-03-07"},
	{Key: "phone", Header: "手机号", Required: true, Text: true},
	{Key: "org", Header: "工作单位"},
	{Key: "org_code", Header: "统一社会信用代码", Text: true},
	{Key: "education", Header: "学历", Choices: []string{"博士研究生", "硕士研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"}},
	{Key: "major", Header: "所学专业"},
	{Key: "work_years", Header: "工作年限"},
	{Key: "exam_level", Header: "报考等级", Required: true, Choices: []string{"初级", "中级", "高级"}},
	{Key: "remark", Header: "备注"},
}

// buildXLSX writes rows (row 1 first) with excelize's normal (shared
// strings) API into a sheet named sheet.
func buildXLSX(t testing.TB, sheet string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for r, row := range rows {
		for c, v := range row {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// smallXLSX is a valid file with the three-column header and one data row.
func smallXLSX(t testing.TB) []byte {
	return buildXLSX(t, "Sheet1", [][]any{
		{"姓名", "身份证号", "性别"},
		{"张三", "110101199003071234", "男"},
	})
}

var smallCols = []Column{
	{Key: "name", Header: "姓名", Required: true},
	{Key: "id_number", Header: "身份证号", Required: true, Text: true},
	{Key: "gender", Header: "性别"},
}

// rewriteZip copies src, replacing the contents of entries named in replace
// (nil value: drop the entry) and appending the entries in add, in order.
func rewriteZip(t testing.TB, src []byte, replace map[string]*string, add ...zipEntry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		content, replaced := replace[f.Name]
		if replaced && content == nil {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if replaced {
			io.WriteString(w, *content)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	for _, e := range add {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zipEntry struct {
	name string
	data []byte
}

func ptr(s string) *string { return &s }

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const sheetTail = `</sheetData></worksheet>`

// withSheetXML replaces sheet1.xml of a small valid file by body wrapped in
// a worksheet.
func withSheetXML(t testing.TB, body string) []byte {
	return rewriteZip(t, smallXLSX(t), map[string]*string{
		"xl/worksheets/sheet1.xml": ptr(sheetHead + body + sheetTail),
	})
}

// is writes an inline-string cell.
func is(ref, v string) string {
	return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, v)
}

// headerRow is row 1 with the smallCols headers as inline strings.
var headerRow = `<row r="1">` + is("A1", "姓名") + is("B1", "身份证号") + is("C1", "性别") + `</row>`

func mustFileError(t *testing.T, err error, want string) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("want *FileError containing %q, got %T %v", want, err, err)
	}
	if !strings.Contains(fe.Msg, want) {
		t.Fatalf("want message containing %q, got %q", want, fe.Msg)
	}
}

func readBytes(b []byte, cols []Column, lim Limits) ([]Row, error) {
	return Read(bytes.NewReader(b), cols, lim)
}

// zipPart returns the contents of one entry.
func zipPart(t testing.TB, b []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			defer rc.Close()
			data, _ := io.ReadAll(rc)
			return string(data)
		}
	}
	t.Fatalf("no %s in zip", name)
	return ""
}

// genRegistration makes an n-row registration file with regCols headers and
// realistic values, the way Excel would store them (shared strings, dates as
// numbers). Cell 12 (备注) stays empty.
func genRegistration(t testing.TB, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := DataSheetName
	f.SetSheetName("Sheet1", sh)
	set := func(row int, vals []any) {
		for c, v := range vals {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, row)
			if err := f.SetCellValue(sh, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	hdr := make([]any, len(regCols))
	for i, c := range regCols {
		hdr[i] = c.Header
	}
	set(1, hdr)
	surnames := []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
	given := []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟"}
	orgs := []string{"北京市朝阳区建筑工程有限公司", "北京城建集团有限责任公司", "北京市海淀区市政工程管理处", "中国建筑第一工程局有限公司北京分公司"}
	majors := []string{"土木工程", "建筑学", "工程管理", "给排水科学与工程", "电气工程及其自动化"}
	levels := []string{"初级", "中级", "高级"}
	edus := regCols[7].Choices
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("1101011990%02d%02d%03d%d", i%12+1, i%28+1, i%1000, i%10)
		set(i+2, []any{
			surnames[i%len(surnames)] + given[(i/10)%len(given)],
			id,
			[]string{"男", "女"}[i%2],
			32000 + i%5000, // a date cell as Excel stores it: a serial number
			fmt.Sprintf("1%010d", 3800138000+i),
			orgs[i%len(orgs)],
			fmt.Sprintf("91110105MA0%07dX", i),
			edus[i%len(edus)],
			majors[i%len(majors)],
			i % 30,
			levels[i%3],
			"",
		})
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
