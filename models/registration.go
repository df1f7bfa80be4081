package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// Channel is who registered a person: the person themself, an enterprise, or a training institution.
type Channel string

const (
	ChannelSelf       Channel = "self"
	ChannelEnterprise Channel = "enterprise"
	ChannelTraining   Channel = "training"
)

// RegStatus is where a registration is in its life (DOMAIN.md).
type RegStatus string

const (
	RegSubmitted RegStatus = "submitted"
	RegApproved  RegStatus = "approved"
	RegRejected  RegStatus = "rejected"
	RegPaid      RegStatus = "paid"
	RegTicketed  RegStatus = "ticketed"
	RegScored    RegStatus = "scored"
	RegPassed    RegStatus = "passed"
	RegFailed    RegStatus = "failed"
)

var regLabels = map[RegStatus]string{
	RegSubmitted: "待审核", RegApproved: "审核通过", RegRejected: "审核不通过", RegPaid: "已缴费",
	RegTicketed: "已发准考证", RegScored: "已出成绩", RegPassed: "合格", RegFailed: "不合格",
}

// Label is the status's Chinese name.
func (s RegStatus) Label() string {
	if l, ok := regLabels[s]; ok {
		return l
	}
	return string(s)
}

// ResumeRow is one line of 个人简历.
type ResumeRow struct {
	Period   string `json:"period"`
	Employer string `json:"employer"`
	Post     string `json:"post"`
}

// Registration is a 报名: one person for one exam plan.
type Registration struct {
	bun.BaseModel `bun:"table:registrations,alias:reg"`

	ID              int64      `bun:"id,pk,autoincrement"`
	PlanID          int64      `bun:"plan_id,notnull"`
	Plan            *ExamPlan  `bun:"rel:belongs-to,join:plan_id=id"`
	PersonID        int64      `bun:"person_id,notnull"`
	Person          *Person    `bun:"rel:belongs-to,join:person_id=id"`
	Channel         Channel    `bun:"channel,notnull"`
	OrganizationID  *int64     `bun:"organization_id"`
	AccountID       *int64     `bun:"account_id"`
	EmployerName    string     `bun:"employer_name,notnull"`
	EmployerCode    string     `bun:"employer_code,notnull"`
	WorkStartDate   *time.Time `bun:"work_start_date"`
	YearsOfWork     int        `bun:"years_of_work,notnull"`
	Resume          string     `bun:"resume,notnull"`
	EmployerOpinion string     `bun:"employer_opinion,notnull"`
	PhotoKey        string     `bun:"photo_key,notnull"`
	BatchID         string     `bun:"batch_id,notnull"`
	Status          RegStatus  `bun:"status,notnull"`
	RejectReason    string     `bun:"reject_reason,notnull"`
	PaidAt          *time.Time `bun:"paid_at"`
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	UpdatedAt       time.Time  `bun:"updated_at,notnull"`
	Version         int        `bun:"version,notnull"`
}

// Number is the 报名编号 shown and printed.
func (r *Registration) Number() string { return fmt.Sprintf("BM%04d%07d", r.PlanID, r.ID) }

// encodeResume is how 个人简历 is stored: a JSON list, [] when empty.
func encodeResume(rows []ResumeRow) string {
	if rows == nil {
		return "[]"
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// ResumeRows decodes 个人简历.
func (r *Registration) ResumeRows() []ResumeRow {
	var rows []ResumeRow
	_ = json.Unmarshal([]byte(r.Resume), &rows)
	return rows
}

// Paid says whether the fee was paid; a paid registration is never deleted.
func (r *Registration) Paid() bool { return r.PaidAt != nil }

// Errors of registrations.
var (
	ErrPaidRegistration = errors.New("a paid registration cannot be deleted")
)

// YearsBetween is the whole years from start to now (从事工作年限 computed from 参加工作时间).
func YearsBetween(start, now time.Time) int {
	y := now.Year() - start.Year()
	if now.YearDay() < start.YearDay() {
		y--
	}
	return max(y, 0)
}

// educationRank orders 学历 (-1 when unknown).
func educationRank(e string) int {
	for i, x := range Educations {
		if x == e {
			return i
		}
	}
	return -1
}

// RegistrationInput is the 报名表 as filled in.
type RegistrationInput struct {
	WorkStartDate   string
	YearsOfWork     string // empty: computed from WorkStartDate
	EmployerName    string
	EmployerCode    string
	Resume          []ResumeRow
	EmployerOpinion string
}

// RegistrationCheck is a registration about to be saved: the validated input plus the person and plan.
type RegistrationCheck struct {
	Plan         *ExamPlan
	Person       *Person
	WorkStart    time.Time
	Years        int
	Resume       []ResumeRow
	Opinion      string
	EmployerName string
	EmployerCode string
}

// CheckRegistration applies every rule of a registration and returns the problems by field. The person's
// education, the plan's window, capacity, work years and photo spec are all checked here, and whether the person
// already has a registration for the plan (existing, nil when none).
func CheckRegistration(plan *ExamPlan, person *Person, existing *Registration, in RegistrationInput, photoBytes int) (RegistrationCheck, FieldErrors) {
	errs := FieldErrors{}
	rc := RegistrationCheck{Plan: plan, Person: person}
	now := Now()
	if !plan.AcceptsRegistrations(now) {
		errs["plan"] = "该考试计划当前不在报名时间内（报名时间：" + plan.RegistrationStartsAt.In(Beijing).Format("2006-01-02 15:04") +
			" 至 " + plan.RegistrationEndsAt.In(Beijing).Format("2006-01-02 15:04") + "）"
	}
	if strings.TrimSpace(in.WorkStartDate) == "" {
		errs["work_start_date"] = "请输入参加工作时间"
	} else if d, err := ParseDate(in.WorkStartDate); err != nil {
		errs["work_start_date"] = "日期格式应为 2012-07-01"
	} else {
		var claimed *int
		if y := strings.TrimSpace(in.YearsOfWork); y != "" {
			if n, err := strconv.Atoi(y); err != nil || n < 0 {
				errs["years_of_work"] = "从事工作年限应为整数"
			} else {
				claimed = &n
			}
		}
		if errs["years_of_work"] == "" {
			rc.WorkStart = d
			var probs FieldErrors
			rc.Years, probs = CheckEligibility(plan, person.BirthDate, d, claimed, now)
			for k, v := range probs {
				errs[k] = v
			}
		}
	}
	if msg := checkEducation(plan, person.Education); msg != "" {
		errs["education"] = msg
	}
	rc.EmployerName, rc.EmployerCode = strings.TrimSpace(in.EmployerName), strings.TrimSpace(in.EmployerCode)
	if rc.EmployerName == "" {
		errs["employer_name"] = "请输入单位名称"
	}
	for i, row := range in.Resume {
		row = ResumeRow{strings.TrimSpace(row.Period), strings.TrimSpace(row.Employer), strings.TrimSpace(row.Post)}
		if row == (ResumeRow{}) {
			continue
		}
		if row.Period == "" || row.Employer == "" {
			errs["resume_"+strconv.Itoa(i)] = "请填写起止时间和工作单位"
		}
		if utf8.RuneCountInString(row.Period+row.Employer+row.Post) > 150 {
			errs["resume_"+strconv.Itoa(i)] = "内容过长"
		}
		rc.Resume = append(rc.Resume, row)
	}
	rc.Opinion = strings.TrimSpace(in.EmployerOpinion)
	if utf8.RuneCountInString(rc.Opinion) > 500 {
		errs["employer_opinion"] = "聘用单位意见最多500字"
	}
	switch {
	case photoBytes == 0:
		errs["photo"] = "请上传一寸照片"
	case plan.PhotoMaxBytes > 0 && photoBytes > plan.PhotoMaxBytes:
		errs["photo"] = "照片大小超过该考试要求的" + strconv.Itoa(plan.PhotoMaxBytes/1024) + "KB"
	case photoBytes < plan.PhotoMinBytes:
		errs["photo"] = "照片大小低于该考试要求的" + strconv.Itoa(plan.PhotoMinBytes/1024) + "KB"
	}
	if plan.Capacity > 0 && plan.SeatsTaken >= plan.Capacity {
		errs["plan"] = "该考试名额已满"
	}
	if existing != nil && existing.Status != RegRejected {
		errs["id_number"] = "此人目前处于「" + existing.Status.Label() + "」阶段（报名编号 " + existing.Number() + "），不能重复报名该考试"
	}
	if len(errs) == 0 {
		return rc, nil
	}
	return rc, errs
}

// CheckEligibility applies a plan's rules on work history: the work start is not in the future and after the age
// of 14; 从事工作年限 is computed from it, or claimed (never more than computed); the plan's minimum is met. It
// returns the years that count and the problems by form field (work_start_date, years_of_work). The 报名表 and the
// batch import both use it, so the two never disagree.
func CheckEligibility(plan *ExamPlan, birth *time.Time, workStart time.Time, claimed *int, now time.Time) (int, FieldErrors) {
	errs := FieldErrors{}
	var born time.Time
	if birth != nil {
		born = *birth
	}
	if msg := checkWorkStart(workStart, born, now); msg != "" {
		errs["work_start_date"] = msg
		return 0, errs
	}
	years := YearsBetween(workStart, now)
	if claimed != nil {
		if *claimed > years {
			errs["years_of_work"] = "从事工作年限不能超过参加工作以来的年数（" + strconv.Itoa(years) + "年）"
			return years, errs
		}
		years = *claimed
	}
	if years < plan.MinYearsOfWork {
		errs["years_of_work"] = "该考试要求从事相关工作满" + strconv.Itoa(plan.MinYearsOfWork) + "年，当前为" + strconv.Itoa(years) + "年，不符合报名条件"
	}
	if len(errs) == 0 {
		return years, nil
	}
	return years, errs
}

// checkWorkStart says why a work start is impossible ("" when it is not): in the future, or before the age of 14
// (birth may be zero: unknown).
func checkWorkStart(workStart, birth, now time.Time) string {
	switch {
	case workStart.After(now):
		return "参加工作时间不能晚于今天"
	case !birth.IsZero() && workStart.Before(birth.AddDate(14, 0, 0)):
		return "参加工作时间应在年满14周岁之后"
	}
	return ""
}

// checkEducation says why a 学历 falls short of the plan's minimum ("" when it does not).
func checkEducation(plan *ExamPlan, education string) string {
	switch {
	case plan.MinEducation == "" || educationRank(education) >= educationRank(plan.MinEducation):
		return ""
	case education == "":
		return "请先填写学历（该考试要求" + plan.MinEducation + "及以上）"
	}
	return "该考试要求" + plan.MinEducation + "及以上学历，当前为" + education + "，不符合报名条件"
}

// FindRegistration finds a person's registration for a plan.
func FindRegistration(ctx context.Context, db bun.IDB, planID, personID int64) (*Registration, error) {
	r := new(Registration)
	err := db.NewSelect().Model(r).Where("plan_id = ? AND person_id = ?", planID, personID).Scan(ctx)
	return r, notFound(err)
}

// ErrPlanFull: the plan has no places left.
var ErrPlanFull = errors.New("plan is full")

// planFull turns the seats trigger's refusal (migration 4) into ErrPlanFull.
func planFull(err error) error {
	if err != nil && strings.Contains(err.Error(), "exam plan is full") {
		return ErrPlanFull
	}
	return err
}

// RegPhoto is the photo a registration carries: a file of its own (Key), or its person's photo on record
// (PersonsOwn), which the registration then names too; the file is kept while anything names it (ReleaseBlob).
type RegPhoto struct {
	Key        string
	PersonsOwn bool
}

// personPhoto is the person's photo key, read under a share lock on PostgreSQL so that a photo replaced at the same
// moment waits for this transaction and then sees its registration before deciding to delete the old file
// (SQLite's write transactions are serial already).
func personPhoto(db bun.IDB) string {
	if isPostgres(db) {
		return "(SELECT photo_key FROM persons WHERE id = ? FOR SHARE)"
	}
	return "(SELECT photo_key FROM persons WHERE id = ?)"
}

// SaveRegistration stores a checked registration: one INSERT, so it needs no transaction of its own (the caller's,
// when a new person is saved with it, is used as given). A rejected registration is submitted again in its own row,
// and an unpaid one from an earlier upload of the same organization's batch is replaced; any other existing
// registration of the person for the plan is ErrDuplicate. Capacity is the database's to enforce (the seats
// triggers of migration 4): ErrPlanFull.
//
// With ev, the audit row of the registration (Object is filled in here) is written by the same statement where
// the database can (PostgreSQL: one statement, one commit); audited says whether it was, else the caller records
// it.
func SaveRegistration(ctx context.Context, tx bun.IDB, rc RegistrationCheck, channel Channel, orgID, accountID *int64, photo RegPhoto, batchID string, ev *AuditEvent) (reg *Registration, audited bool, err error) {
	reg, audited, err = saveRegistration(ctx, tx, rc, channel, orgID, accountID, photo, batchID, ev)
	return reg, audited, planFull(err)
}

// auditedInsert inserts the registration and its audit row in one statement (PostgreSQL).
func auditedInsert(ctx context.Context, tx bun.IDB, ins *bun.InsertQuery, reg *Registration, ev *AuditEvent) (bool, error) {
	const number = `'registration:BM' || lpad(reg.plan_id::text, greatest(4, length(reg.plan_id::text)), '0') ||
		lpad(reg.id::text, greatest(7, length(reg.id::text)), '0')`
	err := tx.NewRaw(`WITH reg AS (?), ev AS (
			INSERT INTO audit_events (occurred_at, account_id, username, role, organization_id, ip, event, object, result, detail, request_id)
			SELECT ?, ?, ?, ?, ?, ?, ?, `+number+`, ?, ?, ? FROM reg)
		SELECT id, photo_key FROM reg`,
		ins.Returning("id, photo_key, plan_id"), Now(), ev.AccountID, ev.Username, ev.Role, ev.OrganizationID, ev.IP, ev.Event,
		ev.Result, ev.Detail, ev.RequestID).Scan(ctx, &reg.ID, &reg.PhotoKey)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func saveRegistration(ctx context.Context, tx bun.IDB, rc RegistrationCheck, channel Channel, orgID, accountID *int64, photo RegPhoto, batchID string, ev *AuditEvent) (*Registration, bool, error) {
	ws := rc.WorkStart
	now := Now()
	reg := &Registration{
		PlanID: rc.Plan.ID, PersonID: rc.Person.ID, Channel: channel, OrganizationID: orgID, AccountID: accountID,
		EmployerName: rc.EmployerName, EmployerCode: rc.EmployerCode, WorkStartDate: &ws, YearsOfWork: rc.Years,
		Resume: encodeResume(rc.Resume), EmployerOpinion: rc.Opinion, PhotoKey: photo.Key, BatchID: batchID,
		Status: RegSubmitted, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	ins := tx.NewInsert().Model(reg).On("CONFLICT (plan_id, person_id) DO NOTHING")
	if photo.PersonsOwn {
		ins = ins.Value("photo_key", personPhoto(tx), rc.Person.ID)
	}
	if ev != nil && isPostgres(tx) {
		if inserted, err := auditedInsert(ctx, tx, ins, reg, ev); err != nil || inserted {
			return reg, inserted, err
		}
	} else {
		res, err := ins.Returning("id, photo_key").Exec(ctx)
		if err != nil {
			return nil, false, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return reg, false, nil
		}
	}
	old, err := FindRegistration(ctx, tx, rc.Plan.ID, rc.Person.ID)
	if err != nil {
		return nil, false, err
	}
	if old.Status != RegRejected && !(batchID != "" && old.BatchID != "" && SameOrg(old.OrganizationID, orgID) && !old.Paid() && old.Status == RegSubmitted) {
		return nil, false, ErrDuplicate
	}
	reg.ID, reg.CreatedAt, reg.Version = old.ID, old.CreatedAt, old.Version+1
	upd := tx.NewUpdate().Model(reg).ExcludeColumn("id", "created_at").Where("id = ? AND version = ?", old.ID, old.Version).Returning("photo_key")
	if photo.PersonsOwn {
		upd = upd.Value("photo_key", personPhoto(tx), rc.Person.ID)
	}
	res, err := upd.Exec(ctx)
	if err != nil {
		return nil, false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, false, ErrDuplicate // changed by someone else since it was read
	}
	return reg, false, nil
}

// SameOrg says whether two organization references name the same organization (nil names none).
func SameOrg(a, b *int64) bool { return a != nil && b != nil && *a == *b }

// RegistrationScope says whose registrations a caller sees: a practitioner their own; an organization those it
// made or of its own people; an admin all.
func scopeRegistrations(q *bun.SelectQuery, acct *Account) *bun.SelectQuery {
	switch acct.Role {
	case RoleAdmin:
		return q
	case RolePractitioner:
		if acct.PersonID == nil {
			return q.Where("1 = 0")
		}
		return q.Where("reg.person_id = ?", *acct.PersonID)
	case RoleEnterprise:
		if acct.OrganizationID == nil {
			return q.Where("1 = 0")
		}
		return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("reg.organization_id = ?", *acct.OrganizationID).
				WhereOr("reg.person_id IN (SELECT id FROM persons WHERE organization_id = ?)", *acct.OrganizationID)
		})
	case RoleTraining:
		if acct.OrganizationID == nil {
			return q.Where("1 = 0")
		}
		return q.Where("reg.organization_id = ?", *acct.OrganizationID)
	}
	return q.Where("1 = 0")
}

// RegistrationInScope loads a registration the account may see (else ErrNotFound).
func RegistrationInScope(ctx context.Context, db bun.IDB, acct *Account, id int64) (*Registration, error) {
	r := new(Registration)
	q := db.NewSelect().Model(r).Relation("Plan").Relation("Plan.Category").Relation("Person").Where("reg.id = ?", id)
	err := scopeRegistrations(q, acct).Scan(ctx)
	return r, notFound(err)
}

// RegFilter narrows ListRegistrations.
type RegFilter struct {
	PlanID        int64
	MadeByOrg     bool // only those the caller's organization made (the batch screen)
	Status        RegStatus
	Offset, Limit int
}

// ListRegistrations returns a page of the account's registrations, newest first, with plan and person.
func ListRegistrations(ctx context.Context, db bun.IDB, acct *Account, f RegFilter) ([]Registration, int, error) {
	var rs []Registration
	q := scopeRegistrations(db.NewSelect().Model(&rs).Relation("Plan").Relation("Plan.Category").Relation("Person"), acct).
		OrderExpr("reg.id DESC")
	if f.PlanID != 0 {
		q = q.Where("reg.plan_id = ?", f.PlanID)
	}
	if f.MadeByOrg && acct.OrganizationID != nil {
		q = q.Where("reg.organization_id = ?", *acct.OrganizationID)
	}
	if f.Status != "" {
		q = q.Where("reg.status = ?", f.Status)
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	n, err := q.Offset(int64(f.Offset)).Limit(int64(f.Limit)).ScanAndCount(ctx)
	return rs, int(n), err
}

// DeleteRegistration deletes one unpaid registration the account's organization made (or the practitioner's
// own); a paid one is refused with ErrPaidRegistration.
func DeleteRegistration(ctx context.Context, db bun.IDB, acct *Account, id int64) (*Registration, error) {
	r, err := RegistrationInScope(ctx, db, acct, id)
	if err != nil {
		return nil, err
	}
	if acct.Role != RolePractitioner && acct.Role != RoleAdmin && !SameOrg(r.OrganizationID, acct.OrganizationID) {
		return nil, ErrNotFound // an enterprise sees its staff's own registrations but deletes only its own
	}
	if r.Paid() {
		return r, ErrPaidRegistration
	}
	res, err := db.NewDelete().Model((*Registration)(nil)).Where("id = ? AND paid_at IS NULL", r.ID).Exec(ctx)
	if err := affectedOneOr(res, err, ErrPaidRegistration); err != nil {
		return r, err
	}
	return r, nil
}

// DeleteAllRegistrations deletes every unpaid registration of a plan that the account's organization made and
// returns the paid ones it kept and the photo keys the deleted ones named (to release).
func DeleteAllRegistrations(ctx context.Context, db bun.IDB, acct *Account, planID int64) (deleted int, kept []Registration, photos []string, err error) {
	if acct.OrganizationID == nil {
		return 0, nil, nil, ErrNotFound
	}
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&kept).Relation("Person").
			Where("reg.plan_id = ? AND reg.organization_id = ? AND reg.paid_at IS NOT NULL", planID, *acct.OrganizationID).Scan(ctx); err != nil {
			return err
		}
		if err := tx.NewSelect().Model((*Registration)(nil)).Column("photo_key").
			Where("plan_id = ? AND organization_id = ? AND paid_at IS NULL AND photo_key <> ''", planID, *acct.OrganizationID).Scan(ctx, &photos); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*Registration)(nil)).
			Where("plan_id = ? AND organization_id = ? AND paid_at IS NULL", planID, *acct.OrganizationID).Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		deleted = int(n)
		return nil
	})
	return deleted, kept, photos, err
}

// BlobInUse says whether any person, registration or kept upload names the stored file key (a registration may
// share its person's photo, so a file is deleted only when nothing names it any more).
func BlobInUse(ctx context.Context, db bun.IDB, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	var used bool
	// "photo_key <> ''" lets SQLite use the partial indexes (migration 4).
	err := db.NewRaw(`SELECT EXISTS (SELECT 1 FROM persons WHERE photo_key = ?0 AND photo_key <> '')
		OR EXISTS (SELECT 1 FROM registrations WHERE photo_key = ?0 AND photo_key <> '')
		OR EXISTS (SELECT 1 FROM photo_uploads WHERE photo_key = ?0)`, key).Scan(ctx, &used)
	return used, err
}
