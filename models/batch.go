package models

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
)

// batchChunk keeps IN lists short.
const batchChunk = 1000

// ImportResult is what an import saved: how many rows, under which 批号.
type ImportResult struct {
	Rows    int
	BatchNo string
}

// ImportBatch is 批量报名's upload: it reads every row of the file with the 报名表's rules (CheckBatchRow), checks
// them against the plan and the people already in the system, and saves them all under one 批号 in one
// transaction with the audit row — or, if anything at all is wrong, nothing: the problems come back as
// BatchProblems, by row and column (and the refused upload is audited). Re-importing a file replaces this
// organization's own unpaid registrations of the plan rather than duplicating them; a rejected registration is
// submitted again (rejected → submitted, with its status history). It works in bulk: a few queries per 1,000 rows.
func ImportBatch(ctx context.Context, db bun.IDB, actor Actor, plan *ExamPlan, rows []spreadsheet.Row) (ImportResult, error) {
	if !actor.Is(RoleEnterprise, RoleTraining) {
		return ImportResult{}, ErrNotAllowed
	}
	org, err := OrganizationOf(ctx, db, actor.Account)
	if err != nil {
		return ImportResult{}, err
	}
	b := &batchImport{plan: plan, org: org, now: Now()}
	for _, r := range rows {
		e, probs := CheckBatchRow(plan, r, b.now)
		if probs != nil {
			b.problems = append(b.problems, probs...)
			continue
		}
		b.entries = append(b.entries, e)
	}
	if err := b.checkAgainstSystem(ctx, db); err != nil {
		return ImportResult{}, err
	}
	object := "plan:" + strconv.FormatInt(plan.ID, 10)
	if len(b.problems) > 0 {
		sortProblems(b.problems)
		if err := actor.Audit(ctx, db, EventRegImported, object, "rejected", strconv.Itoa(len(b.problems))+" problems"); err != nil {
			return ImportResult{}, err
		}
		return ImportResult{}, BatchProblems(b.problems)
	}
	var res ImportResult
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		no, err := NewBatchNumber(ctx, tx, actor, BatchImport)
		if err != nil {
			return err
		}
		if err := b.save(ctx, tx, actor, no); err != nil {
			return err
		}
		res = ImportResult{Rows: len(b.entries), BatchNo: no}
		return actor.Audit(ctx, tx, EventRegImported, object, "ok", strconv.Itoa(res.Rows)+" rows, batch "+no)
	})
	if err != nil {
		return ImportResult{}, planFull(err)
	}
	return res, nil
}

// batchImport is one import under way: the rows that passed their own rules, and every problem so far.
type batchImport struct {
	plan     *ExamPlan
	org      *Organization
	now      time.Time
	entries  []BatchEntry
	problems []BatchProblem
	persons  map[string]*Person      // by ID number: who is in the system already
	regs     map[int64]*Registration // by person: their registration for the plan
	ownAcct  map[int64]bool          // people known with an account of their own (they join nobody unasked)
	units    units                   // the registered enterprises the file's 单位代码 name (单位确认)
}

func (b *batchImport) bad(row int, col, val, reason string) {
	b.problems = append(b.problems, BatchProblem{Row: row, Column: col, Value: val, Reason: reason})
}

// checkAgainstSystem applies the rules that need the database: the window, duplicates inside the file, the people
// already known (named as the system knows them, not another enterprise's staff), their registrations for the plan,
// and the places left. It reads in bulk, outside the transaction; the transaction's statements are guarded again.
func (b *batchImport) checkAgainstSystem(ctx context.Context, db bun.IDB) error {
	if !b.plan.AcceptsRegistrations(b.now) {
		b.bad(0, "", "", "该考试计划当前不在报名时间内，不能报名")
	}
	seen := map[string]int{}
	var unique []BatchEntry
	for _, e := range b.entries {
		if first, ok := seen[e.ID.Number]; ok {
			b.bad(e.Row, "身份证号", ident.MaskIDNumber(e.ID.Number), "与第"+strconv.Itoa(first)+"行的身份证号重复")
			continue
		}
		seen[e.ID.Number] = e.Row
		unique = append(unique, e)
	}
	b.entries = unique
	if err := b.loadKnown(ctx, db); err != nil {
		return err
	}
	codes := make([]string, 0, len(b.entries))
	for _, e := range b.entries {
		codes = append(codes, e.Reg.EmployerCode)
	}
	var err error
	if b.units, err = loadUnits(ctx, db, codes, b.org); err != nil {
		return err
	}
	absences, err := absenceDates(ctx, db, entryIDNumbers(b.entries), b.plan.CategoryID)
	if err != nil {
		return err
	}
	replacing := 0
	for _, e := range b.entries {
		if msg := absenceBarMessage(absences[e.ID.Number], b.now); msg != "" {
			b.bad(e.Row, "身份证号", ident.MaskIDNumber(e.ID.Number), msg)
		}
		p := b.persons[e.ID.Number]
		if p == nil {
			continue
		}
		if msg := CheckKnownName(p, e.Person.Name); msg != "" {
			b.bad(e.Row, "姓名", e.Person.Name, msg)
		}
		if b.org.Kind == KindEnterprise && p.OrganizationID != nil && *p.OrganizationID != b.org.ID {
			b.bad(e.Row, "身份证号", ident.MaskIDNumber(e.ID.Number), "此人目前登记在其他单位，不能由本单位报名")
		} else if b.org.Kind == KindEnterprise && p.OrganizationID == nil && b.ownAcct[p.ID] {
			b.bad(e.Row, "身份证号", ident.MaskIDNumber(e.ID.Number), MsgOwnAccount)
		}
		switch r := b.regs[p.ID]; {
		case r == nil, r.Status == RegReturned, r.Status == RegWithdrawn:
		case SameOrg(r.OrganizationID, &b.org.ID) && r.Status.FilerMayEdit() && !r.Paid():
			if unit, _ := b.units.start(e.Reg.EmployerCode, &b.org.ID); !sameUnit(unit, r.UnitOrgID) {
				b.bad(e.Row, "组织机构代码", e.Reg.EmployerCode, msgUnitChanged)
				continue
			}
			replacing++ // this organization's own earlier upload, still with the enterprise it names: replaced
		case SameOrg(r.OrganizationID, &b.org.ID) && r.Status == RegUnitConfirmed:
			b.bad(e.Row, "身份证号", ident.MaskIDNumber(e.ID.Number), "此人的报名（报名编号 "+r.Number()+"）已提交审核（「"+r.Status.Label()+"」），审核期间不能修改；如需修改，请先撤回该报名再导入")
		default:
			b.bad(e.Row, "身份证号", ident.MaskIDNumber(e.ID.Number), "此人目前处于「"+r.Status.Label()+"」阶段（报名编号 "+r.Number()+"），不能重复报名")
		}
	}
	if b.plan.Capacity > 0 {
		if left := b.plan.Capacity - b.plan.SeatsTaken + replacing; len(b.entries) > left {
			b.bad(0, "", "", "该考试剩余名额为"+strconv.Itoa(max(left, 0))+"人，文件中有"+strconv.Itoa(len(b.entries))+"人")
		}
	}
	return nil
}

// entryIDNumbers are the entries' ID numbers.
func entryIDNumbers(entries []BatchEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.ID.Number
	}
	return out
}

// loadKnown reads who of the file is in the system already, and their registrations for the plan.
func (b *batchImport) loadKnown(ctx context.Context, db bun.IDB) error {
	b.persons, b.regs = map[string]*Person{}, map[int64]*Registration{}
	ids := make([]string, len(b.entries))
	for i, e := range b.entries {
		ids[i] = e.ID.Number
	}
	for i := 0; i < len(ids); i += batchChunk {
		var ps []Person
		if err := db.NewSelect().Model(&ps).Column("id", "id_number", "name", "organization_id").
			Where("id_number IN (?)", bun.List(ids[i:min(i+batchChunk, len(ids))])).Scan(ctx); err != nil {
			return err
		}
		for j := range ps {
			b.persons[ps[j].IDNumber] = &ps[j]
		}
	}
	var pids []int64
	for _, p := range b.persons {
		pids = append(pids, p.ID)
	}
	var err error
	if b.ownAcct, err = peopleWithOwnAccount(ctx, db, pids); err != nil {
		return err
	}
	for i := 0; i < len(pids); i += batchChunk {
		var rs []Registration
		if err := db.NewSelect().Model(&rs).Column("id", "plan_id", "person_id", "status", "organization_id", "unit_org_id", "paid_at", "batch_id", "version", "created_at", "photo_key").
			Where("plan_id = ? AND person_id IN (?)", b.plan.ID, bun.List(pids[i:min(i+batchChunk, len(pids))])).Scan(ctx); err != nil {
			return err
		}
		for j := range rs {
			b.regs[rs[j].PersonID] = &rs[j]
		}
	}
	return nil
}

// save stores the import inside tx under the 批号 no: new people, people joining the organization's people,
// new registrations in bulk, the earlier upload's and rejected registrations rewritten in bulk (each only if nobody
// changed it since it was read), and the rejected ones submitted again through RegistrationTransitions.
func (b *batchImport) save(ctx context.Context, tx bun.Tx, actor Actor, no string) error {
	if err := b.savePeople(ctx, tx, actor); err != nil {
		return err
	}
	codes := make([]string, 0, len(b.entries))
	for _, e := range b.entries {
		codes = append(codes, e.Reg.EmployerCode)
	}
	u, err := loadUnits(ctx, tx, codes, b.org)
	if err != nil {
		return err
	}
	var inserts, updates []Registration
	again := map[[2]RegStatus][]int64{} // returned or withdrawn ones filed again: [from, to] → ids
	for _, e := range b.entries {
		e.Reg.Plan, e.Reg.Person = b.plan, b.persons[e.ID.Number]
		r := e.Reg.row(Channel(b.org.Kind), &b.org.ID, actor.AccountID(), "", no, b.now)
		r.UnitOrgID, r.Status = u.start(r.EmployerCode, &b.org.ID)
		if old := b.regs[r.PersonID]; old != nil {
			start := r.Status
			if old.Status.UnderReview() && !sameUnit(r.UnitOrgID, old.UnitOrgID) {
				return ErrConflict // an enterprise registered meanwhile changed who confirms it: read again
			}
			r.ID, r.CreatedAt, r.PhotoKey, r.Version, r.Status = old.ID, old.CreatedAt, old.PhotoKey, old.Version+1, old.Status
			if old.Status == RegReturned || old.Status == RegWithdrawn {
				k := [2]RegStatus{old.Status, start}
				again[k] = append(again[k], old.ID)
			}
			updates = append(updates, r)
			continue
		}
		inserts = append(inserts, r)
	}
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
	for _, k := range sortedMoves(again) {
		ids := again[k]
		moved, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: ids, From: k[0], To: k[1], BatchNo: no})
		if errors.Is(err, ErrNothingMoved) || (err == nil && len(moved) != len(ids)) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
	}
	for i := 0; i < len(inserts); i += batchChunk {
		if err := insertRegistrations(ctx, tx, inserts[i:min(i+batchChunk, len(inserts))]); err != nil {
			if IsUniqueViolation(err) {
				return ErrConflict // someone registered one of these people meanwhile
			}
			return err
		}
	}
	return nil
}

// savePeople creates the people new to the system, in bulk, and puts everyone of the file on the organization's
// people: an enterprise's staff (those without an employer in the system), a training institution's roster.
func (b *batchImport) savePeople(ctx context.Context, tx bun.Tx, actor Actor) error {
	var fresh []Person
	for _, e := range b.entries {
		if b.persons[e.ID.Number] != nil {
			continue
		}
		birth, ws := e.ID.BirthDate, e.Reg.WorkStart
		p := Person{IDNumber: e.ID.Number, Name: e.Person.Name, Gender: e.ID.Gender.String(), BirthDate: &birth,
			Education: e.Person.Education, Phone: e.Person.Phone, Major: e.Person.Major, Title: e.Person.Title,
			WorkStartDate: &ws, CreatedAt: b.now, UpdatedAt: b.now, Version: 1}
		if b.org.Kind == KindEnterprise {
			p.OrganizationID = &b.org.ID
		}
		fresh = append(fresh, p)
	}
	for i := 0; i < len(fresh); i += batchChunk {
		if err := insertPeople(ctx, tx, fresh[i:min(i+batchChunk, len(fresh))]); err != nil {
			if IsUniqueViolation(err) {
				return ErrConflict // someone registered one of these people meanwhile
			}
			return err
		}
	}
	for i := range fresh {
		b.persons[fresh[i].IDNumber] = &fresh[i]
	}
	var pids, unattached []int64
	for _, e := range b.entries {
		p := b.persons[e.ID.Number]
		if needsConsent(b.org, p, b.ownAcct[p.ID]) {
			continue // registered by the organization without joining its people (SECURITY.md 28)
		}
		pids = append(pids, p.ID)
		if p.OrganizationID == nil {
			unattached = append(unattached, p.ID)
		}
	}
	if b.org.Kind == KindEnterprise {
		for i := 0; i < len(unattached); i += batchChunk {
			var joined []int64
			if _, err := tx.NewUpdate().Model((*Person)(nil)).Set("organization_id = ?", b.org.ID).Set("updated_at = ?", b.now).
				Set("version = version + 1").Where("id IN (?) AND organization_id IS NULL", bun.List(unattached[i:min(i+batchChunk, len(unattached))])).
				Returning("id").Exec(ctx, &joined); err != nil {
				return err
			}
			// Someone known without an employer now has one: a change of master data, kept in their history.
			changes := make([]PersonChange, len(joined))
			for k, id := range joined {
				changes[k] = PersonChange{PersonID: id, Field: "organization", NewValue: b.org.Name, AccountID: actor.AccountID(), ChangedAt: b.now}
			}
			if err := insertPersonChanges(ctx, tx, changes); err != nil {
				return err
			}
		}
		return nil
	}
	roster := make([]TrainingPerson, len(pids))
	for i, id := range pids {
		roster[i] = TrainingPerson{OrganizationID: b.org.ID, PersonID: id, CreatedAt: b.now}
	}
	for i := 0; i < len(roster); i += batchChunk {
		chunk := roster[i:min(i+batchChunk, len(roster))]
		if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT DO NOTHING").Returning("NULL").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// NewRegPhoto is one photo of a batch photo upload: the registration and its new stored file.
type NewRegPhoto struct {
	RegistrationID int64
	Key            string
}

// SetRegistrationPhotos is 照片批量上传: registrations of a plan that the actor's organization made get their new
// photos (stored already; a registration named twice takes the last), in one transaction with one audit row. A
// registration that is not the organization's, or no longer there, is ErrNotFound and nothing changes. It returns
// the files the registrations named before, to release once committed.
func SetRegistrationPhotos(ctx context.Context, db bun.IDB, actor Actor, planID int64, photos []NewRegPhoto) ([]string, error) {
	orgID := actor.OrganizationID()
	if !actor.Is(RoleEnterprise, RoleTraining) || orgID == nil {
		return nil, ErrNotAllowed
	}
	var replaced []string
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		replaced = nil
		current := map[int64]string{}
		ids := make([]int64, len(photos))
		for i, p := range photos {
			ids[i] = p.RegistrationID
		}
		for i := 0; i < len(ids); i += batchChunk {
			var rows []Registration
			if err := tx.NewSelect().Model(&rows).Column("id", "photo_key").Where("id IN (?) AND plan_id = ? AND organization_id = ?",
				bun.List(ids[i:min(i+batchChunk, len(ids))]), planID, *orgID).Where(filerMayAddPhoto).Scan(ctx); err != nil {
				return err
			}
			for _, r := range rows {
				current[r.ID] = r.PhotoKey
			}
		}
		now := Now()
		for _, p := range photos {
			old, ok := current[p.RegistrationID]
			if !ok {
				return ErrNotFound
			}
			if _, err := tx.NewUpdate().Model((*Registration)(nil)).Set("photo_key = ?", p.Key).Set("updated_at = ?", now).
				Set("version = version + 1").Where("id = ?", p.RegistrationID).Exec(ctx); err != nil {
				return err
			}
			if old != "" {
				replaced = append(replaced, old)
			}
			current[p.RegistrationID] = p.Key
		}
		return actor.Audit(ctx, tx, EventPhotoUploaded, "plan:"+strconv.FormatInt(planID, 10), "batch", strconv.Itoa(len(photos))+" stored")
	})
	return replaced, err
}

// OrgRegistrationsByIDNumber maps the ID numbers of the people the actor's organization registered for a plan to
// the registrations it may still give a photo (filerMayAddPhoto), for matching photo files named by ID number: a
// photo for a registration locked under review matches nothing.
func OrgRegistrationsByIDNumber(ctx context.Context, db bun.IDB, actor Actor, planID int64) (map[string]*Registration, error) {
	out := map[string]*Registration{}
	orgID := actor.OrganizationID()
	if orgID == nil {
		return out, nil
	}
	var rs []Registration
	err := db.NewSelect().Model(&rs).Relation("Person", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Column("id_number") }).
		Column("reg.id").Where("reg.plan_id = ? AND reg.organization_id = ?", planID, *orgID).Where(filerMayAddPhoto).Scan(ctx)
	for i := range rs {
		out[rs[i].Person.IDNumber] = &rs[i]
	}
	return out, err
}

// LastImportBatch is the 批号 of the latest import of a plan by the actor's organization ("" when there is none):
// what the page names after an import.
func LastImportBatch(ctx context.Context, db bun.IDB, actor Actor, planID int64) (string, error) {
	orgID := actor.OrganizationID()
	if orgID == nil {
		return "", nil
	}
	var no []string
	err := db.NewSelect().Model((*Registration)(nil)).Column("batch_id").
		Where("plan_id = ? AND organization_id = ? AND batch_id <> ''", planID, *orgID).
		OrderExpr("updated_at DESC, id DESC").Limit(1).Scan(ctx, &no)
	if err != nil || len(no) == 0 {
		return "", err
	}
	return no[0], nil
}

// PlansToPick lists the plans the exam-plan picker offers (every plan past its draft), filtered as asked.
func PlansToPick(ctx context.Context, db bun.IDB, actor Actor, f PlanFilter) ([]ExamPlan, error) {
	if actor.Account == nil {
		return nil, ErrNotAllowed
	}
	plans, _, err := ListPlans(ctx, db, f)
	return slices.DeleteFunc(plans, func(p ExamPlan) bool { return p.Status == PlanDraft }), err
}

// sortedMoves orders the [from, to] keys of a batch's moves, so that a batch always writes them in the same order.
func sortedMoves(m map[[2]RegStatus][]int64) [][2]RegStatus {
	keys := make([][2]RegStatus, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]RegStatus) int {
		if c := strings.Compare(string(a[0]), string(b[0])); c != 0 {
			return c
		}
		return strings.Compare(string(a[1]), string(b[1]))
	})
	return keys
}
