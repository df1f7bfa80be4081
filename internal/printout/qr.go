package printout

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"unicode/utf8"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// QR codes (for the 准考证 and 证书 to carry a verification address). yeqown/go-qrcode/v2 (MIT) builds the module
// matrix in memory; the PDF draws it as filled squares (vector: sharp at any size, a few hundred bytes), the .docx
// as a small two-colour PNG, since WordprocessingML has no simple vector shape for it.

// qrQuiet is the blank margin the standard asks for around the symbol, in modules. It is inside the size a caller
// gives, so nothing drawn next to the code can eat into it.
const qrQuiet = 4

// qrModules returns the symbol for payload as rows of modules, true for dark, without the quiet zone. Level Q
// (25 % of the symbol may be lost) survives smudges and folds on paper. Text beyond ASCII is encoded as UTF-8 bytes,
// which every phone scanner reads, rather than left to the library's Shift JIS detection.
func qrModules(payload string) ([][]bool, error) {
	if payload == "" {
		return nil, errors.New("printout: empty QR code payload")
	}
	opts := []qrcode.EncodeOption{qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionQuart)}
	for _, r := range payload {
		if r >= utf8.RuneSelf {
			opts = append(opts, qrcode.WithEncodingMode(qrcode.EncModeByte))
			break
		}
	}
	q, err := qrcode.NewWith(payload, opts...)
	if err != nil {
		return nil, fmt.Errorf("printout: QR code: %w", err)
	}
	var m qrMatrix
	if err := q.Save(&m); err != nil {
		return nil, fmt.Errorf("printout: QR code: %w", err)
	}
	return m.bits, nil
}

// qrMatrix receives the finished matrix from the library (its Writer interface), instead of an image file.
type qrMatrix struct{ bits [][]bool }

func (m *qrMatrix) Write(mat qrcode.Matrix) error {
	m.bits = mat.Bitmap()
	return nil
}

func (m *qrMatrix) Close() error { return nil }

// qr draws a QR code carrying payload in the size×size mm box at x,y (quiet zone included). Modules should come
// out at 0.4 mm or more for phone cameras: a 25 mm box keeps them so up to version 9 (130 bytes at level Q).
func (d *pdfDoc) qr(x, y, size float64, payload string) {
	if d.err != nil {
		return
	}
	bits, err := qrModules(payload)
	if err != nil {
		d.setErr(err)
		return
	}
	n := len(bits)
	m := size / float64(n+2*qrQuiet)
	x0, y0 := x+qrQuiet*m, y+qrQuiet*m
	d.gp.SetFillColor(0, 0, 0)
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
			// One rectangle per run of dark modules keeps the content stream small.
			d.gp.RectFromUpperLeftWithStyle(x0+float64(col)*m, y0+float64(row)*m, float64(end-col)*m, m, "F")
			col = end
		}
	}
}

// qrPNG renders the symbol with its quiet zone at px pixels a module as a 1-bit PNG.
func qrPNG(payload string, px int) ([]byte, error) {
	bits, err := qrModules(payload)
	if err != nil {
		return nil, err
	}
	side := (len(bits) + 2*qrQuiet) * px
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for row, line := range bits {
		for col, dark := range line {
			if !dark {
				continue
			}
			x0, y0 := (col+qrQuiet)*px, (row+qrQuiet)*px
			for y := y0; y < y0+px; y++ {
				for x := x0; x < x0+px; x++ {
					img.SetColorIndex(x, y, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
