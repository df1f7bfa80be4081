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
	until, err := ValidUntil(cat.CertKind, cat.CertCode, p.Gender, p.BirthDate, in.IssuedOn)
	if err != nil {
		return nil, err
	}
	serial, err := NextYearlyCounter(ctx, tx, "certificate:"+cat.NumberTemplate, in.IssuedOn.Year())
	if err != nil {
		return nil, err
	}
	number, err := FormatCertNumber(cat.NumberTemplate, in.IssuedOn.Year(), serial)
	if err != nil {
		return nil, err
	}
	now := Now()
	c := &Certificate{Number: number, PersonID: p.ID, CategoryID: cat.ID, Kind: cat.CertKind, Code: cat.CertCode,
		PostName: cat.Name, Name: p.Name, Gender: p.Gender, BirthDate: p.BirthDate, IDNumber: p.IDNumber,
		EmployerName: in.EmployerName, EmployerCode: in.EmployerCode, OrganizationID: in.EmployerID,
		TrainingOrgID: in.TrainingOrgID, TrainingOrgName: in.TrainingName, Duty: in.Duty, Title: p.Title,
		Authority: IssuingAuthority, FirstIssuedOn: in.IssuedOn, IssuedOn: in.IssuedOn, ValidFrom: in.IssuedOn,
		ValidUntil: until, Status: CertValid, Business: BusinessFirst, PhotoKey: p.PhotoKey,
		VerifyToken: newVerifyToken(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if id := LicenseID(cat.CertKind, number, 1); id != "" {
		c.LicenseID = &id
	}
	if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	h := historyOf(c, SystemActor("existing-certificates"), OpIssue, "存量证书", "", now)
	if _, err := tx.NewInsert().Model(&h).Exec(ctx); err != nil {
		return nil, err
	}
	return c, nil
}
