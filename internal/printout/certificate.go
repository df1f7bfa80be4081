package printout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// The 证书 (LIFECYCLE §7) on one A4 page: the title, the fields of the certificate record beside the photo, the
// wide fields (单位, 发证机关, 电子证照标识) across, and a QR code that opens the public verification page.
//
// A certificate document is made in two steps, so that an electronic seal can be added later without touching the
// layout: CertificatePDF lays the page out (unsigned), and a Signer turns the unsigned document into the issued one
// (today NoSeal returns it as it is; a signer for the national e-certificate would apply the e-seal to the PDF, or
// build the OFD, behind the same interface).

// CertificateTitle is the title printed when a Certificate has none.
const CertificateTitle = "北京市住房和城乡建设行业从业人员证书"

// Certificate is one certificate as printed. All strings are user data: render them as text only.
type Certificate struct {
	Title     string  // "" → CertificateTitle
	Fields    []Field // beside the photo, two a row: 姓名, 性别, 出生日期, 证件号码, 岗位, 证书编号, 发证日期 …
	Wide      []Field // across the page: 单位, 发证机关, 电子证照标识
	VerifyURL string  // the QR code's payload: the verification page's address
	Note      string  // under the QR code
	Photo     []byte  // JPEG, or nil → the placeholder
	Footer    string
}

// ErrNoVerifyURL: a certificate without its verification address cannot be checked by scanning.
var ErrNoVerifyURL = errors.New("printout: certificate has no verification URL")

// CertificatePDF writes one A4 page per certificate to w (unsigned).
func (r *Renderer) CertificatePDF(w io.Writer, certs ...Certificate) error {
	docs := make([]pdfPart, len(certs))
	for i := range certs {
		docs[i] = &certificateDoc{c: cleanCertificate(&certs[i]), raw: certs[i].Photo}
	}
	return writePDF(r, w, docs, ticketCompression)
}

// Signer makes an unsigned certificate document the issued one: an electronic seal on the PDF, or another format
// (OFD) with its seal. Format is the content type of what Sign returns.
type Signer interface {
	Format() (contentType, ext string)
	Sign(ctx context.Context, unsigned []byte) ([]byte, error)
}

// NoSeal is the Signer until an e-seal service is connected: the PDF as laid out.
type NoSeal struct{}

// Format is a PDF's.
func (NoSeal) Format() (string, string) { return "application/pdf", ".pdf" }

// Sign returns the document unchanged.
func (NoSeal) Sign(_ context.Context, unsigned []byte) ([]byte, error) { return unsigned, nil }

// IssueCertificateDocument lays a certificate out and signs it with s.
func (r *Renderer) IssueCertificateDocument(ctx context.Context, c Certificate, s Signer) ([]byte, error) {
	var b bytes.Buffer
	if err := r.CertificatePDF(&b, c); err != nil {
		return nil, err
	}
	return s.Sign(ctx, b.Bytes())
}

type certificateDoc struct {
	c     Certificate
	raw   []byte
	photo photoInfo
}

var (
	certFields = fieldGrid{cols: [5]float64{25, 55, 25, 40, 35}, photoRows: 4, rowMin: 11, maxLines: 3}
	certWide   = [2]float64{25, 155}
)

const certQR = 36.0

func (k *certificateDoc) ref() string {
	for _, f := range k.c.Fields {
		if f.Label == "证书编号" {
			no := []rune(f.Value)
			return fmt.Sprintf("证书编号 %q", string(no[:min(len(no), 40)]))
		}
	}
	return ""
}

func (k *certificateDoc) check() (err error) {
	if k.c.VerifyURL == "" {
		return ErrNoVerifyURL
	}
	k.photo, err = checkStoredPhoto(k.raw)
	return err
}

func (k *certificateDoc) pdf(d *pdfDoc) {
	title := k.c.Title
	if title == "" {
		title = CertificateTitle
	}
	d.begin(k.c.Footer, title+"（续）")
	d.y += 6
	d.heading(title)
	d.y += 4
	d.openFrame()
	d.fieldTable(certFields, k.c.Fields, k.photo)
	for _, f := range k.c.Wide {
		l := d.mkCell(certWide[0], f.Label, sizeLabel, alignCenter, 2)
		v := d.mkCell(certWide[1], f.Value, sizeValue, alignLeft, 3)
		h := max(certFields.rowMin, d.cellHeight(l), d.cellHeight(v))
		d.ensure(h)
		d.row(left, h, l, v)
		d.y += h
	}
	d.endFrame()
	d.y += 8
	d.ensure(certQR + 2*lineH(sizeSmall))
	qx := left + (contentW-certQR)/2
	d.qr(qx, d.y, certQR, k.c.VerifyURL)
	d.y += certQR + 1
	d.setSize(sizeSmall)
	for _, l := range d.wrap(k.c.Note, contentW, 3) {
		d.lines(left, d.y, contentW, lineH(sizeSmall), []string{l}, alignCenter)
		d.y += lineH(sizeSmall)
	}
}

func cleanCertificate(c *Certificate) Certificate {
	out := Certificate{Title: clean(c.Title, false), VerifyURL: c.VerifyURL, Note: clean(c.Note, true),
		Footer: clean(c.Footer, false), Photo: c.Photo}
	for _, f := range c.Fields {
		out.Fields = append(out.Fields, Field{clean(f.Label, false), clean(f.Value, false)})
	}
	for _, f := range c.Wide {
		out.Wide = append(out.Wide, Field{clean(f.Label, false), clean(f.Value, false)})
	}
	return out
}
