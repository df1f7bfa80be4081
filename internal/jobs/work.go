package jobs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
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
// disabled since, or a record gone out of its scope, gets nothing), streamed into the blob store as it is written.
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

// make runs task.Make straight into the blob store through a pipe: the document is stored as it is written, and
// neither the making nor the storing holds it whole, in memory or in a second file. A Make that fails stores
// nothing (its error reaches the store's reader, which then keeps no blob).
func (w *documentWorker) make(ctx context.Context, task models.DocumentTask, actor models.Actor, params map[string]string) (string, int64, string, error) {
	pr, pw := io.Pipe()
	type made struct {
		name string
		err  error
	}
	done := make(chan made, 1)
	go func() {
		var m made
		defer func() {
			if p := recover(); p != nil {
				m.err = fmt.Errorf("生成文件时出错：%v", p)
			}
			pw.CloseWithError(m.err) // nil: the reader sees EOF
			done <- m
		}()
		buf := bufio.NewWriterSize(pw, 256<<10)
		if m.name, m.err = task.Make(ctx, w.r.db, actor, params, buf); m.err == nil {
			m.err = buf.Flush()
		}
	}()
	key, size, perr := w.r.blobs.PutReader(ctx, pr)
	pr.CloseWithError(errStoreGaveUp) // a store that stopped early unblocks the writer
	m := <-done
	switch {
	case m.err != nil && perr == nil: // cannot happen: Make's error ends the store's read
		_ = w.r.blobs.Delete(ctx, key)
		return "", 0, "", m.err
	case m.err != nil && !errors.Is(m.err, errStoreGaveUp):
		return "", 0, "", m.err
	case perr != nil:
		return "", 0, "", perr
	}
	if m.name == "" {
		m.name = task.Label
	}
	return m.name, size, key, nil
}

// errStoreGaveUp is what Make's writes return once the store has stopped reading (its own error says why).
var errStoreGaveUp = errors.New("文件未能保存")
