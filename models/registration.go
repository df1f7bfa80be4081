package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
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
	RegSubmitted     RegStatus = "submitted"      // 待初审 (shown 待单位确认): the enterprise it names must confirm
	RegUnitConfirmed RegStatus = "unit_confirmed" // 已初审 (shown 待审核): with the registry, for 受理 or 审核
	RegAccepted      RegStatus = "accepted"       // 已受理: the plan's optional 受理 step passed
	RegApproved      RegStatus = "approved"       // 已审核: awaits payment when the plan charges, else 放号
	RegReturned      RegStatus = "returned"       // 退回修改: the applicant edits and resubmits, or withdraws
	RegWithdrawn     RegStatus = "withdrawn"      // 已撤回
	RegPaid          RegStatus = "paid"           // 已缴费
	RegForfeited     RegStatus = "forfeited"      // 视为放弃: unpaid after 缴费截止
	RegTicketed      RegStatus = "ticketed"       // 已放号: has a 准考证
	RegScored        RegStatus = "scored"
	RegPassed        RegStatus = "passed"
	RegFailed        RegStatus = "failed"
)

// RegStatuses lists every status in the order of a registration's life (filters and counts show them so).
var RegStatuses = []RegStatus{RegSubmitted, RegUnitConfirmed, RegAccepted, RegApproved, RegReturned, RegWithdrawn,
	RegPaid, RegForfeited, RegTicketed, RegScored, RegPassed, RegFailed}

// regLabels are the statuses' names as applicants and the registry read them: LIFECYCLE's 待初审/已初审 are shown by
// what happens next (待单位确认, 待审核), 已审核 as 审核通过.
var regLabels = map[RegStatus]string{
	RegSubmitted: "待单位确认", RegUnitConfirmed: "待审核", RegAccepted: "已受理", RegApproved: "审核通过",
	RegReturned: "退回修改", RegWithdrawn: "已撤回", RegPaid: "已缴费", RegForfeited: "视为放弃",
	RegTicketed: "已放号", RegScored: "成绩未公告", RegPassed: "合格", RegFailed: "不合格",
}

// UnderReview says whether the registration is with its enterprise or the registry for a decision: it is locked
// against the applicant's edits until the decision (退回修改 opens it again).
func (s RegStatus) UnderReview() bool {
	return s == RegSubmitted || s == RegUnitConfirmed || s == RegAccepted
}

// FilerMayEdit says whether the organization that filed a registration in this status may still replace it by a
// new import: only while it is not yet with the registry (待单位确认, 退回修改, 已撤回). From 待审核 on it is locked
// under review (LIFECYCLE §4) until its filer withdraws it or the registry returns it.
func (s RegStatus) FilerMayEdit() bool {
	return s == RegSubmitted || s == RegReturned || s == RegWithdrawn
}

// deletableStatuses are those in which nobody at the registry has passed the registration yet (or it came back, or
// was withdrawn): an applicant may delete it then, if unpaid. Once 受理 or 审核通过, it stays on record.
var deletableStatuses = []RegStatus{RegSubmitted, RegUnitConfirmed, RegReturned, RegWithdrawn}

// Deletable says whether a registration in this status may be deleted by its applicant (if unpaid).
func (s RegStatus) Deletable() bool { return slices.Contains(deletableStatuses, s) }

// TakesPlace says whether a registration in this status holds one of its plan's places (the database counts them
// the same way, in plan_seats).
func (s RegStatus) TakesPlace() bool { return s != RegWithdrawn && s != RegForfeited }

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

	ID               int64      `bun:"id,pk,autoincrement"`
	PlanID           int64      `bun:"plan_id,notnull"`
	Plan             *ExamPlan  `bun:"rel:belongs-to,join:plan_id=id"`
	PersonID         int64      `bun:"person_id,notnull"`
	Person           *Person    `bun:"rel:belongs-to,join:person_id=id"`
	Channel          Channel    `bun:"channel,notnull"`
	OrganizationID   *int64     `bun:"organization_id"`
	AccountID        *int64     `bun:"account_id"`
	EmployerName     string     `bun:"employer_name,notnull"`
	EmployerCode     string     `bun:"employer_code,notnull"`
	WorkStartDate    *time.Time `bun:"work_start_date"`
	YearsOfWork      int        `bun:"years_of_work,notnull"`
	Resume           string     `bun:"resume,notnull"`
	EmployerOpinion  string     `bun:"employer_opinion,notnull"`
	PhotoKey         string     `bun:"photo_key,notnull"`
	BatchID          string     `bun:"batch_id,notnull"`
	Status           RegStatus  `bun:"status,notnull"`
	RejectReason     string     `bun:"reject_reason,notnull"` // 退回修改's reason, shown to the applicant
	UnitOrgID        *int64     `bun:"unit_org_id"`           // the enterprise that vouches (单位确认), when registered here
	PaidAt           *time.Time `bun:"paid_at"`
	PaymentNoticeNo  string     `bun:"payment_notice_no,notnull"` // the 缴费通知's 批号 (JFTZ…), "" until sent
	PaymentNoticedAt *time.Time `bun:"payment_noticed_at"`
	CreatedAt        time.Time  `bun:"created_at,notnull"`
	UpdatedAt        time.Time  `bun:"updated_at,notnull"`
	Version          int        `bun:"version,notnull"`
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

// YearsBetween is the whole years from start to now (从事工作年限 computed from 参加工作时间): a year counts on its
// anniversary, the same month and day of the calendar (Beijing time), also across a leap day.
func YearsBetween(start, now time.Time) int {
	sy, sm, sd := start.Date()
	ny, nm, nd := now.In(Beijing).Date()
	y := ny - sy
	if nm < sm || (nm == sm && nd < sd) {
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

// RegistrationInput is the 报名表 as filled in (or a row of an import file, read the same way).
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

// Messages of the 报名表's own fields, the same in the form and in the import.
const (
	MsgDateFormat  = "日期格式无法识别，应为 2012-07-01 这样的日期"
	MsgYearsFormat = "从事工作年限应为整数"
)

// parse reads the 报名表's own fields — work start, the years claimed, employer, resume, opinion — with one parser
// for each kind of input, the same for the form and the import: dates as people type them (2012-07-01, 2012/7/1,
// 2012.07, 2012年7月, an Excel date), years with or without 年. It returns the fields read (WorkStart zero when it
// could not be read), the years claimed (nil: computed) and the problems by field. The plan's rules come after.
func (in RegistrationInput) parse() (RegistrationCheck, *int, FieldErrors) {
	errs := FieldErrors{}
	var rc RegistrationCheck
	if s := strings.TrimSpace(in.WorkStartDate); s == "" {
		errs["work_start_date"] = "请输入参加工作时间"
	} else if d, err := spreadsheet.ParseDate(s); err != nil {
		errs["work_start_date"] = MsgDateFormat
	} else {
		rc.WorkStart = d
	}
	var claimed *int
	if y := strings.TrimSpace(in.YearsOfWork); y != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(y, "年"))); err != nil || n < 0 {
			errs["years_of_work"] = MsgYearsFormat
		} else {
			claimed = &n
		}
	}
	rc.EmployerName = strings.TrimSpace(in.EmployerName)
	if rc.EmployerName == "" {
		errs["employer_name"] = "请输入单位名称"
	}
	if code := strings.TrimSpace(in.EmployerCode); code != "" {
		credit, org, err := ident.ParseOrganizationCode(code)
		switch {
		case err != nil:
			errs["employer_code"] = err.Error()
		case credit != "":
			rc.EmployerCode = credit
		default:
			rc.EmployerCode = org
		}
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
	if len(errs) == 0 {
		return rc, claimed, nil
	}
	return rc, claimed, errs
}

// CheckRegistration applies every rule of a registration and returns the problems by field. The person's
// education, the plan's window, capacity, work years and photo spec are all checked here, and whether the person
// already has a registration for the plan (existing, nil when none).
func CheckRegistration(plan *ExamPlan, person *Person, existing *Registration, in RegistrationInput, photoBytes int) (RegistrationCheck, FieldErrors) {
	now := Now()
	rc, claimed, errs := in.parse()
	if errs == nil {
		errs = FieldErrors{}
	}
	rc.Plan, rc.Person = plan, person
	if !plan.AcceptsRegistrations(now) {
		errs["plan"] = "该考试计划当前不在报名时间内（报名时间：" + plan.RegistrationStartsAt.In(Beijing).Format("2006-01-02 15:04") +
			" 至 " + plan.RegistrationEndsAt.In(Beijing).Format("2006-01-02 15:04") + "）"
	}
	if !rc.WorkStart.IsZero() && errs["years_of_work"] == "" {
		var probs FieldErrors
		rc.Years, probs = CheckEligibility(plan, person.BirthDate, rc.WorkStart, claimed, now)
		for k, v := range probs {
			errs[k] = v
		}
	}
	if msg := checkEducation(plan, person.Education); msg != "" {
		errs["education"] = msg
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
	if existing != nil && existing.Status != RegReturned && existing.Status != RegWithdrawn {
		errs["id_number"] = "此人目前处于「" + existing.Status.Label() + "」阶段（报名编号 " + existing.Number() + "），不能重复报名该考试"
	}
	if len(errs) == 0 {
		return rc, nil
	}
	return rc, errs
}

// row is the registration a check describes, as it is stored (a new row; an existing one takes its id and version).
func (rc RegistrationCheck) row(channel Channel, orgID, accountID *int64, photoKey, batchID string, now time.Time) Registration {
	ws := rc.WorkStart
	return Registration{PlanID: rc.Plan.ID, PersonID: rc.Person.ID, Channel: channel, OrganizationID: orgID, AccountID: accountID,
		EmployerName: rc.EmployerName, EmployerCode: rc.EmployerCode, WorkStartDate: &ws, YearsOfWork: rc.Years,
		Resume: encodeResume(rc.Resume), EmployerOpinion: rc.Opinion, PhotoKey: photoKey, BatchID: batchID,
		Status: RegSubmitted, CreatedAt: now, UpdatedAt: now, Version: 1}
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

// SameOrg says whether two organization references name the same organization (nil names none).
func SameOrg(a, b *int64) bool { return a != nil && b != nil && *a == *b }

// scopeRegistrations narrows a query to the registrations a caller sees: a practitioner their own; an organization
// those it made or of its own people (an enterprise also those naming it, which it confirms); an admin all; nobody
// else any.
func scopeRegistrations(q *bun.SelectQuery, acct *Account) *bun.SelectQuery {
	if acct == nil {
		return q.Where("1 = 0")
	}
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
				WhereOr("reg.person_id IN (SELECT id FROM persons WHERE organization_id = ?)", *acct.OrganizationID).
				WhereOr("reg.unit_org_id = ?", *acct.OrganizationID) // named as the employer: it confirms them (单位确认)
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
	OldestFirst   bool // by id ascending: pages that stay put while registrations are added (打印报名表's files)
	Offset, Limit int
}

// ListRegistrations returns a page of the registrations the actor sees, newest first, with plan and person (我的报名,
// 本单位的报名, the batch list and 【打印报名表】).
func ListRegistrations(ctx context.Context, db bun.IDB, actor Actor, f RegFilter) ([]Registration, int, error) {
	var rs []Registration
	q := scopeRegistrations(db.NewSelect().Model(&rs).Relation("Plan").Relation("Plan.Category").Relation("Person"), actor.Account)
	if f.OldestFirst {
		q = q.OrderExpr("reg.id ASC")
	} else {
		q = q.OrderExpr("reg.id DESC")
	}
	if f.PlanID != 0 {
		q = q.Where("reg.plan_id = ?", f.PlanID)
	}
	if f.MadeByOrg && actor.OrganizationID() != nil {
		q = q.Where("reg.organization_id = ?", *actor.OrganizationID())
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

// RegistrationsOfPerson returns a person's registrations for the given plans (考试报名 shows them beside the open
// plans instead of 我要报名).
func RegistrationsOfPerson(ctx context.Context, db bun.IDB, personID int64, planIDs []int64) ([]Registration, error) {
	var rs []Registration
	if len(planIDs) == 0 {
		return rs, nil
	}
	err := db.NewSelect().Model(&rs).Column("reg.id", "reg.plan_id", "reg.person_id", "reg.status", "reg.payment_noticed_at").
		Relation("Plan", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Column("fee_cents", "payment_deadline") }).
		Where("reg.person_id = ? AND reg.plan_id IN (?)", personID, bun.List(planIDs)).Scan(ctx)
	return rs, err
}

// BlobInUse says whether any person, registration, certificate, certificate application (its 变更前 or 变更后
// photo) or kept upload names the stored file key (they may share one photo, so a file is deleted only when
// nothing names it any more).
func BlobInUse(ctx context.Context, db bun.IDB, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	var used bool
	// "photo_key <> ''" lets SQLite use the partial indexes (migrations 4 and 20261207000013).
	err := db.NewRaw(`SELECT EXISTS (SELECT 1 FROM persons WHERE photo_key = ?0 AND photo_key <> '')
		OR EXISTS (SELECT 1 FROM registrations WHERE photo_key = ?0 AND photo_key <> '')
		OR EXISTS (SELECT 1 FROM certificates WHERE photo_key = ?0 AND photo_key <> '')
		OR EXISTS (SELECT 1 FROM cert_applications WHERE photo_key = ?0 AND photo_key <> '')
		OR EXISTS (SELECT 1 FROM cert_applications WHERE before_photo_key = ?0 AND before_photo_key <> '')
		OR EXISTS (SELECT 1 FROM photo_uploads WHERE photo_key = ?0)`, key).Scan(ctx, &used)
	return used, err
}
