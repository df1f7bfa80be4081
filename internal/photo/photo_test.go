package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// decodeOut decodes a Process output and checks its size.
func decodeOut(t *testing.T, res Result, spec Spec) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(res.JPEG))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != spec.Width || b.Dy() != spec.Height || res.Width != spec.Width || res.Height != spec.Height {
		t.Fatalf("output %v (result %dx%d), want %dx%d", b, res.Width, res.Height, spec.Width, spec.Height)
	}
	if len(res.JPEG) > spec.MaxBytes {
		t.Fatalf("output %d bytes > MaxBytes %d", len(res.JPEG), spec.MaxBytes)
	}
	return img
}

func TestProcess12MP(t *testing.T) {
	in := big12MP(t)
	t.Logf("input %d bytes", len(in))
	res, err := Process(bytes.NewReader(in), Standard, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	decodeOut(t, res, Standard)
	if res.SourceWidth != 4000 || res.SourceHeight != 3000 {
		t.Errorf("source %dx%d", res.SourceWidth, res.SourceHeight)
	}
	if n := len(res.JPEG); n < Standard.MinBytes || n > Standard.MaxBytes {
		t.Errorf("output %d bytes outside %d..%d", n, Standard.MinBytes, Standard.MaxBytes)
	}
	if res.Quality < minQuality || res.Quality > ceilingQuality {
		t.Errorf("quality %d", res.Quality)
	}
	t.Logf("output %d bytes at quality %d", len(res.JPEG), res.Quality)

	// The output is a plain baseline JPEG: SOI, the JFIF APP0, then tables, SOF0, SOS.
	ms := jpegMarkers(t, res.JPEG)
	if ms[0] != 0xe0 || !bytes.Equal(res.JPEG[6:11], []byte("JFIF\x00")) {
		t.Errorf("first segment %x, want JFIF APP0", ms[0])
	}
	if !bytes.Contains(ms, []byte{0xc0}) || bytes.Contains(ms, []byte{0xc2}) {
		t.Errorf("markers %x: want baseline SOF0", ms)
	}
	if d := res.JPEG[13:18]; !bytes.Equal(d, []byte{1, 0x01, 0x2c, 0x01, 0x2c}) {
		t.Errorf("JFIF density %x, want 300 dpi", d)
	}
}

func TestProcessPNGAlphaToWhite(t *testing.T) {
	// Transparent background, opaque red disc, half-transparent blue band at the bottom.
	w, h := 400, 560
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := x-w/2, y-h/2
			switch {
			case dx*dx+dy*dy < 100*100:
				img.SetNRGBA(x, y, color.NRGBA{255, 0, 0, 255})
			case y >= h-80:
				img.SetNRGBA(x, y, color.NRGBA{0, 0, 255, 128})
			}
		}
	}
	res, err := Process(bytes.NewReader(encPNG(t, img)), Standard, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	out := decodeOut(t, res, Standard)
	if _, ok := out.(*image.YCbCr); !ok {
		t.Errorf("output decodes to %T, want opaque YCbCr", out)
	}
	if c := out.At(5, 5); !near(c, white, 4) {
		t.Errorf("transparent corner = %v, want white", c)
	}
	if c := out.At(147, 206); !near(c, red, 12) {
		t.Errorf("centre = %v, want red", c)
	}
	// 50% blue over white is (127, 127, 255).
	if c := out.At(147, 405); !near(c, color.RGBA{127, 127, 255, 255}, 12) {
		t.Errorf("half-transparent band = %v, want light blue", c)
	}
}

// Orientation 6 means the camera was turned 90° clockwise: the stored pixels must be turned 90° clockwise to be
// seen upright. Turning clockwise moves the left edge to the top, so a stored landscape picture that is red on the
// left and blue on the right is seen as a portrait picture that is red at the top and blue at the bottom.
func TestProcessEXIFOrientation6(t *testing.T) {
	stored := fill(600, 450, func(x, _ int) color.RGBA {
		if x < 300 {
			return red
		}
		return blue
	})
	in := encJPEG(t, stored, 95, exifAPP1(6, ""))
	if o := exifOrientation(in); o != 6 {
		t.Fatalf("exifOrientation = %d", o)
	}
	info, err := Inspect(bytes.NewReader(in))
	if err != nil || info != (Info{Format: "jpeg", Width: 450, Height: 600, Orientation: 6}) {
		t.Fatalf("Inspect = %+v, %v", info, err)
	}
	res, err := Process(bytes.NewReader(in), Standard, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	out := decodeOut(t, res, Standard)
	if res.SourceWidth != 450 || res.SourceHeight != 600 {
		t.Errorf("source %dx%d, want portrait 450x600", res.SourceWidth, res.SourceHeight)
	}
	for _, x := range []int{10, 147, 285} {
		if c := out.At(x, 20); !near(c, red, 12) {
			t.Errorf("top (%d,20) = %v, want red", x, c)
		}
		if c := out.At(x, 392); !near(c, blue, 12) {
			t.Errorf("bottom (%d,392) = %v, want blue", x, c)
		}
	}
	if bytes.Contains(res.JPEG, []byte("Exif")) {
		t.Error("output still has Exif")
	}
}

// A stored 413×295 picture is too small as it is, but with orientation 6 it is seen as 295×413, which is enough.
func TestResolutionCheckUsesOrientation(t *testing.T) {
	stored := photoLike(413, 295, 1)
	_, err := Process(bytes.NewReader(encJPEG(t, stored, 90)), Standard, Crop{})
	wantErr(t, err, "照片分辨率太低，至少需要295×413像素")
	res, err := Process(bytes.NewReader(encJPEG(t, stored, 90, exifAPP1(6, ""))), Standard, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	decodeOut(t, res, Standard)
}

// An XMP APP1 before the Exif APP1 does not hide the orientation (imaging's own reader gives up at the first APP1).
func TestOrientationAfterXMP(t *testing.T) {
	xmp := segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"))
	in := encJPEG(t, quadrants(600, 450), 95, segment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")), xmp, exifAPP1(6, "x"))
	if o := exifOrientation(in); o != 6 {
		t.Fatalf("exifOrientation = %d, want 6", o)
	}
	res, err := Process(bytes.NewReader(in), Standard, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	if res.SourceWidth != 450 || res.SourceHeight != 600 {
		t.Errorf("source %dx%d, want 450x600", res.SourceWidth, res.SourceHeight)
	}
}

func TestMetadataStripped(t *testing.T) {
	const gps = "GPS 39.904211N 116.407395E FAKE-GPS-MARKER"
	const comment = "SECRET-COMMENT-MARKER"
	const payload = "APPENDED-PAYLOAD-MARKER"
	icc := segment(0xe2, append([]byte("ICC_PROFILE\x00\x01\x01"), "ICC-MARKER"...))
	in := encJPEG(t, photoLike(600, 840, 7), 90, exifAPP1(1, gps), icc, segment(0xfe, []byte(comment)))
	in = append(in, bytes.Repeat([]byte(payload), 1024/len(payload)+1)[:1024]...)
	for _, s := range []string{gps, comment, payload, "ICC-MARKER"} {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("test input lacks %q", s)
		}
	}

	res, err := Process(bytes.NewReader(in), Standard, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	decodeOut(t, res, Standard)
	for _, s := range []string{gps, "FAKE-GPS", comment, payload, "ICC", "Exif"} {
		if bytes.Contains(res.JPEG, []byte(s)) {
			t.Errorf("output contains %q", s)
		}
	}
	for _, m := range jpegMarkers(t, res.JPEG) {
		if m >= 0xe1 && m <= 0xef || m == 0xfe {
			t.Errorf("output has segment %x", m)
		}
	}
	if !bytes.HasSuffix(res.JPEG, []byte{0xff, 0xd9}) {
		t.Error("output does not end with EOI")
	}
}

func TestDecompressionBomb(t *testing.T) {
	cases := []struct {
		name string
		data []byte
	}{
		{"png 100000x100000", pngBomb(100000, 100000)},
		{"png 20001x10", pngBomb(20001, 10)},
		{"png 7072x7072 (50.01 MP)", pngBomb(7072, 7072)},
		{"jpeg 65535x65535", jpegBomb(0xc0, 65535, 65535)},
		{"progressive jpeg 8000x7000", jpegBomb(0xc2, 8000, 7000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Process(bytes.NewReader(c.data), Standard, Crop{})
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			wantErr(t, err, "照片尺寸过大")
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
			if elapsed > time.Second {
				t.Errorf("took %v", elapsed)
			}
			_, err = Inspect(bytes.NewReader(c.data))
			wantErr(t, err, "照片尺寸过大")
		})
	}
	// Just under the limit the header passes; the tiny file then fails to decode.
	_, err := Inspect(bytes.NewReader(pngBomb(7071, 7071)))
	if err != nil {
		t.Errorf("7071x7071 header: %v", err)
	}
}

func TestRejectedUploads(t *testing.T) {
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, quadrants(300, 420), nil); err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	valid := encJPEG(t, photoLike(300, 420, 3), 90)

	const (
		format  = "只支持JPG或PNG格式的照片"
		corrupt = "照片文件已损坏，无法读取"
		lowRes  = "照片分辨率太低，至少需要295×413像素"
	)
	cases := []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty", nil, "请选择照片文件"},
		{"gif", gifBuf.Bytes(), format},
		{"text named .jpg", []byte("这不是照片，只是改了扩展名的文本文件 photo.jpg\n"), format},
		{"html", []byte("<html><body><img src=x onerror=alert(1)></body></html>"), format},
		{"random bytes", random, format},
		{"webp", append([]byte("RIFF\x10\x00\x00\x00WEBPVP8 "), make([]byte, 64)...), format},
		{"bmp", append([]byte("BM"), make([]byte, 64)...), format},
		{"jpeg signature then junk", append([]byte{0xff, 0xd8, 0xff}, random...), corrupt},
		{"truncated jpeg", valid[:len(valid)/2], corrupt},
		{"png header only", pngBomb(300, 420), corrupt},
		{"too small jpeg", encJPEG(t, photoLike(200, 280, 3), 90), lowRes},
		{"too short", encJPEG(t, photoLike(400, 412, 3), 90), lowRes},
		{"too narrow png", encPNG(t, photoLike(294, 1000, 3)), lowRes},
		{"landscape 413x295", encJPEG(t, photoLike(413, 295, 3), 90), lowRes},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Process(bytes.NewReader(c.data), Standard, Crop{})
			wantErr(t, err, c.msg)
		})
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestUploadSizeLimit(t *testing.T) {
	valid := encJPEG(t, photoLike(300, 420, 5), 90)
	// Exactly MaxUploadBytes: a valid JPEG followed by padding (ignored after EOI, and dropped).
	exact := io.MultiReader(bytes.NewReader(valid), io.LimitReader(zeros{}, int64(MaxUploadBytes-len(valid))))
	res, err := Process(exact, Standard, Crop{})
	if err != nil {
		t.Fatalf("upload of exactly MaxUploadBytes: %v", err)
	}
	decodeOut(t, res, Standard)

	over := io.MultiReader(bytes.NewReader(valid), io.LimitReader(zeros{}, int64(MaxUploadBytes+1-len(valid))))
	_, err = Process(over, Standard, Crop{})
	wantErr(t, err, "照片文件不能超过10MB")

	// An endless stream is cut off after MaxUploadBytes+1 bytes.
	_, err = Inspect(io.MultiReader(bytes.NewReader(valid), zeros{}))
	wantErr(t, err, "照片文件不能超过10MB")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadError(t *testing.T) {
	_, err := Process(failingReader{}, Standard, Crop{})
	var pe *Error
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err = %v, want the wrapped read error", err)
	}
}

func TestExplicitCrop(t *testing.T) {
	in := encPNG(t, quadrants(1000, 1400))
	const invalid, small = "裁剪区域无效", "裁剪区域太小"
	cases := []struct {
		crop Crop
		msg  string
		want color.RGBA // colour of the whole output
	}{
		{Crop{0, 0, 500, 700}, "", red},
		{Crop{500, 0, 500, 700}, "", green},
		{Crop{0, 700, 500, 700}, "", blue},
		{Crop{600, 800, 400, 560}, "", black},
		{Crop{100, 100, 300, 426}, "", red},        // 1.3% off 5:7: accepted as is
		{Crop{20, 30, 148, 207}, "", red},          // half the output size: 2× upscaling is allowed
		{Crop{600, 800, 500, 700}, invalid, white}, // reaches outside
		{Crop{-1, 0, 500, 700}, invalid, white},
		{Crop{0, -5, 500, 700}, invalid, white},
		{Crop{1, 1, 1000, 1400}, invalid, white},
		{Crop{0, 0, 0, 700}, invalid, white},
		{Crop{0, 0, 500, -700}, invalid, white},
		{Crop{10, 10, 0, 0}, invalid, white}, // only the zero value means "centred"
		{Crop{0, 0, 500, 500}, invalid, white},
		{Crop{0, 0, 500, 735}, invalid, white}, // 4.8% off
		{Crop{0, 0, 147, 206}, small, white},
		{Crop{0, 0, 100, 140}, small, white},
		{Crop{1 << 62, 1 << 62, 1 << 62, 1 << 62}, invalid, white},
	}
	for _, c := range cases {
		res, err := Process(bytes.NewReader(in), Standard, c.crop)
		if c.msg != "" {
			wantErr(t, err, c.msg)
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", c.crop, err)
			continue
		}
		out := decodeOut(t, res, Standard)
		for _, p := range []image.Point{{3, 3}, {147, 206}, {291, 409}} {
			if col := out.At(p.X, p.Y); !near(col, c.want, 16) {
				t.Errorf("%+v: pixel %v = %v, want %v", c.crop, p, col, c.want)
			}
		}
	}
}

// The default crop is the largest centred 5:7 box.
func TestDefaultCrop(t *testing.T) {
	cases := []struct {
		w, h int
		want image.Rectangle
	}{
		{4000, 3000, image.Rect(929, 0, 3071, 3000)},
		{3000, 4000, image.Rect(71, 0, 2928, 4000)}, // 3000:4000 is wider than 5:7
		{295, 413, image.Rect(0, 0, 295, 413)},
		{295, 2000, image.Rect(0, 793, 295, 1206)},
		{2000, 413, image.Rect(852, 0, 1147, 413)},
		{500, 700, image.Rect(0, 0, 500, 700)},
	}
	for _, c := range cases {
		got, err := cropBox(Crop{}, c.w, c.h, Standard)
		if err != nil || got != c.want {
			t.Errorf("%dx%d: %v, %v; want %v", c.w, c.h, got, err, c.want)
		}
		if got.Dx() < Standard.Width || got.Dy() < Standard.Height || !got.In(image.Rect(0, 0, c.w, c.h)) {
			t.Errorf("%dx%d: box %v too small or outside", c.w, c.h, got)
		}
	}
}

// rendered is what Process encodes for in (orientation 1, default crop).
func rendered(t *testing.T, in []byte, spec Spec) *image.RGBA {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	box, err := cropBox(Crop{}, img.Bounds().Dx(), img.Bounds().Dy(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return render(img, 1, box, spec)
}

func TestMaxBytesTooSmall(t *testing.T) {
	in := encJPEG(t, photoLike(1200, 1680, 9), 92)
	spec := Spec{Width: 295, Height: 413, MaxBytes: 2000}
	_, err := Process(bytes.NewReader(in), spec, Crop{})
	wantErr(t, err, "照片无法压缩到1.9KB以内，请换一张背景更简洁的照片")

	// A limit between the sizes at quality 40 and 95 selects an intermediate quality, the highest that fits.
	img := rendered(t, in, spec)
	spec.MaxBytes = (len(encodeJPEG(img, 40)) + len(encodeJPEG(img, 95))) / 2
	res, err := Process(bytes.NewReader(in), spec, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Quality <= minQuality || res.Quality >= maxQuality || len(res.JPEG) > spec.MaxBytes {
		t.Errorf("quality %d, %d bytes, limit %d", res.Quality, len(res.JPEG), spec.MaxBytes)
	}
	if n := len(encodeJPEG(img, res.Quality+1)); n <= spec.MaxBytes {
		t.Errorf("quality %d would fit too (%d bytes)", res.Quality+1, n)
	}
	t.Logf("limit %d: quality %d, %d bytes", spec.MaxBytes, res.Quality, len(res.JPEG))
}

func TestMinBytesRaisesQuality(t *testing.T) {
	// A flat grey picture is tiny at any quality: Process tries up to 100 and then returns what it has.
	flat := encPNG(t, solid(590, 826, color.RGBA{128, 128, 128, 255}))
	res, err := Process(bytes.NewReader(flat), Standard, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	decodeOut(t, res, Standard)
	if res.Quality != ceilingQuality || len(res.JPEG) >= Standard.MinBytes {
		t.Errorf("flat: quality %d, %d bytes", res.Quality, len(res.JPEG))
	}
	t.Logf("flat grey: %d bytes at quality %d", len(res.JPEG), res.Quality)

	// With a reachable minimum above the size at 95, the first quality that reaches it is used.
	in := encJPEG(t, photoLike(590, 826, 4), 90)
	spec := Standard
	spec.MinBytes = len(encodeJPEG(rendered(t, in, spec), maxQuality)) + 1
	res, err = Process(bytes.NewReader(in), spec, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Quality <= maxQuality || len(res.JPEG) < spec.MinBytes {
		t.Errorf("quality %d, %d bytes, min %d", res.Quality, len(res.JPEG), spec.MinBytes)
	}
}

func TestSpecValidate(t *testing.T) {
	for _, s := range []Spec{
		{},
		{Width: 295, Height: 413},
		{Width: 295, Height: 413, MinBytes: 10, MaxBytes: 5},
		{Width: 295, Height: 413, MinBytes: -1, MaxBytes: 5},
		{Width: -295, Height: 413, MaxBytes: 5},
		{Width: 295, Height: 40000, MaxBytes: 5},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v: valid", s)
		}
		_, err := Process(bytes.NewReader(nil), s, Crop{})
		var pe *Error
		if err == nil || errors.As(err, &pe) {
			t.Errorf("%+v: Process err = %v, want a configuration error", s, err)
		}
	}
	if err := Standard.Validate(); err != nil {
		t.Error(err)
	}
	// Another size: a 二寸 photo (35×49 mm, 413×579 px).
	two := Spec{Width: 413, Height: 579, MaxBytes: 100 << 10}
	res, err := Process(bytes.NewReader(big12MP(t)), two, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	decodeOut(t, res, two)
}

func TestFormatKB(t *testing.T) {
	for n, want := range map[int]string{60 * 1024: "60KB", 2000: "1.9KB", 20000: "19.5KB", 1024: "1KB", 100: "0.0KB"} {
		if got := formatKB(n); got != want {
			t.Errorf("formatKB(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestInspect(t *testing.T) {
	info, err := Inspect(bytes.NewReader(encPNG(t, solid(320, 450, white))))
	if err != nil || info != (Info{Format: "png", Width: 320, Height: 450, Orientation: 1}) {
		t.Errorf("png: %+v, %v", info, err)
	}
	info, err = Inspect(bytes.NewReader(encJPEG(t, solid(320, 450, white), 80, exifAPP1(3, ""))))
	if err != nil || info != (Info{Format: "jpeg", Width: 320, Height: 450, Orientation: 3}) {
		t.Errorf("jpeg: %+v, %v", info, err)
	}
	// Inspect has no Spec, so it does not judge the resolution.
	info, err = Inspect(bytes.NewReader(encJPEG(t, solid(20, 30, white), 80)))
	if err != nil || info.Width != 20 {
		t.Errorf("small jpeg: %+v, %v", info, err)
	}
	_, err = Inspect(strings.NewReader("GIF89a"))
	wantErr(t, err, "只支持JPG或PNG格式的照片")
}

// Whatever colour model the decoder returns, the output is a 295×413 colour JPEG.
func TestInputColourModels(t *testing.T) {
	base := photoLike(300, 420, 11)
	gray := image.NewGray(base.Bounds())
	gray16 := image.NewGray16(base.Bounds())
	rgba64 := image.NewNRGBA64(base.Bounds())
	pal := image.NewPaletted(base.Bounds(), color.Palette{white, red, blue, black})
	for y := 0; y < 420; y++ {
		for x := 0; x < 300; x++ {
			c := base.RGBAAt(x, y)
			gray.Set(x, y, c)
			gray16.Set(x, y, c)
			rgba64.Set(x, y, color.NRGBA64{uint16(c.R) << 8, uint16(c.G) << 8, uint16(c.B) << 8, uint16(x * 65535 / 300)})
			pal.Set(x, y, c)
		}
	}
	for name, in := range map[string][]byte{
		"gray jpeg":          encJPEG(t, gray, 90),
		"gray16 png":         encPNG(t, gray16),
		"16-bit png + alpha": encPNG(t, rgba64),
		"paletted png":       encPNG(t, pal),
	} {
		res, err := Process(bytes.NewReader(in), Standard, Crop{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		out := decodeOut(t, res, Standard)
		if _, ok := out.(*image.YCbCr); !ok {
			t.Errorf("%s: output decodes to %T", name, out)
		}
	}
}
