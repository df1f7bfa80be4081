package models

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
)

// The batch's bulk inserts (unnest arrays on PostgreSQL, bun's VALUES list on SQLite) store exactly what bun's own
// insert of the same rows stores, odd characters included.
func TestBulkInsertsStoreTheSameRows(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	code := "91110105G1921G9139"
	org := &Organization{Kind: KindEnterprise, Name: "北京测试单位", CreditCode: &code}
	if _, err := db.NewInsert().Model(org).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	now := Now().Truncate(time.Microsecond)
	plan := &ExamPlan{Name: "批量", CategoryID: 1, Level: "无", RegistrationStartsAt: now, RegistrationEndsAt: now.Add(time.Hour), ExamAt: now.Add(2 * time.Hour)}
	if err := SavePlan(ctx, db, plan, 0); err != nil {
		t.Fatal(err)
	}
	acct := &Account{Username: "bulk", Role: RoleEnterprise, PasswordHash: "x", OrganizationID: &org.ID}
	if err := InsertAccount(ctx, db, acct); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	odd := []string{`引号"与'撇号`, `反斜杠\和{花括号},逗号`, "NULL", "", "  空格  ", "换\n行"}
	var people []Person
	for i, s := range odd {
		birth := time.Date(1980+i, 2, 3, 0, 0, 0, 0, time.UTC)
		ws := time.Date(2005, 7, 1+i, 0, 0, 0, 0, time.UTC)
		people = append(people, Person{IDNumber: ident.GenerateIDNumber(r, "110101", birth, ident.GenderMale), Name: "考生" + s, Gender: "男",
			BirthDate: &birth, Education: "本科", Phone: s, Major: s, Title: s, WorkStartDate: &ws, OrganizationID: &org.ID,
			CreatedAt: now, UpdatedAt: now, Version: 1})
	}
	var regs []Registration
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := insertPeople(ctx, tx, people); err != nil {
			return err
		}
		for i, p := range people {
			regs = append(regs, Registration{PlanID: plan.ID, PersonID: p.ID, Channel: ChannelEnterprise, OrganizationID: &org.ID,
				AccountID: &acct.ID, EmployerName: odd[i], EmployerCode: odd[i], WorkStartDate: p.WorkStartDate, YearsOfWork: i,
				Resume: `[{"period":"` + odd[i] + `"}]`, EmployerOpinion: odd[i], BatchID: "b1", Status: RegSubmitted,
				CreatedAt: now, UpdatedAt: now, Version: 1})
		}
		return insertRegistrations(ctx, tx, regs)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range people {
		if want.ID == 0 {
			t.Fatalf("person %d got no id", i)
		}
		got, err := GetPerson(ctx, db, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.IDNumber != want.IDNumber || got.Name != want.Name || got.Gender != want.Gender || got.Education != want.Education ||
			got.Phone != want.Phone || got.Major != want.Major || got.Title != want.Title || *got.OrganizationID != org.ID ||
			!got.BirthDate.Equal(*want.BirthDate) || !got.WorkStartDate.Equal(*want.WorkStartDate) || !got.CreatedAt.Equal(now) ||
			got.Version != 1 || got.PhotoKey != "" || got.Address != "" {
			t.Errorf("person %d stored as %+v, want %+v", i, got, want)
		}
		reg, err := FindRegistration(ctx, db, plan.ID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		w := regs[i]
		if reg.EmployerName != w.EmployerName || reg.EmployerCode != w.EmployerCode || reg.Resume != w.Resume ||
			reg.EmployerOpinion != w.EmployerOpinion || reg.YearsOfWork != w.YearsOfWork || reg.BatchID != "b1" ||
			reg.Status != RegSubmitted || reg.Channel != ChannelEnterprise || *reg.AccountID != acct.ID || *reg.OrganizationID != org.ID ||
			!reg.WorkStartDate.Equal(*w.WorkStartDate) || !reg.CreatedAt.Equal(now) || reg.PhotoKey != "" || reg.PaidAt != nil {
			t.Errorf("registration %d stored as %+v, want %+v", i, reg, w)
		}
	}
	p, _ := GetPlan(ctx, db, plan.ID)
	if p.SeatsTaken != len(people) {
		t.Errorf("seats taken %d, want %d", p.SeatsTaken, len(people))
	}
}
