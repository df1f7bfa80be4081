package printout

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"time"
)

// TicketBatch prints any number of tickets in bounded memory. gopdf keeps a whole document in memory until it is
// written, so one PDF of 10,000 tickets (photos included) would hold hundreds of megabytes; instead the tickets go
// into PDFs of at most PerFile tickets, and each PDF, once made, is written into a ZIP archive streamed to w and
// forgotten. At any moment the batch holds one file's tickets and that file's PDF: memory depends on PerFile,
// never on the number of tickets. A batch that ends with a single file still comes as a ZIP, so that the caller
// can send the response before it knows how many tickets there are.
type TicketBatch struct {
	r       *Renderer
	zw      *zip.Writer
	perFile int
	name    func(first, last string) string
	pending []Ticket
	buf     bytes.Buffer
	files   int
	count   int
}

// DefaultTicketsPerFile is how many tickets one PDF of a batch holds: about 30 MB of heap at its peak.
const DefaultTicketsPerFile = 500

// NewTicketBatch starts a batch writing a ZIP archive to w. name gives a file's name from its first and last
// 准考证号 (e.g. "准考证-260070001-260070500.pdf"); perFile ≤ 0 means DefaultTicketsPerFile.
func (r *Renderer) NewTicketBatch(w io.Writer, perFile int, name func(first, last string) string) *TicketBatch {
	if perFile <= 0 {
		perFile = DefaultTicketsPerFile
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &TicketBatch{r: r, zw: zw, perFile: perFile, name: name}
}

// Add queues a ticket, printing a file when perFile tickets are queued.
func (b *TicketBatch) Add(t Ticket) error {
	b.pending = append(b.pending, t)
	if len(b.pending) >= b.perFile {
		return b.flush()
	}
	return nil
}

// Count is how many tickets have been added.
func (b *TicketBatch) Count() int { return b.count + len(b.pending) }

// Files is how many PDF files have been written so far.
func (b *TicketBatch) Files() int { return b.files }

func (b *TicketBatch) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	b.buf.Reset()
	if err := b.r.TicketPDF(&b.buf, b.pending...); err != nil {
		return err
	}
	name := b.name(b.pending[0].TicketNo, b.pending[len(b.pending)-1].TicketNo)
	// The PDFs' page content is not compressed (ticketCompression): the archive deflates each file instead.
	fw, err := b.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
	if err != nil {
		return fmt.Errorf("printout: ticket batch: %w", err)
	}
	if _, err := fw.Write(b.buf.Bytes()); err != nil {
		return fmt.Errorf("printout: ticket batch: %w", err)
	}
	b.files++
	b.count += len(b.pending)
	clear(b.pending) // the photos go with the tickets
	b.pending = b.pending[:0]
	if b.buf.Cap() > 64<<20 {
		b.buf = bytes.Buffer{}
	}
	return nil
}

// Close prints the last file and ends the archive. A batch without any ticket is an error (ErrNoForms).
func (b *TicketBatch) Close() error {
	if b.count == 0 && len(b.pending) == 0 {
		return ErrNoForms
	}
	if err := b.flush(); err != nil {
		return err
	}
	return b.zw.Close()
}
