package photo

import (
	"bytes"
	"errors"
	"image/jpeg"
	"testing"
)

// FuzzProcess feeds arbitrary bytes to Inspect and Process: they must never panic, every failure must be an *Error
// (the input cannot cause a configuration or read error), and every success must be a decodable 295×413 JPEG within
// the size limit. Inputs whose header claims more than 4 MP are only inspected, to keep the fuzzer fast; decoding
// big pictures is the standard library's job and is covered by the other tests. The Spec has no minimum size, so
// that each run encodes once or a few times rather than climbing to quality 100 (TestMinBytesRaisesQuality covers it).
// The seed corpus is in testdata/fuzz/FuzzProcess.
func FuzzProcess(f *testing.F) {
	spec := Standard
	spec.MinBytes = 0
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(bytes.NewReader(data))
		if err != nil {
			if !errors.As(err, new(*Error)) {
				t.Fatalf("Inspect: %v (%T)", err, err)
			}
			return
		}
		if info.Width*info.Height > 4_000_000 {
			return
		}
		for _, crop := range []Crop{{}, {X: 1, Y: 2, W: 150, H: 210}} {
			res, err := Process(bytes.NewReader(data), spec, crop)
			if err != nil {
				if !errors.As(err, new(*Error)) {
					t.Fatalf("Process: %v (%T)", err, err)
				}
				continue
			}
			if len(res.JPEG) > Standard.MaxBytes {
				t.Fatalf("output %d bytes", len(res.JPEG))
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(res.JPEG))
			if err != nil || cfg.Width != Standard.Width || cfg.Height != Standard.Height {
				t.Fatalf("output: %+v, %v", cfg, err)
			}
		}
	})
}
