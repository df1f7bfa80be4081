package models_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"examcert/internal/dbtest"
	"examcert/internal/spreadsheet"
	"examcert/models"
)

// bankLines are the lines of a bank file paying every registration of people, with 交易流水号 prefix-n.
func bankLines(people []models.Person, prefix string) []spreadsheet.Row {
	rows := make([]spreadsheet.Row, len(people))
	for i, p := range people {
		rows[i] = bankRow(i+2, p.Name, p.IDNumber, "120.00", prefix+strconv.Itoa(i), "2026-11-30")
	}
	return rows
}

// BenchmarkImportBankPayments10000 is 确认缴费 from a bank file of 10,000 lines: matching, checks, and the one
// transaction (status moves, payments, notices, audit). Each iteration gets a fresh plan with 10,000 审核通过
// registrations (not timed).
func BenchmarkImportBankPayments10000(b *testing.B) {
	const n = 10000
	db := dbtest.Open(b)
	ctx := context.Background()
	f := newPayFixture(b, db, 12000, time.Now().Add(24*time.Hour))
	people := f.addPeople(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		plan := newPayFixture(b, db, 12000, time.Now().Add(24*time.Hour)).plan
		f.register(b, plan, people, models.RegApproved)
		rows := bankLines(people, "BENCH-"+strconv.FormatInt(plan.ID, 10)+"-")
		b.StartTimer()
		res, err := models.ImportBankPayments(ctx, db, testAdmin, plan.ID, rows)
		if err != nil || res.Rows != n {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkReadBankFile10000 is reading a bank file of 10,000 lines with the house's defences (spreadsheet.Read):
// the other half of an import's time.
func BenchmarkReadBankFile10000(b *testing.B) {
	const n = 10000
	x := excelize.NewFile()
	sheet := x.GetSheetName(0)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"姓名", "身份证号", "金额", "交易流水号", "日期"})
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{"考生" + strconv.Itoa(i), "11010519900307" + strconv.Itoa(1000+i%9000), 120, "T" + strconv.Itoa(1e9+i), "2026-11-30"})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		b.Fatal(err)
	}
	x.Close()
	data := buf.Bytes()
	lim := spreadsheet.DefaultLimits
	lim.TempDir = b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows, err := spreadsheet.Read(bytes.NewReader(data), models.BankColumns, lim)
		if err != nil || len(rows) != n {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}
