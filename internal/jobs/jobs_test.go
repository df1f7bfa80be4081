package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"examcert/internal/blobstore"
	"examcert/internal/database"
	"examcert/internal/dbtest"
	"examcert/internal/jobs"
	"examcert/models"
)

// openDB is a migrated database (ours and river's: database.Migrate applies both) for one test.
func openDB(t *testing.T) *bun.DB {
	t.Helper()
	return dbtest.Open(t)
}

// twoPools is one database reached through two separate pools, as two server processes reach it: on SQLite two
// opens of the same file (each with its own write queue), on PostgreSQL two connection pools.
func twoPools(t *testing.T) (*bun.DB, *bun.DB) {
	t.Helper()
	ctx := context.Background()
	first, url := dbtest.OpenWithURL(t)
	if url == "" { // SQLite: dbtest's file is out of reach, so both open a file of their own folder
		dir := t.TempDir()
		var dbs [2]*bun.DB
		for i := range dbs {
			db, err := database.Open(ctx, "", dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[i] = db
		}
		if _, err := database.Migrate(ctx, dbs[0]); err != nil {
			t.Fatal(err)
		}
		return dbs[0], dbs[1]
	}
	second, err := database.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	return first, second
}

func newAccount(t *testing.T, db bun.IDB, username, email, mobile string) *models.Account {
	t.Helper()
	a := &models.Account{Username: username, PasswordHash: "x", Role: models.RolePractitioner, DisplayName: "张三",
		Email: email, Mobile: mobile}
	if err := models.InsertAccount(context.Background(), db, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func notify(t *testing.T, db *bun.DB, acct int64, n models.Notice) {
	t.Helper()
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return models.Notify(ctx, tx, map[int64]models.Notice{acct: n})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func outboxRows(t *testing.T, db bun.IDB) map[string]models.OutboxItem {
	t.Helper()
	var rows []models.OutboxItem
	if err := db.NewSelect().Model(&rows).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[string]models.OutboxItem{}
	for _, r := range rows {
		out[r.Channel+":"+r.Recipient] = r
	}
	return out
}

var notice = models.Notice{Kind: models.NoticeApproved, Title: "报名审核通过：2026年施工员考试",
	Body: "您的报名已审核通过，请按通知缴费。", Link: "/registrations/1"}

// A notice is a 消息 row plus an email and an SMS in the outbox; the sender delivers the email to a real SMTP
// server (mailpit), in UTF-8, and the SMS, with no SMS channel here, waits with the reason.
func TestOutboxDeliversEmailToSMTPServer(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	mp := startMailpit(t, 0)
	acct := newAccount(t, db, "zhangsan", "zhangsan@example.com", "13800138000")
	notify(t, db, acct.ID, notice)

	msgs, n, err := models.ListMessages(ctx, db, models.Actor{Account: acct}, 0, 10)
	if err != nil || n != 1 || msgs[0].Title != notice.Title || msgs[0].ReadAt != nil {
		t.Fatalf("messages = %+v, %d, %v", msgs, n, err)
	}
	rows := outboxRows(t, db)
	if len(rows) != 2 || rows["email:zhangsan@example.com"].Status != "pending" || rows["sms:13800138000"].Status != "pending" {
		t.Fatalf("outbox = %+v", rows)
	}

	s := jobs.NewSender(db, jobs.SMTP{Host: "127.0.0.1", Port: mp.SMTPPort, From: "考务系统 <noreply@example.com>"}, nil, jobs.SendPolicy{})
	res, err := s.SendDue(ctx, models.Now())
	if err != nil || res != (jobs.SendResult{Sent: 1, Held: 1}) {
		t.Fatalf("SendDue = %+v, %v", res, err)
	}
	got := mp.messages(t)
	if len(got) != 1 || got[0].Subject != notice.Title || len(got[0].To) != 1 || got[0].To[0].Address != "zhangsan@example.com" ||
		!strings.Contains(got[0].Text, notice.Body) {
		t.Fatalf("mailpit received %+v", got)
	}
	rows = outboxRows(t, db)
	if e := rows["email:zhangsan@example.com"]; e.Status != "sent" || e.SentAt == nil || e.Attempts != 1 {
		t.Fatalf("email row = %+v", e)
	}
	if s := rows["sms:13800138000"]; s.Status != "pending" || s.LastError != jobs.NoSMSChannel || s.Attempts != 0 {
		t.Fatalf("sms row = %+v", s)
	}
	// Nothing is sent twice.
	if res, err := s.SendDue(ctx, models.Now()); err != nil || res != (jobs.SendResult{}) {
		t.Fatalf("second SendDue = %+v, %v", res, err)
	}
	if got := mp.messages(t); len(got) != 1 {
		t.Fatalf("mailpit has %d messages after a second run", len(got))
	}
}

// The SMTP server is down: the email is tried again after the backoff, and goes out once the server is up.
func TestOutboxRetriesUntilSMTPServerIsUp(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	acct := newAccount(t, db, "lisi", "lisi@example.com", "")
	notify(t, db, acct.ID, notice)
	port := freePort(t) // nobody listens yet
	s := jobs.NewSender(db, jobs.SMTP{Host: "127.0.0.1", Port: port, From: "noreply@example.com", Timeout: 3 * time.Second}, nil,
		jobs.SendPolicy{MaxAttempts: 3, Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute }})
	now := models.Now()
	if res, err := s.SendDue(ctx, now); err != nil || res != (jobs.SendResult{Retried: 1}) {
		t.Fatalf("SendDue with the server down = %+v, %v", res, err)
	}
	row := outboxRows(t, db)["email:lisi@example.com"]
	if row.Status != "pending" || row.Attempts != 1 || row.LastError == "" || row.NextAttemptAt.Sub(now) < 59*time.Second {
		t.Fatalf("row after a failed try = %+v", row)
	}
	// Not due before its time.
	if res, err := s.SendDue(ctx, now.Add(30*time.Second)); err != nil || res != (jobs.SendResult{}) {
		t.Fatalf("SendDue before the backoff = %+v, %v", res, err)
	}
	mp := startMailpit(t, port)
	if res, err := s.SendDue(ctx, now.Add(61*time.Second)); err != nil || res != (jobs.SendResult{Sent: 1}) {
		t.Fatalf("SendDue with the server up = %+v, %v", res, err)
	}
	if got := mp.messages(t); len(got) != 1 || got[0].Subject != notice.Title {
		t.Fatalf("mailpit received %+v", got)
	}
	if row := outboxRows(t, db)["email:lisi@example.com"]; row.Status != "sent" || row.Attempts != 2 || row.LastError != "" {
		t.Fatalf("row after delivery = %+v", row)
	}
}

// After MaxAttempts failed tries the row is failed, with the error, and 重发 puts it back in line.
func TestOutboxGivesUpAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	acct := newAccount(t, db, "wangwu", "wangwu@example.com", "")
	notify(t, db, acct.ID, notice)
	s := jobs.NewSender(db, jobs.SMTP{Host: "127.0.0.1", Port: freePort(t), From: "noreply@example.com", Timeout: 3 * time.Second}, nil,
		jobs.SendPolicy{MaxAttempts: 2, Backoff: func(int) time.Duration { return time.Minute }})
	now := models.Now()
	if res, _ := s.SendDue(ctx, now); res.Retried != 1 {
		t.Fatalf("first try = %+v", res)
	}
	if res, _ := s.SendDue(ctx, now.Add(2*time.Minute)); res.Failed != 1 {
		t.Fatalf("second try = %+v", res)
	}
	row := outboxRows(t, db)["email:wangwu@example.com"]
	if row.Status != "failed" || row.Attempts != 2 || !strings.Contains(row.LastError, "无法连接邮件服务器") {
		t.Fatalf("row = %+v", row)
	}
	if res, _ := s.SendDue(ctx, now.Add(time.Hour)); res != (jobs.SendResult{}) {
		t.Fatalf("a failed row was tried again: %+v", res)
	}
	admin := models.Actor{Account: &models.Account{ID: acct.ID, Role: models.RoleAdmin, Username: "admin"}}
	if err := models.ResendOutbox(ctx, db, models.Actor{Account: acct}, row.ID); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("a practitioner resent: %v", err)
	}
	if err := models.ResendOutbox(ctx, db, admin, row.ID); err != nil {
		t.Fatal(err)
	}
	if row := outboxRows(t, db)["email:wangwu@example.com"]; row.Status != "pending" || row.Attempts != 0 {
		t.Fatalf("row after 重发 = %+v", row)
	}
}

// Two senders (two processes) over the same rows: every email goes out exactly once.
func TestOutboxTwoSendersSendOnce(t *testing.T) {
	ctx := context.Background()
	a, b := twoPools(t)
	mp := startMailpit(t, 0)
	const n = 40
	for i := range n {
		acct := newAccount(t, a, fmt.Sprintf("user%02d", i), fmt.Sprintf("user%02d@example.com", i), "")
		notify(t, a, acct.ID, notice)
	}
	smtp := jobs.SMTP{Host: "127.0.0.1", Port: mp.SMTPPort, From: "noreply@example.com"}
	policy := jobs.SendPolicy{Batch: 5}
	results := make(chan jobs.SendResult, 2)
	for _, db := range []*bun.DB{a, b} {
		go func() {
			res, err := jobs.NewSender(db, smtp, nil, policy).SendDue(ctx, models.Now())
			if err != nil {
				t.Error(err)
			}
			results <- res
		}()
	}
	r1, r2 := <-results, <-results
	if r1.Sent+r2.Sent != n {
		t.Fatalf("sent %d + %d, want %d in all", r1.Sent, r2.Sent, n)
	}
	if got := mp.messages(t); len(got) != n {
		t.Fatalf("mailpit received %d messages, want %d", len(got), n)
	}
}

// The test's document task: the params' text, as a file.
var echoTask = models.DocumentTask{Name: "jobs_test.echo", Label: "测试文件",
	Make: func(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string, w io.Writer) (string, error) {
		if params["fail"] != "" {
			return "", models.ErrNotAllowed
		}
		_, err := io.WriteString(w, actor.Account.Username+":"+params["text"])
		return "echo.txt", err
	}}

func init() { models.RegisterDocument(echoTask) }

func newRunner(t *testing.T, db *bun.DB, blobs blobstore.Store, id string, periodic []models.PeriodicTask) *jobs.Runner {
	t.Helper()
	if periodic == nil {
		periodic = []models.PeriodicTask{}
	}
	r, err := jobs.New(db, blobs, jobs.Options{ID: id, Periodic: periodic, PollEvery: 100 * time.Millisecond,
		OutboxEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A document asked for while no runner runs is made by the next runner that starts: jobs live in the database and
// survive the stop of one client and the start of another.
func TestDocumentJobSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	blobs, err := blobstore.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	acct := newAccount(t, db, "zhaoliu", "", "")
	actor := models.Actor{Account: acct}
	first := newRunner(t, db, blobs, "first", nil)
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.NewQueue(db)
	if err != nil {
		t.Fatal(err)
	}
	id, err := q.RequestDocument(ctx, actor, echoTask.Name, map[string]string{"text": "你好"})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := q.RequestDocument(ctx, actor, echoTask.Name, map[string]string{"fail": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.RequestDocument(ctx, actor, "no.such.task", nil); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown task: %v", err)
	}
	if d, _ := models.GetDownload(ctx, db, actor, id); d.Status != models.DownloadQueued {
		t.Fatalf("before a runner: %+v", d)
	}
	second := newRunner(t, db, blobs, "second", nil)
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Stop(context.Background()) })
	var d *models.Download
	waitFor(t, "the document", func() bool {
		d, err = models.GetDownload(ctx, db, actor, id)
		return err == nil && d.Status == models.DownloadDone
	})
	data, err := blobs.Get(ctx, d.BlobKey)
	if err != nil || string(data) != "zhaoliu:你好" || d.Filename != "echo.txt" || d.Size != int64(len(data)) {
		t.Fatalf("download %+v holds %q, %v", d, data, err)
	}
	waitFor(t, "the refused document", func() bool {
		d, err = models.GetDownload(ctx, db, actor, bad)
		return err == nil && d.Status == models.DownloadFailed
	})
	if d.Error == "" {
		t.Fatalf("failed download without its reason: %+v", d)
	}
	// Someone else's download is not found.
	other := newAccount(t, db, "other", "", "")
	if _, err := models.GetDownload(ctx, db, models.Actor{Account: other}, id); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("another account's download: %v", err)
	}
	// The failed job is on the 后台任务 list, with its error, and 重试 sends it back.
	admin := models.Actor{Account: &models.Account{ID: acct.ID, Role: models.RoleAdmin, Username: "admin"}}
	var list []jobs.Job
	waitFor(t, "the refused job to be cancelled", func() bool {
		list, _, err = q.ListJobs(ctx, admin, rivertype.JobStateCancelled, 0, 10)
		return err != nil || len(list) > 0
	})
	if err != nil || len(list) != 1 || list[0].Error == "" || list[0].Kind != "生成文件：测试文件" {
		t.Fatalf("cancelled jobs = %+v, %v", list, err)
	}
	if _, _, err := q.ListJobs(ctx, actor, rivertype.JobStateCancelled, 0, 10); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("a practitioner listed jobs: %v", err)
	}
	var done []jobs.Job
	waitFor(t, "the made job to be completed", func() bool {
		done, _, err = q.ListJobs(ctx, admin, rivertype.JobStateCompleted, 0, 10)
		return err != nil || len(done) > 0
	})
	if err != nil || len(done) != 1 {
		t.Fatalf("completed jobs = %+v, %v", done, err)
	}
	if err := q.RetryJob(ctx, admin, done[0].ID); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("retrying a completed job: %v", err)
	}
	if err := q.RetryJob(ctx, admin, list[0].ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried job to run again", func() bool {
		j, _, _ := q.ListJobs(ctx, admin, rivertype.JobStateCancelled, 0, 10)
		return len(j) == 1 && j[0].Attempt == 2
	})
}

// Two runners (two processes) on one database: a periodic task runs once per period, and at once on start.
func TestPeriodicTaskRunsOnceAcrossRunners(t *testing.T) {
	ctx := context.Background()
	a, b := twoPools(t)
	var runs atomic.Int32
	const every = 24 * time.Hour
	period := models.Now().Truncate(every)
	task := models.PeriodicTask{Name: "jobs_test.count", Label: "计数", Every: every,
		Run: func(ctx context.Context, db bun.IDB, now time.Time) (int, error) { runs.Add(1); return 1, nil }}
	blobs, err := blobstore.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var runners []*jobs.Runner
	for i, db := range []*bun.DB{a, b} {
		r := newRunner(t, db, blobs, fmt.Sprintf("process%d", i), []models.PeriodicTask{task})
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		runners = append(runners, r)
	}
	waitFor(t, "the periodic task", func() bool { return runs.Load() >= 1 })
	time.Sleep(3 * time.Second) // a second leader, or a second RunOnStart, would have run it by now
	for _, r := range runners {
		if err := r.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Both processes restart within the period: RunOnStart fires again, and the unique period keeps it to one run.
	for i, db := range []*bun.DB{b, a} {
		r := newRunner(t, db, blobs, fmt.Sprintf("again%d", i), []models.PeriodicTask{task})
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Stop(context.Background()) })
	}
	time.Sleep(3 * time.Second)
	if !models.Now().Truncate(every).Equal(period) {
		t.Skip("the test crossed a period boundary (midnight UTC): a second run was due")
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("the task ran %d times in one period, want 1", n)
	}
	var completed int64
	completed, err = a.NewSelect().Table("river_job").Where("kind = ? AND state = ?", jobs.KindPeriodic, "completed").Count(ctx)
	if err != nil || completed != 1 {
		t.Fatalf("completed periodic jobs = %d, %v", completed, err)
	}
}

var flakyTries atomic.Int32

// flakyTask fails its first try with a passing error (a database restart, a full disk) and works the next.
var flakyTask = models.DocumentTask{Name: "jobs_test.flaky", Label: "偶发失败的文件",
	Make: func(ctx context.Context, db bun.IDB, actor models.Actor, params map[string]string, w io.Writer) (string, error) {
		if flakyTries.Add(1) == 1 {
			return "", errors.New("磁盘暂时不可用")
		}
		_, err := io.WriteString(w, "ok")
		return "flaky.txt", err
	}}

func init() { models.RegisterDocument(flakyTask) }

// A document whose making fails for a passing reason is tried again by river, and then made.
func TestDocumentJobRetriesAfterPassingFailure(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	blobs, err := blobstore.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	acct := newAccount(t, db, "sunqi", "", "")
	actor := models.Actor{Account: acct}
	q, err := jobs.NewQueue(db)
	if err != nil {
		t.Fatal(err)
	}
	id, err := q.RequestDocument(ctx, actor, flakyTask.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, db, blobs, "retry", nil)
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	waitFor(t, "the first, failed try", func() bool {
		d, err := models.GetDownload(ctx, db, actor, id)
		return err == nil && strings.Contains(d.Error, "磁盘暂时不可用")
	})
	if d, _ := models.GetDownload(ctx, db, actor, id); d.Status != models.DownloadQueued && d.Status != models.DownloadRunning && d.Status != models.DownloadDone {
		t.Fatalf("after a passing failure: %+v", d)
	}
	var d *models.Download
	waitFor(t, "the retried document", func() bool {
		d, err = models.GetDownload(ctx, db, actor, id)
		return err == nil && d.Status == models.DownloadDone
	})
	if d.Error != "" || flakyTries.Load() != 2 {
		t.Fatalf("download %+v after %d tries", d, flakyTries.Load())
	}
}

// The 后台任务 list pages by job id, newest first.
func TestListJobsPages(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	acct := newAccount(t, db, "zhouba", "", "")
	q, err := jobs.NewQueue(db)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := q.RequestDocument(ctx, models.Actor{Account: acct}, echoTask.Name, nil); err != nil {
			t.Fatal(err)
		}
	}
	admin := models.Actor{Account: &models.Account{ID: acct.ID, Role: models.RoleAdmin, Username: "admin"}}
	first, next, err := q.ListJobs(ctx, admin, rivertype.JobStateAvailable, 0, 2)
	if err != nil || len(first) != 2 || next != first[1].ID || first[0].ID <= first[1].ID {
		t.Fatalf("first page = %+v, next %d, %v", first, next, err)
	}
	rest, next, err := q.ListJobs(ctx, admin, rivertype.JobStateAvailable, next, 2)
	if err != nil || len(rest) != 1 || next != 0 || rest[0].ID >= first[1].ID {
		t.Fatalf("second page = %+v, next %d, %v", rest, next, err)
	}
}
