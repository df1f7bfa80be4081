package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/models"
)

// reviewSeed stores registrations of plan for n of the organization's people (by username), in status, filed by
// that organization's account; unit names the enterprise that must confirm (nil: none).
func reviewSeed(t testing.TB, e *env, planID int64, filer string, n int, status models.RegStatus, unit *int64) []int64 {
	t.Helper()
	ctx := context.Background()
	acct := e.account(filer)
	var pids []int64
	q := e.db.NewSelect().Model((*models.Person)(nil)).Column("id").OrderExpr("id").Limit(int64(n)).
		Where("id NOT IN (SELECT person_id FROM registrations WHERE plan_id = ?)", planID)
	if acct.OrganizationID != nil {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("organization_id = ?", *acct.OrganizationID).
				WhereOr("id IN (SELECT person_id FROM training_people WHERE organization_id = ?)", *acct.OrganizationID)
		})
	} else {
		q = q.Where("id = ?", *acct.PersonID)
	}
	if err := q.Scan(ctx, &pids); err != nil || len(pids) < n {
		t.Fatalf("people of %s: %d, %v", filer, len(pids), err)
	}
	channel := models.ChannelSelf
	if acct.Role == models.RoleEnterprise {
		channel = models.ChannelEnterprise
	} else if acct.Role == models.RoleTraining {
		channel = models.ChannelTraining
	}
	now := models.Now()
	ws := time.Date(2010, 7, 1, 0, 0, 0, 0, time.UTC)
	var ids []int64
	for _, pid := range pids {
		r := &models.Registration{PlanID: planID, PersonID: pid, Channel: channel, OrganizationID: acct.OrganizationID, AccountID: &acct.ID,
			EmployerName: "北京城建示范工程有限公司", WorkStartDate: &ws, YearsOfWork: 10, Resume: "[]", Status: status, UnitOrgID: unit,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func regStatus(t testing.TB, e *env, id int64) (models.RegStatus, string) {
	t.Helper()
	r := new(models.Registration)
	if err := e.db.NewSelect().Model(r).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.Status, r.RejectReason
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func varies(p *page) bool {
	return strings.Contains(strings.Join(p.Header.Values("Vary"), ","), "HX-Request")
}

// reviewRowDoc reads a row fragment as a browser swapping it into its table does (a <tr> alone is dropped by the parser).
func reviewRowDoc(t testing.TB, p *page) *page {
	t.Helper()
	doc, err := goqueryDoc("<table><tbody>" + p.Body + "</tbody></table>")
	if err != nil {
		t.Fatal(err)
	}
	q := *p
	q.Doc = doc
	return &q
}

// Without JavaScript: the queue with its counts and filter, 通过 by a row's button (303 back keeping the filter),
// 退回修改 through the page that asks for the reason (refused without one), and bulk 通过 of all matching.
func TestReviewQueueWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "审核测试考试", nil)
	ids := reviewSeed(t, e, planID, "jianshe", 3, models.RegUnitConfirmed, nil)
	admin := e.client().signIn("admin")
	queue := "/admin/exams/" + itoa64(planID) + "/review"
	p := admin.get(queue)
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid^="review-row-"]`).Length() != 3 || !strings.Contains(p.Text(`[data-testid="review-tab-unit_confirmed"]`), "（3）") {
		t.Fatalf("queue: %d, %d rows, tab %q", p.Status, p.Doc.Find(`[data-testid^="review-row-"]`).Length(), p.Text(`[data-testid="review-tab-unit_confirmed"]`))
	}
	if p.Doc.Find(`html`).Length() == 0 || !varies(p) {
		t.Error("not a full page with Vary: HX-Request")
	}
	// The 考务管理 list and 报名审核 link here.
	if href, _ := admin.get("/admin/exams").Doc.Find(`[data-testid="plan-review"]`).First().Attr("href"); !strings.HasPrefix(href, "/admin/exams/") {
		t.Errorf("考务管理's 审核 link: %q", href)
	}
	if href, _ := admin.get("/admin/review").Doc.Find(`[data-testid="review-plan-` + itoa64(planID) + `"] [data-testid="review-plan-open"]`).Attr("href"); href != queue {
		t.Errorf("报名审核's link: %q", href)
	}
	// Filter by name: one row.
	var name string
	_ = e.db.NewSelect().Table("persons").Column("name").Where("id = (SELECT person_id FROM registrations WHERE id = ?)", ids[0]).Scan(context.Background(), &name)
	if n := admin.get(queue + "?q=" + url.QueryEscape(name)).Doc.Find(`[data-testid^="review-row-"]`).Length(); n != 1 {
		t.Errorf("filtered by %s: %d rows", name, n)
	}
	// 通过 of one row: back to the queue with its filter.
	p = admin.submit(queue, queue, url.Values{"one": {"approve:" + itoa64(ids[0])}, "status": {"unit_confirmed"}, "page": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "status=unit_confirmed") || !strings.Contains(p.Location(), "ok=approve") {
		t.Fatalf("approve: %d %q", p.Status, p.Location())
	}
	if msg := admin.get(p.Location()).Text(`[data-testid="alert-ok"]`); !strings.Contains(msg, "审核通过成功，共1条，批号为BMSH") {
		t.Errorf("banner %q", msg)
	}
	if s, _ := regStatus(t, e, ids[0]); s != models.RegApproved {
		t.Errorf("status %s", s)
	}
	// 退回修改: the page asks for the reason; without one it asks again.
	ret := admin.get(queue + "/" + itoa64(ids[1]) + "/return?status=unit_confirmed")
	if ret.Status != http.StatusOK || ret.Doc.Find(`[data-testid="review-return-form"]`).Length() != 1 || ret.Doc.Find(`[data-testid="reason-option"]`).Length() != len(models.ReturnReasons) {
		t.Fatalf("reason page: %d", ret.Status)
	}
	p = admin.submit(queue+"/"+itoa64(ids[1])+"/return", queue, url.Values{"one": {"return:" + itoa64(ids[1])}})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="alert-error"]`), "退回原因") {
		t.Errorf("without a reason: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	p = admin.submit(queue+"/"+itoa64(ids[1])+"/return", queue, url.Values{"one": {"return:" + itoa64(ids[1])},
		"reason_" + itoa64(ids[1]): {"照片不符合要求"}, "note_" + itoa64(ids[1]): {"背景不是白色"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("return: %d", p.Status)
	}
	if s, reason := regStatus(t, e, ids[1]); s != models.RegReturned || reason != "照片不符合要求；背景不是白色" {
		t.Errorf("returned: %s %q", s, reason)
	}
	// Bulk: 选择全部符合条件的 N 条 (the one left).
	p = admin.submit(queue, queue, url.Values{"action": {"approve"}, "all": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "n=1") {
		t.Fatalf("bulk all: %d %q", p.Status, p.Location())
	}
	if s, _ := regStatus(t, e, ids[2]); s != models.RegApproved {
		t.Errorf("bulk: %s", s)
	}
	// Nothing chosen: said, nothing done.
	if p := admin.submit(queue, queue, url.Values{"action": {"approve"}}); p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="alert-error"]`), "请先选择") {
		t.Errorf("nothing chosen: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
}

// With htmx: a row's action answers with the row alone (its new status, the message, focus), the reason picker
// opens inline, a bulk action answers with the queue; all with Vary: HX-Request.
func TestReviewQueueWithHTMX(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "审核测试考试", url.Values{"acceptance_step": {"1"}})
	ids := reviewSeed(t, e, planID, "jianshe", 3, models.RegUnitConfirmed, nil)
	admin := e.client().signIn("admin")
	queue := "/admin/exams/" + itoa64(planID) + "/review"
	form := url.Values{"_csrf": {admin.csrf()}, "one": {"accept:" + itoa64(ids[0])}}
	admin.get(queue)
	form.Set("_csrf", admin.csrf())
	p := reviewRowDoc(t, admin.do(http.MethodPost, queue, form, true, nil))
	row := p.Doc.Find(`#rv-` + itoa64(ids[0]))
	if p.Status != http.StatusOK || p.Doc.Find(`nav, h1`).Length() != 0 || row.Length() != 1 || !varies(p) {
		t.Fatalf("row fragment: %d %q", p.Status, p.Body)
	}
	if st := strings.TrimSpace(row.Find(`[data-testid="review-status"]`).Text()); st != "已受理" || row.Find(`[data-testid="review-message"][autofocus]`).Length() != 1 {
		t.Errorf("row after 受理: %q, %q", st, row.Find(`[data-testid="review-message"]`).Text())
	}
	if row.Find(`[data-testid="review-approve"]`).Length() != 1 {
		t.Error("an accepted row offers no 通过")
	}
	// The reason picker, inline.
	pick := reviewRowDoc(t, admin.getHX(queue+"/"+itoa64(ids[1])+"/return"))
	if pick.Doc.Find(`#rv-`+itoa64(ids[1])+` [data-testid="review-reason-picker"] input[autofocus]`).Length() != 1 || pick.Doc.Find(`h1`).Length() != 0 {
		t.Errorf("inline picker: %q", pick.Body)
	}
	form = url.Values{"_csrf": {admin.csrf()}, "one": {"return:" + itoa64(ids[1])}, "reason_" + itoa64(ids[1]): {"其他"}}
	p = reviewRowDoc(t, admin.do(http.MethodPost, queue, form, true, nil))
	if !strings.Contains(p.Text(`[data-testid="review-error"]`), "其他") || p.Doc.Find(`[data-testid="review-reason-picker"]`).Length() != 1 {
		t.Errorf("其他 without words: %q", p.Body)
	}
	form.Set("note_"+itoa64(ids[1]), "材料模糊")
	p = reviewRowDoc(t, admin.do(http.MethodPost, queue, form, true, nil))
	if st := p.Text(`[data-testid="review-status"] [data-testid="review-reason"]`); st != "退回原因：材料模糊" {
		t.Errorf("returned row: %q", st)
	}
	// Bulk 受理 of the one left, then 通过 of both accepted: the queue comes back.
	form = url.Values{"_csrf": {admin.csrf()}, "action": {"accept"}, "ids": {itoa64(ids[2])}}
	p = admin.do(http.MethodPost, queue, form, true, nil)
	if p.Doc.Find(`#review-queue`).Length() != 1 || !strings.Contains(p.Text(`[data-testid="alert-ok"]`), "受理成功，共1条") {
		t.Errorf("bulk fragment: %q", p.Text(`[data-testid="alert-ok"]`))
	}
	form = url.Values{"_csrf": {admin.csrf()}, "action": {"approve"}, "ids": {itoa64(ids[0]), itoa64(ids[1]), itoa64(ids[2])}, "status": {"accepted"}}
	p = admin.do(http.MethodPost, queue, form, true, nil)
	if !strings.Contains(p.Text(`[data-testid="alert-ok"]`), "审核通过成功，共2条") || !strings.Contains(p.Text(`[data-testid="alert-ok"]`), "另有1条") {
		t.Errorf("bulk approve: %q", p.Text(`[data-testid="alert-ok"]`))
	}
	// The applicant (the enterprise that filed it) hears of both decisions.
	n, _ := e.db.NewSelect().Table("messages").Where("account_id = ?", e.account("jianshe").ID).Count(context.Background())
	if n != 2 {
		t.Errorf("%d messages to the filer, want 2 (退回修改, 审核通过)", n)
	}
}

// 单位确认: the enterprise named sees and confirms a registration a training institution filed; another enterprise
// gets 404 through every path; the registry's queue is not the enterprise's.
func TestUnitConfirmScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "单位确认测试考试", nil)
	unit := e.account("jianshe").OrganizationID
	ids := reviewSeed(t, e, planID, "peixun", 2, models.RegSubmitted, unit)
	other := e.client().signIn("jianshe2")
	for _, p := range []*page{
		other.get("/unit-confirm/" + itoa64(ids[0]) + "/return"),
		other.submit("/unit-confirm", "/unit-confirm", url.Values{"one": {"confirm:" + itoa64(ids[0])}}),
		other.submit("/unit-confirm", "/unit-confirm", url.Values{"action": {"confirm"}, "ids": {itoa64(ids[0])}}),
		other.get("/registrations/" + itoa64(ids[0])),
	} {
		if p.Status != http.StatusNotFound {
			t.Errorf("another enterprise: %d", p.Status)
		}
	}
	if n := other.get("/unit-confirm").Doc.Find(`[data-testid^="review-row-"]`).Length(); n != 0 {
		t.Errorf("another enterprise's queue lists %d", n)
	}
	if s, _ := regStatus(t, e, ids[0]); s != models.RegSubmitted {
		t.Fatalf("after another's attempts: %s", s)
	}
	ent := e.client().signIn("jianshe")
	q := ent.get("/unit-confirm")
	if q.Doc.Find(`[data-testid^="review-row-"]`).Length() != 2 || q.Doc.Find(`[data-testid="menu-unit_confirm.page"]`).Length() != 1 {
		t.Fatalf("unit queue: %d rows", q.Doc.Find(`[data-testid^="review-row-"]`).Length())
	}
	if p := ent.submit("/unit-confirm", "/unit-confirm", url.Values{"one": {"approve:" + itoa64(ids[0])}}); p.Status != http.StatusBadRequest {
		t.Errorf("an enterprise's 通过: %d", p.Status)
	}
	p := ent.submit("/unit-confirm", "/unit-confirm", url.Values{"action": {"confirm"}, "ids": {itoa64(ids[0])}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "batch=DWQR") {
		t.Fatalf("confirm: %d %q", p.Status, p.Location())
	}
	if s, _ := regStatus(t, e, ids[0]); s != models.RegUnitConfirmed {
		t.Errorf("confirmed: %s", s)
	}
	// The enterprise sees what it vouches for.
	if p := ent.get("/registrations/" + itoa64(ids[1])); p.Status != http.StatusOK {
		t.Errorf("the enterprise named cannot see the registration: %d", p.Status)
	}
	// An admin's queue of another plan does not reach this registration.
	other2 := createPlan(t, e, "另一考试", nil)
	if p := e.client().signIn("admin").get("/admin/exams/" + itoa64(other2) + "/review/" + itoa64(ids[0]) + "/return"); p.Status != http.StatusNotFound {
		t.Errorf("through another plan's queue: %d", p.Status)
	}
}

// The applicant sees 退回修改's reason in the list and on the page with the 审核记录, resubmits through the 报名表
// filled in from the registration, or withdraws after a confirmation; nobody else can.
func TestApplicantAnswersReturn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	withEducation(t, e, "zhangsan")
	planID := createPlan(t, e, "退回修改测试考试", nil)
	id := reviewSeed(t, e, planID, "zhangsan", 1, models.RegUnitConfirmed, nil)[0]
	admin := e.client().signIn("admin")
	queue := "/admin/exams/" + itoa64(planID) + "/review"
	if p := admin.submit(queue, queue, url.Values{"one": {"return:" + itoa64(id)}, "reason_" + itoa64(id): {"工作年限不符合报考条件"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("return: %d", p.Status)
	}
	c := e.client().signIn("zhangsan")
	list := c.get("/registrations")
	if !strings.Contains(list.Text(`[data-testid="reg-row-`+itoa64(id)+`"] [data-testid="reg-reason"]`), "工作年限不符合报考条件") {
		t.Errorf("list: %q", list.Text(`[data-testid="registrations"]`))
	}
	d := c.get("/registrations/" + itoa64(id))
	if !strings.Contains(d.Text(`[data-testid="reg-reason"]`), "工作年限不符合报考条件") || d.Doc.Find(`[data-testid="reg-history-row"]`).Length() != 2 {
		t.Errorf("detail: %q, %d history rows", d.Text(`[data-testid="reg-reason"]`), d.Doc.Find(`[data-testid="reg-history-row"]`).Length())
	}
	if h := d.Doc.Find(`[data-testid="reg-history-row"]`).Last().Text(); !strings.Contains(h, "注册中心") || !strings.Contains(h, "退回修改") || !strings.Contains(h, "BMSH") {
		t.Errorf("history row: %q", h)
	}
	// Someone else: no 撤回, no 修改.
	lisi := e.client().signIn("lisi")
	if p := lisi.submit("/registrations", "/registrations/"+itoa64(id)+"/withdraw", url.Values{"confirmed": {"1"}}); p.Status != http.StatusNotFound {
		t.Errorf("lisi withdrew zhangsan's: %d", p.Status)
	}
	if p := lisi.get("/registrations/new?plan=" + itoa64(planID) + "&from=" + itoa64(id)); p.Status != http.StatusNotFound {
		t.Errorf("lisi opened zhangsan's for resubmission: %d", p.Status)
	}
	// 修改并重新提交: the form filled in, the reason on top; 保存 sends it back to the registry.
	href, _ := d.Doc.Find(`[data-testid="reg-resubmit"]`).First().Attr("href")
	form := c.get(href)
	if v, _ := form.Doc.Find(`input[name="work_start_date"]`).Attr("value"); v != "2010-07-01" || !strings.Contains(form.Text(`[data-testid="reg-return-reason"]`), "工作年限") {
		t.Errorf("resubmit form: %q, %q", v, form.Text(`[data-testid="reg-return-reason"]`))
	}
	p := c.regPost(planID, map[string]string{"work_start_date": "2008-07-01", "employer_name": "北京城建示范工程有限公司"}, testPhoto(t, 600, 840, "jpeg"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	if s, reason := regStatus(t, e, id); s != models.RegUnitConfirmed || reason != "" {
		t.Errorf("resubmitted: %s %q", s, reason)
	}
	// Returned again, then 撤回: a confirmation page first without JavaScript.
	admin.submit(queue, queue, url.Values{"one": {"return:" + itoa64(id)}, "reason_" + itoa64(id): {"材料不全"}})
	conf := c.submit("/registrations/"+itoa64(id), "/registrations/"+itoa64(id)+"/withdraw", nil)
	if conf.Status != http.StatusOK || !strings.Contains(conf.Body, "确定撤回") {
		t.Fatalf("confirmation: %d", conf.Status)
	}
	if s, _ := regStatus(t, e, id); s != models.RegReturned {
		t.Fatalf("withdrawn before the confirmation: %s", s)
	}
	p = c.submit("/registrations/"+itoa64(id), "/registrations/"+itoa64(id)+"/withdraw", url.Values{"confirmed": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(c.get(p.Location()).Text(`[data-testid="alert-ok"]`), "报名已撤回") {
		t.Fatalf("withdraw: %d %q", p.Status, p.Location())
	}
	if s, _ := regStatus(t, e, id); s != models.RegWithdrawn {
		t.Errorf("withdrawn: %s", s)
	}
}

// The lock (LIFECYCLE §4): an enterprise's own staff are filed straight to the registry (待审核), and from then on a
// new import of the same person is refused, saying to withdraw first; the photo the import lacked may still be added,
// but not replaced. The filer's 撤回 (offered on the registration's page) takes it back, the import then goes through,
// and once the registry took it up (受理) even 撤回 is refused.
func TestReviewLocksReimport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "锁定测试考试", url.Values{"acceptance_step": {"1"}})
	c := e.client().signIn("jianshe")
	sp := itoa64(planID)
	batchPage := "/registrations/batch?plan=" + sp
	idn := newID(61)
	file := fillTemplate(t, c, planID, [][]any{{idn, "周一", "本科", "", "", "", "北京城建示范工程有限公司", "", "2012-07-01", "", "", ""}})
	importFile := func() *page {
		t.Helper()
		return c.postFiles(batchPage, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"报名.xlsx": file})
	}
	photo := func(seed int) *page {
		t.Helper()
		return c.postFiles(batchPage, "/registrations/batch/photos?plan="+sp, "photos", map[string][]byte{idn + ".jpg": testPhoto(t, 600, 840-seed, "jpeg")})
	}
	if p := importFile(); p.Status != http.StatusSeeOther {
		t.Fatalf("import: %d %s", p.Status, p.Text(`[data-testid="import-problems"]`))
	}
	var r models.Registration
	if err := e.db.NewSelect().Model(&r).Where("plan_id = ?", planID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.Status != models.RegUnitConfirmed {
		t.Fatalf("the enterprise's own staff filed as %s, want 待审核", r.Status)
	}
	p := importFile()
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="import-problems"]`), "审核期间不能修改") ||
		!strings.Contains(p.Text(`[data-testid="import-problems"]`), "请先撤回") {
		t.Errorf("re-import over a registration 待审核: %d %q", p.Status, p.Text(`[data-testid="import-problems"]`))
	}
	if after := reviewReg(t, e, r.ID); after.Version != r.Version {
		t.Errorf("the refused import changed the registration: version %d → %d", r.Version, after.Version)
	}
	// The photo the import could not carry completes the filing; a second one would change it, and matches nothing.
	if p = photo(0); strings.Contains(p.Text(`[data-testid="photo-unmatched"]`), idn) || reviewReg(t, e, r.ID).PhotoKey == "" {
		t.Errorf("the missing photo of a registration 待审核: report %q, unmatched %q", p.Text(`[data-testid="photo-report"]`), p.Text(`[data-testid="photo-unmatched"]`))
	}
	first := reviewReg(t, e, r.ID).PhotoKey
	if p = photo(1); !strings.Contains(p.Text(`[data-testid="photo-unmatched"]`), idn) || reviewReg(t, e, r.ID).PhotoKey != first {
		t.Errorf("replacing the photo of a registration 待审核: report %q, unmatched %q", p.Text(`[data-testid="photo-report"]`), p.Text(`[data-testid="photo-unmatched"]`))
	}
	// 撤回, from the registration's page, then the import goes through and files it again.
	detail := "/registrations/" + itoa64(r.ID)
	if c.get(detail).Doc.Find(`[data-testid="reg-withdraw"]`).Length() != 1 || c.get(detail).Doc.Find(`[data-testid="reg-resubmit"]`).Length() != 0 {
		t.Error("the registration's page offers no 撤回 (or offers 修改并重新提交) while 待审核")
	}
	if p = c.submit(detail, detail+"/withdraw", url.Values{"confirmed": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("撤回 while 待审核: %d %s", p.Status, p.Body)
	}
	if s, _ := regStatus(t, e, r.ID); s != models.RegWithdrawn {
		t.Fatalf("after 撤回: %s", s)
	}
	if p = importFile(); p.Status != http.StatusSeeOther {
		t.Fatalf("import after 撤回: %d %s", p.Status, p.Text(`[data-testid="import-problems"]`))
	}
	if s, _ := regStatus(t, e, r.ID); s != models.RegUnitConfirmed {
		t.Fatalf("filed again after 撤回: %s", s)
	}
	// 受理: locked for good until 退回修改 — no import, no photo, no 撤回.
	admin := e.client().signIn("admin")
	queue := "/admin/exams/" + sp + "/review"
	if p := admin.submit(queue, queue, url.Values{"one": {"accept:" + itoa64(r.ID)}}); p.Status != http.StatusSeeOther {
		t.Fatalf("受理: %d", p.Status)
	}
	p = importFile()
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="import-problems"]`), "已受理") {
		t.Errorf("re-import over an accepted registration: %d %q", p.Status, p.Text(`[data-testid="import-problems"]`))
	}
	p = photo(2)
	if !strings.Contains(p.Text(`[data-testid="photo-unmatched"]`), idn) {
		t.Errorf("a photo for a locked registration: report %q, unmatched %q", p.Text(`[data-testid="photo-report"]`), p.Text(`[data-testid="photo-unmatched"]`))
	}
	if c.get(detail).Doc.Find(`[data-testid="reg-withdraw"]`).Length() != 0 {
		t.Error("撤回 offered after 受理")
	}
	if p := c.do(http.MethodPost, detail+"/withdraw", url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}}, false, nil); p.Status != http.StatusConflict {
		t.Errorf("撤回 after 受理: %d, want 409", p.Status)
	}
	if s, _ := regStatus(t, e, r.ID); s != models.RegAccepted {
		t.Errorf("status %s", s)
	}
}

func reviewReg(t *testing.T, e *env, id int64) models.Registration {
	t.Helper()
	var r models.Registration
	if err := e.db.NewSelect().Model(&r).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// A row carries the version it showed: when the filer changed the registration after the queue was shown, 通过 of
// that row leaves it alone and says so beside it; the same row, shown again, is decided.
func TestReviewRowChangedSinceShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "审核并发测试考试", nil)
	ids := reviewSeed(t, e, planID, "jianshe", 1, models.RegUnitConfirmed, nil)
	admin := e.client().signIn("admin")
	queue := "/admin/exams/" + itoa64(planID) + "/review"
	shown := admin.get(queue)
	v, ok := shown.Doc.Find(`input[name="v_` + itoa64(ids[0]) + `"]`).Attr("value")
	if !ok {
		t.Fatalf("the row carries no version: %q", shown.Body)
	}
	if _, err := e.db.NewUpdate().Model((*models.Registration)(nil)).Set("employer_name = '新上传的单位'").
		Set("version = version + 1").Set("updated_at = ?", models.Now()).Where("id = ?", ids[0]).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"_csrf": {admin.csrf()}, "one": {"approve:" + itoa64(ids[0])}, "v_" + itoa64(ids[0]): {v}}
	p := reviewRowDoc(t, admin.do(http.MethodPost, queue, form, true, nil))
	if !strings.Contains(p.Text(`[data-testid="review-error"]`), "已被修改") {
		t.Errorf("stale row: %q", p.Body)
	}
	if st, _ := regStatus(t, e, ids[0]); st != models.RegUnitConfirmed {
		t.Fatalf("a registration changed since shown was decided: %s", st)
	}
	v, _ = p.Doc.Find(`input[name="v_` + itoa64(ids[0]) + `"]`).Attr("value")
	form.Set("v_"+itoa64(ids[0]), v)
	admin.do(http.MethodPost, queue, form, true, nil)
	if st, _ := regStatus(t, e, ids[0]); st != models.RegApproved {
		t.Errorf("shown again and approved: %s", st)
	}
}

// The queue's filters: 报名单位 (org), 报名方式 (channel) and, on 报名审核, 岗位/工种 (category). Each narrows the rows
// and the status tabs count within it.
func TestReviewQueueFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "筛选测试考试", nil)
	otherCat := createPlan(t, e, "另一工种考试", url.Values{"category_id": {"2"}})
	jianshe := reviewSeed(t, e, planID, "jianshe", 3, models.RegUnitConfirmed, nil)
	reviewSeed(t, e, planID, "jianshe", 1, models.RegApproved, nil)
	peixun := reviewSeed(t, e, planID, "peixun", 2, models.RegUnitConfirmed, nil)
	self := reviewSeed(t, e, planID, "zhangsan", 1, models.RegUnitConfirmed, nil)
	reviewSeed(t, e, otherCat, "jianshe", 1, models.RegUnitConfirmed, nil)
	jOrg, pOrg := itoa64(*e.account("jianshe").OrganizationID), itoa64(*e.account("peixun").OrganizationID)
	admin := e.client().signIn("admin")
	queue := "/admin/exams/" + itoa64(planID) + "/review"
	rowsOf := func(p *page) []string {
		var ids []string
		p.Doc.Find(`[data-testid^="review-row-"]`).Each(func(_ int, s *goquerySelection) {
			id, _ := s.Attr("data-testid")
			ids = append(ids, strings.TrimPrefix(id, "review-row-"))
		})
		return ids
	}
	want := func(ids []int64) string {
		var s []string
		for _, id := range ids {
			s = append(s, itoa64(id))
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		name, query            string
		rows                   []int64
		waiting, approved, all string // the 待审核, 已审核 ("": no such tab, none) and 全部 tabs
	}{
		{"no filter", "", append(append(append([]int64{}, jianshe...), peixun...), self...), "（6）", "（1）", "（7）"},
		{"org: the enterprise", "?org=" + jOrg, jianshe, "（3）", "（1）", "（4）"},
		{"org: the training institution", "?org=" + pOrg, peixun, "（2）", "", "（2）"},
		{"channel: 培训机构报名", "?channel=training", peixun, "（2）", "", "（2）"},
		{"channel: 个人报名", "?channel=self", self, "（1）", "", "（1）"},
		{"channel: 企业报名", "?channel=enterprise", jianshe, "（3）", "（1）", "（4）"},
		{"org and a channel it did not file by", "?org=" + pOrg + "&channel=enterprise", nil, "（0）", "", "（0）"},
		{"an unknown channel is no filter", "?channel=fax", append(append(append([]int64{}, jianshe...), peixun...), self...), "（6）", "（1）", "（7）"},
	} {
		p := admin.get(queue + tc.query)
		if p.Status != http.StatusOK || strings.Join(rowsOf(p), ",") != want(tc.rows) {
			t.Errorf("%s: %d, rows %v, want %s", tc.name, p.Status, rowsOf(p), want(tc.rows))
		}
		if got := p.Text(`[data-testid="review-tab-unit_confirmed"]`); !strings.Contains(got, tc.waiting) {
			t.Errorf("%s: 待审核 tab %q, want %s", tc.name, got, tc.waiting)
		}
		if got := p.Text(`[data-testid="review-tab-approved"]`); (tc.approved == "") != (got == "") || !strings.Contains(got, tc.approved) {
			t.Errorf("%s: 已审核 tab %q, want %q", tc.name, got, tc.approved)
		}
		if got := p.Text(`[data-testid="review-tab-all"]`); !strings.Contains(got, tc.all) {
			t.Errorf("%s: 全部 tab %q, want %s", tc.name, got, tc.all)
		}
		if len(tc.rows) == 0 && p.Doc.Find(`[data-testid="review-empty"]`).Length() != 1 {
			t.Errorf("%s: no 没有符合条件的报名", tc.name)
		}
	}
	// The filter holds on the 已审核 tab and through the htmx fragment.
	if rows := rowsOf(admin.get(queue + "?status=approved&org=" + pOrg)); len(rows) != 0 {
		t.Errorf("已审核 of the training institution: %v", rows)
	}
	if rows := rowsOf(admin.getHX(queue + "?org=" + pOrg)); strings.Join(rows, ",") != want(peixun) {
		t.Errorf("htmx, org filter: %v", rows)
	}
	// 报名审核: 岗位/工种 narrows the plans.
	plans := func(q string) (mine, other bool) {
		p := admin.get("/admin/review" + q)
		return p.Doc.Find(`[data-testid="review-plan-`+itoa64(planID)+`"]`).Length() == 1,
			p.Doc.Find(`[data-testid="review-plan-`+itoa64(otherCat)+`"]`).Length() == 1
	}
	if mine, other := plans(""); !mine || !other {
		t.Errorf("报名审核 without a 岗位: plan %v, the other 工种's %v; want both", mine, other)
	}
	if mine, other := plans("?category=1"); !mine || other {
		t.Errorf("报名审核 of 岗位 1: plan %v, the other 工种's %v; want only the first", mine, other)
	}
	if mine, other := plans("?category=2"); mine || !other {
		t.Errorf("报名审核 of 岗位 2: plan %v, the other 工种's %v; want only the second", mine, other)
	}
	p := admin.get("/admin/review?category=2")
	if got := p.Text(`[data-testid="review-plan-` + itoa64(otherCat) + `"] [data-testid="review-plan-waiting"]`); got != "1" {
		t.Errorf("报名审核 of 岗位 2: %q waiting, want 1", got)
	}
}
