package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// 申请证书续期 (LIFECYCLE §8): an applicant ticks certificates in its scope and applies for all of them under one
// 申请批号 (XQSQ…); the employer confirms, the registry 受理, 审核 and 决定; the decision extends 有效期止 by the
// kind's term, capped by the retirement age, as a new version of the certificate.

// RenewalWindowDays is how long before 有效期止 the renewal window opens; it closes on 有效期止 itself.
const RenewalWindowDays = 90

// Why a certificate may not be renewed, as shown next to it.
const (
	RefuseRenewalWindow  = "不在续期办理期限内（有效期止前90天至有效期止）"
	RefuseRenewalRetired = "有效期止前已达到退休年龄"
	RefuseRenewalLocked  = "证书已锁定"
	RefuseRenewalNoEnd   = "长期有效，无需续期"
)

// ErrNothingToRenew: no certificate was ticked.
var ErrNothingToRenew = errors.New("no certificate to renew")

// RenewalRefused says, for each certificate that may not be renewed, why: a renewal with one refused certificate
// files nothing. Numbers are the certificates' numbers, for a message about those not on the screen.
type RenewalRefused struct {
	ByCert  map[int64]string
	Numbers map[int64]string
}

func (e *RenewalRefused) Error() string {
	return "renewal refused: " + strings.Join(e.SortedRefusals(), "；")
}

// InRenewalWindow says whether the Beijing calendar day of now lies in the window of a certificate valid until
// until: from 90 days before it to the day itself, both included.
func InRenewalWindow(until, now time.Time) bool {
	today, last := civilDate(now), storedDate(until)
	return !today.Before(last.AddDate(0, 0, -RenewalWindowDays)) && !today.After(last)
}

// storedDate is a stored calendar date (a UTC midnight) as read back, whatever zone the driver put it in.
func storedDate(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

// RenewalRefusal is why c may not be renewed at now ("" when it may), given the application still open on it
// (nil: none).
func RenewalRefusal(c *Certificate, open *CertApplication, now time.Time) string {
	switch {
	case c.ValidUntil == nil:
		return RefuseRenewalNoEnd
	case c.Status != CertValid:
		return "证书状态为" + c.Status.Label() + "，不能续期"
	case c.IsLocked(now):
		return RefuseRenewalLocked
	case open != nil && open.Kind == AppRenewal:
		return "已有续期申请正在办理（申请批号 " + open.BatchNo + "）"
	case open != nil:
		return open.Kind.Label() + "申请正在办理，不能续期"
	case !InRenewalWindow(*c.ValidUntil, now):
		return RefuseRenewalWindow
	}
	if _, err := RenewedUntil(c); err != nil {
		return RefuseRenewalRetired
	}
	return ""
}

// RenewedUntil is the 有效期止 a renewal of c gives: the old one plus the kind's term (安管 3 years, 特种作业 2),
// capped by the retirement age. A cap on or before the old 有效期止 is ErrOverAge: nothing is left to renew.
func RenewedUntil(c *Certificate) (time.Time, error) {
	years := c.Kind.ValidYears()
	if c.ValidUntil == nil || years == 0 {
		return time.Time{}, ErrNoCertKind
	}
	old := storedDate(*c.ValidUntil)
	end := old.AddDate(years, 0, 0)
	if c.BirthDate != nil {
		if cap, ok := RetirementCap(c.Kind, c.Code, c.Gender, storedDate(*c.BirthDate)); ok {
			if !cap.After(old) {
				return time.Time{}, ErrOverAge
			}
			end = minTime(end, cap)
		}
	}
	return end, nil
}

// RenewalCandidate is a certificate on the renewal screen, with why it may not be renewed ("" when it may).
type RenewalCandidate struct {
	Certificate
	Refusal string
}

// RenewalCandidates lists one page of the certificates in the actor's scope that match f (number, name), those
// still valid and soonest to end first, each with its refusal; and how many match in all.
func RenewalCandidates(ctx context.Context, db bun.IDB, actor Actor, f CertFilter) ([]RenewalCandidate, int, error) {
	var certs []Certificate
	now := Now()
	q := scopeCertificates(db.NewSelect().Model(&certs).Join("JOIN persons AS p ON p.id = cert.person_id"), actor.Account)
	if s := strings.TrimSpace(f.Number); s != "" {
		q = q.Where("cert.number LIKE ? ESCAPE '\\'", "%"+escapeLike(normalizeCertNumber(s))+"%")
	}
	if s := strings.TrimSpace(f.Name); s != "" {
		q = q.Where("cert.name LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	n, err := q.OrderExpr("CASE WHEN cert.valid_until IS NULL THEN 2 WHEN cert.valid_until < ? THEN 1 ELSE 0 END, "+
		"cert.valid_until, cert.id", civilDate(now)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(certs))
	for i := range certs {
		ids[i] = certs[i].ID
	}
	open, err := OpenApplications(ctx, db, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]RenewalCandidate, len(certs))
	for i := range certs {
		out[i] = RenewalCandidate{Certificate: certs[i], Refusal: RenewalRefusal(&certs[i], openOf(open, certs[i].ID), now)}
	}
	return out, int(n), nil
}

func openOf(open map[int64]CertApplication, certID int64) *CertApplication {
	if a, ok := open[certID]; ok {
		return &a
	}
	return nil
}

// ApplyRenewal is 【申请】 on the renewal screen: one renewal application per certificate ticked, all under one
// 申请批号 (XQSQ…), each waiting for the certificate's employer (its 单位, else the person's current one) unless the
// employer filed it or there is none. Every certificate must be in the actor's scope (else ErrNotFound) and may be
// renewed now; one that may not (*RenewalRefused, with every reason) leaves everything unfiled.
func ApplyRenewal(ctx context.Context, db bun.IDB, actor Actor, certIDs []int64) (string, error) {
	if !actor.Is(applicants...) || actor.AccountID() == nil {
		return "", ErrNotAllowed
	}
	ids := make([]int64, 0, len(certIDs))
	for id := range uniqueIDs(certIDs) {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return "", ErrNothingToRenew
	}
	slices.Sort(ids)
	var batch string
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		certs, err := renewalCertificates(ctx, tx, actor, ids)
		if err != nil {
			return err
		}
		if err := checkRenewal(ctx, tx, certs, 0); err != nil {
			return err
		}
		apps := make([]CertApplication, len(certs))
		for i := range certs {
			if apps[i], err = renewalApplication(ctx, tx, &certs[i]); err != nil {
				return err
			}
		}
		batch, err = FileApplications(ctx, tx, actor, apps)
		return err
	})
	return batch, err
}

// renewalCertificates reads (and on PostgreSQL locks) the certificates of ids in the actor's scope; one outside it
// is ErrNotFound.
func renewalCertificates(ctx context.Context, tx bun.IDB, actor Actor, ids []int64) ([]Certificate, error) {
	var certs []Certificate
	q := tx.NewSelect().Model(&certs).Join("JOIN persons AS p ON p.id = cert.person_id").
		Where("cert.id IN (?)", bun.List(ids)).Order("cert.id")
	if isPostgres(tx) {
		q = q.For("UPDATE OF cert") // two renewals of one certificate at once: the second waits, then sees the first
	}
	if err := scopeCertificates(q, actor.Account).Scan(ctx); err != nil {
		return nil, err
	}
	if len(certs) != len(uniqueIDs(ids)) {
		return nil, ErrNotFound
	}
	return certs, nil
}

// checkRenewal refuses the whole lot when any certificate may not be renewed now; except is an application that
// does not count as open (the one being resubmitted).
func checkRenewal(ctx context.Context, tx bun.IDB, certs []Certificate, except int64) error {
	ids := make([]int64, len(certs))
	for i := range certs {
		ids[i] = certs[i].ID
	}
	byCert, err := OpenApplications(ctx, tx, ids)
	if err != nil {
		return err
	}
	for id, a := range byCert {
		if a.ID == except {
			delete(byCert, id)
		}
	}
	refused := &RenewalRefused{ByCert: map[int64]string{}, Numbers: map[int64]string{}}
	now := Now()
	for i := range certs {
		if why := RenewalRefusal(&certs[i], openOf(byCert, certs[i].ID), now); why != "" {
			refused.ByCert[certs[i].ID], refused.Numbers[certs[i].ID] = why, certs[i].Number
		}
	}
	if len(refused.ByCert) > 0 {
		return refused
	}
	return nil
}

// renewalApplication is the application to renew c: who and which certificate, and the employer who confirms it.
func renewalApplication(ctx context.Context, tx bun.IDB, c *Certificate) (CertApplication, error) {
	personID, certID := c.PersonID, c.ID
	a := CertApplication{Kind: AppRenewal, PersonID: &personID, CertificateID: &certID, Name: c.Name, Gender: c.Gender,
		BirthDate: c.BirthDate, IDNumber: c.IDNumber, EmployerName: c.EmployerName, EmployerCode: c.EmployerCode,
		OrganizationID: c.OrganizationID, Duty: c.Duty, Title: c.Title}
	if a.OrganizationID == nil {
		var org *int64
		if err := tx.NewSelect().Table("persons").Column("organization_id").Where("id = ?", c.PersonID).Scan(ctx, &org); err != nil {
			return a, err
		}
		a.OrganizationID = org
	}
	return a, nil
}

// ResubmitRenewal is 【重新提交】 of a renewal returned for changes (退回修改), by whoever filed it: the rules are
// checked again (the window may have closed, the certificate been locked …), the employer looked up again, and the
// application submitted under a new 申请批号. Another's application, or one of another kind, is ErrNotFound.
func ResubmitRenewal(ctx context.Context, db bun.IDB, actor Actor, id int64) (string, error) {
	var batch string
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		app, err := ApplicationFor(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if app.Kind != AppRenewal || app.CertificateID == nil || !MayEditApplication(actor, app) {
			return ErrNotFound
		}
		if app.Status != AppReturned {
			return fmt.Errorf("%w: %s", ErrNoTransition, app.StatusLabel())
		}
		certs, err := renewalCertificates(ctx, tx, actor, []int64{*app.CertificateID})
		if err != nil {
			return err
		}
		if err := checkRenewal(ctx, tx, certs, app.ID); err != nil {
			return err
		}
		fresh, err := renewalApplication(ctx, tx, &certs[0])
		if err != nil {
			return err
		}
		app.OrganizationID, app.EmployerName, app.EmployerCode = fresh.OrganizationID, fresh.EmployerName, fresh.EmployerCode
		batch, err = ResubmitApplication(ctx, tx, actor, app, map[string]any{"organization_id": app.OrganizationID,
			"employer_name": app.EmployerName, "employer_code": app.EmployerCode})
		return err
	})
	return batch, err
}

// renewCertificate is a renewal's effect (决定通过): the certificate, still valid and unlocked, gets 有效期止 + 3 or 2
// years capped by the retirement age, 有效期起 and 发证日期 the decision's day, and a new version (a new 电子证照标识
// version and verification token); its old version goes to the history as 延续, keeping its token so an old printout's
// QR says 已换发.
func renewCertificate(ctx context.Context, tx bun.IDB, actor Actor, app *CertApplication, batch string, now time.Time) error {
	if app.CertificateID == nil {
		return ErrNotFound
	}
	c, err := certificateForUpdate(ctx, tx, *app.CertificateID, 0)
	if err != nil {
		return err
	}
	switch {
	case c.Status != CertValid:
		return fmt.Errorf("%w：证书 %s 状态为%s，不能续期", ErrCertNotValid, c.Number, c.Status.Label())
	case c.IsLocked(now):
		return fmt.Errorf("%w：证书 %s 已锁定，不能续期", ErrCertificateLocked, c.Number)
	}
	until, err := RenewedUntil(c)
	if err != nil {
		return fmt.Errorf("%w：证书 %s 有效期止前已达到退休年龄", err, c.Number)
	}
	today := civilDate(now)
	set := map[string]any{"valid_until": until, "valid_from": today, "issued_on": today, "business": BusinessRenewal}
	return newCertificateVersion(ctx, tx, actor, c, OpRenew, "续期申请 "+app.BatchNo, batch, set, now)
}

// SortedRefusals lists a refusal's certificates by number, for a message.
func (e *RenewalRefused) SortedRefusals() []string {
	out := make([]string, 0, len(e.ByCert))
	for id, why := range e.ByCert {
		out = append(out, e.Numbers[id]+"："+why)
	}
	sort.Strings(out)
	return out
}

func init() { applicationEffects[AppRenewal] = renewCertificate }
