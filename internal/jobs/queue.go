package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"examcert/models"
)

// Queue is what request handlers use of the job system: ask for a document, list jobs, retry one. It is an
// insert-only river client (it works no jobs), so every server process has one whether or not its runner runs.
type Queue struct {
	db     *bun.DB
	client *river.Client[*sql.Tx]
}

// NewQueue makes the queue over db.
func NewQueue(db *bun.DB) (*Queue, error) {
	c, err := river.NewClient(driverFor(db), &river.Config{Logger: quietLogger()})
	if err != nil {
		return nil, err
	}
	return &Queue{db: db, client: c}, nil
}

// documentAttempts is how many times a document job is tried: a Make that fails for a lasting reason fails three
// times the same way, and a passing one (the database restarting) is over by then.
const documentAttempts = 3

// RequestDocument asks for the registered DocumentTask named task to be made for the actor with params: the
// 我的下载 row (status 排队中) with its audit row and the job that makes it, in one transaction. It returns the
// download's id. An unknown task is models.ErrNotFound; an actor without an account models.ErrNotAllowed. The task's
// Make checks, as the actor, everything else when it runs.
func (q *Queue) RequestDocument(ctx context.Context, actor models.Actor, task string, params map[string]string) (int64, error) {
	var id int64
	err := q.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		d, err := models.CreateDownload(ctx, tx, actor, task, params)
		if err != nil {
			return err
		}
		id = d.ID
		_, err = q.client.InsertTx(ctx, tx.Tx, DocumentArgs{DownloadID: d.ID}, &river.InsertOpts{MaxAttempts: documentAttempts})
		return err
	})
	return id, err
}

// JobStates are the states the 后台任务 page lists, in its order, with their Chinese names.
var JobStates = []struct {
	State rivertype.JobState
	Label string
}{
	{rivertype.JobStateAvailable, "待执行"},
	{rivertype.JobStateScheduled, "已计划"},
	{rivertype.JobStateRunning, "执行中"},
	{rivertype.JobStateRetryable, "等待重试"},
	{rivertype.JobStateDiscarded, "失败"},
	{rivertype.JobStateCancelled, "已取消"},
	{rivertype.JobStateCompleted, "已完成"},
}

// StateLabel names a job state in Chinese.
func StateLabel(s rivertype.JobState) string {
	for _, x := range JobStates {
		if x.State == s {
			return x.Label
		}
	}
	return string(s)
}

// Job is one row of the 后台任务 page.
type Job struct {
	ID          int64
	Kind        string // the Chinese name of what it does
	State       rivertype.JobState
	Attempt     int
	MaxAttempts int
	Error       string // the last error, if any
	CreatedAt   time.Time
	ScheduledAt time.Time
	AttemptedAt *time.Time
	FinalizedAt *time.Time
	Output      string
}

// Retryable says whether 重试 applies: failed, cancelled or waiting to be retried.
func (j Job) Retryable() bool {
	return j.State == rivertype.JobStateDiscarded || j.State == rivertype.JobStateCancelled ||
		j.State == rivertype.JobStateRetryable
}

// ListJobs lists up to limit jobs in state, newest first, after the job id after (0: from the newest), for an
// admin. It returns the id to continue after (0 when there is no more).
func (q *Queue) ListJobs(ctx context.Context, actor models.Actor, state rivertype.JobState, after int64, limit int) ([]Job, int64, error) {
	if !actor.Is(models.RoleAdmin) {
		return nil, 0, models.ErrNotAllowed
	}
	p := river.NewJobListParams().States(state).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit + 1)
	if after > 0 {
		p = p.Where("id < @after", river.NamedArgs{"after": after})
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	var out []Job
	var next int64
	for i, r := range res.Jobs {
		if i == limit {
			next = out[len(out)-1].ID
			break
		}
		out = append(out, q.describe(ctx, r))
	}
	return out, next, nil
}

// describe turns river's row into the page's row, naming the task in Chinese.
func (q *Queue) describe(ctx context.Context, r *rivertype.JobRow) Job {
	j := Job{ID: r.ID, State: r.State, Attempt: r.Attempt, MaxAttempts: r.MaxAttempts, CreatedAt: r.CreatedAt,
		ScheduledAt: r.ScheduledAt, AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt, Kind: r.Kind}
	if n := len(r.Errors); n > 0 {
		j.Error = r.Errors[n-1].Error
	}
	if out := r.Output(); len(out) > 0 {
		j.Output = string(out)
	}
	switch r.Kind {
	case KindOutbox:
		j.Kind = "发送邮件和短信"
	case KindPeriodic:
		var a PeriodicArgs
		if json.Unmarshal(r.EncodedArgs, &a) == nil {
			j.Kind = "定时任务：" + periodicLabel(a.Task)
		}
	case KindDocument:
		var a DocumentArgs
		if json.Unmarshal(r.EncodedArgs, &a) == nil {
			j.Kind = "生成文件：下载 " + strconv.FormatInt(a.DownloadID, 10)
			if d, err := models.LoadDownload(ctx, q.db, a.DownloadID); err == nil {
				j.Kind = "生成文件：" + d.Label
			}
		}
	}
	return j
}

func periodicLabel(name string) string {
	for _, t := range models.PeriodicTasks() {
		if t.Name == name && t.Label != "" {
			return t.Label
		}
	}
	return name
}

// RetryJob is 重试: an admin sends a failed, cancelled or retryable job back to run now, with the audit row. A
// job in any other state is models.ErrConflict; an unknown id models.ErrNotFound.
func (q *Queue) RetryJob(ctx context.Context, actor models.Actor, id int64) error {
	if !actor.Is(models.RoleAdmin) {
		return models.ErrNotAllowed
	}
	return q.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		row, err := q.client.JobGetTx(ctx, tx.Tx, id)
		if errors.Is(err, river.ErrNotFound) {
			return models.ErrNotFound
		}
		if err != nil {
			return err
		}
		if !(Job{State: row.State}).Retryable() {
			return models.ErrConflict
		}
		if _, err := q.client.JobRetryTx(ctx, tx.Tx, id); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, models.EventJobRetried, "job:"+strconv.FormatInt(id, 10), "ok",
			q.describe(ctx, row).Kind)
	})
}
