package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"sync"
	"testing"
)

// fill returns a w×h image painted by f.
func fill(w, h int, f func(x, y int) color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, f(x, y))
		}
	}
	return img
}

func solid(w, h int, c color.RGBA) *image.RGBA {
	return fill(w, h, func(int, int) color.RGBA { return c })
}

var (
	red   = color.RGBA{255, 0, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	green = color.RGBA{0, 200, 0, 255}
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
)

// quadrants paints the four quadrants red, green / blue, black (top-left, top-right / bottom-left, bottom-right).
func quadrants(w, h int) *image.RGBA {
	return fill(w, h, func(x, y int) color.RGBA {
		switch {
		case x < w/2 && y < h/2:
			return red
		case y < h/2:
			return green
		case x < w/2:
			return blue
		}
		return black
	})
}

// photoLike paints something with the statistics of a portrait photo: smooth gradients, a face-like blob,
// mid-scale texture and sensor noise, so that JPEG sizes are realistic.
func photoLike(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	const cell = 32
	gw, gh := w/cell+2, h/cell+2
	grid := make([]float64, gw*gh)
	for i := range grid {
		grid[i] = rng.Float64()*60 - 30
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)*0.45
	rx, ry := float64(w)*0.22, float64(h)*0.3
	var state uint32 = uint32(seed) | 1
	for y := 0; y < h; y++ {
		gy, fy := y/cell, float64(y%cell)/cell
		for x := 0; x < w; x++ {
			gx, fx := x/cell, float64(x%cell)/cell
			tex := grid[gy*gw+gx]*(1-fx)*(1-fy) + grid[gy*gw+gx+1]*fx*(1-fy) +
				grid[(gy+1)*gw+gx]*(1-fx)*fy + grid[(gy+1)*gw+gx+1]*fx*fy
			state ^= state << 13
			state ^= state >> 17
			state ^= state << 5
			noise := float64(state%17) - 8
			r, g, b := 200-float64(y)*60/float64(h), 210.0, 235-float64(x)*40/float64(w)
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			if dx*dx+dy*dy < 1 {
				r, g, b = 225+tex, 180+tex, 150+tex
				if (x/7+y/5)%9 == 0 { // hair-like stripes
					r, g, b = 60, 40, 30
				}
			}
			img.Pix[y*img.Stride+4*x] = clamp(r + noise)
			img.Pix[y*img.Stride+4*x+1] = clamp(g + noise)
			img.Pix[y*img.Stride+4*x+2] = clamp(b + noise)
			img.Pix[y*img.Stride+4*x+3] = 255
		}
	}
	return img
}

func clamp(v float64) uint8 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}

// encJPEG encodes img and inserts segs (complete marker segments) right after SOI.
func encJPEG(t testing.TB, img image.Image, q int, segs ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	out := append([]byte{}, enc[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, enc[2:]...)
}

func encPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// segment builds a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifAPP1 builds an APP1 Exif segment with a big-endian TIFF header and an IFD0 holding an ImageDescription (if
// desc is not empty) and the Orientation tag (if orientation is not 0).
func exifAPP1(orientation int, desc string) []byte {
	type entry struct {
		tag, typ uint16
		count    uint32
		value    []byte
	}
	var entries []entry
	if desc != "" {
		entries = append(entries, entry{0x010e, 2, uint32(len(desc) + 1), nil})
	}
	if orientation != 0 {
		entries = append(entries, entry{0x0112, 3, 1, []byte{0, byte(orientation), 0, 0}})
	}
	be := binary.BigEndian
	t := []byte("MM\x00\x2a\x00\x00\x00\x08")
	t = be.AppendUint16(t, uint16(len(entries)))
	dataOff := uint32(8 + 2 + 12*len(entries) + 4)
	for _, e := range entries {
		t = be.AppendUint16(t, e.tag)
		t = be.AppendUint16(t, e.typ)
		t = be.AppendUint32(t, e.count)
		if e.value != nil {
			t = append(t, e.value...)
		} else {
			t = be.AppendUint32(t, dataOff)
		}
	}
	t = be.AppendUint32(t, 0) // no next IFD
	if desc != "" {
		t = append(append(t, desc...), 0)
	}
	return segment(0xe1, append([]byte("Exif\x00\x00"), t...))
}

// pngChunk builds a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngBomb is a tiny PNG whose header claims w×h RGB pixels.
func pngBomb(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8 bit, truecolour, deflate, adaptive filter, no interlace
	// zlib stream: one stored, final block holding a single zero byte (a filter byte of the first row).
	idat := []byte{0x78, 0x01, 0x01, 0x01, 0x00, 0xfe, 0xff, 0x00, 0x00, 0x01, 0x00, 0x01}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", idat)...)
	return append(out, pngChunk("IEND", nil)...)
}

// jpegBomb is a tiny JPEG whose frame header claims w×h pixels (sof 0xc0 baseline, 0xc2 progressive, 4:4:4).
func jpegBomb(sof byte, w, h uint16) []byte {
	out := []byte{0xff, 0xd8}
	f := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0}
	out = append(out, segment(sof, f)...)
	out = append(out, segment(0xda, []byte{3, 1, 0, 2, 0, 3, 0, 0, 63, 0})...)
	return append(out, 0xff, 0xd9)
}

// jpegMarkers lists the markers of a JPEG's segments up to and including SOS.
func jpegMarkers(t testing.TB, data []byte) []byte {
	t.Helper()
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		t.Fatalf("no SOI")
	}
	var ms []byte
	for i := 2; ; {
		if i+4 > len(data) || data[i] != 0xff {
			t.Fatalf("bad marker at %d", i)
		}
		m := data[i+1]
		ms = append(ms, m)
		if m == 0xda {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
}

// wantErr checks that err is an *Error with message msg.
func wantErr(t testing.TB, err error, msg string) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *Error %q", err, err, msg)
	}
	if pe.Msg != msg || err.Error() != msg {
		t.Fatalf("err = %q, want %q", pe.Msg, msg)
	}
}

// near reports whether c is within tol of want in each channel.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { v := int(a>>8) - int(b); return v >= -tol && v <= tol }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

var (
	bigOnce sync.Once
	bigJPEG []byte
)

// big12MP is a 4000×3000 photo-like JPEG at quality 92, made once.
func big12MP(t testing.TB) []byte {
	bigOnce.Do(func() {
		bigJPEG = encJPEG(t, photoLike(4000, 3000, 42), 92)
	})
	return bigJPEG
}
