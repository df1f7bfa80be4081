package printout

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `"><img src=x onerror=alert(1)>`
)

func TestPDFFullForm(t *testing.T) {
	f := sampleForm(t)
	pdf := renderPDF(t, f)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	if len(pdf) >= 150_000 {
		t.Errorf("PDF is %d bytes, want < 150 KB (font subset)", len(pdf))
	}
	if n := countPages(pdf); n != 1 {
		t.Errorf("pages = %d, want 1", n)
	}
	text := squash(pdfText(t, pdf))
	for _, want := range []string{
		"北京市建设行业从业人员考试报名表", "姓名", testName, "身份证号", testID, testPlan, "报名编号", "BJ2026-000123",
		"待审核", "个人简历", "起止时间", "工作单位", "职务/岗位",
		"2012.07-2018.12", "北京住总第六开发建设有限公司", "施工员", "信号司索工",
		"组织机构代码", "91110000101108466X", "从事工作年限", "聘用单位意见", "同意报名参加考试", "单位（盖章）",
		"打印时间：2026-03-0609:15",
	} {
		if !strings.Contains(text, squash(want)) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "照片") {
		t.Error("the placeholder is printed although there is a photo")
	}
}

func TestPDFRareCharacters(t *testing.T) {
	f := sampleForm(t)
	f.Fields = []Field{{"姓名", "张喆堃"}, {"曾用名", "李犇"}, {"别名", "刘䶮"}, {"备注", "吉𠮷"}, {"其他", "符😀"}}
	text := squash(pdfText(t, renderPDF(t, f)))
	// 𠮷 (CJK Extension B) is not in Noto Sans SC: the fallback font prints it.
	for _, want := range []string{"张喆堃", "李犇", "刘䶮", "吉𠮷"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	// An emoji is in neither font: it prints as a visible box, never as nothing.
	if !strings.Contains(text, "符□") {
		t.Errorf("a character missing from the fonts should print as □:\n%s", text)
	}
}

func TestPDFScriptIsText(t *testing.T) {
	f := sampleForm(t)
	f.Title = xssScript
	f.PlanName = xssImg
	f.Fields = []Field{{"姓名", xssScript}, {xssImg, xssImg}, {"身份证号", testID}}
	f.Resume = []ResumeRow{{xssScript, xssImg, xssScript}}
	f.EmployerOpinion = xssImg + " " + xssScript
	f.Footer = xssScript
	pdf := renderPDF(t, f)
	for _, bad := range []string{"<script", "onerror", "/JavaScript", "/JS", "/OpenAction", "/AA"} {
		if bytes.Contains(pdf, []byte(bad)) {
			t.Errorf("PDF bytes contain %q: user text must only appear as glyph numbers", bad)
		}
	}
	text := squash(pdfText(t, pdf))
	for _, want := range []string{xssScript, xssImg} {
		if got := strings.Count(text, squash(want)); got < 3 {
			t.Errorf("PDF text has %q %d times, want it printed literally at least 3 times:\n%s", want, got, text)
		}
	}
}

func TestPDFMultipleForms(t *testing.T) {
	var forms []Form
	for i, name := range []string{"张喆堃", "李犇", "王五"} {
		f := sampleForm(t)
		f.Fields[0].Value = name
		f.Number = fmt.Sprintf("BJ2026-%06d", i+1)
		forms = append(forms, f)
	}
	pdf := renderPDF(t, forms...)
	if n := countPages(pdf); n != 3 {
		t.Errorf("pages = %d, want 3", n)
	}
	if n, ok := pdfinfoPages(t, pdf); ok && n != 3 {
		t.Errorf("pdfinfo: pages = %d, want 3", n)
	}
	// Each page holds its own form.
	for i, name := range []string{"张喆堃", "李犇", "王五"} {
		page := squash(pdfPageText(t, pdf, i+1))
		if !strings.Contains(page, name) || !strings.Contains(page, fmt.Sprintf("BJ2026-%06d", i+1)) {
			t.Errorf("page %d lacks %s:\n%s", i+1, name, page)
		}
	}
}

func TestPDFLongFormFlows(t *testing.T) {
	f := sampleForm(t)
	for i := 0; i < 20; i++ {
		f.Fields = append(f.Fields, Field{fmt.Sprintf("附加项目%d", i+1), strings.Repeat("很长的内容", i%4+1)})
	}
	f.Fields[8].Value = strings.Repeat("北京城建集团有限责任公司第三工程分公司", 20) // cut after 8 lines
	f.Resume = nil
	for i := 0; i < 25; i++ {
		f.Resume = append(f.Resume, ResumeRow{fmt.Sprintf("%d.01-%d.12", 2000+i, 2000+i), fmt.Sprintf("第%d工作单位", i+1), "职员"})
	}
	f.EmployerOpinion = strings.Repeat("该同志工作认真负责，业务能力强，遵守各项规章制度。", 60) + "同意报名。"
	pdf := renderPDF(t, f)
	n := countPages(pdf)
	if n < 2 {
		t.Fatalf("pages = %d, want the long form to flow onto more pages", n)
	}
	text := squash(pdfText(t, pdf))
	for _, want := range []string{"附加项目20", "2024.01-2024.12", "第25工作单位", "同意报名。", "（续）", "第2页", "…"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if got := strings.Count(text, "起止时间"); got < 2 {
		t.Errorf("the resume header should repeat on the next page; found %d", got)
	}
}

func TestPDFPhotoPlaceholder(t *testing.T) {
	f := sampleForm(t)
	f.Photo = nil
	text := squash(pdfText(t, renderPDF(t, f)))
	if !strings.Contains(text, "照片") {
		t.Errorf("no 照片 placeholder:\n%s", text)
	}
}

func TestPDFEmptyForm(t *testing.T) {
	pdf := renderPDF(t, Form{})
	if countPages(pdf) != 1 {
		t.Error("an empty form should still print one page")
	}
}

// Photo bytes that are not a sound JPEG are an error (wrapping ErrPhoto), not a placeholder, and nothing is written.
func TestBadPhotoIsAnError(t *testing.T) {
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 10, 10))); err != nil {
		t.Fatal(err)
	}
	good := testPhoto(t)
	cases := map[string][]byte{
		"png":       pngBuf.Bytes(),
		"text":      []byte("not a photo"),
		"html":      []byte(xssScript),
		"truncated": good[:len(good)/2],
		"header":    good[:20],
		"one byte":  {0xFF},
	}
	for name, photo := range cases {
		t.Run(name, func(t *testing.T) {
			f := sampleForm(t)
			f.Photo = photo
			var buf bytes.Buffer
			if err := testRenderer(t).PDF(&buf, sampleForm(t), f); !errors.Is(err, ErrPhoto) {
				t.Errorf("PDF: err = %v, want ErrPhoto", err)
			} else if !strings.Contains(err.Error(), "form 2") {
				t.Errorf("PDF: error %q does not say which form", err)
			}
			if buf.Len() != 0 {
				t.Errorf("PDF wrote %d bytes despite the error", buf.Len())
			}
			buf.Reset()
			if err := DOCX(&buf, f); !errors.Is(err, ErrPhoto) {
				t.Errorf("DOCX: err = %v, want ErrPhoto", err)
			}
			if buf.Len() != 0 {
				t.Errorf("DOCX wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

func TestNoForms(t *testing.T) {
	if err := testRenderer(t).PDF(io.Discard); !errors.Is(err, ErrNoForms) {
		t.Errorf("PDF: %v", err)
	}
	if err := DOCX(io.Discard); !errors.Is(err, ErrNoForms) {
		t.Errorf("DOCX: %v", err)
	}
}

// One Renderer shared by goroutines: every document holds exactly its own text (run with -race).
func TestPDFConcurrent(t *testing.T) {
	r := testRenderer(t)
	names := []string{"张喆堃", "李犇", "王五", "赵六", "钱七", "孙八", "周九", "吴十"}
	pdfs := make([][]byte, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				f := sampleForm(t)
				f.Fields[0].Value = name
				var buf bytes.Buffer
				if err := r.PDF(&buf, f); err != nil {
					t.Error(err)
					return
				}
				pdfs[i] = buf.Bytes()
			}
		}()
	}
	wg.Wait()
	for i, pdf := range pdfs {
		text := squash(pdfText(t, pdf))
		for j, other := range names {
			if got := strings.Contains(text, other); got != (i == j) {
				t.Errorf("document %d: contains %s = %v", i, other, got)
			}
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"张\u202e三":           "张三", // bidi override
		"a\u200bb\ufeffc":    "abc",
		"x\x00y\x1bz":        "xyz",
		"a\tb\r\nc":          "a b\nc",
		"bad\xffutf8":        "bad\ufffdutf8",
		"全角\u3000空格":         "全角\u3000空格",
		"<script>&amp;</sc>": "<script>&amp;</sc>",
	} {
		if got := clean(in, true); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	if got := clean("a\nb", false); got != "a b" {
		t.Errorf("single line: %q", got)
	}
}

func TestPDFControlCharacters(t *testing.T) {
	f := sampleForm(t)
	f.Fields[0].Value = "张\u202e三\x00\u200b丰"
	text := pdfText(t, renderPDF(t, f))
	if !strings.Contains(text, "张三丰") || strings.ContainsRune(text, '\u202e') {
		t.Errorf("control characters not dropped:\n%s", text)
	}
}

func TestWrap(t *testing.T) {
	gp := newTestDoc(t)
	gp.setSize(sizeValue)
	const width = 40.0
	text := "该同志遵守国家法律法规，无违法违纪记录，从事本岗位工作满三年。Some English words wrap at spaces, 11010119900307001X."
	lines := gp.wrap(text, width, 0)
	if len(lines) < 3 {
		t.Fatalf("lines = %q", lines)
	}
	for _, l := range lines {
		if w := gp.textW(l); w > width+gp.runeW('，') { // a 避头 mark may pull one character down, never more
			t.Errorf("line %q is %.1f mm wide, limit %.1f", l, w, width)
		}
		if r := []rune(l); len(r) > 0 && noLineStart[r[0]] {
			t.Errorf("line starts with %q: %q", r[0], l)
		}
	}
	if got := strings.Join(lines, ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(text, " ", "") {
		t.Errorf("wrapping lost text: %q", got)
	}
	cut := gp.wrap(strings.Repeat("很长", 100), width, 2)
	if len(cut) != 2 || !strings.HasSuffix(cut[1], "…") || gp.textW(cut[1]) > width {
		t.Errorf("cut = %q", cut)
	}
}

func TestDOCX(t *testing.T) {
	f := sampleForm(t)
	g := sampleForm(t)
	g.Fields = []Field{{"姓名", xssScript}, {"身份证号", xssImg}}
	g.Photo = nil
	g.EmployerOpinion = "第一行\n第二行 " + xssScript
	var buf bytes.Buffer
	if err := DOCX(&buf, f, g, f); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 200_000 {
		t.Errorf("docx is %d bytes", buf.Len())
	}
	files := unzip(t, buf.Bytes())
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml"} {
		data, ok := files[name]
		if !ok {
			t.Fatalf("%s missing; have %v", name, keys(files))
		}
		wellFormed(t, name, data)
	}
	doc := string(files["word/document.xml"])
	for _, want := range []string{
		testName, testID, testPlan, "<w:t xml:space=\"preserve\">个</w:t>", "北京住总第六开发建设有限公司", "同意报名参加考试", "照片",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(doc, bad) {
			t.Errorf("document.xml contains raw %q", bad)
		}
	}
	// The text, decoded as XML, is exactly what the user typed.
	if text := docxText(t, files["word/document.xml"]); !strings.Contains(text, xssScript) || !strings.Contains(text, xssImg) {
		t.Errorf("decoded text lacks the literal strings:\n%s", text)
	}
	if !strings.Contains(docxText(t, files["word/document.xml"]), "第一行第二行 "+xssScript) || !strings.Contains(doc, "<w:br/>") {
		t.Error("a line break in the opinion is lost")
	}
	if n := strings.Count(doc, "<w:sectPr>"); n != 3 {
		t.Errorf("sections = %d, want 3", n)
	}
	// Two forms have a photo, stored once each; the form without one has none.
	photo := f.Photo
	for _, name := range []string{"word/media/photo1.jpeg", "word/media/photo2.jpeg"} {
		if !bytes.Equal(files[name], photo) {
			t.Errorf("%s is not the photo", name)
		}
	}
	if _, ok := files["word/media/photo3.jpeg"]; ok {
		t.Error("a third photo was stored")
	}
	if !strings.Contains(string(files["word/_rels/document.xml.rels"]), `Target="media/photo2.jpeg"`) {
		t.Error("photo relationship missing")
	}
}

// TestDOCXLibreOffice converts the .docx with LibreOffice and reads the result back. It needs libreoffice
// (Debian: libreoffice-writer-nogui) and takes a few seconds, so it runs only with PRINTOUT_LIBREOFFICE=1.
func TestDOCXLibreOffice(t *testing.T) {
	if os.Getenv("PRINTOUT_LIBREOFFICE") != "1" {
		t.Skip("set PRINTOUT_LIBREOFFICE=1 to convert the .docx with LibreOffice")
	}
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		t.Skip("libreoffice not installed")
	}
	dir := t.TempDir()
	f := sampleForm(t)
	g := sampleForm(t)
	g.Fields[0].Value = "李犇"
	g.Photo = nil
	var buf bytes.Buffer
	if err := DOCX(&buf, f, g); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "form.docx")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lo, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "pdf", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "form.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := countPages(pdf); n != 2 {
		t.Errorf("LibreOffice made %d pages of 2 forms", n)
	}
	text := squash(pdfText(t, pdf))
	for _, want := range []string{testName, "李犇", testID, "个人简历", "聘用单位意见"} {
		if !strings.Contains(text, want) {
			t.Errorf("LibreOffice's PDF lacks %q", want)
		}
	}
	if dst := os.Getenv("PRINTOUT_OUT"); dst != "" {
		_ = os.WriteFile(filepath.Join(dst, "libreoffice.pdf"), pdf, 0o644)
	}
}

var pageRE = regexp.MustCompile(`/Type\s*/Page[^s]`)

func countPages(pdf []byte) int { return len(pageRE.FindAll(pdf, -1)) }

func pdfinfoPages(t *testing.T, pdf []byte) (int, bool) {
	if _, err := exec.LookPath("pdfinfo"); err != nil && os.Getenv("E2E_REQUIRED") == "" {
		return 0, false
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", in).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo: no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n, true
}

func pdfPageText(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	requireTool(t, "pdftotext")
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	p := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-raw", "-f", p, "-l", p, "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name] = b
	}
	return files
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func wellFormed(t *testing.T, name string, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
}

// docxText returns the character data of all <w:t> elements, a line per paragraph.
func docxText(t *testing.T, doc []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var b strings.Builder
	inT := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return b.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inT = e.Name.Local == "t"
		case xml.EndElement:
			inT = false
			if e.Name.Local == "p" {
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inT {
				b.Write(e)
			}
		}
	}
}
