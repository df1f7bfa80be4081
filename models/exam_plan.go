package models

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// ExamCategory is a 岗位/工种 from the managed list.
type ExamCategory struct {
	bun.BaseModel `bun:"table:exam_categories"`

	ID        int64  `bun:"id,pk,autoincrement"`
	Name      string `bun:"name,notnull"`
	SortOrder int    `bun:"sort_order,notnull"`
	Active    bool   `bun:"active,notnull"`
	// The certificate the 岗位 leads to (LIFECYCLE §1–2): its kind ("" issues none), code and number template.
	CertKind       CertKind `bun:"cert_kind,notnull"`
	CertCode       string   `bun:"cert_code,notnull"`
	NumberTemplate string   `bun:"number_template,notnull"`
}

// ListCategories returns the 岗位/工种 list in display order (inactive ones too when all is set).
func ListCategories(ctx context.Context, db bun.IDB, all bool) ([]ExamCategory, error) {
	var cs []ExamCategory
	q := db.NewSelect().Model(&cs).OrderExpr("sort_order, name")
	if !all {
		q = q.Where("active = ?", true)
	}
	return cs, q.Scan(ctx)
}

// AddCategory adds a 岗位/工种 to the list (after the ones there), with its audit row. A name already on the list is
// a field error.
func AddCategory(ctx context.Context, db bun.IDB, actor Actor, name string) (*ExamCategory, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 2 || n > 40 {
		return nil, FieldErrors{"category_name": "岗位/工种名称应为2至40个字"}
	}
	c := &ExamCategory{Name: name, SortOrder: newCategoryOrder, Active: true}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx)
		if IsUniqueViolation(err) {
			return FieldErrors{"category_name": "该岗位/工种已存在"}
		}
		if err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPlanSaved, categoryObject(c.ID), "added", c.Name)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// newCategoryOrder places an added 岗位/工种 after the ones the list started with.
const newCategoryOrder = 100

func categoryObject(id int64) string { return "category:" + strconv.FormatInt(id, 10) }

// ToggleCategory is 停用/启用 of a 岗位/工种: it hides a shown one from new plans (existing plans keep theirs) or
// shows a hidden one again, in one statement so two admins' clicks never read a stale state, with its audit row.
func ToggleCategory(ctx context.Context, db bun.IDB, actor Actor, id int64) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*ExamCategory)(nil)).Set("active = NOT active").Where("id = ?", id).Exec(ctx)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPlanSaved, categoryObject(id), "toggled", "")
	})
}

// PlanStatus is where an exam plan is in its life.
type PlanStatus string

const (
	PlanDraft     PlanStatus = "draft"
	PlanOpen      PlanStatus = "open"
	PlanClosed    PlanStatus = "closed"
	PlanExamined  PlanStatus = "examined"
	PlanPublished PlanStatus = "published"
)

// PlanStatuses lists the statuses in order, with their labels.
var PlanStatuses = []struct {
	Status PlanStatus
	Label  string
}{{PlanDraft, "草稿"}, {PlanOpen, "报名中"}, {PlanClosed, "报名结束"}, {PlanExamined, "已考试"}, {PlanPublished, "成绩已发布"}}

// Label is the status's Chinese name.
func (s PlanStatus) Label() string {
	for _, x := range PlanStatuses {
		if x.Status == s {
			return x.Label
		}
	}
	return string(s)
}

// PlanTransitions is the table of a plan's status changes: 草稿 → 报名中 → 报名结束 → 已考试 → 成绩已发布, each by
// the registry.
var PlanTransitions = Transitions[PlanStatus]{Kind: "plan", Table: "exam_plans", Lines: []Transition[PlanStatus]{
	{From: PlanDraft, To: PlanOpen, Roles: []Role{RoleAdmin}, Action: "开放报名", Event: EventPlanAdvanced},
	{From: PlanOpen, To: PlanClosed, Roles: []Role{RoleAdmin}, Action: "结束报名", Event: EventPlanAdvanced},
	{From: PlanClosed, To: PlanExamined, Roles: []Role{RoleAdmin}, Action: "标记为已考试", Event: EventPlanAdvanced},
	{From: PlanExamined, To: PlanPublished, Roles: []Role{RoleAdmin}, Action: "发布成绩", Event: EventPlanAdvanced},
}}

// Next is the status a plan moves to from s, and the label of the action that moves it ("" when none).
func (s PlanStatus) Next() (PlanStatus, string) {
	for _, l := range PlanTransitions.Lines {
		if l.From == s {
			return l.To, l.Action
		}
	}
	return "", ""
}

// ExamMode is a plan's 考试方式 (LIFECYCLE §4–5): it chooses the 准考证's variant and the 签到 rules.
type ExamMode string

const (
	ModeComputer  ExamMode = "computer"  // 机考: the theory exam, on computers at a 考点
	ModePractical ExamMode = "practical" // 实操: a separate ticket; only those who passed the theory sit it
	ModeOnline    ExamMode = "online"    // 网考: online, after a 模拟测试; nobody is checked in at a 考点
)

// ExamModes lists the 考试方式 in the order the form offers them, with their labels.
var ExamModes = []struct {
	Mode  ExamMode
	Label string
}{{ModeComputer, "机考（理论考试）"}, {ModePractical, "实操考试"}, {ModeOnline, "网考（网上考试）"}}

// Label is the 考试方式's Chinese name as the form and the lists show it.
func (m ExamMode) Label() string {
	for _, x := range ExamModes {
		if x.Mode == m {
			return x.Label
		}
	}
	return string(m)
}

// msgModeReleased refuses a new 考试方式 once 放号 gave tickets of the old one.
const msgModeReleased = "已放号，准考证已按原考试方式发出，不能修改考试方式；如需修改，请先取消放号"

// parseExamMode reads the form's 考试方式; "" is 机考, as every plan was before plans had one.
func parseExamMode(s string) (ExamMode, bool) {
	if s = strings.TrimSpace(s); s == "" {
		return ModeComputer, true
	}
	for _, x := range ExamModes {
		if string(x.Mode) == s {
			return x.Mode, true
		}
	}
	return "", false
}

// Levels are the choices of 级别.
var Levels = []string{"无", "初级", "中级", "高级"}

// ExamPlan is a 考试计划.
type ExamPlan struct {
	bun.BaseModel `bun:"table:exam_plans,alias:plan"`

	ID                   int64         `bun:"id,pk,autoincrement"`
	Name                 string        `bun:"name,notnull"`
	CategoryID           int64         `bun:"category_id,notnull"`
	Category             *ExamCategory `bun:"rel:belongs-to,join:category_id=id"`
	Level                string        `bun:"level,notnull"`
	RegistrationStartsAt time.Time     `bun:"registration_starts_at,notnull"`
	RegistrationEndsAt   time.Time     `bun:"registration_ends_at,notnull"`
	ExamAt               time.Time     `bun:"exam_at,notnull"`
	FeeCents             int           `bun:"fee_cents,notnull"`
	PaymentDeadline      *time.Time    `bun:"payment_deadline"` // 缴费截止: set when the plan charges (FeeCents > 0)
	Capacity             int           `bun:"capacity,notnull"`
	SeatsTaken           int           `bun:"seats_taken,scanonly"` // places taken: the sum of plan_seats, kept by the database (see withSeats)
	MinYearsOfWork       int           `bun:"min_years_of_work,notnull"`
	MinEducation         string        `bun:"min_education,notnull"`
	PhotoMinBytes        int           `bun:"photo_min_bytes,notnull"`
	PhotoMaxBytes        int           `bun:"photo_max_bytes,notnull"`
	Status               PlanStatus    `bun:"status,notnull"`
	Notes                string        `bun:"notes,notnull"`
	AcceptanceStep       bool          `bun:"acceptance_step,notnull"` // 受理 before 审核 (LIFECYCLE §4)
	ExamMode             ExamMode      `bun:"exam_mode,notnull"`       // 考试方式; "" is stored as 机考 (SavePlan)
	CreatedAt            time.Time     `bun:"created_at,notnull"`
	UpdatedAt            time.Time     `bun:"updated_at,notnull"`
	Version              int           `bun:"version,notnull"`
}

// CategoryName is the plan's 岗位/工种 (loaded with the plan).
func (p *ExamPlan) CategoryName() string {
	if p.Category == nil {
		return ""
	}
	return p.Category.Name
}

// AcceptsRegistrations says whether the plan takes registrations at now: 报名中 and inside its window.
func (p *ExamPlan) AcceptsRegistrations(now time.Time) bool {
	return p.Status == PlanOpen && !now.Before(p.RegistrationStartsAt) && now.Before(p.RegistrationEndsAt)
}

// Fee is the fee in yuan as text.
func (p *ExamPlan) Fee() string {
	return strconv.Itoa(p.FeeCents/100) + "." + strconv.Itoa(p.FeeCents%100/10) + strconv.Itoa(p.FeeCents%10)
}

// PlanInput is what the admin types about a plan; times are "2006-01-02T15:04" (datetime-local) in Beijing time.
type PlanInput struct {
	Name, CategoryID, Level                 string
	RegistrationStarts, RegistrationEnds    string
	ExamAt, Fee, Capacity, MinYears, MinEdu string
	PhotoMinKB, PhotoMaxKB, Notes           string
	AcceptanceStep                          bool   // 受理 before 审核
	PaymentDeadline                         string // 缴费截止, required when the plan charges
	ExamMode                                string // 考试方式 (an ExamMode; "" is 机考)
}

// ParseLocalTime reads a datetime-local value (or "2006-01-02 15:04") as Beijing time.
func ParseLocalTime(s string) (time.Time, error) {
	s = strings.Replace(strings.TrimSpace(s), " ", "T", 1)
	return time.ParseInLocation("2006-01-02T15:04", s, Beijing)
}

// Validate checks the plan's fields and fills p with them: the times ordered (报名开始 < 截止 < 考试), the money,
// the counts and the photo sizes in range. Whether the 岗位/工种 chosen exists is the workflow's to check.
func (in PlanInput) Validate(p *ExamPlan) FieldErrors {
	errs := FieldErrors{}
	p.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(p.Name); n < 2 || n > 100 {
		errs["name"] = "名称应为2至100个字"
	}
	if cid, err := strconv.ParseInt(in.CategoryID, 10, 64); err != nil || cid <= 0 {
		errs["category_id"] = msgChooseCategory
	} else {
		p.CategoryID = cid
	}
	p.Level = in.Level
	if !slices.Contains(Levels, in.Level) {
		errs["level"] = "请选择级别"
	}
	if m, ok := parseExamMode(in.ExamMode); ok {
		p.ExamMode = m
	} else {
		errs["exam_mode"] = "请选择考试方式（机考、实操或网考）"
	}
	times := []struct {
		v, field string
		dst      *time.Time
	}{{in.RegistrationStarts, "registration_starts", &p.RegistrationStartsAt}, {in.RegistrationEnds, "registration_ends", &p.RegistrationEndsAt}, {in.ExamAt, "exam_at", &p.ExamAt}}
	for _, t := range times {
		v, err := ParseLocalTime(t.v)
		if err != nil {
			errs[t.field] = "请填写日期和时间，如 2026-12-01 09:00"
			continue
		}
		*t.dst = v.UTC()
	}
	if errs["registration_ends"] == "" && errs["registration_starts"] == "" && !p.RegistrationEndsAt.After(p.RegistrationStartsAt) {
		errs["registration_ends"] = "报名截止时间应晚于开始时间"
	}
	if errs["exam_at"] == "" && errs["registration_ends"] == "" && !p.ExamAt.After(p.RegistrationEndsAt) {
		errs["exam_at"] = "考试时间应晚于报名截止时间"
	}
	fee, err := parseYuan(in.Fee)
	if err != nil {
		errs["fee"] = "报名费应为金额，如 120 或 120.50"
	}
	p.FeeCents = fee
	if msg := in.checkPaymentDeadline(p, errs); msg != "" {
		errs["payment_deadline"] = msg
	}
	ints := []struct {
		v, field, msg string
		dst           *int
		max           int
	}{
		{in.Capacity, "capacity", "名额应为0（不限）或正整数", &p.Capacity, 1000000},
		{in.MinYears, "min_years", "工作年限应为0至50的整数", &p.MinYearsOfWork, 50},
		{in.PhotoMinKB, "photo_min_kb", "照片大小应为0至2048的整数（KB）", &p.PhotoMinBytes, 2048},
		{in.PhotoMaxKB, "photo_max_kb", "照片大小应为0至2048的整数（KB）", &p.PhotoMaxBytes, 2048},
	}
	for _, x := range ints {
		s := strings.TrimSpace(x.v)
		if s == "" {
			s = "0"
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > x.max {
			errs[x.field] = x.msg
			continue
		}
		*x.dst = n
	}
	p.PhotoMinBytes *= 1024
	p.PhotoMaxBytes *= 1024
	if errs["photo_max_kb"] == "" && p.PhotoMaxBytes < 20*1024 {
		errs["photo_max_kb"] = "照片大小上限不能小于20KB"
	}
	if errs["photo_min_kb"] == "" && errs["photo_max_kb"] == "" && p.PhotoMinBytes >= p.PhotoMaxBytes {
		errs["photo_min_kb"] = "下限应小于上限"
	}
	p.MinEducation = in.MinEdu
	if in.MinEdu != "" && !slices.Contains(Educations, in.MinEdu) {
		errs["min_education"] = "请从列表中选择学历"
	}
	p.Notes = strings.TrimSpace(in.Notes)
	p.AcceptanceStep = in.AcceptanceStep
	if utf8.RuneCountInString(p.Notes) > 2000 {
		errs["notes"] = "最多2000个字"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

const msgChooseCategory = "请选择岗位/工种"

// check is Validate, and the 岗位/工种 chosen must exist (shown or hidden).
func (in PlanInput) check(ctx context.Context, db bun.IDB, p *ExamPlan) error {
	errs := in.Validate(p)
	if errs == nil {
		errs = FieldErrors{}
	}
	if errs["category_id"] == "" {
		ok, err := db.NewSelect().Model((*ExamCategory)(nil)).Where("id = ?", p.CategoryID).Exists(ctx)
		if err != nil {
			return err
		}
		if !ok {
			errs["category_id"] = msgChooseCategory
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parseYuan(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 100000 {
		return 0, strconv.ErrRange
	}
	return int(f*100 + 0.5), nil
}

func planObject(p *ExamPlan) string { return "plan:" + strconv.FormatInt(p.ID, 10) }

// CreatePlan is 新建考试计划: the plan is checked and stored as 草稿, with its audit row.
func CreatePlan(ctx context.Context, db bun.IDB, actor Actor, in PlanInput) (*ExamPlan, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	p := &ExamPlan{}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := in.check(ctx, tx, p); err != nil {
			return err
		}
		if err := SavePlan(ctx, tx, p, 0); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPlanSaved, planObject(p), "created", p.Name)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePlan is 编辑考试计划: it saves plan id if nobody changed it since version (else ErrConflict), with its audit
// row. Its status is not the form's to change (AdvancePlan is), and its capacity cannot go below the places taken.
func UpdatePlan(ctx context.Context, db bun.IDB, actor Actor, id int64, in PlanInput, version int) (*ExamPlan, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var p *ExamPlan
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if p, err = GetPlan(ctx, tx, id); err != nil {
			return err
		}
		mode := p.ExamMode
		if err := in.check(ctx, tx, p); err != nil {
			return err
		}
		if p.ExamMode != mode {
			released, err := tx.NewSelect().Table("exam_plans").Where("id = ? AND released_at IS NOT NULL", id).Exists(ctx)
			if err != nil {
				return err
			}
			if released {
				return FieldErrors{"exam_mode": msgModeReleased}
			}
		}
		if err := SavePlan(ctx, tx, p, version); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPlanSaved, planObject(p), "updated", p.Name)
	})
	return p, err
}

// SavePlan stores a plan as it is given: it creates (p.ID == 0) a 草稿, or updates one, where a stale version is
// ErrConflict. It checks nothing else and writes no audit row: admins go through CreatePlan and UpdatePlan; seeding
// and tests store plans they build with it.
func SavePlan(ctx context.Context, db bun.IDB, p *ExamPlan, version int) error {
	now := Now()
	p.UpdatedAt = now
	if p.ExamMode == "" {
		p.ExamMode = ModeComputer
	}
	if p.ID == 0 {
		p.CreatedAt, p.Version, p.Status = now, 1, PlanDraft
		_, err := db.NewInsert().Model(p).Returning("id").Exec(ctx)
		return err
	}
	// A capacity below the places taken is not written (the seats triggers, which count under their locks, refuse
	// it too, should registrations arrive between the two).
	res, err := db.NewUpdate().Model(p).ExcludeColumn("id", "created_at", "version", "status").
		Set("version = version + 1").Where("id = ? AND version = ?", p.ID, version).
		Where("? = 0 OR "+seatsTaken+" <= ?", p.Capacity, p.Capacity).Exec(ctx)
	if err != nil && strings.Contains(err.Error(), "exam plan capacity below seats taken") {
		return FieldErrors{"capacity": "名额不能少于已报名的人数"}
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		taken, err := PlanSeatsTaken(ctx, db, p.ID)
		if err == nil && p.Capacity > 0 && taken > p.Capacity {
			return FieldErrors{"capacity": "名额不能少于已报名的" + strconv.Itoa(taken) + "人"}
		}
		return ErrConflict
	}
	p.Version = version + 1
	return nil
}

// AdvancePlan moves a plan from its status from to the next (草稿 → 报名中 → 报名结束 → 已考试 → 成绩已发布),
// with its audit row. from guards against a double click moving it twice: a plan no longer in from is
// ErrConflict, and nothing is written.
func AdvancePlan(ctx context.Context, db bun.IDB, actor Actor, id int64, from PlanStatus) error {
	to, _ := from.Next()
	if to == "" {
		return ErrConflict
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		_, err := PlanTransitions.Apply(ctx, tx, actor, Move[PlanStatus]{IDs: []int64{id}, From: from, To: to})
		if errors.Is(err, ErrNothingMoved) {
			return ErrConflict
		}
		return err
	})
}

// GetPlan loads a plan with its category.
func GetPlan(ctx context.Context, db bun.IDB, id int64) (*ExamPlan, error) {
	p := new(ExamPlan)
	b := database.Bind(db) // every 报名表 reads its plan
	err := withSeats(db.NewSelect().Model(p)).Relation("Category").Where("plan.id = ?", b.V(id)).Conn(b.On(db)).Scan(ctx)
	return p, notFound(err)
}

// seatsTaken is a plan's places taken: the sum of its seat stripes (plan_seats, kept by the triggers of
// migration 20261206000001, which also refuse a registration past the capacity).
const seatsTaken = "(SELECT COALESCE(SUM(s.taken), 0) FROM plan_seats AS s WHERE s.plan_id = plan.id)"

// withSeats selects a plan's columns with its places taken.
func withSeats(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("?TableColumns").ColumnExpr(seatsTaken + " AS seats_taken")
}

// PlanSeatsTaken is the places taken of one plan.
func PlanSeatsTaken(ctx context.Context, db bun.IDB, planID int64) (int, error) {
	var n int
	err := db.NewSelect().TableExpr("plan_seats").ColumnExpr("COALESCE(SUM(taken), 0)").Where("plan_id = ?", planID).Scan(ctx, &n)
	return n, err
}

// PlanFilter narrows ListPlans. Open: only plans taking registrations now.
type PlanFilter struct {
	Query         string
	CategoryID    int64
	Status        PlanStatus
	Open          bool
	From, To      time.Time // exam time range
	Offset, Limit int
}

// ListPlans returns a page of plans, soonest exam first, and how many match.
func ListPlans(ctx context.Context, db bun.IDB, f PlanFilter) ([]ExamPlan, int, error) {
	var ps []ExamPlan
	q := withSeats(db.NewSelect().Model(&ps)).Relation("Category").OrderExpr("plan.exam_at, plan.id")
	if s := strings.TrimSpace(f.Query); s != "" {
		q = q.Where("plan.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if f.CategoryID != 0 {
		q = q.Where("plan.category_id = ?", f.CategoryID)
	}
	if f.Status != "" {
		q = q.Where("plan.status = ?", f.Status)
	}
	if f.Open {
		now := Now()
		q = q.Where("plan.status = ?", PlanOpen).Where("plan.registration_starts_at <= ?", now).Where("plan.registration_ends_at > ?", now)
	}
	if !f.From.IsZero() {
		q = q.Where("plan.exam_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("plan.exam_at < ?", f.To.AddDate(0, 0, 1).UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	n, err := q.Offset(int64(f.Offset)).Limit(int64(f.Limit)).ScanAndCount(ctx)
	return ps, int(n), err
}
