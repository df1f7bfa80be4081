package models_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"examcert/internal/checkinfixture"
	"examcert/internal/dbtest"
	"examcert/internal/export"
	"examcert/internal/ident"
	"examcert/models"
)

// BenchmarkExportResults100k is 导出名单 of a plan with 100,000 合格 candidates: rows read from the database cursor
// (models.EachResult) and written as they come through internal/export's streaming writer to io.Discard. It
// reports the time and the peak Go heap (sampled) and the process's peak RSS; the issue asks for < 10 s and
// < 200 MB. Run: go test -run '^$' -bench ExportResults100k -benchtime 1x ./models/
func BenchmarkExportResults100k(b *testing.B) {
	const n = 100000
	ctx := context.Background()
	db := dbtest.Open(b)
	plan, err := checkinfixture.Plan(ctx, db, "导出基准考试")
	if err != nil {
		b.Fatal(err)
	}
	site, _ := checkinfixture.Site(ctx, db, "基准考点")
	room, _ := checkinfixture.Room(ctx, db, plan, site, "01", models.Now(), models.Now().Add(time.Hour))
	draw, _ := checkinfixture.Draw(ctx, db, plan)
	now := models.Now()
	for start := 0; start < n; start += 1000 {
		people := make([]models.Person, 1000)
		for i := range people {
			people[i] = models.Person{IDNumber: fmt.Sprintf("B%017d", start+i), Name: "考生" + strconv.Itoa(start+i), Phone: "13800001234",
				CreatedAt: now, UpdatedAt: now, Version: 1}
		}
		if _, err := db.NewInsert().Model(&people).Returning("id").Exec(ctx); err != nil {
			b.Fatal(err)
		}
		regs := make([]models.Registration, len(people))
		for i := range regs {
			regs[i] = models.Registration{PlanID: plan.ID, PersonID: people[i].ID, Channel: models.ChannelSelf, EmployerName: "北京城建示范工程有限公司",
				Status: models.RegPassed, Resume: "[]", CreatedAt: now, UpdatedAt: now, Version: 1}
		}
		if _, err := db.NewInsert().Model(&regs).Returning("id").Exec(ctx); err != nil {
			b.Fatal(err)
		}
		ts := make([]models.Ticket, len(regs))
		for i := range ts {
			ts[i] = models.Ticket{RegistrationID: regs[i].ID, PlanID: plan.ID, RoomID: room.ID, DrawID: draw.ID, SeatNo: start + i + 1,
				TicketNo: fmt.Sprintf("%09d", start+i)}
		}
		if _, err := db.NewInsert().Model(&ts).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.NewInsert().Model(&models.ResultRelease{PlanID: plan.ID, PublishedAt: &now, BatchNo: "CJFB00000001", Version: 1}).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	cols := make([]export.Column, 12)
	for i := range cols {
		cols[i] = export.Column{Header: "列" + strconv.Itoa(i)}
	}
	for b.Loop() {
		var peak atomic.Uint64
		done := make(chan struct{})
		go sampleHeap(&peak, done)
		start := time.Now()
		x, err := export.NewXLSX("考试合格人员", cols)
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		err = models.EachResult(ctx, db, testAdmin, models.ResultFilter{PlanID: plan.ID, PassedOnly: true}, func(r *models.ResultRow) error {
			rows++
			return x.Row(strconv.Itoa(rows), r.ExamAt.Format("2006-01-02 15:04"), r.TicketNo, r.Category, r.Level, r.Name,
				ident.MaskIDNumber(r.IDNumber), r.Phone, r.Employer, r.Outcome(), "", "")
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		close(done)
		if rows != n {
			b.Fatalf("exported %d rows, want %d", rows, n)
		}
		b.ReportMetric(elapsed.Seconds(), "s/100k-rows")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MB")
	}
}

func sampleHeap(peak *atomic.Uint64, done <-chan struct{}) {
	var ms runtime.MemStats
	for {
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
		select {
		case <-done:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// vmHWM is the process's peak resident set in bytes (0 without /proc).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
