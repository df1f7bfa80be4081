package models_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// statsFixture is newResultFixture published (candidates 0 and 4 合格, 1–3 不合格; 2 缺考), candidates 0 and 1
// registered through organization org, and three certificates: 0's valid for 30 more days (org), 4's valid for
// 200 (no org), and a 暂扣 one of 1's (org, not from a registration) that would expire in 10.
type statsFixture struct {
	*resultFixture
	org int64
	now time.Time
}

func newStatsFixture(t *testing.T) *statsFixture {
	t.Helper()
	ctx := context.Background()
	f := &statsFixture{resultFixture: newResultFixture(t), now: models.Now()}
	f.importTotals(t, f.theory, "80", "59.5", "", "60", "90")
	f.importTotals(t, f.practical, "75", "100", "", "60", "70")
	if err := models.SetPassLines(ctx, f.db, testAdmin, f.plan.ID, map[int64]int{f.practical.ID: 700}); err != nil {
		t.Fatal(err)
	}
	if _, err := models.PublishResults(ctx, f.db, testAdmin, f.plan.ID); err != nil {
		t.Fatal(err)
	}
	err := f.db.NewRaw("INSERT INTO organizations (kind, name, created_at, updated_at) VALUES ('enterprise', '统计测试公司', ?, ?) RETURNING id",
		f.now, f.now).Scan(ctx, &f.org)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1} {
		if _, err := f.db.NewUpdate().TableExpr("registrations").Set("organization_id = ?", f.org).Where("id = ?", f.c[i].Registration.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.cert(t, 0, models.CertValid, 30, &f.org, true)
	f.cert(t, 4, models.CertValid, 200, nil, true)
	f.cert(t, 1, models.CertSuspended, 10, &f.org, false)
	return f
}

// cert stores a certificate of candidate i in status s, valid for days more.
func (f *statsFixture) cert(t *testing.T, i int, s models.CertStatus, days int, org *int64, fromRegistration bool) {
	t.Helper()
	until := f.now.AddDate(0, 0, days)
	c := &models.Certificate{Number: "TJ" + strconv.Itoa(i), PersonID: f.c[i].Person.ID, CategoryID: f.plan.CategoryID,
		Kind: models.CertSafety, Code: "C3", PostName: "施工员", Name: f.c[i].Person.Name, Gender: "男", IDNumber: f.c[i].Person.IDNumber,
		OrganizationID: org, Authority: "北京市住房和城乡建设委员会", FirstIssuedOn: f.now, IssuedOn: f.now, ValidFrom: f.now,
		ValidUntil: &until, Status: s, Business: models.BusinessFirst, VerifyToken: "tok" + strconv.Itoa(i), CreatedAt: f.now,
		UpdatedAt: f.now, Version: 1}
	if fromRegistration {
		c.RegistrationID = &f.c[i].Registration.ID
	}
	if _, err := f.db.NewInsert().Model(c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// absentIn makes candidate i's score in subject 缺考, as a score import enters it.
func (f *statsFixture) absentIn(t *testing.T, i int, subject int64) {
	t.Helper()
	if _, err := f.db.NewUpdate().TableExpr("scores").Set("situation = ?", models.SituationAbsent).
		Set("objective_tenths = 0, subjective_tenths = 0, total_tenths = 0").
		Where("registration_id = ? AND subject_id = ?", f.c[i].Registration.ID, subject).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (f *statsFixture) stats(t *testing.T, filter models.StatsFilter) *models.Stats {
	t.Helper()
	filter.Now = f.now
	s, err := models.Statistics(context.Background(), f.db, testAdmin, filter)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStatisticsFigures(t *testing.T) {
	f := newStatsFixture(t)
	year := f.plan.ExamAt.In(models.Beijing).Year()
	s := f.stats(t, models.StatsFilter{Year: year, CategoryID: f.plan.CategoryID})
	want := &models.Stats{
		ByStatus:       []models.StatusCount{{Status: models.RegFailed, Count: 3}, {Status: models.RegPassed, Count: 2}},
		ByPlan:         []models.PassRate{{Key: f.plan.ID, Name: f.plan.Name, Passed: 2, Failed: 3}},
		BySubject:      []models.PassRate{{Name: "实操", Passed: 3, Failed: 2}, {Name: "理论", Passed: 3, Failed: 2}},
		ByOrganization: []models.PassRate{{Key: 0, Name: "个人报名", Passed: 1, Failed: 2}, {Key: f.org, Name: "统计测试公司", Passed: 1, Failed: 1}},
		CertStates:     []models.CertStateCount{{Status: models.CertSuspended, Count: 1}, {Status: models.CertValid, Count: 2}},
		ExpiringCount:  1,
		Expiring:       []models.ExpiringCert{{Number: "TJ0", Name: f.c[0].Person.Name, PostName: "施工员", ValidUntil: f.now.AddDate(0, 0, 30)}},
		Absence:        []models.AbsenceRate{{PlanID: f.plan.ID, Name: f.plan.Name, Absent: 1, Tickets: 5}},
	}
	sortStats(s)
	if len(s.Expiring) == 1 {
		s.Expiring[0].ValidUntil = s.Expiring[0].ValidUntil.UTC().Truncate(time.Second)
		want.Expiring[0].ValidUntil = want.Expiring[0].ValidUntil.Truncate(time.Second)
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("figures:\n got %+v\nwant %+v", s, want)
	}
	if r := s.ByPlan[0].Rate(); r != 40 {
		t.Errorf("pass rate %v, want 40", r)
	}
	if r := s.Absence[0].Rate(); r != 20 {
		t.Errorf("absence rate %v, want 20", r)
	}

	// 缺考 entered in the score import counts too (as for the 缺考 rule), once per ticket: candidate 3 checked in but
	// is 缺考 in one subject, then in both; candidate 2 is 缺考 by check-in and in both subjects'
	// scores (the fixture).
	for _, subject := range []int64{f.theory.ID, f.practical.ID} {
		f.absentIn(t, 3, subject)
		for _, filter := range []models.StatsFilter{{Year: year, CategoryID: f.plan.CategoryID}, {}, {PlanID: f.plan.ID}} {
			s = f.stats(t, filter)
			if want := []models.AbsenceRate{{PlanID: f.plan.ID, Name: f.plan.Name, Absent: 2, Tickets: 5}}; !reflect.DeepEqual(s.Absence, want) {
				t.Errorf("absence with 缺考 scores (%+v): %+v, want %+v", filter, s.Absence, want)
			}
		}
	}
}

func TestStatisticsFilters(t *testing.T) {
	f := newStatsFixture(t)
	org := f.stats(t, models.StatsFilter{OrganizationID: f.org})
	sortStats(org)
	if want := []models.PassRate{{Name: "实操", Passed: 2}, {Name: "理论", Passed: 1, Failed: 1}}; !reflect.DeepEqual(org.BySubject, want) {
		t.Errorf("subjects of the organization: %+v, want %+v", org.BySubject, want)
	}
	if want := []models.CertStateCount{{Status: models.CertSuspended, Count: 1}, {Status: models.CertValid, Count: 1}}; !reflect.DeepEqual(org.CertStates, want) {
		t.Errorf("certificates of the organization: %+v", org.CertStates)
	}
	if len(org.Absence) != 1 || org.Absence[0].Absent != 0 || org.Absence[0].Tickets != 2 || len(org.ByStatus) != 2 || org.ExpiringCount != 1 {
		t.Errorf("organization: absence %+v, statuses %+v, expiring %d", org.Absence, org.ByStatus, org.ExpiringCount)
	}
	plan := f.stats(t, models.StatsFilter{PlanID: f.plan.ID})
	if want := []models.CertStateCount{{Status: models.CertValid, Count: 2}}; !reflect.DeepEqual(plan.CertStates, want) {
		t.Errorf("certificates of the plan: %+v (the 暂扣 one was not issued from it)", plan.CertStates)
	}
	none := f.stats(t, models.StatsFilter{Year: f.plan.ExamAt.In(models.Beijing).Year() + 1})
	if len(none.ByStatus)+len(none.ByPlan)+len(none.BySubject)+len(none.CertStates)+len(none.Absence)+none.ExpiringCount != 0 {
		t.Errorf("next year: %+v", none)
	}
	other := f.stats(t, models.StatsFilter{PlanID: f.plan.ID + 1000})
	if len(other.ByStatus) != 0 || len(other.Absence) != 0 {
		t.Errorf("another plan: %+v", other)
	}
	// A 缺考 score of the organization's candidate counts for the organization, and for no other.
	f.absentIn(t, 1, f.theory.ID)
	if org = f.stats(t, models.StatsFilter{OrganizationID: f.org}); len(org.Absence) != 1 || org.Absence[0].Absent != 1 || org.Absence[0].Tickets != 2 {
		t.Errorf("organization with a 缺考 score: %+v", org.Absence)
	}
	if all := f.stats(t, models.StatsFilter{}); len(all.Absence) != 1 || all.Absence[0].Absent != 2 || all.Absence[0].Tickets != 5 {
		t.Errorf("all with the organization's 缺考 score: %+v", all.Absence)
	}
}

func TestStatisticsAdminOnly(t *testing.T) {
	f := newStatsFixture(t)
	for _, role := range []models.Role{models.RolePractitioner, models.RoleEnterprise, models.RoleTraining, models.RoleProctor} {
		a := models.Actor{Account: &models.Account{Role: role}}
		if _, err := models.Statistics(context.Background(), f.db, a, models.StatsFilter{}); !errors.Is(err, models.ErrNotAllowed) {
			t.Errorf("%s: %v, want ErrNotAllowed", role, err)
		}
		err := models.EachExpiringCertificate(context.Background(), f.db, a, models.StatsFilter{}, func(*models.ExpiringCert) error { return nil })
		if !errors.Is(err, models.ErrNotAllowed) {
			t.Errorf("%s expiring: %v, want ErrNotAllowed", role, err)
		}
	}
}

// One table (an export) runs its own queries only; 即将到期 streams every row of the filter, soonest first.
func TestStatisticsOneTableAndExpiringCursor(t *testing.T) {
	f := newStatsFixture(t)
	ctx := context.Background()
	s, err := models.Statistics(ctx, f.db, testAdmin, models.StatsFilter{Now: f.now}, models.StatsPassByPlan)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ByPlan) != 1 || len(s.ByStatus)+len(s.BySubject)+len(s.ByOrganization)+len(s.CertStates)+len(s.Expiring)+len(s.Absence)+s.ExpiringCount != 0 {
		t.Errorf("pass-plan only: %+v", s)
	}
	s, err = models.Statistics(ctx, f.db, testAdmin, models.StatsFilter{Now: f.now}, models.StatsExpiring)
	if err != nil || s.ExpiringCount != 1 || len(s.Expiring) != 1 || len(s.ByStatus) != 0 {
		t.Errorf("expiring only: %+v %v", s, err)
	}
	f.cert(t, 2, models.CertValid, 5, nil, true)
	var got []string
	err = models.EachExpiringCertificate(ctx, f.db, testAdmin, models.StatsFilter{Now: f.now}, func(c *models.ExpiringCert) error {
		got = append(got, c.Number+" "+c.Name)
		return nil
	})
	if want := []string{"TJ2 " + f.c[2].Person.Name, "TJ0 " + f.c[0].Person.Name}; err != nil || !slices.Equal(got, want) {
		t.Errorf("expiring rows %v %v, want %v", got, err, want)
	}
	got = nil
	err = models.EachExpiringCertificate(ctx, f.db, testAdmin, models.StatsFilter{Now: f.now, OrganizationID: f.org}, func(c *models.ExpiringCert) error {
		got = append(got, c.Number)
		return nil
	})
	if err != nil || !slices.Equal(got, []string{"TJ0"}) {
		t.Errorf("the organization's expiring rows %v %v", got, err)
	}
}

// sortStats orders the groups whose order the queries leave to the database: statuses.
func sortStats(s *models.Stats) {
	slices.SortFunc(s.ByStatus, func(a, b models.StatusCount) int { return strings.Compare(string(a.Status), string(b.Status)) })
	slices.SortFunc(s.CertStates, func(a, b models.CertStateCount) int { return strings.Compare(string(a.Status), string(b.Status)) })
}
