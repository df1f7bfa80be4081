package models

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// Download is one entry of 我的下载: a DocumentTask asked for by an account, made by the background runner, kept
// in the blob store for that account only.
type Download struct {
	bun.BaseModel `bun:"table:downloads"`

	ID         int64      `bun:"id,pk,autoincrement"`
	AccountID  int64      `bun:"account_id,notnull"`
	Task       string     `bun:"task,notnull"`
	Label      string     `bun:"label,notnull"`
	Params     string     `bun:"params,notnull"` // JSON object of strings
	Status     string     `bun:"status,notnull"`
	Filename   string     `bun:"filename,notnull"`
	BlobKey    string     `bun:"blob_key,notnull"`
	Size       int64      `bun:"size,notnull"`
	Error      string     `bun:"error,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	FinishedAt *time.Time `bun:"finished_at"`
}

// Download statuses.
const (
	DownloadQueued  = "queued"
	DownloadRunning = "running"
	DownloadDone    = "done"
	DownloadFailed  = "failed"
)

// DownloadStatusLabel is a status in Chinese.
func DownloadStatusLabel(s string) string {
	switch s {
	case DownloadQueued:
		return "排队中"
	case DownloadRunning:
		return "生成中"
	case DownloadDone:
		return "已完成"
	case DownloadFailed:
		return "失败"
	}
	return s
}

// ParamMap decodes the task's parameters.
func (d *Download) ParamMap() map[string]string {
	m := map[string]string{}
	_ = json.Unmarshal([]byte(d.Params), &m)
	return m
}

// CreateDownload records the actor's request for a registered DocumentTask, with its audit row, in tx; the caller
// queues the job that makes it in the same transaction (jobs.RequestDocument does both). An unknown task is
// ErrNotFound; so is one the task's Check refuses (out of the actor's scope).
func CreateDownload(ctx context.Context, tx bun.IDB, actor Actor, task string, params map[string]string) (*Download, error) {
	if actor.AccountID() == nil {
		return nil, ErrNotAllowed
	}
	t, ok := DocumentTaskNamed(task)
	if !ok {
		return nil, ErrNotFound
	}
	if params == nil {
		params = map[string]string{}
	}
	if t.Check != nil {
		if err := t.Check(ctx, tx, actor, params); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	d := &Download{AccountID: *actor.AccountID(), Task: task, Label: t.Label, Params: string(raw),
		Status: DownloadQueued, CreatedAt: Now()}
	if _, err := tx.NewInsert().Model(d).Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	if err := actor.Audit(ctx, tx, EventDownloadRequested, "download:"+strconv.FormatInt(d.ID, 10), "ok",
		t.Label+" "+string(raw)); err != nil {
		return nil, err
	}
	return d, failureAfterAudit(ctx)
}

// ListDownloads is 我的下载: the actor's own requests, newest first.
func ListDownloads(ctx context.Context, db bun.IDB, actor Actor, offset, limit int) ([]Download, int, error) {
	if actor.AccountID() == nil {
		return nil, 0, ErrNotAllowed
	}
	var out []Download
	n, err := db.NewSelect().Model(&out).Where("account_id = ?", *actor.AccountID()).OrderExpr("id DESC").
		Offset(int64(offset)).Limit(int64(limit)).ScanAndCount(ctx)
	return out, int(n), err
}

// GetDownload loads one of the actor's downloads; anyone else's (whoever they are, admins too) is ErrNotFound:
// a document made for an account may disclose what only that account may see (SECURITY.md 9).
func GetDownload(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Download, error) {
	if actor.AccountID() == nil {
		return nil, ErrNotFound
	}
	d := new(Download)
	err := db.NewSelect().Model(d).Where("id = ? AND account_id = ?", id, *actor.AccountID()).Scan(ctx)
	return d, notFound(err)
}

// LoadDownload loads a download by id for the runner (no actor: the job acts for the row's account).
func LoadDownload(ctx context.Context, db bun.IDB, id int64) (*Download, error) {
	d := new(Download)
	err := db.NewSelect().Model(d).Where("id = ?", id).Scan(ctx)
	return d, notFound(err)
}

// SetDownloadRunning marks a download being made (again, when its job is retried).
func SetDownloadRunning(ctx context.Context, db bun.IDB, id int64) error {
	res, err := db.NewUpdate().Model((*Download)(nil)).Set("status = ?", DownloadRunning).Set("error = ''").
		Where("id = ? AND status <> ?", id, DownloadDone).Exec(ctx)
	return affectedOneOr(res, err, ErrConflict)
}

// FinishDownload records the made file.
func FinishDownload(ctx context.Context, db bun.IDB, id int64, filename, blobKey string, size int64) error {
	_, err := db.NewUpdate().Model((*Download)(nil)).Set("status = ?", DownloadDone).Set("filename = ?", filename).
		Set("blob_key = ?", blobKey).Set("size = ?", size).Set("error = ''").Set("finished_at = ?", Now()).
		Where("id = ?", id).Exec(ctx)
	return err
}

// RetryDownload records a failed try that will be tried again: the download is 排队中 again, with the reason.
func RetryDownload(ctx context.Context, db bun.IDB, id int64, cause string) error {
	if r := []rune(cause); len(r) > 500 {
		cause = string(r[:500])
	}
	_, err := db.NewUpdate().Model((*Download)(nil)).Set("status = ?", DownloadQueued).Set("error = ?", cause).
		Where("id = ? AND status <> ?", id, DownloadDone).Exec(ctx)
	return err
}

// FailDownload records why a download could not be made.
func FailDownload(ctx context.Context, db bun.IDB, id int64, cause string) error {
	if r := []rune(cause); len(r) > 500 {
		cause = string(r[:500])
	}
	_, err := db.NewUpdate().Model((*Download)(nil)).Set("status = ?", DownloadFailed).Set("error = ?", cause).
		Set("finished_at = ?", Now()).Where("id = ? AND status <> ?", id, DownloadDone).Exec(ctx)
	return err
}
