package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

var portalActor = models.Actor{IP: "192.0.2.7", RequestID: "portal-test"}

func portalTestIDNumber(n int) string {
	return ident.GenerateIDNumber(rand.New(rand.NewPCG(uint64(n), 99)), "110101", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), ident.GenderMale)
}

// The first portal sign-in creates the person, the account and the link with their audit rows, all or nothing.
func TestPortalSignInRollsBackWithItsAuditRow(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	id := models.PortalIdentity{Issuer: "https://portal.example", Subject: "s1", Name: "陈一", IDNumber: portalTestIDNumber(1)}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.PortalSignIn(ctx, db, portalActor, id)
		return err
	}, nil, "persons", "accounts", "portal_links")
	out, err := models.PortalSignIn(ctx, db, portalActor, id)
	if err != nil {
		t.Fatal(err)
	}
	if out.Account.Role != models.RolePractitioner || out.Account.DisplayName != "陈一" || out.Account.PasswordHash != "" {
		t.Fatalf("account %+v", out.Account)
	}
	if auditCount(t, db, models.EventPortalLinked) != 1 || auditCount(t, db, models.EventLoginOK) != 1 {
		t.Fatal("audit rows missing")
	}
	again, err := models.PortalSignIn(ctx, db, portalActor, id)
	if err != nil || again.Account.ID != out.Account.ID || again.PrevLoginAt == nil {
		t.Fatalf("second sign-in: %+v %v", again, err)
	}
}

// Refusals change nothing but their login.failed row.
func TestPortalSignInRefusals(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	idn := portalTestIDNumber(2)
	birth := time.Date(1980, 1, 3, 0, 0, 0, 0, time.UTC)
	p := &models.Person{IDNumber: idn, Name: "周 二", Gender: "男", BirthDate: &birth}
	if err := models.InsertPerson(ctx, db, p); err != nil {
		t.Fatal(err)
	}
	idn3 := portalTestIDNumber(3)
	p3 := &models.Person{IDNumber: idn3, Name: "郑三", Gender: "男", BirthDate: &birth}
	if err := models.InsertPerson(ctx, db, p3); err != nil {
		t.Fatal(err)
	}
	disabled := &models.Account{Username: "zheng3", Role: models.RolePractitioner, DisplayName: "郑三", PersonID: &p3.ID, Disabled: true}
	if err := models.InsertAccount(ctx, db, disabled); err != nil {
		t.Fatal(err)
	}
	iss := "https://portal.example"
	for _, c := range []struct {
		name string
		id   models.PortalIdentity
		want error
	}{
		{"no ID number nor credit code", models.PortalIdentity{Issuer: iss, Subject: "a", Name: "某人"}, models.ErrPortalNoIdentity},
		{"no name", models.PortalIdentity{Issuer: iss, Subject: "a", IDNumber: idn}, models.ErrPortalNoIdentity},
		{"bad ID number", models.PortalIdentity{Issuer: iss, Subject: "a", Name: "某人", IDNumber: idn[:17] + "0"}, models.ErrPortalBadIdentity},
		{"bad credit code", models.PortalIdentity{Issuer: iss, Subject: "a", CreditCode: "91110000XXXXXXXXXX"}, models.ErrPortalBadIdentity},
		{"name differs", models.PortalIdentity{Issuer: iss, Subject: "a", Name: "周三", IDNumber: idn}, models.ErrPortalNameMismatch},
		{"disabled account", models.PortalIdentity{Issuer: iss, Subject: "b", Name: "郑三", IDNumber: idn3}, models.ErrPortalDisabled},
	} {
		before := snapshot(t, db, "persons", "accounts", "organizations", "portal_links")
		failedBefore := auditCount(t, db, models.EventLoginFailed)
		_, err := models.PortalSignIn(ctx, db, portalActor, c.id)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
			continue
		}
		after := snapshot(t, db, "persons", "accounts", "organizations", "portal_links")
		for tbl, n := range before {
			if tbl != "audit_events" && after[tbl] != n {
				t.Errorf("%s: %s went from %d to %d rows", c.name, tbl, n, after[tbl])
			}
		}
		if auditCount(t, db, models.EventLoginFailed) != failedBefore+1 {
			t.Errorf("%s: no login.failed row", c.name)
		}
	}
	// The same name with other spacing is the same name; an account linked to one subject is not taken by another.
	out, err := models.PortalSignIn(ctx, db, portalActor, models.PortalIdentity{Issuer: iss, Subject: "c", Name: "周二", IDNumber: idn})
	if err != nil {
		t.Fatal(err)
	}
	_, err = models.PortalSignIn(ctx, db, portalActor, models.PortalIdentity{Issuer: iss, Subject: "d", Name: "周二", IDNumber: idn})
	if !errors.Is(err, models.ErrPortalAccountTaken) {
		t.Fatalf("second subject for a linked account: %v", err)
	}
	var n int64
	if n, err = db.NewSelect().Table("portal_links").Where("account_id = ?", out.Account.ID).Count(ctx); err != nil || n != 1 {
		t.Fatalf("%d links, %v", n, err)
	}
}

// The back-channel logout ends the sessions of a portal session or subject with its audit rows, all or nothing.
func TestEndPortalSessions(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	iss := "https://portal.example"
	now := models.Now()
	var accts []*models.Account
	for i, sub := range []string{"s1", "s2"} {
		out, err := models.PortalSignIn(ctx, db, portalActor, models.PortalIdentity{Issuer: iss, Subject: sub, Name: "王五",
			IDNumber: portalTestIDNumber(10 + i)})
		if err != nil {
			t.Fatal(err)
		}
		accts = append(accts, out.Account)
	}
	for i, s := range []struct{ id, sid string }{{"a", "sid-1"}, {"b", "sid-2"}, {"c", "sid-3"}} {
		acct := accts[min(i, 1)]
		if err := models.SaveSession(ctx, db, &models.Session{ID: s.id, AccountID: &acct.ID, Data: "", SignedInAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		sub := []string{"s1", "s2", "s2"}[i]
		if err := models.RecordPortalSession(ctx, db, s.id, acct.ID, models.PortalIdentity{Issuer: iss, Subject: sub, SID: s.sid}); err != nil {
			t.Fatal(err)
		}
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.EndPortalSessions(ctx, db, portalActor, iss, "s2", "")
		return err
	}, nil, "sessions", "portal_sessions")
	if n, err := models.EndPortalSessions(ctx, db, portalActor, "https://other.example", "s2", ""); err != nil || n != 0 {
		t.Fatalf("another issuer's subject: %d %v", n, err)
	}
	if n, err := models.EndPortalSessions(ctx, db, portalActor, iss, "", "sid-2"); err != nil || n != 1 {
		t.Fatalf("by sid: %d %v", n, err)
	}
	if n, err := models.EndPortalSessions(ctx, db, portalActor, iss, "s2", ""); err != nil || n != 1 {
		t.Fatalf("by subject: %d %v", n, err)
	}
	if _, err := models.GetSession(ctx, db, "a", now); err != nil {
		t.Fatal("another subject's session ended")
	}
	if n, _ := db.NewSelect().Table("portal_sessions").Count(ctx); n != 1 {
		t.Fatalf("%d portal_sessions rows left, want 1 (they go with their sessions)", n)
	}
	if auditCount(t, db, models.EventPortalLogout) != 2 {
		t.Fatalf("%d portal.logout rows", auditCount(t, db, models.EventPortalLogout))
	}
}

// An enterprise's name is compared with full-width and half-width forms taken as one: 北京（海淀） is 北京(海淀).
func TestPortalEnterpriseNameForms(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	credit, org, err := ident.ParseOrganizationCode(ident.GenerateCreditCode(rand.New(rand.NewPCG(5, 5)), "110108"))
	if err != nil {
		t.Fatal(err)
	}
	o := &models.Organization{Kind: models.KindEnterprise, Name: "北京（海淀）建设有限公司", CreditCode: &credit, OrgCode: &org}
	if err := models.InsertOrganization(ctx, db, o); err != nil {
		t.Fatal(err)
	}
	iss := "https://portal.example"
	if _, err := models.PortalSignIn(ctx, db, portalActor, models.PortalIdentity{Issuer: iss, Subject: "x", Name: "北京（朝阳）建设有限公司", CreditCode: credit}); !errors.Is(err, models.ErrPortalNameMismatch) {
		t.Fatalf("another name: %v", err)
	}
	out, err := models.PortalSignIn(ctx, db, portalActor, models.PortalIdentity{Issuer: iss, Subject: "x", Name: "北京(海淀)建设有限公司", CreditCode: credit})
	if err != nil {
		t.Fatal(err)
	}
	if out.Account.Role != models.RoleEnterprise || *out.Account.OrganizationID != o.ID {
		t.Fatalf("account %+v", out.Account)
	}
}
