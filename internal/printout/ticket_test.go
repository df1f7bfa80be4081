package printout

import (
	"archive/zip"
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const testToken = "ZKZ2.260070001.1.q8vPj2kM0nRr3xY7aBcD_w"

func sampleTicket(t testing.TB) Ticket {
	return Ticket{
		Name: testName, IDNumber: testID, Employer: "北京城建集团有限责任公司第三工程分公司",
		Category: "建筑施工特种作业", Post: "建筑起重信号司索工（初级）", TicketNo: "260070001",
		Subjects: []TicketSubject{
			{"安全生产知识考核", "2026-12-20", "09:00–10:30"},
			{"专业基础知识", "2026-12-20", "13:30–15:00"},
		},
		Site: "北京市建设职业技能培训中心（北京市丰台区南四环西路188号）", RoomNo: "03", SeatNo: "17", Remark: "手机尾号8000",
		Token: testToken, Photo: testPhoto(t), Footer: "打印时间：2026-12-10 09:15",
	}
}

func renderTicket(t testing.TB, ts ...Ticket) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := testRenderer(t).TicketPDF(&buf, ts...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every field of LIFECYCLE §5 is printed, on one page, and the ID number never goes into the QR code.
func TestTicketPDFFields(t *testing.T) {
	tk := sampleTicket(t)
	pdf := renderTicket(t, tk)
	if n := countPages(pdf); n != 1 {
		t.Errorf("pages = %d, want 1", n)
	}
	text := squash(pdfText(t, pdf))
	for _, want := range []string{
		TicketTitle, "姓名", testName, "证件号码", testID, "工作单位", tk.Employer, "岗位类别", tk.Category, "岗位名称", tk.Post,
		"准考证号", "260070001", "考试科目", "考试日期", "考试时间", "安全生产知识考核", "2026-12-20", "09:00–10:30",
		"专业基础知识", "13:30–15:00", "考点名称（地址）", "北京市丰台区南四环西路188号", "考场号", "03", "座位号", "17",
		"备注", "手机尾号8000", "考生须知", "考试开始前15分钟", "两证", "对号入座", "迟到30分钟", "缺考", "签到二维码",
		"打印时间：2026-12-1009:15",
	} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("ticket text lacks %q", want)
		}
	}
	if strings.Contains(text, "照片（一寸）") {
		t.Error("the placeholder is printed although there is a photo")
	}
}

// The QR code on the printed page, rasterised at 300 dpi (a scanner reads paper at that or better), decodes to the
// signed token.
func TestTicketQRDecodesToToken(t *testing.T) {
	requireTool(t, "pdftoppm")
	dir := t.TempDir()
	in := filepath.Join(dir, "t.pdf")
	if err := os.WriteFile(in, renderTicket(t, sampleTicket(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "300", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pages) != 1 {
		t.Fatalf("pages = %v", pages)
	}
	// The code sits in the right-hand column (from 160 mm), below the photo: the decoder is given that part.
	img := readPNG(t, pages[0])
	b := img.Bounds()
	part := image.Rect(b.Dx()*155/210, b.Dy()*80/297, b.Dx(), b.Dy()*150/297)
	strip := image.NewRGBA(image.Rect(0, 0, part.Dx(), part.Dy()))
	draw.Draw(strip, strip.Bounds(), img, part.Min, draw.Src)
	if got := decodeQR(t, strip); got != testToken {
		t.Errorf("QR decodes to %q, want %q", got, testToken)
	}
}

func TestTicketRefusals(t *testing.T) {
	tk := sampleTicket(t)
	tk.Token = ""
	if err := testRenderer(t).TicketPDF(io.Discard, tk); !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: err = %v", err)
	}
	tk = sampleTicket(t)
	tk.Photo = []byte("not a jpeg")
	var buf bytes.Buffer
	if err := testRenderer(t).TicketPDF(&buf, sampleTicket(t), tk); !errors.Is(err, ErrPhoto) || buf.Len() != 0 {
		t.Errorf("bad photo: err = %v, %d bytes written", err, buf.Len())
	}
	if err := testRenderer(t).TicketPDF(io.Discard); !errors.Is(err, ErrNoForms) {
		t.Errorf("no tickets: err = %v", err)
	}
}

// Hostile names stay text; a ticket without a photo prints the placeholder.
func TestTicketPDFHostileTextAndNoPhoto(t *testing.T) {
	tk := sampleTicket(t)
	tk.Name, tk.Employer, tk.Photo = xssScript, xssImg, nil
	text := squash(pdfText(t, renderTicket(t, tk)))
	for _, want := range []string{xssScript, xssImg, "照片（一寸）"} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestTicketDOCX(t *testing.T) {
	tk := sampleTicket(t)
	tk.Name = xssScript
	var buf bytes.Buffer
	if err := TicketDOCX(&buf, tk, sampleTicket(t)); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	doc := string(files["word/document.xml"])
	wellFormed(t, "word/document.xml", files["word/document.xml"])
	for _, want := range []string{TicketTitle, "准考证号", "260070001", testID, "安全生产知识考核", "对号入座",
		"考点名称（地址）", "座位号", "&lt;script&gt;"} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if strings.Contains(doc, xssScript) {
		t.Error("a name became markup")
	}
	if _, ok := files["word/media/photo1.jpeg"]; !ok {
		t.Error("no photo in the package")
	}
	img, err := png.Decode(bytes.NewReader(files["word/media/qr2.png"]))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, img); got != testToken {
		t.Errorf("QR decodes to %q", got)
	}
}

func sampleRoom(t testing.TB, n int) Room {
	r := Room{PlanName: testPlan, Site: "北京市建设职业技能培训中心", Address: "北京市丰台区南四环西路188号", RoomNo: "03",
		Range: "260070001～260070030", Times: []string{"安全生产知识考核 2026-12-20 09:00–10:30"}, Footer: "打印时间：2026-12-10"}
	photo := testPhoto(t)
	for i := range n {
		no := 260070001 + i
		r.Candidates = append(r.Candidates, Candidate{SeatNo: strconv.Itoa(i + 1), Name: "考生" + strconv.Itoa(i+1),
			IDNumber: "110101********001" + strconv.Itoa(i%10), TicketNo: strconv.Itoa(no), Photo: photo})
	}
	r.Candidates[0].Name = testName
	r.Candidates[1].Photo = nil
	return r
}

func TestRoomDocuments(t *testing.T) {
	r := testRenderer(t)
	room := sampleRoom(t, 30)
	var grid, labels, door bytes.Buffer
	if err := r.RoomPhotosPDF(&grid, room); err != nil {
		t.Fatal(err)
	}
	if err := r.DeskLabelsPDF(&labels, room); err != nil {
		t.Fatal(err)
	}
	if err := r.DoorSignsPDF(&door, room); err != nil {
		t.Fatal(err)
	}
	gt := squash(pdfText(t, grid.Bytes()))
	for _, want := range []string{"考场照片阵列", testName, "260070001", "260070030", "110101********0010", "考生30", "照片"} {
		if !strings.Contains(gt, squash(want)) {
			t.Errorf("photo grid lacks %q", want)
		}
	}
	// 16 cells a page: 30 candidates take two pages, in 准考证号 order.
	if n := countPages(grid.Bytes()); n != 2 {
		t.Errorf("photo grid pages = %d, want 2", n)
	}
	if strings.Index(gt, "260070002") > strings.Index(gt, "260070017") {
		t.Error("photo grid is not in 准考证号 order")
	}
	lt := squash(pdfText(t, labels.Bytes()))
	for _, want := range []string{"1号", "30号", testName, "准考证号：260070030"} {
		if !strings.Contains(lt, want) {
			t.Errorf("desk labels lack %q", want)
		}
	}
	if n := countPages(labels.Bytes()); n != 3 {
		t.Errorf("desk label pages = %d, want 3 (ten a page)", n)
	}
	dt := squash(pdfText(t, door.Bytes()))
	for _, want := range []string{"考场门贴", "第03考场", testPlan, "北京市丰台区南四环西路188号", "260070001～260070030", "考生人数：30人",
		"09:00–10:30"} {
		if !strings.Contains(dt, squash(want)) {
			t.Errorf("door sign lacks %q", want)
		}
	}
	if strings.Contains(dt, "110101") || strings.Contains(lt, "110101") {
		t.Error("an ID number is on a door sign or desk label")
	}
	bad := sampleRoom(t, 2)
	bad.Candidates[1].Photo = []byte{0xFF, 0xD8, 0xFF, 0x00}
	if err := r.RoomPhotosPDF(io.Discard, bad); !errors.Is(err, ErrPhoto) {
		t.Errorf("bad photo in the grid: err = %v", err)
	}
}

// A batch writes PDFs of at most perFile tickets into a ZIP, as it goes.
func TestTicketBatch(t *testing.T) {
	var out bytes.Buffer
	b := testRenderer(t).NewTicketBatch(&out, 3, func(first, last string) string { return "准考证-" + first + "-" + last + ".pdf" })
	for i := range 7 {
		tk := sampleTicket(t)
		tk.TicketNo = strconv.Itoa(260070001 + i)
		if err := b.Add(tk); err != nil {
			t.Fatal(err)
		}
		if i == 2 && out.Len() == 0 {
			t.Error("the first file is not written when it is full")
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	pages := 0
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		pages += countPages(data)
	}
	want := []string{"准考证-260070001-260070003.pdf", "准考证-260070004-260070006.pdf", "准考证-260070007-260070007.pdf"}
	if strings.Join(names, ",") != strings.Join(want, ",") || pages != 7 || b.Count() != 7 || b.Files() != 3 {
		t.Errorf("files %v, %d pages, count %d", names, pages, b.Count())
	}
	empty := testRenderer(t).NewTicketBatch(io.Discard, 3, func(a, b string) string { return a })
	if err := empty.Close(); !errors.Is(err, ErrNoForms) {
		t.Errorf("empty batch: err = %v", err)
	}
}

// The ticket page's QR code is an SVG of the modules only: the token is not written into the markup.
func TestQRSVG(t *testing.T) {
	svg, err := QRSVG(testToken, 150)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(svg, "<svg ") || !strings.Contains(svg, `<path fill="#000" d="M`) || strings.Contains(svg, "ZKZ2") {
		t.Errorf("svg: %.200s", svg)
	}
	if _, err := QRSVG("", 150); err == nil {
		t.Error("empty payload accepted")
	}
}
