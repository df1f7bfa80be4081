package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"examcert/models"
)

func (e *env) notify(username string, n models.Notice) int64 {
	e.t.Helper()
	acct := e.account(username)
	err := e.db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return models.Notify(ctx, tx, map[int64]models.Notice{acct.ID: n})
	})
	if err != nil {
		e.t.Fatal(err)
	}
	var id int64
	if err := e.db.NewSelect().Model((*models.Message)(nil)).Column("id").Where("account_id = ?", acct.ID).
		OrderExpr("id DESC").Limit(1).Scan(context.Background(), &id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// 消息: the header counts unread messages on every page; the list shows them newest first; 标为已读 works in place
// (the header's count too) and as a plain form; opening one marks it read and goes to the page it is about.
// Another account's message is 404.
func TestMessagesPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.notify("zhangsan", models.Notice{Kind: models.NoticeReturned, Title: "报名被退回修改", Body: "照片不清晰", Link: "/registrations"})
	second := e.notify("zhangsan", models.Notice{Kind: models.NoticeApproved, Title: "报名审核通过", Body: "请等待准考证", Link: "/registrations"})
	third := e.notify("zhangsan", models.Notice{Kind: models.NoticeTicketReady, Title: "准考证可打印", Body: "", Link: "https://evil.example/"})
	me := e.client().signIn("zhangsan")
	if n := me.get("/home").Text(`[data-testid="unread-count"]`); n != "3" {
		t.Fatalf("header unread count = %q, want 3", n)
	}
	p := me.get("/messages")
	rows := p.Doc.Find(`[data-testid="message-row"]`)
	if rows.Length() != 3 || !strings.Contains(rows.First().Text(), "准考证可打印") || !strings.Contains(rows.Last().Text(), "照片不清晰") {
		t.Fatalf("messages: %d rows: %s", rows.Length(), p.Text(`[data-testid="messages-panel"]`))
	}
	// In place with htmx: the panel, and the header's count out of band.
	h := me.submitHX("/messages", "/messages/"+strconv.FormatInt(second, 10)+"/read", url.Values{"page": {"1"}}, true)
	if h.Status != http.StatusOK || strings.Contains(h.Body, "<html") || !strings.Contains(h.Body, `id="unread-link" hx-swap-oob="true"`) ||
		h.Text(`[data-testid="unread-count"]`) != "2" || h.Text(`[data-testid="messages-unread"]`) != "2" {
		t.Fatalf("read with htmx: %d %s", h.Status, h.Body)
	}
	// Without JavaScript: a 303 back to the list.
	if p := me.submit("/messages", "/messages/"+strconv.FormatInt(first, 10)+"/read", nil); p.Status != http.StatusSeeOther || p.Location() != "/messages" {
		t.Fatalf("read without htmx: %d %s", p.Status, p.Location())
	}
	if n := me.get("/messages").Text(`[data-testid="unread-count"]`); n != "1" {
		t.Fatalf("unread after two reads = %q", n)
	}
	// Someone else's message: 404, and it stays unread.
	other := e.client().signIn("lisi")
	if p := other.submit("/messages", "/messages/"+strconv.FormatInt(third, 10)+"/read", nil); p.Status != http.StatusNotFound {
		t.Fatalf("another account reading it: %d", p.Status)
	}
	if p := other.get("/messages/" + strconv.FormatInt(third, 10)); p.Status != http.StatusNotFound {
		t.Fatalf("another account opening it: %d", p.Status)
	}
	// Opening: read, and off to its page, never off the site.
	if p := me.get("/messages/" + strconv.FormatInt(third, 10)); p.Status != http.StatusSeeOther || p.Location() != "/messages" {
		t.Fatalf("open with an outside link: %d %s", p.Status, p.Location())
	}
	if p := me.get("/messages"); p.Doc.Find(`[data-testid="unread-count"]`).Length() != 0 || p.Doc.Find(`[data-testid="messages-read-all"]`).Length() != 0 {
		t.Fatalf("all read, yet: %s", p.Text(`[data-testid="who"]`))
	}
	// 全部标为已读.
	e.notify("zhangsan", models.Notice{Kind: models.NoticePaid, Title: "缴费已确认", Link: "/registrations"})
	last := e.notify("zhangsan", models.Notice{Kind: models.NoticePaid, Title: "缴费已确认", Link: "/registrations"})
	if p := me.submit("/messages", "/messages/read-all", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("read all: %d", p.Status)
	}
	if n, _ := models.UnreadMessages(context.Background(), e.db, e.account("zhangsan").ID); n != 0 {
		t.Fatalf("unread after 全部标为已读 = %d", n)
	}
	if p := me.get("/messages/" + strconv.FormatInt(last, 10)); p.Location() != "/registrations" {
		t.Fatalf("open: %s", p.Location())
	}
}

// 通知设置: email and mobile, checked beside each field, saved with an audit row, with and without htmx.
func TestContactSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	me := e.client().signIn("jianshe")
	p := me.submitHX("/account/contact", "/account/contact", url.Values{"email": {"not-an-email"}, "mobile": {"12345"}}, true)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "请输入有效的电子邮箱") || !strings.Contains(p.Body, "请输入11位手机号码") {
		t.Fatalf("bad input: %d %s", p.Status, p.Body)
	}
	if a := e.account("jianshe"); a.Email != "" || a.Mobile != "" {
		t.Fatalf("saved bad input: %+v", a)
	}
	p = me.submit("/account/contact", "/account/contact", url.Values{"email": {" HR@Example.com "}, "mobile": {"１３８００１３８０００"}})
	if p.Status != http.StatusSeeOther || p.Location() != "/account/contact?ok=1" {
		t.Fatalf("save: %d %s", p.Status, p.Location())
	}
	if a := e.account("jianshe"); a.Email != "hr@example.com" || a.Mobile != "13800138000" {
		t.Fatalf("saved %q %q", a.Email, a.Mobile)
	}
	if len(e.auditEvents(models.EventContactUpdated)) != 1 {
		t.Fatal("no audit row")
	}
	if p := me.get("/account/contact?ok=1"); !strings.Contains(p.Body, "已保存") || !strings.Contains(p.Body, `value="hr@example.com"`) {
		t.Fatal("the page does not show what was saved")
	}
	// A notice now also goes by email and SMS.
	e.notify("jianshe", models.Notice{Kind: models.NoticeApproved, Title: "审核通过"})
	n, err := e.db.NewSelect().Model((*models.OutboxItem)(nil)).Count(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("outbox rows = %d, %v", n, err)
	}
	// Clearing both is allowed.
	if p := me.submit("/account/contact", "/account/contact", url.Values{"email": {""}, "mobile": {""}}); p.Status != http.StatusSeeOther {
		t.Fatalf("clear: %d", p.Status)
	}
}

var handlersEchoTask = models.DocumentTask{Name: "handlers_test.echo", Label: "测试文档",
	Make: func(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string, w io.Writer) (string, error) {
		_, err := io.WriteString(w, params["text"])
		return "测试.txt", err
	}}

func init() { models.RegisterDocument(handlersEchoTask) }

// 我的下载: the account's own requests with their status; a made file downloads for that account only (another
// account, an admin too, gets 404: SECURITY.md 9).
func TestDownloads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	me := e.client().signIn("jianshe")
	q, err := e.app.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	mine := models.Actor{Account: e.account("jianshe")}
	queued, err := q.RequestDocument(ctx, mine, handlersEchoTask.Name, map[string]string{"text": "x"})
	if err != nil {
		t.Fatal(err)
	}
	done, err := q.RequestDocument(ctx, mine, handlersEchoTask.Name, map[string]string{"text": "y"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := e.app.Blobs.Put(ctx, []byte("内容"))
	if err != nil {
		t.Fatal(err)
	}
	if err := models.FinishDownload(ctx, e.db, done, "测试.txt", key, 6); err != nil {
		t.Fatal(err)
	}
	p := me.get("/downloads")
	statuses := p.Doc.Find(`[data-testid="download-status"]`)
	if statuses.Length() != 2 || !strings.Contains(statuses.First().Text(), "已完成") || !strings.Contains(statuses.Last().Text(), "排队中") ||
		p.Doc.Find(`[data-testid="download-file"]`).Length() != 1 || !strings.Contains(p.Body, `hx-trigger="every 3s"`) {
		t.Fatalf("downloads page: %s", p.Text(`[data-testid="downloads-panel"]`))
	}
	file := "/downloads/" + strconv.FormatInt(done, 10) + "/file"
	if f := me.get(file); f.Status != http.StatusOK || f.Body != "内容" || !strings.Contains(f.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("file: %d %q %v", f.Status, f.Body, f.Header)
	}
	if f := me.get("/downloads/" + strconv.FormatInt(queued, 10) + "/file"); f.Status != http.StatusNotFound {
		t.Fatalf("a file not yet made: %d", f.Status)
	}
	for _, who := range []string{"jianshe2", "admin", "zhangsan"} {
		c := e.client().signIn(who)
		if f := c.get(file); f.Status != http.StatusNotFound {
			t.Errorf("%s fetching another account's download: %d", who, f.Status)
		}
		if strings.Contains(c.get("/downloads").Body, "测试文档") {
			t.Errorf("%s sees another account's download", who)
		}
	}
	if len(e.auditEvents(models.EventDownloadRequested)) != 2 {
		t.Error("requests not audited")
	}
}

// 后台任务: jobs by state with their error; 重试 of a failed job, in place and as a plain form; the outbox with the
// reason a row waits, and 重发 of a failed one.
func TestAdminJobsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	q, err := e.app.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.RequestDocument(ctx, models.Actor{Account: e.account("jianshe")}, handlersEchoTask.Name, nil); err != nil {
		t.Fatal(err)
	}
	adm := e.client().signIn("admin")
	if p := adm.get("/home"); p.Status == http.StatusOK && !strings.Contains(p.Body, "后台任务") {
		t.Fatal("no 后台任务 in the admin menu")
	}
	p := adm.get("/admin/jobs?state=available")
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid="job-row"]`).Length() != 1 || !strings.Contains(p.Body, "生成文件：测试文档") ||
		p.Doc.Find(`[data-testid="job-retry"]`).Length() != 0 {
		t.Fatalf("available jobs: %d %s", p.Status, p.Text(`[data-testid="jobs-panel"]`))
	}
	// Fail it as river would after its last attempt.
	jobErr := `{"at":"2026-12-01T00:00:00Z","attempt":3,"error":"磁盘已满","trace":""}`
	errs := "json_array(json(?))" // river keeps a job's errors as a JSON array on SQLite, a jsonb[] on PostgreSQL
	if e.db.Dialect().Name().String() == "pg" {
		errs = "ARRAY[?::jsonb]"
	}
	if _, err := e.db.ExecContext(ctx, `UPDATE river_job SET state = 'discarded', attempt = max_attempts, finalized_at = ?, `+
		`errors = `+errs, models.Now(), jobErr); err != nil {
		t.Fatal(err)
	}
	p = adm.get("/admin/jobs")
	if p.Text(`[data-testid="job-error"]`) != "磁盘已满" || p.Doc.Find(`[data-testid="job-retry"]`).Length() != 1 {
		t.Fatalf("failed jobs: %s", p.Text(`[data-testid="jobs-panel"]`))
	}
	action, _ := p.Doc.Find(`[data-testid="job-retry"]`).Closest("form").Attr("action")
	h := adm.submitHX("/admin/jobs", action, nil, true)
	if h.Status != http.StatusOK || strings.Contains(h.Body, "<html") || !strings.Contains(h.Body, "已重新排队") {
		t.Fatalf("retry with htmx: %d %s", h.Status, h.Body)
	}
	if p := adm.get("/admin/jobs?state=available"); p.Doc.Find(`[data-testid="job-row"]`).Length() != 1 {
		t.Fatal("the retried job is not waiting to run")
	}
	if p := adm.submit("/admin/jobs", action, nil); p.Status != http.StatusConflict {
		t.Fatalf("retrying a job that is not failed: %d", p.Status)
	}
	if len(e.auditEvents(models.EventJobRetried)) != 1 {
		t.Fatal("重试 not audited")
	}
	// The outbox: an SMS waits with its reason; a failed email is sent again with 重发 (a plain form here).
	e.db.NewUpdate().Model((*models.Account)(nil)).Set("email = 'a@example.com', mobile = '13900000000'").
		Where("username = 'zhangsan'").Exec(ctx)
	e.notify("zhangsan", models.Notice{Kind: models.NoticeApproved, Title: "审核通过"})
	e.db.NewUpdate().Model((*models.OutboxItem)(nil)).Set("last_error = '未配置短信通道'").Where("channel = 'sms'").Exec(ctx)
	e.db.NewUpdate().Model((*models.OutboxItem)(nil)).Set("status = 'failed', attempts = 5, last_error = '550 mailbox unavailable'").
		Where("channel = 'email'").Exec(ctx)
	if p := adm.get("/admin/jobs?outbox=pending"); p.Text(`[data-testid="outbox-error"]`) != "未配置短信通道" {
		t.Fatalf("pending outbox: %s", p.Text(`[data-testid="jobs-panel"]`))
	}
	p = adm.get("/admin/jobs?outbox=failed")
	if p.Text(`[data-testid="outbox-error"]`) != "550 mailbox unavailable" {
		t.Fatalf("failed outbox: %s", p.Text(`[data-testid="jobs-panel"]`))
	}
	action, _ = p.Doc.Find(`[data-testid="outbox-resend"]`).Closest("form").Attr("action")
	if r := adm.submit("/admin/jobs?outbox=failed", action, nil); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/admin/jobs?") {
		t.Fatalf("重发: %d %s", r.Status, r.Location())
	}
	var st string
	e.db.NewSelect().Model((*models.OutboxItem)(nil)).Column("status").Where("channel = 'email'").Scan(ctx, &st)
	if st != "pending" || len(e.auditEvents(models.EventOutboxResent)) != 1 {
		t.Fatalf("after 重发: %s", st)
	}
	// Not for anyone else.
	if p := e.client().signIn("jianshe").get("/admin/jobs"); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Fatalf("an enterprise on 后台任务: %d", p.Status)
	}
}
