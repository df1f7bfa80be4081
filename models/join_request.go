package models

import (
	"context"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
	"examcert/internal/ident"
)

// 人员调入申请 (SECURITY.md 28): becoming someone's employer or training institution never happens by typing
// their name. Adding someone employed elsewhere or with their own account files a request; the person (in their
// own account) or their current employer accepts or declines it, the requester may withdraw it. Until it is
// accepted the requester sees only what the number encodes and the masked name.

// JoinStatus is where a 人员调入申请 stands.
type JoinStatus string

const (
	JoinPending   JoinStatus = "pending"
	JoinAccepted  JoinStatus = "accepted"
	JoinDeclined  JoinStatus = "declined"
	JoinWithdrawn JoinStatus = "withdrawn"
)

// Label is the status in the UI.
func (s JoinStatus) Label() string {
	return map[JoinStatus]string{JoinPending: "待确认", JoinAccepted: "已同意", JoinDeclined: "已拒绝", JoinWithdrawn: "已撤回"}[s]
}

// JoinTransitions is the table of a request's moves. Which request an actor may decide (the person themself, the
// person's current employer) or withdraw (the requester) is checked by the verbs.
var JoinTransitions = Transitions[JoinStatus]{Kind: "join_request", Table: "join_requests", Lines: []Transition[JoinStatus]{
	{From: JoinPending, To: JoinAccepted, Roles: []Role{RolePractitioner, RoleEnterprise}, Action: "同意", Event: EventJoinAccepted},
	{From: JoinPending, To: JoinDeclined, Roles: []Role{RolePractitioner, RoleEnterprise}, Action: "拒绝", Event: EventJoinDeclined},
	{From: JoinPending, To: JoinWithdrawn, Roles: []Role{RoleEnterprise, RoleTraining}, Action: "撤回", Event: EventJoinWithdrawn},
}}

// JoinRequest is one 人员调入申请.
type JoinRequest struct {
	bun.BaseModel `bun:"table:join_requests,alias:jr"`

	ID             int64      `bun:"id,pk,autoincrement"`
	OrganizationID int64      `bun:"organization_id,notnull"` // the requester
	PersonID       int64      `bun:"person_id,notnull"`
	Status         JoinStatus `bun:"status,notnull"`
	RequestedBy    *int64     `bun:"requested_by"`
	DecidedBy      *int64     `bun:"decided_by"`
	DecidedAt      *time.Time `bun:"decided_at"`
	Reason         string     `bun:"reason,notnull"`
	CreatedAt      time.Time  `bun:"created_at,notnull"`
	UpdatedAt      time.Time  `bun:"updated_at,notnull"`
	Version        int        `bun:"version,notnull"`

	// For the lists, read with the request.
	RequesterName string `bun:"requester_name,scanonly"`
	PersonName    string `bun:"person_name,scanonly"`
	PersonIDNo    string `bun:"person_id_number,scanonly"`
}

// ErrJoinRequested is AddPerson's answer when the person may join only with consent: nothing failed, a pending
// 人员调入申请 was filed (with its audit row) instead of adding them.
var ErrJoinRequested = errors.New("a join request was filed")

// MsgJoinPending: this organization has asked for the person already.
const MsgJoinPending = "已向此人发出人员调入申请，正在等待本人或其工作单位确认"

// errNeedsConsent is putOnList's answer for someone who joins only by consent; Msg says why to a form that
// cannot file a request (the 报名表).
type errNeedsConsent struct{ Msg string }

func (e *errNeedsConsent) Error() string { return e.Msg }

// fileJoinRequest files a pending request of org for p, with its audit row, inside tx. A pending one already there
// is a field error.
func fileJoinRequest(ctx context.Context, tx bun.Tx, actor Actor, org *Organization, p *Person) error {
	exists, err := tx.NewSelect().Model((*JoinRequest)(nil)).
		Where("organization_id = ? AND person_id = ? AND status = ?", org.ID, p.ID, JoinPending).Exists(ctx)
	if err != nil {
		return err
	}
	if exists {
		return FieldErrors{"id_number": MsgJoinPending}
	}
	now := Now()
	jr := &JoinRequest{OrganizationID: org.ID, PersonID: p.ID, Status: JoinPending, RequestedBy: actor.AccountID(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := tx.NewInsert().Model(jr).Returning("id").Exec(ctx); err != nil {
		if IsUniqueViolation(err) {
			return FieldErrors{"id_number": MsgJoinPending}
		}
		return err
	}
	return actor.Audit(ctx, tx, EventJoinRequested, personObject(p), "ok", "")
}

// joinRequestQuery selects requests with the requester's name and the person's name and ID number. The requests
// drive the join (CROSS JOIN keeps SQLite from starting at the persons of an enterprise's 100,000 staff): the
// callers narrow them by an index of their own (pending, or the person's, or the requester's).
func joinRequestQuery(db bun.IDB, out *[]JoinRequest) *bun.SelectQuery {
	return db.NewSelect().Model(out).ColumnExpr("jr.*").
		ColumnExpr("o.name AS requester_name, p.name AS person_name, p.id_number AS person_id_number").
		Join("CROSS JOIN persons AS p").Where("p.id = jr.person_id").
		Join("JOIN organizations AS o ON o.id = jr.organization_id").OrderExpr("jr.id DESC")
}

// JoinRequestsSent lists the pending requests of the actor's organization. The person is named only as the
// requester may know them: the masked name and ID number (MaskJoinRequest).
func JoinRequestsSent(ctx context.Context, db bun.IDB, actor Actor) ([]JoinRequest, error) {
	org, err := actorOrganization(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	var out []JoinRequest
	b := database.Bind(db) // every list of people shows them; the status stays written (join_requests_pending is partial)
	err = joinRequestQuery(db, &out).Where("jr.organization_id = ? AND jr.status = ?", b.V(org.ID), JoinPending).Limit(100).
		Conn(b.On(db)).Scan(ctx)
	for i := range out {
		out[i].PersonName, out[i].PersonIDNo = MaskName(out[i].PersonName), ident.MaskIDNumber(out[i].PersonIDNo)
	}
	return out, err
}

// JoinRequestsToDecide lists the pending requests the actor decides: a practitioner's own, an enterprise's for
// its staff (its own requests excluded).
func JoinRequestsToDecide(ctx context.Context, db bun.IDB, actor Actor) ([]JoinRequest, error) {
	var out []JoinRequest
	b := database.Bind(db) // as JoinRequestsSent
	q := joinRequestQuery(db, &out).Where("jr.status = ?", JoinPending).Limit(100).Conn(b.On(db))
	switch {
	case actor.Is(RolePractitioner) && actor.Account.PersonID != nil:
		q = q.Where("jr.person_id = ?", b.V(*actor.Account.PersonID))
	case actor.Is(RoleEnterprise) && actor.OrganizationID() != nil:
		q = q.Where("p.organization_id = ? AND jr.organization_id <> ?", b.V(*actor.OrganizationID()), b.V(*actor.OrganizationID()))
	default:
		return nil, ErrNotAllowed
	}
	err := q.Scan(ctx)
	for i := range out {
		out[i].PersonIDNo = ident.MaskIDNumber(out[i].PersonIDNo)
	}
	return out, err
}

// mayDecide says whether actor decides a request for p: the person themself, or p's current employer (when it is
// not the requester).
func mayDecide(actor Actor, jr *JoinRequest, p *Person) bool {
	switch {
	case actor.Is(RolePractitioner):
		return actor.Account.PersonID != nil && *actor.Account.PersonID == p.ID
	case actor.Is(RoleEnterprise):
		return SameOrg(p.OrganizationID, actor.OrganizationID()) && *actor.OrganizationID() != jr.OrganizationID
	}
	return false
}

// DecideJoinRequest is 同意 / 拒绝 of a pending request by the person or their current employer, with its status
// change and audit row in one transaction. On acceptance an enterprise becomes the person's employer (kept in
// person_changes) and a training institution gets them on its roster. A request the actor does not decide is
// ErrNotFound; one decided or withdrawn meanwhile is ErrNothingMoved.
func DecideJoinRequest(ctx context.Context, db bun.IDB, actor Actor, id int64, accept bool) (*JoinRequest, error) {
	to := JoinDeclined
	if accept {
		to = JoinAccepted
	}
	var jr *JoinRequest
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var p *Person
		var err error
		if jr, p, err = loadJoinRequest(ctx, tx, id); err != nil {
			return err
		}
		if !mayDecide(actor, jr, p) {
			return ErrNotFound
		}
		now := Now()
		if _, err := JoinTransitions.Apply(ctx, tx, actor, Move[JoinStatus]{IDs: []int64{jr.ID}, From: JoinPending, To: to,
			Set: map[string]any{"decided_by": actor.AccountID(), "decided_at": now}}); err != nil {
			return err
		}
		jr.Status = to
		if accept {
			return admit(ctx, tx, actor, jr.OrganizationID, p)
		}
		return nil
	})
	return jr, err
}

// admit puts p among the people of the organization orgID after an accepted request.
func admit(ctx context.Context, tx bun.Tx, actor Actor, orgID int64, p *Person) error {
	org, err := GetOrganization(ctx, tx, orgID)
	if err != nil {
		return err
	}
	if org.Kind == KindTraining {
		_, err := tx.NewInsert().Model(&TrainingPerson{OrganizationID: org.ID, PersonID: p.ID, CreatedAt: Now()}).
			On("CONFLICT DO NOTHING").Exec(ctx)
		return err
	}
	before := *p
	p.OrganizationID, p.EmployerName, p.EmployerCode = &org.ID, "", ""
	res, err := tx.NewUpdate().Model(p).Column("organization_id", "employer_name", "employer_code").
		Set("version = version + 1").Set("updated_at = ?", Now()).Where("id = ? AND version = ?", p.ID, p.Version).Exec(ctx)
	if err := affectedOneOr(res, err, ErrConflict); err != nil {
		return err
	}
	p.Version++
	return recordPersonChanges(ctx, tx, actor, &before, p)
}

// WithdrawJoinRequest is 撤回 of one of the actor's organization's pending requests, with its status change and
// audit row; the request comes back with the person's name masked. Another organization's request is ErrNotFound.
func WithdrawJoinRequest(ctx context.Context, db bun.IDB, actor Actor, id int64) (*JoinRequest, error) {
	org, err := actorOrganization(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	var jr *JoinRequest
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if jr, _, err = loadJoinRequest(ctx, tx, id); err != nil {
			return err
		}
		if jr.OrganizationID != org.ID {
			return ErrNotFound
		}
		jr.PersonName = MaskName(jr.PersonName)
		if _, err = JoinTransitions.Apply(ctx, tx, actor, Move[JoinStatus]{IDs: []int64{jr.ID}, From: JoinPending, To: JoinWithdrawn}); err != nil {
			return err
		}
		jr.Status = JoinWithdrawn
		return nil
	})
	return jr, err
}

func loadJoinRequest(ctx context.Context, db bun.IDB, id int64) (*JoinRequest, *Person, error) {
	var jrs []JoinRequest
	if err := joinRequestQuery(db, &jrs).Where("jr.id = ?", id).Scan(ctx); err != nil {
		return nil, nil, err
	}
	if len(jrs) == 0 {
		return nil, nil, ErrNotFound
	}
	jr := &jrs[0]
	p, err := GetPerson(ctx, db, jr.PersonID)
	jr.PersonIDNo = ident.MaskIDNumber(jr.PersonIDNo)
	return jr, p, err
}
