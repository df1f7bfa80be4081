package printout

import "strconv"

// The 准考证 as a Word section: three tables one under the other (the fields with the photo, the subjects with the
// QR code, 考生须知), each on its own column grid, as the PDF draws them.

var (
	ticketDocxFields   = []float64{25, 50, 25, 45, 35}
	ticketDocxSubjects = []float64{70, 40, 35, 35}
	ticketDocxRules    = []float64{25, 155}
)

func (k *ticket) docx(w *docxWriter) {
	t := &k.t
	w.para(k.title(), runProps{size: sizeTitle, bold: true, font: "黑体", center: true}, "", `<w:spacing w:after="160"/>`)

	w.tableStart(ticketDocxFields)
	fs := k.fields()
	rowH := max(ticketFields.rowMin, (photoH+2*photoPad)/float64(len(fs)/2))
	for i := 0; i < len(fs); i += 2 {
		w.trStart(rowH)
		w.textCell(0, 1, fs[i].Label, labelProps)
		w.textCell(1, 1, fs[i].Value, valueProps)
		w.textCell(2, 1, fs[i+1].Label, labelProps)
		w.textCell(3, 1, fs[i+1].Value, valueProps)
		if i == 0 {
			w.tc(4, 1, "restart", "center", func() { w.photo(k.photo) })
		} else {
			w.tc(4, 1, "continue", "", nil)
		}
		w.s("</w:tr>")
	}
	for _, f := range k.wideFields() {
		w.trStart(ticketFields.rowMin)
		w.textCell(0, 1, f.Label, labelProps)
		w.textCell(1, 4, f.Value, valueProps)
		w.s("</w:tr>")
	}
	w.tableEnd()

	w.tableStart(ticketDocxSubjects)
	subjects := t.Subjects
	if len(subjects) == 0 {
		subjects = []TicketSubject{{}}
	}
	qrRow := func(first bool) {
		if first {
			w.tc(3, 1, "restart", "center", func() {
				w.qr(ticketQR, t.Token)
				w.para(k.t.Kind.QRLabel(), runProps{size: sizeSmall, center: true}, "", "")
			})
		} else {
			w.tc(3, 1, "continue", "", nil)
		}
	}
	w.trStart(ticketRow)
	w.textCell(0, 1, lblTSubject, labelProps)
	w.textCell(1, 1, lblTDate, labelProps)
	w.textCell(2, 1, lblTTime, labelProps)
	qrRow(true)
	w.s("</w:tr>")
	subjH := max(ticketRow, (ticketQR+10-ticketRow)/float64(len(subjects)))
	for _, s := range subjects {
		w.trStart(subjH)
		w.textCell(0, 1, s.Name, valueProps)
		w.textCell(1, 1, s.Date, runProps{size: sizeValue, center: true})
		w.textCell(2, 1, s.Time, runProps{size: sizeValue, center: true})
		qrRow(false)
		w.s("</w:tr>")
	}
	w.tableEnd()

	w.tableStart(ticketDocxRules)
	w.trStart(30)
	w.tc(0, 1, "", "center", func() { w.vlabelPara(lblTRules) })
	w.tc(1, 1, "", "top", func() {
		for i, r := range k.rules() {
			w.para(strconv.Itoa(i+1)+". "+r, runProps{size: sizeSmall}, "", `<w:spacing w:before="40"/>`)
		}
	})
	w.s("</w:tr>")
	w.tableEnd()
	w.sectionEnd(t.Footer)
}
