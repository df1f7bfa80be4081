package handlers_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"examcert/internal/ident"
	"examcert/models"
)

// postFile posts a multipart form with one file (field "file") and the CSRF token scraped from formPage.
func (c *client) postFile(formPage, action string, data []byte, fields map[string]string) *page {
	c.e.t.Helper()
	tok, _ := c.get(formPage).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", tok)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "scores.xlsx")
	_, _ = fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+action, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pg := &page{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	pg.Doc, _ = goqueryDoc(string(b))
	return pg
}

// sheetRows reads the first sheet of an .xlsx body.
func sheetRows(t *testing.T, body string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// fillScoreTemplate sets, in a downloaded 成绩模版, each row's 客观题 to obj(ticket) and 主观题 to 0, keeping 缺考 rows.
func fillScoreTemplate(t *testing.T, body string, obj func(ticket string) string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, _ := f.GetRows(sheet)
	for i, r := range rows[1:] {
		if r[5] != models.SituationNormal {
			continue
		}
		_ = f.SetCellValue(sheet, "D"+strconv.Itoa(i+2), obj(r[0]))
		_ = f.SetCellValue(sheet, "E"+strconv.Itoa(i+2), "0")
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scoreAndPublish imports both subjects of the ticket world's plan through the screens (lisi fails the first, the
// candidate marked 缺考 at 签到 scores 0) and publishes.
func scoreAndPublish(t *testing.T, e *env, w *ticketWorld) *client {
	t.Helper()
	ctx := context.Background()
	if _, err := e.db.NewUpdate().TableExpr("tickets").Set("absent = TRUE").Where("ticket_no = ?", "260070005").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	admin := e.client().signIn("admin")
	list := admin.get("/admin/results")
	if list.Status != http.StatusOK || !strings.Contains(list.Text(`[data-testid="admin-result-plan"]`), w.plan.Name) ||
		strings.Contains(list.Body, w.unreleased.Name) {
		t.Fatalf("成绩管理 list: %d %q", list.Status, list.Text(`[data-testid="admin-result-plan"]`))
	}
	planURL := "/admin/results/" + strconv.FormatInt(w.plan.ID, 10)
	page := admin.get(planURL)
	if page.Status != http.StatusOK {
		t.Fatalf("成绩管理: %d", page.Status)
	}
	var templates []string
	page.Doc.Find(`[data-testid="score-template"]`).Each(func(_ int, s *goquerySelection) {
		href, _ := s.Attr("href")
		templates = append(templates, href)
	})
	if len(templates) != 2 {
		t.Fatalf("templates = %v", templates)
	}
	for i, href := range templates {
		tpl := admin.get(href)
		rows := sheetRows(t, tpl.Body)
		if strings.Join(rows[0], ",") != "准考证,姓名,考场号,客观题成绩,主观题成绩,考试情况" || len(rows) != 9 {
			t.Fatalf("template rows = %v", rows)
		}
		for _, r := range rows[1:] {
			if (r[0] == "260070005") != (r[5] == models.SituationAbsent) {
				t.Errorf("template row %v: 缺考 from 签到 not filled in", r)
			}
		}
		data := fillScoreTemplate(t, tpl.Body, func(no string) string {
			if no == "260070002" && i == 0 {
				return "59.5"
			}
			return "80"
		})
		subject := strings.TrimPrefix(href[strings.Index(href, "?"):], "?subject=")
		res := admin.postFile(planURL, planURL+"/import", data, map[string]string{"subject": subject})
		if res.Status != http.StatusSeeOther || !strings.Contains(res.Location(), "ok=imported&n=8") {
			t.Fatalf("import: %d %s %s", res.Status, res.Location(), res.Text(`[data-testid="import-problems"]`))
		}
	}
	confirm := admin.get(planURL + "/publish")
	if got := confirm.Text(`[data-testid="overall-rate"]`); !strings.Contains(got, "6 / 8") {
		t.Errorf("confirm shows %q, want 6 / 8 passing", got)
	}
	done := admin.submit(planURL+"/publish", planURL+"/publish", url.Values{})
	if done.Status != http.StatusSeeOther || !strings.Contains(done.Location(), "ok=published") {
		t.Fatalf("publish: %d %s %s", done.Status, done.Location(), done.Text(".alert.error"))
	}
	after := admin.get(planURL)
	outcomes := map[string]int{}
	after.Doc.Find(`[data-testid="result-outcome"]`).Each(func(_ int, s *goquerySelection) { outcomes[s.Text()]++ })
	if outcomes["合格"] != 6 || outcomes["不合格"] != 2 {
		t.Errorf("成绩管理 lists %v, want 6 合格 and 2 不合格", outcomes)
	}
	return admin
}

func TestResultsImportPreviewPublishAndScope(t *testing.T) {
	e := newEnv(t)
	w := ticketFixture(t, e)
	planURL := "/admin/results/" + strconv.FormatInt(w.plan.ID, 10)

	// Before publishing, no applicant sees a result.
	if p := e.client().signIn("zhangsan").get("/results?plan=" + strconv.FormatInt(w.plan.ID, 10)); p.Status != http.StatusNotFound {
		t.Errorf("unpublished results for zhangsan: %d, want 404", p.Status)
	}
	admin := scoreAndPublish(t, e, w)

	// The preview is locked once published, and lines cannot be saved.
	p := admin.submit(planURL, planURL+"/lines", url.Values{"line_1": {"50"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(".alert.error"), "已发布") {
		t.Errorf("saving lines after publishing: %d %q", p.Status, p.Text(".alert.error"))
	}
	// The registry's 导出名单: every candidate with the admin columns (LIFECYCLE §6 and 考试结果), ID numbers masked,
	// as an .xlsx download; audited. It is the registry's: an enterprise is not let in.
	exports := len(e.auditEvents(models.EventExport))
	ax := admin.get(planURL + "/batch/export")
	if ax.Status != http.StatusOK || ax.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.HasPrefix(ax.Header.Get("Content-Disposition"), `attachment; filename="results.xlsx"; filename*=UTF-8''`) {
		t.Fatalf("admin export: %d %q %q", ax.Status, ax.Header.Get("Content-Type"), ax.Header.Get("Content-Disposition"))
	}
	arows := sheetRows(t, ax.Body)
	if got := strings.Join(arows[0], ","); got != "序号,岗位类别,岗位工种,准考证号,考生姓名,证件号码,工作单位,公告状态,考试结果,报名地点" || len(arows) != 9 {
		t.Fatalf("admin export header %q, %d rows", got, len(arows))
	}
	full := e.personIDNumber(t, "zhangsan")
	adminOutcomes := map[string]int{}
	found := false
	for _, r := range arows[1:] {
		if len(r) < 10 || slices.Contains(r, full) || !regexp.MustCompile(`^.{6}\*{8}.{4}$`).MatchString(r[5]) {
			t.Errorf("admin export row %v: the ID number is not masked", r)
		}
		found = found || (r[4] == "张三" && r[5] == ident.MaskIDNumber(full))
		adminOutcomes[r[8]]++
	}
	if !found || adminOutcomes["合格"] != 6 || adminOutcomes["不合格"] != 2 {
		t.Errorf("admin export: 张三 found %v, outcomes %v", found, adminOutcomes)
	}
	if n := len(e.auditEvents(models.EventExport)); n != exports+1 {
		t.Errorf("export audit rows %d → %d, want one more", exports, n)
	}
	if s := e.client().signIn("jianshe").get(planURL + "/batch/export").Status; s == http.StatusOK {
		t.Errorf("an enterprise downloads the registry's list: %d", s)
	}
	q := "?plan=" + strconv.FormatInt(w.plan.ID, 10)
	cases := []struct {
		user   string
		passed []string // names on the 考试合格人员 list
		failed []string
	}{
		{"zhangsan", []string{"张三"}, nil},
		{"lisi", nil, []string{"李思"}},
		{"jianshe", []string{"城建考生1", "城建考生2", "城建考生3"}, nil},
		{"peixun", []string{"培训考生2"}, []string{"培训考生1"}},
	}
	for _, tc := range cases {
		c := e.client().signIn(tc.user)
		res := c.get("/results" + q)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d", tc.user, res.Status)
		}
		var names []string
		res.Doc.Find(`[data-testid="result-name"]`).Each(func(_ int, s *goquerySelection) { names = append(names, s.Text()) })
		if len(names) != len(tc.passed)+len(tc.failed) {
			t.Errorf("%s sees %v, want %v + %v", tc.user, names, tc.passed, tc.failed)
		}
		passed := c.get("/results" + q + "&view=passed")
		var pn []string
		passed.Doc.Find(`[data-testid="passed-name"]`).Each(func(_ int, s *goquerySelection) { pn = append(pn, s.Text()) })
		if strings.Join(pn, ",") != strings.Join(tc.passed, ",") {
			t.Errorf("%s: 考试合格人员 %v, want %v", tc.user, pn, tc.passed)
		}
		for _, n := range append(tc.passed, tc.failed...) {
			if !strings.Contains(res.Body, n) {
				t.Errorf("%s: %s missing", tc.user, n)
			}
		}
		// 导出名单: the same people, as .xlsx.
		x := c.get("/results/batch/export" + q + "&view=passed")
		rows := sheetRows(t, x.Body)
		if x.Status != http.StatusOK || len(rows) != len(tc.passed)+1 || rows[0][0] != "序号" || rows[0][11] != "领证地点" {
			t.Errorf("%s export: %d %v", tc.user, x.Status, rows)
		}
		for _, r := range rows[1:] {
			if strings.Contains(r[6], "1101") && !strings.Contains(r[6], "*") {
				t.Errorf("%s export shows a full ID number: %v", tc.user, r)
			}
		}
	}
	// Another organization's plan view: jianshe2's staff passed, but 城建 never sees them; a name search narrows.
	c := e.client().signIn("jianshe")
	if res := c.get("/results" + q + "&name=" + url.QueryEscape("宏远")); strings.Contains(res.Body, "宏远考生") {
		t.Error("jianshe sees jianshe2's candidate")
	}
	if res := c.get("/results" + q + "&name=" + url.QueryEscape("考生2")); res.Doc.Find(`[data-testid="result-row"]`).Length() != 1 {
		t.Error("考生姓名 does not narrow the list")
	}
	// An organization with no candidate in the plan gets 404 from the page and the export (SECURITY.md 9).
	other := e.client().signIn("peixun2")
	for _, path := range []string{"/results" + q, "/results/batch/export" + q + "&view=passed"} {
		if res := other.get(path); res.Status != http.StatusNotFound {
			t.Errorf("peixun2 %s: %d, want 404", path, res.Status)
		}
	}
	// The picker offers the plan.
	if res := c.getHX("/results/plans"); !strings.Contains(res.Body, w.plan.Name) || strings.Contains(res.Body, "<html") {
		t.Errorf("picker fragment: %s", res.Body)
	}
	if got := len(e.auditEvents(models.EventResultsPublished)); got < 2 {
		t.Errorf("publish audit rows = %d", got)
	}
	// Applicants were told.
	n, err := e.db.NewSelect().TableExpr("messages").Where("kind = ?", models.NoticeResults).Count(context.Background())
	if err != nil || n == 0 {
		t.Errorf("result notices = %d (%v)", n, err)
	}
	// Reopen needs a reason beside the field; with one, lines unlock.
	p = admin.submit(planURL, planURL+"/reopen", url.Values{"reason": {""}})
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-reason"]`) == "" {
		t.Errorf("reopen without reason: %d", p.Status)
	}
	p = admin.submit(planURL, planURL+"/reopen", url.Values{"reason": {"成绩复核"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("reopen: %d", p.Status)
	}
	if res := e.client().signIn("zhangsan").get("/results" + q); res.Status != http.StatusNotFound {
		t.Errorf("after reopening zhangsan still sees the result: %d", res.Status)
	}
}

func TestResultsLinePreviewWithAndWithoutJS(t *testing.T) {
	e := newEnv(t)
	w := ticketFixture(t, e)
	admin := e.client().signIn("admin")
	planURL := "/admin/results/" + strconv.FormatInt(w.plan.ID, 10)
	ctx := context.Background()
	var subjects []models.ExamSubject
	if err := e.db.NewSelect().Model(&subjects).Where("plan_id = ?", w.plan.ID).Order("sort_order").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var regs []int64
	for _, no := range []string{"260070001", "260070002", "260070003"} {
		regs = append(regs, w.regOf[no])
	}
	for _, s := range subjects {
		for i, id := range regs {
			sc := &models.Score{RegistrationID: id, SubjectID: s.ID, PlanID: w.plan.ID, ObjectiveTenths: 500 + 100*i, TotalTenths: 500 + 100*i,
				Situation: models.SituationNormal, BatchNo: "CJDR00000001", ImportedAt: models.Now()}
			if _, err := e.db.NewInsert().Model(sc).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	field := "line_" + strconv.FormatInt(subjects[0].ID, 10)
	// htmx: only the preview region comes back.
	hx := admin.getHX(planURL + "/preview?" + field + "=55")
	if hx.Status != http.StatusOK || strings.Contains(hx.Body, "<html") || hx.Doc.Find(`#lines-preview`).Length() != 1 {
		t.Fatalf("htmx preview: %d %s", hx.Status, hx.Body)
	}
	if got := hx.Doc.Find(`[data-testid="line-rate"]`).First().Text(); !strings.HasPrefix(got, "2 / 3") {
		t.Errorf("rate at 55 = %q, want 2 / 3", got)
	}
	// No JavaScript: the 预览 button's GET gives the whole page with the typed line kept.
	full := admin.get(planURL + "/preview?" + field + "=75")
	if !strings.Contains(full.Body, "<html") || !strings.HasPrefix(full.Doc.Find(`[data-testid="line-rate"]`).First().Text(), "0 / 3") {
		t.Errorf("full preview: %q", full.Doc.Find(`[data-testid="line-rate"]`).First().Text())
	}
	if v, _ := full.Doc.Find(`input[name="` + field + `"]`).Attr("value"); v != "75" {
		t.Errorf("typed line not kept: %q", v)
	}
	bad := admin.get(planURL + "/preview?" + field + "=abc")
	if bad.Text(`[data-testid="line-error"]`) == "" {
		t.Error("a line that is not a score has no error beside it")
	}
	// Saving stores the line (audited) and the page shows it.
	p := admin.submit(planURL, planURL+"/lines", url.Values{field: {"65.5"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save lines: %d %s", p.Status, p.Text(".alert.error"))
	}
	if v, _ := admin.get(planURL).Doc.Find(`input[name="` + field + `"]`).Attr("value"); v != "65.5" {
		t.Errorf("saved line = %q", v)
	}
	// Publishing with candidates lacking scores is refused with a message.
	p = admin.submit(planURL+"/publish", planURL+"/publish", url.Values{})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(".alert.error"), "缺少科目成绩") {
		t.Errorf("incomplete publish: %d %q", p.Status, p.Text(".alert.error"))
	}
}

func TestScoreImportListsBadRows(t *testing.T) {
	e := newEnv(t)
	w := ticketFixture(t, e)
	admin := e.client().signIn("admin")
	planURL := "/admin/results/" + strconv.FormatInt(w.plan.ID, 10)
	f := excelize.NewFile()
	for i, v := range []string{"准考证", "姓名", "考场号", "客观题成绩", "主观题成绩", "考试情况",
		"999999999", "", "", "50", "20", "正常", "260070001", "张三", "01", "", "", "迟到"} {
		cell, _ := excelize.CoordinatesToCellName(i%6+1, i/6+1)
		_ = f.SetCellStr("Sheet1", cell, v)
	}
	var buf bytes.Buffer
	_ = f.Write(&buf)
	var subject int64
	if err := e.db.NewSelect().TableExpr("exam_subjects").Column("id").Where("plan_id = ?", w.plan.ID).Limit(1).Scan(context.Background(), &subject); err != nil {
		t.Fatal(err)
	}
	p := admin.postFile(planURL, planURL+"/import", buf.Bytes(), map[string]string{"subject": strconv.FormatInt(subject, 10)})
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid="problem"]`).Length() != 2 {
		t.Fatalf("bad file: %d, problems %d", p.Status, p.Doc.Find(`[data-testid="problem"]`).Length())
	}
	if !strings.Contains(p.Text(`[data-testid="problem"]`), "没有此准考证号") {
		t.Errorf("first problem = %q", p.Text(`[data-testid="problem"]`))
	}
	// Another subject id (of no plan of this page) is 404; an enterprise cannot open 成绩管理.
	if p := admin.postFile(planURL, planURL+"/import", buf.Bytes(), map[string]string{"subject": "99999"}); p.Status != http.StatusNotFound {
		t.Errorf("foreign subject: %d", p.Status)
	}
	if p := e.client().signIn("jianshe").get(planURL); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Errorf("enterprise opens 成绩管理: %d", p.Status)
	}
}
