package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Errors of certificate issue.
var (
	ErrNoCertKind       = errors.New("this 岗位 issues no certificate")
	ErrIssueDateMissing = errors.New("发证日期 is required")
	ErrNothingToIssue   = errors.New("no passed registration without a certificate")
)

// IssueInput is what the admin gives to issue certificates: the plan, which of its passed registrations (none:
// all of them that have no certificate yet) and the 发证日期 (which is the 有效期起).
type IssueInput struct {
	PlanID          int64
	RegistrationIDs []int64
	IssuedOn        time.Time
}

// IssueResult is what an issue did: its 批号, the certificates made, and the registrations refused, with why.
type IssueResult struct {
	BatchNo string
	Issued  []Certificate
	Refused map[int64]string // registration id → reason (e.g. 已达退休年龄)
}

// passedCandidate is a passed registration with what its certificate copies.
type passedCandidate struct {
	RegID        int64      `bun:"reg_id"`
	PersonID     int64      `bun:"person_id"`
	Channel      Channel    `bun:"channel"`
	RegOrgID     *int64     `bun:"reg_org_id"`
	UnitOrgID    *int64     `bun:"unit_org_id"`
	PersonOrgID  *int64     `bun:"person_org_id"`
	EmployerName string     `bun:"employer_name"`
	EmployerCode string     `bun:"employer_code"`
	RegPhoto     string     `bun:"reg_photo"`
	PersonPhoto  string     `bun:"person_photo"`
	Name         string     `bun:"name"`
	Gender       string     `bun:"gender"`
	BirthDate    *time.Time `bun:"birth_date"`
	IDNumber     string     `bun:"id_number"`
	Title        string     `bun:"title"`
	RegOrgName   string     `bun:"reg_org_name"`
}

// IssueCertificates issues certificates (LIFECYCLE §7) to a plan's registrations that are 成绩已公告 合格 (passed)
// and have none yet, in one batch with one 批号 (ZSFF…). Numbers come from the 岗位's template with a per-year
// counter taken in this transaction; 有效期止 is 发证日期 + 3 or 2 years capped by the retirement age, and a person
// already at that age is refused (the rest are issued).
func IssueCertificates(ctx context.Context, db bun.IDB, actor Actor, in IssueInput) (*IssueResult, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	if in.IssuedOn.IsZero() {
		return nil, ErrIssueDateMissing
	}
	plan := new(ExamPlan)
	if err := db.NewSelect().Model(plan).Relation("Category").Where("plan.id = ?", in.PlanID).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	cat := plan.Category
	if cat == nil || cat.CertKind == "" || cat.NumberTemplate == "" {
		return nil, ErrNoCertKind
	}
	from := civilDate(in.IssuedOn)
	res := &IssueResult{Refused: map[int64]string{}}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		cands, err := passedCandidates(ctx, tx, in)
		if err != nil {
			return err
		}
		if len(cands) == 0 {
			return ErrNothingToIssue
		}
		if res.BatchNo, err = NewBatchNumber(ctx, tx, actor, BatchCertIssue); err != nil {
			return err
		}
		now := Now()
		for _, c := range cands {
			until, err := ValidUntil(cat.CertKind, cat.CertCode, c.Gender, c.BirthDate, from)
			if errors.Is(err, ErrOverAge) {
				res.Refused[c.RegID] = "已达退休年龄，不予发证"
				continue
			}
			cert, err := newCertificate(ctx, tx, actor, cat, c, from, until, res.BatchNo, now)
			if err != nil {
				return err
			}
			res.Issued = append(res.Issued, *cert)
		}
		if len(res.Issued) == 0 {
			return ErrNothingToIssue
		}
		if err := notifyIssued(ctx, tx, res.Issued); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s，发证 %d 张，发证日期 %s", plan.Name, len(res.Issued), from.Format("2006-01-02"))
		if len(res.Refused) > 0 {
			detail += fmt.Sprintf("，超龄不予发证 %d 人", len(res.Refused))
		}
		return actor.Audit(ctx, tx, EventCertIssued, "batch:"+res.BatchNo, "ok", detail)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// passedCandidates reads the plan's passed registrations without a certificate (of those asked for, if any).
func passedCandidates(ctx context.Context, tx bun.IDB, in IssueInput) ([]passedCandidate, error) {
	var out []passedCandidate
	q := tx.NewSelect().TableExpr("registrations AS r").
		ColumnExpr("r.id AS reg_id, r.person_id, r.channel, r.organization_id AS reg_org_id, r.unit_org_id").
		ColumnExpr("p.organization_id AS person_org_id, r.employer_name, r.employer_code").
		ColumnExpr("r.photo_key AS reg_photo, p.photo_key AS person_photo").
		ColumnExpr("p.name, p.gender, p.birth_date, p.id_number, p.title, COALESCE(o.name, '') AS reg_org_name").
		Join("JOIN persons AS p ON p.id = r.person_id").
		Join("LEFT JOIN organizations AS o ON o.id = r.organization_id").
		Where("r.plan_id = ?", in.PlanID).Where("r.status = ?", RegPassed).
		Where("NOT EXISTS (SELECT 1 FROM certificates AS c WHERE c.registration_id = r.id)").
		Order("r.id")
	if len(in.RegistrationIDs) > 0 {
		q = q.Where("r.id IN (?)", bun.List(in.RegistrationIDs))
	}
	return out, q.Scan(ctx, &out)
}

// newCertificate numbers and stores one certificate for a candidate.
func newCertificate(ctx context.Context, tx bun.IDB, actor Actor, cat *ExamCategory, c passedCandidate, from time.Time, until *time.Time,
	batch string, now time.Time) (*Certificate, error) {
	regID := c.RegID
	cert := &Certificate{PersonID: c.PersonID, RegistrationID: &regID, Name: c.Name, Gender: c.Gender,
		BirthDate: c.BirthDate, IDNumber: c.IDNumber, EmployerName: c.EmployerName, EmployerCode: c.EmployerCode,
		OrganizationID: employerOf(c), Title: c.Title, FirstIssuedOn: from, IssuedOn: from, ValidFrom: from,
		ValidUntil: until, Business: BusinessFirst, PhotoKey: c.RegPhoto}
	if cert.PhotoKey == "" {
		cert.PhotoKey = c.PersonPhoto
	}
	if c.Channel == ChannelTraining {
		cert.TrainingOrgID, cert.TrainingOrgName = c.RegOrgID, c.RegOrgName
	}
	return cert, insertCertificate(ctx, tx, actor, cat, cert, "", batch, now)
}

// employerOf is the organization the certificate names as 单位: the enterprise that vouched for the registration,
// else the one that filed it, else the person's employer.
func employerOf(c passedCandidate) *int64 {
	switch {
	case c.UnitOrgID != nil:
		return c.UnitOrgID
	case c.Channel == ChannelEnterprise && c.RegOrgID != nil:
		return c.RegOrgID
	}
	return c.PersonOrgID
}

// notifyIssued tells each certificate holder with an account that the certificate is ready.
func notifyIssued(ctx context.Context, tx bun.IDB, certs []Certificate) error {
	byPerson := make(map[int64]*Certificate, len(certs))
	ids := make([]int64, 0, len(certs))
	for i := range certs {
		byPerson[certs[i].PersonID] = &certs[i]
		ids = append(ids, certs[i].PersonID)
	}
	var accts []Account
	for i := 0; i < len(ids); i += batchChunk {
		var chunk []Account
		if err := tx.NewSelect().Model(&chunk).Column("id", "person_id").Where("role = ?", RolePractitioner).
			Where("person_id IN (?)", bun.List(ids[i:min(i+batchChunk, len(ids))])).Scan(ctx); err != nil {
			return err
		}
		accts = append(accts, chunk...)
	}
	notices := make(map[int64]Notice, len(accts))
	for _, a := range accts {
		c := byPerson[*a.PersonID]
		notices[a.ID] = Notice{Kind: NoticeCertIssued, Title: "证书已发放：" + c.PostName,
			Body: "证书编号 " + c.Number + "，有效期至 " + c.ValidUntilText() + "。", Link: "/certificates/" + fmt.Sprint(c.ID)}
	}
	return Notify(ctx, tx, notices)
}

// Kinds of certificate notice.
const (
	NoticeCertIssued   = "certificate_issued"
	NoticeCertExpiring = "certificate_expiring"
)

// PlanToCertify is a plan with passed registrations still without a certificate.
type PlanToCertify struct {
	ID       int64  `bun:"id"`
	Name     string `bun:"name"`
	Category string `bun:"category"`
	Waiting  int    `bun:"waiting"`
}

// PlansToCertify lists the plans of 岗位 that issue certificates and have passed registrations without one.
func PlansToCertify(ctx context.Context, db bun.IDB) ([]PlanToCertify, error) {
	var out []PlanToCertify
	err := db.NewSelect().TableExpr("exam_plans AS plan").
		ColumnExpr("plan.id, plan.name, cat.name AS category, COUNT(r.id) AS waiting").
		Join("JOIN exam_categories AS cat ON cat.id = plan.category_id AND cat.cert_kind <> ''").
		Join("JOIN registrations AS r ON r.plan_id = plan.id AND r.status = ?", RegPassed).
		Where("NOT EXISTS (SELECT 1 FROM certificates AS c WHERE c.registration_id = r.id)").
		GroupExpr("plan.id, plan.name, cat.name").OrderExpr("plan.id DESC").Limit(200).Scan(ctx, &out)
	return out, err
}

// PassedRegistration is a passed registration waiting for its certificate, as the issue screen lists it.
type PassedRegistration struct {
	ID       int64  `bun:"id"`
	Name     string `bun:"name"`
	IDNumber string `bun:"id_number"`
	Employer string `bun:"employer_name"`
}

// PassedWithoutCertificate lists a plan's passed registrations without a certificate (the admin's issue screen).
func PassedWithoutCertificate(ctx context.Context, db bun.IDB, actor Actor, planID int64) ([]PassedRegistration, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var out []PassedRegistration
	err := db.NewSelect().TableExpr("registrations AS r").ColumnExpr("r.id, p.name, p.id_number, r.employer_name").
		Join("JOIN persons AS p ON p.id = r.person_id").Where("r.plan_id = ? AND r.status = ?", planID, RegPassed).
		Where("NOT EXISTS (SELECT 1 FROM certificates AS c WHERE c.registration_id = r.id)").
		OrderExpr("r.id").Limit(5000).Scan(ctx, &out)
	return out, err
}
