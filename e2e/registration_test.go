package e2e

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"examcert/internal/ident"
)

// TestRegistrationPractitioner registers the practitioner zhangsan for the 安全员 plan (no education minimum;
// zhangsan has no 学历 on record, which the 报名表 says beside the field with the way to 个人信息维护, where it is
// filled in first) through 考试报名 → 【我要报名】: 单位名称 (with JavaScript filled from the
// organization code in place), 参加工作时间, one 个人简历 line, 聘用单位意见 and a photo, then 【保存】. The 报名成功
// page says 待审核, 【打印】 downloads a PDF and 【导出】 a Word file, and 考试报名 lists the registration.
func TestRegistrationPractitioner(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			b := newTab(t, browser, srv, m.js)
			b.signIn(practitioner, demoPassword)
			b.assertScripting()
			b.clickAndLoad(`[data-testid="menu-registration.page"]`)
			b.waitVisible("[data-testid=open-plans]")
			if got := b.path(); got != "/registrations" {
				t.Errorf("考试报名 opened %s, want /registrations", got)
			}
			d := b.doc()
			if n := d.Find(`[data-testid^="open-plan-"]`).Length(); n != 2 {
				t.Errorf("正在报名的考试 lists %d plans, want the 2 open ones", n)
			}
			if strings.Contains(d.Find("[data-testid=open-plans]").Text(), regPlanDraft) {
				t.Errorf("the draft plan %s is offered for registration", regPlanDraft)
			}
			if n := d.Find("[data-testid=open-plans] [data-testid=batch]").Length(); n != 0 {
				t.Errorf("a practitioner is offered 批量报名 on %d plans", n)
			}
			if d.Find("[data-testid=registrations-empty]").Length() != 1 {
				t.Error("我的报名 is not empty before registering")
			}

			planID := b.regOpenPlanID(regPlanSafety)
			b.clickAndLoad(`[data-testid="open-plan-` + planID + `"] [data-testid=register]`)
			b.waitVisible("[data-testid=reg-form]")
			if got := b.path(); got != "/registrations/new?plan="+planID {
				t.Errorf("【我要报名】 opened %s, want /registrations/new?plan=%s", got, planID)
			}
			if got := b.text("[data-testid=reg-plan]"); got != regPlanSafety {
				t.Errorf("the 报名表 is for %q, want %s", got, regPlanSafety)
			}
			if got := b.text("[data-testid=reg-form] fieldset"); !strings.Contains(got, "张三") || !strings.Contains(got, zhangsanIDNumber) {
				t.Errorf("the 报名表 does not show who registers (张三, %s): %q", zhangsanIDNumber, got)
			}
			if b.doc().Find("[data-testid=reg-form] #id_number").Length() != 0 {
				t.Error("a practitioner is asked for an ID number: the form should be for themself")
			}
			// No 学历 on record: said before the form is filled in; 去填写 leads to 个人信息维护.
			if got := b.text("[data-testid=error-education]"); !strings.Contains(got, "请先在个人信息维护中填写学历") {
				t.Errorf("the 报名表 of someone without 学历 says %q", got)
			}
			b.clickAndLoad("[data-testid=fill-education]")
			b.choose("#education", "大专")
			b.retype("#phone", "13512345678")
			b.choose("#work_start_date", "2012-07-01")
			b.clickAndLoad("[data-testid=person-save]")
			if got := b.path(); got != "/profile?ok=1" {
				t.Fatalf("saving 学历 in 个人信息维护: on %s (%q; %q)", got, b.text("[data-testid=alert-error]"), b.doc().Find(".field .error").Text())
			}
			b.open("/registrations/new?plan=" + planID)
			b.waitVisible("[data-testid=reg-form]")
			if b.doc().Find("[data-testid=error-education]").Length() != 0 {
				t.Error("the 学历 message stays after 学历 was filled in")
			}

			employer, status := "北京某建设工程有限公司", "待审核"
			if m.js {
				// 组织机构代码 → 单位名称, swapped in place when the field is left.
				b.setMarker()
				b.typeAndLeave("#employer_code", jiansheCreditCode)
				b.eventually("单位名称 filled from "+jiansheCreditCode, func() bool { return b.prop("#employer_name") == jiansheName })
				if !b.hasMarker() {
					t.Error("the code lookup reloaded the page; with JavaScript it should fill 单位名称 in place")
				}
				if got := b.text("[data-testid=org-message]"); !strings.Contains(got, "已找到登记单位") {
					t.Errorf("after the code lookup the form says %q, want 已找到登记单位", got)
				}
				// Naming a registered enterprise: it confirms first (单位确认).
				employer, status = jiansheName, "待单位确认"
			} else {
				b.retype("#employer_name", employer)
			}
			b.choose("#work_start_date", "2012-07-01")
			b.retype("input[name=resume_period]", "2012.07-2018.06")
			b.retype("input[name=resume_employer]", "北京某建设工程有限公司")
			b.retype("input[name=resume_post]", "安全员")
			b.retype("#employer_opinion", "同意报名")
			b.choosePhoto(regPhotoFile(t, t.TempDir(), "zhangsan.jpg", i))
			b.screenshot("registration-form-" + m.name)

			b.clickAndLoad("[data-testid=reg-save]")
			regID := b.regExpectSaved(status)
			for label, want := range map[string]string{"考试名称": regPlanSafety, "姓名": "张三", "身份证号": zhangsanIDNumber,
				"单位名称": employer, "参加工作时间": "2012-07-01"} {
				if got := b.regDetail(label); got != want {
					t.Errorf("报名信息 %s = %q, want %q", label, got, want)
				}
			}
			d = b.doc()
			if d.Find("[data-testid=reg-photo]").Length() != 1 {
				t.Error("the 报名信息 page shows no photo")
			}
			if got := d.Find("[data-testid=reg-detail-panel]").Text(); !strings.Contains(got, "2012.07-2018.06") || !strings.Contains(got, "同意报名") {
				t.Error("the 报名信息 page lacks the 个人简历 line or the 聘用单位意见")
			}
			if d.Find("[data-testid=reg-new]").Length() != 0 {
				t.Error("a practitioner is offered 【新增】 (registering someone else)")
			}

			dir := b.allowDownloads()
			pdf := b.clickForDownload("[data-testid=reg-print]", dir)
			if !strings.HasPrefix(string(pdf.Data), "%PDF") {
				t.Errorf("【打印】 downloaded %q (%d bytes) that is not a PDF", pdf.Name, len(pdf.Data))
			}
			if !strings.HasPrefix(pdf.Name, "报名表-") || !strings.HasSuffix(pdf.Name, ".pdf") {
				t.Errorf("【打印】 downloads %q, want 报名表-<报名编号>.pdf", pdf.Name)
			}
			docx := b.clickForDownload("[data-testid=reg-export]", dir)
			if !strings.HasPrefix(string(docx.Data), "PK") || !strings.HasSuffix(docx.Name, ".docx") {
				t.Errorf("【导出】 downloaded %q (%d bytes, starts %q), want a .docx", docx.Name, len(docx.Data), docx.Data[:min(4, len(docx.Data))])
			}
			if got := b.path(); got != "/registrations/"+regID+"?ok=1" {
				t.Errorf("after the downloads the tab is on %s", got)
			}

			// 考试报名 lists it under 我的报名.
			b.clickAndLoad(`[data-testid="menu-registration.page"]`)
			rows := b.regRows("[data-testid=registrations]")
			if len(rows) != 1 || rows[0].ID != regID || rows[0].Status != status || !rows[0].Deletable {
				t.Errorf("我的报名 lists %+v, want registration %s %s with 【删除】", rows, regID, status)
			}
		})
	}
}

// TestRegistrationEnterprise registers a person new to the system as the enterprise jianshe: the ID number fills
// 性别 and 出生日期 (with JavaScript in place, without through 核对身份证号), then 姓名, 学历, 参加工作时间 and a photo
// are filled and saved. 【新增】 on the 报名成功 page opens an empty 报名表 for the same plan.
func TestRegistrationEnterprise(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			b := newTab(t, browser, srv, m.js)
			b.signIn(enterprise, demoPassword)
			b.assertScripting()
			b.clickAndLoad(`[data-testid="menu-registration.page"]`) // 单个报名
			planID := b.regOpenPlanID(regPlanConstruction)
			b.clickAndLoad(`[data-testid="open-plan-` + planID + `"] [data-testid=register]`)
			b.waitVisible("[data-testid=reg-form]")
			if got := b.prop("#employer_name"); got != jiansheName {
				t.Errorf("单位名称 of an enterprise's 报名表 = %q, want %s filled in", got, jiansheName)
			}

			n := 100 + i
			idn, name := regIDNumber(n), "赵建国"
			b.regLookupID(idn, "男", regBirth(n).Format("2006-01-02"))
			if got := b.text("[data-testid=person-stage]"); !strings.Contains(got, "尚无此人") {
				t.Errorf("stage of a new person says %q, want 尚无此人", got)
			}
			b.retype("#name", name)
			b.choose("#education", "本科")
			b.retype("#phone", "13800002222")
			b.choose("#work_start_date", "2015-03-01")
			b.choosePhoto(regPhotoFile(t, t.TempDir(), "photo.jpg", i))
			b.clickAndLoad("[data-testid=reg-save]")
			b.regExpectSaved("待审核")
			for label, want := range map[string]string{"考试名称": regPlanConstruction, "姓名": name, "身份证号": idn, "性别": "男",
				"出生日期": regBirth(n).Format("2006-01-02"), "学历": "本科", "单位名称": jiansheName, "参加工作时间": "2015-03-01"} {
				if got := b.regDetail(label); got != want {
					t.Errorf("报名信息 %s = %q, want %q", label, got, want)
				}
			}

			b.clickAndLoad("[data-testid=reg-new]")
			b.waitVisible("[data-testid=reg-form]")
			if got := b.path(); got != "/registrations/new?plan="+planID {
				t.Errorf("【新增】 opened %s, want /registrations/new?plan=%s", got, planID)
			}
			if got := b.text("[data-testid=reg-plan]"); got != regPlanConstruction {
				t.Errorf("【新增】 opened a 报名表 for %q, want %s", got, regPlanConstruction)
			}
			for _, sel := range []string{"#id_number", "#name", "#gender", "#work_start_date"} {
				if got := b.prop(sel); got != "" {
					t.Errorf("the fresh 报名表 has %s = %q, want it empty", sel, got)
				}
			}
			if got := b.prop("#employer_name"); got != jiansheName {
				t.Errorf("the fresh 报名表 has 单位名称 %q, want %s", got, jiansheName)
			}
			if got := b.text("[data-testid=alert-ok]") + b.text("[data-testid=alert-error]"); got != "" {
				t.Errorf("the fresh 报名表 shows a message: %q", got)
			}
		})
	}
}

// TestRegistrationTrainingPicker chooses the exam plan on 批量报名 as the training institution peixun through the
// picker: with JavaScript the picker opens in a panel on the page (no navigation) and filters in place; without,
// 选择 is a link to the picker page. Choosing a plan returns to 批量报名 with it. Then peixun registers a new person
// through 单个报名 (考试报名).
func TestRegistrationTrainingPicker(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			b := newTab(t, browser, srv, m.js)
			b.signIn(training, demoPassword)
			b.assertScripting()
			b.clickAndLoad(`[data-testid="menu-registration.batch"]`)
			b.waitVisible("[data-testid=plan-field]")
			if got := b.path(); got != "/registrations/batch" {
				t.Errorf("批量报名 opened %s, want /registrations/batch", got)
			}
			if got := b.prop("#plan_name"); got != "" {
				t.Errorf("考试名称 = %q before a plan is chosen", got)
			}
			if b.doc().Find("[data-testid=batch-import]").Length() != 0 {
				t.Error("批量报名 offers the import before a plan is chosen")
			}

			if m.js {
				b.setMarker()
				b.click("#plan_name")
				b.waitVisible("#plan-picker-panel [data-testid=plan-picker]")
				if !b.hasMarker() || b.path() != "/registrations/batch" {
					t.Errorf("clicking 考试名称 left the page (now %s); the picker should open in place", b.path())
				}
				if got := b.regPickerNames(); !slices.Equal(got, []string{regPlanConstruction, regPlanSafety}) && !slices.Equal(got, []string{regPlanSafety, regPlanConstruction}) {
					t.Errorf("the picker lists %q, want the two open plans (not the draft)", got)
				}
				// Filter by 岗位工种: 安全员.
				cat := ""
				b.doc().Find("#plan-picker-panel select#category option").Each(func(_ int, o *goquery.Selection) {
					if strings.TrimSpace(o.Text()) == "安全员" {
						cat = o.AttrOr("value", "")
					}
				})
				if cat == "" {
					t.Fatal("the picker's 岗位工种 has no 安全员")
				}
				b.choose("#plan-picker-panel #category", cat)
				b.click("#plan-picker-panel [data-testid=picker-search]")
				b.eventually("the picker filtered to 安全员", func() bool { return slices.Equal(b.regPickerNames(), []string{regPlanSafety}) })
				if !b.hasMarker() {
					t.Error("filtering the picker reloaded the page; it should filter in the panel")
				}
				if n := b.doc().Find("[data-testid=plan-picker]").Length(); n != 1 {
					t.Errorf("%d pickers on the page after filtering, want 1", n)
				}
				b.screenshot("picker-js")
			} else {
				href := b.doc().Find("[data-testid=plan-pick]").AttrOr("href", "")
				if !strings.HasPrefix(href, "/plans/picker?") {
					t.Errorf("选择 links to %q, want the picker page", href)
				}
				b.clickAndLoad("[data-testid=plan-pick]")
				b.waitVisible("[data-testid=plan-picker]")
				if got := b.path(); !strings.HasPrefix(got, "/plans/picker?") {
					t.Errorf("选择 opened %s, want /plans/picker", got)
				}
				b.retype("#q", "安全员")
				b.clickAndLoad("[data-testid=picker-search]")
				if got := b.regPickerNames(); !slices.Equal(got, []string{regPlanSafety}) {
					t.Errorf("the picker filtered by 名称 安全员 lists %q, want [%s]", got, regPlanSafety)
				}
			}
			b.clickAndLoad("[data-testid=picker-choose]")
			b.waitVisible("[data-testid=plan-info]")
			if got := b.path(); !regexp.MustCompile(`^/registrations/batch\?plan=\d+$`).MatchString(got) {
				t.Errorf("choosing a plan led to %s, want /registrations/batch?plan=<id>", got)
			}
			if got := b.prop("#plan_name"); got != regPlanSafety {
				t.Errorf("考试名称 = %q after choosing, want %s", got, regPlanSafety)
			}
			if got := b.text("[data-testid=plan-info]"); !strings.Contains(got, "安全员") {
				t.Errorf("the plan info says %q, want the 安全员 plan", got)
			}
			if b.doc().Find("[data-testid=template-download]").Length() != 1 {
				t.Error("with a plan chosen 批量报名 offers no template")
			}

			// A single registration through 单个报名, for someone new.
			b.clickAndLoad(`[data-testid="menu-registration.page"]`)
			planID := b.regOpenPlanID(regPlanConstruction)
			b.clickAndLoad(`[data-testid="open-plan-` + planID + `"] [data-testid=register]`)
			b.waitVisible("[data-testid=reg-form]")
			n := 150 + i
			idn, name := regIDNumber(n), "钱学森"
			b.regLookupID(idn, "男", regBirth(n).Format("2006-01-02"))
			b.retype("#name", name)
			b.choose("#education", "大专")
			b.retype("#employer_name", "北京某装饰工程有限公司")
			b.choose("#work_start_date", "2016-09-01")
			b.choosePhoto(regPhotoFile(t, t.TempDir(), "photo.jpg", 5+i))
			b.clickAndLoad("[data-testid=reg-save]")
			b.regExpectSaved("待审核")
			if got := b.regDetail("姓名") + " " + b.regDetail("身份证号") + " " + b.regDetail("单位名称"); got != name+" "+idn+" 北京某装饰工程有限公司" {
				t.Errorf("报名信息 shows %q", got)
			}
			if b.doc().Find("[data-testid=reg-new]").Length() != 1 {
				t.Error("a training institution is not offered 【新增】")
			}
		})
	}
}

// TestBatchImportPhotosDelete is 批量报名 as the enterprise jianshe for the 施工员 plan: the template is downloaded
// and filled with 5 people, two of them wrong (a bad check digit; an ID number Excel turned into a number); the
// upload lists both by row and column and saves nothing. The corrected file imports all 5 as 待审核（缺照片）.
// Photos named by ID number are uploaded (plus 123.jpg, which matches nobody: with JavaScript removed from the
// chosen files with 删除 first). Then one row is deleted with 【删除】, one is marked paid, and 删除所有报名信息
// deletes the rest and names the paid person, whose row stays.
func TestBatchImportPhotosDelete(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			b := newTab(t, browser, srv, m.js)
			var dialogs *regDialogLog
			if m.js {
				dialogs = b.regAcceptDialogs()
			}
			b.signIn(enterprise, demoPassword)
			b.assertScripting()
			b.clickAndLoad(`[data-testid="menu-registration.page"]`)
			planID := b.regOpenPlanID(regPlanConstruction)
			b.clickAndLoad(`[data-testid="open-plan-` + planID + `"] [data-testid=batch]`)
			batchPath := "/registrations/batch?plan=" + planID
			if got := b.path(); got != batchPath {
				t.Fatalf("批量报名 on the plan opened %s, want %s", got, batchPath)
			}
			if got := b.prop("#plan_name"); got != regPlanConstruction {
				t.Errorf("考试名称 = %q, want %s", got, regPlanConstruction)
			}

			// The template, fetched with the browser's session.
			href := b.doc().Find("[data-testid=template-download]").AttrOr("href", "")
			tmpl, typ := b.fetch(href)
			if !strings.HasPrefix(string(tmpl), "PK") || !strings.Contains(typ, "spreadsheetml") {
				t.Fatalf("the template from %s is %q, %d bytes: not an .xlsx", href, typ, len(tmpl))
			}

			names := []string{"陈一鸣", "林小雨", "郭建华", "马文静", "罗志强"}
			ids := make([]string, len(names))
			for k := range ids {
				ids[k] = regIDNumber(200 + 10*i + k)
			}
			row := func(k int, idn any) []any {
				return []any{idn, names[k], "本科", "1380000000" + strconv.Itoa(k), "土木工程", "", jiansheName, jiansheCreditCode,
					"2012-07-01", "", "同意报名", "2012.07-2018.06 北京城建示范工程有限公司 施工员"}
			}
			var bad, good [][]any
			for k, idn := range ids {
				good = append(good, row(k, idn))
				var v any = idn
				switch k {
				case 2:
					v = regBadCheckDigit(idn) // sheet row 4
				case 4:
					v = 1.10101199003071e17 // sheet row 6: the number as Excel keeps it in a numeric cell
				}
				bad = append(bad, row(k, v))
			}
			dir := t.TempDir()
			upload := func(path string) {
				t.Helper()
				b.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path}))
				b.clickAndLoad("[data-testid=import-submit]")
			}

			upload(regFillTemplate(t, tmpl, bad, dir, "报名表-有错误.xlsx"))
			b.waitVisible("[data-testid=import-problems]")
			var problems []string
			b.doc().Find("[data-testid=problem]").Each(func(_ int, tr *goquery.Selection) {
				problems = append(problems, rowText(tr))
			})
			if len(problems) != 2 {
				t.Errorf("the problems table lists %d problems, want 2: %q", len(problems), problems)
			}
			for _, want := range []struct{ row, reason string }{{"4", "校验码"}, {"6", "Excel转换为数字"}} {
				found := false
				for _, p := range problems {
					cells := strings.Split(p, " | ")
					if len(cells) == 4 && cells[0] == want.row && cells[1] == "身份证号" && strings.Contains(cells[3], want.reason) {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem for row %s, column 身份证号, reason …%s…: %q", want.row, want.reason, problems)
				}
			}
			if got := b.text("[data-testid=import-problems-title]"); !strings.Contains(got, "未保存任何数据") {
				t.Errorf("the problems title says %q, want 未保存任何数据", got)
			}
			if rows := b.regRows("[data-testid=batch-list]"); len(rows) != 0 || b.doc().Find("[data-testid=registrations-empty]").Length() != 1 {
				t.Errorf("after a rejected file the list shows %d registrations, want none", len(rows))
			}
			b.screenshot("batch-" + m.name)

			upload(regFillTemplate(t, tmpl, good, dir, "报名表.xlsx"))
			if got := b.path(); got != batchPath+"&imported=5" {
				t.Fatalf("after the corrected upload the tab is on %s (%q %q), want %s&imported=5", got,
					b.text("[data-testid=alert-error]"), b.text("[data-testid=import-problems]"), batchPath)
			}
			if got := b.text("[data-testid=alert-ok]"); !strings.Contains(got, "导入成功，共5人") {
				t.Errorf("after the import the page says %q, want 导入成功，共5人", got)
			}
			rows := b.regRows("[data-testid=batch-list]")
			if len(rows) != 5 {
				t.Fatalf("after the import the list has %d rows, want 5: %+v", len(rows), rows)
			}
			for _, name := range names {
				if r := regRowOf(t, rows, name); r.Status != "待审核（缺照片）" {
					t.Errorf("%s: status %q after the import, want 待审核（缺照片）", name, r.Status)
				}
			}

			// Photos: the first three people by ID number, and 123.jpg.
			pdir := t.TempDir()
			var files []string
			for k := 0; k < 3; k++ {
				files = append(files, regPhotoFile(t, pdir, ids[k]+".jpg", k))
			}
			files = append(files, regPhotoFile(t, pdir, "123.jpg", 9))
			b.do(chromedp.SetUploadFiles(chromedp.CSS("#photos"), files))
			listed := func() []string {
				var out []string
				b.doc().Find("#photo-file-list li").Each(func(_ int, li *goquery.Selection) {
					if li.Find("[data-testid=photo-file-delete]").Length() == 1 {
						out = append(out, strings.TrimSpace(li.Find("span").Text()))
					}
				})
				return out
			}
			if m.js {
				b.eventually("the 4 chosen photos listed, each with 删除", func() bool { return len(listed()) == 4 })
				k := slices.IndexFunc(listed(), func(s string) bool { return strings.HasPrefix(s, "123.jpg") })
				if k < 0 {
					t.Fatalf("123.jpg is not in the list of chosen photos: %q", listed())
				}
				b.click("#photo-file-list li:nth-child(" + strconv.Itoa(k+1) + ") [data-testid=photo-file-delete]")
				b.eventually("123.jpg gone from the list", func() bool { return len(listed()) == 3 })
				if got := listed(); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "123.jpg") }) {
					t.Errorf("after 删除 the list still has 123.jpg: %q", got)
				}
				chosen := run(b, chromedp.Evaluate[[]string](`Array.from(document.querySelector("#photos").files, f => f.name)`))
				if len(chosen) != 3 || slices.Contains(chosen, "123.jpg") {
					t.Errorf("after 删除 the file input holds %q, want the 3 ID-number photos", chosen)
				}
			} else if got := listed(); len(got) != 0 {
				t.Errorf("without JavaScript the chosen-files list shows %q", got)
			}
			b.clickAndLoad("[data-testid=photos-submit]")
			b.waitVisible("[data-testid=photo-report]")
			if got := b.text("[data-testid=photo-report]"); got != "照片上传成功：3张" {
				t.Errorf("the photo report says %q, want 照片上传成功：3张", got)
			}
			unmatched := b.text("[data-testid=photo-unmatched]")
			if m.js && unmatched != "" {
				t.Errorf("123.jpg was removed before 上传, yet the report says %q", unmatched)
			}
			if !m.js && !strings.Contains(unmatched, "123.jpg") {
				t.Errorf("the report of unmatched files says %q, want it to name 123.jpg", unmatched)
			}
			if got := b.text("[data-testid=photo-failed]"); got != "" {
				t.Errorf("photos failed: %s", got)
			}
			rows = b.regRows("[data-testid=batch-list]")
			for k, name := range names {
				want := "待审核（缺照片）"
				if k < 3 {
					want = "待审核"
				}
				if r := regRowOf(t, rows, name); r.Status != want {
					t.Errorf("%s: status %q after the photo upload, want %s", name, r.Status, want)
				}
			}

			// 【删除】 on one row.
			gone := regRowOf(t, rows, names[4])
			sel := `[data-testid="reg-row-` + gone.ID + `"]`
			if m.js {
				b.setMarker()
				b.click(sel + " [data-testid=reg-delete]")
				b.eventually("the row replaced by 已删除", func() bool { return b.doc().Find("[data-testid=reg-deleted]").Length() == 1 })
				if got := b.text("[data-testid=reg-deleted]"); !strings.Contains(got, "已删除") {
					t.Errorf("the deleted row says %q, want …已删除", got)
				}
				if !slices.Contains(dialogs.messages(), "确定删除这条报名信息？") {
					t.Errorf("【删除】 asked no confirmation; dialogs seen: %q", dialogs.messages())
				}
				if !b.hasMarker() {
					t.Error("【删除】 reloaded the page; with JavaScript the row should be replaced in place")
				}
				b.open(batchPath)
			} else {
				b.clickAndLoad(sel + " [data-testid=reg-delete]")
				if q := b.text("[data-testid=confirm-question]"); q != "确定删除这条报名信息？" {
					t.Fatalf("without JavaScript 【删除】 shows %q at %s, want the page that asks", q, b.path())
				}
				b.clickAndLoad("[data-testid=confirm-yes]")
				if got := b.text("[data-testid=alert-ok]"); got != "报名信息已删除" {
					t.Errorf("after 【删除】 the page (%s) says %q, want 报名信息已删除", b.path(), got)
				}
				if got := b.path(); got != batchPath+"&ok=deleted" {
					t.Errorf("after 【删除】 on 批量报名 the tab is on %s, not back on 批量报名", got)
				}
				b.open(batchPath)
			}
			rows = b.regRows("[data-testid=batch-list]")
			if len(rows) != 4 || slices.ContainsFunc(rows, func(r regListRow) bool { return r.ID == gone.ID }) {
				t.Fatalf("after 【删除】 the list has %+v, want 4 rows without %s", rows, names[4])
			}

			// One paid registration: 删除所有报名信息 keeps it and says so.
			paid := regRowOf(t, rows, names[0])
			srv.regMarkPaid(t, paid.ID)
			b.open(batchPath)
			if r := regRowOf(t, b.regRows("[data-testid=batch-list]"), names[0]); !strings.Contains(r.Status, "已缴费") || r.Deletable {
				t.Errorf("the paid row reads %+v, want 已缴费 and no 【删除】", r)
			}
			if m.js {
				b.click("[data-testid=delete-all]")
			} else {
				b.clickAndLoad("[data-testid=delete-all]")
				if q := b.text("[data-testid=confirm-question]"); !strings.Contains(q, "确定删除本单位该考试的所有未缴费报名信息") {
					t.Fatalf("without JavaScript 删除所有报名信息 shows %q at %s, want the page that asks", q, b.path())
				}
				b.clickAndLoad("[data-testid=confirm-yes]")
			}
			b.eventually("the page after 删除所有报名信息", func() bool { return strings.Contains(b.path(), "&deleted=") })
			b.waitVisible("[data-testid=alert-ok]")
			if m.js && !slices.Contains(dialogs.messages(), "确定删除本单位该考试的所有未缴费报名信息？") {
				t.Errorf("删除所有报名信息 deleted without asking for confirmation (dialogs seen: %q): its form has "+
					"hx-confirm but no hx-post, and htmx only confirms requests it makes itself", dialogs.messages())
			}
			if got := b.text("[data-testid=alert-ok]"); !strings.Contains(got, "已删除3条") {
				t.Errorf("after 删除所有报名信息 the page says %q, want 已删除3条", got)
			}
			kept := b.text("[data-testid=alert-error]")
			if !strings.Contains(kept, names[0]) || !strings.Contains(kept, ident.MaskIDNumber(ids[0])) {
				t.Errorf("the message about kept registrations says %q, want %s（%s）", kept, names[0], ident.MaskIDNumber(ids[0]))
			}
			if strings.Contains(run(b, chromedp.OuterHTML(chromedp.CSS("html"))), ids[0]) {
				t.Error("the full ID number of the paid person is on the page")
			}
			rows = b.regRows("[data-testid=batch-list]")
			if len(rows) != 1 || rows[0].ID != paid.ID || !strings.Contains(rows[0].Status, "已缴费") {
				t.Errorf("after 删除所有报名信息 the list has %+v, want only %s's paid registration", rows, names[0])
			}
		})
	}
}
