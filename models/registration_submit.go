package models

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"examcert/internal/database"
	"examcert/internal/ident"
)

// SubmitInput is a 报名表 as submitted: the plan, who is registered (an organization types their ID number, name,
// 学历 and phone; a practitioner registers themself and Person is ignored), the registration's own fields and the
// photo.
type SubmitInput struct {
	Plan         *ExamPlan
	Person       PersonInput
	Registration RegistrationInput
	Photo        FormPhoto
	// StoredSize is the size of a stored file (0 when there is none). A form that brings no photo uses the person's
	// photo on record, which must fit the plan's size range too; the files live outside the database.
	StoredSize func(ctx context.Context, key string) (int, error)
}

// FormPhoto is the photo a 报名表 brought: a stored file (chosen on this form, or kept from an earlier showing of
// it), a file that could not be used (Problem, said beside the field), or nothing.
type FormPhoto struct {
	Key     string
	Size    int
	Kept    bool // Key is a kept upload: its record goes once the registration names the file
	Problem string
}

// SubmitRegistration is 【保存】 on the 报名表: it checks who may register whom, applies every rule, and stores the
// registration with its audit row in one transaction, together with, for an organization, the person joining its
// people (someone new is created). Problems are FieldErrors by form field; a registration of the person that was
// rejected is submitted again (rejected → submitted, with its status history).
func SubmitRegistration(ctx context.Context, db bun.IDB, actor Actor, in SubmitInput) (*Registration, error) {
	s, err := prepareSubmission(ctx, db, actor, in)
	var fe FieldErrors
	if errors.As(err, &fe) && in.Photo.Problem != "" {
		fe["photo"] = in.Photo.Problem
	}
	if err != nil {
		return nil, err
	}
	var reg *Registration
	save := func(ctx context.Context, tx bun.Tx) (err error) {
		reg, err = s.save(ctx, tx, actor)
		return err
	}
	// Two 报名表s for the same new person at once: the second finds them when it tries again.
	err = inTx(ctx, db, save)
	if errors.Is(err, ErrPersonAddedMeanwhile) {
		err = inTx(ctx, db, save)
	}
	switch {
	case errors.Is(err, ErrDuplicate), errors.Is(err, ErrNothingMoved):
		return nil, FieldErrors{"id_number": "此人已报名该考试，不能重复报名"}
	case errors.Is(err, ErrPlanFull):
		return nil, FieldErrors{"plan": "该考试名额已满"}
	}
	return reg, err
}

// submission is a checked 报名表, ready to be stored.
type submission struct {
	rc      RegistrationCheck
	channel Channel
	org     *Organization // nil: a practitioner for themself
	photo   RegPhoto
	join    *PersonInput // set (validated): the person joins org's people in the registration's transaction
	joinID  ident.IDNumber
	keptKey string
}

// prepareSubmission finds the person once and applies the rules that need no transaction: everything a 报名表 is
// checked against before anything is written.
func prepareSubmission(ctx context.Context, db bun.IDB, actor Actor, in SubmitInput) (*submission, error) {
	s := &submission{channel: ChannelSelf}
	var person *Person
	var existing *Registration
	var err error
	switch {
	case actor.Is(RolePractitioner):
		person, existing, err = selfRegistrant(ctx, db, actor, in.Plan.ID)
	case actor.Is(RoleEnterprise, RoleTraining):
		person, existing, err = s.organizationsRegistrant(ctx, db, actor, in)
	default:
		return nil, ErrNotAllowed
	}
	if err != nil {
		return nil, err
	}
	size, err := s.choosePhoto(ctx, in, person)
	if err != nil {
		return nil, err
	}
	if size == 0 && in.Photo.Problem == "" && existing != nil && existing.PhotoKey != "" && in.StoredSize != nil &&
		(existing.Status == RegReturned || existing.Status == RegWithdrawn) {
		// 修改并重新提交 keeps the registration's own photo unless a new one is chosen.
		if size, err = in.StoredSize(ctx, existing.PhotoKey); err != nil {
			return nil, err
		}
		if size > 0 {
			s.photo = RegPhoto{Key: existing.PhotoKey}
		}
	}
	rc, errs := CheckRegistration(in.Plan, person, existing, in.Registration, size)
	if actor.Is(RolePractitioner) && person.Education == "" {
		errs = withFieldError(errs, "education", MsgEducationMissing)
	}
	if person != nil && person.ID != 0 { // someone new to the system has no 缺考 on record
		msg, err := AbsenceBarMessage(ctx, db, person.IDNumber, in.Plan.CategoryID, Now())
		if err != nil {
			return nil, err
		}
		if msg != "" {
			errs = withFieldError(errs, "plan", msg)
		}
	}
	if errs != nil {
		return nil, errs
	}
	s.rc = rc
	return s, nil
}

// MsgEducationMissing: a practitioner's own 报名表 needs the 学历 of their 个人信息维护, which is where they fill it in.
const MsgEducationMissing = "请先在个人信息维护中填写学历，再保存报名表"

// selfRegistrant is the practitioner registering themself, with their registration for the plan (nil when none).
func selfRegistrant(ctx context.Context, db bun.IDB, actor Actor, planID int64) (*Person, *Registration, error) {
	if actor.Account.PersonID == nil {
		return nil, nil, ErrNotFound
	}
	p, err := GetPerson(ctx, db, *actor.Account.PersonID)
	if err != nil {
		return nil, nil, err
	}
	existing, err := FindRegistration(ctx, db, planID, p.ID)
	if errors.Is(err, ErrNotFound) {
		return p, nil, nil
	}
	return p, existing, err
}

// organizationsRegistrant finds whom an organization registers, by the ID number and name typed: someone in the
// system (named as the system knows them), or someone new (not stored yet: EnsurePerson creates them with the
// registration). Whoever is not among the organization's people joins them when the registration is stored (the
// "mine" rule: an enterprise's staff, a training institution's roster).
func (s *submission) organizationsRegistrant(ctx context.Context, db bun.IDB, actor Actor, in SubmitInput) (*Person, *Registration, error) {
	org, err := OrganizationOf(ctx, db, actor.Account)
	if err != nil {
		return nil, nil, err
	}
	s.org, s.channel = org, Channel(org.Kind)
	pin, idn, fe := in.Person.Validate(false)
	if pin.Education == "" {
		fe = withFieldError(fe, "education", "请选择学历")
	}
	if fe["id_number"] != "" {
		return nil, nil, fe
	}
	p, existing, err := FindRegistrant(ctx, db, idn.Number, in.Plan.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		if fe != nil {
			return nil, nil, fe
		}
		s.join, s.joinID = &pin, idn
		birth := idn.BirthDate
		return &Person{IDNumber: idn.Number, Name: pin.Name, Gender: idn.Gender.String(), BirthDate: &birth,
			Education: pin.Education, Phone: pin.Phone}, nil, nil
	case err != nil:
		return nil, nil, err
	}
	if msg := CheckKnownName(p, pin.Name); msg != "" {
		return nil, nil, FieldErrors{"name": msg}
	}
	mine := org.Kind == KindEnterprise && SameOrg(p.OrganizationID, &org.ID)
	if org.Kind == KindTraining {
		if mine, err = IsPersonOf(ctx, db, org, p.ID); err != nil {
			return nil, nil, err
		}
	}
	if !mine && org.Kind == KindTraining {
		// Someone employed elsewhere or with their own account is registered without joining the roster: the
		// registration is the institution's record, the person's data stays theirs (SECURITY.md 28).
		if consent, err := JoinNeedsConsent(ctx, db, org, p); err != nil || consent {
			return p, existing, err
		}
	}
	if !mine {
		if fe != nil {
			return nil, nil, fe // joining the organization's people takes the person's fields as AddPerson does
		}
		s.join, s.joinID = &pin, idn
	}
	return p, existing, nil
}

func withFieldError(fe FieldErrors, field, msg string) FieldErrors {
	if fe == nil {
		fe = FieldErrors{}
	}
	if fe[field] == "" {
		fe[field] = msg
	}
	return fe
}

// choosePhoto settles the registration's photo and returns its size: the file the form brought, or else the
// person's photo on record, which the registration then shares (no copy is written).
func (s *submission) choosePhoto(ctx context.Context, in SubmitInput, p *Person) (int, error) {
	s.photo.Key = in.Photo.Key
	if in.Photo.Kept {
		s.keptKey = in.Photo.Key
	}
	if in.Photo.Key != "" || in.Photo.Problem != "" || p.PhotoKey == "" || in.StoredSize == nil {
		return in.Photo.Size, nil
	}
	size, err := in.StoredSize(ctx, p.PhotoKey)
	s.photo.PersonsOwn = size > 0
	return size, err
}

// save stores the submission inside tx: the person joins the organization's people first if need be.
func (s *submission) save(ctx context.Context, tx bun.Tx, actor Actor) (*Registration, error) {
	if s.join != nil {
		p, err := EnsureValidPerson(ctx, tx, s.org, *s.join, s.joinID)
		if err != nil {
			return nil, err
		}
		s.rc.Person = p
	}
	var orgID *int64
	if s.org != nil {
		orgID = &s.org.ID
	}
	reg := s.rc.row(s.channel, orgID, actor.AccountID(), s.photo.Key, "", Now())
	u, err := loadUnits(ctx, tx, []string{reg.EmployerCode}, s.org)
	if err != nil {
		return nil, err
	}
	reg.UnitOrgID, reg.Status = u.start(reg.EmployerCode, orgID)
	if err := storeRegistration(ctx, tx, actor, &reg, s.photo.PersonsOwn, s.rc.Plan.Name); err != nil {
		return nil, planFull(err)
	}
	if err := s.offerPhoto(ctx, tx, actor, reg.PersonID); err != nil {
		return nil, err
	}
	if s.keptKey != "" {
		// The kept upload now belongs to the registration.
		if err := ForgetPhotoUpload(ctx, tx, s.keptKey); err != nil {
			return nil, err
		}
	}
	return &reg, nil
}

// offerPhoto makes the photo the form brought the person's photo on record when they have none, so that the next
// 报名表 offers it: the registration and the person then name the same file (as with PersonsOwn), which is kept
// while anything names it. A photo on record is never replaced here, and only someone who may change the person's
// data gives them one (a training institution registering another enterprise's staff member changes nothing of
// theirs); the change is kept in the person's history.
func (s *submission) offerPhoto(ctx context.Context, tx bun.Tx, actor Actor, personID int64) error {
	if s.photo.Key == "" || s.photo.PersonsOwn {
		return nil
	}
	before, err := GetPerson(ctx, tx, personID)
	if err != nil || before.PhotoKey != "" {
		return err
	}
	if ok, err := CanEditPerson(ctx, tx, actor, before); err != nil || !ok {
		return err
	}
	res, err := tx.NewUpdate().Model((*Person)(nil)).Set("photo_key = ?", s.photo.Key).Set("updated_at = ?", Now()).
		Set("version = version + 1").Where("id = ? AND photo_key = ''", personID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	after := *before
	after.PhotoKey = s.photo.Key
	return recordPersonChanges(ctx, tx, actor, before, &after)
}

// storeRegistration stores a checked registration with its audit row (detail: the plan's name), inside tx: one
// INSERT, or, when the person's registration for the plan was rejected, its resubmission. Any other registration of
// the person for the plan is ErrDuplicate. The places are the database's to count (the seats triggers of
// migration 4 refuse a registration past the capacity: see planFull).
func storeRegistration(ctx context.Context, tx bun.Tx, actor Actor, reg *Registration, personsOwnPhoto bool, detail string) error {
	b := database.Bind(tx) // the hottest INSERT there is
	ins := tx.NewInsert().Model(reg).On("CONFLICT (plan_id, person_id) DO NOTHING")
	if personsOwnPhoto {
		ins = b.Columns(ins, reg, "photo_key").Value("photo_key", personPhoto(tx), b.V(reg.PersonID))
	} else {
		ins = b.Columns(ins, reg)
	}
	inserted, err := insertAudited(ctx, tx, actor, b, ins, reg, detail)
	if err != nil || inserted {
		return err
	}
	return resubmit(ctx, tx, actor, reg, personsOwnPhoto)
}

// insertAudited runs the INSERT of a registration and writes its audit row; it says whether a row was inserted (not,
// when the person has one for the plan already). On PostgreSQL both rows go in one statement (one round trip
// fewer on the hottest path there is); the failure tests inject after it as after any audit row.
func insertAudited(ctx context.Context, tx bun.Tx, actor Actor, b *database.Bound, ins *bun.InsertQuery, reg *Registration, detail string) (bool, error) {
	if !isPostgres(tx) {
		res, err := ins.Returning("id, photo_key").Conn(b.On(tx)).Exec(ctx)
		if err != nil {
			return false, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return false, nil
		}
		return true, actor.Audit(ctx, tx, EventRegistered, "registration:"+reg.Number(), "ok", detail)
	}
	ev := actor.Event(EventRegistered, "", "ok", detail)
	const number = `'registration:BM' || lpad(reg.plan_id::text, greatest(4, length(reg.plan_id::text)), '0') ||
		lpad(reg.id::text, greatest(7, length(reg.id::text)), '0')`
	err := tx.NewRaw(`WITH reg AS (?), ev AS (
			INSERT INTO audit_events (occurred_at, account_id, username, role, organization_id, ip, event, object, result, detail, request_id)
			SELECT ?::timestamptz, ?::bigint, ?::text, ?::text, ?::bigint, ?::text, ?::text, `+number+`, ?::text, ?::text, ?::text FROM reg)
		SELECT id, photo_key FROM reg`,
		ins.Returning("id, photo_key, plan_id"), b.V(Now()), b.V(ev.AccountID), b.V(ev.Username), b.V(ev.Role),
		b.V(ev.OrganizationID), b.V(ev.IP), b.V(ev.Event), b.V(ev.Result), b.V(ev.Detail), b.V(ev.RequestID)).
		Conn(b.On(tx)).Scan(ctx, &reg.ID, &reg.PhotoKey)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, failureAfterAudit(ctx)
}

// resubmit submits a returned (退回修改) or withdrawn registration again in its own row: the status change goes
// through RegistrationTransitions (a status_changes row and its audit row), with the new values, and only if the
// row is still as it was read (its version).
func resubmit(ctx context.Context, tx bun.Tx, actor Actor, reg *Registration, personsOwnPhoto bool) error {
	old, err := FindRegistration(ctx, tx, reg.PlanID, reg.PersonID)
	if err != nil {
		return err
	}
	if old.Status != RegReturned && old.Status != RegWithdrawn {
		return ErrDuplicate
	}
	var photo any = reg.PhotoKey
	if personsOwnPhoto {
		photo = bun.SafeQuery(personPhoto(tx), reg.PersonID)
	}
	set := map[string]any{"channel": reg.Channel, "organization_id": reg.OrganizationID, "account_id": reg.AccountID,
		"employer_name": reg.EmployerName, "employer_code": reg.EmployerCode, "work_start_date": reg.WorkStartDate,
		"years_of_work": reg.YearsOfWork, "resume": reg.Resume, "employer_opinion": reg.EmployerOpinion, "photo_key": photo,
		"batch_id": reg.BatchID, "reject_reason": "", "unit_org_id": reg.UnitOrgID}
	move := Move[RegStatus]{IDs: []int64{old.ID}, From: old.Status, To: reg.Status, Set: set, Version: old.Version}
	if _, err := RegistrationTransitions.Apply(ctx, tx, actor, move); err != nil {
		return err
	}
	reg.ID, reg.CreatedAt, reg.Version = old.ID, old.CreatedAt, old.Version+1
	return nil
}
