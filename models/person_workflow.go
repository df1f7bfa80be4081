package models

import (
	"context"
	"errors"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// The workflows on people: an organization adds, edits and removes its people (企业人员信息 / 人员信息), a
// practitioner keeps their own record (个人信息维护), and either stores a 一寸照片. Each checks what the actor may
// do and writes its audit row in its own transaction.

// personObject names a person in the audit log, by their masked ID number.
func personObject(p *Person) string { return "person:" + ident.MaskIDNumber(p.IDNumber) }

// actorOrganization is the organization an enterprise or training account acts for; anyone else may not manage
// a list of people.
func actorOrganization(ctx context.Context, db bun.IDB, actor Actor) (*Organization, error) {
	if !actor.Is(RoleEnterprise, RoleTraining) {
		return nil, ErrNotAllowed
	}
	return OrganizationOf(ctx, db, actor.Account)
}

// personOfActor loads a person the actor may see in full (PersonInScope); anyone else's is ErrNotFound.
func personOfActor(ctx context.Context, db bun.IDB, actor Actor, personID int64) (*Person, error) {
	if actor.Account == nil {
		return nil, ErrNotAllowed
	}
	return PersonInScope(ctx, db, actor.Account, personID)
}

// AddPerson is 新增人员: it puts someone on the actor's organization's list by ID number, with its audit row, in
// one transaction. A new person is created; a known one must be named correctly (whoever adds a person must know
// both). Someone employed elsewhere or with their own account is not added: a 人员调入申请 is filed instead, and
// the answer is ErrJoinRequested (putOnList, fileJoinRequest).
func AddPerson(ctx context.Context, db bun.IDB, actor Actor, in PersonInput) (*Person, error) {
	org, err := actorOrganization(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	in, idn, errs := in.Validate(false)
	if errs != nil {
		return nil, errs
	}
	var p *Person
	requested := false
	add := func(ctx context.Context, tx bun.Tx) error {
		var err error
		p, err = putOnList(ctx, tx, org, in, idn, false)
		var nc *errNeedsConsent
		if errors.As(err, &nc) {
			requested = true
			return fileJoinRequest(ctx, tx, actor, org, p)
		}
		if err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPersonAdded, personObject(p), "ok", "")
	}
	// Two adds of the same new person at once: the second finds them when it tries again.
	if err = inTx(ctx, db, add); errors.Is(err, ErrDuplicate) {
		err = inTx(ctx, db, add)
	}
	if err == nil && requested {
		return nil, ErrJoinRequested
	}
	return p, err
}

// UpdatePerson saves the full edit form of one of the actor's people whose record it may change (PersonToEdit; an
// admin: anyone; anyone else is ErrNotFound) if nobody changed them
// since version was read: otherwise ErrConflict, and nothing is written. The ID number, and the 工作单位 the
// person names themself, stay as stored.
func UpdatePerson(ctx context.Context, db bun.IDB, actor Actor, personID int64, in PersonInput, version int) (*Person, error) {
	return editPerson(ctx, db, actor, personID, version, func(stored *Person) PersonInput {
		in.IDNumber, in.EmployerName, in.EmployerCode = stored.IDNumber, stored.EmployerName, stored.EmployerCode
		return in
	})
}

// UpdatePersonRow is UpdatePerson from the inline row of a people list, which edits only 姓名, 学历, 职称 and
// 手机号码: every other field stays as stored.
func UpdatePersonRow(ctx context.Context, db bun.IDB, actor Actor, personID int64, in PersonInput, version int) (*Person, error) {
	return editPerson(ctx, db, actor, personID, version, func(stored *Person) PersonInput {
		row := stored.Input()
		row.Name, row.Education, row.Title, row.Phone = in.Name, in.Education, in.Title, in.Phone
		return row
	})
}

// editPerson checks and saves what edit makes of the stored person, with its audit row.
func editPerson(ctx context.Context, db bun.IDB, actor Actor, personID int64, version int, edit func(*Person) PersonInput) (*Person, error) {
	if !actor.Is(RoleEnterprise, RoleTraining, RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var p *Person
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if p, err = PersonToEdit(ctx, tx, actor, personID); err != nil {
			return err
		}
		before := *p
		in, idn, errs := edit(p).Validate(false)
		if errs != nil {
			return errs
		}
		in.apply(p, idn)
		if err := savePerson(ctx, tx, actor, &before, p, version); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPersonUpdated, personObject(p), "ok", "")
	})
	return p, err
}

// UpdateProfile is 个人信息维护: a practitioner saves their own record (every red-star field required), if it is
// unchanged since version. A 工作单位 given by a registered enterprise's code makes them its staff (the name shown
// is then the enterprise's own); any other code is kept as typed, with the name typed, and leaves no employer on
// record.
func UpdateProfile(ctx context.Context, db bun.IDB, actor Actor, in PersonInput, version int) (*Person, error) {
	if !actor.Is(RolePractitioner) {
		return nil, ErrNotAllowed
	}
	if actor.Account.PersonID == nil {
		return nil, ErrNotFound
	}
	var p *Person
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if p, err = GetPerson(ctx, tx, *actor.Account.PersonID); err != nil {
			return err
		}
		before := *p
		in.IDNumber = p.IDNumber
		in, idn, errs := in.Validate(true)
		if errs != nil {
			return errs
		}
		if p.OrganizationID, err = registeredEnterprise(ctx, tx, in.EmployerCode); err != nil {
			return err
		}
		if p.OrganizationID != nil {
			in.EmployerName = ""
		}
		in.apply(p, idn)
		p.EmployerMayEdit = in.EmployerMayEdit
		if err := savePerson(ctx, tx, actor, &before, p, version); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPersonUpdated, "self", "ok", "")
	})
	return p, err
}

// registeredEnterprise is the id of the enterprise registered with code (normalised), nil when there is none.
func registeredEnterprise(ctx context.Context, db bun.IDB, code string) (*int64, error) {
	if code == "" {
		return nil, nil
	}
	credit, org, err := ident.ParseOrganizationCode(code)
	if err != nil {
		return nil, nil
	}
	o, err := FindOrganizationByCode(ctx, db, credit, org)
	if errors.Is(err, ErrNotFound) || (err == nil && o.Kind != KindEnterprise) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &o.ID, nil
}

// savePerson writes the editable fields of p if nobody changed it since version was read (optimistic locking):
// otherwise ErrConflict, and nothing is written. Each field that differs from before is kept in person_changes.
func savePerson(ctx context.Context, tx bun.Tx, actor Actor, before, p *Person, version int) error {
	p.UpdatedAt = Now()
	res, err := tx.NewUpdate().Model(p).
		Column("name", "education", "major", "title", "phone", "address", "work_start_date", "employer_name",
			"employer_code", "organization_id", "employer_may_edit", "updated_at").
		Set("version = version + 1").
		Where("id = ? AND version = ?", p.ID, version).Exec(ctx)
	if err := affectedOneOr(res, err, ErrConflict); err != nil {
		return err
	}
	p.Version = version + 1
	return recordPersonChanges(ctx, tx, actor, before, p)
}

// RemovePerson is 移出: it takes one of the actor's organization's people off its list, with its audit row. The
// person stays in the system; anyone not on the list is ErrNotFound.
func RemovePerson(ctx context.Context, db bun.IDB, actor Actor, personID int64) (*Person, error) {
	org, err := actorOrganization(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	var p *Person
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if p, err = personOfActor(ctx, tx, actor, personID); err != nil {
			return err
		}
		if err := takeOffList(ctx, tx, actor, org, p); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPersonRemoved, personObject(p), "ok", "")
	})
	return p, err
}

// takeOffList takes p off org's list inside tx: a training institution's roster, or an enterprise's staff (the
// person then has no registered employer, a change of master data kept in their history).
func takeOffList(ctx context.Context, tx bun.Tx, actor Actor, org *Organization, p *Person) error {
	if org.Kind == KindTraining {
		res, err := tx.NewDelete().Model((*TrainingPerson)(nil)).Where("organization_id = ? AND person_id = ?", org.ID, p.ID).Exec(ctx)
		return affectedOne(res, err)
	}
	res, err := tx.NewUpdate().Model((*Person)(nil)).Set("organization_id = NULL").Set("version = version + 1").
		Set("updated_at = ?", Now()).Where("id = ? AND organization_id = ?", p.ID, org.ID).Exec(ctx)
	if err := affectedOne(res, err); err != nil {
		return err
	}
	before := *p
	p.OrganizationID = nil
	p.Version++
	return recordPersonChanges(ctx, tx, actor, &before, p)
}

// SetPersonPhoto records the stored file key as the 一寸照片 of a person whose record the actor may change
// (PersonToEdit: themself, one of its people it may edit), with its audit row, and returns the key of the photo it replaced. The caller releases that file
// after the commit (a registration may still name it), and deletes key itself when this fails.
func SetPersonPhoto(ctx context.Context, db bun.IDB, actor Actor, personID int64, key string) (replaced string, err error) {
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		p, err := PersonToEdit(ctx, tx, actor, personID)
		if err != nil {
			return err
		}
		replaced = p.PhotoKey
		res, err := tx.NewUpdate().Model((*Person)(nil)).Set("photo_key = ?", key).Set("updated_at = ?", Now()).
			Set("version = version + 1").Where("id = ?", p.ID).Exec(ctx)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		change := PersonChange{PersonID: p.ID, Field: "photo", OldValue: "无", NewValue: "已上传", AccountID: actor.AccountID(), ChangedAt: Now()}
		if replaced != "" {
			change.OldValue, change.NewValue = "有", "已更换"
		}
		if err := insertPersonChanges(ctx, tx, []PersonChange{change}); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventPhotoUploaded, personObject(p), "ok", "")
	})
	if err != nil {
		return "", err
	}
	return replaced, nil
}
