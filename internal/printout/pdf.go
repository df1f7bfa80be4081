package printout

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"

	"github.com/signintech/gopdf"
)

// Page setup, in millimetres: A4 portrait, 15 mm margins, a footer line inside the bottom margin's edge.
const (
	pageW    = 210.0
	pageH    = 297.0
	margin   = 15.0
	left     = margin
	right    = pageW - margin
	contentW = right - left
	top      = margin
	footerY  = pageH - margin - 3.5 // top of the footer line, inside the bottom margin's edge
	bottom   = footerY - 2.5        // content never goes below this

	ptMM = 25.4 / 72 // one point in mm

	sizeTitle  = 18   // 小二
	sizeInfo   = 10.5 // 五号
	sizeLabel  = 10
	sizeValue  = 10.5
	sizeSmall  = 9
	sizeFooter = 8.5
	lineFactor = 1.45 // line height / font size

	thin  = 0.2
	thick = 0.5
)

func lineH(size float64) float64 { return size * ptMM * lineFactor }

// pdf checks every document, then lays them out one after another on one PDF (each from a fresh page) and
// writes it to w. Nothing is written if a document is refused.
func (r *Renderer) pdf(w io.Writer, docs []document) error {
	return writePDF(r, w, docs, zlib.DefaultCompression)
}

// writePDF is pdf for any kind of part, PDF-only ones included, with the zlib level of the page content streams.
func writePDF[D pdfPart](r *Renderer, w io.Writer, docs []D, compress int) (err error) {
	if err := checkAll(docs); err != nil {
		return err
	}
	defer func() {
		// gopdf is not written for hostile input; it must never take the server down.
		if p := recover(); p != nil {
			err = fmt.Errorf("printout: pdf: internal error: %v", p)
		}
	}()
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	gp.SetInfo(gopdf.PdfInfo{Creator: "examcert", Producer: "examcert"})
	gp.SetCompressLevel(compress)
	if err := gp.AddTTFFontFromFontContainer(fontFamily, r.fonts); err != nil {
		return fmt.Errorf("printout: pdf font: %w", err)
	}
	d := newPDFDoc(gp, r)
	for i, doc := range docs {
		doc.pdf(d)
		if d.err != nil {
			return docError(i, doc, d.err)
		}
	}
	if !d.astral {
		_, err = gp.WriteTo(w)
	} else {
		var buf bytes.Buffer
		if _, err = gp.WriteTo(&buf); err == nil {
			fixToUnicode(buf.Bytes())
			_, err = w.Write(buf.Bytes())
		}
	}
	if err != nil {
		return fmt.Errorf("printout: write pdf: %w", err)
	}
	return nil
}

// pdfDoc lays documents out on one gopdf document. The first error is kept in err and stops further drawing.
type pdfDoc struct {
	gp       *gopdf.GoPdf
	r        *Renderer
	err      error
	size     float64
	widths   map[float64]map[rune]float64 // rune widths (mm) per font size
	fallback bool                         // the fallback font has been added to gp
	astral   bool                         // a character beyond U+FFFF is printed: fix the ToUnicode maps

	// The current document's pages.
	footer   string  // printed at the foot of every page
	contHead string  // printed at the head of every page after the first
	y        float64 // where the next part goes
	page     int     // page of the current document, from 1
	inTable  bool    // a table frame is open
	frameTop float64 // top of the open table frame on this page
}

func newPDFDoc(gp *gopdf.GoPdf, r *Renderer) *pdfDoc {
	return &pdfDoc{gp: gp, r: r, widths: map[float64]map[rune]float64{}}
}

func (d *pdfDoc) setErr(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}

// begin starts a document on a fresh page. footer goes at the foot of every page, with the page number from the
// second page on, where contHead heads the page.
func (d *pdfDoc) begin(footer, contHead string) {
	d.footer, d.contHead = footer, contHead
	d.page, d.inTable = 0, false
	d.newPage()
}

// newPage starts a page of the current document, closing and reopening the table frame around the break.
func (d *pdfDoc) newPage() {
	if d.err != nil {
		return
	}
	if d.inTable {
		d.closeFrame()
	}
	d.gp.AddPage()
	d.page++
	d.y = top
	d.pageFooter()
	if d.page > 1 {
		d.setSize(sizeSmall)
		hl := d.wrap(d.contHead, contentW, 1)
		d.text(left, d.y, hl[0])
		d.y += lineH(sizeSmall) + 2
	}
	if d.inTable {
		d.frameTop = d.y
	}
}

func (d *pdfDoc) pageFooter() {
	d.setSize(sizeFooter)
	d.gp.SetTextColor(64, 64, 64)
	if d.footer != "" {
		d.text(left, footerY, d.wrap(d.footer, contentW-25, 1)[0])
	}
	if d.page > 1 {
		p := fmt.Sprintf("第 %d 页", d.page)
		d.text(right-d.textW(p), footerY, p)
	}
	d.gp.SetTextColor(0, 0, 0)
}

// ensure starts a new page unless h more millimetres fit on this one.
func (d *pdfDoc) ensure(h float64) {
	if d.y+h > bottom {
		d.newPage()
	}
}

// openFrame starts a table whose outline is drawn thick around its rows on each page.
func (d *pdfDoc) openFrame() {
	d.inTable, d.frameTop = true, d.y
}

// endFrame draws the outline of the open table's last part and closes it.
func (d *pdfDoc) endFrame() {
	d.closeFrame()
	d.inTable = false
}

func (d *pdfDoc) closeFrame() {
	if d.err != nil || d.y <= d.frameTop {
		return
	}
	d.gp.SetLineWidth(thick)
	d.gp.RectFromUpperLeftWithStyle(left, d.frameTop, contentW, d.y-d.frameTop, "D")
}
