package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/blobstore"
	"examcert/internal/dbtest"
	"examcert/internal/jobs"
	"examcert/models"
)

// BenchmarkOutboxToMailpit sends b.N notice emails from the outbox to a real SMTP server (mailpit), 100 per
// connection, and reports emails per second.
func BenchmarkOutboxToMailpit(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b)
	mp := startMailpitB(b)
	ids := make(map[int64]models.Notice, b.N)
	for i := range b.N {
		a := &models.Account{Username: fmt.Sprintf("bench%06d", i), PasswordHash: "x", Role: models.RolePractitioner,
			Email: fmt.Sprintf("bench%06d@example.com", i)}
		if err := models.InsertAccount(ctx, db, a); err != nil {
			b.Fatal(err)
		}
		ids[a.ID] = notice
	}
	if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return models.Notify(ctx, tx, ids) }); err != nil {
		b.Fatal(err)
	}
	s := jobs.NewSender(db, jobs.SMTP{Host: "127.0.0.1", Port: mp.SMTPPort, From: "noreply@example.com"}, nil, jobs.SendPolicy{})
	b.ResetTimer()
	start := time.Now()
	res, err := s.SendDue(ctx, models.Now())
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil || res.Sent != b.N {
		b.Fatalf("sent %+v, %v", res, err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "emails/s")
}

// BenchmarkDocumentJobLatency measures from RequestDocument to the finished download (a tiny document), with a
// runner polling every 100 ms, one document at a time.
func BenchmarkDocumentJobLatency(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b)
	blobs, err := blobstore.NewLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	a := &models.Account{Username: "bench", PasswordHash: "x", Role: models.RolePractitioner}
	if err := models.InsertAccount(ctx, db, a); err != nil {
		b.Fatal(err)
	}
	r, err := jobs.New(db, blobs, jobs.Options{Periodic: []models.PeriodicTask{}, PollEvery: 100 * time.Millisecond, OutboxEvery: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer r.Stop(ctx) //nolint:errcheck
	q, err := jobs.NewQueue(db)
	if err != nil {
		b.Fatal(err)
	}
	actor := models.Actor{Account: a}
	b.ResetTimer()
	for range b.N {
		id, err := q.RequestDocument(ctx, actor, echoTask.Name, map[string]string{"text": "x"})
		if err != nil {
			b.Fatal(err)
		}
		for {
			d, err := models.GetDownload(ctx, db, actor, id)
			if err != nil {
				b.Fatal(err)
			}
			if d.Status == models.DownloadDone {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
