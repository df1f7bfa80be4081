package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

// seatsFixture is an open plan and people to register for it.
type seatsFixture struct {
	db     *bun.DB
	plan   *models.ExamPlan
	people []*models.Person
}

func newSeatsFixture(t *testing.T, capacity, people int) *seatsFixture {
	t.Helper()
	db := dbtest.Open(t)
	ctx := context.Background()
	now := models.Now()
	plan := &models.ExamPlan{Name: "名额测试", CategoryID: 1, Level: "无", RegistrationStartsAt: now.Add(-time.Hour),
		RegistrationEndsAt: now.Add(24 * time.Hour), ExamAt: now.Add(48 * time.Hour), Capacity: capacity, PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, db, plan, 0); err != nil {
		t.Fatal(err)
	}
	if err := models.AdvancePlan(ctx, db, models.Actor{Account: &models.Account{Role: models.RoleAdmin, Username: "test"}}, plan.ID, models.PlanDraft); err != nil {
		t.Fatal(err)
	}
	f := &seatsFixture{db: db, plan: plan}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < people; i++ {
		birth := time.Date(1980, 1, 1+i, 0, 0, 0, 0, time.UTC)
		p := &models.Person{IDNumber: ident.GenerateIDNumber(r, "110101", birth, ident.GenderFemale), Name: "考生", BirthDate: &birth,
			PhotoKey: "0123456789abcdef0123456789abcd" + string(rune('a'+i%6)) + "0"}
		if err := models.InsertPerson(ctx, db, p); err != nil {
			t.Fatal(err)
		}
		f.people = append(f.people, p)
	}
	return f
}

func (f *seatsFixture) register(t *testing.T, i int, photo models.RegPhoto) (*models.Registration, error) {
	t.Helper()
	rc := models.RegistrationCheck{Plan: f.plan, Person: f.people[i], WorkStart: time.Date(2005, 7, 1, 0, 0, 0, 0, time.UTC), Years: 20,
		EmployerName: "北京城建示范工程有限公司"}
	self := models.Actor{Account: &models.Account{Role: models.RolePractitioner, PersonID: &f.people[i].ID}}
	return models.StoreRegistration(context.Background(), f.db, self, rc, photo)
}

func (f *seatsFixture) seats(t *testing.T) int {
	t.Helper()
	p, err := models.GetPlan(context.Background(), f.db, f.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	var counted int
	if err := f.db.NewSelect().Model((*models.Registration)(nil)).ColumnExpr("COUNT(*)").
		Where("plan_id = ? AND status NOT IN (?)", f.plan.ID, bun.List([]models.RegStatus{models.RegWithdrawn, models.RegForfeited})).Scan(context.Background(), &counted); err != nil {
		t.Fatal(err)
	}
	if p.SeatsTaken != counted {
		t.Fatalf("seats_taken = %d but %d registrations take a place", p.SeatsTaken, counted)
	}
	return p.SeatsTaken
}

// The places taken follow every change of registrations (insert, reject, resubmit, delete, bulk insert), and a
// registration beyond the capacity is refused by the database itself, whatever code path tries it.
func TestSeatsFollowRegistrations(t *testing.T) {
	f := newSeatsFixture(t, 3, 6)
	ctx := context.Background()
	var regs []*models.Registration
	for i := 0; i < 3; i++ {
		r, err := f.register(t, i, models.RegPhoto{Key: "fedcba9876543210fedcba987654321" + string(rune('0'+i))})
		if err != nil {
			t.Fatalf("registration %d: %v", i, err)
		}
		regs = append(regs, r)
	}
	if n := f.seats(t); n != 3 {
		t.Fatalf("seats = %d, want 3", n)
	}
	if _, err := f.register(t, 3, models.RegPhoto{}); !errors.Is(err, models.ErrPlanFull) {
		t.Fatalf("4th registration of a 3-place plan: %v, want ErrPlanFull", err)
	}
	// A bulk insert past the capacity is refused as a whole (the batch import's path).
	bulk := []models.Registration{}
	for _, i := range []int{3, 4} {
		now := models.Now()
		bulk = append(bulk, models.Registration{PlanID: f.plan.ID, PersonID: f.people[i].ID, Channel: models.ChannelSelf, Status: models.RegSubmitted,
			Resume: "[]", CreatedAt: now, UpdatedAt: now, Version: 1})
	}
	if _, err := f.db.NewInsert().Model(&bulk).Exec(ctx); err == nil || !errors.Is(planFullErr(err), models.ErrPlanFull) {
		t.Fatalf("bulk insert past the capacity: %v", err)
	}
	if n := f.seats(t); n != 3 {
		t.Fatalf("seats after refused inserts = %d, want 3", n)
	}
	// Withdrawing frees a place (退回修改 does not: it may come back); the freed place can be taken; the withdrawn
	// one cannot come back while full.
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegWithdrawn).Where("id = ?", regs[0].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.seats(t); n != 2 {
		t.Fatalf("seats after a withdrawal = %d, want 2", n)
	}
	if _, err := f.register(t, 3, models.RegPhoto{}); err != nil {
		t.Fatalf("registration into the freed place: %v", err)
	}
	if _, err := f.register(t, 0, models.RegPhoto{}); !errors.Is(err, models.ErrPlanFull) {
		t.Fatalf("resubmitting the rejected one into a full plan: %v, want ErrPlanFull", err)
	}
	// An update that does not touch the status leaves the count alone.
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("employer_opinion = '同意'").Where("plan_id = ?", f.plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.seats(t); n != 3 {
		t.Fatalf("seats after an unrelated update = %d, want 3", n)
	}
	// Deleting frees places; the rejected one comes back.
	if _, err := f.db.NewDelete().Model((*models.Registration)(nil)).Where("id IN (?)", bun.In([]int64{regs[1].ID, regs[2].ID})).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.seats(t); n != 1 {
		t.Fatalf("seats after deleting two = %d, want 1", n)
	}
	again, err := f.register(t, 0, models.RegPhoto{})
	if err != nil || again.ID != regs[0].ID {
		t.Fatalf("resubmitting the rejected one: %v (id %v, want the same row %d)", err, again, regs[0].ID)
	}
	if n := f.seats(t); n != 2 {
		t.Fatalf("seats after the resubmission = %d, want 2", n)
	}
	// The same person twice is a duplicate, not a second place.
	if _, err := f.register(t, 0, models.RegPhoto{}); !errors.Is(err, models.ErrDuplicate) {
		t.Fatalf("second registration of the same person: %v, want ErrDuplicate", err)
	}
	if n := f.seats(t); n != 2 {
		t.Fatalf("seats after a refused duplicate = %d, want 2", n)
	}
}

// planFullErr maps the database's refusal as the models package does for its own statements.
func planFullErr(err error) error {
	if err != nil && strings.Contains(err.Error(), "exam plan is full") {
		return models.ErrPlanFull
	}
	return err
}

// An admin cannot lower the capacity below the places already taken; the plan is left as it was.
func TestCapacityNotBelowSeatsTaken(t *testing.T) {
	f := newSeatsFixture(t, 5, 3)
	for i := 0; i < 3; i++ {
		if _, err := f.register(t, i, models.RegPhoto{}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	p, _ := models.GetPlan(ctx, f.db, f.plan.ID)
	p.Capacity = 2
	err := models.SavePlan(ctx, f.db, p, p.Version)
	var fe models.FieldErrors
	if !errors.As(err, &fe) || fe["capacity"] != "名额不能少于已报名的3人" {
		t.Fatalf("lowering the capacity below the seats taken: %v", err)
	}
	p, _ = models.GetPlan(ctx, f.db, f.plan.ID)
	if p.Capacity != 5 {
		t.Fatalf("capacity = %d after a refused change", p.Capacity)
	}
	p.Capacity = 3
	if err := models.SavePlan(ctx, f.db, p, p.Version); err != nil {
		t.Fatalf("capacity equal to the seats taken: %v", err)
	}
	// A stale version is still a conflict, not a capacity problem.
	p.Capacity = 10
	if err := models.SavePlan(ctx, f.db, p, p.Version-1); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("stale version: %v, want ErrConflict", err)
	}
}

// A registration may share its person's photo: the file is in use while either names it, and the registration
// takes the photo on record at the moment it is saved.
func TestSharedPhotoStaysInUse(t *testing.T) {
	f := newSeatsFixture(t, 0, 2)
	ctx := context.Background()
	p := f.people[0]
	reg, err := f.register(t, 0, models.RegPhoto{PersonsOwn: true})
	if err != nil {
		t.Fatal(err)
	}
	if reg.PhotoKey != p.PhotoKey {
		t.Fatalf("registration photo %q, want the person's %q", reg.PhotoKey, p.PhotoKey)
	}
	stored, err := models.FindRegistration(ctx, f.db, f.plan.ID, p.ID)
	if err != nil || stored.PhotoKey != p.PhotoKey {
		t.Fatalf("stored photo key %q, %v", stored.PhotoKey, err)
	}
	inUse := func(key string) bool {
		t.Helper()
		ok, err := models.BlobInUse(ctx, f.db, key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !inUse(p.PhotoKey) {
		t.Fatal("a person's photo is not in use")
	}
	// The person gets a new photo: the old file is still named by the registration.
	if _, err := models.SetPersonPhoto(ctx, f.db, testAdmin, p.ID, "11111111111111111111111111111111"); err != nil {
		t.Fatal(err)
	}
	if !inUse(p.PhotoKey) {
		t.Fatal("the old photo is no longer in use although a registration names it")
	}
	if _, err := f.db.NewDelete().Model((*models.Registration)(nil)).Where("id = ?", reg.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if inUse(p.PhotoKey) {
		t.Fatal("a photo nothing names is still in use")
	}
	if inUse("") {
		t.Fatal("the empty key is in use")
	}
	// A person without a photo: sharing gives the registration none.
	if _, err := f.db.NewUpdate().Model((*models.Person)(nil)).Set("photo_key = ''").Where("id = ?", f.people[1].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	reg2, err := f.register(t, 1, models.RegPhoto{PersonsOwn: true})
	if err != nil || reg2.PhotoKey != "" {
		t.Fatalf("registration of a person without a photo: key %q, %v", reg2.PhotoKey, err)
	}
}

// FindRegistrant brings the person's registration for the plan with them, and only for that plan.
func TestFindRegistrant(t *testing.T) {
	f := newSeatsFixture(t, 0, 2)
	ctx := context.Background()
	reg, err := f.register(t, 0, models.RegPhoto{})
	if err != nil {
		t.Fatal(err)
	}
	p, existing, err := models.FindRegistrant(ctx, f.db, f.people[0].IDNumber, f.plan.ID)
	if err != nil || p.ID != f.people[0].ID || p.Name != "考生" || p.BirthDate == nil {
		t.Fatalf("person %+v, %v", p, err)
	}
	if existing == nil || existing.ID != reg.ID || existing.Status != models.RegUnitConfirmed || existing.Number() != reg.Number() {
		t.Fatalf("existing registration %+v, want %+v", existing, reg)
	}
	if _, existing, err = models.FindRegistrant(ctx, f.db, f.people[0].IDNumber, f.plan.ID+1000); err != nil || existing != nil {
		t.Fatalf("registration for another plan: %+v, %v", existing, err)
	}
	if _, existing, err = models.FindRegistrant(ctx, f.db, f.people[1].IDNumber, f.plan.ID); err != nil || existing != nil {
		t.Fatalf("person without a registration: %+v, %v", existing, err)
	}
	if _, _, err = models.FindRegistrant(ctx, f.db, "110101199001011234", f.plan.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown ID number: %v", err)
	}
}
