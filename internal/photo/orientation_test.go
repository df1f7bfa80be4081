package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"testing"

	"github.com/disintegration/imaging"
)

// asymmetric has no symmetry, so every orientation gives a different picture. It is smooth: resampling a sharp edge
// overshoots, imaging clamps the overshoot to 8 bits between its horizontal and vertical pass, and so near sharp edges
// the result depends on which pass comes first, which differs between resizing before and after a 90° turn.
func asymmetric(w, h int) *image.RGBA {
	return fill(w, h, func(x, y int) color.RGBA {
		return color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((3*x + y) * 255 / (3*w + h)), 255}
	})
}

// For every orientation, cropping the oriented picture is the same as cropping the mapped box from the stored
// picture and orienting the result.
func TestSourceRectMatchesImagingTransforms(t *testing.T) {
	stored := asymmetric(60, 40)
	boxes := []image.Rectangle{
		image.Rect(0, 0, 10, 14), image.Rect(3, 5, 20, 30), image.Rect(7, 1, 8, 2), image.Rect(0, 0, 40, 40),
	}
	for o := 1; o <= 8; o++ {
		whole := orient(imaging.Clone(stored), o)
		sw, sh := 60, 40
		if swapsAxes(o) {
			if whole.Bounds().Dx() != 40 || whole.Bounds().Dy() != 60 {
				t.Fatalf("orientation %d: %v", o, whole.Bounds())
			}
		}
		for _, box := range boxes {
			if !box.In(whole.Bounds()) {
				continue
			}
			want := imaging.Crop(whole, box)
			got := orient(imaging.Crop(stored, sourceRect(box, o, sw, sh)), o)
			if !bytes.Equal(got.Pix, want.Pix) || got.Bounds() != want.Bounds() {
				t.Errorf("orientation %d box %v: mapped crop differs", o, box)
			}
		}
	}
}

// For every orientation, Process gives what imaging's own pipeline gives: decode with AutoOrientation, crop, resize.
func TestRenderMatchesImagingAutoOrientation(t *testing.T) {
	stored := asymmetric(640, 500)
	for o := 1; o <= 8; o++ {
		in := encJPEG(t, stored, 95, exifAPP1(o, "orientation test"))
		ref, err := imaging.Decode(bytes.NewReader(in), imaging.AutoOrientation(true))
		if err != nil {
			t.Fatal(err)
		}
		info, err := Inspect(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if info.Orientation != o || info.Width != ref.Bounds().Dx() || info.Height != ref.Bounds().Dy() {
			t.Fatalf("orientation %d: Inspect %+v, imaging %v", o, info, ref.Bounds())
		}
		for _, crop := range []Crop{{}, {X: 30, Y: 40, W: 300, H: 420}} {
			box, err := cropBox(crop, info.Width, info.Height, Standard)
			if err != nil {
				t.Fatal(err)
			}
			want := flatten(imaging.Resize(imaging.Crop(ref, box), 295, 413, imaging.Lanczos))
			src, _, err := image.Decode(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			got := render(src, o, box, Standard)
			if d := maxDiff(got, want); d > 3 {
				t.Errorf("orientation %d crop %+v: max channel difference %d", o, crop, d)
			}
		}
	}
}

func maxDiff(a, b *image.RGBA) int {
	if a.Bounds() != b.Bounds() {
		return 256
	}
	m := 0
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		m = max(m, d, -d)
	}
	return m
}

func TestExifOrientationParsing(t *testing.T) {
	jpg := encJPEG(t, solid(16, 16, white), 80)
	le := func(o uint16, typ uint16, count uint32) []byte {
		t := []byte("II\x2a\x00\x08\x00\x00\x00\x01\x00")
		t = binary.LittleEndian.AppendUint16(t, 0x0112)
		t = binary.LittleEndian.AppendUint16(t, typ)
		t = binary.LittleEndian.AppendUint32(t, count)
		t = binary.LittleEndian.AppendUint32(t, uint32(o))
		return segment(0xe1, append([]byte("Exif\x00\x00"), append(t, 0, 0, 0, 0)...))
	}
	with := func(segs ...[]byte) []byte {
		out := append([]byte{}, jpg[:2]...)
		for _, s := range segs {
			out = append(out, s...)
		}
		return append(out, jpg[2:]...)
	}
	cases := []struct {
		name string
		data []byte
		want int
	}{
		{"none", jpg, 1},
		{"big-endian 6", with(exifAPP1(6, "")), 6},
		{"big-endian 8 after a description", with(exifAPP1(8, "a camera")), 8},
		{"little-endian 3", with(le(3, 3, 1)), 3},
		{"little-endian LONG 5", with(le(5, 4, 1)), 5},
		{"out of range 9", with(le(9, 3, 1)), 1},
		{"zero", with(le(0, 3, 1)), 1},
		{"wrong type", with(le(6, 2, 1)), 1},
		{"count 2", with(le(6, 3, 2)), 1},
		{"no tag", with(exifAPP1(0, "just a description")), 1},
		{"fill bytes before APP1", with([]byte{0xff, 0xff}, exifAPP1(6, "")), 6},
		{"only the first Exif counts", with(exifAPP1(3, ""), exifAPP1(6, "")), 3},
		{"after SOS ignored", append(append([]byte{}, jpg[:len(jpg)-2]...), exifAPP1(6, "")...), 1},
		{"truncated segment", with(exifAPP1(6, ""))[:20], 1},
		{"bad IFD offset", with(segment(0xe1, []byte("Exif\x00\x00MM\x00\x2a\xff\xff\xff\xf0"))), 1},
		{"bad byte order", with(segment(0xe1, []byte("Exif\x00\x00XX\x00\x2a\x00\x00\x00\x08"))), 1},
		{"not a jpeg", []byte("\x89PNG\r\n\x1a\n"), 1},
		{"empty", nil, 1},
	}
	for _, c := range cases {
		if got := exifOrientation(c.data); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
