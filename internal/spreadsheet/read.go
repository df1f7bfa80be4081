// Package spreadsheet makes the batch-registration Excel template and reads
// uploaded .xlsx files safely.
//
// Read returns cell text faithfully, with the spreadsheet row number of each
// row; checking what the text means (ID numbers, dates, choices) is the
// caller's job, helped by NormalizeText, ParseDate and Row.MangledNumber.
//
// Read is the only entry point for untrusted files. Before excelize parses
// anything it refuses oversized uploads, old .xls and encrypted workbooks
// (both OLE2/CFB files), zip bombs, too many zip entries, unsafe entry names,
// DTDs and malformed XML anywhere, and absurd or out-of-order row and cell
// positions in the sheet it reads (see prescan.go for what excelize would do
// with those). excelize's own size limits are set as well, rows are streamed,
// and excelize's temporary files (which hold personal data) live in a private
// 0700 directory that is removed before Read returns, whatever happened.
package spreadsheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits bound what Read accepts. Zero fields take the DefaultLimits value.
type Limits struct {
	MaxFileBytes  int64 // larger uploads → ErrTooLarge (the handler answers 413)
	MaxRows       int   // data rows (blank rows and the header row not counted)
	MaxZipEntries int   // entries in the zip
	MaxUnzipped   int64 // total declared uncompressed size of all entries
	MaxRatio      int64 // uncompressed/compressed size of one entry (entries over 1 MiB)
	// TempDir is where a private 0700 directory for excelize's temporary files
	// is made for each Read (and removed afterwards). It is created with mode
	// 0700 if missing; it must be a directory owned by this process's user
	// and not writable by others (unless sticky, like /tmp). Empty means
	// os.TempDir().
	TempDir string
	// MaxXMLInMemory is excelize's UnzipXMLSizeLimit: a worksheet or shared
	// string table larger than this is unzipped to a temporary file instead
	// of memory. Smaller means less memory and more disk.
	MaxXMLInMemory int64
}

// DefaultLimits are the limits for registration uploads.
var DefaultLimits = Limits{
	MaxFileBytes:   10 << 20,
	MaxRows:        10000,
	MaxZipEntries:  200,
	MaxUnzipped:    200 << 20,
	MaxRatio:       100,
	TempDir:        "",
	MaxXMLInMemory: 16 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxZipEntries <= 0 {
		l.MaxZipEntries = d.MaxZipEntries
	}
	if l.MaxUnzipped <= 0 {
		l.MaxUnzipped = d.MaxUnzipped
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxXMLInMemory <= 0 {
		l.MaxXMLInMemory = d.MaxXMLInMemory
	}
	l.MaxXMLInMemory = min(l.MaxXMLInMemory, l.MaxUnzipped) // excelize requires it
	return l
}

// Row is one non-blank data row.
type Row struct {
	Number int               // spreadsheet row number, 1-based (the header is row 1)
	Cells  map[string]string // by Column.Key, trimmed; every column found in the header has a key, "" when empty
	// Numeric holds the keys whose cell is a number cell in the file rather
	// than text (nil when there is none). Its raw value is in Cells: a date
	// is a serial number ("41091"), a long number is as the file stores it
	// ("1.10101199003071E+17"). See MangledNumber.
	Numeric map[string]bool
}

// MangledNumber reports whether the cell under key holds a long code (an ID
// number) that Excel has damaged by treating it as a number: scientific
// notation, whatever the cell type, or — only for a number cell — 16+ digits
// that are all zero after the 15th (see isScientific, hasTruncatedDigits). The caller
// then says "身份证号被Excel转换为数字而损坏，请将该列设为文本格式后重新填写".
func (r Row) MangledNumber(key string) bool {
	v := NormalizeText(r.Cells[key])
	return isScientific(v) || (r.Numeric[key] && hasTruncatedDigits(v))
}

// AmbiguousMonth reports whether the cell under key is a number cell holding
// a year and the fraction ".1": someone typed "2012.10" or "2012.1" (October
// or January) into a General cell and the spreadsheet kept only the number.
// The month cannot be known, so the caller refuses the cell
// (MsgAmbiguousMonth) rather than guess. Every other month survives the
// number ("2012.12", "2012.05" → 2012.05, "2012.2" — 20 is no month), and so
// do real date serials: those are not reported.
func (r Row) AmbiguousMonth(key string) bool {
	if !r.Numeric[key] {
		return false
	}
	v := NormalizeText(r.Cells[key])
	y, frac, ok := strings.Cut(v, ".")
	return ok && len(y) == 4 && allDigits(y) && frac == "1"
}

// MsgAmbiguousMonth is what the caller says of a cell AmbiguousMonth reports.
const MsgAmbiguousMonth = "该单元格是数字格式，月份无法确定（如 2012.1 可能是1月或10月），请将该列设为文本格式后输入，如 2012-10"

// LostLeadingZeros reports whether the cell under key is a number cell of
// digits only that is shorter than want digits: a code that began with 0
// (a landline "010…", an organization code "0123…") typed into a General
// cell, which the spreadsheet stored as a number and so dropped its zeros.
func (r Row) LostLeadingZeros(key string, want int) bool {
	v := NormalizeText(r.Cells[key])
	return r.Numeric[key] && allDigits(v) && len(v) < want
}

// isODS reports whether the zip in b is an OpenDocument spreadsheet: its
// first entry is "mimetype", stored uncompressed, holding the ODS media type
// (ODF 1.2 part 3, 3.3). Only the local header is read, nothing is inflated.
func isODS(b []byte) bool {
	const name, mime = "mimetype", "application/vnd.oasis.opendocument.spreadsheet"
	if len(b) < 30 {
		return false
	}
	nameLen := int(b[26]) | int(b[27])<<8
	extraLen := int(b[28]) | int(b[29])<<8
	start := 30 + nameLen + extraLen
	if nameLen != len(name) || len(b) < start+len(mime) || string(b[30:30+nameLen]) != name {
		return false
	}
	return string(b[start:start+len(mime)]) == mime
}

// MsgODS is the message for an OpenDocument (.ods) upload.
const MsgODS = "这是OpenDocument表格（.ods）文件，请在办公软件中另存为 .xlsx 后再上传"

// FileError is a problem with the uploaded file as a whole. Msg is Chinese,
// meant for the user; the handler answers 400 (413 for ErrTooLarge).
type FileError struct {
	Msg      string
	tooLarge bool
}

func (e *FileError) Error() string { return e.Msg }

// Is makes errors.Is(err, ErrTooLarge) true for every too-large error, also
// when the limit differs from the default one.
func (e *FileError) Is(target error) bool { return target == ErrTooLarge && e.tooLarge }

// ErrTooLarge is returned (as a *FileError) for uploads over
// Limits.MaxFileBytes; its message states the limit.
var ErrTooLarge error = tooLargeError(DefaultLimits.MaxFileBytes)

func tooLargeError(n int64) *FileError {
	var size string
	switch {
	case n%(1<<20) == 0:
		size = fmt.Sprintf("%dMB", n>>20)
	case n%(1<<10) == 0:
		size = fmt.Sprintf("%dKB", n>>10)
	default:
		size = fmt.Sprintf("%d字节", n)
	}
	return &FileError{Msg: "文件不能超过" + size, tooLarge: true}
}

var (
	cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagic = []byte("PK\x03\x04")
)

// testHookOpened, when set by a test, runs after excelize has opened the file
// with the per-call temporary directory.
var testHookOpened func(tmpDir string)

// Read reads the uploaded .xlsx in r: the sheet named "报名信息" if there is
// one, else the first sheet. Row 1 holds the headers, matched to cols by
// Header after NormalizeText and with leading/trailing "*" removed; columns
// not in cols are ignored. Entirely blank rows are skipped.
//
// Cell values are raw (excelize RawCellValue): text exactly as typed; a number
// as the file stores it, so a date is its serial number ("41091", see
// ParseDate) and an ID number typed into a number cell is
// "1.10101199003071E+17" (see Row.MangledNumber); booleans are "1"/"0" and
// formula cells give their cached result. Values are trimmed of white space,
// nothing else.
//
// Problems with the file as a whole are *FileError with a Chinese message
// for the user; any other error is an internal one (I/O, temp directory).
func Read(r io.Reader, cols []Column, lim Limits) (rows []Row, err error) {
	lim = lim.withDefaults()
	b, err := readUpload(r, lim.MaxFileBytes+1)
	if err != nil {
		return nil, fmt.Errorf("spreadsheet: reading upload: %w", err)
	}
	if int64(len(b)) > lim.MaxFileBytes {
		return nil, tooLargeError(lim.MaxFileBytes)
	}
	if len(b) == 0 {
		return nil, fileErr("请选择要上传的Excel文件")
	}
	if bytes.HasPrefix(b, cfbMagic) {
		return nil, fileErr("文件已加密或为旧版.xls格式，请另存为不加密的.xlsx后再上传")
	}
	if !bytes.HasPrefix(b, zipMagic) {
		return nil, fileErr(msgNotXLSX)
	}
	if isODS(b) {
		return nil, fileErr(MsgODS)
	}
	sc, err := prescan(b, lim)
	if err != nil {
		return nil, err
	}

	dir, err := privateTempDir(lim.TempDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		// excelize's Close removes the files it knows of; this also removes
		// those it loses track of when OpenReader fails half-way.
		if rmErr := os.RemoveAll(dir); rmErr != nil && err == nil {
			rows, err = nil, fmt.Errorf("spreadsheet: removing temporary files: %w", rmErr)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.MaxUnzipped,
		UnzipXMLSizeLimit: lim.MaxXMLInMemory,
		TmpDir:            dir,
	})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return nil, fileErr(msgCorrupt)
	}
	if testHookOpened != nil {
		testHookOpened(dir)
	}
	// The pre-scan resolved the sheets itself; make sure excelize agrees.
	list := f.GetSheetList()
	if len(list) != len(sc.sheets) {
		return nil, fileErr(msgMismatch)
	}
	for i, name := range list {
		if name != sc.sheets[i].Name {
			return nil, fileErr(msgMismatch)
		}
	}
	it, err := f.Rows(sc.sheets[sc.target].Name)
	if err != nil {
		return nil, fileErr(msgNoSheet)
	}
	defer it.Close()
	return readRows(it, cols, lim, sc)
}

// readUpload reads at most limit bytes of r, like
// io.ReadAll(io.LimitReader(r, limit)), into a buffer sized up front when r
// tells its size (bytes.Reader, io.SectionReader — what a multipart file
// held in memory is —, os.File), to spare the copies of a growing buffer.
func readUpload(r io.Reader, limit int64) ([]byte, error) {
	hint := int64(512)
	switch x := r.(type) {
	case interface{ Len() int }:
		hint = int64(x.Len())
	case interface{ Size() int64 }:
		hint = x.Size()
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := x.Stat(); err == nil && fi.Mode().IsRegular() {
			hint = fi.Size()
		}
	}
	b := make([]byte, 0, min(max(hint, 0), limit-1, 64<<20)+1) // +1: EOF needs no growth
	lr := io.LimitReader(r, limit)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// headerKey is how header cells and Column.Header are compared.
func headerKey(s string) string {
	s = NormalizeText(s) // also turns "＊" into "*"
	s = strings.TrimSpace(strings.Trim(s, "*"))
	return s
}

func readRows(it *excelize.Rows, cols []Column, lim Limits, sc *scanResult) ([]Row, error) {
	pos := make([]int, len(cols)) // column index (0-based) in the sheet, -1 if absent
	byIndex := map[int]string{}   // sheet column index → key
	var out []Row
	n, numIdx := 0, 0
	for it.Next() {
		n++
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fileErr(msgMismatch)
		}
		if n == 1 {
			if err := matchHeader(cells, cols, pos); err != nil {
				return nil, err
			}
			for j, p := range pos {
				if p >= 0 {
					byIndex[p] = cols[j].Key
				}
			}
			continue
		}
		// Number cells of this row, from the pre-scan.
		var numeric map[string]bool
		for ; numIdx < len(sc.numeric); numIdx++ {
			row, col := rowCol(sc.numeric[numIdx])
			if row > n {
				break
			}
			if row < n {
				continue
			}
			if key, ok := byIndex[col]; ok {
				if numeric == nil {
					numeric = map[string]bool{}
				}
				numeric[key] = true
			}
		}
		blank := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		if len(out) >= lim.MaxRows {
			return nil, fileErr(fmt.Sprintf("最多一次导入%d行", lim.MaxRows))
		}
		row := Row{Number: n, Cells: make(map[string]string, len(byIndex)), Numeric: numeric}
		for j, p := range pos {
			if p < 0 {
				continue
			}
			v := ""
			if p < len(cells) {
				v = strings.TrimSpace(cells[p])
			}
			row.Cells[cols[j].Key] = v
		}
		out = append(out, row)
	}
	if it.Error() != nil {
		return nil, fileErr(msgMismatch)
	}
	if n != sc.lastRow {
		// excelize saw other rows than the pre-scan checked.
		return nil, fileErr(msgMismatch)
	}
	if n == 0 {
		if err := matchHeader(nil, cols, pos); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// matchHeader fills pos from the header cells.
func matchHeader(cells []string, cols []Column, pos []int) error {
	keys := make([]string, len(cols))
	for j, c := range cols {
		keys[j] = headerKey(c.Header)
		pos[j] = -1
	}
	var dup []string
	for i, h := range cells {
		h = headerKey(h)
		if h == "" {
			continue
		}
		for j, k := range keys {
			if k != h {
				continue
			}
			if pos[j] >= 0 {
				dup = append(dup, cols[j].Header)
			} else {
				pos[j] = i
			}
		}
	}
	var missing []string
	found := 0
	for j, c := range cols {
		if pos[j] >= 0 {
			found++
		} else if c.Required {
			missing = append(missing, c.Header)
		}
	}
	switch {
	case len(missing) > 0:
		return fileErr("缺少必填列：" + strings.Join(missing, "、"))
	case len(dup) > 0:
		return fileErr("表头重复：" + strings.Join(dup, "、"))
	case found == 0:
		return fileErr("第1行没有找到模版中的列，请使用下载的模版填写")
	}
	return nil
}

// privateTempDir makes a fresh 0700 directory for one Read inside parent
// (os.TempDir() if empty), after checking that parent is safe to use.
func privateTempDir(parent string) (string, error) {
	stat := os.Lstat // an explicit directory must not be a symlink
	if parent == "" {
		parent, stat = os.TempDir(), os.Stat
	} else if err := os.MkdirAll(parent, 0o700); err != nil {
		return "", fmt.Errorf("spreadsheet: temp dir: %w", err)
	}
	fi, err := stat(parent)
	if err != nil {
		return "", fmt.Errorf("spreadsheet: temp dir: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("spreadsheet: temp dir %s is not a directory", parent)
	}
	if err := checkTempDirOwner(parent, fi); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(parent, "xlsx-") // mode 0700
	if err != nil {
		return "", fmt.Errorf("spreadsheet: temp dir: %w", err)
	}
	return dir, nil
}

var errTempDirUnsafe = errors.New("spreadsheet: temp dir is not owned by this user or is writable by others")
