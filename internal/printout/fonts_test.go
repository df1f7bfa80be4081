package printout

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// Names whose characters Noto Sans SC lacks (𠮷 U+20BB7 and 𠀾 U+2003E, Extension B) or has although beyond
// U+FFFF (𬌗 U+2C317, Extension E).
var rareNames = []string{"𠮷野家", "王𬌗", "𠀾明"}

func TestFontRunes(t *testing.T) {
	main, err := fontRunes(fontTTF)
	if err != nil {
		t.Fatal(err)
	}
	reserve, err := fontRunes(fallbackTTF)
	if err != nil {
		t.Fatal(err)
	}
	// The counts fontTools gives for the two cmaps (getBestCmap).
	if n := main.count(); n != 30890 {
		t.Errorf("Noto Sans SC: %d characters, want 30890", n)
	}
	if n := reserve.count(); n != 60317+2 {
		t.Errorf("HanaMinB subset: %d characters, want 60319", n)
	}
	for _, c := range []struct {
		r             rune
		main, reserve bool
	}{
		{'A', true, false}, {' ', true, true}, {'张', true, false}, {'䶮', true, false}, {'𠮷', false, true}, {'𠀾', false, true},
		{'𬌗', true, true}, {0x2EBE0, false, true}, {'😀', false, false}, {-1, false, false}, {0x10FFFF, false, false},
	} {
		if got := main.has(c.r); got != c.main {
			t.Errorf("main has %U = %v", c.r, got)
		}
		if got := reserve.has(c.r); got != c.reserve {
			t.Errorf("fallback has %U = %v", c.r, got)
		}
	}
	if _, err := fontRunes([]byte("not a font")); err == nil {
		t.Error("garbage read as a font")
	}
}

// Every character of the rare names prints as itself in one of the two fonts; in the PDF they come back whole.
func TestPDFRareNames(t *testing.T) {
	r := testRenderer(t)
	for _, name := range rareNames {
		for _, c := range name {
			if !r.covers(c) {
				t.Errorf("%q: %c (%U) is in neither font", name, c, c)
			}
		}
	}
	var forms []Form
	for _, name := range rareNames {
		f := sampleForm(t)
		f.Fields[0].Value = name
		f.Resume[0].Employer = name + "工作室" // wrapped and measured in a narrower cell
		forms = append(forms, f)
	}
	pdf := renderPDF(t, forms...)
	text := squash(pdfText(t, pdf))
	for _, name := range rareNames {
		if !strings.Contains(text, name) || !strings.Contains(text, name+"工作室") {
			t.Errorf("PDF text lacks %q", name)
		}
	}
	if strings.Contains(text, "□") {
		t.Errorf("PDF prints □:\n%s", text)
	}
	if !bytes.Contains(pdf, []byte("/BaseFont /"+fallbackFamily)) {
		t.Error("the fallback font is not embedded")
	}
	if len(pdf) >= 250_000 {
		t.Errorf("PDF is %d bytes, want the fallback font subset too", len(pdf))
	}
}

// Documents printed at once on a fresh Renderer share the fallback font, parsed once, and keep their own glyphs
// (run with -race).
func TestPDFRareNamesConcurrent(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	pdfs := make([][]byte, len(rareNames))
	var wg sync.WaitGroup
	for i, name := range rareNames {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := sampleForm(t)
			f.Fields[0].Value = name
			var buf bytes.Buffer
			if err := r.PDF(&buf, f); err != nil {
				t.Error(err)
				return
			}
			pdfs[i] = buf.Bytes()
		}()
	}
	wg.Wait()
	for i, pdf := range pdfs {
		text := squash(pdfText(t, pdf))
		for j, name := range rareNames {
			if got := strings.Contains(text, name); got != (i == j) {
				t.Errorf("document %d: contains %s = %v", i, name, got)
			}
		}
	}
}

// A document whose text is all in the main font does not carry the fallback font.
func TestPDFMainFontOnly(t *testing.T) {
	pdf := renderPDF(t, sampleForm(t))
	if bytes.Contains(pdf, []byte(fallbackFamily)) {
		t.Error("the fallback font is embedded in a document that does not use it")
	}
}

func TestFixToUnicode(t *testing.T) {
	cmap := "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange\n<0003><75FE>\nendcodespacerange\n" +
		"3 beginbfrange\n<0003><0003><0020>\n<1234><1234><5F20>\n<75FE><75FE><20BB7>\nendbfrange\nendcmap"
	pdf := []byte("%PDF stream\n" + cmap + " more")
	fixToUnicode(pdf)
	got := string(pdf)
	if len(got) != len("%PDF stream\n"+cmap+" more") {
		t.Fatalf("length changed: %q", got)
	}
	want := "3 beginbfchar\n<0003><0020>\n<1234><5F20>\n<75FE><D842DFB7>\nendbfchar\n"
	if !strings.Contains(got, "endcodespacerange\n"+want) || !strings.HasSuffix(got, "\nendcmap more") {
		t.Errorf("got %q", got)
	}
	if strings.Contains(got, "bfrange") {
		t.Errorf("bfrange left: %q", got)
	}

	// More than 100 entries: sections of 100.
	var b strings.Builder
	b.WriteString("endcodespacerange\n250 beginbfrange\n")
	for i := range 250 {
		b.WriteString("<" + hex4(i) + "><" + hex4(i) + "><" + hex4(0x4E00+i) + ">\n")
	}
	b.WriteString("endbfrange\n")
	long := []byte(b.String())
	fixToUnicode(long)
	if n := strings.Count(string(long), "100 beginbfchar\n"); n != 2 || !strings.Contains(string(long), "50 beginbfchar\n") {
		t.Errorf("sections: %q", long)
	}

	// Anything not shaped as gopdf writes it stays as it is.
	for _, odd := range []string{
		"endcodespacerange\n2 beginbfrange\n<0003><0004><0020>\n<0005><0005><0021>\nendbfrange\n", // a real range
		"endcodespacerange\n5 beginbfrange\n<0003><0003><0020>\nendbfrange\n",                     // wrong count
		"xx\n1 beginbfrange\n<0003><0003><20BB7>\nendbfrange\n",                                   // not after the codespace
	} {
		b := []byte(odd)
		fixToUnicode(b)
		if string(b) != odd {
			t.Errorf("changed %q to %q", odd, b)
		}
	}
}

func hex4(i int) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[i>>12&15], digits[i>>8&15], digits[i>>4&15], digits[i&15]})
}

// The .docx keeps the characters and puts those beyond U+FFFF in runs naming SimSun-ExtB.
func TestDOCXRareNames(t *testing.T) {
	f := sampleForm(t)
	f.Fields[0].Value = "𠮷野家"
	f.EmployerOpinion = "第一行\n𠀾明同意"
	var buf bytes.Buffer
	if err := DOCX(&buf, f); err != nil {
		t.Fatal(err)
	}
	doc := unzip(t, buf.Bytes())["word/document.xml"]
	wellFormed(t, "word/document.xml", doc)
	ext := `<w:rFonts w:ascii="SimSun-ExtB" w:hAnsi="SimSun-ExtB" w:eastAsia="SimSun-ExtB" w:hint="eastAsia"/>`
	for _, want := range []string{
		ext + `<w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr><w:t xml:space="preserve">𠮷</w:t>`,
		`<w:t xml:space="preserve">野家</w:t>`,
		`<w:br/><w:t xml:space="preserve">𠀾</w:t>`,
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	text := docxText(t, doc)
	if !strings.Contains(text, "𠮷野家") || !strings.Contains(text, "第一行𠀾明同意") {
		t.Errorf("text: %s", text)
	}
}

func TestSegments(t *testing.T) {
	for in, want := range map[string][]segment{
		"":      nil,
		"王五":    {{"王五", 0}},
		"𠮷":     {{"𠮷", 1}},
		"𠮷野家":   {{"𠮷", 1}, {"野家", 0}},
		"王𠮷𠀾明𰀀": {{"王", 0}, {"𠮷𠀾", 1}, {"明", 0}, {"𰀀", 2}},
	} {
		got := segments(in, docxClass)
		if len(got) != len(want) {
			t.Errorf("segments(%q) = %v, want %v", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("segments(%q) = %v, want %v", in, got, want)
			}
		}
	}
}
