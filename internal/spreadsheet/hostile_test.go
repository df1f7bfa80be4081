package spreadsheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// zeros streams n zero bytes.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > z.n {
		k = z.n
	}
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

var bombOnce sync.Once
var bomb []byte

// zipBomb is a valid xlsx whose sheet1.xml is 300 MB of zeros (~300 KB
// compressed), built streaming.
func zipBomb(t testing.TB) []byte {
	bombOnce.Do(func() {
		src := smallXLSX(t)
		zr, _ := zip.NewReader(bytes.NewReader(src), int64(len(src)))
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range zr.File {
			w, _ := zw.Create(f.Name)
			if f.Name == "xl/worksheets/sheet1.xml" {
				io.Copy(w, &zeros{300 << 20})
				continue
			}
			rc, _ := f.Open()
			io.Copy(w, rc)
			rc.Close()
		}
		zw.Close()
		bomb = buf.Bytes()
	})
	return bomb
}

// lyingZip declares sheet1.xml as 900 bytes but holds 50 MB of zeros.
func lyingZip(t testing.TB) []byte {
	src := smallXLSX(t)
	zr, _ := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	var comp bytes.Buffer
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			w, _ := zw.Create(f.Name)
			rc, _ := f.Open()
			io.Copy(w, rc)
			rc.Close()
			continue
		}
		fl, _ := flate.NewWriter(&comp, flate.BestSpeed)
		io.Copy(fl, &zeros{50 << 20})
		fl.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: f.Name, Method: zip.Deflate,
			CRC32:              crc32.ChecksumIEEE(make([]byte, 900)),
			CompressedSize64:   uint64(comp.Len()),
			UncompressedSize64: 900,
		})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	zw.Close()
	return buf.Bytes()
}

func randomLetters(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewSource(2))
	for i := range b {
		b[i] = byte('a' + r.Intn(26))
	}
	return b
}

func TestHostileFiles(t *testing.T) {
	small := smallXLSX(t)
	manyEntries := make([]zipEntry, 201)
	for i := range manyEntries {
		manyEntries[i] = zipEntry{fmt.Sprintf("xl/media/x%d.bin", i), []byte("x")}
	}
	rnd := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(rnd)
	cfb := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, rnd...)
	var onlyText bytes.Buffer
	{
		zw := zip.NewWriter(&onlyText)
		w, _ := zw.Create("hello.txt")
		io.WriteString(w, "hello")
		zw.Close()
	}
	dtdSheet := `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xx "boom">]>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		headerRow + `<row r="2">` + is("A2", "&xx;") + `</row>` + sheetTail
	lolz := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Properties>&lol2;</Properties>`
	sixRows := headerRow
	for r := 2; r <= 7; r++ {
		sixRows += fmt.Sprintf(`<row r="%d">%s%s</row>`, r, is(fmt.Sprintf("A%d", r), "张三"), is(fmt.Sprintf("B%d", r), "110101199003071234"))
	}
	wrongEncoding := `<?xml version="1.0" encoding="UTF-16"?>` + `<worksheet/>`

	cases := []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"empty", nil, Limits{}, "请选择要上传的Excel文件"},
		{"random bytes", rnd, Limits{}, "不是有效的Excel文件（.xlsx）"},
		{"text file", []byte("姓名,身份证号\n张三,110101199003071234\n"), Limits{}, "不是有效的Excel文件"},
		{"CFB header", cfb, Limits{}, "文件已加密或为旧版.xls格式"},
		{"truncated zip", small[:len(small)/2], Limits{}, "不是有效的Excel文件"},
		{"zip without workbook", onlyText.Bytes(), Limits{}, "不是有效的Excel文件"},
		{"workbook removed", rewriteZip(t, small, map[string]*string{"xl/workbook.xml": nil}), Limits{}, "不是有效的Excel文件"},
		{"content types removed", rewriteZip(t, small, map[string]*string{"[Content_Types].xml": nil}), Limits{}, "不是有效的Excel文件"},
		{"sheet part missing", rewriteZip(t, small, map[string]*string{"xl/worksheets/sheet1.xml": nil}), Limits{}, "没有可读取的工作表"},
		{"zip bomb", zipBomb(t), Limits{}, "文件内容异常（压缩比过大）"},
		{"zip bomb, high ratio allowed", zipBomb(t), Limits{MaxRatio: 1 << 40}, "文件内容异常（压缩比过大）"},
		{"lying sizes", lyingZip(t), Limits{}, "文件已损坏"},
		{"201 entries", rewriteZip(t, small, nil, manyEntries...), Limits{}, "包含的部件过多"},
		{"dot-dot name", rewriteZip(t, small, nil, zipEntry{"xl/../../evil.xml", []byte("<a/>")}), Limits{}, "非法的部件路径"},
		{"absolute name", rewriteZip(t, small, nil, zipEntry{"/etc/evil.xml", []byte("<a/>")}), Limits{}, "非法的部件路径"},
		{"backslash dot-dot", rewriteZip(t, small, nil, zipEntry{`xl\..\..\evil.xml`, []byte("<a/>")}), Limits{}, "非法的部件路径"},
		{"drive letter", rewriteZip(t, small, nil, zipEntry{`C:/evil.xml`, []byte("<a/>")}), Limits{}, "非法的部件路径"},
		{"duplicate name", rewriteZip(t, small, nil, zipEntry{"XL/Worksheets/Sheet1.xml", []byte("<a/>")}), Limits{}, "非法的部件路径"},
		{"DTD entity in sheet", rewriteZip(t, small, map[string]*string{"xl/worksheets/sheet1.xml": ptr(dtdSheet)}), Limits{}, "文件包含不允许的内容（DTD）"},
		{"billion laughs in docProps", rewriteZip(t, small, map[string]*string{"docProps/app.xml": ptr(lolz)}), Limits{}, "（DTD）"},
		{"DOCTYPE in content types", rewriteZip(t, small, map[string]*string{"[Content_Types].xml": ptr(`<?xml version="1.0"?><!DOCTYPE Types SYSTEM "http://example.com/x.dtd"><Types/>`)}), Limits{}, "（DTD）"},
		{"DOCTYPE in unreferenced part", rewriteZip(t, small, nil, zipEntry{"customXml/item1.xml", []byte(`<!DOCTYPE a [<!ENTITY b SYSTEM "file:///etc/passwd">]><a>&b;</a>`)}), Limits{}, "（DTD）"},
		{"row 2147483647", withSheetXML(t, headerRow+`<row r="2147483647">`+is("A2147483647", "x")+`</row>`), Limits{}, "行号无效"},
		{"row 2147483647 without cell refs", withSheetXML(t, headerRow+`<row r="2147483647"><c t="inlineStr"><is><t>x</t></is></c></row>`), Limits{}, "行号无效"},
		{"row 99999999999999999999", withSheetXML(t, headerRow+`<row r="99999999999999999999"/>`), Limits{}, "行号无效"},
		{"row -1", withSheetXML(t, headerRow+`<row r="-1">`+is("A-1", "x")+`</row>`), Limits{}, "行号无效"},
		{"row -1 without cell refs", withSheetXML(t, headerRow+`<row r="-1"><c t="inlineStr"><is><t>x</t></is></c></row>`), Limits{}, "行号无效"},
		{"row 0", withSheetXML(t, `<row r="0"/>`+headerRow), Limits{}, "行号无效"},
		{"row 1048577", withSheetXML(t, headerRow+`<row r="1048577"/>`), Limits{}, "行号无效"},
		{"rows backwards", withSheetXML(t, headerRow+`<row r="5">`+is("A5", "x")+`</row><row r="3">`+is("A3", "y")+`</row>`), Limits{}, "顺序错误"},
		{"rows repeated", withSheetXML(t, headerRow+`<row r="1"/>`), Limits{}, "顺序错误"},
		{"column XFE", withSheetXML(t, headerRow+`<row r="2">`+is("XFE2", "x")+`</row>`), Limits{}, "单元格位置无效"},
		{"column AAAAAAAAAAAAAAA", withSheetXML(t, headerRow+`<row r="2">`+is("AAAAAAAAAAAAAAA2", "x")+`</row>`), Limits{}, "单元格位置无效"},
		{"column overflow int", withSheetXML(t, headerRow+`<row r="2">`+is(strings.Repeat("Z", 40)+"2", "x")+`</row>`), Limits{}, "单元格位置无效"},
		{"cell without column", withSheetXML(t, headerRow+`<row r="2">`+is("2", "x")+`</row>`), Limits{}, "单元格位置无效"},
		{"cell on another row", withSheetXML(t, headerRow+`<row r="2">`+is("A7", "x")+`</row>`), Limits{}, "顺序错误"},
		{"cells out of order", withSheetXML(t, headerRow+`<row r="2">`+is("C2", "x")+is("A2", "y")+`</row>`), Limits{}, "顺序错误"},
		{"cell outside row", withSheetXML(t, headerRow+is("A2", "x")), Limits{}, "文件已损坏"},
		{"too many unnamed cells", withSheetXML(t, headerRow+`<row r="2">`+is("XFD2", "x")+`<c t="inlineStr"><is><t>y</t></is></c></row>`), Limits{}, "单元格位置无效"},
		{"two r attributes on a row", withSheetXML(t, headerRow+`<row r="2" xmlns:x="urn:x" x:r="999999">`+is("A2", "x")+`</row>`), Limits{}, "文件已损坏"},
		{"two r attributes on a cell", withSheetXML(t, headerRow+`<row r="2" xmlns:x="urn:x"><c r="A2" x:r="Z2" t="inlineStr"><is><t>x</t></is></c></row>`), Limits{}, "文件已损坏"},
		{"style not a number", withSheetXML(t, headerRow+`<row r="2"><c r="A2" s="abc" t="inlineStr"><is><t>x</t></is></c></row>`), Limits{}, "文件已损坏"},
		{"truncated sheet XML", rewriteZip(t, small, map[string]*string{"xl/worksheets/sheet1.xml": ptr(sheetHead + headerRow + `<row r="2">` + is("A2", "x"))}), Limits{}, "文件已损坏"},
		{"mismatched tags", withSheetXML(t, headerRow+`<row r="2"></c></row>`), Limits{}, "文件已损坏"},
		// Transcoded like excelize does, the rest of the part is gibberish
		// text: no rows at all.
		{"UTF-16 declared", rewriteZip(t, small, map[string]*string{"xl/worksheets/sheet1.xml": ptr(wrongEncoding)}), Limits{}, "缺少必填列"},
		{"shared string index too big", withSheetXML(t, headerRow+`<row r="2"><c r="A2" t="s"><v>99</v></c></row>`), Limits{}, "共享字符串索引无效"},
		{"shared string index not a number", withSheetXML(t, headerRow+`<row r="2"><c r="A2" t="s"><v>abc</v></c></row>`), Limits{}, "共享字符串索引无效"},
		{"deep nesting", rewriteZip(t, small, nil, zipEntry{"xl/deep.xml", []byte(strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000))}), Limits{}, "文件已损坏"},
		{"giant token", rewriteZip(t, small, nil, zipEntry{"xl/big.xml", append([]byte("<a>"), randomLetters(5<<20)...)}), Limits{}, "文件已损坏"},
		{"more rows than MaxRows", withSheetXML(t, sixRows), Limits{MaxRows: 5}, "最多一次导入5行"},
		{"one file over the size limit", small, Limits{MaxFileBytes: int64(len(small) - 1)}, "文件不能超过"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.lim.TempDir = dir
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			rows, err := readBytes(tc.data, smallCols, tc.lim)
			runtime.ReadMemStats(&after)
			if rows != nil {
				t.Errorf("rows returned with an error: %v", rows)
			}
			mustFileError(t, err, tc.want)
			if grow := after.TotalAlloc - before.TotalAlloc; grow > 100<<20 {
				t.Errorf("allocated %d MB", grow>>20)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			assertEmptyDir(t, dir)
		})
	}
}

func TestMaxRowsExactlyAllowed(t *testing.T) {
	body := headerRow
	for r := 2; r <= 6; r++ {
		body += fmt.Sprintf(`<row r="%d">%s%s</row>`, r, is(fmt.Sprintf("A%d", r), "张三"), is(fmt.Sprintf("B%d", r), "1"))
	}
	body += `<row r="7"><c r="A7" t="inlineStr"><is><t> </t></is></c></row>` // blank: not counted
	rows, err := readBytes(withSheetXML(t, body), smallCols, Limits{MaxRows: 5, TempDir: t.TempDir()})
	if err != nil || len(rows) != 5 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}

// The highest legal row number is fine and quick: excelize walks through the
// empty rows one Next() at a time.
func TestMaxRowNumber(t *testing.T) {
	body := headerRow + `<row r="1048576">` + is("A1048576", "张三") + is("B1048576", "1") + `</row>`
	start := time.Now()
	rows, err := readBytes(withSheetXML(t, body), smallCols, Limits{TempDir: t.TempDir()})
	if err != nil || len(rows) != 1 || rows[0].Number != 1048576 {
		t.Fatalf("%+v %v", rows, err)
	}
	t.Logf("row 1048576 read in %v", time.Since(start))
}

func TestTooLarge(t *testing.T) {
	r := io.LimitReader(&zeros{1 << 40}, DefaultLimits.MaxFileBytes+1)
	_, err := Read(r, smallCols, Limits{TempDir: t.TempDir()})
	if !errors.Is(err, ErrTooLarge) || err.Error() != "文件不能超过10MB" {
		t.Fatalf("got %v", err)
	}
	// Exactly at the limit is not too large (it is just not an xlsx).
	r = io.LimitReader(&zeros{1 << 40}, DefaultLimits.MaxFileBytes)
	_, err = Read(r, smallCols, Limits{TempDir: t.TempDir()})
	mustFileError(t, err, "不是有效的Excel文件")
	// Another limit: still errors.Is ErrTooLarge, with that limit in the message.
	r = io.LimitReader(&zeros{1 << 40}, 5<<20+1)
	_, err = Read(r, smallCols, Limits{MaxFileBytes: 5 << 20, TempDir: t.TempDir()})
	if !errors.Is(err, ErrTooLarge) || err.Error() != "文件不能超过5MB" {
		t.Fatalf("got %v", err)
	}
	var fe *FileError
	if !errors.As(ErrTooLarge, &fe) {
		t.Fatal("ErrTooLarge is not a *FileError")
	}
	// A reader that would go on forever is not read past the limit.
	_, err = Read(&zeros{1 << 50}, smallCols, Limits{TempDir: t.TempDir()})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}

func TestReadIOError(t *testing.T) {
	_, err := Read(io.MultiReader(strings.NewReader("PK"), errReader{}), smallCols, Limits{})
	var fe *FileError
	if err == nil || errors.As(err, &fe) {
		t.Fatalf("an I/O error should be an internal error, got %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
