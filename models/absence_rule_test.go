package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"examcert/internal/checkinfixture"
	"examcert/internal/spreadsheet"
	"examcert/models"
)

func TestBarredUntil(t *testing.T) {
	now := day("2026-12-01")
	cases := []struct {
		name  string
		dates []string
		until string // "" = not barred
	}{
		{"none", nil, ""},
		{"two", []string{"2026-03-01", "2026-06-01"}, ""},
		{"three within a year", []string{"2026-01-10", "2026-06-01", "2026-11-20"}, "2027-11-20"},
		{"three spread over more than a year", []string{"2025-01-10", "2025-06-01", "2026-02-01"}, ""},
		{"bar over", []string{"2024-01-10", "2024-06-01", "2024-11-20"}, ""},
		{"a later window", []string{"2023-01-01", "2025-02-01", "2025-08-01", "2026-01-05"}, "2027-01-05"},
		{"exactly twelve months", []string{"2026-01-01", "2026-06-01", "2027-01-01"}, "2028-01-01"},
	}
	for _, tc := range cases {
		var ds []time.Time
		for _, d := range tc.dates {
			ds = append(ds, day(d))
		}
		at := now
		if tc.name == "exactly twelve months" {
			at = day("2027-01-02")
		}
		_, until := models.BarredUntil(ds, at)
		got := ""
		if !until.IsZero() {
			got = until.Format("2006-01-02")
		}
		if got != tc.until {
			t.Errorf("%s: barred until %q, want %q", tc.name, got, tc.until)
		}
	}
}

// absentExam records that person missed an exam of the first 岗位/工种 on examAt: a plan, a room, a 准考证 marked
// 缺考 at 签到.
func absentExam(t *testing.T, f *regFixture, person *models.Person, examAt time.Time, viaScore bool) {
	t.Helper()
	ctx := context.Background()
	plan, err := checkinfixture.Plan(ctx, f.db, "缺考记录"+examAt.Format("20060102"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.NewUpdate().TableExpr("exam_plans").Set("exam_at = ?", examAt).Where("id = ?", plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	site, err := checkinfixture.Site(ctx, f.db, "考点"+examAt.Format("20060102"))
	if err != nil {
		t.Fatal(err)
	}
	room, err := checkinfixture.Room(ctx, f.db, plan, site, "01", examAt, examAt.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	draw, err := checkinfixture.Draw(ctx, f.db, plan)
	if err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	reg := &models.Registration{PlanID: plan.ID, PersonID: person.ID, Channel: models.ChannelSelf, Resume: "[]", Status: models.RegTicketed,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := f.db.NewInsert().Model(reg).Returning("id").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	tk := &models.Ticket{RegistrationID: reg.ID, PlanID: plan.ID, RoomID: room.ID, DrawID: draw.ID, SeatNo: 1,
		TicketNo: "26" + examAt.Format("0102") + "001", Absent: !viaScore}
	if _, err := f.db.NewInsert().Model(tk).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if viaScore {
		subj, err := checkinfixture.Subject(ctx, f.db, plan, "理论", 1, examAt)
		if err != nil {
			t.Fatal(err)
		}
		s := &models.Score{RegistrationID: reg.ID, SubjectID: subj.ID, PlanID: plan.ID, Situation: models.SituationAbsent, BatchNo: "CJDR00000001", ImportedAt: now}
		if _, err := f.db.NewInsert().Model(s).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestThreeAbsencesBarRegistration(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	person := &models.Person{IDNumber: f.newID(), Name: "缺考考生", Gender: "男"}
	if err := models.InsertPerson(ctx, f.db, person); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	absentExam(t, f, person, now.AddDate(0, -10, 0), false)
	absentExam(t, f, person, now.AddDate(0, -5, 0), true)
	// Two 缺考: still free to register.
	if msg, err := models.AbsenceBarMessage(ctx, f.db, person.IDNumber, f.plan.CategoryID, now); err != nil || msg != "" {
		t.Errorf("two 缺考: %q %v, want no bar", msg, err)
	}
	rows := []spreadsheet.Row{importRow(2, person.IDNumber, person.Name)}
	absentExam(t, f, person, now.AddDate(0, -1, 0), false)

	_, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(person.IDNumber, person.Name))
	var fe models.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["plan"], "缺考3次") {
		t.Fatalf("single form: err = %v, want the 缺考 bar beside the plan", err)
	}
	_, err = models.ImportBatch(ctx, f.db, f.actor, f.plan, rows)
	var problems models.BatchProblems
	if !errors.As(err, &problems) || len(problems) != 1 || problems[0].Row != 2 || problems[0].Column != "身份证号" ||
		!strings.Contains(problems[0].Reason, "缺考3次") {
		t.Fatalf("import row: err = %v %+v", err, problems)
	}
	// Someone else, and the same person for another 岗位/工种, may register.
	if _, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(f.newID(), "按时考生")); err != nil {
		t.Errorf("another person: %v", err)
	}
	if _, err := f.db.NewUpdate().TableExpr("exam_plans").Set("category_id = 2").Where("id = ?", f.plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	f.plan.CategoryID = 2
	if _, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(person.IDNumber, person.Name)); err != nil {
		t.Errorf("another category: %v", err)
	}
}
