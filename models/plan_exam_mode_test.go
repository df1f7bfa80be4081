package models_test

import (
	"context"
	"errors"
	"testing"

	"examcert/internal/dbtest"
	"examcert/models"
)

// 考试方式: a plan without one is a 机考, the admin chooses 实操 or 网考, anything else is a field error beside the
// select, and the database itself takes none but the three.
func TestPlanExamMode(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	in := models.PlanInput{Name: "2026年建筑电工实操考试", CategoryID: "1", Level: "无", RegistrationStarts: "2026-12-01T09:00",
		RegistrationEnds: "2026-12-10T17:00", ExamAt: "2026-12-20T09:00", PhotoMaxKB: "60"}

	p, err := models.CreatePlan(ctx, db, testAdmin, in)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := models.GetPlan(ctx, db, p.ID); got.ExamMode != models.ModeComputer || got.ExamMode.Label() != "机考（理论考试）" {
		t.Errorf("a plan with no 考试方式 given: %q", got.ExamMode)
	}
	for _, mode := range []models.ExamMode{models.ModePractical, models.ModeOnline, models.ModeComputer} {
		in.ExamMode = string(mode)
		saved, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, in, p.Version)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		p = saved
		if got, _ := models.GetPlan(ctx, db, p.ID); got.ExamMode != mode {
			t.Errorf("saved %q, stored %q", mode, got.ExamMode)
		}
	}

	var fe models.FieldErrors
	for _, bad := range []string{"机考", "offline", "COMPUTER"} {
		in.ExamMode = bad
		if _, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, in, p.Version); !errors.As(err, &fe) ||
			fe["exam_mode"] != "请选择考试方式（机考、实操或网考）" {
			t.Errorf("考试方式 %q: %v", bad, err)
		}
	}
	if got, _ := models.GetPlan(ctx, db, p.ID); got.ExamMode != models.ModeComputer || got.Version != p.Version {
		t.Errorf("after refused updates: %q version %d", got.ExamMode, got.Version)
	}

	// The CHECK constraint: a value written past the model is refused, and nothing changes.
	if _, err := db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("exam_mode = ?", "网考").Where("id = ?", p.ID).Exec(ctx); err == nil {
		t.Error("the database took exam_mode = '网考'")
	}
	// A plan stored without one (seeding, fixtures) is a 机考.
	seeded := &models.ExamPlan{Name: "种子计划", CategoryID: 1, Level: "无", PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, db, seeded, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := models.GetPlan(ctx, db, seeded.ID); got.ExamMode != models.ModeComputer {
		t.Errorf("seeded plan: %q", got.ExamMode)
	}

	// Once 放号 gave tickets of one 考试方式, it stays; the rest of the plan may still change.
	if _, err := db.NewUpdate().Model((*models.ExamPlan)(nil)).Set("released_at = ?", models.Now()).Where("id = ?", p.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	in.ExamMode = string(models.ModeOnline)
	if _, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, in, p.Version); !errors.As(err, &fe) || fe["exam_mode"] == "" {
		t.Errorf("a new 考试方式 after 放号: %v", err)
	}
	in.ExamMode, in.Name = string(models.ModeComputer), "2026年建筑电工考试（更名）"
	if _, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, in, p.Version); err != nil {
		t.Errorf("the same 考试方式 after 放号: %v", err)
	}
}
