// Package jobs runs the background work of the server on river (github.com/riverqueue/river), on SQLite or
// PostgreSQL, whichever the server uses: every registered models.PeriodicTask on its schedule (once across all
// server processes: only river's elected leader schedules them, and each run is a unique job per period), every
// models.DocumentTask an account asks for (我的下载), and the outbox sender (email over SMTP, SMS behind SMSSender).
// Jobs live in the database, so they survive a restart; the 后台任务 page lists them through Queue.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/uptrace/bun"

	"examcert/internal/blobstore"
	"examcert/models"
)

// driverFor is river's driver for the database bun talks to: riversqlite on SQLite, and on PostgreSQL the
// database/sql driver over the same pgx stdlib pool (river's pgx driver would need a second, pgxpool connection).
func driverFor(db *bun.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect().Name().String() == "pg" {
		return riverdatabasesql.New(db.DB)
	}
	return riversqlite.New(db.DB)
}

// quietLogger keeps river's own chatter (leadership, maintenance) out of the server's log but for warnings.
func quietLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// Options is how a Runner is set up; the zero value works (no SMTP, no SMS: notices wait in the outbox).
type Options struct {
	Email  EmailSender // nil: emails wait in the outbox with the reason
	SMS    SMSSender   // nil: SMS wait in the outbox, "未配置短信通道"
	Logger *slog.Logger
	// Periodic is the periodic work to run (nil: models.PeriodicTasks(), what the areas registered).
	Periodic []models.PeriodicTask
	// OutboxEvery is how often the outbox sender looks for due rows (default 10 s).
	OutboxEvery time.Duration
	// PollEvery is how often a client looks for new jobs (default 1 s; neither driver here has LISTEN).
	PollEvery time.Duration
	// Send tunes retries of the outbox (zero fields: defaults).
	Send SendPolicy
	// ID names the process among the runners of the cluster (default: river's host-and-time name).
	ID string
}

// Runner is the job runner of one server process.
type Runner struct {
	db     *bun.DB
	blobs  blobstore.Store
	log    *slog.Logger
	client *river.Client[*sql.Tx]
	sender *Sender
	tasks  map[string]models.PeriodicTask
}

// New sets up a runner over db; Start starts it.
func New(db *bun.DB, blobs blobstore.Store, opts Options) (*Runner, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Periodic == nil {
		opts.Periodic = models.PeriodicTasks()
	}
	if opts.OutboxEvery <= 0 {
		opts.OutboxEvery = 10 * time.Second
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = time.Second
	}
	r := &Runner{db: db, blobs: blobs, log: opts.Logger, tasks: map[string]models.PeriodicTask{},
		sender: NewSender(db, opts.Email, opts.SMS, opts.Send)}
	workers := river.NewWorkers()
	river.AddWorker(workers, &periodicWorker{r: r})
	river.AddWorker(workers, &documentWorker{r: r})
	river.AddWorker(workers, &outboxWorker{r: r})
	var periodic []*river.PeriodicJob
	for _, t := range opts.Periodic {
		if t.Every <= 0 || t.Run == nil {
			return nil, fmt.Errorf("periodic task %q: needs Every and Run", t.Name)
		}
		r.tasks[t.Name] = t
		args := PeriodicArgs{Task: t.Name}
		every := t.Every
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return args, uniquePer(every) },
			&river.PeriodicJobOpts{ID: t.Name, RunOnStart: true}))
	}
	outboxEvery := opts.OutboxEvery
	periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(outboxEvery),
		func() (river.JobArgs, *river.InsertOpts) { return OutboxArgs{}, uniquePer(outboxEvery) },
		&river.PeriodicJobOpts{ID: KindOutbox, RunOnStart: true}))
	client, err := river.NewClient(driverFor(db), &river.Config{
		ID:                opts.ID,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           workers,
		PeriodicJobs:      periodic,
		FetchPollInterval: opts.PollEvery,
		JobTimeout:        30 * time.Minute, // an organization's 10,000 准考证 in one PDF takes minutes, not hours
		Logger:            quietLogger(),
		MaxAttempts:       5,
	})
	if err != nil {
		return nil, err
	}
	r.client = client
	return r, nil
}

// uniquePer makes a scheduled job unique for its period: even if leadership moves between processes in the
// middle of a period and the new leader's RunOnStart fires, the period's run is inserted once.
func uniquePer(d time.Duration) *river.InsertOpts {
	return &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: d}}
}

// Start starts working jobs until ctx ends or Stop is called.
func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }

// Stop stops fetching new jobs and waits for those running to finish (or for ctx to end, when they are cancelled
// and left to be retried by the next process).
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return r.client.StopAndCancel(context.Background())
	}
	return err
}

// Client is the river client (for tests and the server's wiring).
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// Sender is the runner's outbox sender.
func (r *Runner) Sender() *Sender { return r.sender }
