package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"examcert/internal/config"
	"examcert/internal/ident"
	"examcert/models"
)

// benchPlan creates an open plan directly (no HTTP) for benchmarks.
func benchPlan(b testing.TB, e *env, name string) *models.ExamPlan {
	b.Helper()
	now := models.Now()
	p := &models.ExamPlan{Name: name, CategoryID: 1, Level: "无", RegistrationStartsAt: now.Add(-time.Hour),
		RegistrationEndsAt: now.Add(24 * time.Hour), ExamAt: now.Add(48 * time.Hour), PhotoMaxBytes: 60 * 1024}
	ctx := context.Background()
	if err := models.SavePlan(ctx, e.db, p, 0); err != nil {
		b.Fatal(err)
	}
	if err := models.AdvancePlan(ctx, e.db, models.Actor{Account: &models.Account{Role: models.RoleAdmin, Username: "bench"}}, p.ID, models.PlanDraft); err != nil {
		b.Fatal(err)
	}
	return p
}

var benchSeq atomic.Uint64

func benchIDNumber() string {
	n := benchSeq.Add(1)
	r := rand.New(rand.NewPCG(n, 7))
	regions := []string{"110101", "110102", "110105", "110106", "110108", "110111", "110112", "110113", "110114", "110115"}
	// A different (region, birth date) for every call up to 10 × 20,000, so numbers never repeat in a run.
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/10%20000))
	return ident.GenerateIDNumber(r, regions[n%10], birth, ident.GenderMale)
}

// liftLookupBudget lifts the per-account lookup budget (SECURITY.md 27) for a benchmark that posts as one clerk, as
// the load test does.
func liftLookupBudget(c *config.Config) { c.LookupRate, c.LookupBurst = 1e9, 1e9 }

// BenchmarkRegistrationSubmit: an enterprise submits 报名表s for new people through the whole HTTP stack (session,
// CSRF, multipart, every rule, the photo pipeline on a 295×413 photo, blob write, transaction), 4 clients at once.
// BenchmarkRegistrationInsert is the reference: the same row inserted directly, one transaction each.
func BenchmarkRegistrationSubmit(b *testing.B) {
	e := newEnv(b, liftLookupBudget)
	plan := benchPlan(b, e, "提交基准")
	c := e.client().signIn("jianshe")
	tok, _ := c.get("/registrations/new?plan=" + strconv.FormatInt(plan.ID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	img := testPhoto(b, 295, 413, "jpeg")
	b.SetParallelism(2) // 2 × GOMAXPROCS(2) = 4 concurrent clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p := c.regPostToken(plan.ID, tok, map[string]string{"id_number": benchIDNumber(), "name": "基准考生", "education": "本科",
				"work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}, img)
			if p.Status != http.StatusSeeOther {
				b.Errorf("status %d: %s", p.Status, p.Doc.Find(".error, .alert").Text())
				return
			}
		}
	})
}

func BenchmarkRegistrationInsert(b *testing.B) {
	e := newEnv(b)
	plan := benchPlan(b, e, "插入基准")
	ctx := context.Background()
	// People to register, made beforehand.
	persons := make([]int64, b.N)
	for i := range persons {
		p := &models.Person{IDNumber: benchIDNumber(), Name: "基准考生"}
		if err := models.InsertPerson(ctx, e.db, p); err != nil {
			b.Fatal(err)
		}
		persons[i] = p.ID
	}
	ws := time.Date(2010, 7, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := models.Now()
		r := &models.Registration{PlanID: plan.ID, PersonID: persons[i], Channel: models.ChannelEnterprise, EmployerName: "北京城建示范工程有限公司",
			WorkStartDate: &ws, YearsOfWork: 16, Resume: "[]", PhotoKey: "0123456789abcdef0123456789abcdef", Status: models.RegSubmitted,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(r).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// importFile makes a filled import file of n rows.
func importFile(b *testing.B, n int) []byte {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	headers := []any{}
	for _, c := range batchColumnsForBench {
		headers = append(headers, c)
	}
	_ = sw.SetRow("A1", headers)
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{benchIDNumber(), "考生" + string([]rune("甲乙丙丁戊己庚辛壬癸")[i%10]), "本科", "13800138000", "土木工程", "初级",
			"北京城建示范工程有限公司", "91110105G1921G9139", "2012-07-01", "", "同意", "2012.07-2018.06 北京某公司 施工员"})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

var batchColumnsForBench = []string{"身份证号", "姓名", "学历", "手机号码", "专业", "职称", "单位名称", "组织机构代码", "参加工作时间", "从事工作年限", "聘用单位意见", "个人简历"}

// BenchmarkImport5000 / 10000: the whole import through HTTP (read, check every row, save in one transaction) of a
// file of people new to the system, into a fresh plan each time; the Known variants import people already on the
// enterprise's staff. BenchmarkExcelizeRead5000 / 10000 is the reference: excelize merely reading such a file.
func BenchmarkImport5000(b *testing.B)       { benchImport(b, 5000, false) }
func BenchmarkImport10000(b *testing.B)      { benchImport(b, 10000, false) }
func BenchmarkImport5000Known(b *testing.B)  { benchImport(b, 5000, true) }
func BenchmarkImport10000Known(b *testing.B) { benchImport(b, 10000, true) }

func benchImport(b *testing.B, n int, known bool) {
	e := newEnv(b)
	c := e.client().signIn("jianshe")
	file := importFile(b, n)
	if known {
		plan := benchPlan(b, e, fmt.Sprintf("导入基准%d-准备", n))
		sp := strconv.FormatInt(plan.ID, 10)
		if p := c.postFiles("/registrations/batch?plan="+sp, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"f.xlsx": file}); p.Status != http.StatusSeeOther {
			b.Fatalf("first import: %d", p.Status)
		}
	}
	b.SetBytes(int64(len(file)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		plan := benchPlan(b, e, fmt.Sprintf("导入基准%d-%d", n, i))
		sp := strconv.FormatInt(plan.ID, 10)
		if !known && i > 0 {
			file = importFile(b, n) // new people each time
		}
		b.StartTimer()
		p := c.postFiles("/registrations/batch?plan="+sp, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"f.xlsx": file})
		if p.Status != http.StatusSeeOther {
			msg := p.Text(`[data-testid="alert-error"]`) + p.Text(`[data-testid="import-problems"]`)
			b.Fatalf("import: %d %.300s", p.Status, msg)
		}
	}
}

func BenchmarkExcelizeRead5000(b *testing.B)  { benchExcelizeRead(b, 5000) }
func BenchmarkExcelizeRead10000(b *testing.B) { benchExcelizeRead(b, 10000) }

func benchExcelizeRead(b *testing.B, n int) {
	file := importFile(b, n)
	b.SetBytes(int64(len(file)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := excelize.OpenReader(bytes.NewReader(file))
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.GetRows("Sheet1")
		if err != nil || len(rows) != n+1 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
		f.Close()
	}
}

// benchStaff puts n people with a photo on record on jianshe's staff and returns their ID numbers.
func benchStaff(b testing.TB, e *env, n int) []string {
	b.Helper()
	ctx := context.Background()
	org, err := models.FindOrganizationByCode(ctx, e.db, demoCode("jianshe"), "")
	if err != nil {
		b.Fatal(err)
	}
	key, err := e.app.Blobs.Put(ctx, testPhoto(b, 295, 413, "jpeg"))
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, n)
	birth := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC)
	now := models.Now()
	for start := 0; start < n; start += 500 {
		ps := make([]models.Person, min(500, n-start))
		for i := range ps {
			ids[start+i] = benchIDNumber()
			ps[i] = models.Person{IDNumber: ids[start+i], Name: "基准考生", Gender: "男", BirthDate: &birth, Education: "本科",
				OrganizationID: &org.ID, PhotoKey: key, CreatedAt: now, UpdatedAt: now, Version: 1}
		}
		if _, err := e.db.NewInsert().Model(&ps).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// BenchmarkRegistrationSubmitStaff: an enterprise submits 报名表s for people already on its staff with a photo on
// record (the usual case: the photo went through the pipeline once, when it was uploaded), 4 clients at once.
func BenchmarkRegistrationSubmitStaff(b *testing.B) {
	e := newEnv(b, liftLookupBudget) // a clerk posts hundreds a minute; each names a known ID number
	plan := benchPlan(b, e, "提交基准")
	ids := benchStaff(b, e, b.N)
	c := e.client().signIn("jianshe")
	tok, _ := c.get("/registrations/new?plan=" + strconv.FormatInt(plan.ID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	var next atomic.Int64
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[next.Add(1)-1]
			p := c.regPostToken(plan.ID, tok, map[string]string{"id_number": id, "name": "基准考生", "education": "本科",
				"work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}, nil)
			if p.Status != http.StatusSeeOther {
				b.Errorf("status %d: %s", p.Status, p.Doc.Find(".error, .alert").Text())
				return
			}
		}
	})
}
