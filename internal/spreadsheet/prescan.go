package spreadsheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"
)

// The pre-scan runs on the uploaded bytes before excelize sees them. It reads
// every zip entry, streaming, and checks what excelize does not (XML parts
// go through fastScan, a byte-level scanner, and are read a second time,
// with encoding/xml, only when it gives up; see fastxml.go):
//
//   - zip structure: entry count, declared sizes and compression ratios (the
//     archive/zip reader refuses to inflate past a declared size, so declared
//     sizes bound the work), unsafe or duplicate names, zip-level encryption,
//     CRC errors (excelize ignores read errors while unzipping and would
//     silently truncate a part);
//   - every XML part is well formed, has no DTD (<!DOCTYPE>, <!ENTITY>: a
//     sheet with an entity reference reads as an EMPTY sheet in excelize,
//     without an error), no absurd nesting and no giant token;
//   - the worksheet that Read will use: row numbers within 1..1048576 and
//     strictly increasing, cell references within A..XFD, on their own row and
//     strictly increasing along the row (excelize silently merges a row with
//     r="-1" or an out-of-order row into the previous row, and shifts cells
//     that come out of order to the wrong column), shared-string indexes that
//     exist (excelize returns "" for a missing one and the FIRST string for a
//     non-numeric one);
//   - it records which cells of that worksheet are number cells, which is what
//     Row.Numeric reports (excelize's streaming reader does not expose it).

const (
	// A single XML token (text, tag with its attributes, comment) longer than
	// this is refused. Excel caps a cell at 32,767 characters.
	maxTokenBytes = 4 << 20
	// Deeper XML nesting than this is refused; OOXML needs a few dozen.
	maxXMLDepth = 256
	// Compression ratios are checked only on entries larger than this: tiny
	// parts (a run of spaces, an empty calcChain) legitimately compress
	// extremely well, and they cannot hurt.
	ratioCheckMin = 1 << 20
	// Maximum size of the small structural parts parsed by the pre-scan.
	maxStructPart = 16 << 20

	// MaxColumns and MaxRowNumber are Excel's worksheet limits (XFD, 1048576).
	maxColumns   = 16384
	maxRowNumber = 1048576
)

const (
	pathContentTypes  = "[Content_Types].xml"
	pathRootRels      = "_rels/.rels"
	pathWorkbook      = "xl/workbook.xml"
	pathWorkbookRels  = "xl/_rels/workbook.xml.rels"
	pathSharedStrings = "xl/sharedstrings.xml" // lower case: excelize matches it case-insensitively
)

var errTokenLarge = errors.New("xml token too large")

// sheetInfo is one <sheet> of workbook.xml, in workbook order.
type sheetInfo struct {
	Name string
	Path string // zip path of its part, resolved like excelize does
}

// scanResult is what the pre-scan learnt for Read.
type scanResult struct {
	sheets  []sheetInfo
	target  int      // index into sheets of the sheet Read uses
	numeric []uint64 // number cells of the target sheet, as cellPos, increasing
	lastRow int      // row number of the target sheet's last <row> element
}

// cellPos packs a cell position; rows and columns both increase, so positions
// recorded in document order are sorted.
func cellPos(row, col int) uint64 { return uint64(row)<<14 | uint64(col-1) }

// rowCol undoes cellPos: the row number and the 0-based column index.
func rowCol(p uint64) (row, colIndex int) { return int(p >> 14), int(p & 0x3fff) }

func fileErr(msg string) *FileError { return &FileError{Msg: msg} }

var (
	msgNotXLSX     = "不是有效的Excel文件（.xlsx）"
	msgCorrupt     = "文件已损坏，无法读取，请用Excel打开后重新保存为.xlsx再上传"
	msgRatio       = "文件内容异常（压缩比过大）"
	msgEntries     = "文件内容异常（包含的部件过多）"
	msgBadPath     = "文件内容异常（包含非法的部件路径）"
	msgDTD         = "文件包含不允许的内容（DTD）"
	msgRowNumber   = "文件内容异常（行号无效）"
	msgCellRef     = "文件内容异常（单元格位置无效）"
	msgOrder       = "文件内容异常（行或单元格顺序错误）"
	msgSharedIndex = "文件内容异常（共享字符串索引无效）"
	msgNoSheet     = "文件中没有可读取的工作表"
	// excelize read something other than what the pre-scan checked; no known
	// file does this (FuzzReadSheetXML asserts it).
	msgMismatch = "文件结构异常，无法读取，请用Excel打开后重新保存为.xlsx再上传"
)

// prescan checks the zip held in b. All errors it returns are *FileError.
func prescan(b []byte, lim Limits) (*scanResult, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fileErr(msgNotXLSX)
	}
	if len(zr.File) > lim.MaxZipEntries {
		return nil, fileErr(msgEntries)
	}
	byName := make(map[string]*zip.File, len(zr.File))
	lower := make(map[string]bool, len(zr.File))
	var total uint64
	for _, zf := range zr.File {
		name := strings.ReplaceAll(zf.Name, `\`, "/") // as excelize does
		if !safeName(name) {
			return nil, fileErr(msgBadPath)
		}
		l := strings.ToLower(name)
		if lower[l] {
			return nil, fileErr(msgBadPath) // duplicate: which one would excelize use?
		}
		lower[l] = true
		if zf.Flags&0x1 != 0 || (zf.Method != zip.Store && zf.Method != zip.Deflate) {
			return nil, fileErr(msgNotXLSX) // zip-level encryption, exotic compression
		}
		size := zf.UncompressedSize64
		if size > uint64(lim.MaxUnzipped) {
			return nil, fileErr(msgRatio)
		}
		total += size
		if total > uint64(lim.MaxUnzipped) {
			return nil, fileErr(msgRatio)
		}
		if size > ratioCheckMin && (zf.CompressedSize64 == 0 || size/zf.CompressedSize64 > uint64(lim.MaxRatio)) {
			return nil, fileErr(msgRatio)
		}
		if strings.HasSuffix(name, "/") {
			continue // directory entry
		}
		byName[name] = zf
		if l == strings.ToLower(pathContentTypes) {
			byName[pathContentTypes] = zf
		}
		if l == pathSharedStrings {
			byName[pathSharedStrings] = zf
		}
	}
	for _, p := range []string{pathContentTypes, pathRootRels, pathWorkbook, pathWorkbookRels} {
		if byName[p] == nil {
			return nil, fileErr(msgNotXLSX)
		}
	}

	done := map[*zip.File]bool{}
	res := &scanResult{}

	// 1. Structure: _rels/.rels → xl/workbook.xml → its rels → sheet parts.
	// Parsed the way excelize unmarshals them: elements by local name at
	// their place in the tree, attributes by local name in any namespace
	// except r:id, which must be in a relationships namespace. Where
	// excelize would silently pick one of two candidates (duplicate
	// attributes, relationship ids, sheet names) the file is refused.
	var wbTargets []string
	rootRels, err := scanRels(byName[pathRootRels], done)
	if err != nil {
		return nil, err
	}
	for _, r := range rootRels {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			wbTargets = append(wbTargets, strings.TrimPrefix(r.target, "/"))
		}
	}
	// excelize uses the first officeDocument relationship.
	if len(wbTargets) == 0 || wbTargets[0] != pathWorkbook {
		return nil, fileErr(msgNotXLSX)
	}
	type wbSheet struct{ name, rid string }
	var wbSheets []wbSheet
	var ns nsScope
	parent := ""
	err = scanPart(byName[pathWorkbook], done, func(t xml.Token, depth int) error {
		switch tok := t.(type) {
		case xml.StartElement:
			ns.push(tok)
			if depth == 2 {
				parent = tok.Name.Local
			}
			if tok.Name.Local != "sheet" || depth != 3 || parent != "sheets" {
				return nil
			}
			name, _, dup := attrAny(tok, "name")
			if dup {
				return fileErr(msgNotXLSX)
			}
			s := wbSheet{name: name}
			n := 0
			for _, a := range tok.Attr {
				if a.Name.Local == "id" && isRelNamespace(ns.lookup(a.Name.Space)) {
					s.rid = a.Value
					n++
				}
			}
			if n != 1 {
				return fileErr(msgNotXLSX)
			}
			wbSheets = append(wbSheets, s)
		case xml.EndElement:
			ns.pop()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	wbRels, err := scanRels(byName[pathWorkbookRels], done)
	if err != nil {
		return nil, err
	}
	rels := map[string]string{}
	for _, r := range wbRels {
		if _, ok := rels[r.id]; ok {
			return nil, fileErr(msgNotXLSX)
		}
		rels[r.id] = r.target
	}
	res.target = -1
	seen := map[string]bool{}
	for _, s := range wbSheets {
		key := strings.ToLower(s.name)
		if s.name == "" || seen[key] {
			// excelize looks sheets up case-insensitively in a map: with two
			// names that differ only in case it picks one at random.
			return nil, fileErr(msgNotXLSX)
		}
		seen[key] = true
		target, ok := rels[s.rid]
		if !ok {
			return nil, fileErr(msgNotXLSX)
		}
		res.sheets = append(res.sheets, sheetInfo{Name: s.name, Path: worksheetPath(target)})
	}
	for i, s := range res.sheets {
		if NormalizeText(s.Name) == DataSheetName {
			res.target = i
			break
		}
	}
	if res.target < 0 && len(res.sheets) > 0 {
		res.target = 0
	}
	if res.target < 0 || byName[res.sheets[res.target].Path] == nil {
		return nil, fileErr(msgNoSheet)
	}

	// 2. Shared strings: count the items so cell indexes can be checked.
	// This part and the worksheet are the big ones: they are scanned with
	// fastScan, and with encoding/xml only when fastScan gives up.
	sst := sstCounter{}
	if zf := byName[pathSharedStrings]; zf != nil {
		err = scanBigPart(zf, done, &sst, func() { sst = sstCounter{} }, sst.token)
		if err != nil {
			return nil, err
		}
	}

	// 3. The target worksheet.
	sc := sheetChecker{sstCount: sst.n}
	err = scanBigPart(byName[res.sheets[res.target].Path], done, fastSheet{&sc}, func() { sc = sheetChecker{sstCount: sst.n} }, sc.token)
	if err != nil {
		return nil, err
	}
	if sc.inSheetData {
		return nil, fileErr(msgCorrupt)
	}
	res.numeric = sc.numeric
	res.lastRow = sc.row

	// 4. Everything else: well-formed XML without DTD, or (binary parts such
	// as images) at least a clean inflate with a matching CRC. fastScan
	// would give up on a binary part, so it is only tried on XML names.
	for _, zf := range zr.File {
		if done[zf] || strings.HasSuffix(zf.Name, "/") {
			continue
		}
		var err error
		if l := strings.ToLower(zf.Name); strings.HasSuffix(l, ".xml") || strings.HasSuffix(l, ".rels") {
			err = scanBigPart(zf, done, nopVisitor{}, func() {}, nil)
		} else {
			err = scanPart(zf, done, nil)
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// safeName refuses absolute paths, drive letters, "..", empty segments
// inside the name and control characters.
func safeName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, ":") {
		return false
	}
	for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] == 0x7f {
			return false
		}
	}
	return true
}

// worksheetPath resolves a workbook relationship target exactly like
// excelize's getWorksheetPath, for a workbook at xl/workbook.xml.
func worksheetPath(target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(strings.ReplaceAll(path.Clean(target), `\`, "/"), "/")
	}
	return strings.TrimPrefix(strings.ReplaceAll(path.Clean("xl/"+target), `\`, "/"), "/")
}

type relationship struct{ id, typ, target string }

// scanRels reads a .rels part: <Relationship> children of the root.
func scanRels(zf *zip.File, done map[*zip.File]bool) ([]relationship, error) {
	var out []relationship
	err := scanPart(zf, done, func(t xml.Token, depth int) error {
		se, ok := t.(xml.StartElement)
		if !ok || depth != 2 || se.Name.Local != "Relationship" {
			return nil
		}
		var r relationship
		var dup [3]bool
		r.id, _, dup[0] = attrAny(se, "Id")
		r.typ, _, dup[1] = attrAny(se, "Type")
		r.target, _, dup[2] = attrAny(se, "Target")
		if dup[0] || dup[1] || dup[2] {
			return fileErr(msgNotXLSX)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// nsScope resolves namespace prefixes for raw tokens.
type nsScope struct{ stack [][]xml.Attr }

func (s *nsScope) push(se xml.StartElement) {
	var decl []xml.Attr
	for _, a := range se.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			decl = append(decl, a)
		}
	}
	s.stack = append(s.stack, decl)
}

func (s *nsScope) pop() {
	if len(s.stack) > 0 {
		s.stack = s.stack[:len(s.stack)-1]
	}
}

// lookup returns the URL bound to prefix ("" for none).
func (s *nsScope) lookup(prefix string) string {
	if prefix == "" {
		return "" // unprefixed attributes have no namespace
	}
	for i := len(s.stack) - 1; i >= 0; i-- {
		for _, a := range s.stack[i] {
			if a.Name.Space == "xmlns" && a.Name.Local == prefix {
				return a.Value
			}
		}
	}
	return ""
}

// isRelNamespace: transitional or strict OOXML relationships namespace.
func isRelNamespace(url string) bool {
	return url == "http://schemas.openxmlformats.org/officeDocument/2006/relationships" ||
		url == "http://purl.oclc.org/ooxml/officeDocument/relationships"
}

// scanPart inflates one zip entry, streaming, and — unless it is plainly not
// XML — tokenizes it with scanXML. A failed inflate or CRC is corruption.
func scanPart(zf *zip.File, done map[*zip.File]bool, visit func(xml.Token, int) error) error {
	done[zf] = true
	rc, err := zf.Open()
	if err != nil {
		return fileErr(msgCorrupt)
	}
	defer rc.Close()
	// A buffer as large as the part (declared size, at least enough for
	// looksXML's peek), at most 64 KiB.
	size := int(min(zf.UncompressedSize64+1, 64<<10))
	return scanXML(bufio.NewReaderSize(rc, max(size, 1024)), visit)
}

// scanBigPart scans a part with fastScan and the visitor fast; if fastScan
// gives up, reset is called and the part is scanned again with scanXML and
// visit, which decides. fast and visit must record the same things.
// (Used for the big parts, the worksheet and the shared strings, and for
// the other XML parts that need no visitor: encoding/xml is kept for the
// small structural parts that the pre-scan reads in detail.)
func scanBigPart(zf *zip.File, done map[*zip.File]bool, fast fastVisitor, reset func(), visit func(xml.Token, int) error) error {
	done[zf] = true
	rc, err := zf.Open()
	if err != nil {
		return fileErr(msgCorrupt)
	}
	ok := !testNoFastScan && fastScan(rc, zf.UncompressedSize64, fast)
	rc.Close()
	if ok {
		return nil
	}
	if testHookFallback != nil {
		testHookFallback(zf.Name)
	}
	reset()
	return scanPart(zf, done, visit)
}

// Test hooks: testNoFastScan makes the pre-scan use scanXML only;
// testHookFallback is called with the name of each part that fastScan gave
// up on.
var (
	testNoFastScan   bool
	testHookFallback func(name string)
)

// scanXML tokenizes a part unless it is plainly not XML, calling visit (if
// not nil) for each token with the element depth (1 for the root element;
// an end element has the depth of its start). Names are raw: Space is the
// prefix, not the namespace URL. It refuses DTDs, deep nesting, giant tokens
// and malformed XML, and reads br to the end (so that a zip entry's CRC is
// checked).
func scanXML(br *bufio.Reader, visit func(xml.Token, int) error) error {
	if !looksXML(br) {
		if visit != nil {
			return fileErr(msgCorrupt) // a structural part that is not XML
		}
		if _, err := io.Copy(io.Discard, br); err != nil {
			return fileErr(msgCorrupt)
		}
		return nil
	}
	d := xml.NewDecoder(&tokenLimiter{r: br, max: maxTokenBytes})
	d.CharsetReader = charset.NewReaderLabel // what excelize uses
	// RawToken is much cheaper than Token (no namespace translation); the
	// nesting check Token would do is done here with a stack of names.
	var stack []xml.Name
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileErr(msgCorrupt)
		}
		switch tok := t.(type) {
		case xml.Directive:
			// <!DOCTYPE ...> including any <!ENTITY ...> in its internal
			// subset, or any other <!...> that is not a comment or CDATA.
			return fileErr(msgDTD)
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return fileErr(msgCorrupt)
			}
			stack = append(stack, tok.Name)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Name {
				return fileErr(msgCorrupt)
			}
		}
		if visit != nil {
			if err := visit(t, len(stack)); err != nil {
				return err
			}
		}
		if _, ok := t.(xml.EndElement); ok {
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		return fileErr(msgCorrupt) // unexpected EOF
	}
	// Drain whatever follows (normally nothing) so that the CRC is checked.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return fileErr(msgCorrupt)
	}
	return nil
}

// looksXML peeks at the start of a part: optional BOM and white space, then "<".
func looksXML(br *bufio.Reader) bool {
	head, _ := br.Peek(512)
	isXML, utf16 := xmlHead(head)
	return isXML || utf16 // UTF-16: let the decoder refuse it
}

// xmlHead looks at the start of a part (after a UTF-8 byte-order mark and blanks): whether it starts with '<', or
// with a UTF-16 byte-order mark.
func xmlHead(head []byte) (isXML, utf16 bool) {
	head = bytes.TrimPrefix(head[:min(len(head), 512)], []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if bytes.HasPrefix(head, []byte("\xfe\xff")) || bytes.HasPrefix(head, []byte("\xff\xfe")) {
		return false, true
	}
	return len(head) > 0 && head[0] == '<', false
}

// tokenLimiter fails the read when more than max bytes pass without a '<'.
// Every XML token other than CDATA starts with '<' or ends right before one,
// so this bounds what encoding/xml buffers for a single token.
type tokenLimiter struct {
	r   io.Reader
	max int
	run int
}

func (l *tokenLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		if i := bytes.LastIndexByte(p[:n], '<'); i >= 0 {
			l.run = n - 1 - i
		} else {
			l.run += n
		}
		if l.run > l.max {
			return 0, errTokenLarge
		}
	}
	return n, err
}

// sstCounter counts the <si> items of the shared string table, which must
// be children of the root. token is the scanXML visit function, the other
// methods make it a fastVisitor.
type sstCounter struct{ n int }

func (c *sstCounter) token(t xml.Token, depth int) error {
	if se, ok := t.(xml.StartElement); ok && se.Name.Local == "si" {
		if depth != 2 {
			return fileErr(msgCorrupt)
		}
		c.n++
	}
	return nil
}

func (c *sstCounter) start(local []byte, _ *attrList, depth int) error {
	if string(local) == "si" {
		if depth != 2 {
			return fileErr(msgCorrupt)
		}
		c.n++
	}
	return nil
}

func (c *sstCounter) end([]byte, int) error   { return nil }
func (c *sstCounter) text([]byte, bool) error { return nil }

// sheetChecker validates the target worksheet's rows and cells, mirroring the
// way excelize's Rows iterator finds them (any element named "row" or "c"
// until </sheetData>, namespaces ignored). It is fed by scanXML through
// token, or by fastScan through fastSheet; both hand the same elements,
// attributes and text to startElem, chars and endElem.
type sheetChecker struct {
	sstCount    int
	numeric     []uint64 // number cells, as cellPos, increasing
	done        bool     // past </sheetData>
	inSheetData bool
	row         int // current row number (0 before the first row)
	inRow       bool
	col         int // current column number in the row
	cellDepth   int // depth of the open <c>, 0 if none
	cellType    cellType
	inV         bool
	v           []byte
	hasV        bool
	scratch     []byte // attribute values copied from xml.Attr
}

// elemKind is an element by local name, as the checker tells them apart.
type elemKind uint8

const (
	elOther elemKind = iota
	elSheetData
	elRow
	elC
	elV
)

func elemKindOf(local string) elemKind {
	switch local {
	case "sheetData":
		return elSheetData
	case "row":
		return elRow
	case "c":
		return elC
	case "v":
		return elV
	}
	return elOther
}

func elemKindOfBytes(local []byte) elemKind {
	switch string(local) {
	case "sheetData":
		return elSheetData
	case "row":
		return elRow
	case "c":
		return elC
	case "v":
		return elV
	}
	return elOther
}

type cellType uint8

const (
	cellNumber cellType = iota // t absent, "" or "n"
	cellShared                 // t="s"
	cellOther
)

// rcAttrs are the attributes of a <row> or <c> the checker reads (r, t and
// s), found by local name in any namespace (including "xmlns:r"), as
// excelize finds them, with their decoded values. A count above 1 is a
// duplicate, where excelize might pick another one than we do.
type rcAttrs struct {
	val [3][]byte // r, t, s
	n   [3]int
}

const (
	attrR = iota
	attrT
	attrS
)

// rcAttrIndex returns attrR, attrT or attrS for those local names, else -1.
func rcAttrIndex(local string) int {
	switch local {
	case "r":
		return attrR
	case "t":
		return attrT
	case "s":
		return attrS
	}
	return -1
}

func (a *rcAttrs) set(i int, val []byte) {
	a.val[i] = val
	a.n[i]++
}

// token is the scanXML visit function.
func (sc *sheetChecker) token(t xml.Token, depth int) error {
	if sc.done {
		return nil
	}
	switch tok := t.(type) {
	case xml.StartElement:
		k := elemKindOf(tok.Name.Local)
		var a rcAttrs
		if k == elRow || k == elC {
			// The values are copied into scratch, grown first so that the
			// slices taken stay valid.
			need := 0
			for _, at := range tok.Attr {
				if rcAttrIndex(at.Name.Local) >= 0 {
					need += len(at.Value)
				}
			}
			sc.scratch = slices.Grow(sc.scratch[:0], need)
			for _, at := range tok.Attr {
				if i := rcAttrIndex(at.Name.Local); i >= 0 {
					start := len(sc.scratch)
					sc.scratch = append(sc.scratch, at.Value...)
					a.set(i, sc.scratch[start:len(sc.scratch):len(sc.scratch)])
				}
			}
		}
		return sc.startElem(k, &a, depth)
	case xml.CharData:
		sc.chars(tok)
	case xml.EndElement:
		return sc.endElem(elemKindOf(tok.Name.Local), depth)
	}
	return nil
}

// fastSheet feeds a sheetChecker from fastScan.
type fastSheet struct{ sc *sheetChecker }

func (f fastSheet) start(local []byte, attrs *attrList, depth int) error {
	sc := f.sc
	if sc.done {
		return nil
	}
	k := elemKindOfBytes(local)
	var a rcAttrs
	if k == elRow || k == elC {
		for j := range attrs.len() {
			i := -1
			switch string(attrs.local(j)) {
			case "r":
				i = attrR
			case "t":
				i = attrT
			case "s":
				i = attrS
			}
			if i < 0 {
				continue
			}
			if !attrs.isPlain(j) {
				return errFallback // a value with an entity reference
			}
			a.set(i, attrs.val(j))
		}
	}
	return sc.startElem(k, &a, depth)
}

func (f fastSheet) end(local []byte, depth int) error {
	if f.sc.done {
		return nil
	}
	return f.sc.endElem(elemKindOfBytes(local), depth)
}

func (f fastSheet) text(raw []byte, plain bool) error {
	if f.sc.done {
		return nil
	}
	if f.sc.inV && !plain {
		return errFallback // <v> text with an entity reference or a '\r'
	}
	f.sc.chars(raw)
	return nil
}

func (sc *sheetChecker) startElem(k elemKind, a *rcAttrs, depth int) error {
	switch k {
	case elSheetData:
		sc.inSheetData = true
	case elRow:
		if sc.cellDepth != 0 || sc.inRow {
			return fileErr(msgCorrupt)
		}
		n := sc.row + 1
		if a.n[attrR] > 1 {
			return fileErr(msgCorrupt)
		}
		if a.n[attrR] == 1 {
			v, ok := parseUint(a.val[attrR])
			if !ok || v < 1 || v > maxRowNumber {
				return fileErr(msgRowNumber)
			}
			if v <= sc.row {
				return fileErr(msgOrder)
			}
			n = v
		}
		if n > maxRowNumber {
			return fileErr(msgRowNumber)
		}
		sc.row, sc.inRow, sc.col = n, true, 0
	case elC:
		if !sc.inRow || sc.cellDepth != 0 {
			return fileErr(msgCorrupt)
		}
		n := sc.col + 1
		if a.n[attrR] > 1 || a.n[attrT] > 1 || a.n[attrS] > 1 {
			return fileErr(msgCorrupt)
		}
		if a.n[attrS] == 1 && !isInt64(a.val[attrS]) {
			// excelize drops the whole cell value when s is not an integer.
			return fileErr(msgCorrupt)
		}
		if a.n[attrR] == 1 {
			col, row, ok := parseCellRef(a.val[attrR])
			if !ok {
				return fileErr(msgCellRef)
			}
			if row != sc.row || col <= sc.col {
				return fileErr(msgOrder)
			}
			n = col
		}
		if n > maxColumns {
			return fileErr(msgCellRef)
		}
		sc.col = n
		sc.cellDepth = depth
		switch string(a.val[attrT]) {
		case "", "n":
			sc.cellType = cellNumber
		case "s":
			sc.cellType = cellShared
		default:
			sc.cellType = cellOther
		}
		sc.hasV, sc.v = false, sc.v[:0]
	case elV:
		if sc.cellDepth != 0 && depth == sc.cellDepth+1 {
			sc.inV, sc.hasV = true, true
		}
	}
	return nil
}

func (sc *sheetChecker) chars(b []byte) {
	if sc.inV {
		if len(sc.v)+len(b) > 64 {
			// Long <v> text: only the kind matters, keep a prefix.
			b = b[:max(0, min(len(b), 64-len(sc.v)))]
		}
		sc.v = append(sc.v, b...)
	}
}

func (sc *sheetChecker) endElem(k elemKind, depth int) error {
	switch k {
	case elSheetData:
		sc.inSheetData, sc.done = false, true
	case elRow:
		sc.inRow = false
	case elV:
		sc.inV = false
	case elC:
		if depth != sc.cellDepth {
			return nil
		}
		sc.cellDepth = 0
		return sc.endCell()
	}
	return nil
}

func (sc *sheetChecker) endCell() error {
	v := bytes.TrimSpace(sc.v)
	switch sc.cellType {
	case cellShared:
		if sc.hasV && len(v) != 0 {
			i, ok := parseUint(v)
			if !ok || i >= sc.sstCount {
				return fileErr(msgSharedIndex)
			}
		}
	case cellNumber:
		if len(v) != 0 {
			sc.numeric = append(sc.numeric, cellPos(sc.row, sc.col))
		}
	}
	return nil
}

// attrAny finds an attribute by local name in any namespace (including
// "xmlns:r"), as excelize does; dup reports more than one such attribute,
// where excelize might pick another one than we do.
func attrAny(se xml.StartElement, local string) (val string, ok, dup bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			if ok {
				return "", true, true
			}
			val, ok = a.Value, true
		}
	}
	return val, ok, false
}

// parseUint parses 1..9 decimal digits.
func parseUint(s []byte) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// isInt64 reports whether strconv.ParseInt(s, 10, 64) accepts s.
func isInt64(s []byte) bool {
	d := s
	if len(d) > 0 && (d[0] == '+' || d[0] == '-') {
		d = d[1:]
	}
	if len(d) == 0 {
		return false
	}
	if len(d) <= 18 {
		for _, c := range d {
			if !isDigit(c) {
				return false
			}
		}
		return true
	}
	_, err := strconv.ParseInt(string(s), 10, 64)
	return err == nil
}

// parseCellRef parses "AB12" (letters of either case, as excelize accepts) to
// column and row, refusing anything beyond XFD1048576 without overflowing.
func parseCellRef(s []byte) (col, row int, ok bool) {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case 'a' <= c && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			goto digits
		}
		if col > maxColumns {
			return 0, 0, false
		}
		i++
	}
digits:
	if i == 0 {
		return 0, 0, false
	}
	row, ok = parseUint(s[i:])
	if !ok || row < 1 || row > maxRowNumber {
		return 0, 0, false
	}
	return col, row, true
}
