package printout

import "fmt"

// The 报名表 as a Word section: one table holds the fields, the 个人简历 and the 聘用单位意见.

// docxGrid is the table's column grid in mm: the union of the PDF's field, resume and opinion columns:
// fields 25 | 40+3 | 25 | 47+5 | 35, resume 25 | 40 | 3+25+47 | 5+35, opinion 25 | 155.
var docxGrid = []float64{25, 40, 3, 25, 47, 5, 35}

func (g *registration) docx(w *docxWriter) {
	f := &g.f
	w.para(g.title(), runProps{size: sizeTitle, bold: true, font: "黑体", center: true}, "", `<w:spacing w:after="160"/>`)
	info := runProps{size: sizeInfo}
	w.para(lblPlan+f.PlanName, info, "", "")
	tabs := fmt.Sprintf(`<w:tabs><w:tab w:val="left" w:pos="%d"/><w:tab w:val="left" w:pos="%d"/></w:tabs>`, twips(70), twips(110))
	w.infoPara([]string{lblCategory + f.Category, lblLevel + f.Level, lblNumber + f.Number}, info, tabs)
	w.infoPara([]string{lblStatus + f.Status, lblSubmitted + f.SubmittedAt}, info, tabs+`<w:spacing w:after="100"/>`)

	w.tableStart(docxGrid)
	docxFieldRows(w, f.Fields, g.photo)
	docxResumeRows(w, f.Resume)
	docxOpinionRow(w, f.EmployerOpinion)
	w.tableEnd()
	w.sectionEnd(f.Footer)
}

func docxFieldRows(w *docxWriter, fields []Field, photo photoInfo) {
	nrows := max(1, (len(fields)+1)/2)
	k := min(nrows, regFields.photoRows)
	rowH := max(regFields.rowMin, (photoH+2*photoPad)/float64(k))
	for i := 0; i < nrows; i++ {
		withPhoto := i < k
		h := regFields.rowMin
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

func docxResumeRows(w *docxWriter, rows []ResumeRow) {
	for len(rows) < minResume {
		rows = append(rows, ResumeRow{})
	}
	label := func(first bool) {
		if first {
			w.tc(0, 1, "restart", "center", func() { w.vlabelPara(lblResume) })
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

func docxOpinionRow(w *docxWriter, text string) {
	w.trStart(opinionMin)
	w.tc(0, 1, "", "center", func() { w.vlabelPara(lblOpinion) })
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
