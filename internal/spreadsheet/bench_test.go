package spreadsheet

import (
	"bytes"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var benchFiles sync.Map // rows → []byte

// cpuTime is this process's user+system CPU time. The benchmarks report it
// per op as cpu-ms/op, which shared or loaded machines distort far less than
// wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func benchFile(b *testing.B, n int) []byte {
	if v, ok := benchFiles.Load(n); ok {
		return v.([]byte)
	}
	data := genRegistration(b, n)
	benchFiles.Store(n, data)
	return data
}

func benchRead(b *testing.B, n int) {
	data := benchFile(b, n)
	lim := Limits{TempDir: b.TempDir()}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		rows, err := Read(bytes.NewReader(data), regCols, lim)
		if err != nil || len(rows) != n {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}

// benchExcelize is the reference: excelize alone, OpenReader + GetRows, with
// the same raw cell values.
func benchExcelize(b *testing.B, n int) {
	data := benchFile(b, n)
	dir := b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, TmpDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.GetRows(DataSheetName)
		if err != nil || len(rows) != n+1 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
		f.Close()
	}
}

// benchPrescan is the pre-scan alone, to show where the overhead goes.
func benchPrescan(b *testing.B, n int) {
	data := benchFile(b, n)
	lim := DefaultLimits.withDefaults()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		if _, err := prescan(data, lim); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead5000(b *testing.B)          { benchRead(b, 5000) }
func BenchmarkRead10000(b *testing.B)         { benchRead(b, 10000) }
func BenchmarkExcelizeRead5000(b *testing.B)  { benchExcelize(b, 5000) }
func BenchmarkExcelizeRead10000(b *testing.B) { benchExcelize(b, 10000) }
func BenchmarkPrescan5000(b *testing.B)       { benchPrescan(b, 5000) }
func BenchmarkPrescan10000(b *testing.B)      { benchPrescan(b, 10000) }
