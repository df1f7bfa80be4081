package models_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"examcert/internal/checkinfixture"
	"examcert/internal/dbtest"
	"examcert/internal/spreadsheet"
	"examcert/models"
)

// resultFixture is a released plan with two subjects and two rooms: room 01 holds three candidates (the third
// marked 缺考 at 签到), room 02 two.
type resultFixture struct {
	db        *bun.DB
	plan      *models.ExamPlan
	theory    *models.ExamSubject
	practical *models.ExamSubject
	c         []checkinfixture.Candidate
}

func newResultFixture(t *testing.T) *resultFixture {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t)
	f := &resultFixture{db: db}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.plan, err = checkinfixture.Plan(ctx, db, "施工员考试")
	must(err)
	site, err := checkinfixture.Site(ctx, db, "第一考点")
	must(err)
	draw, err := checkinfixture.Draw(ctx, db, f.plan)
	must(err)
	now := models.Now()
	for i, n := range []int{3, 2} {
		room, err := checkinfixture.Room(ctx, db, f.plan, site, []string{"01", "02"}[i], now, now.Add(2*time.Hour))
		must(err)
		cs, err := checkinfixture.Candidates(ctx, db, room, draw, n, 1+10*i, "")
		must(err)
		f.c = append(f.c, cs...)
	}
	_, err = db.NewUpdate().TableExpr("tickets").Set("absent = TRUE").Where("registration_id = ?", f.c[2].Registration.ID).Exec(ctx)
	must(err)
	f.theory, err = checkinfixture.Subject(ctx, db, f.plan, "理论", 1, now)
	must(err)
	f.practical, err = checkinfixture.Subject(ctx, db, f.plan, "实操", 2, now.Add(3*time.Hour))
	must(err)
	must(checkinfixture.Release(ctx, db, f.plan))
	return f
}

// rows builds import rows: each is 准考证, 姓名, 客观, 主观, 考试情况.
func scoreRows(lines ...[5]string) []spreadsheet.Row {
	var out []spreadsheet.Row
	for i, l := range lines {
		out = append(out, spreadsheet.Row{Number: i + 2, Cells: map[string]string{"ticket_no": l[0], "name": l[1],
			"objective": l[2], "subjective": l[3], "situation": l[4]}})
	}
	return out
}

// allScored imports every candidate's scores for subject s: totals from totals (in points, by candidate).
func (f *resultFixture) importTotals(t *testing.T, s *models.ExamSubject, totals ...string) models.ScoreImport {
	t.Helper()
	var lines [][5]string
	for i, c := range f.c {
		sit := models.SituationNormal
		if totals[i] == "" {
			sit = models.SituationAbsent
		}
		lines = append(lines, [5]string{c.Ticket.TicketNo, c.Person.Name, "0", totals[i], sit})
	}
	res, err := models.ImportScores(context.Background(), f.db, testAdmin, f.plan.ID, s.ID, scoreRows(lines...))
	if err != nil {
		t.Fatalf("import %s: %v", s.Name, err)
	}
	return res
}

func (f *resultFixture) status(t *testing.T, i int) models.RegStatus {
	t.Helper()
	var s models.RegStatus
	if err := f.db.NewSelect().TableExpr("registrations").Column("status").Where("id = ?", f.c[i].Registration.ID).Scan(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScoreSheetPrefillsAbsenceFromCheckIn(t *testing.T) {
	f := newResultFixture(t)
	_, rows, err := models.ScoreSheet(context.Background(), f.db, testAdmin, f.plan.ID, f.theory.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("rows = %d, want 5", len(rows))
	}
	for i, r := range rows {
		_, _, sit := r.Prefill()
		want := models.SituationNormal
		if i == 2 {
			want = models.SituationAbsent
		}
		if sit != want || r.TicketNo != f.c[i].Ticket.TicketNo || r.Name != f.c[i].Person.Name {
			t.Errorf("row %d = %s %s %s, want %s %s %s", i, r.TicketNo, r.Name, sit, f.c[i].Ticket.TicketNo, f.c[i].Person.Name, want)
		}
	}
	if _, _, err := models.ScoreSheet(context.Background(), f.db, models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}, f.plan.ID, f.theory.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an enterprise's template: err = %v, want ErrNotFound", err)
	}
}

func TestImportScoresListsEveryBadRowAndStoresNothing(t *testing.T) {
	f := newResultFixture(t)
	before := snapshot(t, f.db, "scores")
	rows := scoreRows(
		[5]string{f.c[0].Ticket.TicketNo, f.c[0].Person.Name, "50", "30.5", "正常"},
		[5]string{"999999999", "某人", "50", "30", "正常"},
		[5]string{f.c[1].Ticket.TicketNo, "别人", "50", "30", "正常"},
		[5]string{f.c[3].Ticket.TicketNo, "", "abc", "", "正常"},
		[5]string{f.c[4].Ticket.TicketNo, "", "1", "1", "迟到"},
		[5]string{f.c[0].Ticket.TicketNo, "", "1", "1", "正常"},
	)
	_, err := models.ImportScores(context.Background(), f.db, testAdmin, f.plan.ID, f.theory.ID, rows)
	var problems models.BatchProblems
	if !errors.As(err, &problems) {
		t.Fatalf("err = %v, want BatchProblems", err)
	}
	want := []struct {
		row int
		col string
	}{{3, "准考证"}, {4, "姓名"}, {5, "客观题成绩"}, {5, "主观题成绩"}, {6, "考试情况"}, {7, "准考证"}}
	if len(problems) != len(want) {
		t.Fatalf("problems = %+v, want %d", problems, len(want))
	}
	for i, w := range want {
		if problems[i].Row != w.row || problems[i].Column != w.col || problems[i].Reason == "" {
			t.Errorf("problem %d = %+v, want row %d column %s", i, problems[i], w.row, w.col)
		}
	}
	after := snapshot(t, f.db, "scores")
	if after["scores"] != before["scores"] || after["status_changes"] != before["status_changes"] {
		t.Errorf("a refused import stored something: %v → %v", before, after)
	}
	if auditCount(t, f.db, models.EventScoresImported) != 1 {
		t.Error("the refusal is not audited")
	}
}

func TestImportScoresZeroesAllButNormalAndMovesToScored(t *testing.T) {
	f := newResultFixture(t)
	rows := scoreRows(
		[5]string{f.c[0].Ticket.TicketNo, f.c[0].Person.Name, "50", "30.5", "正常"},
		[5]string{f.c[1].Ticket.TicketNo, "", "50", "40", "违纪"},
		[5]string{f.c[2].Ticket.TicketNo, "", "", "", "缺考"},
	)
	res, err := models.ImportScores(context.Background(), f.db, testAdmin, f.plan.ID, f.theory.ID, rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Moved != 3 || len(res.BatchNo) != 12 || res.BatchNo[:4] != models.BatchScoreImport {
		t.Errorf("result = %+v", res)
	}
	var ss []models.Score
	if err := f.db.NewSelect().Model(&ss).Order("registration_id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(ss) != 3 || ss[0].ObjectiveTenths != 500 || ss[0].SubjectiveTenths != 305 || ss[0].TotalTenths != 805 ||
		ss[1].TotalTenths != 0 || ss[1].Situation != "违纪" || ss[2].TotalTenths != 0 {
		t.Errorf("scores = %+v", ss)
	}
	for i, want := range []models.RegStatus{models.RegScored, models.RegScored, models.RegScored, models.RegTicketed} {
		if s := f.status(t, i); s != want {
			t.Errorf("candidate %d: %s, want %s", i, s, want)
		}
	}
	// Re-importing the subject replaces it: only the new file's rows remain.
	res, err = models.ImportScores(context.Background(), f.db, testAdmin, f.plan.ID, f.theory.ID, scoreRows(
		[5]string{f.c[3].Ticket.TicketNo, "", "70", "0", "正常"}))
	if err != nil || res.Rows != 1 || res.Moved != 1 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	n, err := f.db.NewSelect().Model((*models.Score)(nil)).Where("subject_id = ?", f.theory.ID).Count(context.Background())
	if err != nil || n != 1 {
		t.Errorf("after re-import: %d scores (%v), want 1", n, err)
	}
}

// TestImportScoresReadsPartsByHeader writes a file whose 主观题 column comes before 客观题 (Beijing's importer
// swapped them on save) and checks each part lands where its header says.
func TestImportScoresReadsPartsByHeader(t *testing.T) {
	f := newResultFixture(t)
	x := excelize.NewFile()
	defer x.Close()
	for i, v := range []any{"准考证", "姓名", "考场号", "主观题成绩", "客观题成绩", "考试情况",
		f.c[0].Ticket.TicketNo, f.c[0].Person.Name, "01", "12.5", "70", "正常"} {
		cell, _ := excelize.CoordinatesToCellName(i%6+1, i/6+1)
		if err := x.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := spreadsheet.Read(&buf, models.ScoreColumns, spreadsheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.ImportScores(context.Background(), f.db, testAdmin, f.plan.ID, f.theory.ID, rows); err != nil {
		t.Fatal(err)
	}
	var s models.Score
	if err := f.db.NewSelect().Model(&s).Where("registration_id = ?", f.c[0].Registration.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.ObjectiveTenths != 700 || s.SubjectiveTenths != 125 {
		t.Errorf("客观 %d 主观 %d, want 700 and 125 (columns swapped?)", s.ObjectiveTenths, s.SubjectiveTenths)
	}
}

func TestPublishJudgesByLinesLocksAndReopens(t *testing.T) {
	f := newResultFixture(t)
	ctx := context.Background()
	f.importTotals(t, f.theory, "80", "59.5", "", "60", "90")
	if _, err := models.PublishResults(ctx, f.db, testAdmin, f.plan.ID); !errors.Is(err, models.ErrResultsIncomplete) {
		t.Fatalf("publish with a subject missing: %v, want ErrResultsIncomplete", err)
	}
	f.importTotals(t, f.practical, "75", "100", "", "60", "70")
	pv, err := models.PreviewLines(ctx, f.db, f.plan, map[int64]int{f.practical.ID: 800})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Candidates != 5 || pv.Complete != 5 || pv.Passing != 0 || pv.Lines[1].Passing != 1 || pv.Lines[0].Passing != 3 {
		t.Errorf("preview at 实操 80: %+v", pv)
	}
	if err := models.SetPassLines(ctx, f.db, testAdmin, f.plan.ID, map[int64]int{f.practical.ID: 700}); err != nil {
		t.Fatal(err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.PublishResults(ctx, f.db, testAdmin, f.plan.ID)
		return err
	}, func() {
		if s := f.status(t, 0); s != models.RegScored {
			t.Errorf("after a failed publish: %s", s)
		}
	}, "result_releases", "messages")
	out, err := models.PublishResults(ctx, f.db, testAdmin, f.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out.Passed != 2 || out.Failed != 3 || out.BatchNo[:4] != models.BatchResultPublish {
		t.Errorf("outcome = %+v, want 2 passed, 3 failed", out)
	}
	for i, want := range []models.RegStatus{models.RegPassed, models.RegFailed, models.RegFailed, models.RegFailed, models.RegPassed} {
		if s := f.status(t, i); s != want {
			t.Errorf("candidate %d: %s, want %s", i, s, want)
		}
	}
	if err := models.SetPassLines(ctx, f.db, testAdmin, f.plan.ID, map[int64]int{f.theory.ID: 500}); !errors.Is(err, models.ErrResultsPublished) {
		t.Errorf("lines after publishing: %v, want ErrResultsPublished", err)
	}
	if _, err := models.ImportScores(ctx, f.db, testAdmin, f.plan.ID, f.theory.ID, scoreRows([5]string{f.c[0].Ticket.TicketNo, "", "1", "1", "正常"})); !errors.Is(err, models.ErrResultsPublished) {
		t.Errorf("import after publishing: %v, want ErrResultsPublished", err)
	}
	if err := models.ReopenResults(ctx, f.db, testAdmin, f.plan.ID, " "); err == nil {
		t.Error("reopened without a reason")
	}
	enterprise := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	if err := models.ReopenResults(ctx, f.db, enterprise, f.plan.ID, "复核"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an enterprise reopens: %v", err)
	}
	if err := models.ReopenResults(ctx, f.db, testAdmin, f.plan.ID, "实操成绩复核"); err != nil {
		t.Fatal(err)
	}
	if s := f.status(t, 0); s != models.RegScored {
		t.Errorf("after reopening: %s, want scored", s)
	}
	if auditCount(t, f.db, models.EventResultsReopened) != 3 { // the two transitions and the workflow's own row
		t.Errorf("reopen audit rows = %d", auditCount(t, f.db, models.EventResultsReopened))
	}
	if err := models.SetPassLines(ctx, f.db, testAdmin, f.plan.ID, map[int64]int{f.practical.ID: 600}); err != nil {
		t.Errorf("lines after reopening: %v", err)
	}
	if out, err = models.PublishResults(ctx, f.db, testAdmin, f.plan.ID); err != nil || out.Passed != 3 {
		t.Errorf("published again at 实操 60: %+v %v, want 3 passed", out, err)
	}
	// Once a certificate stands on one of these results, they are not reopened.
	if _, err := f.db.NewUpdate().Model((*models.ExamCategory)(nil)).Set("cert_kind = ?", models.CertSafety).Set("cert_code = 'C3'").
		Set("number_template = ?", "京建安C3（{Y}）{N:7}").Where("id = (SELECT category_id FROM exam_plans WHERE id = ?)", f.plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	issued, err := models.IssueCertificates(ctx, f.db, testAdmin, models.IssueInput{PlanID: f.plan.ID,
		RegistrationIDs: []int64{f.c[0].Registration.ID}, IssuedOn: models.Now()})
	if err != nil || len(issued.Issued) != 1 {
		t.Fatalf("issuing a certificate: %+v %v", issued, err)
	}
	rows, _, err := models.ListResults(ctx, f.db, testAdmin, models.ResultFilter{PlanID: f.plan.ID, PassedOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if want := map[bool]string{true: issued.Issued[0].Number}[r.RegistrationID == f.c[0].Registration.ID]; r.CertNo != want {
			t.Errorf("合格人员 %s: 证书编号 %q, want %q", r.Name, r.CertNo, want)
		}
	}
	if err := models.ReopenResults(ctx, f.db, testAdmin, f.plan.ID, "再次复核"); !errors.Is(err, models.ErrCertificatesIssued) {
		t.Errorf("reopening after a certificate was issued: %v", err)
	}
	if s := f.status(t, 0); s != models.RegPassed {
		t.Errorf("after the refused reopening: %s, want passed", s)
	}
}

func TestTenths(t *testing.T) {
	for in, want := range map[string]int{"85": 850, "85.5": 855, "85.50": 855, "0": 0, "150": 1500} {
		if got, ok := models.ParseTenths(in); !ok || got != want {
			t.Errorf("ParseTenths(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "150.1", "8.55", "abc", "1e2"} {
		if _, ok := models.ParseTenths(in); ok {
			t.Errorf("ParseTenths(%q) accepted", in)
		}
	}
	if models.FormatTenths(855) != "85.5" || models.FormatTenths(600) != "60" {
		t.Error("FormatTenths")
	}
}

func TestDefaultLine(t *testing.T) {
	special := &models.ExamPlan{Category: &models.ExamCategory{Name: "特种作业-建筑电工"}}
	other := &models.ExamPlan{Category: &models.ExamCategory{Name: "施工员-土建"}}
	for _, c := range []struct {
		plan    *models.ExamPlan
		subject string
		want    int
	}{{special, "实操考核", 700}, {special, "安全技术理论", 600}, {other, "实操", 600}, {other, "专业基础知识", 600}} {
		if got := models.DefaultLine(c.plan, models.ExamSubject{Name: c.subject}); got != c.want {
			t.Errorf("%s %s: %d, want %d", c.plan.CategoryName(), c.subject, got, c.want)
		}
	}
}
