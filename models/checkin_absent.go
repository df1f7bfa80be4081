package models

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"
)

// AbsentAfter is how long after a room's exam ended the system marks 缺考 by itself: time enough for the proctors to
// press 标记缺考 themselves, or to check in a candidate the scanner missed.
const AbsentAfter = time.Hour

// MarkAbsentAfterExams is the periodic 缺考 (LIFECYCLE §5: whoever did not check in is 缺考, which results read):
// every room whose exam ended more than AbsentAfter before now and still has a candidate neither checked in nor
// marked goes through 标记缺考 (MarkAbsent, one transaction, 批号 and audit row per room) as the system. A room of a
// 网考 plan is left alone (nobody checks in at a 考点). A room marked already is not selected again, so a second run
// changes nothing. It returns how many candidates it marked.
func MarkAbsentAfterExams(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	var rooms []int64
	err := db.NewSelect().TableExpr("exam_rooms AS room").Column("room.id").
		Join("JOIN exam_plans AS plan ON plan.id = room.plan_id").
		Where("room.ends_at < ?", now.Add(-AbsentAfter)).
		Where("plan.exam_mode <> ?", ModeOnline).
		Where(`EXISTS (SELECT 1 FROM tickets AS t JOIN draws AS d ON d.id = t.draw_id
			WHERE t.room_id = room.id AND d.cancelled_at IS NULL AND t.checked_in_at IS NULL AND t.absent = ?)`, false).
		OrderExpr("room.id").Scan(ctx, &rooms)
	if err != nil {
		return 0, err
	}
	actor := SystemActor("checkin.absent")
	total := 0
	for _, id := range rooms {
		a, err := MarkAbsent(ctx, db, actor, id)
		if errors.Is(err, ErrExamNotOver) || errors.Is(err, ErrNotFound) {
			continue // the room's time was changed, or the room removed, since it was read
		}
		if err != nil {
			return total, err
		}
		total += a.Marked
	}
	return total, nil
}

func init() {
	RegisterPeriodic(PeriodicTask{Name: "checkin.absent", Label: "考试结束后未签到者标记缺考", Every: 10 * time.Minute,
		Run: MarkAbsentAfterExams})
}
