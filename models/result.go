package models

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// 成绩 (LIFECYCLE §6): the registry imports each subject's scores from its 成绩模版 (registrations move 已放号 →
// 成绩未公告), sets each subject's 合格线 with a preview of the pass rate, and 发布成绩 announces 合格 (every subject
// at or above its line) or 不合格 and locks the lines; only an admin reopens them, with a reason.

// Kinds of 批号 of the results area.
const (
	BatchScoreImport   = "CJDR" // 成绩导入
	BatchResultPublish = "CJFB" // 成绩发布
	BatchResultReopen  = "CJCK" // 成绩重新开放（撤回发布）
)

// NoticeResults is the notice that a plan's results are out; it links to ResultsPagePath, the 查看考试结果 page
// (the route table registers it there).
const (
	NoticeResults   = "results"
	ResultsPagePath = "/results"
)

// 考试情况 of a score: anything but 正常 scores 0.
const (
	SituationNormal     = "正常"
	SituationCheating   = "违纪"
	SituationImpostor   = "替考"
	SituationAbsent     = "缺考"
	maxScoreTenths      = 1500 // no part or total above 150 分
	defaultLineTenths   = 600
	practicalLineTenths = 700 // 特种作业 实操
)

// Situations are the 考试情况 values, in the template's drop-down order.
var Situations = []string{SituationNormal, SituationCheating, SituationImpostor, SituationAbsent}

// Errors of the results workflows.
var (
	ErrResultsPublished   = errors.New("该考试的成绩已发布，合格线已锁定；如需修改请先由管理员重新开放")
	ErrResultsUnpublished = errors.New("该考试的成绩尚未发布")
	ErrCertificatesIssued = errors.New("该考试已有合格人员领取证书，不能重新开放成绩；如成绩有误，请先处理相关证书")
	ErrResultsIncomplete  = errors.New("还有考生缺少科目成绩，不能发布")
	ErrNoScores           = errors.New("该考试还没有导入成绩")
)

// Score is one candidate's result in one subject.
type Score struct {
	bun.BaseModel `bun:"table:scores"`

	RegistrationID   int64     `bun:"registration_id,pk"`
	SubjectID        int64     `bun:"subject_id,pk"`
	PlanID           int64     `bun:"plan_id,notnull"`
	ObjectiveTenths  int       `bun:"objective_tenths,notnull"`
	SubjectiveTenths int       `bun:"subjective_tenths,notnull"`
	TotalTenths      int       `bun:"total_tenths,notnull"`
	Situation        string    `bun:"situation,notnull"`
	BatchNo          string    `bun:"batch_no,notnull"`
	ImportedAt       time.Time `bun:"imported_at,notnull"`
	ImportedBy       *int64    `bun:"imported_by"`
}

// PassLine is a subject's 合格线 as set by the registry.
type PassLine struct {
	bun.BaseModel `bun:"table:pass_lines"`

	SubjectID  int64     `bun:"subject_id,pk"`
	PlanID     int64     `bun:"plan_id,notnull"`
	LineTenths int       `bun:"line_tenths,notnull"`
	UpdatedAt  time.Time `bun:"updated_at,notnull"`
	UpdatedBy  *int64    `bun:"updated_by"`
}

// ResultRelease is a plan's 成绩发布: published (PublishedAt set) or reopened.
type ResultRelease struct {
	bun.BaseModel `bun:"table:result_releases"`

	PlanID       int64      `bun:"plan_id,pk"`
	PublishedAt  *time.Time `bun:"published_at"`
	PublishedBy  *int64     `bun:"published_by"`
	BatchNo      string     `bun:"batch_no,notnull"`
	ReopenedAt   *time.Time `bun:"reopened_at"`
	ReopenedBy   *int64     `bun:"reopened_by"`
	ReopenReason string     `bun:"reopen_reason,notnull"`
	Version      int        `bun:"version,notnull"`
}

// Published says whether the plan's results are out (and its lines locked).
func (r *ResultRelease) Published() bool { return r != nil && r.PublishedAt != nil }

// FormatTenths writes a score in tenths as points: 855 → "85.5", 600 → "60".
func FormatTenths(t int) string {
	s := strconv.Itoa(t / 10)
	if t%10 != 0 {
		s += "." + strconv.Itoa(t%10)
	}
	return s
}

// ParseTenths reads points with at most one decimal ("85", "85.5", "85.50") into tenths, 0 to 150 points.
func ParseTenths(s string) (int, bool) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" || len(whole) > 3 || len(frac) > 1 || !allASCIIDigits(whole) || !allASCIIDigits(frac) {
		return 0, false
	}
	w, _ := strconv.Atoi(whole)
	t := w * 10
	if frac != "" {
		f, _ := strconv.Atoi(frac)
		t += f
	}
	return t, t <= maxScoreTenths
}

// ResultPlan loads a plan for 成绩管理: admins only, and only a released plan (it has 准考证); else ErrNotFound.
func ResultPlan(ctx context.Context, db bun.IDB, actor Actor, planID int64) (*ExamPlan, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotFound
	}
	p := new(ExamPlan)
	err := db.NewSelect().Model(p).Relation("Category").Where("plan.id = ? AND plan.released_at IS NOT NULL", planID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// ReleaseOf is the plan's 成绩发布 row (nil when never published).
func ReleaseOf(ctx context.Context, db bun.IDB, planID int64) (*ResultRelease, error) {
	r := new(ResultRelease)
	err := db.NewSelect().Model(r).Where("plan_id = ?", planID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// DefaultLine is a subject's 合格线 until the registry sets one: 70 for the 实操 of 特种作业, 60 otherwise.
func DefaultLine(p *ExamPlan, s ExamSubject) int {
	if strings.HasPrefix(p.CategoryName(), "特种作业") && strings.Contains(s.Name, "实操") {
		return practicalLineTenths
	}
	return defaultLineTenths
}

// SubjectLine is a subject with its 合格线 and, at that line, how many of its scores pass.
type SubjectLine struct {
	Subject    ExamSubject
	LineTenths int
	Scored     int // candidates with a score in the subject
	Passing    int // of those, at or above the line
}

// Preview is the pass rate of a plan at a set of lines: per subject and overall.
type Preview struct {
	Lines      []SubjectLine
	Candidates int // the plan's candidates (tickets of a live draw)
	Complete   int // candidates with a score in every subject
	Passing    int // of those, at or above every line
}

// Rate is "合格 n 人 / 共 m 人（p%）".
func rate(n, of int) string {
	if of == 0 {
		return "0 / 0"
	}
	return strconv.Itoa(n) + " / " + strconv.Itoa(of) + "（" + strconv.FormatFloat(float64(n)*100/float64(of), 'f', 1, 64) + "%）"
}

// Rate is the subject's pass rate as text.
func (l SubjectLine) Rate() string { return rate(l.Passing, l.Scored) }

// Rate is the overall pass rate as text.
func (p Preview) Rate() string { return rate(p.Passing, p.Complete) }

// PlanLines are the plan's subjects with their lines: set ones, else the default.
func PlanLines(ctx context.Context, db bun.IDB, p *ExamPlan) ([]SubjectLine, error) {
	subjects, err := PlanSubjects(ctx, db, p.ID)
	if err != nil {
		return nil, err
	}
	var set []PassLine
	if err := db.NewSelect().Model(&set).Where("plan_id = ?", p.ID).Scan(ctx); err != nil {
		return nil, err
	}
	byID := map[int64]int{}
	for _, l := range set {
		byID[l.SubjectID] = l.LineTenths
	}
	out := make([]SubjectLine, len(subjects))
	for i, s := range subjects {
		line, ok := byID[s.ID]
		if !ok {
			line = DefaultLine(p, s)
		}
		out[i] = SubjectLine{Subject: s, LineTenths: line}
	}
	return out, nil
}

// PreviewLines counts, at the given lines (subject id → tenths; a subject not given keeps its line), how many pass
// each subject and how many pass all. It reads only; nothing is saved.
func PreviewLines(ctx context.Context, db bun.IDB, p *ExamPlan, override map[int64]int) (Preview, error) {
	var pv Preview
	lines, err := PlanLines(ctx, db, p)
	if err != nil {
		return pv, err
	}
	lineOf := map[int64]int{}
	for i := range lines {
		if v, ok := override[lines[i].Subject.ID]; ok {
			lines[i].LineTenths = v
		}
		lineOf[lines[i].Subject.ID] = lines[i].LineTenths
	}
	var scores []Score
	if err := db.NewSelect().Model(&scores).Column("registration_id", "subject_id", "total_tenths").
		Where("plan_id = ?", p.ID).Where("registration_id IN (?)", planCandidates(db, p.ID)).Scan(ctx); err != nil {
		return pv, err
	}
	type tally struct{ subjects, passed int }
	per := map[int64]*tally{}
	perSubject := map[int64][2]int{}
	for _, s := range scores {
		t := per[s.RegistrationID]
		if t == nil {
			t = &tally{}
			per[s.RegistrationID] = t
		}
		t.subjects++
		c := perSubject[s.SubjectID]
		c[0]++
		if s.TotalTenths >= lineOf[s.SubjectID] {
			t.passed++
			c[1]++
		}
		perSubject[s.SubjectID] = c
	}
	for i := range lines {
		c := perSubject[lines[i].Subject.ID]
		lines[i].Scored, lines[i].Passing = c[0], c[1]
	}
	for _, t := range per {
		if t.subjects == len(lines) {
			pv.Complete++
			if t.passed == len(lines) {
				pv.Passing++
			}
		}
	}
	n, err := db.NewSelect().TableExpr("tickets AS t").Where("t.registration_id IN (?)", planCandidates(db, p.ID)).Count(ctx)
	pv.Lines, pv.Candidates = lines, int(n)
	return pv, err
}

// resultStatuses are the statuses of a plan's candidates from 放号 on.
var resultStatuses = []RegStatus{RegTicketed, RegScored, RegPassed, RegFailed}

// planCandidates selects the registration ids of a plan's candidates: a 准考证 of the plan's live draw and a status
// from 已放号 on.
func planCandidates(db bun.IDB, planID int64) *bun.SelectQuery {
	return db.NewSelect().TableExpr("tickets AS ct").ColumnExpr("ct.registration_id").
		Join("JOIN registrations AS creg ON creg.id = ct.registration_id").
		Join("JOIN draws AS cd ON cd.id = ct.draw_id").
		Where("ct.plan_id = ? AND cd.cancelled_at IS NULL", planID).
		Where("creg.status IN (?)", bun.In(resultStatuses))
}

// SetPassLines saves the plan's 合格线 (subject id → tenths, each a subject of the plan, 0 to 150 分); refused once the
// results are published. Audited with the lines.
func SetPassLines(ctx context.Context, db bun.IDB, actor Actor, planID int64, lines map[int64]int) error {
	p, err := ResultPlan(ctx, db, actor, planID)
	if err != nil {
		return err
	}
	current, err := PlanLines(ctx, db, p)
	if err != nil {
		return err
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := lockRelease(ctx, tx, planID); err != nil {
			return err
		}
		now := Now()
		var detail []string
		for _, l := range current {
			v, ok := lines[l.Subject.ID]
			if !ok {
				continue
			}
			if v < 0 || v > maxScoreTenths {
				return FieldErrors{"line_" + strconv.FormatInt(l.Subject.ID, 10): "合格线应为 0 到 150 之间的分数"}
			}
			row := &PassLine{SubjectID: l.Subject.ID, PlanID: planID, LineTenths: v, UpdatedAt: now, UpdatedBy: actor.AccountID()}
			if _, err := tx.NewInsert().Model(row).On("CONFLICT (subject_id) DO UPDATE").
				Set("line_tenths = EXCLUDED.line_tenths, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by").
				Exec(ctx); err != nil {
				return err
			}
			detail = append(detail, l.Subject.Name+" "+FormatTenths(v))
		}
		return actor.Audit(ctx, tx, EventPassLinesSet, resultsObject(planID), "ok", strings.Join(detail, "，"))
	})
}

// lockRelease takes the plan's row lock for the rest of tx (PostgreSQL; SQLite has one writer at a time), so that
// imports, lines, 发布 and 重新开放 of a plan never interleave, and refuses a change of scores or lines when the
// plan's results are published.
func lockRelease(ctx context.Context, tx bun.IDB, planID int64) error {
	if err := lockPlanRow(ctx, tx, planID); err != nil {
		return err
	}
	r, err := ReleaseOf(ctx, tx, planID)
	if err != nil {
		return err
	}
	if r.Published() {
		return ErrResultsPublished
	}
	return nil
}

func resultsObject(planID int64) string { return "plan:" + strconv.FormatInt(planID, 10) + ":results" }

func lockPlanRow(ctx context.Context, tx bun.IDB, planID int64) error {
	if !isPostgres(tx) {
		return nil
	}
	var id int64
	return tx.NewSelect().TableExpr("exam_plans").Column("id").Where("id = ?", planID).For("UPDATE").Scan(ctx, &id)
}
