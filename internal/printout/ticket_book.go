package printout

import (
	"bytes"
	"io"
)

// TicketBook prints any number of tickets as ONE PDF in bounded memory. gopdf keeps a whole document in memory, so
// the tickets are printed in chunks of at most perFile, each made in memory as one PDF as TicketPDF makes it, then
// joined into the book by pdfCat (pdfcat.go): the chunk's objects are renumbered, written to w and forgotten, and
// only their offsets are kept for the cross-reference table. At any moment the book holds one chunk's tickets and
// that chunk's PDF: memory depends on perFile, never on the number of tickets.
//
// The chunks' page content is made uncompressed (ticketCompression) and deflated by the book with one compressor
// for the whole output. Nothing is written before the first chunk is printed; a ticket that is refused (a photo
// that is not a JPEG) fails its chunk's Add or Close, and by then earlier chunks may have been written: the output
// is then to be thrown away.
type TicketBook struct {
	r       *Renderer
	cat     *pdfCat
	perFile int
	pending []Ticket
	buf     bytes.Buffer
	chunks  int
	count   int
}

// NewTicketBook starts a book writing one PDF to w; perFile ≤ 0 means DefaultTicketsPerFile.
func (r *Renderer) NewTicketBook(w io.Writer, perFile int) *TicketBook {
	if perFile <= 0 {
		perFile = DefaultTicketsPerFile
	}
	return &TicketBook{r: r, cat: newPDFCat(w, true), perFile: perFile}
}

// Add queues a ticket, printing a chunk when perFile tickets are queued.
func (b *TicketBook) Add(t Ticket) error {
	b.pending = append(b.pending, t)
	if len(b.pending) >= b.perFile {
		return b.flush()
	}
	return nil
}

// Count is how many tickets have been added.
func (b *TicketBook) Count() int { return b.count + len(b.pending) }

// Chunks is how many chunks have been printed into the book so far.
func (b *TicketBook) Chunks() int { return b.chunks }

func (b *TicketBook) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	b.buf.Reset()
	if err := b.r.TicketPDF(&b.buf, b.pending...); err != nil {
		return err
	}
	if err := b.cat.add(b.buf.Bytes()); err != nil {
		return err
	}
	b.chunks++
	b.count += len(b.pending)
	clear(b.pending) // the photos go with the tickets
	b.pending = b.pending[:0]
	if b.buf.Cap() > 64<<20 {
		b.buf = bytes.Buffer{}
	}
	return nil
}

// Close prints the last chunk and ends the PDF. A book without any ticket is an error (ErrNoForms).
func (b *TicketBook) Close() error {
	if b.count == 0 && len(b.pending) == 0 {
		return ErrNoForms
	}
	if err := b.flush(); err != nil {
		return err
	}
	return b.cat.close()
}
