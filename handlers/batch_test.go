package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"examcert/internal/blobstore"
	"examcert/internal/config"
	"examcert/models"
)

// fillTemplate downloads the template and writes rows into its data sheet, as a person with Excel would.
func fillTemplate(t *testing.T, c *client, planID int64, rows [][]any) []byte {
	t.Helper()
	tp := c.get("/registrations/batch/template?plan=" + strconv.FormatInt(planID, 10))
	if tp.Status != http.StatusOK || !strings.HasPrefix(tp.Body, "PK") {
		t.Fatalf("template: %d", tp.Status)
	}
	f, err := excelize.OpenReader(strings.NewReader(tp.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (c *client) postFiles(formPage, action, field string, files map[string][]byte) *page {
	c.e.t.Helper()
	tok, _ := c.get(formPage).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", tok)
	for name, data := range files {
		fw, _ := mw.CreateFormFile(field, name)
		_, _ = fw.Write(data)
	}
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

var pdfPageRE = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

func toFW(s string) string { return toFullWidth(s) }

func TestBatchRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "批量报名测试考试", nil)
	c := e.client().signIn("jianshe")
	sp := strconv.FormatInt(planID, 10)
	page := "/registrations/batch?plan=" + sp
	ids := []string{newID(31), newID(32), newID(33)}
	good := [][]any{
		{ids[0], "陈一", "本科", "13800000001", "土木工程", "初级", "北京城建示范工程有限公司", "91110105G1921G9139", "2012-07-01", "", "同意", "2012.07-2018.06 北京某公司 施工员"},
		{" " + toFW(strings.ToLower(ids[1])) + " ", "陈二", "大专", "", "", "", "北京城建示范工程有限公司", "", 41091, "", "", ""},
		{ids[2], "陈三", "硕士研究生", "", "", "", "北京城建示范工程有限公司", "", "2012年7月", "5", "", ""},
	}
	bad := [][]any{good[0], good[1], {1.10101199003071e17, "陈四", "本科", "", "", "", "某单位", "", "2012/7/1", "", "", ""},
		{ids[2], "陈三", "小学", "abc", "", "", "", "", "明年", "", "", ""}}
	p := c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"报名.xlsx": fillTemplate(t, c, planID, bad)})
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid="problem"]`).Length() < 5 {
		t.Fatalf("bad file: %d %q", p.Status, p.Doc.Find(`[data-testid="import-problems"]`).Text())
	}
	probs := p.Text(`[data-testid="import-problems"]`)
	for _, want := range []string{"身份证号被Excel转换为数字而损坏", "请从下拉列表中选择学历", "电话号码格式不正确", "请填写单位名称", "日期格式无法识别"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q: %s", want, probs)
		}
	}
	ctx := context.Background()
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(ctx); n != 0 {
		t.Fatalf("%d registrations saved from a file with errors", n)
	}
	if _, err := models.FindPersonByIDNumber(ctx, e.db, ids[0]); err == nil {
		t.Fatal("a person was saved from a file with errors")
	}
	// Fixed: all saved.
	file := fillTemplate(t, c, planID, good)
	p = c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"报名.xlsx": file})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "imported=3") {
		t.Fatalf("good file: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="import-problems"]`)+p.Text(`[data-testid="alert-error"]`))
	}
	list := c.get(p.Location())
	if !strings.Contains(list.Text(`[data-testid="alert-ok"]`), "导入成功，共3人") || list.Doc.Find(`[data-testid="batch-list"] [data-testid^="reg-row-"]`).Length() != 3 {
		t.Fatalf("after import: %q", list.Text(`[data-testid="alert-ok"]`))
	}
	var r models.Registration
	if err := e.db.NewSelect().Model(&r).Relation("Person").Where("person.id_number = ?", ids[1]).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	// The import's 批号 is on every registration of it and in the message.
	if !regexp.MustCompile(`^PLBM\d{8}$`).MatchString(r.BatchID) || !strings.Contains(list.Text(`[data-testid="alert-ok"]`), "批号为"+r.BatchID) {
		t.Errorf("batch number %q, message %q", r.BatchID, list.Text(`[data-testid="alert-ok"]`))
	}
	if r.WorkStartDate == nil || r.WorkStartDate.Format("2006-01-02") != "2012-07-01" {
		t.Errorf("Excel serial date: %v", r.WorkStartDate)
	}
	// Re-uploading the same file neither duplicates nor changes anything: the enterprise's own staff went straight to
	// the registry (待审核), where a registration is locked under review (LIFECYCLE §4).
	p = c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"报名.xlsx": file})
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(ctx); n != 3 || p.Status != http.StatusOK ||
		p.Doc.Find(`[data-testid="problem"]`).Length() != 3 || !strings.Contains(p.Text(`[data-testid="import-problems"]`), "请先撤回") {
		t.Fatalf("after re-upload: %d registrations, status %d: %s", n, p.Status, p.Text(`[data-testid="import-problems"]`)+p.Text(`[data-testid="alert-error"]`))
	}
	var again models.Registration
	if err := e.db.NewSelect().Model(&again).Where("id = ?", r.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if again.Version != r.Version || again.BatchID != r.BatchID {
		t.Errorf("a refused re-upload changed the registration: before %+v, after %+v", r, again)
	}
	// Withdrawn (撤回), the person's row files the same registration again, in its own row.
	detail := "/registrations/" + strconv.FormatInt(r.ID, 10)
	if p = c.submit(detail, detail+"/withdraw", url.Values{"confirmed": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("撤回: %d", p.Status)
	}
	p = c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"报名.xlsx": fillTemplate(t, c, planID, good[1:2])})
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(ctx); n != 3 || p.Status != http.StatusSeeOther {
		t.Fatalf("re-upload after 撤回: %d registrations, status %d: %s", n, p.Status, p.Text(`[data-testid="import-problems"]`)+p.Text(`[data-testid="alert-error"]`))
	}
	if err := e.db.NewSelect().Model(&again).Where("id = ?", r.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if again.Status != models.RegUnitConfirmed || again.Version < r.Version+2 || again.BatchID == r.BatchID || !again.CreatedAt.Equal(r.CreatedAt) ||
		again.WorkStartDate.Format("2006-01-02") != "2012-07-01" {
		t.Errorf("re-upload after 撤回 should file the same row again: before %+v, after %+v", r, again)
	}
	// Photos: two loose files and one in a zip; one file matches nobody, one is not a picture.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("照片/" + ids[2] + ".jpg")
	_, _ = w.Write(testPhoto(t, 600, 840, "jpeg"))
	zw.Close()
	p = c.postFiles(page, "/registrations/batch/photos?plan="+sp, "photos", map[string][]byte{
		ids[0] + ".JPEG": testPhoto(t, 700, 980, "jpeg"), strings.ToLower(ids[1]) + ".jpg": []byte("not a photo"),
		"110101199003070011.jpg": testPhoto(t, 600, 840, "jpeg"), "more.zip": zbuf.Bytes()})
	if got := p.Text(`[data-testid="photo-report"]`); got != "照片上传成功：2张" {
		t.Errorf("photo report: %q", got)
	}
	if !strings.Contains(p.Text(`[data-testid="photo-unmatched"]`), "110101199003070011.jpg") || !strings.Contains(p.Text(`[data-testid="photo-failed"]`), "JPG或PNG") {
		t.Errorf("unmatched %q failed %q", p.Text(`[data-testid="photo-unmatched"]`), p.Text(`[data-testid="photo-failed"]`))
	}
	// 打印报名表: one PDF, a page for each of the 3 registrations.
	pdf := c.get("/registrations/batch/print?plan=" + sp)
	if pages := len(pdfPageRE.FindAllString(pdf.Body, -1)); !strings.HasPrefix(pdf.Body, "%PDF") || pages != 3 {
		t.Errorf("print all: status %d, %d pages; want 3", pdf.Status, pages)
	}
	// Another enterprise sees none of it.
	other := e.client().signIn("jianshe2")
	if n := other.get(page).Doc.Find(`[data-testid^="reg-row-"]`).Length(); n != 0 {
		t.Errorf("other enterprise sees %d rows", n)
	}
	if q := other.do(http.MethodPost, "/registrations/batch/delete-all?plan="+sp, url.Values{"_csrf": {other.csrf()}, "confirmed": {"1"}}, false, nil); q.Status != http.StatusSeeOther {
		t.Errorf("other delete-all: %d", q.Status)
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(ctx); n != 3 {
		t.Fatalf("another enterprise's delete-all removed rows: %d left", n)
	}
	// 删除所有报名信息 keeps the paid one and names it.
	now := time.Now().UTC()
	if _, err := e.db.NewUpdate().Model((*models.Registration)(nil)).Set("paid_at = ?", now).Where("person_id = (SELECT id FROM persons WHERE id_number = ?)", ids[0]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	photoOf := func(idn string) string {
		r, err := models.FindRegistration(ctx, e.db, sp64(t, sp), e.person(idn).ID)
		if err != nil || r.PhotoKey == "" {
			t.Fatalf("registration photo of %s: %q, %v", idn, r.PhotoKey, err)
		}
		return r.PhotoKey
	}
	keptPhoto, deletedPhoto := photoOf(ids[0]), photoOf(ids[2])
	q := c.do(http.MethodPost, "/registrations/batch/delete-all?plan="+sp, url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}}, false, nil)
	after := c.get(q.Location())
	// The deleted registrations' photo files go with them; the kept one's stays.
	if _, err := e.app.Blobs.Size(ctx, deletedPhoto); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("a deleted registration's photo file is still stored: %v", err)
	}
	if _, err := e.app.Blobs.Size(ctx, keptPhoto); err != nil {
		t.Errorf("the kept registration's photo file: %v", err)
	}
	if !strings.Contains(after.Text(`[data-testid="alert-ok"]`), "已删除2条") || !strings.Contains(after.Text(`[data-testid="alert-error"]`), "陈一") {
		t.Errorf("delete all: %q / %q", after.Text(`[data-testid="alert-ok"]`), after.Text(`[data-testid="alert-error"]`))
	}
	if strings.Contains(after.Body, ids[0]) {
		t.Error("full ID number on the page")
	}
}

func TestBatchImportRejectsHostileFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "文件检查考试", nil)
	c := e.client().signIn("peixun")
	sp := strconv.FormatInt(planID, 10)
	page := "/registrations/batch?plan=" + sp
	cfb := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
	for name, data := range map[string][]byte{"random": []byte("hello"), "cfb": cfb} {
		p := c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"x.xlsx": data})
		if p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) == "" {
			t.Errorf("%s: %d %q", name, p.Status, p.Text(`[data-testid="alert-error"]`))
		}
	}
	big := bytes.Repeat([]byte("A"), 11<<20)
	if p := c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"x.xlsx": big}); p.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("11 MB: %d", p.Status)
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(context.Background()); n != 0 {
		t.Errorf("%d saved", n)
	}
}

func TestPlanPicker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	createPlan(t, e, "拾取器测试考试", nil)
	c := e.client().signIn("jianshe")
	frag := c.getHX("/plans/picker?return=/registrations/batch&q=拾取器")
	if strings.Contains(frag.Body, "<html") || frag.Doc.Find(`[data-testid="picker-row"]`).Length() != 1 {
		t.Fatalf("picker fragment: %.300s", frag.Body)
	}
	href, _ := frag.Doc.Find(`[data-testid="picker-choose"]`).Attr("href")
	if !strings.HasPrefix(href, "/registrations/batch?plan=") {
		t.Errorf("choose link %q", href)
	}
	full := c.get("/plans/picker?return=//evil.example/x")
	if full.Doc.Find(`[data-testid="menu"]`).Length() != 1 {
		t.Error("without htmx the picker is a whole page")
	}
	href, _ = full.Doc.Find(`[data-testid="picker-choose"]`).Attr("href")
	if !strings.HasPrefix(href, "/registrations/batch?") {
		t.Errorf("open redirect through return: %q", href)
	}
	chosen := c.get(href)
	if v, _ := chosen.Doc.Find(`#plan_name`).Attr("value"); v != "拾取器测试考试" {
		t.Errorf("field after choosing: %q", v)
	}
}

func TestImportRowLimitIsASetting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.ImportMaxRows = 2 })
	planID := createPlan(t, e, "行数限制考试", nil)
	c := e.client().signIn("jianshe")
	sp := strconv.FormatInt(planID, 10)
	rows := [][]any{}
	for i := 0; i < 3; i++ {
		rows = append(rows, []any{newID(uint64(40 + i)), "限制", "本科", "", "", "", "某单位", "", "2012-07-01"})
	}
	p := c.postFiles("/registrations/batch?plan="+sp, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"x.xlsx": fillTemplate(t, c, planID, rows)})
	if !strings.Contains(p.Text(`[data-testid="alert-error"]`), "最多一次导入2行") {
		t.Errorf("3 rows with a limit of 2: %q", p.Text(`[data-testid="alert-error"]`))
	}
}

// The batch import applies the same eligibility rules as the 报名表 (models.CheckEligibility), row by row.
func TestBatchUsesPlanRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "批量条件考试", url.Values{"min_years": {"3"}, "min_education": {"大专"}})
	c := e.client().signIn("jianshe")
	sp := strconv.FormatInt(planID, 10)
	rows := [][]any{
		{newID(50), "条件甲", "高中/中专/技校", "", "", "", "某单位", "", "2012-07-01"}, // 学历 too low
		{newID(51), "条件乙", "本科", "", "", "", "某单位", "", "2024-07-01"},       // too few years
		{newID(52), "条件丙", "本科", "", "", "", "某单位", "", "2012-07-01", "40"}, // more years than worked
		{newID(53), "条件丁", "本科", "", "", "", "某单位", "", "2035-07-01"},       // in the future
	}
	p := c.postFiles("/registrations/batch?plan="+sp, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"x.xlsx": fillTemplate(t, c, planID, rows)})
	probs := p.Text(`[data-testid="import-problems"]`)
	for _, want := range []string{"大专及以上学历", "满3年", "不能超过参加工作以来的年数", "不能晚于今天"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q: %s", want, probs)
		}
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(context.Background()); n != 0 {
		t.Errorf("%d saved", n)
	}
}

func sp64(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
