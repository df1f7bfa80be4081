package printout

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// The .docx is written directly as WordprocessingML (ECMA-376): tables with a fixed column grid, so that Word and
// LibreOffice draw the same continuous borders as the PDF, and one section per document (each starts on a new
// page). Text goes only into <w:t> elements through xml.EscapeText; nothing the user typed can become markup.
//
// Fonts are named, not embedded: 宋体 (SimSun) for text and 黑体 (SimHei) for titles, which every Chinese Windows
// and Word has; other systems substitute their own CJK font (LibreOffice on Debian: WenQuanYi or Noto CJK). SimSun
// stops at U+FFFF, so runs of characters beyond it name the font Windows keeps them in, as Word does for
// such characters: SimSun-ExtB for CJK Extensions B–F (plane 2), SimSun-ExtG (Windows 11) for G and later
// (plane 3). Elsewhere the viewer's own fallback picks a font that has them.

func twips(mm float64) int { return int(math.Round(mm * 1440 / 25.4)) }

func emu(mm float64) int { return int(math.Round(mm * 36000)) }

// docxWriter accumulates document.xml for all documents. The first error is kept in err.
type docxWriter struct {
	b        bytes.Buffer
	media    []docxMedia // word/media/…, in order
	photos   int         // JPEG photos so far (photoN.jpeg)
	qrs      int         // QR codes so far (qrN.png)
	drawings int         // drawings so far: each needs its own id
	grid     []float64   // column grid (mm) of the open table
	last     bool        // the document being written is the last: its section closes the body
	shade    string      // fill (hex RGB) of the next cell only, or ""
	err      error
}

// docxMedia is a picture stored in the package.
type docxMedia struct {
	name, rid string // file name under word/media/, relationship id
	data      []byte
}

func (w *docxWriter) setErr(err error) {
	if err != nil && w.err == nil {
		w.err = err
	}
}

func (w *docxWriter) s(parts ...string) {
	for _, p := range parts {
		w.b.WriteString(p)
	}
}

// esc writes user text escaped for XML character data.
func (w *docxWriter) esc(text string) {
	_ = xml.EscapeText(&w.b, []byte(text)) // writes to a bytes.Buffer: cannot fail
}

// runProps describes a run's formatting.
type runProps struct {
	size    float64 // points; 0 → document default (10.5)
	bold    bool
	font    string // East Asian font; "" → default
	color   string // hex RGB; "" → auto
	center  bool   // paragraph alignment
	extFont string // font for characters beyond U+FFFF (set by run)
}

func (w *docxWriter) rPr(p runProps) {
	if p.size == 0 && !p.bold && p.font == "" && p.color == "" && p.extFont == "" {
		return
	}
	w.s("<w:rPr>")
	switch {
	case p.extFont != "":
		w.s(`<w:rFonts w:ascii="`, p.extFont, `" w:hAnsi="`, p.extFont, `" w:eastAsia="`, p.extFont, `" w:hint="eastAsia"/>`)
	case p.font != "":
		w.s(`<w:rFonts w:ascii="`, p.font, `" w:hAnsi="`, p.font, `" w:eastAsia="`, p.font, `"/>`)
	}
	if p.bold {
		w.s("<w:b/><w:bCs/>")
	}
	if p.color != "" {
		w.s(`<w:color w:val="`, p.color, `"/>`)
	}
	if p.size != 0 {
		hp := fmt.Sprint(int(math.Round(p.size * 2)))
		w.s(`<w:sz w:val="`, hp, `"/><w:szCs w:val="`, hp, `"/>`)
	}
	w.s("</w:rPr>")
}

// extFonts are the Windows fonts for characters beyond U+FFFF, by docxClass.
var extFonts = [...]string{1: "SimSun-ExtB", 2: "SimSun-ExtG"}

// docxClass is 1 for a character of plane 2, 2 for plane 3, else 0.
func docxClass(r rune) int {
	switch r >> 16 {
	case 2:
		return 1
	case 3:
		return 2
	}
	return 0
}

// run writes text as runs, with a line break for each LF and a run of its own for each stretch of characters
// beyond U+FFFF.
func (w *docxWriter) run(text string, p runProps) {
	for i, line := range strings.Split(text, "\n") {
		if !strings.ContainsFunc(line, func(r rune) bool { return docxClass(r) != 0 }) {
			w.textRun(line, p, i > 0)
			continue
		}
		for j, sg := range segments(line, docxClass) {
			q := p
			q.extFont = extFonts[sg.class]
			w.textRun(sg.text, q, i > 0 && j == 0)
		}
	}
}

// textRun writes one run of text, after a line break if br.
func (w *docxWriter) textRun(text string, p runProps, br bool) {
	w.s("<w:r>")
	w.rPr(p)
	if br {
		w.s("<w:br/>")
	}
	if text != "" {
		w.s(`<w:t xml:space="preserve">`)
		w.esc(text)
		w.s("</w:t>")
	}
	w.s("</w:r>")
}

// para writes one paragraph; tabs and spacing go into <w:pPr> before the alignment.
func (w *docxWriter) para(text string, p runProps, tabs, spacing string) {
	w.s("<w:p><w:pPr>", tabs, spacing)
	if p.center {
		w.s(`<w:jc w:val="center"/>`)
	}
	w.rPr(p)
	w.s("</w:pPr>")
	if text != "" {
		w.run(text, p)
	}
	w.s("</w:p>")
}

// infoPara writes items on one line, separated by tabs (set in tabs).
func (w *docxWriter) infoPara(items []string, p runProps, tabs string) {
	w.s("<w:p><w:pPr>", tabs)
	w.rPr(p)
	w.s("</w:pPr>")
	for i, it := range items {
		if i > 0 {
			w.s("<w:r>")
			w.rPr(p)
			w.s("<w:tab/></w:r>")
		}
		w.run(it, p)
	}
	w.s("</w:p>")
}

// tableStart opens a table on the column grid (mm): a thick outline, thin inner lines, fixed layout.
func (w *docxWriter) tableStart(grid []float64) {
	w.grid = grid
	var width float64
	for _, c := range grid {
		width += c
	}
	w.s(`<w:tbl><w:tblPr><w:tblW w:w="`, fmt.Sprint(twips(width)), `" w:type="dxa"/><w:jc w:val="center"/>`,
		`<w:tblBorders>`,
		`<w:top w:val="single" w:sz="12" w:space="0" w:color="000000"/>`,
		`<w:left w:val="single" w:sz="12" w:space="0" w:color="000000"/>`,
		`<w:bottom w:val="single" w:sz="12" w:space="0" w:color="000000"/>`,
		`<w:right w:val="single" w:sz="12" w:space="0" w:color="000000"/>`,
		`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/>`,
		`<w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>`,
		`</w:tblBorders><w:tblLayout w:type="fixed"/>`,
		`<w:tblCellMar><w:left w:w="`, fmt.Sprint(twips(padX)), `" w:type="dxa"/><w:right w:w="`, fmt.Sprint(twips(padX)),
		`" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for _, c := range grid {
		w.s(`<w:gridCol w:w="`, fmt.Sprint(twips(c)), `"/>`)
	}
	w.s(`</w:tblGrid>`)
}

func (w *docxWriter) tableEnd() { w.s(`</w:tbl>`) }

// trStart opens a table row at least minMM tall that does not break across pages.
func (w *docxWriter) trStart(minMM float64) {
	w.s(`<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="`, fmt.Sprint(twips(minMM)), `" w:hRule="atLeast"/></w:trPr>`)
}

// tc writes a table cell spanning span grid columns starting at column col.
func (w *docxWriter) tc(col, span int, vmerge, valign string, content func()) {
	var width float64
	for _, c := range w.grid[col : col+span] {
		width += c
	}
	w.s(`<w:tc><w:tcPr><w:tcW w:w="`, fmt.Sprint(twips(width)), `" w:type="dxa"/>`)
	if span > 1 {
		w.s(`<w:gridSpan w:val="`, fmt.Sprint(span), `"/>`)
	}
	switch vmerge {
	case "restart":
		w.s(`<w:vMerge w:val="restart"/>`)
	case "continue":
		w.s(`<w:vMerge/>`)
	}
	if w.shade != "" {
		w.s(`<w:shd w:val="clear" w:color="auto" w:fill="`, w.shade, `"/>`)
		w.shade = ""
	}
	if valign == "" {
		valign = "center"
	}
	w.s(`<w:vAlign w:val="`, valign, `"/></w:tcPr>`)
	n := w.b.Len()
	if content != nil {
		content()
	}
	if w.b.Len() == n { // every cell needs a paragraph
		w.s("<w:p/>")
	}
	w.s("</w:tc>")
}

// textCell writes a cell holding one paragraph of text.
func (w *docxWriter) textCell(col, span int, text string, p runProps) {
	w.tc(col, span, "", "center", func() { w.para(text, p, "", "") })
}

var (
	labelProps = runProps{size: sizeLabel, center: true}
	valueProps = runProps{size: sizeValue}
)

// vlabelPara writes a label one character per line, as printed forms have it in a tall narrow cell.
func (w *docxWriter) vlabelPara(label string) {
	w.para(strings.Join(strings.Split(label, ""), "\n"), labelProps, "", `<w:spacing w:line="360" w:lineRule="auto"/>`)
}

// photo writes the 一寸 photo, fitted into 25×35 mm, or the placeholder saying 照片（一寸）.
func (w *docxWriter) photo(p photoInfo) {
	if p.data == nil {
		w.para(lblPhoto, runProps{size: sizeLabel, center: true}, "", "")
		w.para(lblPhotoSize, runProps{size: sizeSmall, color: "606060", center: true}, "", "")
		return
	}
	w.photos++
	n := fmt.Sprint(w.photos)
	iw, ih := fitPhoto(p.width, p.height, photoW, photoH)
	w.picture(docxMedia{name: "photo" + n + ".jpeg", rid: "rIdPhoto" + n, data: p.data}, "照片"+n, iw, ih)
}

// qr writes a QR code carrying payload, size×size mm with its quiet zone, in a centred paragraph: a PNG at 10
// pixels a module (over 300 dpi for any size a form would give it).
func (w *docxWriter) qr(size float64, payload string) {
	img, err := qrPNG(payload, 10)
	if err != nil {
		w.setErr(err)
		return
	}
	w.qrs++
	n := fmt.Sprint(w.qrs)
	w.picture(docxMedia{name: "qr" + n + ".png", rid: "rIdQr" + n, data: img}, "二维码"+n, size, size)
}

// picture writes a centred paragraph holding the picture m, wmm×hmm, stored once in the package.
func (w *docxWriter) picture(m docxMedia, title string, wmm, hmm float64) {
	w.media = append(w.media, m)
	w.drawings++
	id := fmt.Sprint(w.drawings)
	cx, cy := fmt.Sprint(emu(wmm)), fmt.Sprint(emu(hmm))
	w.s(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>`,
		`<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="`, cx, `" cy="`, cy, `"/>`,
		`<wp:effectExtent l="0" t="0" r="0" b="0"/>`,
		`<wp:docPr id="`, id, `" name="`, title, `"/>`,
		`<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`,
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>`,
		`<pic:nvPicPr><pic:cNvPr id="`, id, `" name="`, m.name, `"/><pic:cNvPicPr/></pic:nvPicPr>`,
		`<pic:blipFill><a:blip r:embed="`, m.rid, `"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`,
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="`, cx, `" cy="`, cy, `"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`,
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`)
}

// sectionEnd writes the footer line, which carries the properties of the section that ends the document (A4, the
// house margins, next page); the last document's properties close the body instead.
func (w *docxWriter) sectionEnd(footer string) {
	sect := `<w:sectPr><w:type w:val="nextPage"/><w:pgSz w:w="11906" w:h="16838"/>` +
		fmt.Sprintf(`<w:pgMar w:top="%[1]d" w:right="%[1]d" w:bottom="%[1]d" w:left="%[1]d" w:header="567" w:footer="567" w:gutter="0"/>`, twips(margin)) +
		`<w:cols w:space="425"/></w:sectPr>`
	w.s(`<w:p><w:pPr><w:spacing w:before="120"/>`)
	p := runProps{size: sizeFooter, color: "404040"}
	w.rPr(p)
	if !w.last {
		w.s(sect)
	}
	w.s(`</w:pPr>`)
	if footer != "" {
		w.run(footer, p)
	}
	w.s(`</w:p>`)
	if w.last {
		w.s(sect)
	}
}

// estimateLines guesses how many lines text takes in a cell width (mm) at size (pt): CJK counts one em, ASCII half.
func estimateLines(text string, width, size float64) int {
	em := size * ptMM
	n := 0
	for _, para := range strings.Split(text, "\n") {
		var ems float64
		for _, r := range para {
			if r < utf8.RuneSelf {
				ems += 0.55
			} else {
				ems++
			}
		}
		n += max(1, int(math.Ceil(ems*em/width)))
	}
	return n
}
