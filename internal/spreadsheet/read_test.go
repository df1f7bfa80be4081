package spreadsheet

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var templateSpec = TemplateSpec{
	Title:        "2026年度职业技能等级认定报名表",
	Columns:      regCols,
	Instructions: []string{"每行填写一名考生。", "身份证号一列已设为文本格式，请勿改为数字格式。"},
	Example: []string{"张三", "110101199003071234", "男", "1990-03-07", "13800138000", "北京市朝阳区建筑工程有限公司",
		"91110105MA01234567", "大学本科", "土木工程", "5", "中级", ""},
}

func TestTemplateRoundTrip(t *testing.T) {
	var tpl bytes.Buffer
	if err := WriteTemplate(&tpl, templateSpec); err != nil {
		t.Fatal(err)
	}

	// Inspect the template.
	f, err := excelize.OpenReader(bytes.NewReader(tpl.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.GetSheetList(), []string{DataSheetName, InstructionSheetName}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	for i, c := range regCols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		sid, err := f.GetColStyle(DataSheetName, col)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(sid)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.NumFmt == 49; got != c.Text {
			t.Errorf("column %s (%s): text format %v, want %v", col, c.Header, got, c.Text)
		}
		hs, _ := f.GetCellStyle(DataSheetName, col+"1")
		if st, _ := f.GetStyle(hs); st == nil || st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 {
			t.Errorf("header %s lost its style", col)
		}
		h, _ := f.GetCellValue(DataSheetName, col+"1")
		want := c.Header
		if c.Required {
			want = "*" + want
		}
		if h != want {
			t.Errorf("header %s = %q, want %q", col, h, want)
		}
	}
	dvs, err := f.GetDataValidations(DataSheetName)
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]string{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv.Formula1
		if dv.Type != "list" || !dv.ShowErrorMessage {
			t.Errorf("validation %s: type %q, error message %v", dv.Sqref, dv.Type, dv.ShowErrorMessage)
		}
	}
	if got := bySqref["C2:C10001"]; got != `"男,女"` {
		t.Errorf("gender drop-down %q", got)
	}
	if _, ok := bySqref["H2:H10001"]; !ok {
		t.Errorf("education drop-down missing: %v", bySqref)
	}
	panes, _ := f.GetPanes(DataSheetName)
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v", panes)
	}
	if rows, _ := f.GetRows(DataSheetName); len(rows) != 1 {
		t.Errorf("data sheet has %d rows, want only the header", len(rows))
	}
	ins, _ := f.GetRows(InstructionSheetName)
	text := ""
	for _, r := range ins {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{templateSpec.Title, "1. 每行填写一名考生。", "身份证号|必填|文本|110101199003071234|18位，末位X大写", "性别|必填|下拉选择|男|可选：男、女"} {
		if !strings.Contains(text, want) {
			t.Errorf("instructions lack %q:\n%s", want, text)
		}
	}

	// Fill three rows, leave one blank-looking row in between.
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(DataSheetName, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A2", " 张三 ")
	set("B2", "１１０１０１１９９００３０７１２３４") // full-width digits
	set("C2", "男")
	set("D2", 41091) // a date typed into a date cell: Excel stores the serial number
	set("E2", "13800138000")
	set("K2", "中级")
	set("A3", "李四")
	set("B3", "11010119900307123x") // lowercase x
	set("C3", "女")
	set("D3", "2012年7月")
	set("E3", "  13900139000\t")
	set("K3", "高级")
	set("F3", "北京市 朝阳区")
	set("L4", "   ") // only white space: a blank row
	set("A5", "王五")
	set("B5", "  110101199003071234 ")
	set("C5", "男")
	set("D5", "2012/7/1")
	set("E5", "13700137000")
	set("K5", "初级")
	set("N5", "extra column outside the template")
	var filled bytes.Buffer
	if err := f.Write(&filled); err != nil {
		t.Fatal(err)
	}
	f.Close()

	rows, err := Read(bytes.NewReader(filled.Bytes()), regCols, Limits{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	empty := map[string]string{}
	for _, c := range regCols {
		empty[c.Key] = ""
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range empty {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	want := []Row{
		{Number: 2, Cells: with("name", "张三", "id_number", "１１０１０１１９９００３０７１２３４", "gender", "男",
			"birth", "41091", "phone", "13800138000", "exam_level", "中级"),
			Numeric: map[string]bool{"birth": true}},
		{Number: 3, Cells: with("name", "李四", "id_number", "11010119900307123x", "gender", "女",
			"birth", "2012年7月", "phone", "13900139000", "exam_level", "高级", "org", "北京市 朝阳区")},
		{Number: 5, Cells: with("name", "王五", "id_number", "110101199003071234", "gender", "男",
			"birth", "2012/7/1", "phone", "13700137000", "exam_level", "初级")},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows:\n%#v\nwant:\n%#v", rows, want)
	}
	jul1 := time.Date(2012, 7, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range rows {
		d, err := ParseDate(r.Cells["birth"])
		if err != nil || !d.Equal(jul1) {
			t.Errorf("row %d: ParseDate(%q) = %v, %v", r.Number, r.Cells["birth"], d, err)
		}
		if r.MangledNumber("id_number") {
			t.Errorf("row %d: ID flagged as mangled", r.Number)
		}
	}
	if got := NormalizeText(rows[0].Cells["id_number"]); got != "110101199003071234" {
		t.Errorf("NormalizeText of full-width ID = %q", got)
	}
}

// A long or special choice list goes to the hidden 选项 sheet.
func TestTemplateChoiceSheet(t *testing.T) {
	long := make([]string, 60)
	for i := range long {
		long[i] = "北京市某某区第" + string(rune('A'+i%26)) + "考点"
	}
	spec := TemplateSpec{Columns: []Column{
		{Key: "site", Header: "考点", Choices: long},
		{Key: "x", Header: "带逗号", Choices: []string{"a,b", "=1+1"}},
	}}
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, spec); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if vis, _ := f.GetSheetVisible(ChoiceSheetName); vis {
		t.Error("选项 sheet should be hidden")
	}
	dvs, _ := f.GetDataValidations(DataSheetName)
	got := map[string]string{}
	for _, dv := range dvs {
		got[dv.Sqref] = dv.Formula1
	}
	if got["A2:A10001"] != "'选项'!$A$1:$A$60" || got["B2:B10001"] != "'选项'!$B$1:$B$2" {
		t.Errorf("validations %v", got)
	}
	v, _ := f.GetCellValue(ChoiceSheetName, "B2")
	typ, _ := f.GetCellType(ChoiceSheetName, "B2")
	if v != "=1+1" || typ == excelize.CellTypeFormula {
		t.Errorf("choice written as %q (%v)", v, typ)
	}
	sheet := zipPart(t, buf.Bytes(), "xl/worksheets/sheet3.xml")
	if strings.Contains(sheet, "<f>") || strings.Contains(sheet, "<f ") {
		t.Errorf("formula in choice sheet: %s", sheet)
	}
}

func TestWriteTemplateRejectsBadSpec(t *testing.T) {
	for _, spec := range []TemplateSpec{
		{},
		{Columns: []Column{{Key: "a", Header: "A"}, {Key: "a", Header: "B"}}},
		{Columns: []Column{{Key: "a", Header: "A"}, {Key: "b", Header: "*A"}}},
		{Columns: []Column{{Key: "a", Header: ""}}},
		{Columns: []Column{{Key: "a", Header: "A"}}, Example: []string{"1", "2"}},
	} {
		if err := WriteTemplate(&bytes.Buffer{}, spec); err == nil {
			t.Errorf("spec %+v accepted", spec)
		}
	}
}

func TestHeaderMatching(t *testing.T) {
	cases := []struct {
		name    string
		headers []any
		want    string // error substring, "" for success
	}{
		{"star and space", []any{"*姓名", "*身份证号 ", "性别"}, ""},
		{"full-width star", []any{"＊姓名", " ＊ 身份证号", "性别＊"}, ""},
		{"full-width letters and spaces", []any{"姓名\u3000", "\u00a0身份证号", "性别"}, ""},
		{"reordered with extras", []any{"序号", "性别", "备注", "身份证号", "姓名", "其他"}, ""},
		{"optional missing", []any{"姓名", "身份证号"}, ""},
		{"required missing", []any{"姓名", "性别"}, "缺少必填列：身份证号"},
		{"two required missing", []any{"性别"}, "缺少必填列：姓名、身份证号"},
		{"duplicate", []any{"姓名", "身份证号", "*身份证号"}, "表头重复：身份证号"},
		{"empty header row", []any{}, "缺少必填列：姓名、身份证号"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var data []any
			for _, h := range tc.headers {
				switch h {
				case "姓名", "*姓名", "＊姓名", "姓名\u3000":
					data = append(data, "张三")
				case "*身份证号 ", " ＊ 身份证号", "\u00a0身份证号", "身份证号", "*身份证号":
					data = append(data, "110101199003071234")
				case "性别", "性别＊":
					data = append(data, "男")
				default:
					data = append(data, "x")
				}
			}
			b := buildXLSX(t, "Sheet1", [][]any{tc.headers, data, {}, {nil, nil, nil}, data})
			rows, err := readBytes(b, smallCols, Limits{TempDir: t.TempDir()})
			if tc.want != "" {
				mustFileError(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].Number != 2 || rows[1].Number != 5 {
				t.Fatalf("rows %+v", rows)
			}
			r := rows[0].Cells
			if r["name"] != "张三" || r["id_number"] != "110101199003071234" {
				t.Fatalf("cells %v", r)
			}
			if _, ok := r["gender"]; ok != (len(tc.headers) > 2) {
				t.Errorf("gender key present %v", ok)
			}
		})
	}
}

func TestReadPrefersDataSheet(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellStr("Sheet1", "A1", "说明")
	f.NewSheet(DataSheetName)
	f.SetCellStr(DataSheetName, "A1", "姓名")
	f.SetCellStr(DataSheetName, "B1", "身份证号")
	f.SetCellStr(DataSheetName, "A2", "张三")
	f.SetCellStr(DataSheetName, "B2", "110101199003071234")
	var buf bytes.Buffer
	f.Write(&buf)
	rows, err := readBytes(buf.Bytes(), smallCols, Limits{TempDir: t.TempDir()})
	if err != nil || len(rows) != 1 || rows[0].Cells["name"] != "张三" {
		t.Fatalf("%+v %v", rows, err)
	}
}

// Raw values of number cells as Excel and other writers store them.
func TestRawNumberCells(t *testing.T) {
	body := headerRow +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="B2"><v>1.10101199003071E+17</v></c><c r="C2" s="0"><v>41091</v></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>乙</t></is></c><c r="B3"><v>110101199003070000</v></c><c r="C3" t="d"><v>2012-07-01T00:00:00Z</v></c></row>` +
		`<row r="4"><c r="A4" t="inlineStr"><is><t>丙</t></is></c>` + is("B4", "110101199003070000") + `<c r="C4" t="b"><v>1</v></c></row>` +
		`<row r="5"><c r="A5" t="inlineStr"><is><t>丁</t></is></c>` + is("B5", "1.10101E+17") + `<c r="C5"><f>1+1</f><v>2</v></c></row>`
	rows, err := readBytes(withSheetXML(t, body), smallCols, Limits{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		id, g   string
		numeric map[string]bool
		mangled bool
	}
	var gs []got
	for _, r := range rows {
		gs = append(gs, got{r.Cells["id_number"], r.Cells["gender"], r.Numeric, r.MangledNumber("id_number")})
	}
	want := []got{
		{"1.10101199003071E+17", "41091", map[string]bool{"id_number": true, "gender": true}, true},
		{"110101199003070000", "2012-07-01T00:00:00Z", map[string]bool{"id_number": true}, true},
		{"110101199003070000", "1", nil, false}, // text cell: could be a genuine ID ending in 000
		{"1.10101E+17", "2", map[string]bool{"gender": true}, true},
	}
	if !reflect.DeepEqual(gs, want) {
		t.Fatalf("got  %+v\nwant %+v", gs, want)
	}
}

func TestNoTempFilesLeft(t *testing.T) {
	big := genRegistration(t, 5000)
	for _, tc := range []struct {
		name string
		lim  Limits
		want string
	}{
		{"success", Limits{}, ""},
		{"too many rows after open", Limits{MaxRows: 100}, "最多一次导入100行"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.lim.TempDir = dir
			tc.lim.MaxXMLInMemory = 64 << 10 // force the sheet and shared strings to disk
			sawTemp := 0
			testHookOpened = func(tmp string) {
				ents, _ := os.ReadDir(tmp)
				sawTemp = len(ents)
				if fi, err := os.Stat(tmp); err != nil || fi.Mode().Perm() != 0o700 {
					t.Errorf("per-call temp dir %v %v", fi.Mode(), err)
				}
			}
			defer func() { testHookOpened = nil }()
			rows, err := readBytes(big, regCols, tc.lim)
			if tc.want == "" {
				if err != nil || len(rows) != 5000 {
					t.Fatalf("%d rows, %v", len(rows), err)
				}
			} else {
				mustFileError(t, err, tc.want)
			}
			if sawTemp == 0 {
				t.Error("excelize wrote no temporary files: the test proves nothing")
			}
			assertEmptyDir(t, dir)
		})
	}
	t.Run("open fails after temp files were written", func(t *testing.T) {
		dir := t.TempDir()
		bad := rewriteZip(t, big, map[string]*string{
			"xl/styles.xml": ptr(`<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="many"/></styleSheet>`),
		})
		_, err := readBytes(bad, regCols, Limits{TempDir: dir, MaxXMLInMemory: 64 << 10})
		mustFileError(t, err, "文件已损坏")
		assertEmptyDir(t, dir)
	})
	t.Run("prescan failure", func(t *testing.T) {
		dir := t.TempDir()
		_, err := readBytes(withSheetXML(t, `<row r="-1"/>`), smallCols, Limits{TempDir: dir})
		mustFileError(t, err, "行号无效")
		assertEmptyDir(t, dir)
	})
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestTempDirChecks(t *testing.T) {
	base := t.TempDir()
	// Missing: created with 0700.
	missing := base + "/new/tmp"
	if _, err := readBytes(smallXLSX(t), smallCols, Limits{TempDir: missing}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(missing); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("created temp dir: %v %v", fi.Mode(), err)
	}
	// World-writable without sticky bit: refused.
	open := base + "/open"
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if _, err := readBytes(smallXLSX(t), smallCols, Limits{TempDir: open}); err == nil {
		t.Error("world-writable temp dir accepted")
	}
	// A symlink: refused.
	os.Symlink(missing, base+"/link")
	if _, err := readBytes(smallXLSX(t), smallCols, Limits{TempDir: base + "/link"}); err == nil {
		t.Error("symlinked temp dir accepted")
	}
}

// The pre-scan resolves the sheet's part like excelize does, and refuses
// workbooks where excelize would have to choose between candidates.
func TestWorkbookStructure(t *testing.T) {
	wb := func(sheets string) *string {
		return ptr(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:x="urn:x"><sheets>` + sheets + `</sheets></workbook>`)
	}
	rels := func(extra string) *string {
		return ptr(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>` +
			`<Relationship Id="rId2" Target="styles.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>` + extra + `</Relationships>`)
	}
	small := smallXLSX(t)
	for _, tc := range []struct {
		name    string
		replace map[string]*string
		want    string // "" = reads the one data row
	}{
		{"plain", map[string]*string{"xl/workbook.xml": wb(`<sheet name="Sheet1" sheetId="1" r:id="rId1"/>`)}, ""},
		{"decoy id in another namespace", map[string]*string{"xl/workbook.xml": wb(`<sheet name="Sheet1" sheetId="1" x:id="rId9" r:id="rId1"/>`)}, ""},
		{"absolute target", map[string]*string{"xl/_rels/workbook.xml.rels": ptr(strings.Replace(*rels(""), `Target="worksheets/sheet1.xml"`, `Target="/xl/worksheets/sheet1.xml"`, 1))}, ""},
		{"two relationship ids", map[string]*string{"xl/workbook.xml": wb(`<sheet name="Sheet1" sheetId="1" r:id="rId1" xmlns:q="http://schemas.openxmlformats.org/officeDocument/2006/relationships" q:id="rId2"/>`)}, "不是有效的Excel文件"},
		{"no relationship id", map[string]*string{"xl/workbook.xml": wb(`<sheet name="Sheet1" sheetId="1"/>`)}, "不是有效的Excel文件"},
		{"unknown relationship id", map[string]*string{"xl/workbook.xml": wb(`<sheet name="Sheet1" sheetId="1" r:id="rId7"/>`)}, "不是有效的Excel文件"},
		{"sheet names differing in case", map[string]*string{"xl/workbook.xml": wb(`<sheet name="Sheet1" sheetId="1" r:id="rId1"/><sheet name="SHEET1" sheetId="2" r:id="rId1"/>`)}, "不是有效的Excel文件"},
		{"duplicate relationship id", map[string]*string{"xl/_rels/workbook.xml.rels": rels(`<Relationship Id="rId1" Target="styles.xml" Type="x"/>`)}, "不是有效的Excel文件"},
		{"workbook elsewhere", map[string]*string{"_rels/.rels": ptr(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="xl/other.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>`)}, "不是有效的Excel文件"},
		{"target outside the package", map[string]*string{"xl/_rels/workbook.xml.rels": ptr(strings.Replace(*rels(""), `Target="worksheets/sheet1.xml"`, `Target="../../etc/passwd"`, 1))}, "没有可读取的工作表"},
		{"no sheets", map[string]*string{"xl/workbook.xml": wb(``)}, "没有可读取的工作表"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := readBytes(rewriteZip(t, small, tc.replace), smallCols, Limits{TempDir: t.TempDir()})
			if tc.want != "" {
				mustFileError(t, err, tc.want)
				return
			}
			if err != nil || len(rows) != 1 || rows[0].Cells["name"] != "张三" {
				t.Fatalf("%+v %v", rows, err)
			}
		})
	}
}
