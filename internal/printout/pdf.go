package printout

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/signintech/gopdf"
)

// fontTTF is Noto Sans SC Regular (static TTF from the npm package @expo-google-fonts/noto-sans-sc@0.4.3),
// licensed under the SIL Open Font License 1.1 (fonts/OFL.txt).
//
//go:embed fonts/NotoSansSC_400Regular.ttf
var fontTTF []byte

const fontFamily = "NotoSansSC"

// missingGlyph is printed for a character the font does not have (CJK Extension B, emoji): a visible box rather
// than gopdf's default blank, so that a name is never printed silently shortened.
const missingGlyph = '□'

// Renderer holds the parsed font. Build it once with NewRenderer (parsing the 10 MB font takes about 10 ms, a third
// of a one-form PDF) and share it: it is safe for concurrent use. Each document takes a shallow copy of the parsed font
// (gopdf's FontContainer) with its own glyph subset, so documents never see each other's characters.
type Renderer struct {
	fonts *gopdf.FontContainer
}

// NewRenderer parses the embedded font.
func NewRenderer() (*Renderer, error) {
	fc := &gopdf.FontContainer{}
	opt := gopdf.TtfOption{
		Style:                     gopdf.Regular,
		OnGlyphNotFoundSubstitute: func(rune) rune { return missingGlyph },
	}
	if err := fc.AddTTFFontDataWithOption(fontFamily, fontTTF, opt); err != nil {
		return nil, fmt.Errorf("printout: parse font: %w", err)
	}
	return &Renderer{fonts: fc}, nil
}

// Page geometry in millimetres (A4 portrait, 15 mm margins).
const (
	pageW    = 210.0
	pageH    = 297.0
	margin   = 15.0
	left     = margin
	right    = pageW - margin
	contentW = right - left
	top      = margin
	footerY  = pageH - margin - 3.5 // top of the footer line, inside the bottom margin's edge
	bottom   = footerY - 2.5        // the table never goes below this

	ptMM = 25.4 / 72 // one point in mm

	sizeTitle  = 18   // 小二
	sizeInfo   = 10.5 // 五号
	sizeLabel  = 10
	sizeValue  = 10.5
	sizeSmall  = 9
	sizeFooter = 8.5
	lineFactor = 1.45 // line height / font size

	padX     = 1.3
	padY     = 1.4
	rowMin   = 12.0 // minimum height of a field row
	resRow   = 10.5 // minimum height of a resume row
	photoW   = 25.0
	photoH   = 35.0
	photoPad = 2.0
	photoRow = 4 // the photo spans at most this many field rows

	opinionMin  = 72.0  // minimum height of the 聘用单位意见 box
	opinionKeep = 100.0 // a box that would fit on a fresh page is split only if this much room is left here

	thin  = 0.2
	thick = 0.5

	maxFieldLines  = 8 // longer values are cut with …; the app's own length limits are far below this
	maxResumeLines = 6
	maxInfoLines   = 3
	maxTitleLines  = 2
)

// Column widths (mm). Fields: label | value | label | value | photo. Resume: label | period | employer | post.
var (
	fieldCols  = [5]float64{25, 43, 25, 52, 35}
	resumeCols = [4]float64{25, 40, 75, 40}
	opinionCol = [2]float64{25, 155}
)

func lineH(size float64) float64 { return size * ptMM * lineFactor }

// PDF writes one A4 page per form (a long form flows onto further pages, each marked 续) to w. Nothing is written
// if a form has a photo that is not a valid JPEG: the error wraps ErrPhoto.
func (r *Renderer) PDF(w io.Writer, forms ...Form) (err error) {
	if len(forms) == 0 {
		return ErrNoForms
	}
	photos := make([]photoInfo, len(forms))
	for i := range forms {
		p, err := checkPhoto(forms[i].Photo)
		if err != nil {
			return formError(i, &forms[i], err)
		}
		photos[i] = p
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
	if err := gp.AddTTFFontFromFontContainer(fontFamily, r.fonts); err != nil {
		return fmt.Errorf("printout: pdf font: %w", err)
	}
	d := &pdfDoc{gp: gp, widths: map[float64]map[rune]float64{}}
	for i := range forms {
		f := cleanForm(&forms[i])
		d.form(&f, photos[i])
		if d.err != nil {
			return formError(i, &forms[i], d.err)
		}
	}
	_, err = gp.WriteTo(w)
	if err != nil {
		return fmt.Errorf("printout: write pdf: %w", err)
	}
	return nil
}

// cleanForm returns a copy of f with every string cleaned for printing.
func cleanForm(f *Form) Form {
	c := Form{
		Title:           clean(f.Title, true),
		PlanName:        clean(f.PlanName, false),
		Category:        clean(f.Category, false),
		Level:           clean(f.Level, false),
		Number:          clean(f.Number, false),
		Status:          clean(f.Status, false),
		SubmittedAt:     clean(f.SubmittedAt, false),
		EmployerOpinion: clean(f.EmployerOpinion, true),
		Photo:           f.Photo,
		Footer:          clean(f.Footer, false),
	}
	c.Fields = make([]Field, len(f.Fields))
	for i, fl := range f.Fields {
		c.Fields[i] = Field{Label: clean(fl.Label, true), Value: clean(fl.Value, true)}
	}
	c.Resume = make([]ResumeRow, len(f.Resume))
	for i, rr := range f.Resume {
		c.Resume[i] = ResumeRow{Period: clean(rr.Period, true), Employer: clean(rr.Employer, true), Post: clean(rr.Post, true)}
	}
	return c
}

// pdfDoc lays out forms on one gopdf document. The first error is kept in err and stops further drawing.
type pdfDoc struct {
	gp     *gopdf.GoPdf
	err    error
	size   float64
	widths map[float64]map[rune]float64 // rune widths (mm) per font size

	f        *Form
	y        float64
	page     int     // page of the current form, from 1
	inTable  bool    // a table frame is open
	frameTop float64 // top of the open table frame on this page
}

func (d *pdfDoc) setErr(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}

func (d *pdfDoc) setSize(size float64) {
	if d.err != nil || d.size == size {
		return
	}
	d.setErr(d.gp.SetFont(fontFamily, "", size))
	d.size = size
}

// runeW is the advance width of r at the current size in mm.
func (d *pdfDoc) runeW(r rune) float64 {
	m := d.widths[d.size]
	if m == nil {
		m = map[rune]float64{}
		d.widths[d.size] = m
	}
	if w, ok := m[r]; ok {
		return w
	}
	w, err := d.gp.MeasureTextWidth(string(r))
	if err != nil {
		d.setErr(err)
		w = 0
	}
	m[r] = w
	return w
}

func (d *pdfDoc) textW(s string) float64 {
	var w float64
	for _, r := range s {
		w += d.runeW(r)
	}
	return w
}

// noLineStart holds punctuation that must not begin a line (避头): it takes the previous character with it.
var noLineStart = map[rune]bool{}

func init() {
	for _, r := range "，。、；：？！）》」』】〕〉”’…,.;:?!)]}%·～" {
		noLineStart[r] = true
	}
}

func isWordRune(r rune) bool { return r < utf8.RuneSelf && r > ' ' }

// wrap breaks s (which may hold LF) into lines no wider than width at the current size. CJK text breaks between
// any two characters; runs of ASCII break at a space when there is one. With maxLines > 0, the last kept line ends
// with … when text was cut.
func (d *pdfDoc) wrap(s string, width float64, maxLines int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		cur := []rune{}
		curW := 0.0
		for _, r := range para {
			if r == ' ' && len(cur) == 0 && len(lines) > 0 {
				continue // no leading space on a wrapped line
			}
			w := d.runeW(r)
			if curW+w > width && len(cur) > 0 {
				cut := len(cur)
				if noLineStart[r] && cut > 1 {
					cut--
				} else if isWordRune(r) && isWordRune(cur[len(cur)-1]) {
					for i := len(cur) - 1; i > 0; i-- {
						if cur[i] == ' ' {
							cut = i + 1
							break
						}
						if !isWordRune(cur[i]) {
							break
						}
					}
				}
				lines = append(lines, strings.TrimRight(string(cur[:cut]), " "))
				cur = append([]rune{}, cur[cut:]...)
				curW = 0
				for _, c := range cur {
					curW += d.runeW(c)
				}
			}
			cur = append(cur, r)
			curW += w
		}
		lines = append(lines, strings.TrimRight(string(cur), " "))
	}
	// Drop trailing empty lines (a value ending in LF).
	for len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		last := []rune(lines[maxLines-1])
		ell := d.runeW('…')
		for len(last) > 0 && d.textW(string(last))+ell > width {
			last = last[:len(last)-1]
		}
		lines[maxLines-1] = string(last) + "…"
	}
	return lines
}

// Horizontal alignment of text in a cell.
const (
	alignLeft = iota
	alignCenter
)

// text draws one line with its em box's top at y.
func (d *pdfDoc) text(x, y float64, s string) {
	if d.err != nil || s == "" {
		return
	}
	d.gp.SetXY(x, y)
	d.setErr(d.gp.CellWithOption(&gopdf.Rect{W: d.textW(s) + 0.01, H: d.size * ptMM}, s,
		gopdf.CellOption{Align: gopdf.Left | gopdf.Top}))
}

// lines draws lines in the box x,y,w,h (padding included by the caller), centred vertically.
func (d *pdfDoc) lines(x, y, w, h float64, ls []string, align int) {
	lh := lineH(d.size)
	em := d.size * ptMM
	ty := y + (h-float64(len(ls))*lh)/2 + (lh-em)/2
	for i, l := range ls {
		lx := x
		if align == alignCenter {
			lx = x + (w-d.textW(l))/2
		}
		d.text(lx, ty+float64(i)*lh, l)
	}
}

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

// newPage starts a page of the current form, closing and reopening the table frame around the break.
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
	d.footer()
	if d.page > 1 {
		d.setSize(sizeSmall)
		head := d.f.Title
		if head == "" {
			head = "报名表"
		}
		head = strings.ReplaceAll(head, "\n", "") + "（续）"
		if d.f.Number != "" {
			head += "　" + lblNumber + d.f.Number
		}
		hl := d.wrap(head, contentW, 1)
		d.text(left, d.y, hl[0])
		d.y += lineH(sizeSmall) + 2
	}
	if d.inTable {
		d.frameTop = d.y
	}
}

func (d *pdfDoc) closeFrame() {
	if d.err != nil || d.y <= d.frameTop {
		return
	}
	d.gp.SetLineWidth(thick)
	d.gp.RectFromUpperLeftWithStyle(left, d.frameTop, contentW, d.y-d.frameTop, "D")
}

// ensure starts a new page unless h more millimetres fit on this one.
func (d *pdfDoc) ensure(h float64) {
	if d.y+h > bottom {
		d.newPage()
	}
}

func (d *pdfDoc) footer() {
	d.setSize(sizeFooter)
	d.gp.SetTextColor(64, 64, 64)
	if d.f.Footer != "" {
		d.text(left, footerY, d.wrap(d.f.Footer, contentW-25, 1)[0])
	}
	if d.page > 1 {
		p := fmt.Sprintf("第 %d 页", d.page)
		d.text(right-d.textW(p), footerY, p)
	}
	d.gp.SetTextColor(0, 0, 0)
}

// form lays out one form from a fresh page.
func (d *pdfDoc) form(f *Form, photo photoInfo) {
	d.f, d.page, d.inTable = f, 0, false
	d.newPage()

	// Title.
	d.setSize(sizeTitle)
	title := f.Title
	if title == "" {
		title = "报名表"
	}
	tl := d.wrap(title, contentW, maxTitleLines)
	d.lines(left, d.y, contentW, float64(len(tl))*lineH(sizeTitle), tl, alignCenter)
	d.y += float64(len(tl))*lineH(sizeTitle) + 4

	// Plan, category, level, number, status, time: label and value on borderless lines.
	d.infoRow([]float64{contentW}, lblPlan+f.PlanName)
	d.infoRow([]float64{70, 40, 70}, lblCategory+f.Category, lblLevel+f.Level, lblNumber+f.Number)
	d.infoRow([]float64{70, 110}, lblStatus+f.Status, lblSubmitted+f.SubmittedAt)
	d.y += 1.5

	d.inTable, d.frameTop = true, d.y
	d.fields(f.Fields, photo)
	d.resume(f.Resume)
	d.opinion(f.EmployerOpinion)
	d.closeFrame()
	d.inTable = false
}

func (d *pdfDoc) infoRow(widths []float64, texts ...string) {
	d.setSize(sizeInfo)
	lh := lineH(sizeInfo)
	var cols [][]string
	n := 1
	for i, t := range texts {
		ls := d.wrap(t, widths[i]-2, maxInfoLines)
		cols = append(cols, ls)
		n = max(n, len(ls))
	}
	d.ensure(float64(n) * lh)
	x := left
	for i, ls := range cols {
		for j, l := range ls {
			d.text(x, d.y+float64(j)*lh+(lh-sizeInfo*ptMM)/2, l)
		}
		x += widths[i]
	}
	d.y += float64(n) * lh
}

func (d *pdfDoc) fields(fields []Field, photo photoInfo) {
	nrows := max(1, (len(fields)+1)/2)
	k := min(nrows, photoRow)
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
			vw := fieldCols[1]
			if j == 1 {
				vw = fieldCols[3]
			}
			if len(a) == 1 { // an odd last field spans the rest of the row
				vw = fieldCols[1] + fieldCols[2] + fieldCols[3]
			}
			if !withPhoto && (j == 1 || len(a) == 1) {
				vw += fieldCols[4]
			}
			cs = append(cs,
				d.mkCell(fieldCols[2*j], fl.Label, sizeLabel, alignCenter, maxFieldLines),
				d.mkCell(vw, fl.Value, sizeValue, alignLeft, maxFieldLines))
		}
		if len(a) == 0 { // no fields at all: an empty row beside the photo
			cs = append(cs, cell{w: contentW - fieldCols[4], size: sizeValue})
		}
		h := rowMin
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
	px, py := left+contentW-fieldCols[4], d.y
	for i, r := range rows {
		if i >= k {
			d.ensure(r.h)
		}
		d.row(left, r.h, r.cells...)
		d.y += r.h
		if i == k-1 { // before any page break
			d.photo(px, py, fieldCols[4], sum, photo)
		}
	}
}

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
		d.text(bx+(photoW-d.textW("（一寸）"))/2, by+photoH/2+lineH(sizeLabel)/2+0.5, "（一寸）")
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

func (d *pdfDoc) resume(rows []ResumeRow) {
	header := []cell{
		d.mkCell(resumeCols[1], lblPeriod, sizeLabel, alignCenter, 1),
		d.mkCell(resumeCols[2], lblEmployer, sizeLabel, alignCenter, 1),
		d.mkCell(resumeCols[3], lblPost, sizeLabel, alignCenter, 1),
	}
	headerH := resRow
	for len(rows) < minResume {
		rows = append(rows, ResumeRow{})
	}
	type rrow struct {
		cells []cell
		h     float64
	}
	rs := make([]rrow, len(rows))
	for i, r := range rows {
		cs := []cell{
			d.mkCell(resumeCols[1], r.Period, sizeValue, alignCenter, maxResumeLines),
			d.mkCell(resumeCols[2], r.Employer, sizeValue, alignLeft, maxResumeLines),
			d.mkCell(resumeCols[3], r.Post, sizeValue, alignLeft, maxResumeLines),
		}
		h := resRow
		for _, c := range cs {
			h = max(h, d.cellHeight(c))
		}
		rs[i] = rrow{cs, h}
	}
	// Keep the header with at least two rows (the label needs height).
	first := headerH + rs[0].h + rs[1].h
	d.ensure(first)
	segTop := d.y
	x := left + resumeCols[0]
	d.row(x, headerH, header...)
	d.y += headerH
	for _, r := range rs {
		if d.y+r.h > bottom {
			d.vlabel(left, segTop, resumeCols[0], d.y-segTop, lblResume)
			d.newPage()
			segTop = d.y
			d.row(x, headerH, header...)
			d.y += headerH
		}
		d.row(x, r.h, r.cells...)
		d.y += r.h
	}
	d.vlabel(left, segTop, resumeCols[0], d.y-segTop, lblResume)
}

func (d *pdfDoc) opinion(text string) {
	d.setSize(sizeValue)
	inner := opinionCol[1] - 2*padX
	var ls []string
	if text != "" {
		ls = d.wrap(text, inner, 0)
	}
	lh := lineH(sizeValue)
	signH := 4 + 2*lh + 3 // gap, 单位（盖章）, 日期, space below
	x := left + opinionCol[0]
	cont := false // a part of the text is already printed on an earlier page
	for {
		avail := bottom - d.y
		need := 2*padY + float64(len(ls))*lh + signH
		if !cont {
			need = max(opinionMin, need)
		}
		if need <= avail {
			h := need
			d.box(x, d.y, opinionCol[1], h)
			for i, l := range ls {
				d.text(x+padX, d.y+padY+float64(i)*lh+(lh-sizeValue*ptMM)/2, l)
			}
			d.setSize(sizeValue)
			sx := x + opinionCol[1] - 62
			d.text(sx, d.y+h-padY-3-2*lh+(lh-sizeValue*ptMM)/2, lblSeal)
			d.text(sx, d.y+h-padY-3-lh+(lh-sizeValue*ptMM)/2, lblDate)
			d.vlabel(left, d.y, opinionCol[0], h, lblOpinion)
			d.y += h
			return
		}
		// Does not fit: move to a fresh page if the box fits there whole and little room is left here, or if too
		// little room is left here to be useful; otherwise print as many lines as fit and continue on the next page.
		fresh := bottom - top - lineH(sizeSmall) - 2
		if (!cont && need <= fresh && avail < opinionKeep) || avail < 2*padY+3*lh {
			d.newPage()
			continue
		}
		n := min(int((avail-2*padY)/lh), len(ls)-2) // at least two lines go with 单位（盖章）
		if n < 1 {
			d.newPage()
			continue
		}
		d.opinionPart(x, ls[:n])
		ls, cont = ls[n:], true
		d.newPage()
	}
}

// opinionPart draws a box holding some lines of the opinion text (a part before a page break).
func (d *pdfDoc) opinionPart(x float64, ls []string) {
	lh := lineH(sizeValue)
	h := bottom - d.y
	d.box(x, d.y, opinionCol[1], h)
	d.setSize(sizeValue)
	for i, l := range ls {
		d.text(x+padX, d.y+padY+float64(i)*lh+(lh-sizeValue*ptMM)/2, l)
	}
	d.vlabel(left, d.y, opinionCol[0], h, lblOpinion)
	d.y += h
}
