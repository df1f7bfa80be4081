//go:build unix

package printout

import (
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap runs f and returns the highest HeapAlloc seen, sampled every 10 ms while it runs, after a GC before it.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done, sampled := make(chan struct{}), make(chan struct{})
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
	f()
	close(done)
	<-sampled
	return peak.Load()
}

// ticketAdder is what TicketBatch and TicketBook have in common.
type ticketAdder interface {
	Add(Ticket) error
	Close() error
}

// addTickets adds n tickets, each with a photo of its own made as it is read (as the app reads a page at a time).
func addTickets(b *testing.B, to ticketAdder, n int, base Ticket, photo []byte) {
	for i := range n {
		t := base
		t.TicketNo = strconv.Itoa(260070001 + i)
		t.Token = "ZKZ2." + t.TicketNo + ".1.q8vPj2kM0nRr3xY7aBcD_w"
		t.Photo = distinctPhoto(photo, i)
		if err := to.Add(t); err != nil {
			b.Fatal(err)
		}
	}
	if err := to.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTicketBookVsBatch10000 prints 10,000 tickets, each with its own photo, as ONE PDF (TicketBook) and, in
// the same loop as the reference, as a ZIP of PDFs of 500 (TicketBatch), both with chunks of
// DefaultTicketsPerFile; it reports each one's peak heap (sampled every 10 ms), rate (per wall-clock and per CPU-second)
// and output size. Run with
// -benchtime 1x.
func BenchmarkTicketBookVsBatch10000(b *testing.B) {
	const n = 10000
	r := testRenderer(b)
	photo := testPhoto(b)
	base := sampleTicket(b)
	var tBook, tBatch, cBook, cBatch time.Duration
	var peakBook, peakBatch uint64
	var pdf, zip countingWriter
	for b.Loop() {
		pdf, zip = countingWriter{}, countingWriter{}
		start, cStart := time.Now(), cpuTime()
		peakBook = max(peakBook, peakHeap(func() { addTickets(b, r.NewTicketBook(&pdf, DefaultTicketsPerFile), n, base, photo) }))
		mid, cMid := time.Now(), cpuTime()
		peakBatch = max(peakBatch, peakHeap(func() {
			addTickets(b, r.NewTicketBatch(&zip, DefaultTicketsPerFile, func(first, last string) string { return first + "-" + last + ".pdf" }), n, base, photo)
		}))
		tBook += mid.Sub(start)
		tBatch += time.Since(mid)
		cBook += cMid - cStart
		cBatch += cpuTime() - cMid
	}
	b.ReportMetric(float64(peakBook)/(1<<20), "book-peak-heap-MB")
	b.ReportMetric(float64(peakBatch)/(1<<20), "batch-peak-heap-MB")
	b.ReportMetric(float64(b.N*n)/tBook.Seconds(), "book-tickets/s")
	b.ReportMetric(float64(b.N*n)/tBatch.Seconds(), "batch-tickets/s")
	b.ReportMetric(float64(b.N*n)/cBook.Seconds(), "book-tickets/cpu-s")
	b.ReportMetric(float64(b.N*n)/cBatch.Seconds(), "batch-tickets/cpu-s")
	b.ReportMetric(float64(pdf.n)/(1<<20), "book-pdf-MB")
	b.ReportMetric(float64(zip.n)/(1<<20), "batch-zip-MB")
}

// BenchmarkTicketBook prints books of 2,000 and 10,000 tickets in chunks of 100 and of 500: the peak heap follows
// the chunk size and not the number of tickets; smaller chunks cost a font subset each (a larger file, a lower
// rate). Run with -benchtime 1x.
func BenchmarkTicketBook(b *testing.B) {
	r := testRenderer(b)
	photo := testPhoto(b)
	base := sampleTicket(b)
	for _, n := range []int{2000, 10000} {
		for _, per := range []int{100, DefaultTicketsPerFile} {
			b.Run("tickets="+strconv.Itoa(n)+"/per="+strconv.Itoa(per), func(b *testing.B) {
				var peak uint64
				var pdf countingWriter
				cpu0 := cpuTime()
				for b.Loop() {
					pdf = countingWriter{}
					peak = max(peak, peakHeap(func() { addTickets(b, r.NewTicketBook(&pdf, per), n, base, photo) }))
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "tickets/s")
				b.ReportMetric(float64(b.N*n)/(cpuTime()-cpu0).Seconds(), "tickets/cpu-s")
				b.ReportMetric(float64(pdf.n)/(1<<20), "pdf-MB")
			})
		}
	}
}
