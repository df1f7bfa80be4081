package printout

import (
	"bytes"
	"strings"
	"testing"
)

func testChangeForm() AppForm {
	return AppForm{Title: "证书变更申请表", Document: "BGSQ20260001",
		Info:   []Field{{"申请批次号", "BGSQ20260001"}, {"申请日期", "2026-12-02"}, {"变更类型", "京内变更"}},
		Fields: []Field{{"证书类别", "安管人员 C3"}, {"证书编号", "京建安C3（2025）1000001"}, {"联系电话", "13800000000"}, {"职务", "安全员"}, {"技术职称", "工程师"}},
		Compare: []CompareRow{{Label: "姓名", Before: "张三", After: "张三"},
			{Label: "单位名称", Before: "北京甲建设有限公司", After: "北京乙建设有限公司<script>", Changed: true}},
		Pledges: []Pledge{{Label: "申请人承诺", Text: "本人承诺所填信息真实有效。", Sign: []string{SignLine("申请人签字："), "日期：　　年　　月　　日"}},
			{Label: "聘用企业承诺", Text: "合同类型：固定期限　合同起止：2026-01-01 至 2028-12-31", Sign: []string{SignLine("单位（盖章）：")}}},
		Footer: "打印时间：2026-12-02 10:00"}
}

func TestAppFormPDFHasTheKeyFields(t *testing.T) {
	var buf bytes.Buffer
	transfer := AppForm{Title: "证书进京申请表", Info: []Field{{"变更类型", "进京变更"}},
		Fields: []Field{{"姓名", "李四"}, {"原聘用单位", "河北某公司"}, {"现聘用单位", "北京乙建设有限公司"}}}
	if err := testRenderer(t).AppFormsPDF(&buf, testChangeForm(), transfer); err != nil {
		t.Fatal(err)
	}
	text := squash(pdfText(t, buf.Bytes()))
	for _, want := range []string{"证书变更申请表", "BGSQ20260001", "京内变更", "京建安C3（2025）1000001", "13800000000", "变更前", "变更后",
		"北京甲建设有限公司", "北京乙建设有限公司<script>", "申请人承诺", "聘用企业承诺", "固定期限", "单位（盖章）", "证书进京申请表", "河北某公司"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
}

func TestAppFormDOCXOpens(t *testing.T) {
	var buf bytes.Buffer
	if err := AppFormsDOCX(&buf, testChangeForm()); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, buf.Bytes())
	doc := files["word/document.xml"]
	wellFormed(t, "word/document.xml", doc)
	s := string(doc)
	for _, want := range []string{"证书变更申请表", "京内变更", "变更前", "变更后", "北京乙建设有限公司&lt;script&gt;", "合同类型：固定期限", `w:fill="E1E1E1"`} {
		if !strings.Contains(s, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if strings.Count(s, `w:fill="E1E1E1"`) != 1 {
		t.Errorf("one changed row should be shaded, got %d", strings.Count(s, `w:fill="E1E1E1"`))
	}
	if err := AppFormsDOCX(&buf); err != ErrNoForms {
		t.Fatalf("no forms: %v", err)
	}
}

// BenchmarkAppFormPDF and BenchmarkAppFormDOCX: one 证书变更申请表 (【打印】, 【导出Word】) on a shared Renderer; beside
// BenchmarkCertificatePDF and BenchmarkPDF (the 报名表), the references of the same run.
func BenchmarkAppFormPDF(b *testing.B) {
	r := testRenderer(b)
	f := testChangeForm()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := r.AppFormsPDF(&buf, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "forms/s")
}

func BenchmarkAppFormDOCX(b *testing.B) {
	f := testChangeForm()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := AppFormsDOCX(&buf, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "forms/s")
}
