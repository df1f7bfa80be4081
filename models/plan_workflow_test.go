package models_test

import (
	"context"
	"errors"
	"testing"

	"examcert/internal/dbtest"
	"examcert/models"
)

func TestPlanWorkflows(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	in := models.PlanInput{Name: "2026年施工员考试", CategoryID: "1", Level: "初级", RegistrationStarts: "2026-12-01T09:00",
		RegistrationEnds: "2026-12-10T17:00", ExamAt: "2026-12-20T09:00", Fee: "120", PhotoMaxKB: "60", PaymentDeadline: "2026-12-15T17:00"}
	enterprise := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	if _, err := models.CreatePlan(ctx, db, enterprise, in); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise creating a plan: %v", err)
	}
	var fe models.FieldErrors
	unknown := in
	unknown.CategoryID = "999999"
	if _, err := models.CreatePlan(ctx, db, testAdmin, unknown); !errors.As(err, &fe) || fe["category_id"] != "请选择岗位/工种" {
		t.Errorf("a category that does not exist: %v", err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.CreatePlan(ctx, db, testAdmin, in)
		return err
	}, nil, "exam_plans")
	p, err := models.CreatePlan(ctx, db, testAdmin, in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != models.PlanDraft || p.Version != 1 || p.FeeCents != 12000 {
		t.Errorf("created %+v", p)
	}

	in.Name = "2026年施工员（土建）考试"
	if _, err := models.UpdatePlan(ctx, db, enterprise, p.ID, in, p.Version); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise editing a plan: %v", err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, in, p.Version)
		return err
	}, func() {
		if got, _ := models.GetPlan(ctx, db, p.ID); got.Name != "2026年施工员考试" || got.Version != p.Version {
			t.Errorf("after a failed update: %q version %d", got.Name, got.Version)
		}
	})
	saved, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, in, p.Version)
	if err != nil || saved.Version != p.Version+1 || saved.Status != models.PlanDraft {
		t.Fatalf("update: %+v, %v", saved, err)
	}
	if _, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, in, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a stale version: %v, want ErrConflict", err)
	}
	bad := in
	bad.ExamAt = "2026-12-01T09:00"
	if _, err := models.UpdatePlan(ctx, db, testAdmin, p.ID, bad, saved.Version); !errors.As(err, &fe) || fe["exam_at"] == "" {
		t.Errorf("exam before the registration ends: %v", err)
	}
	if _, err := models.UpdatePlan(ctx, db, testAdmin, 999999, in, 1); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an unknown plan: %v", err)
	}
	if n := auditCount(t, db, models.EventPlanSaved); n != 2 {
		t.Errorf("%d plan.saved rows, want 2", n)
	}
}

func TestCategoryWorkflows(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	enterprise := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	if _, err := models.AddCategory(ctx, db, enterprise, "造价员"); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise adding a category: %v", err)
	}
	if err := models.ToggleCategory(ctx, db, enterprise, 1); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise toggling a category: %v", err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.AddCategory(ctx, db, testAdmin, "造价员")
		return err
	}, nil, "exam_categories")
	c, err := models.AddCategory(ctx, db, testAdmin, "  造价员 ")
	if err != nil || c.Name != "造价员" || !c.Active {
		t.Fatalf("add: %+v, %v", c, err)
	}
	var fe models.FieldErrors
	for name, want := range map[string]string{"造价员": "该岗位/工种已存在", "x": "岗位/工种名称应为2至40个字"} {
		if _, err := models.AddCategory(ctx, db, testAdmin, name); !errors.As(err, &fe) || fe["category_name"] != want {
			t.Errorf("add %q: %v, want %s", name, err, want)
		}
	}
	active := func() bool {
		var a bool
		if err := db.NewSelect().Model((*models.ExamCategory)(nil)).Column("active").Where("id = ?", c.ID).Scan(ctx, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		return models.ToggleCategory(ctx, db, testAdmin, c.ID)
	}, func() {
		if !active() {
			t.Error("hidden by a failed toggle")
		}
	})
	if err := models.ToggleCategory(ctx, db, testAdmin, c.ID); err != nil || active() {
		t.Errorf("toggle: %v, active %v", err, active())
	}
	if err := models.ToggleCategory(ctx, db, testAdmin, 999999); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an unknown category: %v", err)
	}
	if n := auditCount(t, db, models.EventPlanSaved); n != 2 {
		t.Errorf("%d rows for one addition and one toggle, want 2", n)
	}
}
