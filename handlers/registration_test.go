package handlers_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"examcert/models"
)

// regPost submits the 报名表 as multipart (with an optional photo), taking the CSRF token from the form page.
func (c *client) regPost(planID int64, fields map[string]string, photo []byte) *page {
	c.e.t.Helper()
	pg := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10))
	tok, _ := pg.Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	return c.regPostToken(planID, tok, fields, photo)
}

func (c *client) regPostToken(planID int64, tok string, fields map[string]string, photo []byte) *page {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", tok)
	_ = mw.WriteField("plan", strconv.FormatInt(planID, 10))
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if photo != nil {
		fw, _ := mw.CreateFormFile("photo", "p.jpg")
		_, _ = fw.Write(photo)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+"/registrations", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Error(err)
		return &page{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pg := &page{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	pg.Doc, _ = goqueryDoc(string(b))
	return pg
}

func TestPractitionerRegistersThemself(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "测试用安全员考试", url.Values{"min_years": {"3"}})
	c := e.client().signIn("zhangsan")
	home := c.get("/registrations")
	if home.Doc.Find(`[data-testid="open-plan-`+strconv.FormatInt(planID, 10)+`"] [data-testid="register"]`).Length() != 1 {
		t.Fatal("the open plan has no 我要报名")
	}
	// No 学历 in 个人信息维护: said beside the field before the form is filled in, with the way there; 保存 refuses.
	form := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10))
	if href, _ := form.Doc.Find(`[data-testid="fill-education"]`).Attr("href"); href != "/profile" ||
		!strings.Contains(form.Text(`[data-testid="error-education"]`), models.MsgEducationMissing) {
		t.Errorf("the form for someone without 学历: %q (%q)", form.Text(`[data-testid="error-education"]`), href)
	}
	p := c.regPost(planID, map[string]string{"work_start_date": "2012-07-01", "employer_name": "北京某建设公司"}, testPhoto(t, 600, 840, "jpeg"))
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="error-education"]`), models.MsgEducationMissing) {
		t.Errorf("saved without 学历: %d %q", p.Status, p.Text(`[data-testid="error-education"]`))
	}
	withEducation(t, e, "zhangsan")
	if c.get("/registrations/new?plan="+strconv.FormatInt(planID, 10)).Doc.Find(`[data-testid="error-education"]`).Length() != 0 {
		t.Error("the 学历 message stays after it was filled in")
	}
	// Missing everything: errors beside the fields, nothing saved.
	p = c.regPost(planID, map[string]string{}, nil)
	for _, f := range []string{"work_start_date", "employer_name", "photo"} {
		if p.Text(`[data-testid="error-`+f+`"]`) == "" {
			t.Errorf("no error for %s", f)
		}
	}
	// Too few years of work for the plan.
	recent := time.Now().AddDate(-1, 0, 0).Format("2006-01-02")
	p = c.regPost(planID, map[string]string{"work_start_date": recent, "employer_name": "某公司"}, testPhoto(t, 600, 840, "jpeg"))
	if !strings.Contains(p.Text(`[data-testid="error-years_of_work"]`), "不符合报名条件") {
		t.Errorf("years: %q", p.Text(`[data-testid="error-years_of_work"]`))
	}
	// Claiming more years than since the work start is refused.
	p = c.regPost(planID, map[string]string{"work_start_date": "2015-07-01", "years_of_work": "30", "employer_name": "某公司"}, testPhoto(t, 600, 840, "jpeg"))
	if !strings.Contains(p.Text(`[data-testid="error-years_of_work"]`), "不能超过") {
		t.Errorf("too many years: %q", p.Text(`[data-testid="error-years_of_work"]`))
	}
	n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(context.Background())
	if n != 0 {
		t.Fatalf("%d registrations saved by failed submits", n)
	}
	p = c.regPost(planID, map[string]string{"work_start_date": "2012-07-01", "employer_name": "北京某建设公司",
		"resume_period": "2012.07-2018.06", "resume_employer": "北京某建设公司", "resume_post": "施工员", "employer_opinion": "同意报名"},
		testPhoto(t, 600, 840, "jpeg"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("register: %d %s %s", p.Status, p.Text(`[data-testid="alert-error"]`), p.Doc.Find(".error").Text())
	}
	detailURL := p.Location()
	// 考试报名 now shows the registration's status and page for the plan instead of 我要报名.
	row := c.get("/registrations").Doc.Find(`[data-testid="open-plan-` + strconv.FormatInt(planID, 10) + `"]`)
	if href, _ := row.Find(`[data-testid="applied"]`).Attr("href"); strings.TrimSpace(row.Find(`[data-testid="applied"]`).Text()) != "已报名（待审核）" ||
		href != strings.Split(detailURL, "?")[0] || row.Find(`[data-testid="register"]`).Length() != 0 {
		t.Errorf("the open plan after registering: %q → %q, %d 我要报名", row.Find(`[data-testid="applied"]`).Text(), href,
			row.Find(`[data-testid="register"]`).Length())
	}
	d := c.get(detailURL)
	if d.Text(`[data-testid="alert-ok"]`) != "报名成功" || d.Text(`[data-testid="reg-status"]`) != "待审核" {
		t.Errorf("detail: %q %q", d.Text(`[data-testid="alert-ok"]`), d.Text(`[data-testid="reg-status"]`))
	}
	if !strings.Contains(d.Text(`[data-testid="detail-从事工作年限"]`), "年") || d.Doc.Find(`[data-testid="reg-photo"]`).Length() != 1 {
		t.Error("detail lacks years or photo")
	}
	// A second registration for the same plan says which stage the person is at.
	p = c.regPost(planID, map[string]string{"work_start_date": "2012-07-01", "employer_name": "北京某建设公司"}, testPhoto(t, 600, 840, "jpeg"))
	if !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "此人目前处于「待审核」阶段") {
		t.Errorf("duplicate: %q", p.Text(`[data-testid="error-id_number"]`))
	}
	// 打印 and 导出: real files with fixed names.
	pdfURL, _ := d.Doc.Find(`[data-testid="reg-print"]`).Attr("href")
	pdf := c.get(pdfURL)
	if !strings.HasPrefix(pdf.Body, "%PDF") || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(pdf.Header.Get("Content-Disposition"), "attachment; filename=\"registration-") {
		t.Errorf("pdf: %d %v", pdf.Status, pdf.Header)
	}
	docxURL, _ := d.Doc.Find(`[data-testid="reg-export"]`).Attr("href")
	if x := c.get(docxURL); !strings.HasPrefix(x.Body, "PK") {
		t.Errorf("docx: %d", x.Status)
	}
	// Nobody else gets them.
	for _, who := range []string{"lisi", "jianshe", "peixun"} {
		o := e.client().signIn(who)
		for _, path := range []string{detailURL, pdfURL, docxURL} {
			if q := o.get(strings.Split(path, "?")[0]); q.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", who, path, q.Status)
			}
		}
	}
}

func TestEnterpriseRegistersStaffAndDeletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "2026年质量员考试", url.Values{"min_education": {"大专"}})
	c := e.client().signIn("jianshe")
	idn := newID(20)
	fields := map[string]string{"id_number": idn, "name": "冯十二", "education": "高中/中专/技校", "work_start_date": "2010-03-01", "employer_name": "北京城建示范工程有限公司"}
	p := c.regPost(planID, fields, testPhoto(t, 600, 840, "png"))
	if !strings.Contains(p.Text(`[data-testid="error-education"]`), "大专及以上") {
		t.Fatalf("education rule: %q", p.Text(`[data-testid="error-education"]`))
	}
	if _, err := models.FindPersonByIDNumber(context.Background(), e.db, idn); err == nil {
		t.Fatal("a failed registration created the person")
	}
	fields["education"] = "本科"
	p = c.regPost(planID, fields, testPhoto(t, 600, 840, "png"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	person := e.person(idn)
	if person.OrganizationID == nil {
		t.Error("a new person registered by the enterprise is not on its staff")
	}
	regID := strings.Split(strings.TrimPrefix(p.Location(), "/registrations/"), "?")[0]
	// 删除 asks first: without confirmed=1 (no JavaScript) a page that asks, and nothing is deleted; another
	// enterprise gets 404, not the question.
	ask := c.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {c.csrf()}, "back": {"/registrations/batch?plan=1"}}, false, nil)
	if ask.Status != http.StatusOK || !strings.Contains(ask.Text(`[data-testid="confirm-question"]`), "确定删除") {
		t.Errorf("删除 without confirmation: %d %q", ask.Status, ask.Text(`[data-testid="confirm-question"]`))
	}
	if v, _ := ask.Doc.Find(`[data-testid="confirm-page"] input[name="back"]`).Attr("value"); v != "/registrations/batch?plan=1" {
		t.Errorf("the question page does not carry back= on: %q", v)
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Where("id = ?", regID).Count(context.Background()); n != 1 {
		t.Fatal("删除 deleted before it was confirmed")
	}
	// Another enterprise cannot see or delete it.
	other := e.client().signIn("jianshe2")
	if q := other.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {other.csrf()}}, false, nil); q.Status != http.StatusNotFound {
		t.Errorf("other enterprise's unconfirmed delete: %d, want 404", q.Status)
	}
	if q := other.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {other.csrf()}, "confirmed": {"1"}}, false, nil); q.Status != http.StatusNotFound {
		t.Errorf("other enterprise delete: %d", q.Status)
	}
	// Paid: cannot be deleted.
	ctx := context.Background()
	now := time.Now().UTC()
	if _, err := e.db.NewUpdate().Model((*models.Registration)(nil)).Set("paid_at = ?", now).Where("id = ?", regID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	q := c.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}}, true, nil)
	if !strings.Contains(inTable(q).Text(`[data-testid="reg-row-message"]`), "已缴费") {
		t.Errorf("paid delete (htmx): %d %.300s", q.Status, q.Body)
	}
	if q := c.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}}, false, nil); q.Status != http.StatusConflict {
		t.Errorf("paid delete: %d", q.Status)
	}
	if _, err := e.db.NewUpdate().Model((*models.Registration)(nil)).Set("paid_at = NULL").Where("id = ?", regID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	q = c.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}}, true, nil)
	if !strings.Contains(q.Body, "已删除") {
		t.Errorf("delete: %.300s", q.Body)
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Count(ctx); n != 0 {
		t.Errorf("%d registrations left", n)
	}
}

func TestRegistrationWindowAndCapacity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "名额一人的考试", url.Values{"capacity": {"1"}})
	a := e.client().signIn("zhangsan")
	b := e.client().signIn("lisi")
	withEducation(t, e, "zhangsan", "lisi")
	f := map[string]string{"work_start_date": "2012-07-01", "employer_name": "某公司"}
	if p := a.regPost(planID, f, testPhoto(t, 600, 840, "jpeg")); p.Status != http.StatusSeeOther {
		t.Fatalf("first: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	p := b.regPost(planID, f, testPhoto(t, 600, 840, "jpeg"))
	if !strings.Contains(p.Text(`[data-testid="error-plan"]`), "名额已满") {
		t.Errorf("full: %q", p.Text(`[data-testid="error-plan"]`))
	}
	// Closed window.
	past := time.Now().Add(-time.Minute).UTC()
	if _, err := e.db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("registration_ends_at = ?", past).Set("capacity = 0").Where("id = ?", planID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	p = b.regPost(planID, f, testPhoto(t, 600, 840, "jpeg"))
	if !strings.Contains(p.Text(`[data-testid="error-plan"]`), "不在报名时间内") {
		t.Errorf("closed: %q", p.Text(`[data-testid="error-plan"]`))
	}
}

// SECURITY.md 22: 20 concurrent submits of the same person for the same plan → exactly one registration.
func TestConcurrentSubmitsMakeOneRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "并发测试考试", nil)
	c := e.client().signIn("zhangsan")
	withEducation(t, e, "zhangsan")
	tok := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First()
	token, _ := tok.Attr("value")
	img := testPhoto(t, 600, 840, "jpeg")
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := c.regPostToken(planID, token, map[string]string{"work_start_date": "2012-07-01", "employer_name": "某公司"}, img)
			mu.Lock()
			defer mu.Unlock()
			statuses[p.Status]++
			if p.Status == http.StatusOK && !strings.Contains(p.Text(`[data-testid="error-id_number"]`), "不能重复报名") {
				statuses[-1]++ // shown again, but not told why
			}
		}()
	}
	wg.Wait()
	n, err := e.db.NewSelect().Model((*models.Registration)(nil)).Where("plan_id = ?", planID).Count(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("%d registrations (%v); want exactly 1; statuses %v", n, err, statuses)
	}
	if statuses[http.StatusSeeOther] != 1 || statuses[http.StatusOK] != 19 || statuses[-1] != 0 {
		t.Errorf("statuses %v: want one success and the rest told the person is registered", statuses)
	}
}

// SECURITY.md 22, the two-process case: two servers on one database, 20 submits of the same person split between
// them → one registration.
func TestConcurrentSubmitsOnTwoServers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "两台服务器并发考试", nil)
	withEducation(t, e, "zhangsan")
	second := e.sibling(t)
	img := testPhoto(t, 600, 840, "jpeg")
	var clients []*client
	var tokens []string
	for _, srv := range []*env{e, second} {
		c := srv.client().signIn("zhangsan")
		tok, _ := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
		clients, tokens = append(clients, c), append(tokens, tok)
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			clients[i%2].regPostToken(planID, tokens[i%2], map[string]string{"work_start_date": "2012-07-01", "employer_name": "某公司"}, img)
		}(i)
	}
	wg.Wait()
	if n, err := e.db.NewSelect().Model((*models.Registration)(nil)).Where("plan_id = ?", planID).Count(context.Background()); err != nil || n != 1 {
		t.Fatalf("%d registrations (%v); want 1", n, err)
	}
}

// A wrong 姓名 on the 报名表 is said beside the 姓名 field: for a known person, and for a name that is not one.
func TestRegistrationNameErrorsShowBesideTheField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "姓名核对考试", nil)
	ids := benchStaff(t, e, 1)
	c := e.client().signIn("jianshe")
	fields := map[string]string{"id_number": ids[0], "name": "别人", "education": "本科", "work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}
	p := c.regPost(planID, fields, nil)
	if got := p.Text(`[data-testid="error-name"]`); got != "姓名与系统中该身份证号登记的姓名不一致" {
		t.Errorf("wrong name of a known person: %d %q", p.Status, got)
	}
	fields["id_number"], fields["name"] = newID(61), "张3"
	p = c.regPost(planID, fields, testPhoto(t, 600, 840, "jpeg"))
	if got := p.Text(`[data-testid="error-name"]`); got == "" || p.Status != http.StatusOK {
		t.Errorf("a name with a digit: %d %q", p.Status, got)
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Where("plan_id = ?", planID).Count(context.Background()); n != 0 {
		t.Errorf("%d registrations saved from forms with errors", n)
	}
}

// SECURITY.md 22 for someone new to the system: 20 报名表s for the same new person at once make one person and one
// registration, and every other answer says the person is already registered.
func TestConcurrentSubmitsOfANewPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "新人并发考试", nil)
	c := e.client().signIn("jianshe")
	tok, _ := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	idn := newID(88)
	img := testPhoto(t, 600, 840, "jpeg")
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]int{}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := c.regPostToken(planID, tok, map[string]string{"id_number": idn, "name": "并发新人", "education": "本科",
				"work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}, img)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case p.Status == http.StatusSeeOther:
				answers["saved"]++
			case strings.Contains(p.Text(`[data-testid="error-id_number"]`), "不能重复报名"):
				answers["already"]++
			default:
				answers[strconv.Itoa(p.Status)+" "+p.Doc.Find(".error, .alert").Text()]++
			}
		}()
	}
	wg.Wait()
	if answers["saved"] != 1 || answers["already"] != 19 {
		t.Errorf("answers %v: want 1 saved and 19 told the person is already registered", answers)
	}
	ctx := context.Background()
	if n, _ := e.db.NewSelect().Model((*models.Person)(nil)).Where("id_number = ?", idn).Count(ctx); n != 1 {
		t.Errorf("%d people with the ID number", n)
	}
	if n, _ := e.db.NewSelect().Model((*models.Registration)(nil)).Where("plan_id = ?", planID).Count(ctx); n != 1 {
		t.Errorf("%d registrations", n)
	}
}

// Every saved 报名表 leaves one audit row naming the registration by its number (on PostgreSQL written by the same
// statement as the registration), also once ids outgrow the number's 7 digits.
func TestRegistrationIsAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	planID := createPlan(t, e, "审计考试", nil)
	seq := "UPDATE sqlite_sequence SET seq = 12345678 WHERE name = 'registrations'"
	if e.db.Dialect().Name().String() == "pg" {
		seq = "SELECT setval(pg_get_serial_sequence('registrations', 'id'), 12345678)"
	}
	c := e.client().signIn("jianshe")
	ids := benchStaff(t, e, 1)
	for i, fields := range []map[string]string{
		{"id_number": ids[0], "name": "基准考生"},    // on the staff, photo on record: the registration alone
		{"id_number": newID(91), "name": "审计新人"}, // new: saved with the person, in a transaction
	} {
		if i == 1 {
			if _, err := e.db.ExecContext(ctx, seq); err != nil {
				t.Fatal(err)
			}
		}
		fields["education"], fields["work_start_date"], fields["employer_name"] = "本科", "2010-07-01", "北京城建示范工程有限公司"
		var photo []byte
		if i == 1 {
			photo = testPhoto(t, 600, 840, "jpeg")
		}
		if p := c.regPost(planID, fields, photo); p.Status != http.StatusSeeOther {
			t.Fatalf("register %d: %d %s", i, p.Status, p.Doc.Find(".error, .alert").Text())
		}
		reg, err := models.FindRegistration(ctx, e.db, planID, e.person(fields["id_number"]).ID)
		if err != nil {
			t.Fatal(err)
		}
		var evs []models.AuditEvent
		if err := e.db.NewSelect().Model(&evs).Where("event = ? AND object = ?", models.EventRegistered, "registration:"+reg.Number()).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Username != "jianshe" || evs[0].Detail != "审计考试" || evs[0].IP == "" || evs[0].Result != "ok" ||
			evs[0].AccountID == nil || evs[0].Role != models.RoleEnterprise {
			t.Errorf("registration %s (id %d): audit rows %+v", reg.Number(), reg.ID, evs)
		}
	}
}

// withEducation fills in the 学历 of demo practitioners (the demo leaves it empty), which their own 报名表 needs.
func withEducation(t testing.TB, e *env, usernames ...string) {
	t.Helper()
	for _, u := range usernames {
		if _, err := e.db.NewUpdate().Model((*models.Person)(nil)).Set("education = ?", "本科").Where("id_number = ?", demoCode(u)).
			Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// 核对身份证号 on an organization's 报名表 says, beside 身份证号, that the person is already registered for the plan:
// with the 报名编号 and status for the organization that made it, without them for another organization.
func TestCheckIDNumberSaysAlreadyRegistered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "核对重复报名考试", nil)
	c := e.client().signIn("jianshe")
	tok, _ := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	idn := newID(301)
	p := c.regPostToken(planID, tok, map[string]string{"id_number": idn, "name": "重复考生", "education": "本科", "work_start_date": "2010-07-01",
		"employer_name": "北京城建示范工程有限公司"}, testPhoto(t, 600, 840, "jpeg"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	reg, err := models.FindRegistration(context.Background(), e.db, planID, e.person(idn).ID)
	if err != nil {
		t.Fatal(err)
	}
	p = c.regPostToken(planID, tok, map[string]string{"id_number": idn, "check": "id"}, nil)
	if got := p.Text(`[data-testid="error-id_number"]`); got != "此人已报名该考试（报名编号 "+reg.Number()+"，状态 待审核）" {
		t.Errorf("核对 by the organization that registered them: %q", got)
	}
	other := e.client().signIn("jianshe2")
	otok, _ := other.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	p = other.regPostToken(planID, otok, map[string]string{"id_number": idn, "check": "id"}, nil)
	if got := p.Text(`[data-testid="error-id_number"]`); got != "此人已报名该考试，不能重复报名" || strings.Contains(p.Body, reg.Number()) {
		t.Errorf("核对 by another organization: %q", got)
	}
	// Someone not registered: nothing said.
	p = c.regPostToken(planID, tok, map[string]string{"id_number": newID(302), "check": "id"}, nil)
	if got := p.Text(`[data-testid="error-id_number"]`); got != "" {
		t.Errorf("核对 of someone not registered: %q", got)
	}
}
