package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
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
	CreatedAt      time.Time  `bun:"created_at,notnull"`
	UpdatedAt      time.Time  `bun:"updated_at,notnull"`
	Version        int        `bun:"version,notnull"`
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
	err := db.NewSelect().Model(p).Where("id_number = ?", idNumber).Scan(ctx)
	return p, notFound(err)
}

// GetPerson loads one person.
func GetPerson(ctx context.Context, db bun.IDB, id int64) (*Person, error) {
	p := new(Person)
	err := db.NewSelect().Model(p).Where("id = ?", id).Scan(ctx)
	return p, notFound(err)
}
