package printout

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func sampleCertificate(t testing.TB) Certificate {
	return Certificate{
		Fields: []Field{{"姓名", "张三<script>alert(1)</script>"}, {"性别", "男"}, {"出生日期", "1990-03-07"},
			{"证件号码", "110105199003070013"}, {"岗位", "安全员"}, {"证书编号", "京建安C3（2026）0000001"},
			{"初次发证日期", "2026-12-04"}, {"发证日期", "2026-12-04"}, {"有效期", "2026-12-04 至 2029-12-04"}, {"职务", ""}},
		Wide: []Field{{"单位", "北京测试建设有限公司"}, {"发证机关", "北京市住房和城乡建设委员会"},
			{"电子证照标识", "1.2.156.3005.2.11100000000013338W011.11110000000021135M.20260000001.001.X"}},
		VerifyURL: "https://examcert.example.gov.cn/verify/abcdefghijklmnopqrstuvwxyz234567",
		Note:      "扫描二维码核验证书，以核验页面实时信息为准",
		Photo:     testPhoto(t),
		Footer:    "打印时间：2026-12-04 10:00",
	}
}

func TestCertificatePDF(t *testing.T) {
	r := testRenderer(t)
	var b bytes.Buffer
	if err := r.CertificatePDF(&b, sampleCertificate(t)); err != nil {
		t.Fatal(err)
	}
	text := squash(pdfText(t, b.Bytes()))
	for _, want := range []string{"北京市住房和城乡建设行业从业人员证书", "京建安C3（2026）0000001", "张三<script>alert(1)</script>",
		"北京市住房和城乡建设委员会", "2026-12-04 至 2029-12-04", "电子证照标识"} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("the PDF lacks %q", want)
		}
	}

	c := sampleCertificate(t)
	c.VerifyURL = ""
	if err := r.CertificatePDF(&b, c); !errors.Is(err, ErrNoVerifyURL) {
		t.Fatalf("no verify URL: %v", err)
	}
	c = sampleCertificate(t)
	c.Photo = []byte("not a jpeg")
	if err := r.CertificatePDF(&b, c); !errors.Is(err, ErrPhoto) {
		t.Fatalf("bad photo: %v", err)
	}
}

// sealed is a Signer as an e-seal service would be: it changes the document and says its type.
type sealed struct{}

func (sealed) Format() (string, string) { return "application/ofd", ".ofd" }
func (sealed) Sign(_ context.Context, b []byte) ([]byte, error) {
	return append([]byte("SEALED:"), b...), nil
}

func TestIssueCertificateDocumentSigns(t *testing.T) {
	r := testRenderer(t)
	plain, err := r.IssueCertificateDocument(context.Background(), sampleCertificate(t), NoSeal{})
	if err != nil || !bytes.HasPrefix(plain, []byte("%PDF")) {
		t.Fatalf("unsigned: %v", err)
	}
	s, err := r.IssueCertificateDocument(context.Background(), sampleCertificate(t), sealed{})
	if err != nil || !bytes.HasPrefix(s, []byte("SEALED:%PDF")) {
		t.Fatalf("signed: %v", err)
	}
}

// BenchmarkCertificatePDF prints one certificate per PDF (the 【下载】 of one certificate), photo and QR included.
func BenchmarkCertificatePDF(b *testing.B) {
	r := testRenderer(b)
	c := sampleCertificate(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := r.CertificatePDF(&buf, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "certificates/s")
}

// The certificate is one A4 page (595×842 pt) whose QR code, rasterised by Poppler, decodes to its verification URL.
func TestCertificatePDFIsA4AndItsQRCodeVerifies(t *testing.T) {
	requireTool(t, "pdfinfo")
	requireTool(t, "pdftoppm")
	c := sampleCertificate(t)
	var b bytes.Buffer
	if err := testRenderer(t).CertificatePDF(&b, c); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "certificate.pdf")
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", in).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := regexp.MustCompile(`(?m)^Page size:\s+([\d.]+) x ([\d.]+) pts`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: no page size:\n%s", info)
	}
	w, _ := strconv.ParseFloat(string(m[1]), 64)
	h, _ := strconv.ParseFloat(string(m[2]), 64)
	if math.Abs(w-595.28) > 0.5 || math.Abs(h-841.89) > 0.5 {
		t.Errorf("page %.2f × %.2f pt, want A4 595.28 × 841.89", w, h)
	}
	if !regexp.MustCompile(`(?m)^Pages:\s+1$`).Match(info) {
		t.Errorf("want one page:\n%s", info)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "150", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pages) != 1 {
		t.Fatalf("pages = %v", pages)
	}
	if got := decodeQR(t, readPNG(t, pages[0])); got != c.VerifyURL {
		t.Errorf("the QR code decodes to %q, want %q", got, c.VerifyURL)
	}
}
