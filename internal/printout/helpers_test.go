package printout

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/signintech/gopdf"
)

const (
	testName = "张喆堃"
	testID   = "11010119900307001X"
	testPlan = "2026年第一期建筑施工特种作业人员考试"
)

var (
	rendererOnce sync.Once
	rendererVal  *Renderer
	rendererErr  error
)

// testRenderer shares one Renderer between tests, as the app does.
func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	rendererOnce.Do(func() { rendererVal, rendererErr = NewRenderer() })
	if rendererErr != nil {
		t.Fatal(rendererErr)
	}
	return rendererVal
}

// testPhoto draws a 295×413 portrait-like JPEG: blue background, a face and shoulders.
func testPhoto(t testing.TB) []byte {
	t.Helper()
	const w, h = 295, 413
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{60, 120, 200, 255}
			dx, dy := float64(x-147), float64(y-160)
			if dx*dx/(70*70)+dy*dy/(90*90) <= 1 {
				c = color.RGBA{240, 205, 180, 255} // face
			}
			if dy < -50 && dx*dx/(80*80)+(dy+40)*(dy+40)/(70*70) <= 1 {
				c = color.RGBA{30, 30, 30, 255} // hair
			}
			sx, sy := float64(x-147), float64(y-440)
			if sx*sx/(150*150)+sy*sy/(170*170) <= 1 {
				c = color.RGBA{40, 40, 60, 255} // shoulders
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sampleForm is a complete form with a photo and 3 resume rows.
func sampleForm(t testing.TB) Form {
	return Form{
		Title:       "北京市建设行业从业人员考试报名表",
		PlanName:    testPlan,
		Category:    "建筑起重信号司索工",
		Level:       "初级",
		Number:      "BJ2026-000123",
		Status:      "待审核",
		SubmittedAt: "2026-03-05 14:23",
		Fields: []Field{
			{"姓名", testName},
			{"性别", "男"},
			{"出生日期", "1990-03-07"},
			{"身份证号", testID},
			{"学历", "大专"},
			{"专业", "建筑工程技术"},
			{"职称", "助理工程师"},
			{"手机号码", "13800138000"},
			{"单位名称", "北京城建集团有限责任公司第三工程分公司"},
			{"组织机构代码", "91110000101108466X"},
			{"参加工作时间", "2012-07"},
			{"从事工作年限", "13年"},
		},
		Resume: []ResumeRow{
			{"2009.09-2012.06", "北京城市建设学校", "学生"},
			{"2012.07-2018.12", "北京住总第六开发建设有限公司", "施工员"},
			{"2019.01-至今", "北京城建集团有限责任公司第三工程分公司", "信号司索工"},
		},
		EmployerOpinion: "该同志遵守国家法律法规，无违法违纪记录，从事本岗位工作满三年，同意报名参加考试。",
		Photo:           testPhoto(t),
		Footer:          "打印时间：2026-03-06 09:15　本表由北京市建设行业从业人员考试报名系统生成",
	}
}

// pdfText runs pdftotext -raw (text in drawing order) on pdf, or skips the test when pdftotext is missing.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	requireTool(t, "pdftotext")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// squash removes all whitespace, so that a value broken over lines is still found.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func renderPDF(t testing.TB, forms ...Form) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := testRenderer(t).PDF(&buf, forms...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newTestDoc is a pdfDoc on a fresh gopdf document, for testing measuring and wrapping.
func newTestDoc(t testing.TB) *pdfDoc {
	t.Helper()
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	if err := gp.AddTTFFontFromFontContainer(fontFamily, testRenderer(t).fonts); err != nil {
		t.Fatal(err)
	}
	gp.AddPage()
	return newPDFDoc(gp, testRenderer(t))
}

// requireTool skips the test when a Poppler tool is missing, unless E2E_REQUIRED is set (make test, CI): then it
// fails, so a check that needs the tool can never pass by not running.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("E2E_REQUIRED") != "" {
			t.Fatalf("%s is required (Debian: poppler-utils)", name)
		}
		t.Skipf("%s not installed (Debian: poppler-utils)", name)
	}
}
