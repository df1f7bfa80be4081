package printout

// The 报名表 on PDF pages.

const (
	resRow         = 10.5  // minimum height of a resume row
	opinionMin     = 72.0  // minimum height of the 聘用单位意见 box
	opinionKeep    = 100.0 // a box that would fit on a fresh page is split only if this much room is left here
	maxResumeLines = 6
)

// Column widths (mm). Fields: label | value | label | value | photo. Resume: label | period | employer | post.
var (
	regFields  = fieldGrid{cols: [5]float64{25, 43, 25, 52, 35}, photoRows: 4, rowMin: 12, maxLines: 8}
	resumeCols = [4]float64{25, 40, 75, 40}
	opinionCol = [2]float64{25, 155}
)

func (g *registration) pdf(d *pdfDoc) {
	f := &g.f
	d.begin(f.Footer, g.contHead())
	d.heading(g.title())

	// Plan, category, level, number, status, time: label and value on borderless lines.
	d.infoRow([]float64{contentW}, lblPlan+f.PlanName)
	d.infoRow([]float64{70, 40, 70}, lblCategory+f.Category, lblLevel+f.Level, lblNumber+f.Number)
	d.infoRow([]float64{70, 110}, lblStatus+f.Status, lblSubmitted+f.SubmittedAt)
	d.y += 1.5

	d.openFrame()
	d.fieldTable(regFields, f.Fields, g.photo)
	resumeTable(d, f.Resume)
	opinionBox(d, f.EmployerOpinion)
	d.endFrame()
}

// resumeTable draws the 个人简历: a vertical label beside a header row and at least minResume rows; the header
// repeats on each page the table reaches.
func resumeTable(d *pdfDoc, rows []ResumeRow) {
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

// opinionBox draws the 聘用单位意见 with 单位（盖章） and 日期 at its foot; a long text continues on further pages.
func opinionBox(d *pdfDoc, text string) {
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
		opinionPart(d, x, ls[:n])
		ls, cont = ls[n:], true
		d.newPage()
	}
}

// opinionPart draws a box holding some lines of the opinion text (a part before a page break).
func opinionPart(d *pdfDoc, x float64, ls []string) {
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
