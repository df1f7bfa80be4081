package printout

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// The .docx is written directly as WordprocessingML (ECMA-376): one table per form with a single column grid, so
// that Word and LibreOffice draw the same continuous borders as the PDF, and one section per form (each starts on
// a new page). Text goes only into <w:t> elements through xml.EscapeText; nothing the user typed can become markup.
//
// Fonts are named, not embedded: 宋体 (SimSun) for text and 黑体 (SimHei) for the title, which every Chinese
// Windows and Word has; other systems substitute their own CJK font (LibreOffice on Debian: WenQuanYi or Noto CJK).

// Column grid of the form table in mm: the union of the field, resume and opinion columns (see pdf.go):
// fields 25 | 40+3 | 25 | 47+5 | 35, resume 25 | 40 | 3+25+47 | 5+35, opinion 25 | 155.
var docxGrid = [7]float64{25, 40, 3, 25, 47, 5, 35}

func twips(mm float64) int { return int(math.Round(mm * 1440 / 25.4)) }

func emu(mm float64) int { return int(math.Round(mm * 36000)) }

// docxWriter accumulates document.xml for all forms.
type docxWriter struct {
	b      bytes.Buffer
	photos [][]byte // word/media/photoN.jpeg, N = index+1
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
	size   float64 // points; 0 → document default (10.5)
	bold   bool
	font   string // East Asian font; "" → default
	color  string // hex RGB; "" → auto
	center bool   // paragraph alignment
}

func (w *docxWriter) rPr(p runProps) {
	if p.size == 0 && !p.bold && p.font == "" && p.color == "" {
		return
	}
	w.s("<w:rPr>")
	if p.font != "" {
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

// run writes text as runs, with a line break for each LF.
func (w *docxWriter) run(text string, p runProps) {
	for i, line := range strings.Split(text, "\n") {
		w.s("<w:r>")
		w.rPr(p)
		if i > 0 {
			w.s("<w:br/>")
		}
		if line != "" {
			w.s(`<w:t xml:space="preserve">`)
			w.esc(line)
			w.s("</w:t>")
		}
		w.s("</w:r>")
	}
}

// para writes one paragraph; extraPPr is inserted into <w:pPr> before the alignment (spacing, ind, tabs…).
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

// tc writes a table cell spanning span grid columns starting at column col.
func (w *docxWriter) tc(col, span int, vmerge, valign string, content func()) {
	var width float64
	for _, c := range docxGrid[col : col+span] {
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

func (w *docxWriter) trStart(minMM float64) {
	w.s(`<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="`, fmt.Sprint(twips(minMM)), `" w:hRule="atLeast"/></w:trPr>`)
}

var (
	labelProps = runProps{size: sizeLabel, center: true}
	valueProps = runProps{size: sizeValue}
)

// DOCX writes the forms as one Word document: one section (starting on a new page) per form, the photo embedded.
// Nothing is written if a form has a photo that is not a valid JPEG: the error wraps ErrPhoto.
func DOCX(out io.Writer, forms ...Form) error {
	if len(forms) == 0 {
		return ErrNoForms
	}
	w := &docxWriter{}
	w.s(xml.Header, `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" `+
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" `+
		`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" `+
		`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" `+
		`xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>`)
	for i := range forms {
		p, err := checkPhoto(forms[i].Photo)
		if err != nil {
			return formError(i, &forms[i], err)
		}
		f := cleanForm(&forms[i])
		w.form(&f, p, i == len(forms)-1)
	}
	w.s("</w:body></w:document>")

	zw := zip.NewWriter(out)
	mod := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) // fixed: the same forms give the same bytes
	add := func(name string, data []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return err
		}
		_, err = fw.Write(data)
		return err
	}
	var rels strings.Builder
	rels.WriteString(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>`)
	for i := range w.photos {
		fmt.Fprintf(&rels, `<Relationship Id="rIdPhoto%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/photo%d.jpeg"/>`, i+1, i+1)
	}
	rels.WriteString(`</Relationships>`)
	names := []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels",
		"word/styles.xml", "word/settings.xml"}
	parts := [][]byte{[]byte(docxContentTypes), []byte(docxRootRels), w.b.Bytes(), []byte(rels.String()),
		[]byte(docxStyles), []byte(docxSettings)}
	for i, p := range w.photos {
		names, parts = append(names, fmt.Sprintf("word/media/photo%d.jpeg", i+1)), append(parts, p)
	}
	for i, name := range names {
		if err := add(name, parts[i]); err != nil {
			return fmt.Errorf("printout: write docx: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("printout: write docx: %w", err)
	}
	return nil
}

// form writes one form; the section break after it (or the document's final section) ends it.
func (w *docxWriter) form(f *Form, photo photoInfo, last bool) {
	title := f.Title
	if title == "" {
		title = "报名表"
	}
	w.para(title, runProps{size: sizeTitle, bold: true, font: "黑体", center: true}, "", `<w:spacing w:after="160"/>`)
	info := runProps{size: sizeInfo}
	w.para(lblPlan+f.PlanName, info, "", "")
	tabs := fmt.Sprintf(`<w:tabs><w:tab w:val="left" w:pos="%d"/><w:tab w:val="left" w:pos="%d"/></w:tabs>`, twips(70), twips(110))
	w.infoPara([]string{lblCategory + f.Category, lblLevel + f.Level, lblNumber + f.Number}, info, tabs)
	w.infoPara([]string{lblStatus + f.Status, lblSubmitted + f.SubmittedAt}, info, tabs+`<w:spacing w:after="100"/>`)

	// The table.
	w.s(`<w:tbl><w:tblPr><w:tblW w:w="`, fmt.Sprint(twips(contentW)), `" w:type="dxa"/><w:jc w:val="center"/>`,
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
	for _, c := range docxGrid {
		w.s(`<w:gridCol w:w="`, fmt.Sprint(twips(c)), `"/>`)
	}
	w.s(`</w:tblGrid>`)
	w.fieldRows(f.Fields, photo)
	w.resumeRows(f.Resume)
	w.opinionRow(f.EmployerOpinion)
	w.s(`</w:tbl>`)

	// Footer line, carrying the section properties that end this form's section.
	sect := `<w:sectPr><w:type w:val="nextPage"/><w:pgSz w:w="11906" w:h="16838"/>` +
		fmt.Sprintf(`<w:pgMar w:top="%[1]d" w:right="%[1]d" w:bottom="%[1]d" w:left="%[1]d" w:header="567" w:footer="567" w:gutter="0"/>`, twips(margin)) +
		`<w:cols w:space="425"/></w:sectPr>`
	w.s(`<w:p><w:pPr><w:spacing w:before="120"/>`)
	footer := runProps{size: sizeFooter, color: "404040"}
	w.rPr(footer)
	if !last {
		w.s(sect)
	}
	w.s(`</w:pPr>`)
	if f.Footer != "" {
		w.run(f.Footer, footer)
	}
	w.s(`</w:p>`)
	if last {
		w.s(sect)
	}
}

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

func (w *docxWriter) fieldRows(fields []Field, photo photoInfo) {
	nrows := max(1, (len(fields)+1)/2)
	k := min(nrows, photoRow)
	rowH := max(rowMin, (photoH+2*photoPad)/float64(k))
	for i := 0; i < nrows; i++ {
		withPhoto := i < k
		h := rowMin
		if withPhoto {
			h = rowH
		}
		w.trStart(h)
		a := fields[min(2*i, len(fields)):min(2*i+2, len(fields))]
		switch len(a) {
		case 0:
			w.tc(0, 6, "", "", nil)
		case 1:
			w.textCell(0, 1, a[0].Label, labelProps)
			span := 5
			if !withPhoto {
				span = 6
			}
			w.textCell(1, span, a[0].Value, valueProps)
		case 2:
			w.textCell(0, 1, a[0].Label, labelProps)
			w.textCell(1, 2, a[0].Value, valueProps)
			w.textCell(3, 1, a[1].Label, labelProps)
			span := 2
			if !withPhoto {
				span = 3
			}
			w.textCell(4, span, a[1].Value, valueProps)
		}
		if withPhoto {
			if i == 0 {
				w.tc(6, 1, "restart", "center", func() { w.photo(photo) })
			} else {
				w.tc(6, 1, "continue", "", nil)
			}
		}
		w.s("</w:tr>")
	}
}

func (w *docxWriter) photo(p photoInfo) {
	if p.data == nil {
		w.para(lblPhoto, runProps{size: sizeLabel, center: true}, "", "")
		w.para("（一寸）", runProps{size: sizeSmall, color: "606060", center: true}, "", "")
		return
	}
	w.photos = append(w.photos, p.data)
	n := len(w.photos)
	iw, ih := fitPhoto(p.width, p.height, photoW, photoH)
	cx, cy := fmt.Sprint(emu(iw)), fmt.Sprint(emu(ih))
	id := fmt.Sprint(n)
	w.s(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>`,
		`<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="`, cx, `" cy="`, cy, `"/>`,
		`<wp:effectExtent l="0" t="0" r="0" b="0"/>`,
		`<wp:docPr id="`, id, `" name="照片`, id, `"/>`,
		`<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`,
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>`,
		`<pic:nvPicPr><pic:cNvPr id="`, id, `" name="photo`, fmt.Sprint(n), `.jpeg"/><pic:cNvPicPr/></pic:nvPicPr>`,
		`<pic:blipFill><a:blip r:embed="rIdPhoto`, fmt.Sprint(n), `"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`,
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="`, cx, `" cy="`, cy, `"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`,
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`)
}

func (w *docxWriter) resumeRows(rows []ResumeRow) {
	for len(rows) < minResume {
		rows = append(rows, ResumeRow{})
	}
	label := func(first bool) {
		if first {
			w.tc(0, 1, "restart", "center", func() {
				// One character per line, as on printed forms.
				w.para(strings.Join(strings.Split(lblResume, ""), "\n"), labelProps, "", `<w:spacing w:line="360" w:lineRule="auto"/>`)
			})
		} else {
			w.tc(0, 1, "continue", "", nil)
		}
	}
	w.trStart(resRow)
	label(true)
	w.textCell(1, 1, lblPeriod, labelProps)
	w.textCell(2, 3, lblEmployer, labelProps)
	w.textCell(5, 2, lblPost, labelProps)
	w.s("</w:tr>")
	for _, r := range rows {
		w.trStart(resRow)
		label(false)
		w.textCell(1, 1, r.Period, runProps{size: sizeValue, center: true})
		w.textCell(2, 3, r.Employer, valueProps)
		w.textCell(5, 2, r.Post, valueProps)
		w.s("</w:tr>")
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

func (w *docxWriter) opinionRow(text string) {
	w.trStart(opinionMin)
	w.tc(0, 1, "", "center", func() {
		w.para(strings.Join(strings.Split(lblOpinion, ""), "\n"), labelProps, "", `<w:spacing w:line="360" w:lineRule="auto"/>`)
	})
	w.tc(1, 6, "", "top", func() {
		lh := lineH(sizeValue)
		textH := 0.0
		if text != "" {
			w.para(text, valueProps, "", `<w:spacing w:before="60"/>`)
			textH = float64(estimateLines(text, opinionCol[1]-2*padX, sizeValue)) * lh
		}
		// Push 单位（盖章） and 日期 towards the bottom of the box.
		gap := max(6, opinionMin-2*padY-textH-2*lh-8)
		ind := fmt.Sprintf(`<w:ind w:left="%d"/>`, twips(opinionCol[1]-62-padX))
		w.para(lblSeal, valueProps, "", fmt.Sprintf(`<w:spacing w:before="%d"/>`+ind, twips(gap)))
		w.para(lblDate, valueProps, "", `<w:spacing w:before="60"/>`+ind)
	})
	w.s("</w:tr>")
}

const docxContentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Default Extension="jpeg" ContentType="image/jpeg"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`</Types>`

const docxRootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`</Relationships>`

const docxStyles = xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` +
	`<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/>` +
	`<w:kern w:val="2"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>` +
	`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/>` +
	`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>` +
	`<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

const docxSettings = xml.Header + `<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`</w:settings>`
