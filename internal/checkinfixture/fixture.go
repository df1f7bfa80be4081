// Package checkinfixture writes an exam day straight into a database for the 签到 tests (models, handlers and the
// browser suite): a plan with 考点, 考场, a draw and candidates whose registrations are 已放号 with their 准考证,
// and 考务人员 with their 考点 and days. It stands in for the arrangement screens, which other work builds.
package checkinfixture

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/models"
)

// Plan stores an exam plan (the first 岗位/工种) with no capacity limit, in 已结束报名 or any later state the
// caller sets afterwards.
func Plan(ctx context.Context, db bun.IDB, name string) (*models.ExamPlan, error) {
	now := models.Now()
	p := &models.ExamPlan{Name: name, CategoryID: 1, Level: "无", RegistrationStartsAt: now.AddDate(0, -2, 0),
		RegistrationEndsAt: now.AddDate(0, -1, 0), ExamAt: now, PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, db, p, 0); err != nil {
		return nil, err
	}
	return p, nil
}

// Site stores a 考点.
func Site(ctx context.Context, db bun.IDB, name string) (*models.ExamSite, error) {
	now := models.Now()
	s := &models.ExamSite{Name: name, Address: name + "（北京市西城区南礼士路1号）", ContactName: "王老师", ContactPhone: "010-12345678",
		RoomCount: 10, Capacity: 300, Active: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	_, err := db.NewInsert().Model(s).Returning("id").Exec(ctx)
	return s, err
}

// Room stores a 考场 of plan at site, from starts to ends.
func Room(ctx context.Context, db bun.IDB, plan *models.ExamPlan, site *models.ExamSite, roomNo string, starts, ends time.Time) (*models.ExamRoom, error) {
	now := models.Now()
	r := &models.ExamRoom{PlanID: plan.ID, SiteID: site.ID, RoomNo: roomNo, Capacity: 30, StartsAt: starts.UTC(), EndsAt: ends.UTC(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	_, err := db.NewInsert().Model(r).Returning("id").Exec(ctx)
	r.Site = site
	return r, err
}

// Draw stores the draw the plan's tickets come from: a plan has one live draw, so a second call returns it.
func Draw(ctx context.Context, db bun.IDB, plan *models.ExamPlan) (*models.Draw, error) {
	live := new(models.Draw)
	if err := db.NewSelect().Model(live).Where("plan_id = ? AND cancelled_at IS NULL", plan.ID).Limit(1).Scan(ctx); err == nil {
		return live, nil
	}
	d := &models.Draw{PlanID: plan.ID, Seed: "00112233445566778899aabbccddeeff", Candidates: 0, BatchNo: "KWBP00000001",
		DrawnAt: models.Now()}
	_, err := db.NewInsert().Model(d).Returning("id").Exec(ctx)
	return d, err
}

// Candidate is one candidate of a room: the person, the registration (已放号) and the 准考证.
type Candidate struct {
	Person       *models.Person
	Registration *models.Registration
	Ticket       *models.Ticket
}

// Candidates stores n candidates in room, seats 1..n, with 准考证号 YY + plan (3) + sequence (4) from firstSeq; each
// person's photo key is photoKey (may be "").
func Candidates(ctx context.Context, db bun.IDB, room *models.ExamRoom, draw *models.Draw, n, firstSeq int, photoKey string) ([]Candidate, error) {
	r := rand.New(rand.NewPCG(uint64(room.ID), uint64(firstSeq)))
	now := models.Now()
	var out []Candidate
	for i := 0; i < n; i++ {
		birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(room.ID)*400+firstSeq+i)
		p := &models.Person{IDNumber: ident.GenerateIDNumber(r, "110102", birth, ident.GenderMale),
			Name: fmt.Sprintf("考生%s%02d", room.RoomNo, i+1), Gender: "男", BirthDate: &birth, PhotoKey: photoKey}
		if err := models.InsertPerson(ctx, db, p); err != nil {
			return nil, fmt.Errorf("person %d: %w", i, err)
		}
		reg := &models.Registration{PlanID: room.PlanID, PersonID: p.ID, Channel: models.ChannelSelf, Resume: "[]",
			EmployerName: "北京城建示范工程有限公司", Status: models.RegTicketed, CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := db.NewInsert().Model(reg).Returning("id").Exec(ctx); err != nil {
			return nil, err
		}
		t := &models.Ticket{RegistrationID: reg.ID, PlanID: room.PlanID, RoomID: room.ID, DrawID: draw.ID, SeatNo: i + 1,
			TicketNo: fmt.Sprintf("%02d%03d%04d", now.Year()%100, room.PlanID%1000, firstSeq+i)}
		if _, err := db.NewInsert().Model(t).Exec(ctx); err != nil {
			return nil, err
		}
		t.Room, reg.Person = room, p
		out = append(out, Candidate{Person: p, Registration: reg, Ticket: t})
	}
	return out, nil
}

// Proctor stores a 考务人员 account with the given password hash (as seeding does: no change required).
func Proctor(ctx context.Context, db bun.IDB, username, passwordHash string) (*models.Account, error) {
	seeder := models.Actor{Account: &models.Account{Role: models.RoleAdmin, Username: "fixture"}}
	a, _, err := models.CreateAccount(ctx, db, seeder, models.NewAccount{Role: models.RoleProctor, Username: username,
		DisplayName: "考务" + username, PasswordHash: passwordHash})
	return a, err
}

// Scope lets a 考务人员 check in at site on day (YYYY-MM-DD).
func Scope(ctx context.Context, db bun.IDB, acct *models.Account, site *models.ExamSite, day string) error {
	_, err := db.NewInsert().Model(&models.ProctorScope{AccountID: acct.ID, SiteID: site.ID, Day: day}).Exec(ctx)
	return err
}
