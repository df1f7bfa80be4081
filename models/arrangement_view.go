package models

import (
	"context"

	"github.com/uptrace/bun"
)

// ArrangementView is everything a plan's 考务编排 page shows, read in one place: the plan, its summary (candidates
// ready, capacity, per 考点), subjects, rooms with how many are seated in each, the 准考证号 range, the 考点 that
// can take rooms, and every draw (the live one and those cancelled).
type ArrangementView struct {
	Plan        *ExamPlan
	Summary     *ArrangementSummary
	Subjects    []ExamSubject
	Rooms       []ExamRoom
	Seated      map[int64]int // by room id
	First, Last string        // the 准考证号 range given ("" before 放号)
	Sites       []ExamSite    // active 考点, for new rooms
	Draws       []DrawRecord  // newest first
}

// LoadArrangementView reads a plan's ArrangementView (ErrNotFound for no such plan).
func LoadArrangementView(ctx context.Context, db bun.IDB, planID int64) (*ArrangementView, error) {
	v := &ArrangementView{}
	var err error
	if v.Plan, err = GetPlan(ctx, db, planID); err != nil {
		return nil, err
	}
	if v.Summary, err = SummarizeArrangement(ctx, db, planID); err != nil {
		return nil, err
	}
	if v.Subjects, err = ListSubjects(ctx, db, planID); err != nil {
		return nil, err
	}
	if v.Rooms, err = ListRooms(ctx, db, planID); err != nil {
		return nil, err
	}
	if v.Seated, err = RoomCounts(ctx, db, planID); err != nil {
		return nil, err
	}
	if v.First, v.Last, err = TicketRange(ctx, db, planID); err != nil {
		return nil, err
	}
	if v.Sites, _, err = ListSites(ctx, db, SiteFilter{ActiveOnly: true}); err != nil {
		return nil, err
	}
	if v.Draws, err = ListDraws(ctx, db, planID); err != nil {
		return nil, err
	}
	return v, nil
}
