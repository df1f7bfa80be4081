package models

import (
	"context"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// Who may see and change a person (SECURITY.md 27–28), in one place: every verb and list asks these.
//
//   - A person's data belongs to the person: a practitioner sees and changes their own record.
//   - An organization sees its people (an enterprise its staff, a training institution its roster: PersonInScope).
//   - An enterprise changes the master data of its staff while the person has no account of their own, or has
//     allowed it (employer_may_edit, set in 个人信息维护).
//   - A training institution changes the master data only of someone on its roster who is employed nowhere and has
//     no account of their own; never of someone employed elsewhere or with their own account. It may register
//     anyone for an exam: the registration is its record, and it sees what it filed.
//   - The registry (admin) sees and changes anyone.

// Messages of the scope rules.
const (
	MsgOwnAccount     = "此人已有本人账号，个人信息由本人维护；需经本人同意后才能加入本单位人员名单"
	MsgNotYoursToEdit = "此人的个人信息由本人或其工作单位维护，本单位只能查看"
)

// PersonHasOwnAccount says whether the person signs in with an account of their own.
func PersonHasOwnAccount(ctx context.Context, db bun.IDB, personID int64) (bool, error) {
	return db.NewSelect().Model((*Account)(nil)).Where("person_id = ?", personID).Exists(ctx)
}

// peopleWithOwnAccount is PersonHasOwnAccount for many people at once: the set of those of ids that have one.
func peopleWithOwnAccount(ctx context.Context, db bun.IDB, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for i := 0; i < len(ids); i += batchChunk {
		var found []int64
		b := database.Bind(db) // every list of people asks this of its page
		if err := db.NewSelect().Model((*Account)(nil)).Column("person_id").Conn(b.On(db)).
			Where("person_id IN (?)", database.BindList(b, ids[i:min(i+batchChunk, len(ids))])).Scan(ctx, &found); err != nil {
			return nil, err
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// JoinNeedsConsent says whether p may join org's people only with their (or their employer's) consent
// (needsConsent); the 报名表 of a training institution then registers them without joining them.
func JoinNeedsConsent(ctx context.Context, db bun.IDB, org *Organization, p *Person) (bool, error) {
	own, err := PersonHasOwnAccount(ctx, db, p.ID)
	return err == nil && needsConsent(org, p, own), err
}

// needsConsent says whether org may put p on its people only with the person's (or their employer's) consent:
// p is employed elsewhere, or has their own account.
func needsConsent(org *Organization, p *Person, ownAccount bool) bool {
	return ownAccount || (p.OrganizationID != nil && *p.OrganizationID != org.ID)
}

// mayEdit is the edit rule for someone the actor sees (PersonInScope), given whether they have their own account.
func mayEdit(actor Actor, p *Person, ownAccount bool) bool {
	switch actor.Role() {
	case RoleAdmin:
		return true
	case RolePractitioner:
		return actor.Account.PersonID != nil && *actor.Account.PersonID == p.ID
	case RoleEnterprise:
		return SameOrg(p.OrganizationID, actor.OrganizationID()) && (!ownAccount || p.EmployerMayEdit)
	case RoleTraining:
		return p.OrganizationID == nil && !ownAccount
	}
	return false
}

// CanEditPerson says whether the actor may change p's master data (p as PersonInScope loaded it for the actor).
func CanEditPerson(ctx context.Context, db bun.IDB, actor Actor, p *Person) (bool, error) {
	if actor.Account == nil {
		return false, nil
	}
	own, err := PersonHasOwnAccount(ctx, db, p.ID)
	if err != nil {
		return false, err
	}
	return mayEdit(actor, p, own), nil
}

// EditablePeople is CanEditPerson for a page of a list: the ids of ps the actor may change.
func EditablePeople(ctx context.Context, db bun.IDB, actor Actor, ps []Person) (map[int64]bool, error) {
	ids := make([]int64, len(ps))
	for i := range ps {
		ids[i] = ps[i].ID
	}
	own, err := peopleWithOwnAccount(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for i := range ps {
		out[ps[i].ID] = mayEdit(actor, &ps[i], own[ps[i].ID])
	}
	return out, nil
}

// PersonToEdit loads a person whose master data the actor may change; anyone else (not seen, or seen but not
// theirs to change) is ErrNotFound, as if they did not exist.
func PersonToEdit(ctx context.Context, db bun.IDB, actor Actor, personID int64) (*Person, error) {
	p, err := personOfActor(ctx, db, actor, personID)
	if err != nil {
		return nil, err
	}
	ok, err := CanEditPerson(ctx, db, actor, p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return p, nil
}
