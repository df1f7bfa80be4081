package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Errors of 证书申请.
var (
	ErrOwnApplication  = errors.New("nobody confirms or decides an application they filed")
	ErrOpenApplication = errors.New("the certificate already has an application in progress")
)

// ApplicationEffect is what approving an application of a kind does (决定通过), inside the decision's transaction:
// renew the certificate, change it, or issue a Beijing one. Each kind's file registers its own.
type ApplicationEffect func(ctx context.Context, tx bun.IDB, actor Actor, app *CertApplication, batch string, now time.Time) error

var applicationEffects = map[AppKind]ApplicationEffect{}

// AppAction is one step of the employer's or the registry's over many applications: the ids, the state they go
// to (AppApplied is the employer's 单位确认), a reason (退回修改 and 不予通过 need one), and how to link to one.
type AppAction struct {
	IDs    []int64
	To     AppStatus
	Reason string
	Link   func(id int64) string
}

// AppActionResult is what a step did: its 批号 and the applications moved.
type AppActionResult struct {
	BatchNo  string   // the 批号, or the 批号s joined by 、 when the batch mixed kinds of application
	BatchNos []string // one per kind of application in the batch, in the order of AppKinds
	Moved    []int64
}

// stepBatchKinds is the 批号 kind of each step, per kind of application.
var stepBatchKinds = map[AppKind]map[AppStatus]string{
	AppRenewal: {AppAccepted: BatchRenewalAccept, AppReviewed: BatchRenewalReview, AppDecided: BatchRenewalDecide,
		AppRejected: BatchRenewalDecide},
	AppChange: {AppAccepted: BatchChangeAccept, AppReviewed: BatchChangeReview, AppDecided: BatchChangeDecide,
		AppRejected: BatchChangeDecide},
	AppTransferIn: {AppAccepted: BatchTransferAccept, AppReviewed: BatchTransferReview, AppDecided: BatchTransferNumber,
		AppRejected: BatchTransferRefused},
}

// StepBatchKind is the 批号 kind of the step of an application of kind k to the state to, or "" when there is no
// such step.
func StepBatchKind(k AppKind, to AppStatus) string {
	switch to {
	case AppApplied:
		return BatchAppConfirm
	case AppReturned:
		return BatchAppReturn
	}
	return stepBatchKinds[k][to]
}

// ActOnApplications is a step of the employer (单位确认, 退回修改) or the registry (受理, 审核通过, 决定通过, 退回修改,
// 不予通过) over one or many applications, as one batch with one 批号. Every application must be one the actor may
// see and must have a line of the transition table to the state asked for; none may be the actor's own filing. A
// decision runs each kind's effect (the certificate renewed, changed or issued). All or nothing: one application
// that cannot move leaves the whole batch unmoved, and the error says which.
func ActOnApplications(ctx context.Context, db bun.IDB, actor Actor, in AppAction) (AppActionResult, error) {
	var out AppActionResult
	if StepBatchKind(AppRenewal, in.To) == "" || len(in.IDs) == 0 {
		return out, ErrNoTransition
	}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		apps, err := applicationsForStep(ctx, tx, actor, in.IDs)
		if err != nil {
			return err
		}
		type group struct {
			kind AppKind
			from AppStatus
		}
		byGroup := map[group][]int64{}
		for i := range apps {
			a := &apps[i]
			err := StepAllowed(actor, a, in.To)
			if errors.Is(err, ErrOwnApplication) {
				return fmt.Errorf("%w: 申请 %d", err, a.ID)
			}
			if err == nil {
				_, err = AppTransitions.Check(actor, a.Status, in.To, in.Reason) // the reason a step needs
			}
			if err != nil {
				return fmt.Errorf("%w: 申请 %d（%s）", err, a.ID, a.StatusLabel())
			}
			byGroup[group{a.Kind, a.Status}] = append(byGroup[group{a.Kind, a.Status}], a.ID)
		}
		// One 批号 per kind of application in the batch (the kinds number their steps apart).
		batchOf := map[AppKind]string{}
		for _, k := range AppKinds {
			if !slices.ContainsFunc(apps, func(a CertApplication) bool { return a.Kind == k }) {
				continue
			}
			kind := StepBatchKind(k, in.To)
			if batchOf[k], err = NewBatchNumber(ctx, tx, actor, kind); err != nil {
				return err
			}
			out.BatchNos = append(out.BatchNos, batchOf[k])
		}
		out.BatchNo = strings.Join(out.BatchNos, "、")
		now := Now()
		if in.To == AppDecided {
			for i := range apps {
				effect := applicationEffects[apps[i].Kind]
				if effect == nil {
					return fmt.Errorf("%w: %s", ErrNoTransition, apps[i].Kind.Label())
				}
				if err := effect(ctx, tx, actor, &apps[i], batchOf[apps[i].Kind], now); err != nil {
					return fmt.Errorf("申请 %d：%w", apps[i].ID, err)
				}
			}
		}
		set := map[string]any{}
		switch in.To {
		case AppReturned, AppRejected:
			set["reason"] = in.Reason
		}
		if in.To == AppDecided || in.To == AppRejected {
			set["decided_at"] = now
		}
		for _, k := range AppKinds {
			for _, from := range AppStatuses {
				ids := byGroup[group{k, from}]
				if len(ids) == 0 {
					continue
				}
				moved, err := AppTransitions.Apply(ctx, tx, actor, Move[AppStatus]{IDs: ids, From: from, To: in.To,
					BatchNo: batchOf[k], Reason: in.Reason, Set: set})
				if err != nil {
					return err
				}
				if len(moved) != len(ids) {
					return ErrConflict
				}
				out.Moved = append(out.Moved, moved...)
			}
		}
		slices.Sort(out.Moved)
		return notifyApplications(ctx, tx, apps, in)
	})
	return out, err
}

// StepAllowed says whether actor may take app to the state to now, the reason aside: never on its own filing; a
// line of the transition table for the actor's role; and for an employer only from 待单位确认 and for an
// application waiting for it (the applicants' lines from 填报中 or 退回修改 are the filer's submission, never the
// employer's confirmation). ActOnApplications and the screens that offer the steps both ask it.
func StepAllowed(actor Actor, app *CertApplication, to AppStatus) error {
	if id := actor.AccountID(); id != nil && *id == app.FiledBy {
		return ErrOwnApplication
	}
	line, ok := AppTransitions.Find(app.Status, to)
	switch {
	case !ok:
		return ErrNoTransition
	case !slices.Contains(line.Roles, actor.Role()):
		return ErrNotAllowed
	case actor.Is(RoleAdmin):
		return nil
	case app.Status != AppUnitPending || app.OrganizationID == nil || actor.OrganizationID() == nil ||
		*app.OrganizationID != *actor.OrganizationID():
		return ErrNoTransition
	}
	return nil
}

// applicationsForStep reads the applications of ids the actor may act on: the registry all that were submitted, an
// employer those waiting for it. An id outside that is ErrNotFound (so it reads as absent, not as forbidden).
func applicationsForStep(ctx context.Context, tx bun.IDB, actor Actor, ids []int64) ([]CertApplication, error) {
	var apps []CertApplication
	q := tx.NewSelect().Model(&apps).Where("app.id IN (?)", bun.List(ids)).Order("app.id")
	switch {
	case actor.Is(RoleAdmin):
		q = scopeApplications(q, actor.Account)
	case actor.Is(RoleEnterprise) && actor.OrganizationID() != nil:
		q = q.Where("app.organization_id = ?", *actor.OrganizationID())
	default:
		return nil, ErrNotAllowed
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	if len(apps) != len(uniqueIDs(ids)) {
		return nil, ErrNotFound
	}
	return apps, nil
}

// notifyApplications tells the filer and the person (their own account) what a step did to their application.
func notifyApplications(ctx context.Context, tx bun.IDB, apps []CertApplication, in AppAction) error {
	var title, body string
	switch in.To {
	case AppReturned:
		title, body = "证书申请被退回修改", "被退回修改，原因："+in.Reason+"。请修改后重新提交。"
	case AppRejected:
		title, body = "证书申请不予通过", "不予通过，原因："+in.Reason+"。"
	case AppDecided:
		title, body = "证书申请已决定通过", "已决定通过，证书已更新。"
	default:
		return nil
	}
	own, err := ownAccounts(ctx, tx, apps)
	if err != nil {
		return err
	}
	notices := map[int64]Notice{}
	for i := range apps {
		a := &apps[i]
		link := ""
		if in.Link != nil {
			link = in.Link(a.ID)
		}
		n := Notice{Kind: NoticeApplication, Title: title, Link: link,
			Body: a.Kind.Label() + "申请（申请批号 " + a.BatchNo + "）" + body}
		notices[a.FiledBy] = n // who filed it, and the person's own account
		if a.PersonID != nil {
			for _, id := range own[*a.PersonID] {
				notices[id] = n
			}
		}
	}
	return Notify(ctx, tx, notices)
}

// ownAccounts are the practitioner accounts of the applications' persons, by person id (one query per chunk).
func ownAccounts(ctx context.Context, tx bun.IDB, apps []CertApplication) (map[int64][]int64, error) {
	var persons []int64
	for i := range apps {
		if apps[i].PersonID != nil {
			persons = append(persons, *apps[i].PersonID)
		}
	}
	out := map[int64][]int64{}
	for i := 0; i < len(persons); i += batchChunk {
		var rows []Account
		if err := tx.NewSelect().Model(&rows).Column("id", "person_id").Where("person_id IN (?)", bun.List(persons[i:min(i+batchChunk, len(persons))])).
			Where("role = ?", RolePractitioner).Scan(ctx); err != nil {
			return nil, err
		}
		for _, a := range rows {
			out[*a.PersonID] = append(out[*a.PersonID], a.ID)
		}
	}
	return out, nil
}

// FileApplications writes new applications of one kind filed by actor in one submission, under one 申请批号, and
// submits them: to 待单位确认 where an employer other than the filer must confirm (OrganizationID set and not the
// actor's own organization), to 已申请 otherwise. The employers' accounts are told. Each kind's verb checks its
// rules first and calls this inside its own transaction.
func FileApplications(ctx context.Context, tx bun.IDB, actor Actor, apps []CertApplication) (string, error) {
	if len(apps) == 0 || actor.AccountID() == nil {
		return "", ErrNothingMoved
	}
	batch, err := NewBatchNumber(ctx, tx, actor, apps[0].Kind.ApplyBatchKind())
	if err != nil {
		return "", err
	}
	now := Now()
	for i := range apps {
		a := &apps[i]
		a.Status, a.FiledBy, a.FiledByOrg, a.BatchNo = AppDraft, *actor.AccountID(), actor.OrganizationID(), batch
		a.CreatedAt, a.UpdatedAt, a.SubmittedAt, a.Version = now, now, &now, 1
	}
	if _, err := tx.NewInsert().Model(&apps).Returning("id").Exec(ctx); IsUniqueViolation(err) {
		return "", ErrOpenApplication // filed meanwhile by someone else (the checks ran before the other committed)
	} else if err != nil {
		return "", err
	}
	return batch, submitApplications(ctx, tx, actor, apps, AppDraft, batch)
}

// ResubmitApplication submits again an application returned for changes (退回修改 → 待单位确认 or 已申请) under a
// new 申请批号, after the kind's verb wrote the corrected fields (set) in the same transaction.
func ResubmitApplication(ctx context.Context, tx bun.IDB, actor Actor, app *CertApplication, set map[string]any) (string, error) {
	if app.Status != AppReturned {
		return "", fmt.Errorf("%w: %s", ErrNoTransition, app.StatusLabel())
	}
	batch, err := NewBatchNumber(ctx, tx, actor, app.Kind.ApplyBatchKind())
	if err != nil {
		return "", err
	}
	now := Now()
	q := tx.NewUpdate().Table("cert_applications").Set("batch_no = ?", batch).Set("submitted_at = ?", now)
	for _, col := range sortedKeys(set) {
		q = q.Set("? = ?", bun.Ident(col), set[col])
	}
	if _, err := q.Where("id = ?", app.ID).Exec(ctx); err != nil {
		return "", err
	}
	app.BatchNo = batch
	return batch, submitApplications(ctx, tx, actor, []CertApplication{*app}, AppReturned, batch)
}

// submitApplications moves filed applications from → 待单位确认 or 已申请 and tells the employers who must confirm.
func submitApplications(ctx context.Context, tx bun.IDB, actor Actor, apps []CertApplication, from AppStatus, batch string) error {
	var toUnit, toRegistry []int64
	employers := map[int64]int{}
	for i := range apps {
		a := &apps[i]
		if a.OrganizationID != nil && (actor.OrganizationID() == nil || *a.OrganizationID != *actor.OrganizationID()) {
			toUnit = append(toUnit, a.ID)
			employers[*a.OrganizationID]++
		} else {
			toRegistry = append(toRegistry, a.ID)
		}
	}
	for to, ids := range map[AppStatus][]int64{AppUnitPending: toUnit, AppApplied: toRegistry} {
		if len(ids) == 0 {
			continue
		}
		moved, err := AppTransitions.Apply(ctx, tx, actor, Move[AppStatus]{IDs: ids, From: from, To: to, BatchNo: batch,
			Set: map[string]any{"reason": ""}})
		if err != nil {
			return err
		}
		if len(moved) != len(ids) {
			return ErrConflict
		}
	}
	return notifyEmployers(ctx, tx, apps[0].Kind, employers, batch)
}

func notifyEmployers(ctx context.Context, tx bun.IDB, kind AppKind, employers map[int64]int, batch string) error {
	if len(employers) == 0 {
		return nil
	}
	orgs := make([]int64, 0, len(employers))
	for id := range employers {
		orgs = append(orgs, id)
	}
	var accts []Account
	if err := tx.NewSelect().Model(&accts).Column("id", "organization_id").Where("organization_id IN (?)", bun.List(orgs)).
		Where("role = ? AND disabled = ?", RoleEnterprise, false).Scan(ctx); err != nil {
		return err
	}
	notices := map[int64]Notice{}
	for _, a := range accts {
		notices[a.ID] = Notice{Kind: NoticeUnitToConfirm, Title: kind.Label() + "申请待单位确认",
			Body: kind.Label() + "申请（申请批号 " + batch + "）共 " + strconv.Itoa(employers[*a.OrganizationID]) + " 条，待本单位确认。"}
	}
	return Notify(ctx, tx, notices)
}

// WithdrawApplication is 删除 of an application by whoever filed it (or its filing organization), until the registry
// takes it (已受理): it becomes 已撤回 and frees the certificate for another application. Another's is ErrNotFound.
func WithdrawApplication(ctx context.Context, db bun.IDB, actor Actor, id int64) error {
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		app, err := ApplicationFor(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !MayWithdraw(actor, app) {
			return ErrNotFound
		}
		_, err = AppTransitions.Apply(ctx, tx, actor, Move[AppStatus]{IDs: []int64{id}, From: app.Status, To: AppWithdrawn,
			Version: app.Version})
		if errors.Is(err, ErrNothingMoved) {
			return ErrConflict
		}
		return err
	})
}

// MayWithdraw says whether actor may 删除 (withdraw) app: its filer, while no registry step was taken.
func MayWithdraw(actor Actor, app *CertApplication) bool {
	_, ok := AppTransitions.Find(app.Status, AppWithdrawn)
	return ok && MayEditApplication(actor, app)
}

// MayEditApplication says whether actor filed app or speaks for the one who did (the filing organization).
func MayEditApplication(actor Actor, app *CertApplication) bool {
	if actor.Account == nil || actor.Is(RoleAdmin) {
		return false
	}
	if actor.Account.ID == app.FiledBy {
		return true
	}
	org := actor.OrganizationID()
	return org != nil && app.FiledByOrg != nil && *org == *app.FiledByOrg
}

// OpenApplications are the applications still in progress on each of certIDs (at most one each, by the rules).
func OpenApplications(ctx context.Context, db bun.IDB, certIDs []int64) (map[int64]CertApplication, error) {
	out := map[int64]CertApplication{}
	if len(certIDs) == 0 {
		return out, nil
	}
	var apps []CertApplication
	if err := db.NewSelect().Model(&apps).Where("app.certificate_id IN (?)", bun.List(certIDs)).
		Where("app.status IN (?)", bun.List(OpenAppStatuses)).Order("app.id").Scan(ctx); err != nil {
		return nil, err
	}
	for _, a := range apps {
		out[*a.CertificateID] = a
	}
	return out, nil
}
