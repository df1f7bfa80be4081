package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// appWorld is the certificate world (张三's and 李思's certificates issued) with applications filed directly in
// the database by models.FileApplications, as the kinds' own screens will.
type appWorld struct {
	*certWorld
	certs map[int64]models.Certificate
	admin *client
}

func newAppWorld(t *testing.T) *appWorld {
	t.Helper()
	w := &appWorld{certWorld: newCertWorld(t)}
	w.admin = w.e.client().signIn("admin")
	w.certs = w.issue(t, w.admin)
	return w
}

// file files one application by username about the person's certificate (certFor: the person whose certificate
// it is, 0 for none), to be confirmed by employer (a username, "" for none).
func (w *appWorld) file(t *testing.T, username string, kind models.AppKind, person string, certFor bool, employer string, edit func(*models.CertApplication)) int64 {
	t.Helper()
	acct, p := w.e.account(username), w.e.account(person)
	a := models.CertApplication{Kind: kind, PersonID: p.PersonID, Name: p.DisplayName, IDNumber: demoCode(person), EmployerName: "北京城建示范工程有限公司"}
	if certFor {
		c := w.certs[*p.PersonID]
		a.CertificateID = &c.ID
	}
	if employer != "" {
		a.OrganizationID = w.e.account(employer).OrganizationID
	}
	if edit != nil {
		edit(&a)
	}
	apps := []models.CertApplication{a}
	if _, err := models.FileApplications(context.Background(), w.e.db, models.Actor{Account: acct}, apps); err != nil {
		t.Fatalf("file: %v", err)
	}
	return apps[0].ID
}

func (w *appWorld) app(t *testing.T, id int64) models.CertApplication {
	t.Helper()
	var a models.CertApplication
	if err := w.e.db.NewSelect().Model(&a).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

func rows(p *page) []string {
	var out []string
	p.Doc.Find(`[data-testid^="app-row-"]`).Each(func(_ int, s *goquerySelection) {
		id, _ := s.Attr("data-testid")
		out = append(out, strings.TrimPrefix(id, "app-row-"))
	})
	return out
}

func ids(n ...int64) []string {
	out := make([]string, len(n))
	for i, x := range n {
		out[i] = strconv.FormatInt(x, 10)
	}
	return out
}

func sameRows(got []string, want ...int64) bool {
	return strings.Join(got, ",") == strings.Join(ids(want...), ",")
}

// The registry's inbox: what waits by default, filters, counts and days waiting; every step a batch with its 批号,
// without JavaScript (303 and a message) and with htmx (the row or the list in place); plain Chinese refusals.
func TestApplicationInbox(t *testing.T) {
	t.Parallel()
	w := newAppWorld(t)
	e, admin := w.e, w.admin
	renew := w.file(t, "zhangsan", models.AppRenewal, "zhangsan", true, "jianshe", nil) // 待单位确认 at jianshe
	change := w.file(t, "lisi", models.AppChange, "lisi", true, "", nil)                // 已申请
	transfer := w.file(t, "peixun", models.AppTransferIn, "lisi", false, "", func(a *models.CertApplication) { a.CertNumber = "冀建安C（2020）0012345" })
	old := models.Now().Add(-73 * time.Hour)
	if _, err := e.db.NewUpdate().Table("cert_applications").Set("updated_at = ?", old).Where("id = ?", change).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := admin.get("/admin/applications")
	if p.Status != http.StatusOK || !sameRows(rows(p), change, transfer) {
		t.Fatalf("inbox: %d %v", p.Status, rows(p))
	}
	if got := p.Text(`[data-testid="app-row-` + ids(change)[0] + `"] [data-testid="app-waiting"]`); got != "3天" {
		t.Errorf("days waiting %q", got)
	}
	if strings.Contains(p.Body, demoCode("lisi")) {
		t.Error("the inbox shows a full ID number")
	}
	if n := p.Doc.Find(`[data-testid="app-count-row"]`).Length(); n != 3 {
		t.Errorf("%d kinds counted", n)
	}
	for q, want := range map[string][]int64{"kind=change": {change}, "status=all": {change, renew, transfer},
		"status=unit_pending": {renew}, "q=" + url.QueryEscape("冀建安C（2020）0012345"): {transfer},
		"q=" + w.app(t, renew).BatchNo + "&status=all": {renew}} {
		if got := rows(admin.get("/admin/applications?" + q)); !sameRows(got, want...) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	// The employer's desk lists what waits for it only; another employer's is empty and cannot act on it.
	jianshe, jianshe2 := e.client().signIn("jianshe"), e.client().signIn("jianshe2")
	if got := rows(jianshe.get("/unit-applications")); !sameRows(got, renew) {
		t.Fatalf("jianshe's desk: %v", got)
	}
	if got := rows(jianshe2.get("/unit-applications")); len(got) != 0 {
		t.Fatalf("jianshe2's desk: %v", got)
	}
	if p := jianshe2.submit("/unit-applications", "/unit-applications", url.Values{"one": {"confirm:" + ids(renew)[0]}}); p.Status != http.StatusNotFound {
		t.Fatalf("another employer confirms: %d", p.Status)
	}
	// 单位确认 of a row with htmx: the row in place, with the 批号; forged fields are not read.
	p = jianshe.submitHX("/unit-applications", "/unit-applications", url.Values{"one": {"confirm:" + ids(renew)[0]},
		"status": {"decided"}, "org_id": {"1"}}, true)
	if msg := p.Text(`[data-testid="app-message"]`); p.Status != http.StatusOK || !strings.HasPrefix(msg, "单位确认成功，共1条，批号为SQQR") ||
		p.Doc.Find(`[data-testid="menu"]`).Length() != 0 {
		t.Fatalf("confirm with htmx: %d %q", p.Status, msg)
	}
	if got := w.app(t, renew).Status; got != models.AppApplied {
		t.Fatalf("confirmed: %s", got)
	}
	// Bulk 受理 of the ticked rows without JavaScript: 303 and the message with the 批号.
	p = admin.submit("/admin/applications", "/admin/applications", url.Values{"action": {"accept"}, "ids": ids(renew, change)})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "ok=accept") || !strings.Contains(p.Location(), "batch=XQSL") {
		t.Fatalf("bulk accept: %d %q", p.Status, p.Location())
	}
	// One 批号 per kind of application (LIFECYCLE §2): a renewal's 受理 is XQSL, a change's BGSL.
	if msg := admin.get(p.Location()).Text(`[data-testid="alert-ok"]`); !regexp.MustCompile(`^受理成功，共2条，批号为XQSL\d{8}、BGSL\d{8}`).MatchString(msg) {
		t.Fatalf("message %q", msg)
	}
	// 选择全部符合条件 with the list filtered to 已受理, with htmx: the list in place.
	p = admin.submitHX("/admin/applications", "/admin/applications", url.Values{"action": {"review"}, "all": {"1"}, "status": {"accepted"}}, true)
	if msg := p.Text(`[data-testid="alert-ok"]`); !regexp.MustCompile(`^审核通过成功，共2条，批号为XQSH\d{8}、BGSH\d{8}`).MatchString(msg) || p.Doc.Find(`#app-inbox`).Length() != 1 {
		t.Fatalf("all matching, htmx: %q", msg)
	}
	// A row in the wrong state: said plainly, nothing moved (all or nothing).
	p = admin.submit("/admin/applications", "/admin/applications", url.Values{"action": {"accept"}, "ids": ids(renew, transfer)})
	if msg := p.Text(`[data-testid="alert-error"]`); p.Status != http.StatusOK || !strings.Contains(msg, "（已审核）当前状态不能受理，整批未作处理") {
		t.Fatalf("wrong state: %d %q", p.Status, msg)
	}
	if w.app(t, transfer).Status != models.AppApplied {
		t.Fatal("the batch half moved")
	}
	// No skipping: 决定通过 of an application only 已申请.
	p = admin.submit("/admin/applications", "/admin/applications", url.Values{"one": {"decide:" + ids(transfer)[0]}})
	if msg := p.Text(`[data-testid="alert-error"]`); !strings.Contains(msg, "（已申请）当前状态不能决定通过") {
		t.Fatalf("skip: %q", msg)
	}
	// 决定通过 of a renewal runs its effect: refused plainly while the certificate is locked, then done with its 批号.
	cert := w.app(t, renew).CertificateID
	lock := func(on bool) {
		if _, err := e.db.NewUpdate().Table("certificates").Set("locked = ?", on).Set("lock_reason = '核查中'").Where("id = ?", *cert).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	lock(true)
	p = admin.submit("/admin/applications", "/admin/applications", url.Values{"one": {"decide:" + ids(renew)[0]}})
	if msg := p.Text(`[data-testid="alert-error"]`); !strings.HasPrefix(msg, "决定通过未完成，整批未作处理：申请 "+ids(renew)[0]+"：证书") ||
		!strings.Contains(msg, "已锁定") || w.app(t, renew).Status != models.AppReviewed {
		t.Fatalf("decide a locked certificate's renewal: %q", msg)
	}
	lock(false)
	p = admin.submitHX("/admin/applications?status=reviewed", "/admin/applications", url.Values{"one": {"decide:" + ids(renew)[0]}, "status": {"reviewed"}}, true)
	if msg := p.Text(`[data-testid="app-message"]`); !strings.HasPrefix(msg, "决定通过成功，共1条，批号为XQJD") || w.app(t, renew).Status != models.AppDecided {
		t.Fatalf("decide: %q %s", msg, w.app(t, renew).Status)
	}
	d := e.client().signIn("zhangsan").get("/applications/" + ids(renew)[0])
	if href, _ := d.Doc.Find(`[data-testid="app-cert-link"]`).Attr("href"); href != "/certificates/"+strconv.FormatInt(*cert, 10) || d.Text(`[data-testid="app-state"]`) != "已决定" {
		t.Fatalf("decided detail: %q %q", href, d.Text(`[data-testid="app-state"]`))
	}
	// The registry's steps before a decision take a transfer-in as any other kind.
	for _, step := range [][2]string{{"accept", "JJSL"}, {"review", "JJSH"}} {
		if p := admin.submit("/admin/applications", "/admin/applications", url.Values{"one": {step[0] + ":" + ids(transfer)[0]}}); p.Status != http.StatusSeeOther ||
			!strings.Contains(p.Location(), "batch="+step[1]) {
			t.Fatalf("%s the transfer-in: %d %q %s", step, p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
		}
	}
}

// 退回修改 and 不予通过 need a reason: the reason page without JavaScript, the row's field with htmx; the filer is told.
func TestApplicationReturnAndReject(t *testing.T) {
	t.Parallel()
	w := newAppWorld(t)
	e, admin := w.e, w.admin
	a := w.file(t, "lisi", models.AppChange, "lisi", true, "", nil)
	b := w.file(t, "peixun", models.AppTransferIn, "zhangsan", false, "", nil)
	reasonURL := "/admin/applications/" + ids(a)[0] + "/reason?action=return"
	page := admin.get(reasonURL)
	if page.Status != http.StatusOK || page.Doc.Find(`[data-testid="app-reason-form"]`).Length() != 1 {
		t.Fatalf("reason page: %d", page.Status)
	}
	if hx := admin.getHX(reasonURL); !strings.HasPrefix(strings.TrimSpace(hx.Body), "<tr") || !strings.Contains(hx.Body, `data-testid="app-reason-picker"`) {
		t.Fatal("htmx: no reason field in the row")
	}
	// Without a reason: asked again (the page without JavaScript, the row with htmx).
	p := admin.submit(reasonURL, "/admin/applications", url.Values{"one": {"return:" + ids(a)[0]}, "reason_" + ids(a)[0]: {"  "}})
	if p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) != "请填写原因" || p.Doc.Find(`[data-testid="app-reason-form"]`).Length() != 1 {
		t.Fatalf("no reason: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
	p = admin.submitHX(reasonURL, "/admin/applications", url.Values{"one": {"return:" + ids(a)[0]}}, true)
	if p.Text(`[data-testid="app-error"]`) != "请填写原因" || p.Doc.Find(`[data-testid="app-reason-picker"]`).Length() != 1 {
		t.Fatalf("no reason, htmx: %q", p.Text(`[data-testid="app-error"]`))
	}
	p = admin.submit(reasonURL, "/admin/applications", url.Values{"one": {"return:" + ids(a)[0]}, "reason_" + ids(a)[0]: {"单位名称与执照不符"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "batch=SQTH") {
		t.Fatalf("return: %d %q", p.Status, p.Location())
	}
	if got := w.app(t, a); got.Status != models.AppReturned || got.Reason != "单位名称与执照不符" {
		t.Fatalf("returned: %s %q", got.Status, got.Reason)
	}
	var told int64
	told, _ = e.db.NewSelect().Table("messages").Where("account_id = ? AND body LIKE ?", e.account("lisi").ID, "%单位名称与执照不符%").Count(context.Background())
	if told != 1 {
		t.Fatalf("filer told %d times", told)
	}
	// Bulk 不予通过 needs the bulk reason.
	p = admin.submit("/admin/applications", "/admin/applications", url.Values{"action": {"reject"}, "ids": ids(b)})
	if p.Text(`[data-testid="alert-error"]`) != "请填写原因" || w.app(t, b).Status != models.AppApplied {
		t.Fatalf("reject without reason: %q", p.Text(`[data-testid="alert-error"]`))
	}
	p = admin.submitHX("/admin/applications", "/admin/applications", url.Values{"action": {"reject"}, "ids": ids(b), "bulk_reason": {"原证书未办理转出"}}, true)
	if msg := p.Text(`[data-testid="alert-ok"]`); !strings.HasPrefix(msg, "不予通过成功，共1条，批号为SQJD") {
		t.Fatalf("reject: %q", msg)
	}
	if got := w.app(t, b); got.Status != models.AppRejected || got.Reason != "原证书未办理转出" {
		t.Fatalf("rejected: %s %q", got.Status, got.Reason)
	}
	// Nobody decides their own filing.
	c := w.file(t, "zhangsan", models.AppRenewal, "zhangsan", true, "", nil)
	if _, err := e.db.NewUpdate().Table("cert_applications").Set("filed_by = ?", e.account("admin").ID).Where("id = ?", c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	row := admin.get("/admin/applications").Doc.Find(`[data-testid="app-row-` + ids(c)[0] + `"]`)
	if row.Length() != 1 || row.Find(`button`).Length() != 0 {
		t.Fatal("one's own filing offers steps")
	}
	p = admin.submit("/admin/applications", "/admin/applications", url.Values{"one": {"accept:" + ids(c)[0]}})
	if msg := p.Text(`[data-testid="alert-error"]`); !strings.HasPrefix(msg, "不能办理本账号提交的申请") || w.app(t, c).Status != models.AppApplied {
		t.Fatalf("own: %q", msg)
	}
}

// The detail page: the applicant, the employer and the registry see it with what each may do; anyone else gets 404.
// The filer's 删除 asks first without JavaScript; certificate lists show the open application.
func TestApplicationDetailAndWithdraw(t *testing.T) {
	t.Parallel()
	w := newAppWorld(t)
	e, admin := w.e, w.admin
	renew := w.file(t, "zhangsan", models.AppRenewal, "zhangsan", true, "jianshe", nil)
	path := "/applications/" + ids(renew)[0]
	zhang, jianshe := e.client().signIn("zhangsan"), e.client().signIn("jianshe")
	d := zhang.get(path)
	if d.Status != http.StatusOK || d.Text(`[data-testid="app-state"]`) != "待单位确认" ||
		!strings.Contains(d.Text(`[data-testid="app-field-有效期"]`), " 至 ") || d.Doc.Find(`[data-testid="app-withdraw"]`).Length() != 1 ||
		d.Doc.Find(`[data-testid="app-act-form"]`).Length() != 0 {
		t.Fatalf("applicant's detail: %d %q", d.Status, d.Text(`[data-testid="app-state"]`))
	}
	if d.Doc.Find(`[data-testid="app-step"]`).Length() != 1 || !strings.HasPrefix(d.Text(`[data-testid="app-step-batch"]`), "XQSQ") {
		t.Fatal("the filing step is not shown")
	}
	j := jianshe.get(path)
	if j.Doc.Find(`[data-testid="app-act-confirm"]`).Length() != 1 || j.Doc.Find(`[data-testid="app-act-return"]`).Length() != 1 ||
		j.Doc.Find(`[data-testid="app-withdraw"]`).Length() != 0 {
		t.Fatal("employer's detail: no confirm/return")
	}
	if a := admin.get(path); a.Status != http.StatusOK || a.Doc.Find(`[data-testid="app-act-form"]`).Length() != 0 {
		t.Fatalf("registry's detail while it waits for the employer: %d", a.Status)
	}
	for _, other := range []string{"lisi", "jianshe2", "peixun"} {
		c := e.client().signIn(other)
		if s := c.get(path).Status; s != http.StatusNotFound {
			t.Errorf("%s opens another's application: %d", other, s)
		}
		if other != "jianshe2" {
			if p := c.do(http.MethodPost, path+"/withdraw", url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}}, false, nil); p.Status != http.StatusNotFound {
				t.Errorf("%s withdraws another's: %d", other, p.Status)
			}
		}
	}
	// The certificate lists show it, linking to the detail page.
	for _, who := range []struct {
		c    *client
		list string
	}{{zhang, "/certificates"}, {jianshe, "/staff/certificates"}} {
		l := who.c.get(who.list)
		link := l.Doc.Find(`a[data-testid="cert-application"]`)
		if href, _ := link.Attr("href"); href != path || strings.TrimSpace(link.Text()) != "证书续期：待单位确认" {
			t.Errorf("%s: open application %q → %q", who.list, link.Text(), href)
		}
	}
	// The employer confirms from the detail page: back there, with the 批号.
	p := jianshe.submit(path, "/unit-applications", url.Values{"one": {"confirm:" + ids(renew)[0]}, "from": {"detail"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), path+"?") {
		t.Fatalf("confirm from the detail page: %d %q", p.Status, p.Location())
	}
	if msg := jianshe.get(p.Location()).Text(`[data-testid="alert-ok"]`); !strings.HasPrefix(msg, "单位确认成功，共1条，批号为SQQR") {
		t.Fatalf("message %q", msg)
	}
	// The employer, not the filer, cannot withdraw it; the filer is asked first without JavaScript, then it goes.
	if p := jianshe.do(http.MethodPost, path+"/withdraw", url.Values{"_csrf": {jianshe.csrf()}, "confirmed": {"1"}}, false, nil); p.Status != http.StatusNotFound {
		t.Fatalf("employer withdraws: %d", p.Status)
	}
	ask := zhang.submit(path, path+"/withdraw", url.Values{})
	if ask.Status != http.StatusOK || ask.Doc.Find(`[data-testid="confirm-page"]`).Length() != 1 || w.app(t, renew).Status != models.AppApplied {
		t.Fatalf("withdraw without confirmation: %d", ask.Status)
	}
	p = zhang.submit(path, path+"/withdraw", url.Values{"confirmed": {"1"}})
	if p.Status != http.StatusSeeOther || w.app(t, renew).Status != models.AppWithdrawn {
		t.Fatalf("withdraw: %d %s", p.Status, w.app(t, renew).Status)
	}
	if d := zhang.get(p.Location()); d.Text(`[data-testid="app-state"]`) != "已撤回" || d.Text(`[data-testid="alert-ok"]`) != "已删除该申请" {
		t.Fatalf("after withdraw: %q", d.Text(`[data-testid="app-state"]`))
	}
	if l := zhang.get("/certificates"); l.Doc.Find(`[data-testid="cert-application"]`).Length() != 0 {
		t.Fatal("a withdrawn application still shows on the certificate")
	}
}

// A change shows 变更前 | 变更后 with the changed cells marked; a transfer-in the out-of-province certificate; the
// registry takes steps from the detail page; a step already taken cannot be withdrawn.
func TestApplicationDetailKinds(t *testing.T) {
	t.Parallel()
	w := newAppWorld(t)
	e, admin := w.e, w.admin
	change := w.file(t, "lisi", models.AppChange, "lisi", true, "", func(a *models.CertApplication) {
		a.ChangeType, a.BeforeName, a.BeforeIDNumber, a.IDNumber = "inside", "李思", demoCode("lisi"), demoCode("lisi")
		a.Name, a.BeforeEmployer, a.EmployerName = "李斯", "北京宏远建设集团有限公司", "北京宏远建设集团有限公司"
	})
	transfer := w.file(t, "zhangsan", models.AppTransferIn, "zhangsan", false, "", func(a *models.CertApplication) {
		a.CertNumber, a.Authority, a.OrigEmployer, a.Source = "冀建安B（2021）0000077", "河北省住房和城乡建设厅", "石家庄某建设公司", "manual"
	})
	d := admin.get("/applications/" + ids(change)[0])
	if d.Doc.Find(`[data-testid="app-diff-changed"]`).Length() != 1 || d.Doc.Find(`[data-testid="app-diff-changed"] mark`).Text() != "李斯" ||
		d.Text(`[data-testid="app-变更类型"]`) != "京内变更" {
		t.Fatalf("change detail: %d changed rows", d.Doc.Find(`[data-testid="app-diff-changed"]`).Length())
	}
	if href, _ := d.Doc.Find(`[data-testid="app-print-pdf"]`).Attr("href"); href != "/applications/"+ids(change)[0]+"/pdf" {
		t.Errorf("【打印】 links to %q", href)
	}
	if n := len(e.auditEvents(models.EventAppViewed)); n != 1 {
		t.Fatalf("%d audited views", n)
	}
	if d.Doc.Find(`[data-testid="app-act-accept"]`).Length() != 1 || d.Doc.Find(`[data-testid="app-act-reject"]`).Length() != 1 {
		t.Fatal("the registry's steps are not offered")
	}
	zhang := e.client().signIn("zhangsan")
	tp := zhang.get("/applications/" + ids(transfer)[0])
	if tp.Text(`[data-testid="app-field-证书编号"]`) != "冀建安B（2021）0000077" || tp.Text(`[data-testid="app-field-发证机关"]`) != "河北省住房和城乡建设厅" {
		t.Fatalf("transfer detail: %q", tp.Text(`[data-testid="app-field-证书编号"]`))
	}
	// The registry accepts from the detail page; the filer can no longer withdraw.
	p := admin.submit("/applications/"+ids(transfer)[0], "/admin/applications", url.Values{"one": {"accept:" + ids(transfer)[0]}, "from": {"detail"}})
	if p.Status != http.StatusSeeOther || w.app(t, transfer).Status != models.AppAccepted {
		t.Fatalf("accept from detail: %d", p.Status)
	}
	after := zhang.get("/applications/" + ids(transfer)[0])
	if after.Doc.Find(`[data-testid="app-withdraw"]`).Length() != 0 || after.Doc.Find(`[data-testid="app-step"]`).Length() != 2 {
		t.Fatal("after 受理: withdraw offered, or the step missing")
	}
	if p := zhang.do(http.MethodPost, "/applications/"+ids(transfer)[0]+"/withdraw", url.Values{"_csrf": {zhang.csrf()}, "confirmed": {"1"}}, false, nil); p.Status != http.StatusConflict {
		t.Fatalf("withdraw after 受理: %d", p.Status)
	}
	// An application the registry returned is the filer's to resubmit: the employer it names has nothing to do.
	back := w.file(t, "zhangsan", models.AppRenewal, "zhangsan", true, "jianshe", nil)
	if _, err := e.db.NewUpdate().Table("cert_applications").Set("status = 'returned'").Where("id = ?", back).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if j := e.client().signIn("jianshe").get("/applications/" + ids(back)[0]); j.Status != http.StatusOK || j.Doc.Find(`[data-testid="app-act-form"]`).Length() != 0 {
		t.Fatalf("the employer is offered steps on a returned application: %d", j.Status)
	}
	// A reason is required from the detail page too: the page again with the message.
	p = admin.submit("/applications/"+ids(change)[0], "/admin/applications", url.Values{"one": {"reject:" + ids(change)[0]}, "from": {"detail"}})
	if p.Status != http.StatusOK || p.Text(`[data-testid="alert-error"]`) != "请填写原因" || w.app(t, change).Status != models.AppApplied {
		t.Fatalf("reject without reason from detail: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
}
