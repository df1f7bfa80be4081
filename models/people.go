package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
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
func inPeopleOf(q *bun.SelectQuery, org *Organization, b *database.Bound) *bun.SelectQuery {
	if org.Kind == KindTraining {
		return q.Where("EXISTS (SELECT 1 FROM training_people tp WHERE tp.person_id = person.id AND tp.organization_id = ?)", b.V(org.ID))
	}
	return q.Where("person.organization_id = ?", b.V(org.ID))
}

// PeopleFilter narrows ListPeople: Query is part of a name, or an ID number (whole or its start).
type PeopleFilter struct {
	Query         string
	Offset, Limit int
}

// ListPeople returns a page of org's people, by name, and how many match (counted up to CountBound past the page).
// Each person has the columns a list shows and its edit rules need (listColumns), not their whole record.
func ListPeople(ctx context.Context, db bun.IDB, org *Organization, f PeopleFilter) ([]Person, Count, error) {
	match := func(q *bun.SelectQuery, b *database.Bound) *bun.SelectQuery {
		q = inPeopleOf(q, org, b)
		if s := strings.TrimSpace(f.Query); s != "" {
			n := ident.Normalize(s)
			if isIDPrefix(n) {
				return q.Where("person.id_number LIKE ?", escapeLike(n)+"%")
			}
			return q.Where("person.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
		}
		return q
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	var ps []Person
	b := database.Bind(db) // the list is bound, its search (LIKE) is written: SQLite uses an index for a written prefix
	err := match(db.NewSelect().Model(&ps).Column(listColumns...).Conn(b.On(db)), b).OrderExpr("person.name, person.id").Offset(int64(f.Offset)).Limit(int64(f.Limit)).Scan(ctx)
	switch {
	case err != nil:
		return nil, Count{}, err
	case len(ps) > 0 && len(ps) < f.Limit: // the last page: the count is known
		return ps, Count{Total: f.Offset + len(ps)}, nil
	}
	b = database.Bind(db)
	n, err := countUpTo(ctx, db, b, match(db.NewSelect().TableExpr("persons AS person").Column("person.id"), b), f.Offset)
	return ps, n, err
}

// listColumns are the columns of a person a list of people reads: what its rows show, and what mayEdit needs.
var listColumns = []string{"person.id", "person.id_number", "person.name", "person.gender", "person.birth_date",
	"person.education", "person.title", "person.phone", "person.organization_id", "person.employer_may_edit",
	"person.version"}

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
	b := database.Bind(db) // every lookup and every person's page
	q := db.NewSelect().Model(p).Where("person.id = ?", b.V(personID)).Conn(b.On(db))
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
		q = inPeopleOf(q, org, b)
	default:
		return nil, ErrNotFound
	}
	return p, notFound(q.Scan(ctx))
}

// IsPersonOf says whether the person is one of org's people.
func IsPersonOf(ctx context.Context, db bun.IDB, org *Organization, personID int64) (bool, error) {
	b := database.Bind(db) // a training institution's every 报名表 asks it
	return inPeopleOf(db.NewSelect().Model((*Person)(nil)).Where("person.id = ?", b.V(personID)), org, b).Conn(b.On(db)).Exists(ctx)
}

// ErrPersonAddedMeanwhile: someone else created the person between the check and the insert; trying again finds
// them.
var ErrPersonAddedMeanwhile = errors.New("person added by a concurrent request")

// EnsurePerson puts someone on org's list for a 报名表, with AddPerson's rules, except that someone already on it is
// simply returned; it writes no audit row of its own (the registration's says what happened). A person created by
// a concurrent request at the same moment is ErrPersonAddedMeanwhile (the transaction is spent; run it again).
func EnsurePerson(ctx context.Context, db bun.IDB, org *Organization, in PersonInput) (*Person, error) {
	in, idn, errs := in.Validate(false)
	if errs != nil {
		return nil, errs
	}
	return EnsureValidPerson(ctx, db, org, in, idn)
}

// EnsureValidPerson is EnsurePerson for input already validated (in and idn as PersonInput.Validate returned them),
// so that a 报名表 parses the ID number once.
func EnsureValidPerson(ctx context.Context, db bun.IDB, org *Organization, in PersonInput, idn ident.IDNumber) (*Person, error) {
	var p *Person
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		p, err = putOnList(ctx, tx, org, in, idn, true)
		var nc *errNeedsConsent
		if errors.As(err, &nc) {
			return FieldErrors{"id_number": nc.Msg} // a 报名表 files no request: the clerk is told to add them first
		}
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		return nil, ErrPersonAddedMeanwhile
	}
	return p, err
}

// CheckKnownName is the rule for someone already in the system (p): whoever adds or registers them by ID number
// must also know their 姓名 as the system has it. It returns MsgNameMismatch when the typed name differs ("" when it
// matches), never the name on record; adding a person, the 报名表 and the batch import all use it.
func CheckKnownName(p *Person, typed string) string {
	if strings.Join(strings.Fields(typed), " ") != p.Name {
		return MsgNameMismatch
	}
	return ""
}

// The messages of the add-person rules.
const (
	MsgNameMismatch      = "姓名与系统中该身份证号登记的姓名不一致"
	MsgAlreadyListed     = "此人已在本单位人员名单中"
	MsgEmployedElsewhere = "此人目前登记在其他单位，需由原单位移出或本人修改工作单位后才能添加"
)

// putOnList puts the person with the validated input in and ID number idn on org's list, in tx: someone unknown
// is created (an enterprise's new person has it as 工作单位); someone known must be named as in the system, must
// not be on the list already (unless mineIsFine), and joins only if employed nowhere and without an account of
// their own (JoinNeedsConsent: anyone else only with their consent, SECURITY.md 28).
func putOnList(ctx context.Context, tx bun.Tx, org *Organization, in PersonInput, idn ident.IDNumber, mineIsFine bool) (*Person, error) {
	p, err := FindPersonByIDNumber(ctx, tx, idn.Number)
	switch {
	case errors.Is(err, ErrNotFound):
		p = &Person{}
		in.apply(p, idn)
		if org.Kind == KindEnterprise {
			p.OrganizationID = &org.ID
		}
		if err := InsertPerson(ctx, tx, p); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if msg := CheckKnownName(p, in.Name); msg != "" {
			return nil, FieldErrors{"name": msg}
		}
		mine, err := IsPersonOf(ctx, tx, org, p.ID)
		switch {
		case err != nil:
			return nil, err
		case mine && mineIsFine:
			return p, nil
		case mine:
			return nil, FieldErrors{"id_number": MsgAlreadyListed}
		}
		switch consent, err := JoinNeedsConsent(ctx, tx, org, p); {
		case err != nil:
			return nil, err
		case consent && p.OrganizationID != nil:
			return p, &errNeedsConsent{Msg: MsgEmployedElsewhere}
		case consent:
			return p, &errNeedsConsent{Msg: MsgOwnAccount}
		}
		if org.Kind == KindEnterprise {
			if err := takeOn(ctx, tx, org, p); err != nil {
				return nil, err
			}
		}
	}
	if org.Kind == KindTraining {
		_, err := tx.NewInsert().Model(&TrainingPerson{OrganizationID: org.ID, PersonID: p.ID, CreatedAt: Now()}).
			On("CONFLICT DO NOTHING").Exec(ctx)
		return p, err
	}
	return p, nil
}

// takeOn makes a known person without an employer the enterprise's staff; one employed elsewhere is refused.
func takeOn(ctx context.Context, tx bun.Tx, org *Organization, p *Person) error {
	if p.OrganizationID != nil {
		return FieldErrors{"id_number": MsgEmployedElsewhere}
	}
	res, err := tx.NewUpdate().Model((*Person)(nil)).Set("organization_id = ?", org.ID).
		Set("version = version + 1").Set("updated_at = ?", Now()).
		Where("id = ? AND organization_id IS NULL", p.ID).Exec(ctx)
	if err := affectedOneOr(res, err, ErrConflict); err != nil {
		return err
	}
	p.OrganizationID = &org.ID
	p.Version++
	return nil
}
