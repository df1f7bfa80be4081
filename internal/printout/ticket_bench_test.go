//go:build unix

package printout

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// distinctPhoto returns photo with a JPEG comment segment naming i after the SOI marker: a valid JPEG with
// different bytes, so that gopdf (which embeds equal images once) embeds every candidate's photo, as it would
// for real candidates.
func distinctPhoto(photo []byte, i int) []byte {
	c := []byte("candidate " + strconv.Itoa(i))
	out := make([]byte, 0, len(photo)+4+len(c))
	out = append(out, photo[:2]...)
	out = append(out, 0xFF, 0xFE, byte((len(c)+2)>>8), byte(len(c)+2))
	out = append(out, c...)
	return append(out, photo[2:]...)
}

func benchTickets(b *testing.B, n int) []Ticket {
	photo := testPhoto(b)
	ts := make([]Ticket, n)
	for i := range ts {
		ts[i] = sampleTicket(b)
		ts[i].TicketNo = strconv.Itoa(260070001 + i)
		ts[i].Token = "ZKZ2." + ts[i].TicketNo + ".1.q8vPj2kM0nRr3xY7aBcD_w"
		ts[i].Photo = distinctPhoto(photo, i)
	}
	return ts
}

// BenchmarkTicketPDF prints one ticket per PDF (the 【打印】 of one candidate): each file builds and compresses its
// own font subset, which is most of the cost.
func BenchmarkTicketPDF(b *testing.B) {
	r := testRenderer(b)
	t := benchTickets(b, 1)[0]
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := r.TicketPDF(&buf, t); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	b.ReportMetric(float64(size), "bytes/ticket")
}

// cpuTime is the CPU time the process has used (user and system): on a machine shared with other work, rates per
// CPU-second are the per-core figures, where rates per wall-clock second depend on the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTicketBatchVsForms prints 100 tickets into one PDF and, in the same loop as the reference, 100 报名表
// into one PDF, each candidate with a photo of their own; it reports both rates (per wall-clock second and per
// CPU-second of the process, GC included) and their ratio. Run with -cpu 1 for the per-core figure.
func BenchmarkTicketBatchVsForms(b *testing.B) {
	const n = 100
	r := testRenderer(b)
	tickets := benchTickets(b, n)
	forms := make([]Form, n)
	for i := range forms {
		forms[i] = sampleForm(b)
		forms[i].Photo = tickets[i].Photo
	}
	var tTickets, tForms, cTickets, cForms time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start, cStart := time.Now(), cpuTime()
		if err := r.TicketPDF(io.Discard, tickets...); err != nil {
			b.Fatal(err)
		}
		mid, cMid := time.Now(), cpuTime()
		if err := r.PDF(io.Discard, forms...); err != nil {
			b.Fatal(err)
		}
		tTickets += mid.Sub(start)
		tForms += time.Since(mid)
		cTickets += cMid - cStart
		cForms += cpuTime() - cMid
	}
	ticketRate := float64(b.N*n) / tTickets.Seconds()
	formRate := float64(b.N*n) / tForms.Seconds()
	b.ReportMetric(ticketRate, "tickets/s")
	b.ReportMetric(formRate, "forms/s")
	b.ReportMetric(float64(b.N*n)/cTickets.Seconds(), "tickets/cpu-s")
	b.ReportMetric(float64(b.N*n)/cForms.Seconds(), "forms/cpu-s")
	b.ReportMetric(ticketRate/formRate, "ticket/form")
}

// BenchmarkTicketBatch10000 prints 10,000 tickets, each with its own photo, through a TicketBatch (PDFs of 500 in a
// streamed ZIP) and reports the peak heap, sampled every 10 ms while it runs: it stays at what one file of 500 needs,
// however many tickets there are. Run with -benchtime 1x.
func BenchmarkTicketBatch10000(b *testing.B) {
	const n = 10000
	r := testRenderer(b)
	photo := testPhoto(b)
	base := sampleTicket(b)
	var zipBytes int64
	cpu0 := cpuTime()
	b.ReportAllocs()
	for b.Loop() {
		runtime.GC()
		var peak atomic.Uint64
		done := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
				select {
				case <-done:
					return
				case <-tick.C:
				}
			}
		}()
		cw := &countingWriter{}
		batch := r.NewTicketBatch(cw, DefaultTicketsPerFile, func(first, last string) string { return first + "-" + last + ".pdf" })
		for i := range n {
			t := base
			t.TicketNo = strconv.Itoa(260070001 + i)
			t.Token = "ZKZ2." + t.TicketNo + ".1.q8vPj2kM0nRr3xY7aBcD_w"
			t.Photo = distinctPhoto(photo, i) // made as it is read, as the app reads photos a page at a time
			if err := batch.Add(t); err != nil {
				b.Fatal(err)
			}
		}
		if err := batch.Close(); err != nil {
			b.Fatal(err)
		}
		close(done)
		<-sampled
		zipBytes = cw.n
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "tickets/s")
	b.ReportMetric(float64(b.N*n)/(cpuTime()-cpu0).Seconds(), "tickets/cpu-s")
	b.ReportMetric(float64(zipBytes)/(1<<20), "zip-MB")
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
