package printout

import "strconv"

// The 准考证 on one A4 page: the fields beside the photo, 工作单位 and 考点 across, the subjects beside the QR code,
// then 考生须知.

var (
	ticketFields  = fieldGrid{cols: [5]float64{25, 50, 25, 45, 35}, photoRows: 4, rowMin: 10, maxLines: 3}
	ticketWide    = [2]float64{25, 155}
	ticketSubject = [3]float64{70, 40, 35} // 考试科目 | 考试日期 | 考试时间, beside the QR column (35)
)

const (
	ticketRow    = 8.5  // a subject row
	ticketQR     = 30.0 // the QR code with its quiet zone
	ticketQRCell = 35.0 // the QR column's width
	maxRuleLines = 3
)

func (k *ticket) pdf(d *pdfDoc) {
	t := &k.t
	d.begin(t.Footer, k.title()+"（续）　"+lblTNo+"："+t.TicketNo)
	d.heading(k.title())

	d.openFrame()
	d.fieldTable(ticketFields, k.fields(), k.photo)
	for _, f := range k.wideFields() {
		l := d.mkCell(ticketWide[0], f.Label, sizeLabel, alignCenter, 2)
		v := d.mkCell(ticketWide[1], f.Value, sizeValue, alignLeft, 3)
		h := max(ticketFields.rowMin, d.cellHeight(l), d.cellHeight(v))
		d.ensure(h)
		d.row(left, h, l, v)
		d.y += h
	}
	k.subjectsPDF(d)
	k.rulesPDF(d)
	d.endFrame()
}

// subjectsPDF draws the subjects table with the QR code in a column beside it.
func (k *ticket) subjectsPDF(d *pdfDoc) {
	subjects := k.t.Subjects
	if len(subjects) == 0 {
		subjects = []TicketSubject{{}}
	}
	header := []cell{
		d.mkCell(ticketSubject[0], lblTSubject, sizeLabel, alignCenter, 1),
		d.mkCell(ticketSubject[1], lblTDate, sizeLabel, alignCenter, 1),
		d.mkCell(ticketSubject[2], lblTTime, sizeLabel, alignCenter, 1),
	}
	rows := make([][]cell, len(subjects))
	heights := make([]float64, len(subjects))
	total := ticketRow
	for i, s := range subjects {
		rows[i] = []cell{
			d.mkCell(ticketSubject[0], s.Name, sizeValue, alignLeft, 2),
			d.mkCell(ticketSubject[1], s.Date, sizeValue, alignCenter, 2),
			d.mkCell(ticketSubject[2], s.Time, sizeValue, alignCenter, 2),
		}
		heights[i] = ticketRow
		for _, c := range rows[i] {
			heights[i] = max(heights[i], d.cellHeight(c))
		}
		total += heights[i]
	}
	// The rows together are at least as tall as the QR cell: the last row takes the rest.
	need := ticketQR + lineH(sizeSmall) + 2*padY
	if total < need {
		heights[len(heights)-1] += need - total
		total = need
	}
	d.ensure(total)
	top := d.y
	d.row(left, ticketRow, header...)
	d.y += ticketRow
	for i, r := range rows {
		d.row(left, heights[i], r...)
		d.y += heights[i]
	}
	qx := right - ticketQRCell
	d.box(qx, top, ticketQRCell, total)
	qy := top + (total-ticketQR-lineH(sizeSmall))/2
	d.qr(qx+(ticketQRCell-ticketQR)/2, qy, ticketQR, k.t.Token)
	d.setSize(sizeSmall)
	d.text(qx+(ticketQRCell-d.textW(k.t.Kind.QRLabel()))/2, qy+ticketQR, k.t.Kind.QRLabel())
}

// rulesPDF draws 考生须知: a vertical label beside the numbered rules.
func (k *ticket) rulesPDF(d *pdfDoc) {
	d.setSize(sizeSmall)
	inner := ticketWide[1] - 2*padX
	var ls []string
	for i, r := range k.rules() {
		ls = append(ls, d.wrap(strconv.Itoa(i+1)+". "+r, inner, maxRuleLines)...)
	}
	lh := lineH(sizeSmall)
	h := max(float64(len(ls))*lh+2*padY+2, 30)
	d.ensure(h)
	x := left + ticketWide[0]
	d.box(x, d.y, ticketWide[1], h)
	for i, l := range ls {
		d.text(x+padX, d.y+padY+1+float64(i)*lh+(lh-sizeSmall*ptMM)/2, l)
	}
	d.vlabel(left, d.y, ticketWide[0], h, lblTRules)
	d.y += h
}
