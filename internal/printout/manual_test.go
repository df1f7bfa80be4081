package printout

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestManualRender writes sample PDFs and a .docx to $PRINTOUT_OUT for looking at (pdftoppm -png -r 60 …).
func TestManualRender(t *testing.T) {
	dir := os.Getenv("PRINTOUT_OUT")
	if dir == "" {
		t.Skip("set PRINTOUT_OUT to a directory to write sample files")
	}
	f := sampleForm(t)
	write := func(name string, data []byte) {
		if err := os.WriteFile(dir+"/"+name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("one.pdf", renderPDF(t, f))

	g := sampleForm(t)
	g.Photo = nil
	g.Title = xssScript
	g.Fields = []Field{{"姓名", xssScript}, {"曾用名", "李犇 刘䶮 吉𠮷"}, {"身份证号", xssImg}, {"单位名称", strings.Repeat("北京城建集团有限责任公司第三工程分公司", 3)}, {"备注", "奇数个字段"}}
	g.Resume = g.Resume[:1]
	write("edge.pdf", renderPDF(t, g))

	h := sampleForm(t)
	for i := 0; i < 20; i++ {
		h.Fields = append(h.Fields, Field{fmt.Sprintf("附加项目%d", i+1), strings.Repeat("很长的内容", i%4+1)})
	}
	h.Fields[8].Value = strings.Repeat("北京城建集团有限责任公司第三工程分公司", 20)
	h.Resume = nil
	for i := 0; i < 25; i++ {
		h.Resume = append(h.Resume, ResumeRow{fmt.Sprintf("%d.01-%d.12", 2000+i, 2000+i), fmt.Sprintf("第%d工作单位", i+1), "职员"})
	}
	h.EmployerOpinion = strings.Repeat("该同志工作认真负责，业务能力强，遵守各项规章制度。", 60) + "同意报名。"
	write("long.pdf", renderPDF(t, h))

	rare := sampleForm(t)
	rare.Fields[0].Value = "𠮷野家"
	rare.Fields[1] = Field{"曾用名", "王𬌗 𠀾明"}
	rare.Resume[0].Employer = "𠮷野家工作室"
	write("rare.pdf", renderPDF(t, rare))

	var q bytes.Buffer
	if err := testRenderer(t).pdf(&q, []document{&qrSheet{title: "二维码", payload: qrPayloads[0], size: 30}}); err != nil {
		t.Fatal(err)
	}
	write("qr.pdf", q.Bytes())

	var b bytes.Buffer
	if err := DOCX(&b, f, g, h, rare); err != nil {
		t.Fatal(err)
	}
	write("forms.docx", b.Bytes())
}
