package spreadsheet

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// fastScan is a byte-level XML scanner for the pre-scan: for the big parts,
// the target worksheet and the shared string table, which encoding/xml
// tokenizes an order of magnitude more slowly, and for the other XML parts
// except the small structural ones that the pre-scan reads in detail. It
// reads r (the inflating zip entry) to the end through a small window, so
// its memory does not grow with the part.
//
// It is only a fast path. It accepts a conservative subset of XML, and only
// documents that scanXML (encoding/xml's RawToken plus the depth, tag
// matching, DTD and token size checks of scanXML) accepts too, yielding the
// very same elements, attributes and character data in the same order:
//
//   - UTF-8, with at most an XML declaration that does not ask for another
//     encoding (no transcoding);
//   - element and attribute names made of ASCII letters, digits, '_', '.'
//     and '-', with at most one "prefix:";
//   - attribute values in single or double quotes;
//   - the five predefined entity references (&lt; &gt; &amp; &apos; &quot;);
//   - comments and processing instructions, which visitors never see.
//
// Everything else — character references (&#...;), CDATA sections, DTDs and
// any other <!...>, other encodings, non-ASCII names, anything malformed,
// too deep or too long, a read error (a bad CRC) — and any error returned
// by the visitor make it return false. The caller then scans the part again
// with scanXML, which decides and produces the error message. So fastScan
// can only make the pre-scan faster; it never changes what it accepts or
// which error it gives. FuzzFastScan checks this against scanXML.
//
// size is the part's declared size, which only sizes the window.
func fastScan(r io.Reader, size uint64, v fastVisitor) bool {
	s := fastScanner{v: v, lastLT: -1}
	buf := make([]byte, max(fastMinWindow, min(size+1, fastWindow)))
	n, eof, first := 0, false, true
	for {
		for n < len(buf) && !eof {
			m, err := r.Read(buf[n:])
			n += m
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return false
			}
		}
		if first {
			if isXML, _ := xmlHead(buf[:n]); !isXML { // UTF-16 is left to encoding/xml
				return false
			}
			first = false
		}
		// Scan up to the last '<' of the window: in XML that fastScan
		// accepts, every token before it ends before it (a tag, comment or
		// processing instruction that goes on past it is refused).
		end := n
		if !eof {
			end = bytes.LastIndexByte(buf[:n], '<')
			if end <= 0 {
				// One token fills the window: widen it.
				if len(buf) >= fastMaxWindow {
					return false
				}
				buf = append(buf, make([]byte, len(buf))...)
				continue
			}
		}
		if !s.scan(buf[:end]) {
			return false
		}
		n = copy(buf, buf[end:n])
		if eof {
			return s.finish()
		}
	}
}

// The window fastScan reads through: as large as the part, but at least
// fastMinWindow (room for xmlHead) and at most fastWindow, widened
// (up to fastMaxWindow) only for a token that does not fit. Variables so
// that tests can make windows small.
var (
	fastMinWindow uint64 = 1024
	fastWindow    uint64 = 64 << 10
)

// Longer tokens are left to scanXML; it refuses them anyway past
// maxTokenBytes.
const fastMaxWindow = 2 * maxTokenBytes

// fastVisitor receives what fastScan finds. Depths are those scanXML gives
// its visit function: 1 for the root element; an end element has the depth
// of its start. Any error makes fastScan give up (return false).
type fastVisitor interface {
	start(local []byte, attrs *attrList, depth int) error
	end(local []byte, depth int) error
	// text is character data as it stands in the file. plain means that it
	// holds no entity reference and no carriage return, so that it is also
	// its decoded value; when it is not plain, a visitor that needs the
	// value must return an error (errFallback).
	text(raw []byte, plain bool) error
}

// nopVisitor only lets fastScan check well-formedness.
type nopVisitor struct{}

func (nopVisitor) start([]byte, *attrList, int) error { return nil }
func (nopVisitor) end([]byte, int) error              { return nil }
func (nopVisitor) text([]byte, bool) error            { return nil }

// attrList is the attributes of a start element, valid until the visitor's
// start method returns.
type attrList struct {
	d    []byte // the window
	list []rawAttr
}

// rawAttr is one attribute, as positions in the window (no pointers, so
// that the scanner's slices need no write barriers; windows are smaller
// than 2 GiB).
type rawAttr struct {
	localStart, localEnd int32 // local name (without its prefix)
	valStart, valEnd     int32 // the value between the quotes, undecoded
	plain                bool  // val holds no entity reference and no '\r': it is its decoded value
}

func (l *attrList) len() int           { return len(l.list) }
func (l *attrList) local(i int) []byte { return l.d[l.list[i].localStart:l.list[i].localEnd] }
func (l *attrList) val(i int) []byte   { return l.d[l.list[i].valStart:l.list[i].valEnd] }
func (l *attrList) isPlain(i int) bool { return l.list[i].plain }

// errFallback is what visitors return from fastScan when they need what the
// fast path does not give them (a decoded value).
var errFallback = errors.New("fast scan: fall back to encoding/xml")

// Byte classes.
const (
	clName      = 1 << iota // A-Z a-z 0-9 _ . -  (':' is handled apart)
	clNameStart             // A-Z a-z _
	clSpace                 // what encoding/xml skips inside tags: ' ' \t \r \n
	clText                  // stands for itself in text and is a valid XML character
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', c == '_':
			t[c] |= clName | clNameStart
		case '0' <= c && c <= '9', c == '.', c == '-':
			t[c] |= clName
		case c == ' ', c == '\t', c == '\r', c == '\n':
			t[c] |= clSpace
		}
		// Text bytes that need no further look: printable ASCII other than
		// the markup characters and ']' (for "]]>"), plus tab and newline.
		if (0x20 <= c && c < 0x80 && c != '<' && c != '&' && c != ']') || c == '\t' || c == '\n' {
			t[c] |= clText
		}
	}
	return t
}()

type fastScanner struct {
	v      fastVisitor
	d      []byte // the window being scanned
	off    int    // offset in the part of d[0]
	lastLT int    // offset in the part of the last '<' (see tokenLimiter)
	names  []byte // raw names of the open elements, one after the other
	stack  []int  // where each open element's name starts in names
	attrs  attrList
}

// scan scans d, which ends at the end of the part or right before a '<'.
func (s *fastScanner) scan(d []byte) bool {
	s.d = d
	s.attrs.d = d
	pos := 0
	for pos < len(d) {
		if d[pos] != '<' {
			// Character data up to the next '<' or the end.
			end := bytes.IndexByte(d[pos:], '<')
			if end < 0 {
				end = len(d)
			} else {
				end += pos
			}
			ok, plain := checkText(d[pos:end], false)
			if !ok || s.v.text(d[pos:end], plain) != nil {
				return false
			}
			pos = end
			continue
		}
		// scanXML refuses more than maxTokenBytes without a '<' (checked at
		// read boundaries, so it may let a little more through): refusing
		// any longer run here keeps the fast path the stricter one.
		if s.off+pos-s.lastLT-1 > maxTokenBytes {
			return false
		}
		s.lastLT = s.off + pos
		if pos+1 >= len(d) {
			return false
		}
		var next int
		switch d[pos+1] {
		case '/':
			next = s.endTag(pos + 2)
		case '?':
			next = s.procInst(pos + 2)
		case '!':
			next = s.comment(pos + 2) // or CDATA, a DTD...: refused
		default:
			next = s.startTag(pos + 1)
		}
		if next < 0 {
			return false
		}
		pos = next
	}
	s.off += len(d)
	return true
}

// finish checks the end of the part.
func (s *fastScanner) finish() bool {
	return s.off-s.lastLT-1 <= maxTokenBytes && len(s.stack) == 0
}

// scanName reads a name starting at i as encoding/xml's nsname would,
// within the fast subset: [A-Za-z_][A-Za-z0-9_.-]* with at most one
// ":" followed by the same again. It returns the end of the name and the
// position of the colon (-1 if none); end < 0 if the name is missing or
// outside the subset.
func scanName(d []byte, i int) (end, colon int) {
	if i >= len(d) || byteClass[d[i]]&clNameStart == 0 {
		return -1, -1
	}
	colon = -1
	j := i + 1
	for j < len(d) {
		c := d[j]
		if byteClass[c]&clName != 0 {
			j++
			continue
		}
		if c == ':' && colon < 0 && j+1 < len(d) && byteClass[d[j+1]]&clNameStart != 0 {
			colon = j
			j += 2
			continue
		}
		break
	}
	// encoding/xml's name goes on over ':' and every non-ASCII byte: such
	// a name is not one this scanner reads the same way.
	if j >= len(d) || d[j] == ':' || d[j] >= utf8.RuneSelf {
		return -1, -1
	}
	return j, colon
}

// localStart is where the local part of a name starts.
func localStart(start, colon int) int {
	if colon >= 0 {
		return colon + 1
	}
	return start
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && byteClass[d[i]]&clSpace != 0 {
		i++
	}
	return i
}

// startTag reads "name attr='v'...>" or ".../>" starting at i (just after
// the '<') and returns the position after it, or -1.
func (s *fastScanner) startTag(i int) int {
	d := s.d
	end, colon := scanName(d, i)
	if end < 0 {
		return -1
	}
	local := d[localStart(i, colon):end]
	attrs := s.attrs.list[:0]
	j := end
	empty := false
	for {
		j = skipSpace(d, j)
		if j >= len(d) {
			return -1
		}
		if d[j] == '>' {
			j++
			break
		}
		if d[j] == '/' {
			if j+1 >= len(d) || d[j+1] != '>' {
				return -1
			}
			j += 2
			empty = true
			break
		}
		aEnd, aColon := scanName(d, j)
		if aEnd < 0 {
			return -1
		}
		a := rawAttr{localStart: int32(localStart(j, aColon)), localEnd: int32(aEnd)}
		k := skipSpace(d, aEnd)
		if k >= len(d) || d[k] != '=' {
			return -1
		}
		k = skipSpace(d, k+1)
		if k >= len(d) || (d[k] != '"' && d[k] != '\'') {
			return -1
		}
		q := bytes.IndexByte(d[k+1:], d[k])
		if q < 0 {
			return -1
		}
		a.valStart, a.valEnd = int32(k+1), int32(k+1+q)
		var ok bool
		if ok, a.plain = checkText(d[k+1:k+1+q], true); !ok {
			return -1
		}
		attrs = append(attrs, a)
		j = k + 1 + q + 1
	}
	if len(s.stack) >= maxXMLDepth {
		return -1
	}
	s.stack = append(s.stack, len(s.names))
	s.names = append(s.names, d[i:end]...)
	depth := len(s.stack)
	s.attrs.list = attrs
	if s.v.start(local, &s.attrs, depth) != nil {
		return -1
	}
	if empty {
		if s.v.end(local, depth) != nil {
			return -1
		}
		s.pop()
	}
	return j
}

func (s *fastScanner) pop() {
	top := len(s.stack) - 1
	s.names = s.names[:s.stack[top]]
	s.stack = s.stack[:top]
}

// endTag reads "name>" (white space allowed before the '>') starting at i,
// just after "</".
func (s *fastScanner) endTag(i int) int {
	d := s.d
	end, colon := scanName(d, i)
	if end < 0 {
		return -1
	}
	j := skipSpace(d, end)
	if j >= len(d) || d[j] != '>' {
		return -1
	}
	depth := len(s.stack)
	if depth == 0 {
		return -1
	}
	if !bytes.Equal(s.names[s.stack[depth-1]:], d[i:end]) {
		return -1
	}
	if s.v.end(d[localStart(i, colon):end], depth) != nil {
		return -1
	}
	s.pop()
	return j + 1
}

// procInst reads a processing instruction starting at i, just after "<?".
// Like encoding/xml: a target name, white space, then anything up to the
// first "?>". An XML declaration must not switch the encoding (encoding/xml
// would transcode the rest) nor name another XML version (it refuses that).
func (s *fastScanner) procInst(i int) int {
	d := s.d
	end, _ := scanName(d, i)
	if end < 0 {
		return -1
	}
	j := skipSpace(d, end)
	k := bytes.Index(d[j:], []byte("?>"))
	if k < 0 {
		return -1
	}
	if string(d[i:end]) == "xml" {
		content := string(d[j : j+k])
		if ver := procInst("version", content); ver != "" && ver != "1.0" {
			return -1
		}
		if enc := procInst("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return -1
		}
	}
	return j + k + 2
}

// comment reads a comment starting at i, just after "<!". Like
// encoding/xml: "--", then anything up to the first "--", which must be
// followed by '>'. CDATA sections and directives (DTDs) are left to
// scanXML.
func (s *fastScanner) comment(i int) int {
	d := s.d
	if i+1 >= len(d) || d[i] != '-' || d[i+1] != '-' {
		return -1
	}
	k := bytes.Index(d[i+2:], []byte("--"))
	if k < 0 {
		return -1
	}
	k += i + 2
	if k+2 >= len(d) || d[k+2] != '>' {
		return -1
	}
	return k + 3
}

// checkText checks character data (an attribute value when inAttr) the way
// encoding/xml's text does: only the five predefined entity references
// (anything else → not ok, including character references, which the fast
// path leaves to encoding/xml), valid UTF-8, only characters XML allows, and
// in content no "]]>". plain reports that there is no entity reference and
// no '\r' (which encoding/xml turns into '\n'), so that b is its own
// decoded value.
func checkText(b []byte, inAttr bool) (ok, plain bool) {
	plain = true
	for i := 0; i < len(b); {
		c := b[i]
		if byteClass[c]&clText != 0 {
			i++
			continue
		}
		switch {
		case c == '&':
			n := namedEntity(b[i:])
			if n == 0 {
				return false, false
			}
			plain = false
			i += n
		case c == ']':
			if !inAttr && i+2 < len(b) && b[i+1] == ']' && b[i+2] == '>' {
				return false, false
			}
			i++
		case c == '\r':
			plain = false
			i++
		case c < utf8.RuneSelf: // '<' and control characters
			return false, false
		default:
			r, size := utf8.DecodeRune(b[i:])
			if (r == utf8.RuneError && size == 1) || !isInCharacterRange(r) {
				return false, false
			}
			i += size
		}
	}
	return true, plain
}

// namedEntity returns the length of the predefined entity reference at the
// start of b, 0 if there is none.
func namedEntity(b []byte) int {
	for _, e := range [...]string{"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"} {
		if bytes.HasPrefix(b, []byte(e)) {
			return len(e)
		}
	}
	return 0
}

// isInCharacterRange is encoding/xml's: the Char production of XML 1.0.
func isInCharacterRange(r rune) bool {
	return r == 0x09 ||
		r == 0x0A ||
		r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// procInst is encoding/xml's (unexported) procInst: the value of param in
// the content of an XML declaration, found as loosely as encoding/xml
// finds it, so that the fast path agrees with it on odd declarations.
func procInst(param, s string) string {
	param = param + "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}
