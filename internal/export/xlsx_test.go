package export

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestXLSXWritesTextRowsUnderHeaders(t *testing.T) {
	x, err := NewXLSX("名单", []Column{{Header: "序号"}, {Header: "姓名", Width: 12}, {Header: "备注"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]string{{"1", "张三", "=HYPERLINK(\"http://x\")"}, {"2", "李四"}, {"3", "王五", "0012"}} {
		if err := x.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Row("1", "2", "3", "4"); err == nil {
		t.Error("a row longer than the header was accepted")
	}
	if x.Rows() != 3 {
		t.Errorf("Rows = %d", x.Rows())
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("名单")
	if err != nil {
		t.Fatal(err)
	}
	want := "序号,姓名,备注|1,张三,=HYPERLINK(\"http://x\")|2,李四|3,王五,0012"
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r, ","))
	}
	if strings.Join(got, "|") != want {
		t.Errorf("rows = %q, want %q", strings.Join(got, "|"), want)
	}
	if formula, _ := f.GetCellFormula("名单", "C2"); formula != "" {
		t.Errorf("a text cell became a formula: %q", formula)
	}
	if v, _ := f.GetCellValue("名单", "C4"); v != "0012" {
		t.Errorf("leading zeros lost: %q", v)
	}
}

// peakRSS is the process's peak resident set (VmHWM) in bytes, 0 where /proc is missing.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkXLSX100k writes 100,000 rows of the 考试合格人员 list's twelve columns, as a cursor hands them over, to
// io.Discard, and reports the time, the peak Go heap in use (sampled) and the process's peak RSS. The issue asks
// for < 10 s and < 200 MB; run: go test -run ^$ -bench XLSX100k -benchtime 1x ./internal/export/
func BenchmarkXLSX100k(b *testing.B) {
	const n = 100000
	cols := make([]Column, 12)
	for i := range cols {
		cols[i] = Column{Header: "列" + strconv.Itoa(i+1)}
	}
	for b.Loop() {
		var peak atomic.Uint64
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		start := time.Now()
		x, err := NewXLSX("考试合格人员", cols)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			no := strconv.Itoa(i + 1)
			if err := x.Row(no, "2026-12-20 09:00", "26007"+no, "建筑施工特种作业", "建筑电工", "考生"+no, "110105********12",
				"138****1234", "北京城建示范工程有限公司", "合格", "", ""); err != nil {
				b.Fatal(err)
			}
		}
		if err := x.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		close(done)
		b.ReportMetric(elapsed.Seconds(), "s/100k-rows")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MB")
	}
}
