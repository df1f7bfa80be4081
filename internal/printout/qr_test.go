package printout

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// qrSheet is a document kind made for the tests, the way a 准考证 or 证书 would use the engine: a heading, a line
// of text and a QR code.
type qrSheet struct {
	title, payload string
	size           float64 // mm, quiet zone included
}

func (q *qrSheet) ref() string  { return "" }
func (q *qrSheet) check() error { return nil }

func (q *qrSheet) pdf(d *pdfDoc) {
	d.begin("", q.title)
	d.heading(q.title)
	d.infoRow([]float64{contentW}, "扫码验证："+q.payload)
	d.qr(left+(contentW-q.size)/2, d.y+5, q.size, q.payload)
}

func (q *qrSheet) docx(w *docxWriter) {
	w.para(q.title, runProps{size: sizeTitle, center: true}, "", "")
	w.qr(q.size, q.payload)
	w.sectionEnd("")
}

var qrPayloads = []string{
	"https://examcert.example.cn/verify?no=BJ2026-000123&k=9f86d081884c7d65",
	"证书编号：京建安A(2026)0001234；姓名：𠮷野家",
	"0123456789",
}

// The QR code drawn in the PDF, rasterised by Poppler, decodes back to its payload.
func TestPDFQRCodeRoundTrip(t *testing.T) {
	requireTool(t, "pdftoppm")
	var docs []document
	for _, p := range qrPayloads {
		docs = append(docs, &qrSheet{title: "二维码测试", payload: p, size: 30})
	}
	var buf bytes.Buffer
	if err := testRenderer(t).pdf(&buf, docs); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("the QR code is a raster image, want vector squares")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "qr.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "150", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pages) != len(qrPayloads) {
		t.Fatalf("pages = %v", pages)
	}
	for i, p := range qrPayloads {
		if got := decodeQR(t, readPNG(t, pages[i])); got != p {
			t.Errorf("page %d: decoded %q, want %q", i+1, got, p)
		}
	}
	if text := squash(pdfText(t, pdf)); !strings.Contains(text, squash(qrPayloads[1])) {
		t.Errorf("the payload text beside the code is lost:\n%s", text)
	}
}

// The .docx carries the QR code as a PNG that decodes back to its payload.
func TestDOCXQRCode(t *testing.T) {
	var buf bytes.Buffer
	if err := writeDOCX(&buf, []document{&qrSheet{title: "二维码", payload: qrPayloads[1], size: 30}}); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	if !strings.Contains(string(files["[Content_Types].xml"]), `Extension="png"`) ||
		!strings.Contains(string(files["word/_rels/document.xml.rels"]), `Target="media/qr1.png"`) {
		t.Error("the PNG part is not declared")
	}
	wellFormed(t, "word/document.xml", files["word/document.xml"])
	img, err := png.Decode(bytes.NewReader(files["word/media/qr1.png"]))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, img); got != qrPayloads[1] {
		t.Errorf("decoded %q", got)
	}
}

func TestQRErrors(t *testing.T) {
	if _, err := qrModules(""); err == nil {
		t.Error("empty payload accepted")
	}
	long := strings.Repeat("x", 3000) // more than version 40 holds at level Q
	if _, err := qrModules(long); err == nil {
		t.Error("over-long payload accepted")
	}
	err := testRenderer(t).pdf(&bytes.Buffer{}, []document{&qrSheet{title: "x", payload: long, size: 30}})
	if err == nil || !strings.Contains(err.Error(), "form 1") {
		t.Errorf("err = %v", err)
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// decodeQR reads a QR code from an image with ZXing's Go port, a decoder independent of the encoder.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}
