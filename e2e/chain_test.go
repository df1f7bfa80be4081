package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"examcert/internal/checkinfixture"
	"examcert/internal/database"
	"examcert/models"
)

// chain is one run of the chain: the server, its tabs, and what the steps learnt.
type chain struct {
	t                          *testing.T
	srv                        *server
	m                          mode
	i                          int
	a, p, e, tr                *tab // admin, zhangsan, jianshe, peixun
	dialogs                    *regDialogLog
	planName, planID           string
	examAt                     time.Time // the plan's 考试时间 (Beijing)
	self, staff, trainee       string    // registration ids
	staffName, traineeName     string
	staffIDN, traineeIDN       string
	siteName, siteID           string
	selfNo, staffNo, traineeNo string // 准考证号
	staffTicketPath            string
	prefix                     string // YY + the plan's number in the year, from 放号
}

// TestChain is the chain of issue 11 (review to ticket to check-in), with JavaScript and without, every role
// through its own screens: the admin creates a charged plan in 考务管理 and opens it; zhangsan registers himself
// naming jianshe (待单位确认), jianshe registers a new member of staff, peixun a new trainee; jianshe confirms
// (单位确认); the admin returns zhangsan's with a reason (he resubmits, jianshe confirms again) and approves the
// rest, by row and in bulk; 缴费通知 (each applicant reads it in 消息), 确认缴费 by hand and from the bank's file;
// 考点, 科目, 考场 (today), 放号; each applicant prints its 准考证 (and cannot open another's); the admin gives kaowu
// the 考点 for today, and kaowu checks candidates in by 准考证号 and by QR token, and is refused a forged token and
// another plan's. Its outcome does not depend on the database, so it runs in the SQLite pass only.
func TestChain(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := &chain{t: t, srv: startServer(t, bin), m: m, i: i}
			c.a = newTab(t, browser, c.srv, m.js)
			if m.js {
				c.dialogs = c.a.regAcceptDialogs()
			}
			c.a.signIn(admin, demoPassword)
			c.a.assertScripting()
			c.createPlan()
			c.p, c.e, c.tr = newTab(t, browser, c.srv, m.js), newTab(t, browser, c.srv, m.js), newTab(t, browser, c.srv, m.js)
			c.p.signIn(practitioner, demoPassword)
			c.e.signIn(enterprise, demoPassword)
			c.tr.signIn(training, demoPassword)
			c.registerSelf()
			c.registerStaff()
			c.registerTrainee()
			c.unitConfirm(c.self)
			c.review()
			c.payments()
			c.arrange()
			c.tickets()
			c.checkin(newTab(t, browser, c.srv, m.js))
		})
	}
}

// chainTime is a moment as a datetime-local input holds it, in Beijing time.
func chainTime(t time.Time) string { return t.In(models.Beijing).Format("2006-01-02T15:04") }

// chainOption is the value of the option labelled label in the select sel finds.
func (b *tab) chainOption(sel, label string) string {
	b.t.Helper()
	v := ""
	var labels []string
	b.doc().Find(sel + " option").Each(func(_ int, o *goquery.Selection) {
		l := strings.TrimSpace(o.Text())
		labels = append(labels, l)
		if l == label || (v == "" && strings.Contains(l, label)) {
			v = o.AttrOr("value", "")
		}
	})
	if v == "" {
		b.t.Fatalf("%s offers no %q (at %s): %q", sel, label, b.location(), labels)
	}
	return v
}

// chainRowID is the id in the data-testid (prefix + id) of the row whose first cell is name.
func (b *tab) chainRowID(prefix, name string) string {
	b.t.Helper()
	id := ""
	b.doc().Find(`[data-testid^="` + prefix + `"]`).Each(func(_ int, tr *goquery.Selection) {
		if strings.TrimSpace(tr.Find("td").First().Text()) == name {
			id = strings.TrimPrefix(tr.AttrOr("data-testid", ""), prefix)
		}
	})
	if id == "" {
		b.t.Fatalf("no row %s… for %s at %s", prefix, name, b.location())
	}
	return id
}

// chainStatus GETs path with the tab's cookies (a plain client, no redirects followed) and returns the status code.
func (b *tab) chainStatus(path string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.srv.URL}})
	if err != nil {
		b.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	for _, ck := range res.Cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// createPlan: 考务管理 → 新建考试计划 (120 元, 缴费截止), then 开放报名.
func (c *chain) createPlan() {
	t, a := c.t, c.a
	now := time.Now()
	c.planName = "链路测试安全员考试" + c.m.name
	c.examAt = now.Add(5 * 24 * time.Hour).Truncate(time.Minute)
	if got := a.path(); got != "/admin/exams" {
		t.Fatalf("the admin landed on %s, want 考务管理", got)
	}
	a.clickAndLoad("[data-testid=plan-new]")
	a.waitVisible("[data-testid=plan-form]")
	a.fill("name", c.planName)
	a.choose("#category_id", a.chainOption("#category_id", "安全员"))
	a.choose("#registration_starts", chainTime(now.Add(-time.Hour)))
	a.choose("#registration_ends", chainTime(now.Add(2*24*time.Hour)))
	a.choose("#exam_at", chainTime(c.examAt))
	a.fill("fee", "120")
	a.choose("#payment_deadline", chainTime(now.Add(3*24*time.Hour)))
	a.screenshot("chain-plan-" + c.m.name)
	a.clickAndLoad("[data-testid=plan-save]")
	if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "考试计划已创建") {
		t.Fatalf("after 保存 the page (%s) says %q; errors %q", a.path(), got, a.doc().Find(".error").Text())
	}
	c.planID = a.chainRowID("plan-row-", c.planName)
	row := `[data-testid="plan-row-` + c.planID + `"]`
	if got := a.text(row + " [data-testid=plan-advance]"); got != "开放报名" {
		t.Fatalf("the new plan offers %q, want 开放报名", got)
	}
	a.clickAndLoad(row + " [data-testid=plan-advance]")
	if got := a.text(row + " [data-testid=plan-status]"); got != "报名中" {
		t.Fatalf("after 开放报名 the plan is %q", got)
	}
	if got := a.text(row); !strings.Contains(got, "120.00") {
		t.Errorf("the plan's row does not show the fee: %q", got)
	}
}

// openForm opens the 报名表 of the chain's plan from 考试报名.
func (c *chain) openForm(b *tab) {
	b.t.Helper()
	b.clickAndLoad(`[data-testid="menu-registration.page"]`)
	id := b.regOpenPlanID(c.planName)
	if id != c.planID {
		c.t.Fatalf("考试报名 offers the plan as %s, 考务管理 as %s", id, c.planID)
	}
	b.clickAndLoad(`[data-testid="open-plan-` + id + `"] [data-testid=register]`)
	b.waitVisible("[data-testid=reg-form]")
}

// registerSelf: zhangsan fills in his 学历 (个人信息维护), then registers himself naming jianshe by its code.
func (c *chain) registerSelf() {
	t, p := c.t, c.p
	p.open("/profile")
	p.choose("#education", "大专")
	p.retype("#phone", "13512345678")
	p.choose("#work_start_date", "2012-07-01")
	p.clickAndLoad("[data-testid=person-save]")
	if got := p.path(); got != "/profile?ok=1" {
		t.Fatalf("saving 学历: on %s (%q)", got, p.text("[data-testid=alert-error]"))
	}
	c.openForm(p)
	if c.m.js {
		p.typeAndLeave("#employer_code", jiansheCreditCode)
		p.eventually("单位名称 filled from the code", func() bool { return p.prop("#employer_name") == jiansheName })
	} else {
		p.retype("#employer_code", jiansheCreditCode)
		p.retype("#employer_name", jiansheName)
	}
	p.choose("#work_start_date", "2012-07-01")
	p.retype("input[name=resume_period]", "2012.07-2018.06")
	p.retype("input[name=resume_employer]", jiansheName)
	p.retype("input[name=resume_post]", "安全员")
	p.retype("#employer_opinion", "同意报名")
	p.choosePhoto(regPhotoFile(t, t.TempDir(), "zhangsan.jpg", c.i))
	p.clickAndLoad("[data-testid=reg-save]")
	c.self = p.regExpectSaved("待单位确认")
}

// registerNew fills the 报名表 of an organization for a person new to the system and saves it.
func (c *chain) registerNew(b *tab, n int, name, education, employer string) (id, idn string) {
	c.t.Helper()
	c.openForm(b)
	idn = regIDNumber(n)
	b.regLookupID(idn, "男", regBirth(n).Format("2006-01-02"))
	b.retype("#name", name)
	b.choose("#education", education)
	b.retype("#phone", "1380000"+strconv.Itoa(1000+n))
	if employer != "" {
		b.retype("#employer_name", employer)
	}
	b.choose("#work_start_date", "2015-03-01")
	b.choosePhoto(regPhotoFile(c.t, c.t.TempDir(), "photo.jpg", n))
	b.clickAndLoad("[data-testid=reg-save]")
	return b.regExpectSaved("待审核"), idn
}

func (c *chain) registerStaff() {
	c.staffName = "赵建国"
	c.staff, c.staffIDN = c.registerNew(c.e, 300+c.i, c.staffName, "本科", "")
	if got := c.e.regDetail("单位名称"); got != jiansheName {
		c.t.Errorf("the staff registration names %q, want %s", got, jiansheName)
	}
}

func (c *chain) registerTrainee() {
	c.traineeName = "钱学森"
	c.trainee, c.traineeIDN = c.registerNew(c.tr, 350+c.i, c.traineeName, "大专", "北京某装饰工程有限公司")
}

// unitConfirm: jianshe confirms registration id on 单位确认.
func (c *chain) unitConfirm(id string) {
	t, e := c.t, c.e
	e.clickAndLoad(`[data-testid="menu-unit_confirm.page"]`)
	row := `[data-testid="review-row-` + id + `"]`
	e.waitVisible(row)
	e.htmxReady(row + ` [data-testid="review-confirm"]`)
	e.submit(row + ` [data-testid="review-confirm"]`)
	if c.m.js {
		e.eventually("the row says 待审核", func() bool { return strings.HasPrefix(e.reviewRowStatus(id), "待审核") })
	} else if got := e.text("[data-testid=alert-ok]"); !strings.Contains(got, "单位确认成功，共1条，批号为DWQR") {
		t.Errorf("after 单位确认: %q", got)
	}
}

// review: 退回修改 zhangsan's (he resubmits), 通过 the staff's by its row, the rest with 选择全部 and 批量通过.
func (c *chain) review() {
	t, a := c.t, c.a
	a.clickAndLoad(`[data-testid="menu-review.plans"]`)
	a.clickAndLoad(`[data-testid="review-plan-` + c.planID + `"] [data-testid="review-plan-open"]`)
	a.waitVisible("[data-testid=review-queue]")
	queue := a.path()
	if n := a.doc().Find(`[data-testid^="review-row-"]`).Length(); n != 3 {
		t.Fatalf("the queue lists %d registrations, want 3", n)
	}
	if c.m.js {
		a.setMarker()
	}
	// 退回修改 zhangsan's.
	self := `[data-testid="review-row-` + c.self + `"]`
	picker := "[data-testid=review-return-form]"
	if c.m.js {
		a.click(self + ` [data-testid="review-return"]`)
		a.waitVisible(self + ` [data-testid="review-reason-picker"]`)
		picker = self
	} else {
		a.clickAndLoad(self + ` [data-testid="review-return"]`)
		a.waitVisible(picker)
	}
	a.htmxReady(`[data-testid="review-return-submit"]`)
	a.click(picker + ` input[value="照片不符合要求"]`)
	a.fill("note-"+c.self, "请使用白底照片")
	a.submit(`[data-testid="review-return-submit"]`)
	if c.m.js {
		a.eventually("the row says 退回修改", func() bool { return strings.HasPrefix(a.reviewRowStatus(c.self), "退回修改") })
	} else if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "退回修改成功") {
		t.Fatalf("after 退回修改: %q (%s)", got, a.text("[data-testid=alert-error]"))
	}
	// 通过 the staff's by its row.
	staff := `[data-testid="review-row-` + c.staff + `"]`
	a.htmxReady(staff + ` [data-testid="review-approve"]`)
	a.submit(staff + ` [data-testid="review-approve"]`)
	if c.m.js {
		a.eventually("the row says 审核通过", func() bool { return strings.HasPrefix(a.reviewRowStatus(c.staff), "审核通过") })
		if !a.hasMarker() {
			t.Error("the row actions reloaded the page; with JavaScript they should swap the row in place")
		}
	} else if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "审核通过成功，共1条") {
		t.Errorf("after 通过: %q", got)
	}
	a.screenshot("chain-review-" + c.m.name)

	// zhangsan reads the reason, corrects and resubmits.
	p := c.p
	p.open("/messages")
	if got := p.text("[data-testid=messages-panel]"); !strings.Contains(got, "照片不符合要求") {
		t.Errorf("消息 does not carry the reason: %q", got)
	}
	p.open("/registrations/" + c.self)
	if got := p.text("[data-testid=reg-reason]"); !strings.Contains(got, "照片不符合要求；请使用白底照片") {
		t.Errorf("the applicant's page gives the reason as %q", got)
	}
	p.clickAndLoad("[data-testid=reg-resubmit]")
	p.waitVisible("[data-testid=reg-form]")
	if got := p.text("[data-testid=reg-return-reason]"); !strings.Contains(got, "照片不符合要求") {
		t.Errorf("the 报名表 does not say why: %q", got)
	}
	p.choose("#work_start_date", "2012-07-01")
	p.choosePhoto(regPhotoFile(t, t.TempDir(), "white.jpg", 40+c.i))
	p.clickAndLoad("[data-testid=reg-save]")
	// It names jianshe again, so jianshe confirms it again.
	if got := p.text("[data-testid=reg-status]"); got != "待单位确认" {
		t.Fatalf("after resubmission: %q (%s %s)", got, p.text("[data-testid=alert-error]"), p.doc().Find(".error").Text())
	}
	c.unitConfirm(c.self)

	// The rest: 选择全部符合条件的, 批量通过.
	a.open(queue)
	if n := a.doc().Find(`[data-testid^="review-row-"]`).Length(); n != 2 {
		t.Fatalf("the queue lists %d registrations after the resubmission, want 2 (zhangsan's and peixun's)", n)
	}
	a.click("[data-testid=review-select-all]")
	if c.m.js {
		a.setMarker()
	}
	a.htmxReady(`[data-testid="bulk-approve"]`)
	a.submit(`[data-testid="bulk-approve"]`)
	a.eventually("the bulk banner", func() bool { return strings.Contains(a.text("[data-testid=alert-ok]"), "审核通过成功，共2条") })
	if !strings.Contains(a.text("[data-testid=alert-ok]"), "批号为BMSH") {
		t.Errorf("bulk banner without its 批号: %q", a.text("[data-testid=alert-ok]"))
	}
	if c.m.js && !a.hasMarker() {
		t.Error("批量通过 reloaded the page; with JavaScript the queue should swap in place")
	}
	if n := a.doc().Find(`[data-testid^="review-row-"]`).Length(); n != 0 {
		t.Errorf("%d rows left 待审核", n)
	}
}

// payments: 缴费通知 (read in 消息 by each applicant), zhangsan confirmed by hand, the two others from the bank's file.
func (c *chain) payments() {
	t, a := c.t, c.a
	a.clickAndLoad(`[data-testid="menu-admin.payments"]`)
	a.clickAndLoad(`[data-testid="payment-plan-` + c.planID + `"] [data-testid=payment-plan-open]`)
	if got := a.text("[data-testid=payment-count-notify]"); !strings.Contains(got, "待通知：3") {
		t.Fatalf("counts: %q", got)
	}
	if c.m.js {
		a.htmxReady("[data-testid=payment-notify]")
		a.click("[data-testid=payment-notify]")
	} else {
		a.clickAndLoad("[data-testid=payment-notify]")
		a.clickAndLoad("[data-testid=confirm-yes]")
	}
	a.eventually("the notices sent", func() bool {
		return strings.Contains(a.text("[data-testid=alert-ok]"), "已向3名考生发送缴费通知")
	})
	for _, b := range []*tab{c.p, c.e, c.tr} {
		b.open("/messages")
		b.waitVisible("[data-testid=messages-panel]")
		if got := b.text("[data-testid=messages-panel]"); !strings.Contains(got, "缴费通知："+c.planName) || !strings.Contains(got, "120.00") {
			t.Errorf("消息 (%s) lacks the 缴费通知: %q", b.location(), got)
		}
	}
	row := `[data-testid="pay-row-` + c.self + `"]`
	if c.m.js {
		a.htmxReady(row + " [data-testid=pay-confirm]")
		a.click(row + " [data-testid=pay-confirm]")
		a.eventually("the row says 已缴费", func() bool { return a.text(row+" [data-testid=pay-stage]") == "已缴费" })
	} else {
		a.clickAndLoad(row + " [data-testid=pay-confirm]")
		a.clickAndLoad("[data-testid=confirm-yes]")
		if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "已确认缴费，批号为JFQR") {
			t.Fatalf("after 确认缴费: %q", got)
		}
	}
	a.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{payBankFile(t, t.TempDir(), [][]any{
		{c.staffName, c.staffIDN, "120.00", "CHAIN-" + c.m.name + "-1", time.Now().Format("2006-01-02")},
		{c.traineeName, c.traineeIDN, "120.00", "CHAIN-" + c.m.name + "-2", time.Now().Format("2006-01-02")},
	})}))
	a.clickAndLoad("[data-testid=payment-import-submit]")
	if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "导入成功，已确认2人缴费") {
		t.Fatalf("after the import: %q %q", got, a.text("[data-testid=payment-problems]")+a.text("[data-testid=alert-error]"))
	}
	if got := a.text("[data-testid=payment-count-paid]"); !strings.Contains(got, "已缴费：3") {
		t.Errorf("counts after the import: %q", got)
	}
	a.screenshot("chain-payment-" + c.m.name)
}

// arrange: a 考点, a 科目, a 考场 today, 放号; the numbers are YY + the plan's number in the year + a sequence.
func (c *chain) arrange() {
	t, a := c.t, c.a
	c.siteName = "链路考点" + c.m.name
	a.open("/admin/exam-sites/new")
	a.fill("name", c.siteName)
	a.fill("address", "北京市西城区链路路1号")
	a.fill("contact_name", "赵老师")
	a.fill("contact_phone", "010-63456789")
	a.fill("room_count", "2")
	a.fill("capacity", "60")
	a.clickAndLoad("[data-testid=site-save]")
	if !strings.Contains(a.text("[data-testid=site-table]"), c.siteName) {
		t.Fatalf("the new 考点 is not listed at %s", a.path())
	}
	a.clickAndLoad(`[data-testid="menu-admin.arrange"]`)
	a.clickAndLoad("[data-testid=arrange-plan-row-" + c.planID + "] [data-testid=arrange-plan-open]")
	// The exam is today, from now (to the minute) for two hours: 签到 is for today's exams.
	start := time.Now().In(models.Beijing).Truncate(time.Minute)
	a.htmxReady("[data-testid=subject-add]")
	a.fill("subject_name", "安全生产知识考核")
	a.choose("#subject_starts", chainTime(start))
	a.choose("#subject_ends", chainTime(start.Add(2*time.Hour)))
	a.submit("[data-testid=subject-add]")
	a.eventually("the 科目 listed", func() bool {
		return strings.Contains(a.text("[data-testid=arrange-subjects]"), "安全生产知识考核")
	})
	a.htmxReady("[data-testid=room-add]")
	c.siteID = a.chainOption("#site_id", c.siteName)
	a.choose("#site_id", c.siteID)
	a.fill("room_no", "01")
	a.fill("capacity", "10")
	a.choose("#starts_at", chainTime(start))
	a.choose("#ends_at", chainTime(start.Add(2*time.Hour)))
	a.submit("[data-testid=room-add]")
	a.waitVisible("[data-testid=room-row-01]")
	if c.m.js {
		a.htmxReady("[data-testid=release-submit]")
		a.click("[data-testid=release-submit]")
	} else {
		a.clickAndLoad("[data-testid=release-submit]")
		a.clickAndLoad("[data-testid=confirm-yes]")
	}
	a.eventually("放号 done or refused", func() bool {
		return a.doc().Find("[data-testid=arrange-released]").Length() == 1 || a.text("[data-testid=alert-error]") != ""
	})
	if a.doc().Find("[data-testid=arrange-released]").Length() == 0 {
		t.Fatalf("放号 refused: %q %q", a.text("[data-testid=alert-error]"), a.doc().Find(".error").Text())
	}
	if c.m.js && !strings.Contains(strings.Join(c.dialogs.messages(), "|"), "确定放号") {
		t.Errorf("放号 did not ask first; dialogs: %q", c.dialogs.messages())
	}
	yy := strconv.Itoa(c.examAt.In(models.Beijing).Year() % 100)
	rng := a.text("[data-testid=arrange-range]")
	m := regexp.MustCompile(`^` + yy + `(\d{3})0001～` + yy + `(\d{3})0003$`).FindStringSubmatch(rng)
	if m == nil || m[1] != m[2] || m[1] == "000" {
		t.Fatalf("the plan's range reads %q, want %s<plan number>0001～…0003", rng, yy)
	}
	c.prefix = yy + m[1]
	a.screenshot("chain-arrange-" + c.m.name)
}

// ticketsOf walks 打印准考证 → the plan → 【查询】 and returns the listed 准考证号.
func (c *chain) ticketsOf(b *tab) []string {
	b.t.Helper()
	b.clickAndLoad(`[data-testid="menu-ticket.page"]`)
	b.waitVisible(`[data-testid="tickets-panel"]`)
	if b.js {
		b.click(`[data-testid="plan-pick"]`)
		b.waitVisible(`[data-testid="plan-picker-panel"] [data-testid="plan-picker"]`)
	} else {
		b.clickAndLoad(`[data-testid="plan-pick"]`)
		b.waitVisible(`[data-testid="plan-picker"]`)
	}
	if got := b.text(`[data-testid="picker-choose"]`); got != c.planName {
		c.t.Fatalf("the picker offers %q, want %s", got, c.planName)
	}
	b.clickAndLoad(`[data-testid="picker-choose"]`)
	b.clickAndLoad(`[data-testid="tickets-query"]`)
	b.waitVisible(`[data-testid="tickets-list"]`)
	var nos []string
	b.doc().Find(`[data-testid="ticket-no"]`).Each(func(_ int, s *goquery.Selection) { nos = append(nos, strings.TrimSpace(s.Text())) })
	return nos
}

var chainTicketNo = regexp.MustCompile(`^\d{2}\d{3}\d{4}$`)

// tickets: each applicant finds its one ticket, opens 【详细】 and downloads the PDF; peixun cannot open jianshe's.
func (c *chain) tickets() {
	t := c.t
	for _, who := range []struct {
		b    *tab
		name string
		no   *string
	}{{c.p, "张三", &c.selfNo}, {c.e, c.staffName, &c.staffNo}, {c.tr, c.traineeName, &c.traineeNo}} {
		b := who.b
		nos := c.ticketsOf(b)
		want := 1
		if who.b == c.e {
			want = 2 // its staff member's, and zhangsan's, who named it as employer
		}
		if len(nos) != want {
			t.Fatalf("%s: 查询 lists %q, want %d 准考证号", b.location(), nos, want)
		}
		k := -1
		b.doc().Find(`[data-testid="ticket-row"]`).Each(func(i int, tr *goquery.Selection) {
			if strings.TrimSpace(tr.Find(`[data-testid="ticket-name"]`).Text()) == who.name {
				k = i
			}
		})
		if k < 0 || !chainTicketNo.MatchString(nos[k]) {
			t.Fatalf("%s: no 准考证号 for %s in %q", b.location(), who.name, nos)
		}
		*who.no = nos[k]
		row := `[data-testid="ticket-row"]:nth-child(` + strconv.Itoa(k+1) + `) [data-testid="ticket-detail"]`
		if who.b == c.e {
			c.staffTicketPath = b.doc().Find(row).AttrOr("href", "")
		}
		b.clickAndLoad(row)
		b.waitVisible(`[data-testid="ticket-sheet"]`)
		if got := b.text(`[data-testid="ticket-准考证号"]`); got != *who.no {
			t.Errorf("the ticket page shows 准考证号 %q, want %s", got, *who.no)
		}
		if b.doc().Find(`[data-testid="ticket-qr"] svg`).Length() != 1 {
			t.Error("no QR code on the ticket page")
		}
		if who.b == c.p {
			b.screenshot("chain-ticket-" + c.m.name)
		}
		pdf := b.clickForDownload(`[data-testid="ticket-print"]`, b.allowDownloads())
		if !bytes.HasPrefix(pdf.Data, []byte("%PDF-")) || pdf.Name != "准考证-"+*who.no+".pdf" {
			t.Errorf("打印: %q, %d bytes", pdf.Name, len(pdf.Data))
		}
		if text, ok := chainPDFText(t, pdf.Data); ok && !strings.Contains(text, *who.no) {
			t.Errorf("the PDF of %s does not contain its 准考证号: %q", *who.no, text)
		}
	}
	for _, no := range []string{c.selfNo, c.staffNo, c.traineeNo} {
		if !strings.HasPrefix(no, c.prefix) {
			t.Errorf("准考证号 %s does not begin with the plan's %s (YY + plan number)", no, c.prefix)
		}
	}
	if c.staffTicketPath == "" {
		t.Fatal("jianshe's 【详细】 has no link")
	}
	if got := c.tr.chainStatus(c.staffTicketPath); got != http.StatusNotFound {
		t.Errorf("peixun opening jianshe's ticket %s: %d, want 404", c.staffTicketPath, got)
	}
	if got := c.tr.chainStatus(c.staffTicketPath + "/pdf"); got != http.StatusNotFound {
		t.Errorf("peixun downloading jianshe's ticket: %d, want 404", got)
	}
}

// chainPDFText is the text pdftotext reads from a PDF (ok false when pdftotext is not installed).
func chainPDFText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", false
	}
	in := filepath.Join(t.TempDir(), "ticket.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-q", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out), true
}

// chainTokens is the server's signer of the QR tokens, read from its database as e2e/checkin_test.go does, and the
// 准考证号 of a candidate of another plan with a room at the 考点 siteName today (written behind the server's back with
// internal/checkinfixture, as e2e/checkin_test.go does): a ticket the 考务人员 may see but not check in here.
func chainTokens(t *testing.T, srv *server, siteName string, nos ...string) (sign func(ticketNo string) string, otherPlanNo string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, srv.DatabaseURL, srv.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tokens, err := models.NewTicketTokens(ctx, db)
	must(err)
	site := new(models.ExamSite)
	must(db.NewSelect().Model(site).Where("name = ?", siteName).Scan(ctx))
	plan, err := checkinfixture.Plan(ctx, db, "链路测试另一场考试")
	must(err)
	draw, err := checkinfixture.Draw(ctx, db, plan)
	must(err)
	now := models.Now()
	room, err := checkinfixture.Room(ctx, db, plan, site, "09", now, now.Add(2*time.Hour))
	must(err)
	cs, err := checkinfixture.Candidates(ctx, db, room, draw, 1, 9001, "")
	must(err)
	draws := map[string]int64{cs[0].Ticket.TicketNo: draw.ID} // 准考证号 → its draw, signed into the token
	for _, no := range nos {
		var id int64
		must(db.NewSelect().Model((*models.Ticket)(nil)).Column("draw_id").
			Where("ticket_no = ? AND draw_id IN (SELECT id FROM draws WHERE cancelled_at IS NULL)", no).Scan(ctx, &id))
		draws[no] = id
	}
	return func(no string) string { return tokens.Sign(no, draws[no]) }, cs[0].Ticket.TicketNo
}

// checkin: the admin gives kaowu the 考点 for today (签到范围); kaowu checks zhangsan in by 准考证号, the staff
// member by QR token, is refused a forged token and the token of another plan's candidate, and the room list says
// 已签到 2, 未签到 1.
func (c *chain) checkin(k *tab) {
	t, a := c.t, c.a
	a.open("/admin/accounts?q=" + proctor.user)
	a.clickAndLoad(`[data-testid="account-row-` + proctor.user + `"] [data-testid=account-scopes]`)
	a.waitVisible("[data-testid=scope-form]")
	today := time.Now().In(models.Beijing).Format("2006-01-02")
	a.choose("#site_id", a.chainOption("#site_id", c.siteName))
	a.choose("#day", today)
	a.htmxReady("[data-testid=scope-add]")
	a.submit("[data-testid=scope-add]")
	a.eventually("the 签到范围 listed", func() bool {
		return strings.Contains(a.text("[data-testid=scope-row]"), c.siteName) && strings.Contains(a.text("[data-testid=scope-row]"), today)
	})

	k.signIn(proctor, demoPassword)
	k.assertScripting()
	if got := k.prop("#plan_id"); got != c.planID {
		t.Fatalf("考生签到 chose plan %q, want %s", got, c.planID)
	}
	k.choose("#room_id", k.chainOption("#room_id", "01"))
	k.clickAndLoad("[data-testid=checkin-pick-submit]")

	k.htmxReady("[data-testid=checkin-code]")
	k.checkinScan(c.selfNo)
	k.eventually("zhangsan's card", func() bool { return k.text("[data-testid=card-name]") == "张三" })
	if got := k.text("[data-testid=card-status]"); !strings.HasPrefix(got, "签到成功") {
		t.Errorf("typed 准考证号: %q", got)
	}
	sign, otherPlan := chainTokens(t, c.srv, c.siteName, c.staffNo, c.traineeNo)
	k.eventually("the field ready", k.checkinReady)
	k.htmxReady("[data-testid=checkin-code]")
	k.checkinScan(sign(c.staffNo))
	k.eventually("the staff member's card", func() bool { return k.text("[data-testid=card-name]") == c.staffName })
	if got := k.text("[data-testid=card-status]"); !strings.HasPrefix(got, "签到成功") {
		t.Errorf("QR token: %q", got)
	}
	k.screenshot("chain-checkin-" + c.m.name)
	k.eventually("the field ready", k.checkinReady)
	token := sign(c.traineeNo)
	forged := token[:len(token)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(token, "A")]
	k.htmxReady("[data-testid=checkin-code]")
	k.checkinScan(forged)
	k.eventually("the red refusal", func() bool { return k.text("[data-testid=checkin-refusal] strong") == "无效的准考证" })
	size := run(k, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".checkin-refusal")).fontSize`))
	if px, _ := strconv.ParseFloat(strings.TrimSuffix(size, "px"), 64); px < 32 {
		t.Errorf("the refusal is %s, want a large font", size)
	}
	k.screenshot("chain-refusal-" + c.m.name)
	k.htmxReady("[data-testid=checkin-code]")
	k.checkinScan(sign(otherPlan))
	k.eventually("the red refusal", func() bool { return k.text("[data-testid=checkin-refusal] strong") == "不是本场考试的考生" })

	k.clickAndLoad("[data-testid=checkin-summary-01] [data-testid=checkin-room-link]")
	if k.text("[data-testid=room-in]") != "2" || k.text("[data-testid=room-out]") != "1" {
		t.Errorf("room list: 已签到 %q 未签到 %q", k.text("[data-testid=room-in]"), k.text("[data-testid=room-out]"))
	}
	in, out := 0, 0
	k.doc().Find(`[data-testid^="seat-"] [data-testid=seat-status]`).Each(func(_ int, s *goquery.Selection) {
		switch st := strings.TrimSpace(s.Text()); {
		case strings.HasPrefix(st, "已签到"):
			in++
		case st == "未签到":
			out++
		}
	})
	if in != 2 || out != 1 {
		t.Errorf("seats: %d 已签到, %d 未签到; want 2 and 1", in, out)
	}
}
