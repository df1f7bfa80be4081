package photo

import (
	"bytes"
	"image/jpeg"
	"testing"
)

// BenchmarkProcess12MP processes a 4000×3000 photo-like JPEG (3.7 MB) with the default crop.
func BenchmarkProcess12MP(b *testing.B) {
	in := big12MP(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(bytes.NewReader(in), Standard, Crop{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcess12MPOrientation6 is the same photo marked as taken with the phone turned (EXIF orientation 6).
func BenchmarkProcess12MPOrientation6(b *testing.B) {
	big := big12MP(b)
	in := append(append(append([]byte{}, big[:2]...), exifAPP1(6, "")...), big[2:]...)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(bytes.NewReader(in), Standard, Crop{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode12MP only decodes the same bytes: the floor for BenchmarkProcess12MP.
func BenchmarkDecode12MP(b *testing.B) {
	in := big12MP(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
