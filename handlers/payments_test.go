package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"examcert/internal/ident"
	"examcert/models"
)

// payPlan stores a plan directly: fee in cents (0: free), 缴费截止 tomorrow when it charges, registration closed.
func payPlan(t *testing.T, e *env, name string, fee int) *models.ExamPlan {
	t.Helper()
	now := models.Now()
	p := &models.ExamPlan{Name: name, CategoryID: 1, Level: "无", RegistrationStartsAt: now.Add(-72 * time.Hour),
		RegistrationEndsAt: now.Add(-24 * time.Hour), ExamAt: now.Add(240 * time.Hour), PhotoMaxBytes: 60 * 1024, FeeCents: fee}
	if fee > 0 {
		d := now.Add(24 * time.Hour)
		p.PaymentDeadline = &d
	}
	if err := models.SavePlan(context.Background(), e.db, p, 0); err != nil {
		t.Fatal(err)
	}
	return p
}

// payRegister files an approved registration of plan for the demo practitioner username (filed by themself).
func payRegister(t *testing.T, e *env, plan *models.ExamPlan, username string, s models.RegStatus) *models.Registration {
	t.Helper()
	acct := e.account(username)
	now := models.Now()
	ws := now.AddDate(-10, 0, 0)
	r := &models.Registration{PlanID: plan.ID, PersonID: *acct.PersonID, Channel: models.ChannelSelf, AccountID: &acct.ID,
		EmployerName: "北京某建设公司", WorkStartDate: &ws, YearsOfWork: 10, Resume: "[]", Status: s, CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := e.db.NewInsert().Model(r).Returning("id").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func payRegStatus(t *testing.T, e *env, id int64) models.Registration {
	t.Helper()
	var r models.Registration
	if err := e.db.NewSelect().Model(&r).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func personOf(t *testing.T, e *env, username string) *models.Person {
	t.Helper()
	var p models.Person
	if err := e.db.NewSelect().Model(&p).Where("id = ?", *e.account(username).PersonID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &p
}

// bankFile writes a bank reconciliation file: the header row, then the lines.
func bankFile(t *testing.T, lines [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for i, r := range append([][]any{{"姓名", "身份证号", "金额", "交易流水号", "日期"}}, lines...) {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
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

func TestPaymentPlanFormNeedsADeadlineWhenCharging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client().signIn("admin")
	now := time.Now().In(models.Beijing)
	f := url.Values{"name": {"缴费截止表单测试"}, "category_id": {"1"}, "level": {"初级"},
		"registration_starts": {now.Format("2006-01-02T15:04")}, "registration_ends": {now.Add(72 * time.Hour).Format("2006-01-02T15:04")},
		"exam_at": {now.Add(240 * time.Hour).Format("2006-01-02T15:04")}, "fee": {"120"}, "photo_max_kb": {"60"}}
	p := admin.submit("/admin/exams/new", "/admin/exams", f)
	if got := p.Text(`[data-testid="error-payment_deadline"]`); got != "收费金额大于0时请填写缴费截止时间" {
		t.Errorf("no deadline: %q", got)
	}
	f.Set("payment_deadline", now.Add(24*time.Hour).Format("2006-01-02T15:04"))
	if got := admin.submit("/admin/exams/new", "/admin/exams", f).Text(`[data-testid="error-payment_deadline"]`); got != "缴费截止时间应晚于报名截止时间" {
		t.Errorf("deadline before 报名截止: %q", got)
	}
	f.Set("payment_deadline", now.Add(96*time.Hour).Format("2006-01-02T15:04"))
	if p := admin.submit("/admin/exams/new", "/admin/exams", f); p.Location() != "/admin/exams?ok=created" {
		t.Fatalf("with a deadline: %d %s", p.Status, p.Doc.Find(".error").Text())
	}
	var plan models.ExamPlan
	if err := e.db.NewSelect().Model(&plan).Where("name = ?", "缴费截止表单测试").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if plan.PaymentDeadlineText() != now.Add(96*time.Hour).Format("2006-01-02 15:04") {
		t.Errorf("stored deadline %q", plan.PaymentDeadlineText())
	}
	// The edit form shows it back.
	edit := admin.get("/admin/exams/" + strconv.FormatInt(plan.ID, 10))
	if v, _ := edit.Doc.Find(`input[name="payment_deadline"]`).Attr("value"); v != now.Add(96*time.Hour).Format("2006-01-02T15:04") {
		t.Errorf("edit form value %q", v)
	}
}

func TestPaymentFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plan := payPlan(t, e, "缴费流程测试考试", 12000)
	sp := strconv.FormatInt(plan.ID, 10)
	base := "/admin/payments/" + sp
	zs := payRegister(t, e, plan, "zhangsan", models.RegApproved)
	ls := payRegister(t, e, plan, "lisi", models.RegApproved)
	admin := e.client().signIn("admin")

	if p := admin.get("/admin/payments"); p.Doc.Find(`[data-testid="payment-plan-`+sp+`"]`).Length() != 1 {
		t.Fatalf("plan list: %d", p.Status)
	}
	p := admin.get(base)
	if got := p.Text(`[data-testid="payment-count-notify"]`); !strings.Contains(got, "待通知：2") {
		t.Errorf("counts: %q", got)
	}
	// 发送缴费通知 without JavaScript: a page asks first, nothing is sent yet.
	p = admin.submit(base, base+"/notices", nil)
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid="confirm-page"]`).Length() != 1 || payRegStatus(t, e, zs.ID).PaymentNoticedAt != nil {
		t.Fatalf("unconfirmed notify: %d", p.Status)
	}
	p = admin.submit(base, base+"/notices", url.Values{"confirmed": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "ok=notified&n=2&no=JFTZ") {
		t.Fatalf("notify: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	if got := admin.get(p.Location()).Text(`[data-testid="alert-ok"]`); !strings.Contains(got, "已向2名考生发送缴费通知") {
		t.Errorf("after notify: %q", got)
	}
	if p := admin.submit(base, base+"/notices", url.Values{"confirmed": {"1"}}); !strings.Contains(p.Text(`[data-testid="alert-error"]`), "没有待通知的考生") {
		t.Errorf("notify again: %q", p.Text(`[data-testid="alert-error"]`))
	}
	// The applicant sees 待缴费 with the amount and the deadline, in the list and on the page.
	zc := e.client().signIn("zhangsan")
	want := "待缴费（120.00元，缴费截止 " + plan.PaymentDeadlineText() + "）"
	home := zc.get("/registrations")
	if got := home.Text(`[data-testid="reg-row-` + strconv.FormatInt(zs.ID, 10) + `"] [data-testid="reg-status"]`); got != want {
		t.Errorf("applicant list: %q, want %q", got, want)
	}

	if got := zc.get("/registrations/" + strconv.FormatInt(zs.ID, 10)).Text(`[data-testid="reg-status"]`); got != want {
		t.Errorf("applicant detail: %q", got)
	}
	var msgs int64
	msgs, _ = e.db.NewSelect().Model((*models.Message)(nil)).Where("account_id = ? AND kind = ?", e.account("zhangsan").ID, models.NoticePaymentNotice).Count(context.Background())
	if msgs != 1 {
		t.Errorf("%d 缴费通知 messages for zhangsan", msgs)
	}

	// 确认缴费 with htmx: the row is swapped in place.
	p = admin.get(base + "?stage=due")
	row := p.Doc.Find(`[data-testid="pay-row-` + strconv.FormatInt(zs.ID, 10) + `"]`)
	action, _ := row.Find(`form`).Attr("action")
	if action == "" {
		t.Fatalf("no 确认缴费 on the row: %s", row.Text())
	}
	p = admin.submitHX(base, action, url.Values{"confirmed": {"1"}}, true)
	// (a bare <tr> is not parsed into a document outside a table: the body is read as text)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `data-testid="pay-stage">已缴费<`) || !strings.Contains(p.Body, "已确认，批号 JFQR") {
		t.Fatalf("htmx confirm: %d %s", p.Status, p.Body)
	}
	if strings.Contains(p.Body, "<html") {
		t.Error("htmx confirm answered a whole page")
	}
	if r := payRegStatus(t, e, zs.ID); r.Status != models.RegPaid || r.PaidAt == nil {
		t.Errorf("after confirm: %s", r.Status)
	}
	// The same again (a stale page): refused in the row.
	if p := admin.submitHX(base, action, url.Values{"confirmed": {"1"}}, true); !strings.Contains(p.Body, "状态已变化") {
		t.Errorf("confirming twice: %s", p.Body)
	}
	if got := zc.get("/registrations").Text(`[data-testid="reg-row-` + strconv.FormatInt(zs.ID, 10) + `"] [data-testid="reg-status"]`); !strings.Contains(got, "已缴费") {
		t.Errorf("applicant after payment: %q", got)
	}
	// Without JavaScript: the confirm page, then a redirect.
	action = "/admin/payments/" + sp + "/registrations/" + strconv.FormatInt(ls.ID, 10) + "/confirm"
	if p := admin.submit(base, action, nil); p.Doc.Find(`[data-testid="confirm-page"]`).Length() != 1 {
		t.Fatalf("unconfirmed: %d", p.Status)
	}
	p = admin.submit(base, action, url.Values{"confirmed": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "ok=confirmed&no=JFQR") {
		t.Fatalf("plain confirm: %d %q", p.Status, p.Location())
	}
	// Paid registrations can't be deleted by the applicant.
	if p := zc.submit("/registrations", "/registrations/"+strconv.FormatInt(zs.ID, 10)+"/delete", url.Values{"confirmed": {"1"}}); p.Status != http.StatusConflict || payRegStatus(t, e, zs.ID).ID == 0 {
		t.Errorf("deleting a paid registration: %d", p.Status)
	}
	// Export: .xlsx, masked ID numbers, one row per paid registration, audited.
	p = admin.get(base + "/export")
	if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(p.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", p.Status, p.Header)
	}
	zp := personOf(t, e, "zhangsan")
	book, err := excelize.OpenReader(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("已缴费名单")
	if len(rows) != 3 || rows[0][2] != "身份证号" || !slices.ContainsFunc(rows, func(r []string) bool { return r[2] == ident.MaskIDNumber(zp.IDNumber) }) ||
		strings.Contains(p.Body, zp.IDNumber) {
		t.Errorf("export rows: %q", rows)
	}
	if len(e.auditEvents(models.EventExport)) == 0 {
		t.Error("the export is not audited")
	}
}

func TestPaymentBankImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plan := payPlan(t, e, "银行对账导入测试考试", 12000)
	sp := strconv.FormatInt(plan.ID, 10)
	base := "/admin/payments/" + sp
	zs := payRegister(t, e, plan, "zhangsan", models.RegApproved)
	ls := payRegister(t, e, plan, "lisi", models.RegApproved)
	zp, lp := personOf(t, e, "zhangsan"), personOf(t, e, "lisi")
	admin := e.client().signIn("admin")

	// The template opens and has the five columns.
	tp := admin.get(base + "/template")
	if tp.Status != http.StatusOK || !strings.HasPrefix(tp.Body, "PK") {
		t.Fatalf("template: %d", tp.Status)
	}
	f, err := excelize.OpenReader(strings.NewReader(tp.Body))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := f.GetRows(f.GetSheetName(0))
	f.Close()
	if len(head) == 0 || !strings.Contains(strings.Join(head[0], ","), "交易流水号") {
		t.Errorf("template header: %v", head)
	}
	// One bad line: nothing is applied, every problem is listed with its row.
	bad := bankFile(t, [][]any{{zp.Name, zp.IDNumber, 120, "B-001", "2026-11-30"}, {"王五", lp.IDNumber, "100", "B-001", "昨天"}})
	p := admin.postFiles(base, base+"/import", "file", map[string][]byte{"对账.xlsx": bad})
	probs := p.Text(`[data-testid="payment-problems"]`)
	for _, want := range []string{"姓名与报名信息不一致", "金额与该考试的收费金额（120.00元）不一致", "与第2行的交易流水号重复", "日期格式无法识别"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q: %s", want, probs)
		}
	}
	if r := payRegStatus(t, e, zs.ID); r.PaidAt != nil {
		t.Error("a good line was applied from a file with a bad one")
	}
	// Not a spreadsheet, an encrypted/old file, no file: a message, nothing applied.
	for name, data := range map[string][]byte{"x.xlsx": []byte("not a spreadsheet at all"), "old.xls": {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}} {
		p := admin.postFiles(base, base+"/import", "file", map[string][]byte{name: data})
		if p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) == "" {
			t.Errorf("%s: %d %q", name, p.Status, p.Text(`[data-testid="alert-error"]`))
		}
	}
	if p := admin.postFiles(base, base+"/import", "file", nil); !strings.Contains(p.Text(`[data-testid="alert-error"]`), "请选择") {
		t.Errorf("no file: %q", p.Text(`[data-testid="alert-error"]`))
	}
	// A header without the columns.
	wrong := bankFile(t, nil)
	wf, _ := excelize.OpenReader(bytes.NewReader(wrong))
	_ = wf.SetCellValue(wf.GetSheetName(0), "D1", "备注")
	var wb bytes.Buffer
	_ = wf.Write(&wb)
	wf.Close()
	if p := admin.postFiles(base, base+"/import", "file", map[string][]byte{"h.xlsx": wb.Bytes()}); !strings.Contains(p.Text(`[data-testid="alert-error"]`), "缺少必填列：交易流水号") {
		t.Errorf("missing column: %q", p.Text(`[data-testid="alert-error"]`))
	}
	// The good file: both paid under one 批号.
	good := bankFile(t, [][]any{{zp.Name, zp.IDNumber, 120, "B-001", "2026-11-30"}, {lp.Name, lp.IDNumber, "120.00", "B-002", 46000}})
	p = admin.postFiles(base, base+"/import", "file", map[string][]byte{"对账.xlsx": good})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "ok=imported&n=2&no=JFQR") {
		t.Fatalf("good file: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="payment-problems"]`)+p.Text(`[data-testid="alert-error"]`))
	}
	for _, id := range []int64{zs.ID, ls.ID} {
		if r := payRegStatus(t, e, id); r.Status != models.RegPaid {
			t.Errorf("registration %d: %s", id, r.Status)
		}
	}
	list := admin.get(base + "?stage=paid")
	if n := list.Doc.Find(`[data-testid^="pay-row-"]`).Length(); n != 2 || !strings.Contains(list.Text(`[data-testid="payment-rows"]`), "银行对账") {
		t.Errorf("paid list: %d rows", n)
	}
}

func TestPaymentScopeAndFreePlans(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plan := payPlan(t, e, "缴费范围测试考试", 12000)
	other := payPlan(t, e, "缴费范围测试考试二", 12000)
	free := payPlan(t, e, "免费考试测试", 0)
	zs := payRegister(t, e, other, "zhangsan", models.RegApproved)
	payRegister(t, e, free, "lisi", models.RegApproved)
	admin := e.client().signIn("admin")
	sp := strconv.FormatInt(plan.ID, 10)
	// Another plan's registration through this plan's address: 404, unchanged.
	p := admin.submit("/admin/payments/"+sp, "/admin/payments/"+sp+"/registrations/"+strconv.FormatInt(zs.ID, 10)+"/confirm", url.Values{"confirmed": {"1"}})
	if p.Status != http.StatusNotFound || payRegStatus(t, e, zs.ID).Status != models.RegApproved {
		t.Errorf("another plan's registration: %d", p.Status)
	}
	if p := admin.submit("/admin/payments/"+sp, "/admin/payments/"+sp+"/registrations/"+strconv.FormatInt(zs.ID, 10)+"/confirm", nil); p.Status != http.StatusNotFound {
		t.Errorf("another plan's registration, unconfirmed: %d", p.Status)
	}
	for _, path := range []string{"/admin/payments/999999", "/admin/payments/abc", "/admin/payments/999999/export"} {
		if p := admin.get(path); p.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
	// A free plan has no payment step.
	fp := admin.get("/admin/payments/" + strconv.FormatInt(free.ID, 10))
	if !strings.Contains(fp.Text(`[data-testid="payment-free"]`), "免费考试，无需缴费") || fp.Doc.Find(`[data-testid="payment-notify"]`).Length() != 0 {
		t.Errorf("free plan page: %s", fp.Text("main"))
	}
	fs := strconv.FormatInt(free.ID, 10)
	if p := admin.submit("/admin/payments/"+fs, "/admin/payments/"+fs+"/notices", url.Values{"confirmed": {"1"}}); !strings.Contains(p.Text(`[data-testid="alert-error"]`), "免费考试") {
		t.Errorf("notify a free plan: %q", p.Text(`[data-testid="alert-error"]`))
	}
	if p := admin.get("/admin/payments/" + fs + "/template"); p.Status != http.StatusNotFound {
		t.Errorf("template of a free plan: %d", p.Status)
	}
	// Other roles: refused (the route table test covers every route; one here for the fragment path too).
	if p := e.client().signIn("jianshe").getHX("/admin/payments/" + sp); p.Status != http.StatusForbidden {
		t.Errorf("an enterprise: %d", p.Status)
	}
	// The htmx search answers the list only.
	if p := admin.getHX("/admin/payments/" + sp + "?stage=due"); strings.Contains(p.Body, "<html") || p.Doc.Find(`#payment-rows`).Length() != 1 {
		t.Errorf("htmx search: %s", p.Body)
	}
}

// While the plan still takes registrations, 考试报名 lists it with the applicant's stage beside it: 待缴费 with the
// amount and deadline once the 缴费通知 went out, not 审核通过.
func TestOpenPlanShowsPaymentDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plan := payPlan(t, e, "报名中缴费测试考试", 8000)
	ctx := context.Background()
	if _, err := e.db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("status = ?", models.PlanOpen).
		Set("registration_ends_at = ?", models.Now().Add(48*time.Hour)).Where("id = ?", plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	r := payRegister(t, e, plan, "zhangsan", models.RegApproved)
	zc := e.client().signIn("zhangsan")
	if got := zc.get("/registrations").Text(`[data-testid="applied"]`); got != "已报名（审核通过）" {
		t.Errorf("before the notice: %q", got)
	}
	if _, err := e.db.NewUpdate().Model((*models.Registration)(nil)).Set("payment_noticed_at = ?", models.Now()).Where("id = ?", r.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	want := "已报名（待缴费（80.00元，缴费截止 " + plan.PaymentDeadlineText() + "））"
	if got := zc.get("/registrations").Text(`[data-testid="applied"]`); got != want {
		t.Errorf("after the notice: %q, want %q", got, want)
	}
}
