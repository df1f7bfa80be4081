package spreadsheet

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The fast path (fastScan) must never accept a part that scanXML refuses,
// and when it accepts one it must report the same elements, attributes and
// text, so that the checks fed by it come to the same result. These tests
// and FuzzFastScan compare the two on hostile input; FuzzPrescanFastPath
// compares whole pre-scans.

// recordFast records what fastScan reports, with values decoded the way
// encoding/xml decodes them when they are not plain.
type recordFast struct {
	ev  []string
	bad error // a plain value that is not its own decoded value
}

func (r *recordFast) start(local []byte, attrs *attrList, depth int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "S %s %d", local, depth)
	for i := range attrs.len() {
		v := string(attrs.val(i))
		if !attrs.isPlain(i) {
			v = decodeXMLText(v)
		} else if v != decodeXMLText(v) {
			r.bad = fmt.Errorf("plain attribute %q is not its own value", v)
		}
		fmt.Fprintf(&b, " %s=%q", attrs.local(i), v)
	}
	r.ev = append(r.ev, b.String())
	return nil
}

func (r *recordFast) end(local []byte, depth int) error {
	r.ev = append(r.ev, fmt.Sprintf("E %s %d", local, depth))
	return nil
}

func (r *recordFast) text(raw []byte, plain bool) error {
	v := string(raw)
	if !plain {
		v = decodeXMLText(v)
	} else if v != decodeXMLText(v) {
		r.bad = fmt.Errorf("plain text %q is not its own value", v)
	}
	r.ev = append(r.ev, fmt.Sprintf("T %q", v))
	return nil
}

// decodeXMLText decodes what fastScan lets through: \r and \r\n become \n,
// and the five predefined entities.
func decodeXMLText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&apos;", "'", "&quot;", `"`).Replace(s)
}

// recordSlow records the same from scanXML's tokens.
func recordSlow(ev *[]string) func(xml.Token, int) error {
	return func(t xml.Token, depth int) error {
		switch tok := t.(type) {
		case xml.StartElement:
			var b strings.Builder
			fmt.Fprintf(&b, "S %s %d", tok.Name.Local, depth)
			for _, a := range tok.Attr {
				fmt.Fprintf(&b, " %s=%q", a.Name.Local, a.Value)
			}
			*ev = append(*ev, b.String())
		case xml.EndElement:
			*ev = append(*ev, fmt.Sprintf("E %s %d", tok.Name.Local, depth))
		case xml.CharData:
			*ev = append(*ev, fmt.Sprintf("T %q", string(tok)))
		}
		return nil
	}
}

func slowScan(doc []byte, visit func(xml.Token, int) error) error {
	return scanXML(bufio.NewReaderSize(bytes.NewReader(doc), 64<<10), visit)
}

// withWindow runs f with fastScan's windows made small (at least n bytes).
func withWindow(n uint64, f func()) {
	minW, w := fastMinWindow, fastWindow
	fastMinWindow, fastWindow = n, n
	defer func() { fastMinWindow, fastWindow = minW, w }()
	f()
}

// checkFastAgainstSlow fails t when fastScan accepts doc and scanXML does
// not, or when they disagree on what is in it, both for plain tokens and
// for the worksheet checks. It returns whether fastScan accepted it.
func checkFastAgainstSlow(t testing.TB, doc []byte) bool {
	t.Helper()
	var slowEv []string
	slowErr := slowScan(doc, recordSlow(&slowEv))
	accepted := false
	for _, window := range []uint64{64 << 10, 600} {
		var fast recordFast
		var ok bool
		withWindow(window, func() { ok = fastScan(bytes.NewReader(doc), uint64(len(doc)), &fast) })
		if fast.bad != nil {
			t.Fatalf("%v in %q", fast.bad, doc)
		}
		if !ok {
			continue
		}
		accepted = true
		if slowErr != nil {
			t.Fatalf("fastScan (window %d) accepts what scanXML refuses (%v):\n%q", window, slowErr, doc)
		}
		if !reflect.DeepEqual(fast.ev, slowEv) {
			t.Fatalf("fastScan (window %d) and scanXML disagree on %q:\nfast %q\nslow %q", window, doc, fast.ev, slowEv)
		}
	}
	// The worksheet checks, fed either way.
	for _, window := range []uint64{64 << 10, 600} {
		fastSC := sheetChecker{sstCount: 3}
		var ok bool
		withWindow(window, func() { ok = fastScan(bytes.NewReader(doc), uint64(len(doc)), fastSheet{&fastSC}) })
		if !ok {
			continue
		}
		slowSC := sheetChecker{sstCount: 3}
		if err := slowScan(doc, slowSC.token); err != nil {
			t.Fatalf("fastScan (window %d) with the sheet checks accepts what scanXML refuses (%v):\n%q", window, err, doc)
		}
		type state struct {
			Numeric     []uint64
			Row         int
			InSheetData bool
		}
		f := state{fastSC.numeric, fastSC.row, fastSC.inSheetData}
		s := state{slowSC.numeric, slowSC.row, slowSC.inSheetData}
		if !reflect.DeepEqual(f, s) {
			t.Fatalf("sheet checks disagree on %q:\nfast %+v\nslow %+v", doc, f, s)
		}
	}
	return accepted
}

// Sheet bodies for the tests and fuzz seeds: what the fast path must handle
// itself (fast: true) and hostile or unusual input it may leave to
// encoding/xml.
var fastScanCases = []struct {
	name string
	body string // inside <worksheet><sheetData> … </sheetData></worksheet>
	fast bool   // fastScan must accept it (false: it must give up)
}{
	{"plain", headerRow + `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>1.10101199003071E+17</v></c><c r="C2" s="3"><v>41091</v></c></row>`, true},
	{"single quotes", headerRow + `<row r='2'><c r='A2' t='s'><v>1</v></c><c r='B2'><v>12</v></c></row>`, true},
	{"quotes inside quotes", headerRow + `<row r="2" spans='1:2"x' ht="a'b"><c r="B2"><v>1</v></c></row>`, true},
	{"white space around =", headerRow + "<row r = \"2\"\t><c\nr\r\n=\n'B2'  t =\"n\" ><v>7</v></c ></row >", true},
	{"attributes not separated", headerRow + `<row r="2"spans="1:3"><c r="A2"t="s"s="0"><v>2</v></c></row>`, true},
	{"prefixed elements", headerRow + `<x:row xmlns:x="urn:x" r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2"><x:v>5</x:v></x:c></x:row>`, true},
	{"prefixed attributes", headerRow + `<row x:r="2" xmlns:x="urn:x"><c x:r="B2" x:t="n"><v>5</v></c></row>`, true},
	{"xmlns:r is an r attribute", headerRow + `<row r="2" xmlns:r="urn:x"><c r="A2"><v>1</v></c></row>`, false},
	{"comments", headerRow + `<!-- a comment --><row r="2"><!----><c r="B2"><v>1<!-- x -->2</v></c></row><!-- <row r="9"/> -->`, true},
	{"comment with --", headerRow + `<!-- a -- b -->`, false},
	{"processing instructions", headerRow + `<?foo bar?><row r="2"><?x <y>?><c r="B2"><v>3</v></c></row>`, true},
	{"self-closing", headerRow + `<row r="2"/><row r="3"><c r="A3" t="s"/><c r="B3"/><c r="C3"><v>1</v></c></row><row/>`, true},
	{"rows without r", `<row>` + is("A1", "姓名") + `</row><row><c><v>1</v></c><c/><c t="s"><v>0</v></c></row>`, true},
	{"cells without r", headerRow + `<row r="2"><c><v>1</v></c><c t="s"><v>2</v></c></row>`, true},
	{"lower-case column", headerRow + `<row r="2"><c r="b2"><v>1</v></c></row>`, true},
	{"huge row number", headerRow + `<row r="99999999999999999999"/>`, false},
	{"row 2147483647", headerRow + `<row r="2147483647"><c r="A2147483647"><v>1</v></c></row>`, false},
	{"huge column", headerRow + `<row r="2"><c r="AAAAAAAAAAAAAAAAAAAA2"><v>1</v></c></row>`, false},
	{"cell on another row", headerRow + `<row r="2"><c r="A3"><v>1</v></c></row>`, false},
	{"cells out of order", headerRow + `<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>1</v></c></row>`, false},
	{"rows out of order", headerRow + `<row r="3"/><row r="2"/>`, false},
	{"duplicated r on a row", headerRow + `<row r="2" r="3"/>`, false},
	{"duplicated r on a cell", headerRow + `<row r="2"><c r="A2" r="B2"><v>1</v></c></row>`, false},
	{"duplicated t", headerRow + `<row r="2"><c r="A2" t="s" x:t="n" xmlns:x="urn:x"><v>1</v></c></row>`, false},
	{"style not a number", headerRow + `<row r="2"><c r="A2" s="1x"><v>1</v></c></row>`, false},
	{"style with sign", headerRow + `<row r="2"><c r="A2" s="+1"><v>1</v></c><c r="B2" s="-0"><v>1</v></c></row>`, true},
	{"style too big", headerRow + `<row r="2"><c r="A2" s="9223372036854775808"><v>1</v></c></row>`, false},
	{"style just fits", headerRow + `<row r="2"><c r="A2" s="-9223372036854775808"><v>1</v></c></row>`, true},
	{"shared index too big", headerRow + `<row r="2"><c r="A2" t="s"><v>99</v></c></row>`, false},
	{"shared index with spaces", headerRow + `<row r="2"><c r="A2" t="s"><v> 2 </v></c></row>`, true},
	{"character reference in r", headerRow + `<row r="&#50;"><c r="&#x41;2" t="s"><v>1</v></c></row>`, false},
	{"entity in r", headerRow + `<row r="2&amp;"/>`, false},
	{"entity in t", headerRow + `<row r="2"><c r="A2" t="&#115;"><v>9</v></c></row>`, false},
	{"entity in another attribute", headerRow + `<row r="2" x="a&amp;b&lt;&gt;&quot;&apos;"><c r="A2"><v>1</v></c></row>`, true},
	{"entity in text", headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t>A &amp; B &lt;1&gt;</t></is></c></row>`, true},
	{"entity in v", headerRow + `<row r="2"><c r="A2"><v>&amp;</v></c></row>`, false},
	{"character reference in v", headerRow + `<row r="2"><c r="A2" t="s"><v>&#49;</v></c></row>`, false},
	{"unknown entity", headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t>&nbsp;</t></is></c></row>`, false},
	{"entity without ;", headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t>&amp</t></is></c></row>`, false},
	{"CDATA", headerRow + `<row r="2"><c r="A2"><v><![CDATA[12]]></v></c></row>`, false},
	{"CDATA in text", headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<b>]]></t></is></c></row>`, false},
	{"]]> in text", headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t>a]]>b</t></is></c></row>`, false},
	{"]]> in attribute", headerRow + `<row r="2" x="a]]>b"/>`, true},
	{"carriage return in v", headerRow + "<row r=\"2\"><c r=\"A2\"><v>1\r\n</v></c></row>", false},
	{"carriage return elsewhere", headerRow + "<row r=\"2\" x=\"a\rb\">\r\n<c r=\"A2\"><v>1</v></c></row>", true},
	{"DOCTYPE", `<!DOCTYPE x>` + headerRow, false},
	{"ENTITY", headerRow + `<!ENTITY x "y">`, false},
	{"< in attribute", headerRow + `<row r="2" x="a<b"/>`, false},
	{"control character", headerRow + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a\x01b</t></is></c></row>", false},
	{"control character in attribute", headerRow + "<row r=\"2\" x=\"\x00\"/>", false},
	{"invalid UTF-8", headerRow + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a\xffb</t></is></c></row>", false},
	{"U+FFFE", headerRow + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a\uFFFEb</t></is></c></row>", false},
	{"non-ASCII text", headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t>张三 😀</t></is></c></row>`, true},
	{"non-ASCII name", headerRow + `<行 r="2"/>`, false},
	{"name with two colons", headerRow + `<a:b:c/>`, false},
	{"name ending in colon", headerRow + `<a: x="1"/>`, false},
	{"prefix only", headerRow + `<:a/>`, false},
	{"attribute without value", headerRow + `<row r="2" hidden/>`, false},
	{"unquoted attribute", headerRow + `<row r=2/>`, false},
	{"mismatched end", headerRow + `<row r="2"></c></row>`, false},
	{"mismatched prefix", headerRow + `<x:row r="2"></row>`, false},
	{"end tag with attribute", headerRow + `<row r="2"></row x="1">`, false},
	{"stray end tag", headerRow + `</x>`, false},
	{"cell outside row", headerRow + `<c r="A2"><v>1</v></c>`, false},
	{"row in cell", headerRow + `<row r="2"><c r="A2"><row/></c></row>`, false},
	{"nested v", headerRow + `<row r="2"><c r="A2"><x><v>1</v></x></c><c r="B2"><v>1<x>2</x></v></c></row>`, true},
	{"long v", headerRow + `<row r="2"><c r="A2"><v>` + strings.Repeat(" ", 70) + `1</v></c></row>`, true},
	{"long v of spaces", headerRow + `<row r="2"><c r="A2"><v>` + strings.Repeat(" ", 70) + `</v></c><c r="B2" t="s"><v>` + strings.Repeat(" ", 100) + `</v></c></row>`, true},
	{"long text across windows", headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t>` + strings.Repeat("长文本", 3000) + `</t></is></c></row>`, true},
	{"long attribute", headerRow + `<row r="2" x="` + strings.Repeat("y", 3000) + `"/>`, true},
	{"comment with < across windows", headerRow + `<!--` + strings.Repeat("<a>", 1000) + `--><row r="2"/>`, true},
	{"after sheetData", headerRow + `</sheetData><row r="1"/><c/><sheetData>`, true},
}

func sheetDoc(body string) []byte { return []byte(sheetHead + body + sheetTail) }

func TestFastScanAgreesWithScanXML(t *testing.T) {
	for _, tc := range fastScanCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := sheetDoc(tc.body)
			if got := checkFastAgainstSlow(t, doc); tc.fast && !got {
				t.Errorf("fastScan gave up")
			}
			// With the sheet checks: fast cases need no fall-back.
			sc := sheetChecker{sstCount: 3}
			ok := fastScan(bytes.NewReader(doc), uint64(len(doc)), fastSheet{&sc})
			if ok != tc.fast {
				t.Errorf("fastScan with the sheet checks: %v, want %v", ok, tc.fast)
			}
		})
	}
}

// Whole documents, beyond sheet bodies.
func TestFastScanDocuments(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		fast bool
	}{
		{"empty", ``, false},
		{"not XML", `hello`, false},
		{"no declaration", `<a/>`, true},
		{"BOM", "\uFEFF<a/>", true},
		{"white space first", " \r\n<a/>\n", true},
		{"declaration utf-8", `<?xml version="1.0" encoding="utf-8"?><a/>`, true},
		{"declaration single quotes", `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><a/>`, true},
		{"declaration without encoding", `<?xml version="1.0"?><a/>`, true},
		{"declaration UTF-16", `<?xml version="1.0" encoding="UTF-16"?><a/>`, false},
		{"declaration ISO-8859-1", `<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>`, false},
		{"declaration GBK", `<?xml version="1.0" encoding="GBK"?><a/>`, false},
		{"declaration version 1.1", `<?xml version="1.1"?><a/>`, false},
		{"odd declaration", `<?xml version="1.0" xencoding="latin1"?><a/>`, false},
		{"late declaration", `<a><?xml encoding="latin1"?></a>`, false},
		{"late utf-8 declaration", `<a><?xml encoding="utf-8"?></a>`, true},
		{"unterminated declaration", `<?xml version="1.0"`, false},
		{"PI without target", `<? x?><a/>`, false},
		{"UTF-16 BOM", "\xff\xfe<\x00a\x00/\x00>\x00", false},
		{"two roots", `<a/><b/>`, true},
		{"text after root", `<a/>x`, true},
		{"unclosed", `<a><b></b>`, false},
		{"truncated tag", `<a><b`, false},
		{"lone <", `<a/><`, false},
		{"depth 256", strings.Repeat("<a>", maxXMLDepth) + strings.Repeat("</a>", maxXMLDepth), true},
		{"depth 257", strings.Repeat("<a>", maxXMLDepth+1) + strings.Repeat("</a>", maxXMLDepth+1), false},
		{"shared strings", `<sst count="2"><si><t>a</t></si><si><r><t>b</t></r></si></sst>`, true},
		{"CDATA", `<a><![CDATA[x]]></a>`, false},
		{"bad CDATA", `<a><![CDAT[x]]></a>`, false},
		{"directive", `<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`, false},
		{"comment only", `<!-- x --><a/>`, true},
		{"bad comment", `<!- x --><a/>`, false},
		{"unterminated comment", `<a/><!-- x`, false},
		{"dashes ending comment", `<a/><!-- x --->`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkFastAgainstSlow(t, []byte(tc.doc)); got != tc.fast {
				t.Errorf("fastScan accepted: %v, want %v", got, tc.fast)
			}
		})
	}
}

// fastScan refuses more than maxTokenBytes without a '<' (scanXML checks at
// read boundaries and lets a little more through).
func TestFastScanGiantToken(t *testing.T) {
	doc := append([]byte("<a>"), randomLetters(maxTokenBytes+10)...)
	doc = append(doc, "</a>"...)
	if fastScan(bytes.NewReader(doc), uint64(len(doc)), nopVisitor{}) {
		t.Fatal("fastScan accepted a giant token")
	}
	doc = append([]byte("<a>"), randomLetters(maxTokenBytes+64<<10)...)
	doc = append(doc, "</a>"...)
	if fastScan(bytes.NewReader(doc), uint64(len(doc)), nopVisitor{}) {
		t.Fatal("fastScan accepted a giant token")
	}
	if err := slowScan(doc, nil); err == nil {
		t.Fatal("scanXML accepted a giant token")
	}
	// Just under the limit: fine, through wider windows.
	doc = append([]byte("<a>"), randomLetters(maxTokenBytes-10)...)
	doc = append(doc, "</a>"...)
	if !checkFastAgainstSlow(t, doc) {
		t.Fatal("fastScan gave up on a long token within the limit")
	}
}

// prescanBoth runs the pre-scan with and without the fast path and fails t
// unless both come to the same result or the same error. It returns the
// error and the parts the fast path gave up on.
func prescanBoth(t testing.TB, b []byte, lim Limits) (error, []string) {
	t.Helper()
	lim = lim.withDefaults()
	testNoFastScan = true
	slow, slowErr := prescan(b, lim)
	testNoFastScan = false
	var fallbacks []string
	testHookFallback = func(name string) { fallbacks = append(fallbacks, name) }
	fast, fastErr := prescan(b, lim)
	testHookFallback = nil
	if fmt.Sprint(fastErr) != fmt.Sprint(slowErr) {
		t.Fatalf("pre-scan errors differ: fast %v, slow %v", fastErr, slowErr)
	}
	if fastErr == nil && !reflect.DeepEqual(fast, slow) {
		t.Fatalf("pre-scan results differ:\nfast %+v\nslow %+v", fast, slow)
	}
	return fastErr, fallbacks
}

func TestPrescanFastPathSameResult(t *testing.T) {
	for _, tc := range fastScanCases {
		t.Run(tc.name, func(t *testing.T) {
			b := withSheetXML(t, tc.body)
			err, fallbacks := prescanBoth(t, b, Limits{})
			if tc.fast && len(fallbacks) != 0 {
				t.Errorf("fell back to encoding/xml for %v (err %v)", fallbacks, err)
			}
			if !tc.fast && len(fallbacks) != 1 {
				t.Errorf("fell back for %v, want the worksheet only", fallbacks)
			}
		})
	}
}

// Files as excelize and the template writer make them go through the fast
// path only.
func TestPrescanFastPathRealFiles(t *testing.T) {
	var tpl bytes.Buffer
	if err := WriteTemplate(&tpl, templateSpec); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"small":        smallXLSX(t),
		"registration": genRegistration(t, 300),
		"template":     tpl.Bytes(),
	} {
		t.Run(name, func(t *testing.T) {
			err, fallbacks := prescanBoth(t, b, Limits{})
			if err != nil || len(fallbacks) != 0 {
				t.Fatalf("err %v, fell back for %v", err, fallbacks)
			}
		})
	}
}

// What Read makes of some of the hostile sheets (the pre-scan is the same
// either way, see above).
func TestReadHostileSheetSyntax(t *testing.T) {
	row2 := func(body string) string { return headerRow + body }
	for _, tc := range []struct {
		name, body string
		want       string // error message part, "" for success
		rows       int
	}{
		{"single quotes", row2(`<row r='2'><c r='A2' t='inlineStr'><is><t>张三</t></is></c><c r='B2'><v>1</v></c></row>`), "", 1},
		{"white space around =", row2(`<row r = "2" ><c r =  'A2'  t= "inlineStr" ><is><t>张三</t></is></c></row>`), "", 1},
		{"prefixed", row2(`<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>张三</x:t></x:is></x:c></x:row>`), "", 1},
		{"character reference in r", row2(`<row r="&#50;"><c r="A&#50;" t="inlineStr"><is><t>张三</t></is></c></row>`), "", 1},
		{"entity in r", row2(`<row r="2&amp;"/>`), "行号无效", 0},
		{"CDATA number", row2(`<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v><![CDATA[1.10101199003071E+17]]></v></c></row>`), "", 1},
		{"comment and PI", row2(`<!-- x --><row r="2"><?pi x?><c r="A2" t="inlineStr"><is><t>张<!--y-->三</t></is></c></row>`), "", 1},
		{"self-closing rows", row2(`<row r="2"/><row r="3"><c r="A3" t="inlineStr"><is><t>张三</t></is></c></row><row r="4"/>`), "", 1},
		{"huge r", row2(`<row r="99999999999999999999"/>`), "行号无效", 0},
		{"huge cell r", row2(`<row r="2"><c r="A99999999999"><v>1</v></c></row>`), "单元格位置无效", 0},
		{"r missing", row2(`<row><c t="inlineStr"><is><t>张三</t></is></c></row>`), "", 1},
		{"duplicated r", row2(`<row r="2" r="3"/>`), "文件已损坏", 0},
		{"duplicated r on cell", row2(`<row r="2"><c r="A2" r="A2"/></row>`), "文件已损坏", 0},
		{"xmlns:r on a row", row2(`<row r="2" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>`), "文件已损坏", 0},
		{"]]> in text", row2(`<row r="2"><c r="A2" t="inlineStr"><is><t>]]></t></is></c></row>`), "文件已损坏", 0},
		{"invalid UTF-8", row2("<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>\xff</t></is></c></row>"), "文件已损坏", 0},
		{"DTD", `<!DOCTYPE x [<!ENTITY a "b">]>` + headerRow, "（DTD）", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := withSheetXML(t, tc.body)
			prescanBoth(t, b, Limits{})
			rows, err := readBytes(b, smallCols, Limits{TempDir: t.TempDir()})
			if tc.want != "" {
				mustFileError(t, err, tc.want)
				return
			}
			if err != nil || len(rows) != tc.rows {
				t.Fatalf("%d rows, %v", len(rows), err)
			}
		})
	}
}

// A CRC error in the worksheet is found whichever path scans it.
func TestPrescanFastPathCRC(t *testing.T) {
	b := lyingZip(t)
	err, _ := prescanBoth(t, b, Limits{})
	mustFileError(t, err, "文件已损坏")
}

// FuzzFastScan: on any part, fastScan accepts only what scanXML accepts and
// then reports the same, also to the worksheet checks.
func FuzzFastScan(f *testing.F) {
	for _, tc := range fastScanCases {
		f.Add(sheetDoc(tc.body))
	}
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><sst><si><t>a&amp;b</t></si></sst>`))
	f.Add([]byte("<a b='1'\r\nc = \"2\"/><!-- c --><?p q?>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkFastAgainstSlow(t, doc)
	})
}

// FuzzPrescanFastPath: the pre-scan of a file whose worksheet is arbitrary
// gives the same result or error with and without the fast path.
func FuzzPrescanFastPath(f *testing.F) {
	for _, tc := range fastScanCases {
		f.Add(sheetDoc(tc.body))
	}
	base := smallXLSX(f)
	f.Fuzz(func(t *testing.T, sheet []byte) {
		s := string(sheet)
		b := rewriteZip(t, base, map[string]*string{"xl/worksheets/sheet1.xml": &s})
		prescanBoth(t, b, Limits{})
		withWindow(600, func() { prescanBoth(t, b, Limits{}) })
	})
}

func TestIsInt64AndParseUint(t *testing.T) {
	for _, s := range []string{"", "+", "-", "0", "-0", "+0", "7", "007", "12a", " 1", "1 ", "1_000", "0x10",
		"123456789", "1234567890", "999999999999999999", "-999999999999999999", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "-9223372036854775809", "+9223372036854775807",
		"00000000000000000000000001", "١٢"} {
		_, err := strconv.ParseInt(s, 10, 64)
		if got := isInt64([]byte(s)); got != (err == nil) {
			t.Errorf("isInt64(%q) = %v, ParseInt: %v", s, got, err)
		}
		n, ok := parseUint([]byte(s))
		wantOK := len(s) >= 1 && len(s) <= 9 && allDigits(s)
		want, _ := strconv.Atoi(s)
		if ok != wantOK || (ok && n != want) {
			t.Errorf("parseUint(%q) = %d, %v", s, n, ok)
		}
	}
}
