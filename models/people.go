package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// An organization's people: an enterprise's staff are the persons whose 工作单位 it is (organization_id); a
// training institution's are those on its roster (training_people). Nobody sees another organization's people.

// TrainingPerson is one person on a training institution's roster.
type TrainingPerson struct {
	bun.BaseModel `bun:"table:training_people"`

	OrganizationID int64     `bun:"organization_id,pk"`
	PersonID       int64     `bun:"person_id,pk"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
}

// inPeopleOf narrows a query on persons (alias "person") to org's people.
func inPeopleOf(q *bun.SelectQuery, org *Organization) *bun.SelectQuery {
	if org.Kind == KindTraining {
		return q.Where("EXISTS (SELECT 1 FROM training_people tp WHERE tp.person_id = person.id AND tp.organization_id = ?)", org.ID)
	}
	return q.Where("person.organization_id = ?", org.ID)
}

// PeopleFilter narrows ListPeople: Query is part of a name, or an ID number (whole or its start).
type PeopleFilter struct {
	Query         string
	Offset, Limit int
}

// ListPeople returns a page of org's people, by name, and how many match.
func ListPeople(ctx context.Context, db bun.IDB, org *Organization, f PeopleFilter) ([]Person, int, error) {
	var ps []Person
	q := inPeopleOf(db.NewSelect().Model(&ps), org).OrderExpr("person.name, person.id")
	if s := strings.TrimSpace(f.Query); s != "" {
		n := ident.Normalize(s)
		if isIDPrefix(n) {
			q = q.Where("person.id_number LIKE ?", escapeLike(n)+"%")
		} else {
			q = q.Where("person.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
		}
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	n, err := q.Offset(int64(f.Offset)).Limit(int64(f.Limit)).ScanAndCount(ctx)
	return ps, int(n), err
}

func isIDPrefix(s string) bool {
	if len(s) < 4 {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9') && !(r == 'X' && i == 17) {
			return false
		}
	}
	return true
}

// OrganizationOf returns the organization an enterprise or training account acts for.
func OrganizationOf(ctx context.Context, db bun.IDB, acct *Account) (*Organization, error) {
	if acct.OrganizationID == nil {
		return nil, ErrOutOfScope
	}
	if acct.Organization != nil && acct.Organization.ID == *acct.OrganizationID {
		return acct.Organization, nil // loaded with the session
	}
	return GetOrganization(ctx, db, *acct.OrganizationID)
}

// PersonInScope loads a person the account may see in full: a practitioner themself, an organization its people,
// an admin anyone. Anyone else's record is ErrNotFound, exactly as if it did not exist.
func PersonInScope(ctx context.Context, db bun.IDB, acct *Account, personID int64) (*Person, error) {
	p := new(Person)
	q := db.NewSelect().Model(p).Where("person.id = ?", personID)
	switch acct.Role {
	case RoleAdmin:
	case RolePractitioner:
		if acct.PersonID == nil || *acct.PersonID != personID {
			return nil, ErrNotFound
		}
	case RoleEnterprise, RoleTraining:
		org, err := OrganizationOf(ctx, db, acct)
		if err != nil {
			return nil, ErrNotFound
		}
		q = inPeopleOf(q, org)
	default:
		return nil, ErrNotFound
	}
	return p, notFound(q.Scan(ctx))
}

// IsPersonOf says whether the person is one of org's people.
func IsPersonOf(ctx context.Context, db bun.IDB, org *Organization, personID int64) (bool, error) {
	return inPeopleOf(db.NewSelect().Model((*Person)(nil)).Where("person.id = ?", personID), org).Exists(ctx)
}

// AddPerson puts someone on org's list by ID number: a new person is created; a known one must be named
// correctly (whoever adds a person must know both), and an enterprise cannot take on another enterprise's staff.
func AddPerson(ctx context.Context, db bun.IDB, org *Organization, in PersonInput) (*Person, error) {
	return addPerson(ctx, db, org, in, false)
}

// ErrPersonAddedMeanwhile: someone else created the person between the check and the insert; trying again finds
// them.
var ErrPersonAddedMeanwhile = errors.New("person added by a concurrent request")

// EnsurePerson is AddPerson for a 报名表: someone already on org's list is simply returned. A person created by a
// concurrent request at the same moment is ErrPersonAddedMeanwhile (the transaction is spent; run it again).
func EnsurePerson(ctx context.Context, db bun.IDB, org *Organization, in PersonInput) (*Person, error) {
	p, err := addPerson(ctx, db, org, in, true)
	if errors.Is(err, ErrDuplicate) {
		return nil, ErrPersonAddedMeanwhile
	}
	return p, err
}

func addPerson(ctx context.Context, db bun.IDB, org *Organization, in PersonInput, mineIsFine bool) (*Person, error) {
	in, idn, errs := in.Validate(false)
	if errs != nil {
		return nil, errs
	}
	var p *Person
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		p, err = FindPersonByIDNumber(ctx, tx, idn.Number)
		switch {
		case errors.Is(err, ErrNotFound):
			p = &Person{}
			in.apply(p, idn)
			if org.Kind == KindEnterprise {
				p.OrganizationID = &org.ID
			}
			if err := InsertPerson(ctx, tx, p); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if p.Name != in.Name {
				return FieldErrors{"name": "姓名与系统中该身份证号登记的姓名不一致"}
			}
			mine, err := IsPersonOf(ctx, tx, org, p.ID)
			if err != nil {
				return err
			}
			if mine && mineIsFine {
				return nil
			}
			if mine {
				return FieldErrors{"id_number": "此人已在本单位人员名单中"}
			}
			if org.Kind == KindEnterprise {
				if p.OrganizationID != nil {
					return FieldErrors{"id_number": "此人目前登记在其他单位，需由原单位移出或本人修改工作单位后才能添加"}
				}
				res, err := tx.NewUpdate().Model((*Person)(nil)).Set("organization_id = ?", org.ID).
					Set("version = version + 1").Set("updated_at = ?", Now()).
					Where("id = ? AND organization_id IS NULL", p.ID).Exec(ctx)
				if err := affectedOneOr(res, err, ErrConflict); err != nil {
					return err
				}
				p.OrganizationID = &org.ID
			}
		}
		if org.Kind == KindTraining {
			_, err := tx.NewInsert().Model(&TrainingPerson{OrganizationID: org.ID, PersonID: p.ID, CreatedAt: Now()}).
				On("CONFLICT DO NOTHING").Exec(ctx)
			return err
		}
		return nil
	})
	return p, err
}

// RemovePerson takes someone off org's list; the person stays in the system.
func RemovePerson(ctx context.Context, db bun.IDB, org *Organization, personID int64) error {
	if org.Kind == KindTraining {
		res, err := db.NewDelete().Model((*TrainingPerson)(nil)).Where("organization_id = ? AND person_id = ?", org.ID, personID).Exec(ctx)
		return affectedOne(res, err)
	}
	res, err := db.NewUpdate().Model((*Person)(nil)).Set("organization_id = NULL").Set("version = version + 1").
		Set("updated_at = ?", Now()).Where("id = ? AND organization_id = ?", personID, org.ID).Exec(ctx)
	return affectedOne(res, err)
}

// PersonLookup is what typing an ID number reveals. Outside the caller's own people only the name, gender, birth
// date and stage are given, never phone, address or photo.
type PersonLookup struct {
	ID       ident.IDNumber
	Known    bool
	PersonID int64
	Name     string
	Stage    string // 此人目前处于…: what the system knows of them
}

// LookupPerson checks an ID number and says what the system knows of that person, as far as acct may know it.
func LookupPerson(ctx context.Context, db bun.IDB, acct *Account, idNumber string) (PersonLookup, error) {
	var out PersonLookup
	idn, err := ident.ParseIDNumber(idNumber)
	if err != nil {
		return out, err
	}
	out.ID = idn
	p, err := FindPersonByIDNumber(ctx, db, idn.Number)
	if errors.Is(err, ErrNotFound) {
		out.Stage = "系统中尚无此人信息，可以新增"
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Known, out.PersonID, out.Name = true, p.ID, p.Name
	out.Stage, err = PersonStage(ctx, db, p, acct)
	return out, err
}

// PersonStage says, in words, where a person stands: on whose list, and (as later features add them)
// registrations and certificates.
func PersonStage(ctx context.Context, db bun.IDB, p *Person, acct *Account) (string, error) {
	var parts []string
	switch {
	case acct.OrganizationID != nil && p.OrganizationID != nil && *p.OrganizationID == *acct.OrganizationID:
		parts = append(parts, "本单位人员")
	case p.OrganizationID != nil:
		parts = append(parts, "已登记在其他单位")
	default:
		parts = append(parts, "已在系统中登记，尚无工作单位")
	}
	if acct.Role == RoleTraining && acct.OrganizationID != nil {
		onRoster, err := db.NewSelect().Model((*TrainingPerson)(nil)).
			Where("organization_id = ? AND person_id = ?", *acct.OrganizationID, p.ID).Exists(ctx)
		if err != nil {
			return "", err
		}
		if onRoster {
			parts = append(parts, "已在本机构人员名单中")
		}
	}
	return "此人目前：" + strings.Join(parts, "；"), nil
}
