package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"examcert/models"
)

// The plan's 考试方式 chooses the 准考证's variant on the page, in the PDF and in the Word file alike: its title, its
// 考生须知, and for 网考 a 场次 and no 座位号; the QR code stays.
func TestTicketVariantsByExamMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := ticketFixture(t, e)
	c := e.client().signIn("zhangsan")
	base := "/tickets/" + strconv.FormatInt(w.regOf["260070001"], 10)
	cases := []struct {
		mode       models.ExamMode
		want, lack []string
	}{
		{models.ModeComputer, []string{"考核准考证（理论考试）", "考试开始前15分钟", "迟到30分钟的考生视为缺考", "座位号"}, []string{"实操", "模拟测试"}},
		{models.ModePractical, []string{"考核准考证（实操考试）", "理论考试合格者方可参加实操考试", "考试开始前30分钟", "开考后迟到的考生视为缺考", "座位号"},
			[]string{"迟到30分钟", "模拟测试"}},
		{models.ModeOnline, []string{"考核准考证（网上考试）", "考试开始前30分钟登录网上考试平台", "视为自动放弃", "场次", "考试平台"},
			[]string{"座位号", "考场号", "对号入座"}},
	}
	for _, tc := range cases {
		if _, err := e.db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("exam_mode = ?", tc.mode).Where("id = ?", w.plan.ID).
			Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		page := c.get(base)
		sheet := page.Text(`[data-testid="ticket-sheet"]`)
		if page.Doc.Find(`[data-testid="ticket-qr"] svg path`).Length() != 1 {
			t.Errorf("%s: the page has no QR code", tc.mode)
		}
		pdf := pdfToText(t, []byte(c.get(base+"/pdf").Body))
		doc := docxDocument(t, []byte(c.get(base+"/docx").Body))
		for name, text := range map[string]string{"page": sheet, "PDF": pdf, "Word": doc} {
			for _, want := range tc.want {
				if !strings.Contains(text, want) {
					t.Errorf("%s %s lacks %q", tc.mode, name, want)
				}
			}
			for _, lack := range tc.lack {
				if strings.Contains(text, lack) {
					t.Errorf("%s %s has %q", tc.mode, name, lack)
				}
			}
		}
	}
}

// docxDocument is word/document.xml of a Word file.
func docxDocument(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a Word file: %v", err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}
