package printout

import (
	"fmt"
	"io"
	"strings"
)

// The 申请表 of a 证书申请 (LIFECYCLE §9–10): the 证书变更申请表 (a label/value table, then 变更前 | 变更后 side by side
// with the changed rows shaded) and the 证书进京申请表 (the label/value table only), each closed by the 申请人承诺
// and the 聘用企业承诺 with room to sign and seal.

// AppForm is one 申请表 as printed. All strings are user data: render them as text only.
type AppForm struct {
	Title    string       // 证书变更申请表 or 证书进京申请表
	Info     []Field      // the line under the title: 申请批次号, 申请日期, 变更类型 …
	Fields   []Field      // the label/value table, two pairs a row
	Compare  []CompareRow // 变更前 | 变更后 (change only)
	Pledges  []Pledge     // 申请人承诺, 聘用企业承诺
	Footer   string
	Document string // the reference named in an error (申请批次号)
}

// CompareRow is one row of 变更前 | 变更后; Changed rows are shaded.
type CompareRow struct {
	Label, Before, After string
	Changed              bool
}

// Pledge is a 承诺 box: its label, its text, and the lines to sign under it (申请人签字, 单位（盖章）, 日期 …).
type Pledge struct {
	Label string
	Text  string
	Sign  []string
}

// AppFormsPDF writes the 申请表 as PDF, one from a fresh page each.
func (r *Renderer) AppFormsPDF(w io.Writer, forms ...AppForm) error {
	return r.pdf(w, appDocs(forms))
}

// AppFormsDOCX writes the 申请表 as one Word document, one section each.
func AppFormsDOCX(out io.Writer, forms ...AppForm) error {
	return writeDOCX(out, appDocs(forms))
}

// Labels of the 变更前 | 变更后 table.
const (
	lblItem   = "项目"
	lblBefore = "变更前"
	lblAfter  = "变更后"
	lblApp    = "申请表"
)

type appDoc struct{ f AppForm }

func appDocs(forms []AppForm) []document {
	docs := make([]document, len(forms))
	for i := range forms {
		docs[i] = &appDoc{f: cleanAppForm(&forms[i])}
	}
	return docs
}

func cleanFields(fs []Field) []Field {
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = Field{Label: clean(f.Label, false), Value: clean(f.Value, true)}
	}
	return out
}

func cleanAppForm(f *AppForm) AppForm {
	c := AppForm{Title: clean(f.Title, false), Info: cleanFields(f.Info), Fields: cleanFields(f.Fields),
		Footer: clean(f.Footer, false), Document: clean(f.Document, false)}
	if c.Title == "" {
		c.Title = lblApp
	}
	for _, r := range f.Compare {
		c.Compare = append(c.Compare, CompareRow{Label: clean(r.Label, false), Before: clean(r.Before, true),
			After: clean(r.After, true), Changed: r.Changed})
	}
	for _, p := range f.Pledges {
		q := Pledge{Label: clean(p.Label, false), Text: clean(p.Text, true)}
		for _, s := range p.Sign {
			q.Sign = append(q.Sign, clean(s, false))
		}
		c.Pledges = append(c.Pledges, q)
	}
	return c
}

func (g *appDoc) ref() string {
	if g.f.Document == "" {
		return ""
	}
	return fmt.Sprintf("申请批次号 %q", []rune(g.f.Document)[:min(40, len([]rune(g.f.Document)))])
}

func (g *appDoc) check() error { return nil }

func (g *appDoc) contHead() string { return g.f.Title + "（续）　" + g.f.Document }

// Column widths (mm): fields label | value | label | value; compare label | before | after; pledge label | text.
var (
	appFields  = fieldGrid{cols: [5]float64{28, 62, 28, 62, 0}, photoRows: 0, rowMin: 10, maxLines: 6}
	appCompare = [3]float64{28, 76, 76}
	appPledge  = [2]float64{28, 152}
)

const (
	appRow    = 9.0
	pledgeMin = 30.0
)

func (g *appDoc) pdf(d *pdfDoc) {
	f := &g.f
	d.begin(f.Footer, g.contHead())
	d.heading(f.Title)
	infoLine(d, f.Info)
	d.y += 1.5
	d.openFrame()
	if len(f.Fields) > 0 {
		d.fieldTable(appFields, f.Fields, photoInfo{})
	}
	if len(f.Compare) > 0 {
		compareTable(d, f.Compare)
	}
	for _, p := range f.Pledges {
		pledgeBox(d, p)
	}
	d.endFrame()
}

// infoLine prints the info fields three a line.
func infoLine(d *pdfDoc, info []Field) {
	for i := 0; i < len(info); i += 3 {
		var texts []string
		var widths []float64
		for _, f := range info[i:min(i+3, len(info))] {
			texts, widths = append(texts, f.Label+"："+f.Value), append(widths, contentW/3)
		}
		d.infoRow(widths, texts...)
	}
}

// compareTable draws 项目 | 变更前 | 变更后, shading the changed rows' 变更后 cells.
func compareTable(d *pdfDoc, rows []CompareRow) {
	head := []cell{d.mkCell(appCompare[0], lblItem, sizeLabel, alignCenter, 1), d.mkCell(appCompare[1], lblBefore, sizeLabel, alignCenter, 1),
		d.mkCell(appCompare[2], lblAfter, sizeLabel, alignCenter, 1)}
	d.ensure(2 * appRow)
	d.row(left, appRow, head...)
	d.y += appRow
	for _, r := range rows {
		cs := []cell{d.mkCell(appCompare[0], r.Label, sizeLabel, alignCenter, 3), d.mkCell(appCompare[1], r.Before, sizeValue, alignLeft, 4),
			d.mkCell(appCompare[2], r.After, sizeValue, alignLeft, 4)}
		h := appRow
		for _, c := range cs {
			h = max(h, d.cellHeight(c))
		}
		d.ensure(h)
		if r.Changed && d.err == nil {
			d.gp.SetFillColor(225, 225, 225)
			d.gp.RectFromUpperLeftWithStyle(left+appCompare[0]+appCompare[1], d.y, appCompare[2], h, "F")
			d.gp.SetFillColor(0, 0, 0)
		}
		d.row(left, h, cs...)
		d.y += h
	}
}

// pledgeBox draws a 承诺 with its label in a narrow cell, the text, and the sign lines at its foot, on one page.
func pledgeBox(d *pdfDoc, p Pledge) {
	d.setSize(sizeValue)
	inner := appPledge[1] - 2*padX
	var ls []string
	if p.Text != "" {
		ls = d.wrap(p.Text, inner, 12)
	}
	lh := lineH(sizeValue)
	h := max(pledgeMin, 2*padY+float64(len(ls)+len(p.Sign))*lh+6)
	d.ensure(h)
	x := left + appPledge[0]
	d.box(x, d.y, appPledge[1], h)
	for i, l := range ls {
		d.text(x+padX, d.y+padY+float64(i)*lh+(lh-sizeValue*ptMM)/2, l)
	}
	sx := x + appPledge[1] - 80
	for i, s := range p.Sign {
		d.text(sx, d.y+h-padY-float64(len(p.Sign)-i)*lh+(lh-sizeValue*ptMM)/2, s)
	}
	d.vlabel(left, d.y, appPledge[0], h, p.Label)
	d.y += h
}

// appDocxGrid is the union of the column boundaries: fields 28 | 62 | 28 | 62, compare 28 | 76 | 76, pledge 28 | 152.
var appDocxGrid = []float64{28, 62, 14, 14, 62}

func (g *appDoc) docx(w *docxWriter) {
	f := &g.f
	w.para(f.Title, runProps{size: sizeTitle, bold: true, font: "黑体", center: true}, "", `<w:spacing w:after="160"/>`)
	tabs := fmt.Sprintf(`<w:tabs><w:tab w:val="left" w:pos="%d"/><w:tab w:val="left" w:pos="%d"/></w:tabs>`, twips(60), twips(120))
	for i := 0; i < len(f.Info); i += 3 {
		var items []string
		for _, x := range f.Info[i:min(i+3, len(f.Info))] {
			items = append(items, x.Label+"："+x.Value)
		}
		w.infoPara(items, runProps{size: sizeInfo}, tabs+`<w:spacing w:after="80"/>`)
	}
	w.tableStart(appDocxGrid)
	for i := 0; i < len(f.Fields); i += 2 {
		w.trStart(appFields.rowMin)
		w.textCell(0, 1, f.Fields[i].Label, labelProps)
		if i+1 >= len(f.Fields) {
			w.textCell(1, 4, f.Fields[i].Value, valueProps)
		} else {
			w.textCell(1, 1, f.Fields[i].Value, valueProps)
			w.textCell(2, 2, f.Fields[i+1].Label, labelProps)
			w.textCell(4, 1, f.Fields[i+1].Value, valueProps)
		}
		w.s("</w:tr>")
	}
	if len(f.Compare) > 0 {
		w.trStart(appRow)
		w.textCell(0, 1, lblItem, labelProps)
		w.textCell(1, 2, lblBefore, labelProps)
		w.textCell(3, 2, lblAfter, labelProps)
		w.s("</w:tr>")
		for _, r := range f.Compare {
			w.trStart(appRow)
			w.textCell(0, 1, r.Label, labelProps)
			w.textCell(1, 2, r.Before, valueProps)
			if r.Changed {
				w.shade = "E1E1E1"
			}
			w.textCell(3, 2, r.After, valueProps)
			w.s("</w:tr>")
		}
	}
	for _, p := range f.Pledges {
		w.trStart(pledgeMin)
		w.tc(0, 1, "", "center", func() { w.vlabelPara(p.Label) })
		w.tc(1, 4, "", "top", func() {
			if p.Text != "" {
				w.para(p.Text, valueProps, "", `<w:spacing w:before="60"/>`)
			}
			ind := fmt.Sprintf(`<w:ind w:left="%d"/>`, twips(appPledge[1]-80-padX))
			for i, s := range p.Sign {
				before := 60
				if i == 0 {
					before = 240
				}
				w.para(s, valueProps, "", fmt.Sprintf(`<w:spacing w:before="%d"/>`, before)+ind)
			}
		})
		w.s("</w:tr>")
	}
	w.tableEnd()
	w.sectionEnd(f.Footer)
}

// SignLine is a line to sign on: a label and room after it.
func SignLine(label string) string { return label + strings.Repeat("　", 6) }
