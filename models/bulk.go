package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// The batch import stores thousands of rows at once. bun writes a bulk INSERT as a VALUES list with a literal per
// cell, which PostgreSQL parses several times more slowly than it inserts the rows; there the rows go instead as
// one array per column through unnest (a literal per column). SQLite keeps bun's bulk INSERT.

// insertPeople stores new people of one batch (all with the same organization, each with a birth date and a work
// start, as a batch always gives) and sets their ids.
func insertPeople(ctx context.Context, tx bun.IDB, people []Person) error {
	if !isPostgres(tx) {
		_, err := tx.NewInsert().Model(&people).Returning("id").Exec(ctx)
		return err
	}
	n := len(people)
	idNumbers, names, genders, educations := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	phones, majors, titles := make([]string, n), make([]string, n), make([]string, n)
	births, starts := make([]time.Time, n), make([]time.Time, n)
	for i, p := range people {
		idNumbers[i], names[i], genders[i], educations[i] = p.IDNumber, p.Name, p.Gender, p.Education
		phones[i], majors[i], titles[i] = p.Phone, p.Major, p.Title
		births[i], starts[i] = *p.BirthDate, *p.WorkStartDate
	}
	var rows []struct {
		ID       int64  `bun:"id"`
		IDNumber string `bun:"id_number"`
	}
	err := tx.NewRaw(`INSERT INTO persons (id_number, name, gender, birth_date, education, phone, major, title, work_start_date,
			organization_id, created_at, updated_at, version)
		SELECT u.id_number, u.name, u.gender, u.birth_date, u.education, u.phone, u.major, u.title, u.work_start_date, ?, ?, ?, 1
		FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])
			AS u(id_number, name, gender, birth_date, education, phone, major, title, work_start_date)
		RETURNING id, id_number`,
		people[0].OrganizationID, people[0].CreatedAt, people[0].UpdatedAt,
		pgdialect.Array(idNumbers), pgdialect.Array(names), pgdialect.Array(genders), pgdialect.Array(births),
		pgdialect.Array(educations), pgdialect.Array(phones), pgdialect.Array(majors), pgdialect.Array(titles),
		pgdialect.Array(starts)).Scan(ctx, &rows)
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.IDNumber] = r.ID
	}
	for i := range people {
		people[i].ID = ids[people[i].IDNumber]
	}
	return nil
}

// insertRegistrations stores new registrations of one batch (same plan, organization, account, batch and time; each
// with a work start).
func insertRegistrations(ctx context.Context, tx bun.IDB, regs []Registration) error {
	if !isPostgres(tx) {
		_, err := tx.NewInsert().Model(&regs).Returning("NULL").Exec(ctx)
		return err
	}
	n := len(regs)
	persons, years, units := make([]int64, n), make([]int64, n), make([]int64, n)
	employers, codes, resumes, opinions, statuses := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	starts := make([]time.Time, n)
	for i, r := range regs {
		persons[i], years[i] = r.PersonID, int64(r.YearsOfWork)
		employers[i], codes[i], resumes[i], opinions[i] = r.EmployerName, r.EmployerCode, r.Resume, r.EmployerOpinion
		starts[i], statuses[i] = *r.WorkStartDate, string(r.Status)
		if r.UnitOrgID != nil {
			units[i] = *r.UnitOrgID // 0: no enterprise confirms it (NULL)
		}
	}
	r := regs[0]
	// Each row's own status and confirming enterprise: one file may name enterprises that must confirm and others not.
	_, err := tx.NewRaw(`INSERT INTO registrations (plan_id, person_id, channel, organization_id, account_id, employer_name,
			employer_code, work_start_date, years_of_work, resume, employer_opinion, batch_id, status, unit_org_id, created_at,
			updated_at, version)
		SELECT ?, u.person_id, ?, ?, ?, u.employer_name, u.employer_code, u.work_start_date, u.years_of_work, u.resume,
			u.employer_opinion, ?, u.status, NULLIF(u.unit_org_id, 0), ?, ?, 1
		FROM unnest(?::bigint[], ?::text[], ?::text[], ?::timestamptz[], ?::int[], ?::text[], ?::text[], ?::text[], ?::bigint[])
			AS u(person_id, employer_name, employer_code, work_start_date, years_of_work, resume, employer_opinion, status, unit_org_id)`,
		r.PlanID, r.Channel, r.OrganizationID, r.AccountID, r.BatchID, r.CreatedAt, r.UpdatedAt,
		pgdialect.Array(persons), pgdialect.Array(employers), pgdialect.Array(codes), pgdialect.Array(starts),
		pgdialect.Array(years), pgdialect.Array(resumes), pgdialect.Array(opinions), pgdialect.Array(statuses), pgdialect.Array(units)).Exec(ctx)
	return err
}
