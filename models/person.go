package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// Person is a 人员: a practitioner, known by their 身份证号.
type Person struct {
	bun.BaseModel `bun:"table:persons"`

	ID             int64      `bun:"id,pk,autoincrement"`
	IDNumber       string     `bun:"id_number,notnull"`
	Name           string     `bun:"name,notnull"`
	Gender         string     `bun:"gender,notnull"`
	BirthDate      *time.Time `bun:"birth_date"`
	Education      string     `bun:"education,notnull"`
	Major          string     `bun:"major,notnull"`
	Title          string     `bun:"title,notnull"`
	Phone          string     `bun:"phone,notnull"`
	Address        string     `bun:"address,notnull"`
	OrganizationID *int64     `bun:"organization_id"`
	WorkStartDate  *time.Time `bun:"work_start_date"`
	PhotoKey       string     `bun:"photo_key,notnull"`
	EmployerName   string     `bun:"employer_name,notnull"` // 工作单位 when not a registered organization
	EmployerCode   string     `bun:"employer_code,notnull"`
	// EmployerMayEdit: the person (who has their own account) allows their employer to keep their record.
	EmployerMayEdit bool      `bun:"employer_may_edit,notnull"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
	UpdatedAt       time.Time `bun:"updated_at,notnull"`
	Version         int       `bun:"version,notnull"`
}

// InsertPerson stores a new person; a second person with the same ID number is ErrDuplicate.
func InsertPerson(ctx context.Context, db bun.IDB, p *Person) error {
	now := Now()
	p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
	_, err := db.NewInsert().Model(p).Returning("id").Exec(ctx)
	if IsUniqueViolation(err) {
		return ErrDuplicate
	}
	return err
}

// FindPersonByIDNumber finds a person by their normalised 18-character ID number.
func FindPersonByIDNumber(ctx context.Context, db bun.IDB, idNumber string) (*Person, error) {
	p := new(Person)
	b := database.Bind(db) // every ID-number lookup
	err := db.NewSelect().Model(p).Where("id_number = ?", b.V(idNumber)).Conn(b.On(db)).Scan(ctx)
	return p, notFound(err)
}

// FindRegistrant finds the person with an ID number together with their registration for a plan (nil when they
// have none), in one narrow query: the 报名表 submit is a hot path, and the whole record costs several times more
// to read than what a registration needs.
func FindRegistrant(ctx context.Context, db bun.IDB, idNumber string, planID int64) (*Person, *Registration, error) {
	var row struct {
		Person    `bun:",extend"`
		RegID     *int64    `bun:"reg_id"`
		RegStatus RegStatus `bun:"reg_status"`
	}
	b := database.Bind(db) // every 报名表 looks its person up
	err := db.NewSelect().Model(&row).
		Column("person.id", "person.id_number", "person.name", "person.gender", "person.birth_date", "person.education",
			"person.organization_id", "person.photo_key", "person.version").
		ColumnExpr("reg.id AS reg_id, reg.status AS reg_status").
		Join("LEFT JOIN registrations AS reg ON reg.person_id = person.id AND reg.plan_id = ?", b.V(planID)).
		Where("person.id_number = ?", b.V(idNumber)).Conn(b.On(db)).Scan(ctx)
	if err != nil {
		return nil, nil, notFound(err)
	}
	var existing *Registration
	if row.RegID != nil {
		existing = &Registration{ID: *row.RegID, PlanID: planID, PersonID: row.ID, Status: row.RegStatus}
	}
	return &row.Person, existing, nil
}

// GetPerson loads one person.
func GetPerson(ctx context.Context, db bun.IDB, id int64) (*Person, error) {
	p := new(Person)
	err := db.NewSelect().Model(p).Where("id = ?", id).Scan(ctx)
	return p, notFound(err)
}
