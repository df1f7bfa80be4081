package models

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/uptrace/bun"
)

// Kinds of 批号 (LIFECYCLE §2). One number is shared by every record handled in one batch action.
const (
	BatchImport   = "PLBM" // 批量报名 (an import of a 报名表 file)
	BatchReview   = "BMSH" // 报名审核
	BatchPayNote  = "JFTZ" // 缴费通知
	BatchPayCheck = "JFQR" // 缴费确认
	BatchPlan     = "JHZT" // 考试计划状态
)

var batchKindRE = regexp.MustCompile(`^[A-Z]{4}$`)

// BatchNumber is one row of batch_numbers: the serial behind a 批号.
type BatchNumber struct {
	bun.BaseModel `bun:"table:batch_numbers"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Kind      string    `bun:"kind,notnull"`
	AccountID *int64    `bun:"account_id"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// NewBatchNumber takes the next 批号 of a kind inside tx, e.g. BMSH00012345: the kind and an 8-digit serial shared
// by all kinds, so a number names one batch action whatever its kind. The serial is taken in the workflow's
// transaction: a batch that rolls back leaves a gap, never a number used twice.
func NewBatchNumber(ctx context.Context, tx bun.IDB, actor Actor, kind string) (string, error) {
	if !batchKindRE.MatchString(kind) {
		return "", fmt.Errorf("batch number kind %q: want 4 capital letters", kind)
	}
	row := &BatchNumber{Kind: kind, AccountID: actor.AccountID(), CreatedAt: Now()}
	if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return "", err
	}
	return FormatBatchNumber(kind, row.ID), nil
}

// FormatBatchNumber writes a 批号: kind + the serial in 8 digits (more once past 99,999,999).
func FormatBatchNumber(kind string, serial int64) string { return fmt.Sprintf("%s%08d", kind, serial) }
