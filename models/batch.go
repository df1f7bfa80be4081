package models

import (
	"context"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// BatchEntry is one row of a 批量报名 file, already parsed (cell formats checked by the caller).
type BatchEntry struct {
	Row          int
	IDNumber     string // normalised, valid
	Name         string
	Education    string
	Phone        string
	Major        string
	Title        string
	EmployerName string
	EmployerCode string
	WorkStart    time.Time
	Years        *int // nil: computed from WorkStart
	Opinion      string
	Resume       []ResumeRow
}

// BatchProblem is one thing wrong with an import file: where, what, why.
type BatchProblem struct {
	Row    int
	Column string
	Value  string
	Reason string
}

// batchChunk keeps IN lists short.
const batchChunk = 1000

// ImportBatch checks every entry against the plan's rules and the people already in the system, then saves them
// all in one transaction — or, if anything at all is wrong (problems passed in included), nothing. Re-importing the
// same file replaces this organization's own unpaid registrations of the plan rather than duplicating them.
// It works in bulk: a few queries per 500 rows, not per row.
func ImportBatch(ctx context.Context, db bun.IDB, plan *ExamPlan, org *Organization, accountID int64, entries []BatchEntry, problems []BatchProblem, batchID string) (int, []BatchProblem, error) {
	now := Now()
	bad := func(row int, col, val, reason string) {
		problems = append(problems, BatchProblem{Row: row, Column: col, Value: val, Reason: reason})
	}
	if !plan.AcceptsRegistrations(now) {
		bad(0, "", "", "该考试计划当前不在报名时间内，不能报名")
	}
	// Duplicates inside the file.
	seen := map[string]int{}
	for _, e := range entries {
		if first, ok := seen[e.IDNumber]; ok {
			bad(e.Row, "身份证号", ident.MaskIDNumber(e.IDNumber), "与第"+strconv.Itoa(first)+"行的身份证号重复")
			continue
		}
		seen[e.IDNumber] = e.Row
	}
	// Who is already known, and their registrations for this plan.
	persons := map[string]*Person{}
	ids := make([]string, 0, len(seen))
	for k := range seen {
		ids = append(ids, k)
	}
	for i := 0; i < len(ids); i += batchChunk {
		var ps []Person
		if err := db.NewSelect().Model(&ps).Column("id", "id_number", "name", "organization_id").Where("id_number IN (?)", bun.List(ids[i:min(i+batchChunk, len(ids))])).Scan(ctx); err != nil {
			return 0, nil, err
		}
		for j := range ps {
			persons[ps[j].IDNumber] = &ps[j]
		}
	}
	regs := map[int64]*Registration{}
	var pids []int64
	for _, p := range persons {
		pids = append(pids, p.ID)
	}
	for i := 0; i < len(pids); i += batchChunk {
		var rs []Registration
		if err := db.NewSelect().Model(&rs).Column("id", "person_id", "status", "organization_id", "paid_at", "batch_id", "version", "created_at", "photo_key").Where("plan_id = ? AND person_id IN (?)", plan.ID, bun.List(pids[i:min(i+batchChunk, len(pids))])).Scan(ctx); err != nil {
			return 0, nil, err
		}
		for j := range rs {
			regs[rs[j].PersonID] = &rs[j]
		}
	}
	replacing := 0
	for _, e := range entries {
		if seen[e.IDNumber] != e.Row {
			continue
		}
		p := persons[e.IDNumber]
		if p != nil {
			if p.Name != e.Name {
				bad(e.Row, "姓名", e.Name, "与系统中该身份证号登记的姓名（"+p.Name+"）不一致")
			}
			if org.Kind == KindEnterprise && p.OrganizationID != nil && *p.OrganizationID != org.ID {
				bad(e.Row, "身份证号", ident.MaskIDNumber(e.IDNumber), "此人目前登记在其他单位，不能由本单位报名")
			}
			if r := regs[p.ID]; r != nil {
				switch {
				case r.Status == RegRejected:
				case SameOrg(r.OrganizationID, &org.ID) && r.Status == RegSubmitted && !r.Paid():
					replacing++ // this organization's own earlier upload: replaced
				default:
					bad(e.Row, "身份证号", ident.MaskIDNumber(e.IDNumber), "此人目前处于「"+r.Status.Label()+"」阶段（报名编号 "+r.Number()+"），不能重复报名")
				}
			}
		}
		var birth *time.Time
		if idn, err := ident.ParseIDNumber(e.IDNumber); err == nil {
			birth = &idn.BirthDate
		}
		years, probs := CheckEligibility(plan, birth, e.WorkStart, e.Years, now)
		if msg := probs["work_start_date"]; msg != "" {
			bad(e.Row, "参加工作时间", e.WorkStart.Format("2006-01-02"), msg)
		}
		if msg := probs["years_of_work"]; msg != "" {
			bad(e.Row, "从事工作年限", strconv.Itoa(years), msg)
		}
		if msg := checkEducation(plan, e.Education); msg != "" {
			bad(e.Row, "学历", e.Education, msg)
		}
	}
	if plan.Capacity > 0 {
		if left := plan.Capacity - plan.SeatsTaken + replacing; len(seen) > left {
			bad(0, "", "", "该考试剩余名额为"+strconv.Itoa(max(left, 0))+"人，文件中有"+strconv.Itoa(len(seen))+"人")
		}
	}
	if len(problems) > 0 {
		return 0, problems, nil
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return saveBatch(ctx, tx, plan, org, accountID, entries, persons, regs, batchID, now)
	})
	if err != nil {
		return 0, nil, planFull(err)
	}
	return len(entries), nil, nil
}

func saveBatch(ctx context.Context, tx bun.Tx, plan *ExamPlan, org *Organization, accountID int64, entries []BatchEntry,
	persons map[string]*Person, regs map[int64]*Registration, batchID string, now time.Time) error {
	// New people, in bulk.
	var fresh []Person
	for _, e := range entries {
		if persons[e.IDNumber] != nil {
			continue
		}
		idn, _ := ident.ParseIDNumber(e.IDNumber)
		b, ws := idn.BirthDate, e.WorkStart
		p := Person{IDNumber: e.IDNumber, Name: e.Name, Gender: idn.Gender.String(), BirthDate: &b, Education: e.Education,
			Phone: e.Phone, Major: e.Major, Title: e.Title, WorkStartDate: &ws, CreatedAt: now, UpdatedAt: now, Version: 1}
		if org.Kind == KindEnterprise {
			p.OrganizationID = &org.ID
		}
		fresh = append(fresh, p)
	}
	for i := 0; i < len(fresh); i += batchChunk {
		chunk := fresh[i:min(i+batchChunk, len(fresh))]
		if err := insertPeople(ctx, tx, chunk); err != nil {
			if IsUniqueViolation(err) {
				return ErrConflict // someone registered one of these people meanwhile
			}
			return err
		}
	}
	for i := range fresh {
		persons[fresh[i].IDNumber] = &fresh[i]
	}
	// Known people join the organization's list.
	var pids, unattached []int64
	for _, e := range entries {
		p := persons[e.IDNumber]
		pids = append(pids, p.ID)
		if p.OrganizationID == nil {
			unattached = append(unattached, p.ID)
		}
	}
	if org.Kind == KindEnterprise {
		for i := 0; i < len(unattached); i += batchChunk {
			if _, err := tx.NewUpdate().Model((*Person)(nil)).Set("organization_id = ?", org.ID).Set("version = version + 1").
				Where("id IN (?) AND organization_id IS NULL", bun.List(unattached[i:min(i+batchChunk, len(unattached))])).Exec(ctx); err != nil {
				return err
			}
		}
	} else {
		var roster []TrainingPerson
		for _, id := range pids {
			roster = append(roster, TrainingPerson{OrganizationID: org.ID, PersonID: id, CreatedAt: now})
		}
		for i := 0; i < len(roster); i += batchChunk {
			chunk := roster[i:min(i+batchChunk, len(roster))]
			if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT DO NOTHING").Returning("NULL").Exec(ctx); err != nil {
				return err
			}
		}
	}
	// Registrations: new ones in bulk; an earlier upload's or a rejected one reused.
	var inserts, updates []Registration
	for _, e := range entries {
		p := persons[e.IDNumber]
		years := YearsBetween(e.WorkStart, now)
		if e.Years != nil {
			years = *e.Years
		}
		ws := e.WorkStart
		r := Registration{PlanID: plan.ID, PersonID: p.ID, Channel: Channel(org.Kind), OrganizationID: &org.ID, AccountID: &accountID,
			EmployerName: e.EmployerName, EmployerCode: e.EmployerCode, WorkStartDate: &ws, YearsOfWork: years,
			Resume: encodeResume(e.Resume), EmployerOpinion: e.Opinion, BatchID: batchID, Status: RegSubmitted,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if old := regs[p.ID]; old != nil {
			r.ID, r.CreatedAt, r.PhotoKey, r.Version = old.ID, old.CreatedAt, old.PhotoKey, old.Version+1
			updates = append(updates, r)
			continue
		}
		inserts = append(inserts, r)
	}
	// Reused rows in bulk too, each only if nobody changed it since it was read.
	for i := 0; i < len(updates); i += batchChunk {
		chunk := updates[i:min(i+batchChunk, len(updates))]
		res, err := tx.NewUpdate().Model(&chunk).ExcludeColumn("created_at").Bulk().
			Where("reg.version = _data.version - 1").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(chunk)) {
			return ErrConflict
		}
	}
	for i := 0; i < len(inserts); i += batchChunk {
		chunk := inserts[i:min(i+batchChunk, len(inserts))]
		if err := insertRegistrations(ctx, tx, chunk); err != nil {
			if IsUniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
	}
	return nil
}

// SetRegistrationPhoto gives a registration its photo (batch photo upload); it returns the old key to delete.
func SetRegistrationPhoto(ctx context.Context, db bun.IDB, regID int64, key string) (string, error) {
	var old string
	if err := db.NewSelect().Model((*Registration)(nil)).Column("photo_key").Where("id = ?", regID).Scan(ctx, &old); err != nil {
		return "", notFound(err)
	}
	_, err := db.NewUpdate().Model((*Registration)(nil)).Set("photo_key = ?", key).Set("updated_at = ?", Now()).
		Set("version = version + 1").Where("id = ?", regID).Exec(ctx)
	return old, err
}

// OrgRegistrationsByIDNumber maps the ID numbers of the people an organization registered for a plan to the
// registrations (for matching photo files named by ID number).
func OrgRegistrationsByIDNumber(ctx context.Context, db bun.IDB, planID, orgID int64) (map[string]*Registration, error) {
	var rs []Registration
	err := db.NewSelect().Model(&rs).Relation("Person").Where("reg.plan_id = ? AND reg.organization_id = ?", planID, orgID).Scan(ctx)
	out := map[string]*Registration{}
	for i := range rs {
		out[rs[i].Person.IDNumber] = &rs[i]
	}
	return out, err
}
