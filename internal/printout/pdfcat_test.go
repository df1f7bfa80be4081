package printout

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// miniPDF writes objs as objects 1… with a cross-reference table; the trailer gets /Size, /Root 1 0 R and extra.
func miniPDF(header string, objs []string, extra string) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, extra, xref)
	return b.Bytes()
}

// onePage is a one-page PDF whose /Info, an object of its own, holds a string that looks like a reference. The
// content stream's /Length is a reference to an object when indirect is set; otherwise the content is padded
// with a repeated no-op, so that it deflates.
func onePage(text string, indirect bool) []byte {
	content := "BT /F1 24 Tf 20 100 Td (" + text + ") Tj ET"
	length := "<< /Length 5 0 R >>"
	if !indirect {
		content += strings.Repeat(" q Q", 100)
		length = fmt.Sprintf("<< /Length %d >>", len(content))
	}
	return miniPDF("%PDF-1.4", []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 200] >>",
		"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> >>",
		length + "\nstream\n" + content + "\nendstream",
		fmt.Sprint(len(content)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Title (Book 2 0 R \\) \\(1 0 R) /Producer <6578> >>",
	}, "/Info 7 0 R")
}

// Chunks written by another producer than gopdf: indirect /Length, /Info as an object, strings that look like
// references; joined with and without deflating (only streams of a direct /Length are), the result reads back
// page by page.
func TestPDFCat(t *testing.T) {
	for _, compress := range []bool{false, true} {
		var out bytes.Buffer
		c := newPDFCat(&out, compress)
		for i, s := range []string{"first page", "second 1 0 R page", "third page"} {
			if err := c.add(onePage(s, i < 2)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.close(); err != nil {
			t.Fatal(err)
		}
		pdf := out.Bytes()
		if n := checkStructure(t, pdf); n != 3 {
			t.Errorf("%d pages, want 3", n)
		}
		if got := bytes.Count(pdf, []byte("/FlateDecode")); got != map[bool]int{false: 0, true: 1}[compress] {
			t.Errorf("compress %v: %d deflated streams", compress, got)
		}
		if !bytes.Contains(pdf, []byte("(Book 2 0 R \\) \\(1 0 R)")) {
			t.Error("a string in /Info was changed")
		}
		requireTool(t, "pdfinfo")
		if n, _ := pdfinfoPages(t, pdf); n != 3 {
			t.Errorf("pdfinfo: %d pages", n)
		}
		for i, s := range []string{"first page", "second 1 0 R page", "third page"} {
			if got := strings.TrimSpace(pdfPageText(t, pdf, i+1)); got != s {
				t.Errorf("page %d: %q, want %q", i+1, got, s)
			}
		}
		in := filepath.Join(t.TempDir(), "in.pdf")
		if err := os.WriteFile(in, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("pdfinfo", in).CombinedOutput(); err != nil || !strings.Contains(string(out), "Book 2 0 R ) (1 0 R") {
			t.Errorf("pdfinfo: %v\n%s", err, out)
		}
		qpdfCheck(t, pdf)
	}
}

// What the joiner does not read is refused, never copied wrong.
func TestPDFCatRefuses(t *testing.T) {
	good := string(onePage("x", true))
	xrefAt := strings.LastIndex(good, "startxref")
	cases := map[string]struct {
		pdf  []byte
		want error
	}{
		"not a PDF":   {[]byte("hello, world"), errPDFUnsupported},
		"PDF 2.0":     {[]byte(strings.Replace(good, "%PDF-1.4", "%PDF-2.0", 1)), errPDFUnsupported},
		"encrypted":   {[]byte(strings.Replace(good, "/Info 7 0 R", "/Info 7 0 R /Encrypt 6 0 R", 1)), errPDFUnsupported},
		"incremental": {[]byte(strings.Replace(good, "/Info 7 0 R", "/Info 7 0 R /Prev 9", 1)), errPDFUnsupported},
		"xref stream": {[]byte(good[:xrefAt] + "startxref\n15\n%%EOF\n"), errPDFUnsupported},
		"short /Length": {miniPDF("%PDF-1.4", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
			"<< /Length 3 >>\nstream\nBT ET\nendstream",
		}, ""), errPDFSyntax},
		"missing object": {miniPDF("%PDF-1.4", []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R 9 0 R] /Count 2 >>",
			"<< /Type /Page /Parent 2 0 R >>",
		}, ""), errPDFSyntax},
		"no page tree": {miniPDF("%PDF-1.4", []string{"<< /Type /Catalog >>"}, ""), errPDFSyntax},
	}
	for name, tc := range cases {
		c := newPDFCat(new(bytes.Buffer), true)
		if err := c.add(tc.pdf); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
		if err := c.add([]byte(good)); !errors.Is(err, tc.want) {
			t.Errorf("%s: a chunk after the error: err = %v", name, err)
		}
	}
	if err := newPDFCat(new(bytes.Buffer), true).close(); !errors.Is(err, ErrNoForms) {
		t.Errorf("nothing joined: err = %v", err)
	}
}

// Whatever it is given, the joiner returns an error or a PDF that it reads back itself with the same pages.
func FuzzPDFCat(f *testing.F) {
	f.Add(onePage("x", true))
	f.Add(onePage("(1 0 R) <2 0 R> % 3 0 R", false))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		var out bytes.Buffer
		c := newPDFCat(&out, true)
		if c.add(pdf) != nil || c.close() != nil {
			return
		}
		again := newPDFCat(new(bytes.Buffer), false)
		if err := again.add(out.Bytes()); err != nil || again.pages != c.pages {
			t.Fatalf("the output does not read back (%v, %d pages, want %d):\n%s", err, again.pages, c.pages, out.Bytes())
		}
	})
}

// checkStructure reads pdf with the joiner's own parser: every cross-reference entry points at its object, and
// the page tree from the catalog down has each node's kids name it as their /Parent and counts its leaves right.
// It returns the number of pages.
func checkStructure(t *testing.T, pdf []byte) int {
	t.Helper()
	ch := &pdfChunk{b: pdf, offs: map[int]int{}}
	trailer, err := ch.readXref()
	if err != nil {
		t.Fatal(err)
	}
	for n := range ch.offs {
		if _, err := ch.object(n); err != nil {
			t.Fatalf("cross-reference entry %d: %v", n, err)
		}
	}
	catalog, err := ch.object(trailer.dict["/Root"].ref)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n, parent int) int
	walk = func(n, parent int) int {
		o, err := ch.object(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.dict["/Parent"].ref; got != parent {
			t.Fatalf("object %d: /Parent %d, want %d", n, got, parent)
		}
		if string(pdf[o.dict["/Type"].tok.start:o.dict["/Type"].tok.end]) == "/Page" {
			return 1
		}
		kids, err := parseValue(&pdfLexer{b: pdf, p: o.dict["/Kids"].tok.start})
		if err != nil {
			t.Fatal(err)
		}
		leaves := 0
		for _, k := range kids.refs {
			leaves += walk(k.ref, n)
		}
		if count, err := ch.integer(o.dict["/Count"]); err != nil || count != leaves {
			t.Fatalf("page tree node %d: /Count %d (%v), %d pages under it", n, count, err, leaves)
		}
		return leaves
	}
	return walk(catalog.dict["/Pages"].ref, 0)
}
