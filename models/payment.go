package models

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// 缴费 (LIFECYCLE §4): when a plan charges (收费金额 > 0), its 审核通过 registrations are sent a 缴费通知 with the
// amount and 缴费截止; the registry confirms payments one by one or from the bank's reconciliation file (确认缴费,
// 审核通过 → 已缴费); whoever has not paid by 缴费截止 is 视为放弃 (a periodic job). A free plan has none of it.

// Errors of payment.
var (
	ErrFreePlan         = errors.New("the plan charges no fee")
	ErrNoDeadline       = errors.New("the plan has no payment deadline")
	ErrDeadlinePassed   = errors.New("the payment deadline has passed")
	ErrNothingToNotify  = errors.New("no approved registration awaits a payment notice")
	ErrNotPayable       = errors.New("the registration is not awaiting payment")
	ErrPaymentProblems  = errors.New("the payment file has problems")
	errPaidGuardTrigger = "paid registration cannot be deleted"
)

// BatchForfeit is the 批号 kind of a run of 视为放弃 (one per run per plan).
const BatchForfeit = "SWFQ"

// Payment methods.
const (
	PaymentManual = "manual" // confirmed by hand on the 缴费管理 page
	PaymentBank   = "bank"   // from the bank's reconciliation file
)

// Payment is one payment confirmed: which registration, how much, how (and the bank's 交易流水号), when it was
// paid, under which 批号 and by whom it was confirmed.
type Payment struct {
	bun.BaseModel `bun:"table:payments"`

	ID             int64     `bun:"id,pk,autoincrement"`
	RegistrationID int64     `bun:"registration_id,notnull"`
	AmountCents    int       `bun:"amount_cents,notnull"`
	Method         string    `bun:"method,notnull"`
	TradeNo        string    `bun:"trade_no,notnull"`
	PaidOn         time.Time `bun:"paid_on,notnull"`
	BatchNo        string    `bun:"batch_no,notnull"`
	AccountID      *int64    `bun:"account_id"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
}

// Charges says whether the plan has a payment step (收费金额 > 0).
func (p *ExamPlan) Charges() bool { return p.FeeCents > 0 }

// Yuan writes an amount in cents as yuan, e.g. 120.00.
func Yuan(cents int) string {
	return strconv.Itoa(cents/100) + "." + strconv.Itoa(cents%100/10) + strconv.Itoa(cents%10)
}

// PaymentDeadlineText is the plan's 缴费截止 in Beijing time ("" when none).
func (p *ExamPlan) PaymentDeadlineText() string {
	if p.PaymentDeadline == nil {
		return ""
	}
	return p.PaymentDeadline.In(Beijing).Format("2006-01-02 15:04")
}

// checkPaymentDeadline reads 缴费截止 into p: required when the plan charges, after 报名截止 and before the exam; a
// free plan has none (whatever was typed). It returns the field's message ("" when fine).
func (in PlanInput) checkPaymentDeadline(p *ExamPlan, errs FieldErrors) string {
	p.PaymentDeadline = nil
	if errs["fee"] != "" || p.FeeCents == 0 {
		return ""
	}
	if strings.TrimSpace(in.PaymentDeadline) == "" {
		return "收费金额大于0时请填写缴费截止时间"
	}
	t, err := ParseLocalTime(in.PaymentDeadline)
	if err != nil {
		return "请填写日期和时间，如 2026-12-01 09:00"
	}
	t = t.UTC()
	p.PaymentDeadline = &t
	switch {
	case errs["registration_ends"] == "" && !p.RegistrationEndsAt.IsZero() && !t.After(p.RegistrationEndsAt):
		return "缴费截止时间应晚于报名截止时间"
	case errs["exam_at"] == "" && !p.ExamAt.IsZero() && !t.Before(p.ExamAt):
		return "缴费截止时间应早于考试时间"
	}
	return ""
}

// PaymentDue says whether the registration awaits payment: 审核通过 in a charged plan and sent its 缴费通知 (the
// plan must be loaded with it).
func (r *Registration) PaymentDue() bool {
	return r.Status == RegApproved && r.PaymentNoticedAt != nil && r.Plan != nil && r.Plan.Charges()
}

// StatusText is the registration's status as applicants read it in lists and on its page: 待缴费 with the amount
// and 缴费截止 once the 缴费通知 was sent, else the status's name.
func (r *Registration) StatusText() string {
	if r.PaymentDue() {
		return "待缴费（" + Yuan(r.Plan.FeeCents) + "元，缴费截止 " + r.Plan.PaymentDeadlineText() + "）"
	}
	return r.Status.Label()
}

// registrationPath is the page of a registration, the link of its notices.
func registrationPath(id int64) string { return "/registrations/" + strconv.FormatInt(id, 10) }

// chargedPlan loads a plan that has a payment step (ErrFreePlan otherwise) for the registry.
func chargedPlan(ctx context.Context, db bun.IDB, actor Actor, planID int64) (*ExamPlan, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	p, err := GetPlan(ctx, db, planID)
	if err != nil {
		return nil, err
	}
	if !p.Charges() {
		return p, ErrFreePlan
	}
	return p, nil
}

// PaymentStage is where a registration of a charged plan is in its payment.
type PaymentStage string

const (
	StageToNotify  PaymentStage = "notify"    // 待通知: 审核通过, no 缴费通知 yet
	StageDue       PaymentStage = "due"       // 待缴费: notified, not paid
	StagePaid      PaymentStage = "paid"      // 已缴费 (and any later status: paid_at stays)
	StageForfeited PaymentStage = "forfeited" // 视为放弃
)

// PaymentStages lists the stages with their labels, in order.
var PaymentStages = []struct {
	Stage PaymentStage
	Label string
}{{StageToNotify, "待通知"}, {StageDue, "待缴费"}, {StagePaid, "已缴费"}, {StageForfeited, "视为放弃"}}

// Label is the stage's Chinese name.
func (s PaymentStage) Label() string {
	for _, x := range PaymentStages {
		if x.Stage == s {
			return x.Label
		}
	}
	return ""
}

// Stage is the registration's payment stage ("" when it is in none: under review, returned …).
func (r *Registration) Stage() PaymentStage {
	switch {
	case r.PaidAt != nil:
		return StagePaid
	case r.Status == RegForfeited:
		return StageForfeited
	case r.Status == RegApproved && r.PaymentNoticedAt != nil:
		return StageDue
	case r.Status == RegApproved:
		return StageToNotify
	}
	return ""
}

// whereStage narrows a query on registrations (alias reg) to a stage; "" is every stage.
func whereStage(q *bun.SelectQuery, s PaymentStage) *bun.SelectQuery {
	switch s {
	case StageToNotify:
		return q.Where("reg.status = ? AND reg.payment_noticed_at IS NULL", RegApproved)
	case StageDue:
		return q.Where("reg.status = ? AND reg.payment_noticed_at IS NOT NULL", RegApproved)
	case StagePaid:
		return q.Where("reg.paid_at IS NOT NULL")
	case StageForfeited:
		return q.Where("reg.status = ?", RegForfeited)
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("reg.status IN (?)", bun.In([]RegStatus{RegApproved, RegForfeited})).WhereOr("reg.paid_at IS NOT NULL")
	})
}

// PaymentCounts are a plan's registrations by payment stage.
type PaymentCounts map[PaymentStage]int

// CountPayments counts a charged plan's registrations by payment stage (缴费管理's counts), for the registry.
func CountPayments(ctx context.Context, db bun.IDB, actor Actor, planID int64) (PaymentCounts, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var rows []struct {
		Notified bool      `bun:"notified"`
		Paid     bool      `bun:"paid"`
		Status   RegStatus `bun:"status"`
		N        int       `bun:"n"`
	}
	err := db.NewSelect().TableExpr("registrations AS reg").
		ColumnExpr("reg.payment_noticed_at IS NOT NULL AS notified, reg.paid_at IS NOT NULL AS paid, reg.status, COUNT(*) AS n").
		Where("reg.plan_id = ?", planID).GroupExpr("1, 2, 3").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := PaymentCounts{}
	for _, r := range rows {
		reg := Registration{Status: r.Status}
		if r.Paid {
			reg.PaidAt = &time.Time{}
		}
		if r.Notified {
			reg.PaymentNoticedAt = &time.Time{}
		}
		if s := reg.Stage(); s != "" {
			out[s] += r.N
		}
	}
	return out, nil
}

// PaymentFilter narrows ListPayments: a stage ("" all), a name or a full ID number.
type PaymentFilter struct {
	PlanID        int64
	Stage         PaymentStage
	Query         string
	Offset, Limit int
}

// PaymentRow is one registration on the 缴费管理 list, with its payment when there is one.
type PaymentRow struct {
	Registration
	Payment *Payment
}

// ListPayments returns a page of a plan's registrations in its payment stages (oldest first) and how many match,
// for the registry, with their payments.
func ListPayments(ctx context.Context, db bun.IDB, actor Actor, f PaymentFilter) ([]PaymentRow, int, error) {
	if !actor.Is(RoleAdmin) {
		return nil, 0, ErrNotAllowed
	}
	var regs []Registration
	q := db.NewSelect().Model(&regs).Relation("Plan").Relation("Person").Where("reg.plan_id = ?", f.PlanID).OrderExpr("reg.id")
	q = whereStage(q, f.Stage)
	if s := strings.TrimSpace(f.Query); s != "" {
		q = q.Where("person.name LIKE ? ESCAPE '\\' OR person.id_number = ?", "%"+escapeLike(s)+"%", strings.ToUpper(s))
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	n, err := q.Offset(int64(f.Offset)).Limit(int64(f.Limit)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make([]PaymentRow, len(regs))
	ids := make([]int64, len(regs))
	for i := range regs {
		out[i].Registration, ids[i] = regs[i], regs[i].ID
	}
	if len(ids) > 0 {
		var pays []Payment
		if err := db.NewSelect().Model(&pays).Where("registration_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
			return nil, 0, err
		}
		byReg := map[int64]*Payment{}
		for i := range pays {
			byReg[pays[i].RegistrationID] = &pays[i]
		}
		for i := range out {
			out[i].Payment = byReg[out[i].ID]
		}
	}
	return out, int(n), nil
}

// PaymentForRegistration loads a registration of the plan for the 缴费管理 page (ErrNotFound when it is not one of
// the plan's), with plan and person.
func PaymentForRegistration(ctx context.Context, db bun.IDB, actor Actor, planID, regID int64) (*PaymentRow, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	row := &PaymentRow{}
	err := db.NewSelect().Model(&row.Registration).Relation("Plan").Relation("Person").
		Where("reg.id = ? AND reg.plan_id = ?", regID, planID).Scan(ctx)
	if err != nil {
		return nil, notFound(err)
	}
	p := new(Payment)
	err = db.NewSelect().Model(p).Where("registration_id = ?", regID).Scan(ctx)
	switch {
	case err == nil:
		row.Payment = p
	case !errors.Is(notFound(err), ErrNotFound):
		return nil, err
	}
	return row, nil
}

// NoticeResult is what a batch of 缴费通知 did.
type NoticeResult struct {
	Sent    int
	BatchNo string
}

// SendPaymentNotices is 发送缴费通知: every 审核通过 registration of a charged plan that has not been sent one gets
// its 缴费通知 (amount, 缴费截止) under one 批号 JFTZ, recorded on the registration, with 消息 (and email/SMS) to
// everyone concerned and one audit row, in one transaction. Sending again reaches only those approved since.
func SendPaymentNotices(ctx context.Context, db bun.IDB, actor Actor, planID int64) (NoticeResult, error) {
	var res NoticeResult
	plan, err := chargedPlan(ctx, db, actor, planID)
	if err != nil {
		return res, err
	}
	now := Now()
	switch {
	case plan.PaymentDeadline == nil:
		return res, ErrNoDeadline
	case !now.Before(*plan.PaymentDeadline):
		return res, ErrDeadlinePassed
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res = NoticeResult{}
		var ids []int64
		if err := tx.NewSelect().Model((*Registration)(nil)).Column("id").
			Where("plan_id = ? AND status = ? AND payment_noticed_at IS NULL", plan.ID, RegApproved).OrderExpr("id").Scan(ctx, &ids); err != nil {
			return err
		}
		if len(ids) == 0 {
			return ErrNothingToNotify
		}
		no, err := NewBatchNumber(ctx, tx, actor, BatchPayNote)
		if err != nil {
			return err
		}
		var sent []int64
		for i := 0; i < len(ids); i += batchChunk {
			var got []int64
			if _, err := tx.NewUpdate().Model((*Registration)(nil)).Set("payment_notice_no = ?", no).Set("payment_noticed_at = ?", now).
				Set("updated_at = ?", now).Set("version = version + 1").
				Where("id IN (?) AND status = ? AND payment_noticed_at IS NULL", bun.List(ids[i:min(i+batchChunk, len(ids))]), RegApproved).
				Returning("id").Exec(ctx, &got); err != nil {
				return err
			}
			sent = append(sent, got...)
		}
		if len(sent) == 0 {
			return ErrNothingToNotify
		}
		n := Notice{Kind: NoticePaymentNotice, Title: "缴费通知：" + plan.Name,
			Body: "报名审核通过。请于 " + plan.PaymentDeadlineText() + " 前缴纳考试费 " + Yuan(plan.FeeCents) + " 元，逾期未缴费视为放弃。"}
		if err := NotifyRegistrations(ctx, tx, sent, func(id int64) Notice { x := n; x.Link = registrationPath(id); return x }); err != nil {
			return err
		}
		res = NoticeResult{Sent: len(sent), BatchNo: no}
		return actor.Audit(ctx, tx, EventPaymentNoticed, "batch:"+no, "ok", plan.Name+"，"+strconv.Itoa(len(sent))+" 条")
	})
	return res, err
}

// PaidResult is what a 确认缴费 did: how many registrations, under which 批号.
type PaidResult struct {
	Rows    int
	BatchNo string
}

// ConfirmPayment is 确认缴费 of one registration by hand: a 审核通过 registration of a charged plan becomes 已缴费
// (paid_at now) with a payments row of the plan's fee, under its own 批号 JFQR, with its notice and audit row.
// version, when given, guards against confirming a registration changed since the page showed it.
func ConfirmPayment(ctx context.Context, db bun.IDB, actor Actor, planID, regID int64, version int) (PaidResult, error) {
	var res PaidResult
	plan, err := chargedPlan(ctx, db, actor, planID)
	if err != nil {
		return res, err
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var r Registration
		if err := tx.NewSelect().Model(&r).Column("id", "status", "paid_at").Where("id = ? AND plan_id = ?", regID, plan.ID).Scan(ctx); err != nil {
			return notFound(err)
		}
		if r.Status != RegApproved || r.PaidAt != nil {
			return ErrNotPayable
		}
		now := Now()
		res = PaidResult{}
		return confirmPaid(ctx, tx, actor, plan, []Payment{{RegistrationID: regID, AmountCents: plan.FeeCents, Method: PaymentManual,
			PaidOn: now}}, version, &res)
	})
	return res, err
}

// confirmPaid moves the registrations of pays from 审核通过 to 已缴费 under one new 批号 JFQR and stores pays: all of
// them or (ErrConflict, when one was changed meanwhile or a 交易流水号 was taken meanwhile) none.
func confirmPaid(ctx context.Context, tx bun.Tx, actor Actor, plan *ExamPlan, pays []Payment, version int, res *PaidResult) error {
	no, err := NewBatchNumber(ctx, tx, actor, BatchPayCheck)
	if err != nil {
		return err
	}
	now := Now()
	ids := make([]int64, len(pays))
	for i := range pays {
		ids[i] = pays[i].RegistrationID
		pays[i].BatchNo, pays[i].AccountID, pays[i].CreatedAt = no, actor.AccountID(), now
	}
	moved, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: ids, From: RegApproved, To: RegPaid,
		BatchNo: no, Set: map[string]any{"paid_at": now}, Version: version})
	switch {
	case errors.Is(err, ErrNothingMoved), err == nil && len(moved) != len(ids):
		return ErrConflict
	case err != nil:
		return err
	}
	for i := 0; i < len(pays); i += batchChunk {
		chunk := pays[i:min(i+batchChunk, len(pays))]
		if _, err := tx.NewInsert().Model(&chunk).Returning("NULL").Exec(ctx); err != nil {
			if IsUniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
	}
	n := Notice{Kind: NoticePaid, Title: "缴费已确认：" + plan.Name, Body: "考试费 " + Yuan(plan.FeeCents) + " 元已确认收到。"}
	if err := NotifyRegistrations(ctx, tx, ids, func(id int64) Notice { x := n; x.Link = registrationPath(id); return x }); err != nil {
		return err
	}
	*res = PaidResult{Rows: len(ids), BatchNo: no}
	return nil
}

// ForfeitOverdue is the periodic 视为放弃 (task payment.forfeit): in every charged plan whose 缴费截止 is before now,
// the registrations still 审核通过 (unpaid) become 视为放弃, as the system, one 批号 per plan, with their notices.
// It returns how many it moved; a second run moves nothing.
func ForfeitOverdue(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	actor := SystemActor("payment.forfeit")
	var plans []ExamPlan
	if err := db.NewSelect().Model(&plans).Column("plan.id", "plan.name", "plan.fee_cents", "plan.payment_deadline").
		Where("plan.fee_cents > 0 AND plan.payment_deadline < ?", now.UTC()).
		Where("EXISTS (SELECT 1 FROM registrations r WHERE r.plan_id = plan.id AND r.status = ?)", RegApproved).
		OrderExpr("plan.id").Scan(ctx); err != nil {
		return 0, err
	}
	total := 0
	for i := range plans {
		plan := &plans[i]
		err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			var ids []int64
			if err := tx.NewSelect().Model((*Registration)(nil)).Column("id").Where("plan_id = ? AND status = ? AND paid_at IS NULL", plan.ID, RegApproved).
				OrderExpr("id").Scan(ctx, &ids); err != nil || len(ids) == 0 {
				return err
			}
			no, err := NewBatchNumber(ctx, tx, actor, BatchForfeit)
			if err != nil {
				return err
			}
			moved, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: ids, From: RegApproved, To: RegForfeited,
				BatchNo: no, Reason: "逾期未缴费（缴费截止 " + plan.PaymentDeadlineText() + "）"})
			if errors.Is(err, ErrNothingMoved) {
				return nil
			}
			if err != nil {
				return err
			}
			n := Notice{Kind: NoticeForfeited, Title: "视为放弃：" + plan.Name,
				Body: "缴费截止时间 " + plan.PaymentDeadlineText() + " 前未缴费，报名视为放弃。"}
			if err := NotifyRegistrations(ctx, tx, moved, func(id int64) Notice { x := n; x.Link = registrationPath(id); return x }); err != nil {
				return err
			}
			total += len(moved)
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func init() {
	RegisterPeriodic(PeriodicTask{Name: "payment.forfeit", Label: "逾期未缴费视为放弃", Every: 10 * time.Minute,
		Run: ForfeitOverdue})
}

// paidGuard turns the database's refusal to delete a paid registration (migration 13) into ErrPaidRegistration.
func paidGuard(err error) error {
	if err != nil && strings.Contains(err.Error(), errPaidGuardTrigger) {
		return ErrPaidRegistration
	}
	return err
}

// EachPaid calls fn with each paid registration of a plan (with person and payment), in id order, reading a page of
// 500 at a time so that an export of any size holds one page in memory. For the registry.
func EachPaid(ctx context.Context, db bun.IDB, actor Actor, planID int64, fn func(PaymentRow) error) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	var after int64
	for {
		var regs []Registration
		if err := db.NewSelect().Model(&regs).Relation("Person").Where("reg.plan_id = ? AND reg.paid_at IS NOT NULL AND reg.id > ?", planID, after).
			OrderExpr("reg.id").Limit(500).Scan(ctx); err != nil {
			return err
		}
		if len(regs) == 0 {
			return nil
		}
		ids := make([]int64, len(regs))
		for i := range regs {
			ids[i] = regs[i].ID
		}
		var pays []Payment
		if err := db.NewSelect().Model(&pays).Where("registration_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
			return err
		}
		byReg := make(map[int64]*Payment, len(pays))
		for i := range pays {
			byReg[pays[i].RegistrationID] = &pays[i]
		}
		for i := range regs {
			if err := fn(PaymentRow{Registration: regs[i], Payment: byReg[regs[i].ID]}); err != nil {
				return err
			}
		}
		after = regs[len(regs)-1].ID
	}
}
