// Package photo turns an uploaded picture into a clean 一寸照片: it checks the upload (size, sniffed type, pixel count)
// before decoding it, applies the EXIF orientation, crops to 5:7, resizes to 295×413 and re-encodes it as a JPEG without
// any metadata.
package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"net/http"

	"github.com/disintegration/imaging"
)

// Spec describes the photo a portal wants: its pixel size and the allowed size of the JPEG file.
type Spec struct {
	Width, Height int // output size in pixels; the crop box has the same aspect ratio (5:7 for 295×413)
	// MinBytes and MaxBytes bound the size of the output JPEG. MaxBytes is a hard limit: Process picks the highest
	// quality whose output fits, and fails if even quality 40 does not. MinBytes is a soft target: a very plain photo
	// can be smaller than MinBytes even at quality 95; Process then raises the quality (up to 100) until the output
	// reaches MinBytes, and if even quality 100 stays below it, it returns the photo anyway, because the only ways
	// to make it bigger would be padding or noise. Callers that must enforce a minimum compare len(Result.JPEG).
	MinBytes, MaxBytes int
}

// Standard is the usual 一寸照片: 25×35 mm at 300 dpi = 295×413 px, 8 KiB to 60 KiB. 60 KiB holds a detailed
// 295×413 portrait at quality 95 (the synthetic 12 MP test photo comes out at about 45 KB, and a plain background
// makes it smaller); a real portrait is well above 8 KiB, so the minimum only matters for near-blank pictures.
// Exam plans whose portals want other limits use their own Spec.
var Standard = Spec{Width: 295, Height: 413, MinBytes: 8 * 1024, MaxBytes: 60 * 1024}

// Validate reports whether s can be used. An invalid Spec is a configuration error, not the user's, so the error is
// not an *Error.
func (s Spec) Validate() error {
	switch {
	case s.Width <= 0 || s.Height <= 0 || s.Width > 4000 || s.Height > 4000:
		return fmt.Errorf("photo: invalid spec %dx%d pixels", s.Width, s.Height)
	case s.MaxBytes <= 0 || s.MinBytes < 0 || s.MinBytes > s.MaxBytes:
		return fmt.Errorf("photo: invalid spec size range %d..%d bytes", s.MinBytes, s.MaxBytes)
	}
	return nil
}

// Crop is a box in the pixel coordinates of the original image after its EXIF orientation is applied, i.e. as the
// user sees it in a browser. The zero value means the largest box of the Spec's aspect ratio centred in the image.
type Crop struct{ X, Y, W, H int }

const (
	// MaxUploadBytes is the largest accepted upload.
	MaxUploadBytes = 10 << 20
	// MaxPixels guards against decompression bombs: a picture with more pixels is refused before it is decoded.
	// A 12 MP phone photo passes easily. A header just below the limit still makes the decoder allocate the whole
	// picture up front (a 69-byte PNG claiming 7071×7071 costs 190 MB before it fails; a progressive 4:4:4 JPEG
	// several hundred MB), so callers should also limit how many photos are processed at once.
	MaxPixels = 50_000_000
	// maxSide is the longest accepted side in pixels.
	maxSide = 20000
	// aspectTolerance is how far an explicit crop box may deviate from the Spec's aspect ratio.
	aspectTolerance = 0.02
	// Quality bounds for the JPEG encoder, see Spec.
	maxQuality, minQuality, ceilingQuality = 95, 40, 100
)

// Error is a problem with the user's photo; Msg is a Chinese message that can be shown as is.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

var (
	errEmpty     = &Error{"请选择照片文件"}
	errTooBig    = &Error{"照片文件不能超过10MB"}
	errFormat    = &Error{"只支持JPG或PNG格式的照片"}
	errCorrupt   = &Error{"照片文件已损坏，无法读取"}
	errDims      = &Error{"照片尺寸过大"}
	errCrop      = &Error{"裁剪区域无效"}
	errCropSmall = &Error{"裁剪区域太小"}
)

func errLowRes(s Spec) *Error {
	return &Error{fmt.Sprintf("照片分辨率太低，至少需要%d×%d像素", s.Width, s.Height)}
}

func errCompress(s Spec) *Error {
	return &Error{fmt.Sprintf("照片无法压缩到%s以内，请换一张背景更简洁的照片", formatKB(s.MaxBytes))}
}

// formatKB writes n bytes as KB (1024 bytes), rounded down so that the limit is never overstated.
func formatKB(n int) string {
	if n%1024 == 0 {
		return fmt.Sprintf("%dKB", n/1024)
	}
	return fmt.Sprintf("%.1fKB", math.Floor(float64(n)/1024*10)/10)
}

// Info is what Inspect learns from a picture's header.
type Info struct {
	Format        string // "jpeg" or "png"
	Width, Height int    // after the EXIF orientation is applied
	Orientation   int    // EXIF orientation 1..8; 1 when absent (always 1 for PNG)
}

// Result is a processed photo.
type Result struct {
	JPEG                      []byte // the encoded photo
	Width, Height             int    // = Spec.Width, Spec.Height
	SourceWidth, SourceHeight int    // the upload's size after the EXIF orientation is applied
	Quality                   int    // JPEG quality used, see Spec
}

// Inspect reads an upload (at most MaxUploadBytes) and checks its size, its sniffed type and its header, without
// decoding the pixels. It applies the same checks as Process except those that depend on a Spec.
func Inspect(r io.Reader) (Info, error) {
	_, info, err := load(r)
	return info, err
}

// Process turns an upload into a photo matching spec. Errors caused by the upload are *Error; a read error from r
// and an invalid spec are returned as plain errors.
//
// Steps: read at most MaxUploadBytes; sniff the content (JPEG and PNG only, the file name plays no part); check the
// header (pixel count, sides, resolution) before decoding; validate the crop box; decode; crop; resize with Lanczos;
// apply the EXIF orientation; flatten transparency onto white; encode as a baseline JPEG. The output carries nothing
// from the upload but pixels: no EXIF/GPS, ICC profile, comments or appended bytes. Its only header is a JFIF APP0
// segment declaring 300 dpi, so that 295×413 prints as 25×35 mm.
//
// The crop box is checked against the header before the pixels are decoded, and the EXIF orientation is applied to
// the small result instead of the full picture (the box is mapped back to stored coordinates), so a rotated 12 MP
// photo is never materialised. The output equals rotating first up to rounding (on a photo-like test picture: mean
// 0.14, at most 7 levels of 255, at hard edges, because imaging rounds to 8 bits between its two resize passes).
func Process(r io.Reader, spec Spec, crop Crop) (Result, error) {
	if err := spec.Validate(); err != nil {
		return Result{}, err
	}
	data, info, err := load(r)
	if err != nil {
		return Result{}, err
	}
	if info.Width < spec.Width || info.Height < spec.Height {
		return Result{}, errLowRes(spec)
	}
	box, err := cropBox(crop, info.Width, info.Height, spec)
	if err != nil {
		return Result{}, err
	}

	var src image.Image
	if info.Format == "jpeg" {
		src, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		src, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Result{}, errCorrupt
	}
	sw, sh := info.Width, info.Height
	if swapsAxes(info.Orientation) {
		sw, sh = sh, sw
	}
	if b := src.Bounds(); b.Dx() != sw || b.Dy() != sh {
		return Result{}, errCorrupt // header and pixels disagree; the decoders do not do this, but be sure
	}

	img := render(src, info.Orientation, box, spec)
	out, q, err := encode(img, spec)
	if err != nil {
		return Result{}, err
	}
	return Result{JPEG: out, Width: spec.Width, Height: spec.Height,
		SourceWidth: info.Width, SourceHeight: info.Height, Quality: q}, nil
}

// load performs the checks that need no decoding and returns the upload's bytes.
func load(r io.Reader) ([]byte, Info, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	if err != nil {
		return nil, Info{}, fmt.Errorf("photo: reading upload: %w", err)
	}
	if len(data) > MaxUploadBytes {
		return nil, Info{}, errTooBig
	}
	if len(data) == 0 {
		return nil, Info{}, errEmpty
	}

	var info Info
	var cfg image.Config
	switch http.DetectContentType(data) {
	case "image/jpeg":
		info.Format = "jpeg"
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case "image/png":
		info.Format = "png"
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	default:
		return nil, Info{}, errFormat
	}
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, Info{}, errCorrupt
	}
	if cfg.Width > maxSide || cfg.Height > maxSide || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, Info{}, errDims
	}

	info.Width, info.Height, info.Orientation = cfg.Width, cfg.Height, 1
	if info.Format == "jpeg" {
		info.Orientation = exifOrientation(data)
	}
	if swapsAxes(info.Orientation) {
		info.Width, info.Height = info.Height, info.Width
	}
	return data, info, nil
}

// cropBox returns the crop box for an oriented image of w×h pixels. The zero Crop selects the largest centred box of
// the spec's aspect ratio; an explicit box must lie inside the image, be within 2% of the aspect ratio and be at least
// half the output size in each direction (so at most 2× upscaling). An explicit box is used as given, not adjusted.
func cropBox(c Crop, w, h int, spec Spec) (image.Rectangle, error) {
	if c == (Crop{}) {
		bw, bh := w, h
		if int64(w)*int64(spec.Height) <= int64(h)*int64(spec.Width) {
			bh = int(int64(w) * int64(spec.Height) / int64(spec.Width))
		} else {
			bw = int(int64(h) * int64(spec.Width) / int64(spec.Height))
		}
		x, y := (w-bw)/2, (h-bh)/2
		return image.Rect(x, y, x+bw, y+bh), nil
	}
	if c.X < 0 || c.Y < 0 || c.W <= 0 || c.H <= 0 || c.W > w-c.X || c.H > h-c.Y {
		return image.Rectangle{}, errCrop
	}
	ratio := float64(c.W) * float64(spec.Height) / (float64(c.H) * float64(spec.Width))
	if math.Abs(ratio-1) > aspectTolerance {
		return image.Rectangle{}, errCrop
	}
	if 2*c.W < spec.Width || 2*c.H < spec.Height {
		return image.Rectangle{}, errCropSmall
	}
	return image.Rect(c.X, c.Y, c.X+c.W, c.Y+c.H), nil
}

// render crops src (stored pixels; box is in oriented coordinates), resizes, orients and flattens it.
func render(src image.Image, orientation int, box image.Rectangle, spec Spec) *image.RGBA {
	b := src.Bounds()
	r := sourceRect(box, orientation, b.Dx(), b.Dy()).Add(b.Min)
	var sub image.Image
	if s, ok := src.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		sub = s.SubImage(r) // no copy
	} else {
		sub = imaging.Crop(src, r)
	}
	w, h := spec.Width, spec.Height
	if swapsAxes(orientation) {
		w, h = h, w
	}
	return flatten(orient(imaging.Resize(sub, w, h, imaging.Lanczos), orientation))
}

// flatten composes img onto a white background. Fully opaque images come out unchanged.
func flatten(img *image.NRGBA) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := 0; y < b.Dy(); y++ {
		s := img.Pix[y*img.Stride : y*img.Stride+4*b.Dx()]
		d := out.Pix[y*out.Stride : y*out.Stride+4*b.Dx()]
		for i := 0; i < len(s); i += 4 {
			a := uint32(s[i+3])
			if a == 0xff {
				d[i], d[i+1], d[i+2] = s[i], s[i+1], s[i+2]
			} else {
				white := 0xff * (0xff - a)
				d[i] = uint8((uint32(s[i])*a + white + 0x7f) / 0xff)
				d[i+1] = uint8((uint32(s[i+1])*a + white + 0x7f) / 0xff)
				d[i+2] = uint8((uint32(s[i+2])*a + white + 0x7f) / 0xff)
			}
			d[i+3] = 0xff
		}
	}
	return out
}

// jfif is a JFIF APP0 segment: version 1.01, 300×300 dots per inch, no thumbnail.
var jfif = []byte{0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x01, 0x01, 0x2c, 0x01, 0x2c, 0x00, 0x00}

// encodeJPEG encodes img at quality q, with a JFIF header.
func encodeJPEG(img *image.RGBA, q int) []byte {
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		panic(err) // writing to a bytes.Buffer cannot fail, and img is a valid RGBA
	}
	enc := buf.Bytes()
	out := make([]byte, 0, len(enc)+len(jfif))
	out = append(out, enc[:2]...) // SOI
	out = append(out, jfif...)
	return append(out, enc[2:]...)
}

// encode picks the quality as described in Spec: the highest in [40, 95] whose output fits MaxBytes (found by binary
// search; file size grows with quality), raised towards 100 while the output is below MinBytes.
func encode(img *image.RGBA, spec Spec) ([]byte, int, error) {
	best := encodeJPEG(img, maxQuality)
	if len(best) <= spec.MaxBytes {
		q := maxQuality
		for len(best) < spec.MinBytes && q < ceilingQuality {
			next := encodeJPEG(img, q+1)
			if len(next) > spec.MaxBytes {
				break
			}
			best, q = next, q+1
		}
		return best, q, nil
	}
	lo, hi := minQuality, maxQuality // output at lo fits, at hi it does not
	best = encodeJPEG(img, lo)
	if len(best) > spec.MaxBytes {
		return nil, 0, errCompress(spec)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if out := encodeJPEG(img, mid); len(out) <= spec.MaxBytes {
			best, lo = out, mid
		} else {
			hi = mid
		}
	}
	return best, lo, nil
}
