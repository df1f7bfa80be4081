package photo

import (
	"bytes"
	"testing"

	"github.com/disintegration/imaging"
)

func BenchmarkScratchImagingNaiveOrientation6(b *testing.B) {
	big := big12MP(b)
	in := append(append(append([]byte{}, big[:2]...), exifAPP1(6, "")...), big[2:]...)
	b.ReportAllocs()
	for b.Loop() {
		img, _ := imaging.Decode(bytes.NewReader(in), imaging.AutoOrientation(true))
		box, _ := cropBox(Crop{}, 3000, 4000, Standard)
		encodeJPEG(flatten(imaging.Resize(imaging.Crop(img, box), 295, 413, imaging.Lanczos)), 95)
	}
}
