package models

import (
	"context"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// The autofills: what typing an ID number or an organization code into a form may reveal. They change no data.

// PersonLookup is what typing an ID number reveals. Outside the caller's own people (SECURITY.md 27) only what the
// number encodes (gender, birth date), that the person is registered, and a masked name (赵*): never the full
// name, the employer, phone, address or photo.
type PersonLookup struct {
	ID         ident.IDNumber
	Known      bool
	InScope    bool   // one of the caller's own people (or the caller is the registry): Name and the rest are given
	PersonID   int64  // only InScope
	Name       string // only InScope
	MaskedName string // for anyone Known
	Stage      string // 此人目前处于…: what the system knows of them, as far as the caller may learn it
	Education  string // only InScope, as the forms then use the stored values
	Phone      string
}

// MsgRegisteredElsewhere is all a lookup outside the caller's scope says of a known person besides the masked name.
const MsgRegisteredElsewhere = "此人已在系统中登记"

// LookupPerson checks an ID number and says what the system knows of that person, as far as the actor (an
// organization or the registry: a practitioner has no lookup) may learn it. An invalid number is an
// *ident.Error; every lookup of a valid one is audited, with the number masked, known or not (result "known",
// "outside" for someone outside the actor's scope, "unknown").
func LookupPerson(ctx context.Context, db bun.IDB, actor Actor, idNumber string) (PersonLookup, error) {
	var out PersonLookup
	if !actor.Is(RoleEnterprise, RoleTraining, RoleAdmin) {
		return out, ErrNotAllowed
	}
	idn, err := ident.ParseIDNumber(idNumber)
	if err != nil {
		return out, err
	}
	out.ID = idn
	result := "unknown"
	p, err := FindPersonByIDNumber(ctx, db, idn.Number)
	switch {
	case errors.Is(err, ErrNotFound):
		out.Stage = "系统中尚无此人信息，可以新增"
	case err != nil:
		return out, err
	default:
		out.Known, out.MaskedName = true, MaskName(p.Name)
		switch _, err := PersonInScope(ctx, db, actor.Account, p.ID); {
		case err == nil:
			result, out.InScope, out.PersonID, out.Name = "known", true, p.ID, p.Name
			out.Education, out.Phone = p.Education, p.Phone
			if out.Stage, err = PersonStage(ctx, db, p, actor.Account); err != nil {
				return out, err
			}
		case errors.Is(err, ErrNotFound):
			result, out.Stage = "outside", MsgRegisteredElsewhere+"（"+out.MaskedName+"）"
		default:
			return out, err
		}
	}
	return out, actor.Audit(ctx, db, EventPersonLookup, "person:"+ident.MaskIDNumber(idn.Number), result, "")
}

// MaskName keeps the first character of a name and hides the rest behind one asterisk (赵六 → 赵*, 欧阳娜娜 → 欧*),
// so that not even the length is told.
func MaskName(name string) string {
	for _, r := range name {
		return string(r) + "*"
	}
	return ""
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

// OrgLookup is what typing an organization code reveals: the code as stored, and the registered organization's
// name and kind (nil when none is registered with it).
type OrgLookup struct {
	Code string
	Org  *Organization
}

// LookupOrganization checks an organization code (an *ident.Error when it is not valid) and finds the
// organization registered with it. Names and codes of organizations are public; it is not audited.
func LookupOrganization(ctx context.Context, db bun.IDB, code string) (OrgLookup, error) {
	var out OrgLookup
	credit, org, err := ident.ParseOrganizationCode(code)
	if err != nil {
		return out, err
	}
	out.Code = org
	if credit != "" {
		out.Code = credit
	}
	o, err := FindOrganizationByCode(ctx, db, credit, org)
	switch {
	case errors.Is(err, ErrNotFound):
		return out, nil
	case err != nil:
		return out, err
	}
	out.Org = o
	return out, nil
}
