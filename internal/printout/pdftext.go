package printout

import (
	"strings"
	"unicode/utf8"

	"github.com/signintech/gopdf"
)

// Text: measuring, wrapping and drawing lines, switching to the fallback font for the characters that need it.

const (
	maxInfoLines  = 3
	maxTitleLines = 2
)

// Horizontal alignment of text in a cell.
const (
	alignLeft = iota
	alignCenter
)

func (d *pdfDoc) setSize(size float64) {
	if d.err != nil || d.size == size {
		return
	}
	d.setErr(d.gp.SetFont(fontFamily, "", size))
	d.size = size
}

// useFallback makes the fallback font current at the current size, adding it to the document on first use.
func (d *pdfDoc) useFallback() {
	if !d.fallback {
		fc, err := d.r.fallback()
		if err == nil {
			err = d.gp.AddTTFFontFromFontContainer(fallbackFamily, fc)
		}
		if err != nil {
			d.setErr(err)
			return
		}
		d.fallback = true
	}
	d.setErr(d.gp.SetFont(fallbackFamily, "", d.size))
}

// useMain makes the main font current again after useFallback.
func (d *pdfDoc) useMain() {
	d.setErr(d.gp.SetFont(fontFamily, "", d.size))
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
	if r > 0xFFFF {
		d.astral = true
	}
	fb := d.r.needsFallback(r)
	if fb {
		d.useFallback()
	}
	w, err := d.gp.MeasureTextWidth(string(r))
	if err != nil {
		d.setErr(err)
		w = 0
	}
	if fb {
		d.useMain()
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

// text draws one line with its em box's top at y. Characters the main font lacks but the fallback has are drawn
// in the fallback font; both are placed by their em box top, which lines up CJK faces.
func (d *pdfDoc) text(x, y float64, s string) {
	if d.err != nil || s == "" {
		return
	}
	for _, r := range s {
		if d.r.needsFallback(r) {
			for _, sg := range segments(s, d.fontClass) {
				x += d.run(x, y, sg.text, sg.class == 1)
			}
			return
		}
	}
	d.run(x, y, s, false)
}

// run draws s in one font and returns its width.
func (d *pdfDoc) run(x, y float64, s string, fallback bool) float64 {
	w := d.textW(s) // measures each character in its font, and leaves the main font current
	if fallback {
		d.useFallback()
	}
	d.gp.SetXY(x, y)
	d.setErr(d.gp.CellWithOption(&gopdf.Rect{W: w + 0.01, H: d.size * ptMM}, s, gopdf.CellOption{Align: gopdf.Left | gopdf.Top}))
	if fallback {
		d.useMain()
	}
	return w
}

// fontClass is 1 for a character printed in the fallback font, else 0.
func (d *pdfDoc) fontClass(r rune) int {
	if d.r.needsFallback(r) {
		return 1
	}
	return 0
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

// heading draws a title centred across the page, at most two lines, and moves below it.
func (d *pdfDoc) heading(title string) {
	d.setSize(sizeTitle)
	tl := d.wrap(title, contentW, maxTitleLines)
	d.lines(left, d.y, contentW, float64(len(tl))*lineH(sizeTitle), tl, alignCenter)
	d.y += float64(len(tl))*lineH(sizeTitle) + 4
}

// infoRow draws texts side by side in columns of the given widths without borders (a line under a heading such
// as 报名编号：…), each wrapped to at most three lines, and moves below the tallest.
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
