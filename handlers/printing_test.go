package handlers_test

import (
	"context"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"examcert/internal/ident"
	"examcert/models"
)

// seedPrintRegistrations stores n registrations of new people, made by the organization of the account username
// for plan, each with the same stored photo; directly, in one transaction.
func seedPrintRegistrations(t testing.TB, e *env, plan *models.ExamPlan, username string, n int) {
	t.Helper()
	ctx := context.Background()
	acct := e.account(username)
	key, err := e.app.Blobs.Put(ctx, testPhoto(t, 295, 413, "jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	now := models.Now()
	ws := time.Date(2010, 7, 1, 0, 0, 0, 0, time.UTC)
	regs := make([]models.Registration, 0, 500)
	flush := func() {
		if len(regs) > 0 {
			if _, err := tx.NewInsert().Model(&regs).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			regs = regs[:0]
		}
	}
	for i := range n {
		idn, _ := ident.ParseIDNumber(benchIDNumber())
		birth := idn.BirthDate
		p := &models.Person{IDNumber: idn.Number, Name: "打印考生" + strconv.Itoa(i), Gender: idn.Gender.String(), BirthDate: &birth,
			Education: "本科", Phone: "13800000001", OrganizationID: acct.OrganizationID}
		if err := models.InsertPerson(ctx, tx, p); err != nil {
			t.Fatal(err)
		}
		regs = append(regs, models.Registration{PlanID: plan.ID, PersonID: p.ID, Channel: models.Channel("enterprise"),
			OrganizationID: acct.OrganizationID, AccountID: &acct.ID, EmployerName: "北京城建示范工程有限公司", WorkStartDate: &ws,
			YearsOfWork: 16, Resume: `[{"Period":"2010.07-至今","Employer":"北京城建示范工程有限公司","Post":"施工员"}]`,
			EmployerOpinion: "同意报名", PhotoKey: key, Status: models.RegSubmitted, CreatedAt: now, UpdatedAt: now, Version: 1})
		if len(regs) == cap(regs) {
			flush()
		}
	}
	flush()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// 打印报名表 with more forms than one file holds: a page of files, each file its range of forms (oldest first), the
// links work without JavaScript; a print while the slots are taken gets 503 and the message; another enterprise
// gets none of them.
func TestPrintAllInFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.app.PrintChunk = 2
	plan := benchPlan(t, e, "分批打印")
	seedPrintRegistrations(t, e, plan, "jianshe", 5)
	c := e.client().signIn("jianshe")
	sp := strconv.FormatInt(plan.ID, 10)
	page := c.get("/registrations/batch/print?plan=" + sp)
	var labels, links []string
	page.Doc.Find(`[data-testid="print-part"]`).Each(func(_ int, s *goquerySelection) {
		labels = append(labels, s.Text())
		href, _ := s.Attr("href")
		links = append(links, href)
	})
	if page.Status != http.StatusOK || strings.Join(labels, ",") != "第1–2份,第3–4份,第5–5份" || !strings.Contains(page.Text(`[data-testid="print-parts"]`), "共5份") {
		t.Fatalf("the page of files: %d %q", page.Status, labels)
	}
	for i, want := range []int{2, 2, 1} {
		pdf := c.get(links[i])
		if n := len(pdfPageRE.FindAllString(pdf.Body, -1)); !strings.HasPrefix(pdf.Body, "%PDF") || n != want {
			t.Errorf("file %d: status %d, %d pages, want %d", i+1, pdf.Status, n, want)
		}
	}
	if n := len(e.auditEvents(models.EventRegPrintedAll)); n != 3 {
		t.Errorf("%d bulk-disclosure audit rows, want one per file: 3", n)
	}
	release := e.app.TakePrintSlots(2)
	busy := c.get(links[0])
	release()
	if busy.Status != http.StatusServiceUnavailable || !strings.Contains(busy.Body, "打印任务较多，请稍后再试") {
		t.Errorf("a third print at once: %d", busy.Status)
	}
	if again := c.get(links[2]); !strings.HasPrefix(again.Body, "%PDF") {
		t.Errorf("after the slots are free again: %d", again.Status)
	}
	if other := e.client().signIn("jianshe2").get(links[0]); other.Status != http.StatusNotFound {
		t.Errorf("another enterprise's print: %d", other.Status)
	}
}

// BenchmarkPrintAll measures the heap of 打印报名表 for a plan of 3,000 forms (each with a photo), in files of the
// default size, two prints at once: the peak heap (sampled every 5 ms) is reported as peak-MB.
func BenchmarkPrintAll(b *testing.B) {
	e := newEnv(b)
	plan := benchPlan(b, e, "打印基准")
	seedPrintRegistrations(b, e, plan, "jianshe", 3000)
	c := e.client().signIn("jianshe")
	sp := strconv.FormatInt(plan.ID, 10)
	var links []string
	c.get("/registrations/batch/print?plan=" + sp).Doc.Find(`[data-testid="print-part"]`).Each(func(_ int, s *goquerySelection) {
		href, _ := s.Attr("href")
		links = append(links, href)
	})
	if len(links) != 6 {
		b.Fatalf("%d files for 3,000 forms", len(links))
	}
	runtime.GC()
	base := heapBytes()
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				peak = max(peak, heapBytes())
			}
		}
	}()
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				for i := w; i < len(links); i += 2 {
					if p := c.get(links[i]); !strings.HasPrefix(p.Body, "%PDF") {
						b.Errorf("file %d: %d", i+1, p.Status)
					}
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak-min(base, peak))/(1<<20), "peak-MB")
}

// heapBytes is the live and not yet collected heap.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
