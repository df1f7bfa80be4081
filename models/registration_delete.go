package models

import (
	"context"
	"errors"
	"strconv"

	"github.com/uptrace/bun"
)

// Errors of registrations.
var (
	ErrPaidRegistration    = errors.New("a paid registration cannot be deleted")
	ErrDecidedRegistration = errors.New("a registration the registry has accepted or approved cannot be deleted")
)

// DeleteRegistration is 【删除】 of one registration: one the actor's organization made (or the practitioner's own),
// never a paid one (ErrPaidRegistration, with the registration, so that the row can say why). The registration and
// its audit row go in one transaction; the caller releases its photo file afterwards (r.PhotoKey).
func DeleteRegistration(ctx context.Context, db bun.IDB, actor Actor, id int64) (*Registration, error) {
	if !actor.Is(RolePractitioner, RoleEnterprise, RoleTraining, RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var r *Registration
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if r, err = RegistrationInScope(ctx, tx, actor.Account, id); err != nil {
			r = nil
			return err
		}
		if !actor.Is(RolePractitioner, RoleAdmin) && !SameOrg(r.OrganizationID, actor.OrganizationID()) {
			r = nil
			return ErrNotFound // an enterprise sees its staff's own registrations but deletes only its own
		}
		if r.Paid() || r.Status == RegPaid {
			return ErrPaidRegistration
		}
		if !r.Status.Deletable() {
			return ErrDecidedRegistration
		}
		res, err := tx.NewDelete().Model((*Registration)(nil)).Where("id = ? AND paid_at IS NULL", r.ID).
			Where("status IN (?)", bun.List(deletableStatuses)).Exec(ctx)
		if err := affectedOneOr(res, paidGuard(err), ErrConflict); err != nil { // the database refuses paid ones too (migration 13)
			return err
		}
		return actor.Audit(ctx, tx, EventRegDeleted, "registration:"+r.Number(), "ok", "")
	})
	return r, err
}

// DeletedAll is what 【删除所有报名信息】 did: how many registrations it deleted, the paid ones it kept (with their
// people, to name them), and the photo files the deleted ones named (to release once committed).
type DeletedAll struct {
	Deleted int
	Kept    []Registration
	Photos  []string
}

// DeleteAllRegistrations is 【删除所有报名信息】: every unpaid registration of a plan that the actor's organization
// made goes, in one transaction with its audit row; the paid ones, and those the registry has accepted or approved,
// are kept.
func DeleteAllRegistrations(ctx context.Context, db bun.IDB, actor Actor, planID int64) (DeletedAll, error) {
	var out DeletedAll
	orgID := actor.OrganizationID()
	if !actor.Is(RoleEnterprise, RoleTraining) || orgID == nil {
		return out, ErrNotAllowed
	}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		out = DeletedAll{}
		if err := tx.NewSelect().Model(&out.Kept).Relation("Person").
			Where("reg.plan_id = ? AND reg.organization_id = ?", planID, *orgID).
			Where("reg.paid_at IS NOT NULL OR reg.status NOT IN (?)", bun.List(deletableStatuses)).Scan(ctx); err != nil {
			return err
		}
		if err := tx.NewSelect().Model((*Registration)(nil)).Column("photo_key").
			Where("plan_id = ? AND organization_id = ? AND paid_at IS NULL AND photo_key <> ''", planID, *orgID).
			Where("status IN (?)", bun.List(deletableStatuses)).Scan(ctx, &out.Photos); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*Registration)(nil)).
			Where("plan_id = ? AND organization_id = ? AND paid_at IS NULL", planID, *orgID).
			Where("status IN (?)", bun.List(deletableStatuses)).Exec(ctx)
		if err != nil {
			return paidGuard(err) // the database refuses to delete a paid one (migration 13)
		}
		n, _ := res.RowsAffected()
		out.Deleted = int(n)
		return actor.Audit(ctx, tx, EventRegDeleted, "plan:"+strconv.FormatInt(planID, 10), "all",
			strconv.Itoa(out.Deleted)+" deleted, "+strconv.Itoa(len(out.Kept))+" kept")
	})
	return out, err
}
