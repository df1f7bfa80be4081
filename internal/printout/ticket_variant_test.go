package printout

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

// ticketVariantCases are what each variant must and must not print (LIFECYCLE §5): its title, its entry rule, and
// for 网考 the platform and 场次 in place of the 考点 and the seat.
var ticketVariantCases = []struct {
	kind       TicketKind
	want, lack []string
}{
	{TicketTheory,
		[]string{TicketTitle + "（理论考试）", "考试开始前15分钟", "迟到30分钟的考生视为缺考", "对号入座", "考点名称（地址）", "座位号", "签到二维码"},
		[]string{"实操", "网上考试", "模拟测试", "考试开始前30分钟"}},
	{TicketPractical,
		[]string{TicketTitle + "（实操考试）", "理论考试合格者方可参加实操考试", "考试开始前30分钟", "开考后迟到的考生视为缺考",
			"考点名称（地址）", "座位号", "签到二维码"},
		[]string{"理论考试）", "迟到30分钟", "网上考试", "模拟测试", "考试开始前15分钟"}},
	{TicketOnline,
		[]string{TicketTitle + "（网上考试）", "考试开始前30分钟登录网上考试平台", "完成身份核验", "通过模拟测试",
			"视为自动放弃", "考试平台", "场次", "考试方式", "准考证二维码"},
		[]string{"座位号", "考点名称", "考场号", "签到二维码", "对号入座", "实操", "考试开始前15分钟"}},
}

// Each variant prints its own title and 考生须知 on one PDF page, with the QR token, and the fields of its kind.
func TestTicketVariantsPDF(t *testing.T) {
	for _, tc := range ticketVariantCases {
		tk := sampleTicket(t)
		tk.Kind = tc.kind
		pdf := renderTicket(t, tk)
		if n := countPages(pdf); n != 1 {
			t.Errorf("%s: %d pages, want 1", tc.kind.Title(), n)
		}
		text := squash(pdfText(t, pdf))
		for _, want := range append(tc.want, testName, "260070001", "03") {
			if !strings.Contains(text, squash(want)) {
				t.Errorf("%s: PDF lacks %q", tc.kind.Title(), want)
			}
		}
		for _, lack := range tc.lack {
			if strings.Contains(text, squash(lack)) {
				t.Errorf("%s: PDF prints %q", tc.kind.Title(), lack)
			}
		}
		if tc.kind == TicketOnline && strings.Contains(text, "17") {
			t.Errorf("网考: the seat number is printed")
		}
		if strings.Contains(text, "…") {
			t.Errorf("%s: a rule is cut", tc.kind.Title())
		}
	}
}

// The Word ticket carries the same title, rules and fields as the PDF, and the QR token.
func TestTicketVariantsDOCX(t *testing.T) {
	for _, tc := range ticketVariantCases {
		tk := sampleTicket(t)
		tk.Kind = tc.kind
		var buf bytes.Buffer
		if err := TicketDOCX(&buf, tk); err != nil {
			t.Fatal(err)
		}
		files := unzip(t, buf.Bytes())
		doc := string(files["word/document.xml"])
		wellFormed(t, "word/document.xml", files["word/document.xml"])
		for _, want := range tc.want {
			if !strings.Contains(doc, want) {
				t.Errorf("%s: document.xml lacks %q", tc.kind.Title(), want)
			}
		}
		for _, lack := range tc.lack {
			if strings.Contains(doc, lack) {
				t.Errorf("%s: document.xml has %q", tc.kind.Title(), lack)
			}
		}
		if tc.kind == TicketOnline && strings.Contains(doc, ">17<") {
			t.Errorf("网考: the seat number is in the Word ticket")
		}
		qr := 0
		for name, data := range files {
			if strings.HasPrefix(name, "word/media/qr") {
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil || decodeQR(t, img) != testToken {
					t.Errorf("%s: %s is not the token's QR code (%v)", tc.kind.Title(), name, err)
				}
				qr++
			}
		}
		if qr != 1 {
			t.Errorf("%s: %d QR codes in the package, want 1", tc.kind.Title(), qr)
		}
	}
}

// A kind out of range prints as the theory ticket, never without a title or rules.
func TestTicketKindOutOfRange(t *testing.T) {
	for _, k := range []TicketKind{-1, 3, 99} {
		if k.Title() != TicketTheory.Title() || len(k.Rules()) == 0 {
			t.Errorf("kind %d: %q, %d rules", k, k.Title(), len(k.Rules()))
		}
	}
}
