package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// The 缺考 rule (LIFECYCLE §4): three 缺考 within twelve months bar an ID number from registering for exams of that
// 岗位/工种 for one year from the third. A 缺考 is an exam (a registration with a 准考证 of a live draw) marked absent
// at 签到 or scored 缺考 in a subject; it counts once per exam, on the plan's exam date.
const absencesToBar = 3

type absence struct {
	IDNumber string    `bun:"id_number"`
	ExamAt   time.Time `bun:"exam_at"`
}

// absenceDates are the exam dates of the ID numbers' 缺考 in a category, oldest first, by ID number.
func absenceDates(ctx context.Context, db bun.IDB, idNumbers []string, categoryID int64) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	for i := 0; i < len(idNumbers); i += batchChunk {
		var rows []absence
		b := database.Bind(db) // every 报名表 checks its person's 缺考 (the 缺考 situation stays written: scores_absent is partial)
		err := db.NewSelect().Conn(b.On(db)).TableExpr("registrations AS reg").
			Join("JOIN persons AS p ON p.id = reg.person_id").
			Join("JOIN exam_plans AS plan ON plan.id = reg.plan_id").
			Join("JOIN tickets AS t ON t.registration_id = reg.id").
			Join("JOIN draws AS d ON d.id = t.draw_id").
			ColumnExpr("p.id_number, plan.exam_at").
			Where("p.id_number IN (?)", database.BindList(b, idNumbers[i:min(i+batchChunk, len(idNumbers))])).
			Where("plan.category_id = ? AND d.cancelled_at IS NULL", b.V(categoryID)).
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("t.absent = TRUE").
					WhereOr("EXISTS (SELECT 1 FROM scores AS s WHERE s.registration_id = reg.id AND s.situation = ?)", SituationAbsent)
			}).
			OrderExpr("plan.exam_at").Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.IDNumber] = append(out[r.IDNumber], r.ExamAt)
		}
	}
	return out, nil
}

// BarredUntil is the end of the bar that 缺考 on dates (oldest first) put in force at now: one year from any third
// 缺考 within twelve months of the first of the three; zero when none is in force.
func BarredUntil(dates []time.Time, now time.Time) (third, until time.Time) {
	for i := absencesToBar - 1; i < len(dates); i++ {
		if dates[i].After(dates[i-absencesToBar+1].AddDate(1, 0, 0)) {
			continue
		}
		if end := dates[i].AddDate(1, 0, 0); now.Before(end) && end.After(until) {
			third, until = dates[i], end
		}
	}
	return third, until
}

// absenceBarMessage is what a registration of a barred ID number is told ("" when not barred).
func absenceBarMessage(dates []time.Time, now time.Time) string {
	third, until := BarredUntil(dates, now)
	if until.IsZero() {
		return ""
	}
	return "该身份证号12个月内已缺考3次（第3次为" + third.In(Beijing).Format("2006-01-02") + "的考试），" +
		until.In(Beijing).Format("2006-01-02") + "前不能报名该岗位/工种的考试"
}

// AbsenceBarMessage says whether idNumber is barred from registering for plans of categoryID at now, and why.
func AbsenceBarMessage(ctx context.Context, db bun.IDB, idNumber string, categoryID int64, now time.Time) (string, error) {
	if idNumber == "" {
		return "", nil
	}
	dates, err := absenceDates(ctx, db, []string{idNumber}, categoryID)
	if err != nil {
		return "", err
	}
	return absenceBarMessage(dates[idNumber], now), nil
}
