package jobs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/riverqueue/river"

	"examcert/models"
)

// Kinds of job.
const (
	KindPeriodic = "periodic"
	KindDocument = "document"
	KindOutbox   = "outbox.send"
)

// PeriodicArgs runs one registered periodic task once.
type PeriodicArgs struct {
	Task string `json:"task"`
}

// Kind implements river.JobArgs.
func (PeriodicArgs) Kind() string { return KindPeriodic }

// DocumentArgs makes one requested document (a downloads row).
type DocumentArgs struct {
	DownloadID int64 `json:"download_id"`
}

// Kind implements river.JobArgs.
func (DocumentArgs) Kind() string { return KindDocument }

// OutboxArgs sends what is due in the outbox.
type OutboxArgs struct{}

// Kind implements river.JobArgs.
func (OutboxArgs) Kind() string { return KindOutbox }

type periodicWorker struct {
	river.WorkerDefaults[PeriodicArgs]
	r *Runner
}

func (w *periodicWorker) Work(ctx context.Context, job *river.Job[PeriodicArgs]) error {
	t, ok := w.r.tasks[job.Args.Task]
	if !ok {
		// A task this version no longer has (or one another version of the server scheduled): nothing to run.
		return river.JobCancel(fmt.Errorf("没有名为 %s 的定时任务", job.Args.Task))
	}
	n, err := t.Run(ctx, w.r.db, models.Now())
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, map[string]int{"changed": n})
}

type outboxWorker struct {
	river.WorkerDefaults[OutboxArgs]
	r *Runner
}

func (w *outboxWorker) Work(ctx context.Context, job *river.Job[OutboxArgs]) error {
	res, err := w.r.sender.SendDue(ctx, models.Now())
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, res)
}

type documentWorker struct {
	river.WorkerDefaults[DocumentArgs]
	r *Runner
}

// Work makes the document as the account that asked (models.Actor of that account, checked again now: an account
// disabled since, or a record gone out of its scope, gets nothing), to a temporary file, then into the blob store.
func (w *documentWorker) Work(ctx context.Context, job *river.Job[DocumentArgs]) error {
	db := w.r.db
	d, err := models.LoadDownload(ctx, db, job.Args.DownloadID)
	if errors.Is(err, models.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil || d.Status == models.DownloadDone {
		return err
	}
	giveUp := func(msg string) error {
		if err := models.FailDownload(ctx, db, d.ID, msg); err != nil {
			return err
		}
		return river.JobCancel(errors.New(msg))
	}
	acct, err := models.GetAccount(ctx, db, d.AccountID)
	if err != nil {
		return err
	}
	if acct.Disabled {
		return giveUp("账号已停用")
	}
	if acct.OrganizationID != nil { // as the session loads it: Make may look at the organization
		if acct.Organization, err = models.GetOrganization(ctx, db, *acct.OrganizationID); err != nil {
			return err
		}
	}
	task, ok := models.DocumentTaskNamed(d.Task)
	if !ok {
		return giveUp("系统已不再提供此文件：" + d.Label)
	}
	if err := models.SetDownloadRunning(ctx, db, d.ID); err != nil {
		return err
	}
	actor := models.Actor{Account: acct, RequestID: "job-" + strconv.FormatInt(job.ID, 10)}
	name, size, key, err := w.make(ctx, task, actor, d.ParamMap())
	if err != nil {
		var fe models.FieldErrors
		if errors.Is(err, models.ErrNotFound) || errors.Is(err, models.ErrNotAllowed) || errors.As(err, &fe) {
			return giveUp(err.Error()) // retrying will not change the answer
		}
		msg := err.Error()
		if job.Attempt >= job.MaxAttempts {
			return giveUp(msg)
		}
		if ferr := models.RetryDownload(ctx, db, d.ID, "第 "+strconv.Itoa(job.Attempt)+" 次生成失败，稍后重试："+msg); ferr != nil {
			return ferr
		}
		return err
	}
	return models.FinishDownload(ctx, db, d.ID, name, key, size)
}

// make runs task.Make into a temporary file and stores the file.
func (w *documentWorker) make(ctx context.Context, task models.DocumentTask, actor models.Actor, params map[string]string) (string, int64, string, error) {
	f, err := os.CreateTemp("", "examcert-document-*")
	if err != nil {
		return "", 0, "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := bufio.NewWriterSize(f, 256<<10)
	name, err := task.Make(ctx, w.r.db, actor, params, buf)
	if err != nil {
		return "", 0, "", err
	}
	if err := buf.Flush(); err != nil {
		return "", 0, "", err
	}
	if err := f.Close(); err != nil {
		return "", 0, "", err
	}
	// The blob store takes whole contents (its Put is atomic over a byte slice), so the finished file is read
	// back once here; the making of it, which is what grows with the document, stayed on disk.
	data, err := os.ReadFile(f.Name())
	if err != nil {
		return "", 0, "", err
	}
	key, err := w.r.blobs.Put(ctx, data)
	if err != nil {
		return "", 0, "", err
	}
	if name == "" {
		name = task.Label
	}
	return name, int64(len(data)), key, nil
}
