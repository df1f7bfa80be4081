package models

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// BatchUnitConfirm is the 批号 kind of an enterprise's 单位确认 (and of its 退回修改): one number per batch, as the
// registry's BMSH.
const BatchUnitConfirm = "DWQR"

// Errors of review.
var (
	// ErrOwnRegistration: nobody decides a registration they filed or that is their own (SECURITY.md 10).
	ErrOwnRegistration = errors.New("a registration one filed or that is one's own cannot be decided by oneself")
	// ErrNoAcceptanceStep: 受理 for a plan that has no such step.
	ErrNoAcceptanceStep = errors.New("the plan has no 受理 step")
	// ErrChangedMeanwhile: every registration asked for changed after the decider saw it.
	ErrChangedMeanwhile = errors.New("the registrations changed since they were shown")
)

// ReturnReasons are the common reasons of 退回修改, offered as a list; 其他 needs the free text.
var ReturnReasons = []string{"照片不符合要求", "工作年限不符合报考条件", "学历不符合报考条件", "工作单位信息有误", "材料不全", "其他"}

// ReasonOther is the reason that needs words of its own.
const ReasonOther = "其他"

// ReturnReason is the reason stored and shown for 退回修改: the reasons chosen from ReturnReasons, in list order,
// and the free text (required with 其他, at most 200 characters). Problems are FieldErrors on "reason".
func ReturnReason(chosen []string, note string) (string, error) {
	note = strings.TrimSpace(note)
	var parts []string
	other := false
	for _, r := range ReturnReasons {
		if !slices.Contains(chosen, r) {
			continue
		}
		if r == ReasonOther {
			other = true
			continue
		}
		parts = append(parts, r)
	}
	for _, c := range chosen {
		if c != "" && !slices.Contains(ReturnReasons, c) {
			return "", FieldErrors{"reason": "请从列表中选择退回原因"}
		}
	}
	switch {
	case utf8.RuneCountInString(note) > 200:
		return "", FieldErrors{"reason": "说明最多200字"}
	case other && note == "":
		return "", FieldErrors{"reason": "选择「其他」时请填写说明"}
	case len(parts) == 0 && note == "":
		return "", FieldErrors{"reason": "请选择或填写退回原因"}
	}
	if note != "" {
		parts = append(parts, note)
	}
	return strings.Join(parts, "；"), nil
}

// ReviewInput is a decision on registrations: which ones (one or many), of which plan (0: any, for 单位确认), the
// reason of 退回修改, and the link a notice carries to a registration's page.
type ReviewInput struct {
	PlanID int64
	IDs    []int64
	Reason string                   // 退回修改 only; see ReturnReason
	Link   func(regID int64) string // the registration's page, for notices; nil: none
	// What the decider saw: the version of each registration shown (a row, the ticked ones), and for 选择全部符合条件
	// the moment the queue was shown. A registration changed since (a new upload by its filer) is left alone, to be
	// looked at again. Neither given: no such guard.
	Versions map[int64]int
	Since    time.Time
}

// ReviewResult is what a decision did: its 批号, the registrations it moved, and how many of those asked for were
// not in a status the decision applies to (decided meanwhile by someone else, or not yet at this step).
type ReviewResult struct {
	BatchNo string
	Moved   []int64
	Skipped int
	Changed int // of those asked for, changed since the decider saw them: left alone (not counted in Skipped)
}

// reviewed is a registration as a decision reads it.
type reviewed struct {
	ID             int64     `bun:"id"`
	PlanID         int64     `bun:"plan_id"`
	PersonID       int64     `bun:"person_id"`
	Status         RegStatus `bun:"status"`
	AccountID      *int64    `bun:"account_id"`
	UnitOrgID      *int64    `bun:"unit_org_id"`
	AcceptanceStep bool      `bun:"acceptance_step"`
	Version        int       `bun:"version"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// changedSince says whether the registration changed after the decider saw it (ReviewInput.Versions, .Since).
func (r reviewed) changedSince(in ReviewInput) bool {
	if v, ok := in.Versions[r.ID]; ok {
		return v != r.Version
	}
	return !in.Since.IsZero() && r.UpdatedAt.After(in.Since)
}

// ConfirmByUnit is an enterprise's 单位确认 of registrations that name it and that others filed (the person
// themself, a training institution): 待单位确认 → 待审核, under one DWQR 批号.
func ConfirmByUnit(ctx context.Context, db bun.IDB, actor Actor, in ReviewInput) (ReviewResult, error) {
	if !actor.Is(RoleEnterprise) || actor.OrganizationID() == nil {
		return ReviewResult{}, ErrNotAllowed
	}
	return decide(ctx, db, actor, in, BatchUnitConfirm, func(r reviewed) (RegStatus, bool) {
		return RegUnitConfirmed, r.Status == RegSubmitted
	}, nil)
}

// AcceptRegistrations is the registry's 受理, for plans with that step: 待审核 → 已受理, under one BMSH 批号.
func AcceptRegistrations(ctx context.Context, db bun.IDB, actor Actor, in ReviewInput) (ReviewResult, error) {
	if !actor.Is(RoleAdmin) {
		return ReviewResult{}, ErrNotAllowed
	}
	return decide(ctx, db, actor, in, BatchReview, func(r reviewed) (RegStatus, bool) {
		return RegAccepted, r.Status == RegUnitConfirmed && r.AcceptanceStep
	}, func(rs []reviewed) error {
		for _, r := range rs {
			if !r.AcceptanceStep {
				return ErrNoAcceptanceStep
			}
		}
		return nil
	})
}

// ApproveRegistrations is the registry's 审核通过: 已受理 → 审核通过, or 待审核 → 审核通过 in a plan without a 受理
// step, under one BMSH 批号; the applicants are told.
func ApproveRegistrations(ctx context.Context, db bun.IDB, actor Actor, in ReviewInput) (ReviewResult, error) {
	if !actor.Is(RoleAdmin) {
		return ReviewResult{}, ErrNotAllowed
	}
	in.Reason = ""
	return decide(ctx, db, actor, in, BatchReview, func(r reviewed) (RegStatus, bool) {
		return RegApproved, r.Status == RegAccepted || (r.Status == RegUnitConfirmed && !r.AcceptanceStep)
	}, nil)
}

// ReturnRegistrations is 退回修改 with a reason, by the registry (from 待审核 or 已受理, BMSH 批号) or by the enterprise
// asked to confirm (from 待单位确认, DWQR 批号). The reason is kept on the registration for the applicant (cleared on
// resubmission) and in its status history; the applicants are told it.
func ReturnRegistrations(ctx context.Context, db bun.IDB, actor Actor, in ReviewInput) (ReviewResult, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return ReviewResult{}, FieldErrors{"reason": "请选择或填写退回原因"}
	}
	switch {
	case actor.Is(RoleAdmin):
		return decide(ctx, db, actor, in, BatchReview, func(r reviewed) (RegStatus, bool) {
			return RegReturned, r.Status == RegUnitConfirmed || r.Status == RegAccepted
		}, nil)
	case actor.Is(RoleEnterprise) && actor.OrganizationID() != nil:
		return decide(ctx, db, actor, in, BatchUnitConfirm, func(r reviewed) (RegStatus, bool) {
			return RegReturned, r.Status == RegSubmitted
		}, nil)
	}
	return ReviewResult{}, ErrNotAllowed
}

// decide runs one decision: it reads the registrations asked for (all must exist and be in the actor's reach, else
// ErrNotFound; none may be the actor's own), moves those where move says so through RegistrationTransitions, grouped
// by their status, under one 批号 of kind, and tells the applicants. check, when given, refuses the whole batch.
func decide(ctx context.Context, db bun.IDB, actor Actor, in ReviewInput, kind string, move func(reviewed) (RegStatus, bool),
	check func([]reviewed) error) (ReviewResult, error) {
	ids := slices.Compact(slices.Sorted(slices.Values(in.IDs)))
	if len(ids) == 0 {
		return ReviewResult{}, FieldErrors{"ids": "请选择报名"}
	}
	var out ReviewResult
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		out = ReviewResult{}
		rs, err := loadReviewed(ctx, tx, actor, in.PlanID, ids)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(rs); err != nil {
				return err
			}
		}
		groups := map[[2]RegStatus][]int64{}
		for _, r := range rs {
			if r.changedSince(in) {
				out.Changed++
				continue
			}
			if to, ok := move(r); ok {
				k := [2]RegStatus{r.Status, to}
				groups[k] = append(groups[k], r.ID)
			} else {
				out.Skipped++
			}
		}
		if len(groups) == 0 && out.Changed > 0 {
			return ErrChangedMeanwhile
		}
		if len(groups) == 0 {
			return ErrNothingMoved
		}
		if out.BatchNo, err = NewBatchNumber(ctx, tx, actor, kind); err != nil {
			return err
		}
		var to RegStatus
		for _, k := range sortedMoves(groups) {
			m := Move[RegStatus]{IDs: groups[k], From: k[0], To: k[1], BatchNo: out.BatchNo}
			if k[1] == RegReturned {
				m.Reason, m.Set = in.Reason, map[string]any{"reject_reason": in.Reason}
			}
			moved, err := RegistrationTransitions.Apply(ctx, tx, actor, m)
			if errors.Is(err, ErrNothingMoved) {
				out.Skipped += len(groups[k]) // moved by someone else between the read and the write
				continue
			}
			if err != nil {
				return err
			}
			out.Skipped += len(groups[k]) - len(moved)
			out.Moved, to = append(out.Moved, moved...), k[1]
		}
		if len(out.Moved) == 0 {
			return ErrNothingMoved
		}
		slices.Sort(out.Moved)
		return notifyDecision(ctx, tx, rs, out.Moved, to, in)
	})
	if err != nil {
		return ReviewResult{}, err
	}
	return out, nil
}

// loadReviewed reads the registrations a decision is asked for. An id that does not exist, is of another plan, or
// (for an enterprise) does not name the enterprise is ErrNotFound for the whole batch; one filed by the actor, or
// whose person is the actor, is ErrOwnRegistration.
func loadReviewed(ctx context.Context, tx bun.IDB, actor Actor, planID int64, ids []int64) ([]reviewed, error) {
	var rs []reviewed
	for i := 0; i < len(ids); i += batchChunk {
		var chunk []reviewed
		q := tx.NewSelect().TableExpr("registrations AS reg").Join("JOIN exam_plans AS plan ON plan.id = reg.plan_id").
			ColumnExpr("reg.id, reg.plan_id, reg.person_id, reg.status, reg.account_id, reg.unit_org_id, plan.acceptance_step").
			ColumnExpr("reg.version, reg.updated_at").
			Where("reg.id IN (?)", bun.List(ids[i:min(i+batchChunk, len(ids))]))
		if isPostgres(tx) {
			q = q.For("UPDATE OF reg") // what is read is what is decided: a new upload waits for the decision
		}
		if planID != 0 {
			q = q.Where("reg.plan_id = ?", planID)
		}
		if actor.Is(RoleEnterprise) {
			q = q.Where("reg.unit_org_id = ?", *actor.OrganizationID())
		}
		if err := q.Scan(ctx, &chunk); err != nil {
			return nil, err
		}
		rs = append(rs, chunk...)
	}
	if len(rs) != len(ids) {
		return nil, ErrNotFound
	}
	for _, r := range rs {
		if ownRegistration(actor, r.AccountID, r.PersonID) {
			return nil, ErrOwnRegistration
		}
	}
	return rs, nil
}

// ownRegistration says whether the actor filed a registration (its account) or is its person.
func ownRegistration(actor Actor, filedBy *int64, personID int64) bool {
	a := actor.Account
	return a != nil && ((a.ID != 0 && filedBy != nil && *filedBy == a.ID) || (a.PersonID != nil && *a.PersonID == personID))
}

// notifyDecision tells the applicants of 退回修改 (with the reason) and of 审核通过; 单位确认 and 受理 are steps on
// the way and tell nobody.
func notifyDecision(ctx context.Context, tx bun.IDB, rs []reviewed, moved []int64, to RegStatus, in ReviewInput) error {
	plans := make(map[int64]int64, len(rs))
	for _, r := range rs {
		plans[r.ID] = r.PlanID
	}
	link := func(id int64) string {
		if in.Link == nil {
			return ""
		}
		return in.Link(id)
	}
	number := func(id int64) string { return (&Registration{ID: id, PlanID: plans[id]}).Number() }
	switch to {
	case RegReturned:
		return NotifyRegistrations(ctx, tx, moved, func(id int64) Notice {
			return Notice{Kind: NoticeReturned, Title: "报名被退回修改", Link: link(id),
				Body: "报名 " + number(id) + " 被退回修改，原因：" + in.Reason + "。请修改后重新提交，或撤回报名。"}
		})
	case RegApproved:
		return NotifyRegistrations(ctx, tx, moved, func(id int64) Notice {
			return Notice{Kind: NoticeApproved, Title: "报名审核通过", Link: link(id), Body: "报名 " + number(id) + " 已审核通过。"}
		})
	}
	return nil
}

// WithdrawRegistration is 撤回 of a registration returned for changes (退回修改 → 已撤回), or of one waiting for the
// registry (待审核 → 已撤回: it is locked under review, so this is how its filer takes it back to change it), by
// whoever may resubmit it: the person themself, or the organization that filed it. Another's registration is
// ErrNotFound; one in any other status (受理 or decided since) is ErrConflict.
func WithdrawRegistration(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Registration, error) {
	if !actor.Is(RolePractitioner, RoleEnterprise, RoleTraining) {
		return nil, ErrNotAllowed
	}
	var r *Registration
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if r, err = RegistrationInScope(ctx, tx, actor.Account, id); err != nil {
			return err
		}
		if !MayResubmit(actor.Account, r) {
			return ErrNotFound
		}
		if r.Status != RegReturned && r.Status != RegUnitConfirmed {
			return ErrConflict
		}
		_, err = RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: []int64{r.ID}, From: r.Status,
			To: RegWithdrawn, Version: r.Version})
		if errors.Is(err, ErrNothingMoved) {
			return ErrConflict
		}
		if err == nil {
			r.Status, r.Version = RegWithdrawn, r.Version+1
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// MayResubmit says whether the account answers a registration's 退回修改 (修改并重新提交, 撤回): the person
// themself, or the organization that filed it.
func MayResubmit(acct *Account, r *Registration) bool {
	switch {
	case acct == nil:
		return false
	case acct.Role == RolePractitioner:
		return acct.PersonID != nil && *acct.PersonID == r.PersonID
	case acct.Role == RoleEnterprise, acct.Role == RoleTraining:
		return SameOrg(acct.OrganizationID, r.OrganizationID)
	}
	return false
}

// filerMayAddPhoto is the SQL condition (on registrations AS reg) of a registration whose filer may still give it a
// photo by a batch photo upload: one not yet with the registry — 待单位确认 (with the enterprise it names), 退回修改,
// or withdrawn — which a new import may replace too, or a 待审核 one filed without a photo (待审核（缺照片）, an
// import carries none): that completes the filing and changes nothing the registry has seen. From 待审核 on
// (LIFECYCLE §4: with the registry, however it got there) a registration is otherwise locked under review: the
// filer withdraws it (撤回, WithdrawRegistration) to change it, or waits for 退回修改.
const filerMayAddPhoto = `(reg.status IN ('submitted', 'returned', 'withdrawn') OR (reg.status = 'unit_confirmed' AND reg.photo_key = ''))`
