package printout

import (
	"errors"
	"math"

	"github.com/signintech/gopdf"
)

// Tables: bordered cells of wrapped text, a vertical label, a label/value grid with the photo box beside it.

const (
	padX     = 1.3
	padY     = 1.4
	photoW   = 25.0 // 一寸 photo
	photoH   = 35.0
	photoPad = 2.0
)

// box strokes a rectangle with the thin line.
func (d *pdfDoc) box(x, y, w, h float64) {
	if d.err != nil {
		return
	}
	d.gp.SetLineWidth(thin)
	d.gp.RectFromUpperLeftWithStyle(x, y, w, h, "D")
}

// cell is one table cell: text already wrapped at the cell's size.
type cell struct {
	w     float64
	lines []string
	size  float64
	align int
}

func (d *pdfDoc) cellHeight(c cell) float64 {
	return float64(len(c.lines))*lineH(c.size) + 2*padY
}

// mkCell wraps text for a cell of width w.
func (d *pdfDoc) mkCell(w float64, text string, size float64, align, maxLines int) cell {
	d.setSize(size)
	return cell{w: w, lines: d.wrap(text, w-2*padX, maxLines), size: size, align: align}
}

// row draws cells side by side from x at d.y with height h.
func (d *pdfDoc) row(x, h float64, cells ...cell) {
	for _, c := range cells {
		d.box(x, d.y, c.w, h)
		d.setSize(c.size)
		d.lines(x+padX, d.y+padY, c.w-2*padX, h-2*padY, c.lines, c.align)
		x += c.w
	}
}

// vlabel draws a label in a tall narrow cell: one character per line, spread out, when there is room (as on
// printed government forms), otherwise wrapped normally.
func (d *pdfDoc) vlabel(x, y, w, h float64, label string) {
	d.box(x, y, w, h)
	d.setSize(sizeLabel)
	rs := []rune(label)
	lh := lineH(sizeLabel)
	if float64(len(rs))*lh*1.3+2*padY <= h {
		ls := make([]string, len(rs))
		for i, r := range rs {
			ls[i] = string(r)
		}
		step := math.Min(lh*1.8, (h-2*padY)/float64(len(rs)))
		em := sizeLabel * ptMM
		ty := y + (h-step*float64(len(rs)))/2 + (step-em)/2
		for i, l := range ls {
			d.text(x+(w-d.textW(l))/2, ty+float64(i)*step, l)
		}
		return
	}
	d.lines(x+padX, y+padY, w-2*padX, h-2*padY, d.wrap(label, w-2*padX, 0), alignCenter)
}

// fieldGrid is the shape of a label/value table: two pairs a row (label | value | label | value) with a photo
// column beside the first rows; an odd last field spans the rest of its row. Rows below the photo run across it.
type fieldGrid struct {
	cols      [5]float64 // label, value, label, value, photo (mm), adding up to contentW
	photoRows int        // the photo spans at most this many rows
	rowMin    float64    // minimum height of a row
	maxLines  int        // longer labels and values are cut with …
}

// fieldTable draws fields in the grid g from d.y, the photo (or its placeholder) in its column; rows that do not
// fit go on the next page. Labels print at sizeLabel, values at sizeValue.
func (d *pdfDoc) fieldTable(g fieldGrid, fields []Field, photo photoInfo) {
	nrows := max(1, (len(fields)+1)/2)
	k := min(nrows, g.photoRows)
	type frow struct {
		cells []cell
		h     float64
	}
	rows := make([]frow, nrows)
	for i := range rows {
		withPhoto := i < k
		var cs []cell
		a := fields[min(2*i, len(fields)):min(2*i+2, len(fields))]
		for j, fl := range a {
			vw := g.cols[1]
			if j == 1 {
				vw = g.cols[3]
			}
			if len(a) == 1 { // an odd last field spans the rest of the row
				vw = g.cols[1] + g.cols[2] + g.cols[3]
			}
			if !withPhoto && (j == 1 || len(a) == 1) {
				vw += g.cols[4]
			}
			cs = append(cs,
				d.mkCell(g.cols[2*j], fl.Label, sizeLabel, alignCenter, g.maxLines),
				d.mkCell(vw, fl.Value, sizeValue, alignLeft, g.maxLines))
		}
		if len(a) == 0 { // no fields at all: an empty row beside the photo
			cs = append(cs, cell{w: contentW - g.cols[4], size: sizeValue})
		}
		h := g.rowMin
		for _, c := range cs {
			h = max(h, d.cellHeight(c))
		}
		rows[i] = frow{cs, h}
	}
	// The photo rows together must hold the 25×35 mm photo.
	var sum float64
	for _, r := range rows[:k] {
		sum += r.h
	}
	if need := photoH + 2*photoPad; sum < need {
		for i := range rows[:k] {
			rows[i].h += (need - sum) / float64(k)
		}
		sum = need
	}
	d.ensure(sum)
	px, py := left+contentW-g.cols[4], d.y
	for i, r := range rows {
		if i >= k {
			d.ensure(r.h)
		}
		d.row(left, r.h, r.cells...)
		d.y += r.h
		if i == k-1 { // before any page break
			d.photo(px, py, g.cols[4], sum, photo)
		}
	}
}

// photo draws a bordered box with the 一寸 photo centred in it, or a dashed placeholder saying 照片（一寸）.
func (d *pdfDoc) photo(x, y, w, h float64, p photoInfo) {
	d.box(x, y, w, h)
	if d.err != nil {
		return
	}
	bx, by := x+(w-photoW)/2, y+(h-photoH)/2
	if p.data == nil {
		d.gp.SetLineWidth(thin)
		d.gp.SetLineType("dashed")
		d.gp.RectFromUpperLeftWithStyle(bx, by, photoW, photoH, "D")
		d.gp.SetLineType("")
		d.setSize(sizeLabel)
		d.lines(bx, by, photoW, photoH, []string{lblPhoto}, alignCenter)
		d.setSize(sizeSmall)
		d.gp.SetTextColor(96, 96, 96)
		d.text(bx+(photoW-d.textW(lblPhotoSize))/2, by+photoH/2+lineH(sizeLabel)/2+0.5, lblPhotoSize)
		d.gp.SetTextColor(0, 0, 0)
		return
	}
	iw, ih := fitPhoto(p.width, p.height, photoW, photoH)
	holder, err := gopdf.ImageHolderByBytes(p.data)
	if err != nil {
		d.setErr(errors.Join(ErrPhoto, err))
		return
	}
	d.setErr(d.gp.ImageByHolder(holder, bx+(photoW-iw)/2, by+(photoH-ih)/2, &gopdf.Rect{W: iw, H: ih}))
}

// Labels of the photo placeholder.
const (
	lblPhoto     = "照片"
	lblPhotoSize = "（一寸）"
)
