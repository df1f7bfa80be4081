package models

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// ExistingCertificate is a certificate issued before this system (存量证书, taken over from the old one): who holds it,
// for which 岗位, employed where, issued when. RecordExistingCertificate numbers and stores it as the registry did.
type ExistingCertificate struct {
	PersonID      int64
	Category      *ExamCategory
	EmployerID    *int64 // the employer, when it is an organization here
	EmployerName  string
	EmployerCode  string
	TrainingOrgID *int64
	TrainingName  string
	IssuedOn      time.Time
	Duty          string
}

// RecordExistingCertificate stores a certificate issued on in.IssuedOn by the registry before this system: its
// number from the 岗位's template and the year of issue, 有效期止 by the kind's validity and the retirement cap,
// a verification token and an 电子证照标识, and a 新发 history row. The person's record gives the name and identity.
func RecordExistingCertificate(ctx context.Context, tx bun.IDB, in ExistingCertificate) (*Certificate, error) {
	p, err := GetPerson(ctx, tx, in.PersonID)
	if err != nil {
		return nil, err
	}
	cat := in.Category
	from := civilDate(in.IssuedOn) // the day of issue in Beijing, stored as dates are
	until, err := ValidUntil(cat.CertKind, cat.CertCode, p.Gender, p.BirthDate, from)
	if err != nil {
		return nil, err
	}
	c := &Certificate{PersonID: p.ID, Name: p.Name, Gender: p.Gender, BirthDate: p.BirthDate, IDNumber: p.IDNumber,
		EmployerName: in.EmployerName, EmployerCode: in.EmployerCode, OrganizationID: in.EmployerID,
		TrainingOrgID: in.TrainingOrgID, TrainingOrgName: in.TrainingName, Duty: in.Duty, Title: p.Title,
		FirstIssuedOn: from, IssuedOn: from, ValidFrom: from, ValidUntil: until,
		Business: BusinessFirst, PhotoKey: p.PhotoKey}
	return c, insertCertificate(ctx, tx, SystemActor("existing-certificates"), cat, c, "存量证书", "", Now())
}
