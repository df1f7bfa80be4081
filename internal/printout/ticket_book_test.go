package printout

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A book of 5 tickets in chunks of 2 is one PDF of 5 pages, in order, that Poppler and qpdf read without a
// complaint; its page content is deflated, so it is smaller than the chunks it was made of.
func TestTicketBook(t *testing.T) {
	r := testRenderer(t)
	photo := testPhoto(t)
	var out bytes.Buffer
	b := r.NewTicketBook(&out, 2)
	var tickets []Ticket
	for i := range 5 {
		tk := sampleTicket(t)
		tk.TicketNo = strconv.Itoa(260070001 + i)
		tk.Photo = distinctPhoto(photo, i)
		if i == 4 {
			tk.Name = "吉𠮷" // beyond U+FFFF: the chunk's ToUnicode map is rewritten (tounicode.go) before it is joined
		}
		tickets = append(tickets, tk)
		if err := b.Add(tk); err != nil {
			t.Fatal(err)
		}
		if i == 1 && out.Len() == 0 {
			t.Error("the first chunk is not written when it is full")
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if b.Count() != 5 || b.Chunks() != 3 {
		t.Errorf("count %d, chunks %d", b.Count(), b.Chunks())
	}
	pdf := out.Bytes()
	if n := checkStructure(t, pdf); n != 5 {
		t.Errorf("%d pages in the page tree, want 5", n)
	}
	chunks := 0
	for i := 0; i < 5; i += 2 {
		chunks += len(renderTicket(t, tickets[i:min(i+2, 5)]...))
	}
	if len(pdf) >= chunks {
		t.Errorf("book %d bytes, its chunks %d: page content not deflated", len(pdf), chunks)
	}

	requireTool(t, "pdfinfo")
	if n, _ := pdfinfoPages(t, pdf); n != 5 {
		t.Errorf("pdfinfo: %d pages, want 5", n)
	}
	text := squash(pdfText(t, pdf))
	at := 0
	for _, tk := range tickets {
		i := strings.Index(text[at:], tk.TicketNo)
		if i < 0 {
			t.Fatalf("准考证号 %s not found in order", tk.TicketNo)
		}
		at += i + len(tk.TicketNo)
	}
	for i, tk := range tickets {
		page := squash(pdfPageText(t, pdf, i+1))
		if !strings.Contains(page, tk.TicketNo) || !strings.Contains(page, tk.Name) {
			t.Errorf("page %d does not show %s %s", i+1, tk.TicketNo, tk.Name)
		}
	}
	qpdfCheck(t, pdf)

	var none bytes.Buffer
	if err := r.NewTicketBook(&none, 2).Close(); !errors.Is(err, ErrNoForms) || none.Len() != 0 {
		t.Errorf("empty book: err = %v, %d bytes written", err, none.Len())
	}
}

// A refused ticket fails the chunk it is in.
func TestTicketBookBadPhoto(t *testing.T) {
	b := testRenderer(t).NewTicketBook(io.Discard, 2)
	tk := sampleTicket(t)
	tk.Photo = []byte("not a jpeg")
	if err := b.Add(tk); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); !errors.Is(err, ErrPhoto) {
		t.Errorf("err = %v, want ErrPhoto", err)
	}
}

// qpdfCheck runs qpdf --check on pdf; without qpdf it skips, unless E2E_REQUIRED is set.
func qpdfCheck(t *testing.T, pdf []byte) {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		if os.Getenv("E2E_REQUIRED") != "" {
			t.Fatal("qpdf is required (Debian: qpdf)")
		}
		t.Skip("qpdf not installed (Debian: qpdf)")
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("qpdf", "--check", in).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors found") {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
}
