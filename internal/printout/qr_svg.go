package printout

import (
	"strconv"
	"strings"
)

// QRSVG returns an <svg> element of the QR code carrying payload, sizePx wide, for a web page (the ticket page):
// one path of the dark modules, with the quiet zone. The payload is never written into the markup, only the
// modules, so the element is safe to embed as it is.
func QRSVG(payload string, sizePx int) (string, error) {
	bits, err := qrModules(payload)
	if err != nil {
		return "", err
	}
	n := len(bits) + 2*qrQuiet
	var b strings.Builder
	side := strconv.Itoa(n)
	px := strconv.Itoa(sizePx)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + px + `" height="` + px + `" viewBox="0 0 ` + side + ` ` + side +
		`" shape-rendering="crispEdges" role="img" aria-label="签到二维码"><rect width="` + side + `" height="` + side + `" fill="#fff"/><path fill="#000" d="`)
	for row, line := range bits {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			end := col
			for end < len(line) && line[end] {
				end++
			}
			b.WriteString("M" + strconv.Itoa(col+qrQuiet) + " " + strconv.Itoa(row+qrQuiet) + "h" + strconv.Itoa(end-col) + "v1h-" + strconv.Itoa(end-col) + "z")
			col = end
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
