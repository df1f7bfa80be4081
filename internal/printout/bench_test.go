package printout

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkNewRenderer is the font parse that NewRenderer does once: the reference for what every document would
// cost again without a shared Renderer.
func BenchmarkNewRenderer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewRenderer(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "parses/s")
}

// BenchmarkPDF prints one full form with a photo on a shared Renderer.
func BenchmarkPDF(b *testing.B) {
	r := testRenderer(b)
	f := sampleForm(b)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := r.PDF(&buf, f); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(size), "bytes/doc")
}

// BenchmarkPDFRareName is BenchmarkPDF with a 姓名 that needs the fallback font (𠮷, CJK Extension B): the
// fallback's glyphs are subset and embedded too, and the ToUnicode maps rewritten.
func BenchmarkPDFRareName(b *testing.B) {
	r := testRenderer(b)
	if _, err := r.fallback(); err != nil { // parsed once per process, as in the app
		b.Fatal(err)
	}
	f := sampleForm(b)
	f.Fields[0].Value = "𠮷野家"
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := r.PDF(&buf, f); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(size), "bytes/doc")
}

// BenchmarkPDFParallel is BenchmarkPDF from GOMAXPROCS goroutines sharing one Renderer.
func BenchmarkPDFParallel(b *testing.B) {
	r := testRenderer(b)
	f := sampleForm(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := r.PDF(io.Discard, f); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkDOCX exports one full form with a photo.
func BenchmarkDOCX(b *testing.B) {
	f := sampleForm(b)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := DOCX(&buf, f); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(size), "bytes/doc")
}

// BenchmarkPDFBatch prints 50 forms into one PDF (a batch printout): the font subset is built and compressed once
// for the whole document, so the cost per form is far lower than for single-form PDFs.
func BenchmarkPDFBatch(b *testing.B) {
	r := testRenderer(b)
	forms := make([]Form, 50)
	for i := range forms {
		forms[i] = sampleForm(b)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.PDF(io.Discard, forms...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(forms))/b.Elapsed().Seconds(), "forms/s")
}
