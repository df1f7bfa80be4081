package models

import (
	"errors"
	"testing"
	"time"
)

// The entry rule at its boundaries: a 机考 takes a candidate until exactly 30 minutes after the subject began and
// refuses one a second later; a 实操 takes one until exactly its start; a 网考 has no entry rule here (its plan is
// refused before). The subject is the first within the room's time not yet over.
func TestLateEntry(t *testing.T) {
	nine := time.Date(2026, 12, 20, 1, 0, 0, 0, time.UTC) // 09:00 in Beijing
	room := &ExamRoom{StartsAt: nine, EndsAt: nine.Add(4 * time.Hour)}
	second := ExamSubject{Name: "管理能力考核", StartsAt: nine.Add(2 * time.Hour), EndsAt: nine.Add(3 * time.Hour)}
	first := ExamSubject{Name: "安全生产知识考核", StartsAt: nine, EndsAt: nine.Add(90 * time.Minute)}
	otherDay := ExamSubject{Name: "另一天的科目", StartsAt: nine.Add(24 * time.Hour), EndsAt: nine.Add(25 * time.Hour)}
	twoSubjects := []ExamSubject{second, first, otherDay} // not in time order: the rule sorts them
	cases := []struct {
		name     string
		mode     ExamMode
		subjects []ExamSubject
		now      time.Time
		want     error
	}{
		{"机考 early", ModeComputer, nil, nine.Add(-15 * time.Minute), nil},
		{"机考 at the start", ModeComputer, nil, nine, nil},
		{"机考 exactly 30 min late", ModeComputer, nil, nine.Add(30 * time.Minute), nil},
		{"机考 30 min and 1 s late", ModeComputer, nil, nine.Add(30*time.Minute + time.Second), ErrTicketLate},
		{"机考 an hour late", ModeComputer, nil, nine.Add(time.Hour), ErrTicketLate},
		{"实操 30 min early", ModePractical, nil, nine.Add(-30 * time.Minute), nil},
		{"实操 exactly at the start", ModePractical, nil, nine, nil},
		{"实操 1 s late", ModePractical, nil, nine.Add(time.Second), ErrPracticalStarted},
		{"实操 29 min late", ModePractical, nil, nine.Add(29 * time.Minute), ErrPracticalStarted},
		{"网考 (refused by plan, not here)", ModeOnline, nil, nine.Add(time.Hour), nil},
		{"机考, first subject, exactly +30", ModeComputer, twoSubjects, nine.Add(30 * time.Minute), nil},
		{"机考, first subject, +31", ModeComputer, twoSubjects, nine.Add(31 * time.Minute), ErrTicketLate},
		{"机考, first subject still on, an hour late", ModeComputer, twoSubjects, nine.Add(time.Hour), ErrTicketLate},
		{"机考, between subjects: early for the second", ModeComputer, twoSubjects, nine.Add(110 * time.Minute), nil},
		{"实操, between subjects: early for the second", ModePractical, twoSubjects, nine.Add(110 * time.Minute), nil},
		{"机考, second subject, exactly +30", ModeComputer, twoSubjects, second.StartsAt.Add(30 * time.Minute), nil},
		{"机考, second subject, +30 and 1 s", ModeComputer, twoSubjects, second.StartsAt.Add(30*time.Minute + time.Second), ErrTicketLate},
		{"机考, after the last subject", ModeComputer, twoSubjects, second.EndsAt.Add(time.Minute), ErrTicketLate},
		{"实操, second subject, at its start", ModePractical, twoSubjects, second.StartsAt, nil},
		{"实操, second subject, 1 s late", ModePractical, twoSubjects, second.StartsAt.Add(time.Second), ErrPracticalStarted},
		{"机考, a subject after the room's start", ModeComputer, []ExamSubject{{StartsAt: nine.Add(30 * time.Minute), EndsAt: nine.Add(2 * time.Hour)}},
			nine.Add(time.Hour), nil},
		{"机考, subjects only on another day: the room's start", ModeComputer, []ExamSubject{otherDay}, nine.Add(31 * time.Minute), ErrTicketLate},
	}
	for _, tc := range cases {
		if err := lateEntry(tc.mode, room, tc.subjects, tc.now); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
