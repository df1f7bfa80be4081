package printout

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// pdfCat joins complete PDFs (chunks) into one PDF written to w as it goes: each chunk's objects are renumbered
// into one running numbering, written at once and forgotten; only each object's offset is kept, for the
// cross-reference table at the end. Memory is bounded by one chunk, however many there are.
//
// Each chunk's page tree becomes a kid of one root /Pages node (object 2) under one /Catalog (object 1), both
// written by close with the total /Count. The chunk's own catalog is dropped (gopdf's has only /Type and /Pages:
// outlines, names or forms of a chunk would be lost) and the first chunk's document information is kept.
//
// It reads what gopdf writes: a classic cross-reference table (not a cross-reference stream, no object streams),
// no incremental update, no encryption; anything else is refused with an error rather than copied wrong. Stream
// bytes are copied as they are, except that with compress set a stream without a /Filter is deflated (one zlib
// writer serves the whole output, where gopdf would make one per page).
type pdfCat struct {
	w        *bufio.Writer
	off      int64
	err      error
	xref     []int64 // offset of each object, by number; xref[0] is unused
	kids     []int   // each chunk's page tree node
	pages    int
	info     []byte // the first chunk's /Info dictionary, its references renumbered
	compress bool
	zw       *zlib.Writer
	zbuf     bytes.Buffer
}

const (
	catCatalog = 1
	catPages   = 2
)

var errPDFUnsupported = errors.New("printout: pdf: unsupported structure")

// newPDFCat starts joining PDFs into w; objects 1 and 2 are kept for the catalog and the root of the page tree.
func newPDFCat(w io.Writer, compress bool) *pdfCat {
	return &pdfCat{w: bufio.NewWriterSize(w, 64<<10), xref: make([]int64, 3), compress: compress}
}

func (c *pdfCat) write(b []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(b)
	c.off += int64(n)
	c.err = err
}

func (c *pdfCat) writeString(s string) {
	if c.err != nil {
		return
	}
	n, err := c.w.WriteString(s)
	c.off += int64(n)
	c.err = err
}

// alloc gives the next object number of the output.
func (c *pdfCat) alloc() int {
	c.xref = append(c.xref, 0)
	return len(c.xref) - 1
}

// pdfChunk is one input PDF being copied.
type pdfChunk struct {
	b     []byte
	offs  map[int]int // object number → offset of "N G obj"
	renum map[int]int // object number → number in the output
}

// pdfVal is an entry's value in a dictionary: a token, or a reference (ref > 0) spanning "N G R".
type pdfVal struct {
	tok pdfTok
	ref int
}

// pdfObj is one object value as read: where it lies, its references, and, when it is a dictionary, its entries.
type pdfObj struct {
	start, end int
	refs       []pdfVal // every reference inside, in order
	dict       map[string]pdfVal
}

// add copies one chunk to the output. On an error the output is unusable, and every later call fails.
func (c *pdfCat) add(pdf []byte) error {
	if c.err != nil {
		return c.err
	}
	if err := c.addChunk(pdf); err != nil {
		c.err = fmt.Errorf("printout: pdf join: %w", err)
		return c.err
	}
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}

func (c *pdfCat) addChunk(pdf []byte) error {
	if len(pdf) < 9 || !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || pdf[7] < '0' || pdf[7] > '7' {
		return fmt.Errorf("%w: not a PDF 1.0–1.7 file", errPDFUnsupported)
	}
	ch := &pdfChunk{b: pdf, offs: map[int]int{}, renum: map[int]int{}}
	if c.off == 0 {
		c.writeString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	}
	trailer, err := ch.readXref()
	if err != nil {
		return err
	}
	for _, k := range []string{"/Encrypt", "/Prev", "/XRefStm"} {
		if _, ok := trailer.dict[k]; ok {
			return fmt.Errorf("%w: trailer has %s", errPDFUnsupported, k)
		}
	}
	root := trailer.dict["/Root"].ref
	catalog, err := ch.object(root)
	if err != nil {
		return err
	}
	tree := catalog.dict["/Pages"].ref
	node, err := ch.object(tree)
	if err != nil {
		return err
	}
	if _, ok := node.dict["/Parent"]; ok || node.dict == nil {
		return fmt.Errorf("%w: page tree root", errPDFUnsupported)
	}
	count, err := ch.integer(node.dict["/Count"])
	if err != nil {
		return err
	}

	nums := make([]int, 0, len(ch.offs))
	for n := range ch.offs {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for _, n := range nums {
		if n == root {
			ch.renum[n] = catCatalog
		} else {
			ch.renum[n] = c.alloc()
		}
	}
	for _, n := range nums {
		if n != root {
			if err := c.copyObject(ch, n, n == tree); err != nil {
				return err
			}
		}
	}
	if info, ok := trailer.dict["/Info"]; ok && c.info == nil && len(c.kids) == 0 {
		if c.info, err = c.infoDict(ch, trailer, info); err != nil {
			return err
		}
	}
	c.kids = append(c.kids, ch.renum[tree])
	c.pages += count
	return c.err
}

// readXref reads the cross-reference table that startxref points to and returns the trailer dictionary.
func (ch *pdfChunk) readXref() (*pdfObj, error) {
	sx := bytes.LastIndex(ch.b, []byte("startxref"))
	if sx < 0 {
		return nil, fmt.Errorf("%w: no startxref", errPDFUnsupported)
	}
	l := &pdfLexer{b: ch.b, p: sx + len("startxref")}
	t, err := l.next()
	off, ok := l.int(t)
	if err != nil || !ok || off < 0 || off >= len(ch.b) {
		return nil, fmt.Errorf("%w: startxref", errPDFSyntax)
	}
	l.p = off
	if _, err := l.expect("xref"); err != nil {
		return nil, fmt.Errorf("%w: no cross-reference table (a cross-reference stream?)", errPDFUnsupported)
	}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		if t.kind == tokKeyword && l.text(t) == "trailer" {
			break
		}
		first, ok1 := l.int(t)
		t, err = l.next()
		n, ok2 := l.int(t)
		if err != nil || !ok1 || !ok2 || first < 0 || n < 0 || n > len(ch.b)/18 {
			return nil, fmt.Errorf("%w: cross-reference subsection", errPDFSyntax)
		}
		for i := range n {
			to, _ := l.next()
			tg, _ := l.next()
			tk, err := l.next()
			off, ok1 := l.int(to)
			_, ok2 := l.int(tg)
			if err != nil || !ok1 || !ok2 || tk.kind != tokKeyword {
				return nil, fmt.Errorf("%w: cross-reference entry", errPDFSyntax)
			}
			switch l.text(tk) {
			case "n":
				if off <= 0 || off >= len(ch.b) {
					return nil, fmt.Errorf("%w: cross-reference offset", errPDFSyntax)
				}
				ch.offs[first+i] = off
			case "f":
			default:
				return nil, fmt.Errorf("%w: cross-reference entry", errPDFSyntax)
			}
		}
	}
	trailer, err := parseValue(l)
	if err != nil {
		return nil, err
	}
	if trailer.dict == nil || trailer.dict["/Root"].ref == 0 {
		return nil, fmt.Errorf("%w: trailer without /Root", errPDFSyntax)
	}
	return trailer, nil
}

// object reads the value of the object numbered n.
func (ch *pdfChunk) object(n int) (*pdfObj, error) {
	o, _, err := ch.objectAt(n)
	return o, err
}

// objectAt is object, with a lexer standing after the value (before "stream" or "endobj").
func (ch *pdfChunk) objectAt(n int) (*pdfObj, *pdfLexer, error) {
	off, ok := ch.offs[n]
	if !ok {
		return nil, nil, fmt.Errorf("%w: object %d is missing", errPDFSyntax, n)
	}
	l := &pdfLexer{b: ch.b, p: off}
	tn, err1 := l.next()
	tg, err2 := l.next()
	_, err3 := l.expect("obj")
	if num, ok := l.int(tn); !ok || num != n || tg.kind != tokInt || err1 != nil || err2 != nil || err3 != nil {
		return nil, nil, fmt.Errorf("%w: object %d header", errPDFSyntax, n)
	}
	o, err := parseValue(l)
	if err != nil {
		return nil, nil, fmt.Errorf("object %d: %w", n, err)
	}
	return o, l, nil
}

// integer is a value that is an integer, directly or as a reference to an integer object.
func (ch *pdfChunk) integer(v pdfVal) (int, error) {
	l := pdfLexer{b: ch.b}
	if v.ref > 0 {
		o, err := ch.object(v.ref)
		if err != nil {
			return 0, err
		}
		v = pdfVal{tok: pdfTok{kind: numberKind(ch.b[o.start:o.end]), start: o.start, end: o.end}}
	}
	n, ok := l.int(v.tok)
	if !ok || n < 0 {
		return 0, fmt.Errorf("%w: expected an integer", errPDFSyntax)
	}
	return n, nil
}

// parseValue reads one value (a dictionary, an array or a simple token) with the references inside it.
func parseValue(l *pdfLexer) (*pdfObj, error) {
	var (
		o          = &pdfObj{start: -1}
		depth      int
		prev       [2]pdfTok
		top        []pdfTok // the outer dictionary's own tokens
		isDict     bool
		references = map[int]int{} // the index in top of the number a reference at depth 1 starts with → ref
	)
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		if o.start < 0 {
			o.start = t.start
			isDict = t.kind == tokDictOpen
		}
		if depth == 1 && isDict {
			top = append(top, t)
		}
		switch t.kind {
		case tokEOF:
			return nil, errPDFSyntax
		case tokDictOpen, tokArrOpen:
			depth++
		case tokDictClose, tokArrClose:
			depth--
		case tokKeyword:
			if l.text(t) != "R" {
				break
			}
			num, ok1 := l.int(prev[0])
			_, ok2 := l.int(prev[1])
			if !ok1 || !ok2 || num <= 0 {
				return nil, errPDFSyntax
			}
			o.refs = append(o.refs, pdfVal{tok: pdfTok{kind: tokKeyword, start: prev[0].start, end: t.end}, ref: num})
			if depth == 1 && isDict {
				references[len(top)-3] = num
			}
		}
		prev[0], prev[1] = prev[1], t
		if depth < 0 {
			return nil, errPDFSyntax
		}
		if depth == 0 {
			o.end = t.end
			break
		}
	}
	if isDict {
		o.dict = map[string]pdfVal{}
		top = top[:len(top)-1] // without the closing >> (the opening << was read at depth 0)
		l := pdfLexer{b: l.b}
		for i := 0; i < len(top); {
			if top[i].kind != tokName || i+1 >= len(top) {
				return nil, fmt.Errorf("%w: dictionary key", errPDFSyntax)
			}
			key, v := l.text(top[i]), pdfVal{tok: top[i+1]}
			i += 2
			if ref, ok := references[i-1]; ok {
				v = pdfVal{tok: pdfTok{kind: tokKeyword, start: top[i-1].start, end: top[i+1].end}, ref: ref}
				i += 2
			}
			o.dict[key] = v
		}
	}
	return o, nil
}

// pdfEdit replaces chunk bytes [start, end) by text when an object is copied.
type pdfEdit struct {
	start, end int
	text       string
}

// copyObject writes object n of the chunk under its new number, references renumbered; node is the chunk's page
// tree node, which gets the output's root as its parent.
func (c *pdfCat) copyObject(ch *pdfChunk, n int, node bool) error {
	o, l, err := ch.objectAt(n)
	if err != nil {
		return err
	}
	edits := make([]pdfEdit, 0, len(o.refs)+2)
	for _, r := range o.refs {
		to, ok := ch.renum[r.ref]
		if !ok {
			return fmt.Errorf("%w: object %d refers to a missing object %d", errPDFSyntax, n, r.ref)
		}
		edits = append(edits, pdfEdit{r.tok.start, r.tok.end, strconv.Itoa(to) + " 0 R"})
	}
	if node {
		edits = append(edits, pdfEdit{o.start + 2, o.start + 2, " /Parent " + strconv.Itoa(catPages) + " 0 R"})
	}
	var data []byte
	t, err := l.next()
	if err != nil || t.kind != tokKeyword {
		return fmt.Errorf("%w: object %d", errPDFSyntax, n)
	}
	if l.text(t) == "stream" {
		if data, err = ch.streamData(o, l); err != nil {
			return fmt.Errorf("object %d: %w", n, err)
		}
		if _, filtered := o.dict["/Filter"]; c.compress && !filtered && o.dict["/Length"].ref == 0 {
			if z := c.deflate(data); len(z) < len(data) {
				data = z
				lv := o.dict["/Length"].tok
				edits = append(edits, pdfEdit{lv.start, lv.end, strconv.Itoa(len(z))},
					pdfEdit{o.start + 2, o.start + 2, " /Filter /FlateDecode"})
			}
		}
	} else if l.text(t) != "endobj" {
		return fmt.Errorf("%w: object %d", errPDFSyntax, n)
	}
	slices.SortStableFunc(edits, func(a, b pdfEdit) int { return a.start - b.start })

	c.xref[ch.renum[n]] = c.off
	c.writeString(strconv.Itoa(ch.renum[n]) + " 0 obj\n")
	c.writeEdited(ch.b, o.start, o.end, edits)
	if data != nil {
		c.writeString("\nstream\n")
		c.write(data)
		c.writeString("\nendstream")
	}
	c.writeString("\nendobj\n")
	return c.err
}

// writeEdited writes b[start:end] with the edits applied.
func (c *pdfCat) writeEdited(b []byte, start, end int, edits []pdfEdit) {
	for _, e := range edits {
		c.write(b[start:e.start])
		c.writeString(e.text)
		start = e.end
	}
	c.write(b[start:end])
}

// streamData returns the bytes of the stream whose dictionary is o, the lexer standing after "stream".
func (ch *pdfChunk) streamData(o *pdfObj, l *pdfLexer) ([]byte, error) {
	if o.dict == nil {
		return nil, errPDFSyntax
	}
	n, err := ch.integer(o.dict["/Length"])
	if err != nil {
		return nil, fmt.Errorf("stream /Length: %w", err)
	}
	p := l.p
	if bytes.HasPrefix(ch.b[p:], []byte("\r\n")) {
		p += 2
	} else if p < len(ch.b) && ch.b[p] == '\n' {
		p++
	} else {
		return nil, fmt.Errorf("%w: stream keyword", errPDFSyntax)
	}
	if n > len(ch.b)-p {
		return nil, fmt.Errorf("%w: stream /Length", errPDFSyntax)
	}
	l.p = p + n
	if _, err := l.expect("endstream"); err != nil {
		return nil, fmt.Errorf("%w: stream /Length does not end at endstream", errPDFSyntax)
	}
	if _, err := l.expect("endobj"); err != nil {
		return nil, err
	}
	return ch.b[p : p+n], nil
}

// deflate compresses b with the one zlib writer; the result is valid until the next call.
func (c *pdfCat) deflate(b []byte) []byte {
	c.zbuf.Reset()
	if c.zw == nil {
		c.zw, _ = zlib.NewWriterLevel(&c.zbuf, zlib.BestSpeed)
	} else {
		c.zw.Reset(&c.zbuf)
	}
	_, _ = c.zw.Write(b) // writes to a bytes.Buffer do not fail
	_ = c.zw.Close()
	return c.zbuf.Bytes()
}

// infoDict keeps the trailer's /Info: a dictionary there, or the object it refers to (already copied).
func (c *pdfCat) infoDict(ch *pdfChunk, trailer *pdfObj, info pdfVal) ([]byte, error) {
	if info.ref > 0 {
		to, ok := ch.renum[info.ref]
		if !ok {
			return nil, fmt.Errorf("%w: /Info", errPDFSyntax)
		}
		return []byte(strconv.Itoa(to) + " 0 R"), nil
	}
	l := &pdfLexer{b: ch.b, p: info.tok.start}
	o, err := parseValue(l)
	if err != nil || o.dict == nil {
		return nil, fmt.Errorf("%w: /Info", errPDFSyntax)
	}
	var buf bytes.Buffer
	start := o.start
	for _, r := range o.refs {
		to, ok := ch.renum[r.ref]
		if !ok {
			return nil, fmt.Errorf("%w: /Info refers to a missing object", errPDFSyntax)
		}
		buf.Write(ch.b[start:r.tok.start])
		buf.WriteString(strconv.Itoa(to) + " 0 R")
		start = r.tok.end
	}
	buf.Write(ch.b[start:o.end])
	return buf.Bytes(), nil
}

// close writes the catalog, the root of the page tree, the cross-reference table and the trailer.
func (c *pdfCat) close() error {
	if c.err != nil {
		return c.err
	}
	if len(c.kids) == 0 {
		return ErrNoForms
	}
	var info int
	if c.info != nil && c.info[0] == '<' {
		info = c.alloc()
		c.xref[info] = c.off
		c.writeString(strconv.Itoa(info) + " 0 obj\n")
		c.write(c.info)
		c.writeString("\nendobj\n")
	}
	c.xref[catCatalog] = c.off
	c.writeString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	c.xref[catPages] = c.off
	var b bytes.Buffer
	b.WriteString("2 0 obj\n<< /Type /Pages /Kids [")
	for _, k := range c.kids {
		b.WriteString(" " + strconv.Itoa(k) + " 0 R")
	}
	b.WriteString(" ] /Count " + strconv.Itoa(c.pages) + " >>\nendobj\n")
	c.write(b.Bytes())

	start := c.off
	b.Reset()
	b.WriteString("xref\n0 " + strconv.Itoa(len(c.xref)) + "\n0000000000 65535 f\r\n")
	for n, off := range c.xref[1:] {
		if off == 0 {
			return fmt.Errorf("printout: pdf join: object %d was not written", n+1)
		}
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
		if b.Len() > 32<<10 {
			c.write(b.Bytes())
			b.Reset()
		}
	}
	b.WriteString("trailer\n<< /Size " + strconv.Itoa(len(c.xref)) + " /Root 1 0 R")
	switch {
	case info > 0:
		b.WriteString(" /Info " + strconv.Itoa(info) + " 0 R")
	case c.info != nil:
		b.WriteString(" /Info " + string(c.info))
	}
	b.WriteString(" >>\nstartxref\n" + strconv.FormatInt(start, 10) + "\n%%EOF\n")
	c.write(b.Bytes())
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}
