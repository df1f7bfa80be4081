package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// Sign-in through the 网上办事大厅 (an OpenID Connect provider). The relying party (internal/portal) verifies what
// the portal says; PortalSignIn decides which account that is. An account is found by the portal identity it was
// linked to before, else by the verified ID number (persons) or 统一社会信用代码 (legal persons) — never by an
// e-mail address — and is created when there is none.

// PortalIdentity is what the portal vouched for in a verified ID token: its issuer and subject, its session id (sid,
// when it sends one), and the person's 身份证号 or the legal person's 统一社会信用代码 with the name.
type PortalIdentity struct {
	Issuer, Subject, SID string
	Name                 string
	IDNumber             string // persons
	CreditCode           string // legal persons (enterprises)
}

// Refusals of a portal sign-in. Each is shown on the sign-in page and audited as login.failed.
var (
	ErrPortalNoIdentity   = errors.New("网上办事大厅未提供身份证号（或统一社会信用代码）和姓名（名称），无法登录；请联系网上办事大厅，或使用账号密码登录")
	ErrPortalBadIdentity  = errors.New("网上办事大厅提供的身份证号或统一社会信用代码无效，无法登录；请联系网上办事大厅")
	ErrPortalNameMismatch = errors.New("网上办事大厅提供的姓名（单位名称）与本系统登记的不一致，未能登录。" +
		"请携带身份证件（企业携带营业执照）联系注册中心核对信息")
	ErrPortalAccountTaken = errors.New("本系统中的该账号已关联另一个网上办事大厅身份，未能登录，请联系注册中心")
	ErrPortalDisabled     = errors.New("该账号已停用，请联系注册中心")
	ErrPortalTraining     = errors.New("该统一社会信用代码在本系统登记为培训机构；培训机构请使用账号密码登录")
)

// PortalLink is the portal identity (issuer + subject) an account was linked to at its first portal sign-in.
type PortalLink struct {
	bun.BaseModel `bun:"table:portal_links"`

	ID        int64     `bun:"id,pk,autoincrement"`
	AccountID int64     `bun:"account_id,notnull"`
	Issuer    string    `bun:"issuer,notnull"`
	Subject   string    `bun:"subject,notnull"`
	LinkedAt  time.Time `bun:"linked_at,notnull"`
}

// PortalSession is a session begun through the portal, for the portal's back-channel logout.
type PortalSession struct {
	bun.BaseModel `bun:"table:portal_sessions"`

	SessionID string    `bun:"session_id,pk"`
	AccountID int64     `bun:"account_id,notnull"`
	Issuer    string    `bun:"issuer,notnull"`
	Subject   string    `bun:"subject,notnull"`
	SID       string    `bun:"sid,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// portalRefusal is a refusal with the audit result it is recorded under.
type portalRefusal struct {
	err    error
	result string
}

func (r *portalRefusal) Error() string { return r.err.Error() }
func (r *portalRefusal) Unwrap() error { return r.err }

func refuse(err error, result string) error { return &portalRefusal{err: err, result: result} }

// PortalSignIn is 通过网上办事大厅登录, after the relying party verified the portal's ID token. It finds the
// account linked to the identity; at the first sign-in it links the practitioner of the ID number (the name must
// be the one on record) or the enterprise of the credit code (its name too, when the portal gives one), creating
// the person or organization and the account when there is none. The link, the sign-in time and the audit rows
// (portal.linked, login.ok) commit together. A refusal (ErrPortal…) changes nothing but its login.failed row.
func PortalSignIn(ctx context.Context, db bun.IDB, actor Actor, id PortalIdentity) (SignInOutcome, error) {
	actor.Account, actor.Typed = nil, portalTyped(id)
	var out SignInOutcome
	var refusedAcct *Account
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		acct, how, err := portalAccount(ctx, tx, id)
		if err != nil {
			refusedAcct = acct
			return err
		}
		if acct.Disabled {
			refusedAcct = acct
			return refuse(ErrPortalDisabled, "disabled")
		}
		out = SignInOutcome{Account: acct, PrevLoginAt: acct.LastLoginAt, PrevLoginIP: acct.LastLoginIP}
		if how != "" {
			link := &PortalLink{AccountID: acct.ID, Issuer: id.Issuer, Subject: id.Subject, LinkedAt: Now()}
			if _, err := tx.NewInsert().Model(link).Returning("id").Exec(ctx); err != nil {
				if IsUniqueViolation(err) {
					return refuse(ErrPortalAccountTaken, "portal_taken")
				}
				return err
			}
			actor.Account = acct
			if err := actor.Audit(ctx, tx, EventPortalLinked, "account:"+acct.Username, "ok", how); err != nil {
				return err
			}
		}
		return signedInVia(ctx, tx, actor, acct, Now(), "portal")
	})
	var r *portalRefusal
	if errors.As(err, &r) {
		actor.Account = refusedAcct
		if err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			return actor.Audit(ctx, tx, EventLoginFailed, "", r.result, "portal")
		}); err != nil {
			return SignInOutcome{}, err
		}
		return SignInOutcome{}, r.err
	}
	if err != nil {
		return SignInOutcome{}, err
	}
	return out, nil
}

// portalTyped is what the audit log shows as the name of a portal sign-in without an account: the masked ID number
// or the credit code (public), never a full ID number.
func portalTyped(id PortalIdentity) string {
	if id.IDNumber != "" {
		return ident.MaskIDNumber(ident.Normalize(id.IDNumber))
	}
	return ident.Normalize(id.CreditCode)
}

// portalAccount finds or makes the account of a portal identity. how says what was done at a first sign-in
// ("linked", "created"; "" when the identity was linked before). On a refusal it returns the account concerned,
// if any, for the audit row.
func portalAccount(ctx context.Context, tx bun.Tx, id PortalIdentity) (*Account, string, error) {
	link := new(PortalLink)
	err := tx.NewSelect().Model(link).Where("issuer = ? AND subject = ?", id.Issuer, id.Subject).Scan(ctx)
	switch err = notFound(err); {
	case err == nil:
		acct, err := GetAccount(ctx, tx, link.AccountID)
		return acct, "", err
	case !errors.Is(err, ErrNotFound):
		return nil, "", err
	}
	name := strings.TrimSpace(id.Name)
	switch {
	case id.IDNumber != "" && name != "":
		return portalPractitioner(ctx, tx, id, name)
	case id.CreditCode != "":
		return portalEnterprise(ctx, tx, id, name)
	}
	return nil, "", refuse(ErrPortalNoIdentity, "portal_claims")
}

// portalPractitioner links the practitioner with the ID number, or creates them.
func portalPractitioner(ctx context.Context, tx bun.Tx, id PortalIdentity, name string) (*Account, string, error) {
	idn, err := ident.ParseIDNumber(id.IDNumber)
	if err != nil || idn.Converted {
		return nil, "", refuse(ErrPortalBadIdentity, "portal_claims")
	}
	p, err := FindPersonByIDNumber(ctx, tx, idn.Number)
	if errors.Is(err, ErrNotFound) {
		birth := idn.BirthDate
		p = &Person{IDNumber: idn.Number, Name: name, Gender: idn.Gender.String(), BirthDate: &birth}
		if err := InsertPerson(ctx, tx, p); err != nil {
			return nil, "", err
		}
	} else if err != nil {
		return nil, "", err
	}
	acct := new(Account)
	err = notFound(tx.NewSelect().Model(acct).Where("person_id = ? AND role = ?", p.ID, RolePractitioner).
		OrderExpr("id").Limit(1).Scan(ctx))
	switch {
	case err == nil:
		if !sameName(p.Name, name) {
			return acct, "", refuse(ErrPortalNameMismatch, "name_mismatch")
		}
		return acct, "linked", nil
	case !errors.Is(err, ErrNotFound):
		return nil, "", err
	}
	if !sameName(p.Name, name) {
		return nil, "", refuse(ErrPortalNameMismatch, "name_mismatch")
	}
	acct = &Account{Role: RolePractitioner, Username: portalUsername(), DisplayName: p.Name, PersonID: &p.ID}
	return acct, "created", InsertAccount(ctx, tx, acct)
}

// portalEnterprise links an enterprise account of the organization with the credit code (the oldest one not
// linked yet), or creates the organization and its account.
func portalEnterprise(ctx context.Context, tx bun.Tx, id PortalIdentity, name string) (*Account, string, error) {
	credit, org, err := ident.ParseOrganizationCode(id.CreditCode)
	if err != nil || credit == "" {
		return nil, "", refuse(ErrPortalBadIdentity, "portal_claims")
	}
	o, err := FindOrganizationByCode(ctx, tx, credit, "")
	if errors.Is(err, ErrNotFound) {
		if name == "" {
			return nil, "", refuse(ErrPortalNoIdentity, "portal_claims")
		}
		o = &Organization{Kind: KindEnterprise, Name: name, CreditCode: &credit, OrgCode: &org}
		if err := InsertOrganization(ctx, tx, o); err != nil {
			return nil, "", err
		}
	} else if err != nil {
		return nil, "", err
	}
	if o.Kind != KindEnterprise {
		return nil, "", refuse(ErrPortalTraining, "portal_training")
	}
	if name != "" && !sameName(o.Name, name) {
		return nil, "", refuse(ErrPortalNameMismatch, "name_mismatch")
	}
	var accts []Account
	err = tx.NewSelect().Model(&accts).Where("organization_id = ? AND role = ?", o.ID, RoleEnterprise).
		Where("NOT EXISTS (SELECT 1 FROM portal_links l WHERE l.account_id = account.id)").OrderExpr("id").Limit(1).Scan(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(accts) == 1 {
		return &accts[0], "linked", nil
	}
	taken, err := tx.NewSelect().Model((*Account)(nil)).Where("organization_id = ? AND role = ?", o.ID, RoleEnterprise).Exists(ctx)
	if err != nil {
		return nil, "", err
	}
	if taken {
		return nil, "", refuse(ErrPortalAccountTaken, "portal_taken")
	}
	acct := &Account{Role: RoleEnterprise, Username: portalUsername(), DisplayName: o.Name, OrganizationID: &o.ID}
	return acct, "created", InsertAccount(ctx, tx, acct)
}

// sameName compares a name on record with the portal's, ignoring spaces (also full-width ones), full-width
// against half-width forms (（北京） and (北京)) and letter case.
func sameName(a, b string) bool {
	squeeze := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case unicode.IsSpace(r):
				return -1
			case r >= '！' && r <= '～':
				return r - 0xFEE0
			}
			return r
		}, s)
	}
	return strings.EqualFold(squeeze(a), squeeze(b))
}

// portalUsername is the username of an account made at a portal sign-in: it signs in through the portal, and has
// no password until an admin gives it one.
func portalUsername() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "wsbs-" + hex.EncodeToString(b)
}

// RecordPortalSession notes that a session (already saved) was begun through the portal, so that the portal's
// back-channel logout can end it.
func RecordPortalSession(ctx context.Context, db bun.IDB, sessionID string, accountID int64, id PortalIdentity) error {
	_, err := db.NewInsert().Model(&PortalSession{SessionID: sessionID, AccountID: accountID, Issuer: id.Issuer,
		Subject: id.Subject, SID: id.SID, CreatedAt: Now()}).Exec(ctx)
	return err
}

// EndPortalSessions is the portal's back-channel logout: every session begun with the portal session sid (when
// given; its subject must then match too, when given) or, without a sid, every portal session of the subject, is
// deleted, with one portal.logout audit row per account, in one transaction. It returns how many sessions ended.
func EndPortalSessions(ctx context.Context, db bun.IDB, actor Actor, issuer, subject, sid string) (int, error) {
	if subject == "" && sid == "" {
		return 0, ErrNotFound
	}
	actor.Account, actor.Typed = nil, "网上办事大厅"
	n := 0
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var rows []PortalSession
		q := tx.NewSelect().Model(&rows).Where("issuer = ?", issuer)
		if sid != "" {
			q = q.Where("sid = ?", sid)
		}
		if subject != "" {
			q = q.Where("subject = ?", subject)
		}
		if err := q.OrderExpr("account_id, session_id").Scan(ctx); err != nil {
			return err
		}
		var last int64
		for _, r := range rows {
			if err := DeleteSession(ctx, tx, r.SessionID); err != nil {
				return err
			}
			if r.AccountID == last {
				continue
			}
			last = r.AccountID
			acct, err := GetAccount(ctx, tx, r.AccountID)
			if err != nil {
				return err
			}
			actor.Account = acct
			if err := actor.Audit(ctx, tx, EventPortalLogout, "account:"+acct.Username, "ok", ""); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}
