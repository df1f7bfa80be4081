package handlers_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"examcert/internal/ident"
	"examcert/internal/jobs"
	"examcert/models"
)

// noisyPhoto is a 295×413 JPEG of noise: about the size of a real processed photo, and unlike any other.
func noisyPhoto(b testing.TB, seed uint64) []byte {
	b.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, 295, 413))
	for y := range 413 {
		for x := range 295 {
			v := uint8(150 + r.IntN(60))
			img.Set(x, y, color.RGBA{v, v, uint8(r.IntN(255)), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 60}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// bigReleasedPlan is a released plan with n 已放号 candidates, 30 to a room, each with a photo of its own.
func bigReleasedPlan(b *testing.B, e *env, n int) *models.ExamPlan {
	b.Helper()
	ctx := context.Background()
	plan := benchPlan(b, e, "2026年第九期建筑施工特种作业人员考试（大批量）")
	now := models.Now()
	if _, err := e.db.NewUpdate().TableExpr("exam_plans").Set("released_at = ?", now).Set("number_in_year = 9").
		Where("id = ?", plan.ID).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	site := &models.ExamSite{Name: "北京市建设职业技能培训中心", Address: "北京市丰台区南四环西路188号", RoomCount: n/30 + 1,
		Capacity: n, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := e.db.NewInsert().Model(site).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	draw := &models.Draw{PlanID: plan.ID, Seed: "00ff", Candidates: n, BatchNo: "FHXX00000009", DrawnAt: now}
	if _, err := e.db.NewInsert().Model(draw).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 12, 20, 1, 0, 0, 0, time.UTC)
	var room models.ExamRoom
	for i := range n {
		if i%30 == 0 {
			room = models.ExamRoom{PlanID: plan.ID, SiteID: site.ID, RoomNo: strconv.Itoa(i/30 + 1), Capacity: 30, StartsAt: start,
				EndsAt: start.Add(90 * time.Minute), CreatedAt: now, UpdatedAt: now, Version: 1}
			if _, err := e.db.NewInsert().Model(&room).Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		key, err := e.app.Blobs.Put(ctx, noisyPhoto(b, uint64(i)))
		if err != nil {
			b.Fatal(err)
		}
		idn, _ := ident.ParseIDNumber(benchIDNumber())
		birth := idn.BirthDate
		p := &models.Person{IDNumber: idn.Number, Name: "考生" + strconv.Itoa(i), Gender: idn.Gender.String(), BirthDate: &birth,
			Education: "本科", Phone: "13800001234"}
		if err := models.InsertPerson(ctx, e.db, p); err != nil {
			b.Fatal(err)
		}
		r := &models.Registration{PlanID: plan.ID, PersonID: p.ID, Channel: models.ChannelSelf, EmployerName: "北京城建示范工程有限公司",
			Resume: "[]", PhotoKey: key, Status: models.RegTicketed, CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(r).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		tk := &models.Ticket{RegistrationID: r.ID, PlanID: plan.ID, RoomID: room.ID, DrawID: draw.ID, SeatNo: i%30 + 1,
			TicketNo: strconv.Itoa(260090000 + i + 1)}
		if _, err := e.db.NewInsert().Model(tk).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return plan
}

// BenchmarkRoomPhotosJob makes all rooms' 考场照片阵列 (the largest registry document: every candidate's photo) of
// a plan of 3,000 candidates through the background runner, from the request to 已完成, and reports the time, the
// document's size and the highest heap in use meanwhile (the document is piped into the blob store, never held).
func BenchmarkRoomPhotosJob(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	plan := bigReleasedPlan(b, e, 3000)
	r, err := jobs.New(e.db, e.app.Blobs, jobs.Options{Periodic: []models.PeriodicTask{}, PollEvery: 100 * time.Millisecond, OutboxEvery: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.Stop(context.Background()) })
	q, err := jobs.NewQueue(e.db)
	if err != nil {
		b.Fatal(err)
	}
	admin := models.Actor{Account: e.account("admin")}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		id, err := q.RequestDocument(ctx, admin, "tickets.room_photos", map[string]string{"plan": strconv.FormatInt(plan.ID, 10)})
		if err != nil {
			b.Fatal(err)
		}
		var d *models.Download
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			if d, err = models.GetDownload(ctx, e.db, admin, id); err != nil {
				b.Fatal(err)
			}
			if d.Status == models.DownloadDone || d.Status == models.DownloadFailed {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if d.Status != models.DownloadDone {
			b.Fatalf("download: %+v", d)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/document")
		b.ReportMetric(float64(d.Size)/(1<<20), "MB/document")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak-base)/(1<<20), "heap-growth-MB")
}
