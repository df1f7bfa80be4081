package checkinfixture

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"examcert/models"
)

// Subject stores a subject of plan (科目) starting at starts, two hours long.
func Subject(ctx context.Context, db bun.IDB, plan *models.ExamPlan, name string, order int, starts time.Time) (*models.ExamSubject, error) {
	s := &models.ExamSubject{PlanID: plan.ID, Name: name, StartsAt: starts.UTC(), EndsAt: starts.Add(2 * time.Hour).UTC(), SortOrder: order}
	_, err := db.NewInsert().Model(s).Returning("id").Exec(ctx)
	return s, err
}

// Release marks plan as released (放号 done), as the arrangement's 放号 does.
func Release(ctx context.Context, db bun.IDB, plan *models.ExamPlan) error {
	_, err := db.NewUpdate().TableExpr("exam_plans").Set("released_at = ?", models.Now()).Where("id = ?", plan.ID).Exec(ctx)
	return err
}
