package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/models"
)

func TestOrganizationWorkflows(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	in := models.OrgInput{Kind: "training", Name: "北京测试培训中心", Code: "M000100Y4"}
	enterprise := models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}
	if _, err := models.CreateOrganization(ctx, db, enterprise, in); !errors.Is(err, models.ErrNotAllowed) {
		t.Fatalf("an enterprise creating an organization: %v", err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.CreateOrganization(ctx, db, testAdmin, in)
		return err
	}, nil, "organizations")
	o, err := models.CreateOrganization(ctx, db, testAdmin, in)
	if err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, db, models.EventOrgCreated); n != 1 {
		t.Errorf("%d audit rows for the creation, want 1", n)
	}
	var fe models.FieldErrors
	if _, err := models.CreateOrganization(ctx, db, testAdmin, in); !errors.As(err, &fe) || fe["code"] == "" {
		t.Errorf("the same code again: %v", err)
	}
	in.Name = "北京测试培训中心（新）"
	assertRollsBack(t, db, func(ctx context.Context) error {
		_, err := models.UpdateOrganization(ctx, db, testAdmin, o.ID, in, o.Version)
		return err
	}, func() {
		if got, _ := models.GetOrganization(ctx, db, o.ID); got.Name != "北京测试培训中心" || got.Version != o.Version {
			t.Errorf("after a failed update: %q version %d", got.Name, got.Version)
		}
	})
	if _, err := models.UpdateOrganization(ctx, db, testAdmin, o.ID, in, o.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := models.UpdateOrganization(ctx, db, testAdmin, o.ID, in, o.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a stale version: %v, want ErrConflict", err)
	}
	if n := auditCount(t, db, models.EventOrgUpdated); n != 1 {
		t.Errorf("%d audit rows for updates, want 1", n)
	}
}

// 新建单位 with a credit code whose 组织机构代码 is already registered shows that organization and merges nothing; the
// admin's explicit confirmation records the credit code on it. 新建账号 with such a code joins nothing either.
func TestCreateOrganizationCodeHeldElsewhere(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	credit := ident.GenerateCreditCode(rand.New(rand.NewPCG(41, 42)), "110105")
	held, err := models.CreateOrganization(ctx, db, testAdmin, models.OrgInput{Kind: "enterprise", Name: "北京老字号建设公司", Code: credit[8:17]})
	if err != nil {
		t.Fatal(err)
	}
	in := models.OrgInput{Kind: "enterprise", Name: "北京新名称建设有限公司", Code: credit}
	before := snapshot(t, db, "organizations", "accounts")
	_, err = models.CreateOrganization(ctx, db, testAdmin, in)
	var taken *models.OrgCodeTaken
	var fe models.FieldErrors
	if !errors.As(err, &taken) || taken.Existing.ID != held.ID || !taken.CanRecordCredit || !errors.As(err, &fe) ||
		!strings.Contains(fe["code"], "请确认后为其记录统一社会信用代码") || taken.Existing.Name != "北京老字号建设公司" {
		t.Fatalf("a credit code whose organization code is registered: %v", err)
	}
	// Creating an account with it joins nothing.
	acct := models.NewAccount{Role: models.RoleEnterprise, Username: "laozihao", OrgName: "北京新名称建设有限公司", OrgCode: credit}
	if _, _, err := models.CreateAccount(ctx, db, testAdmin, acct); !errors.As(err, &fe) || !strings.Contains(fe["org_code"], "北京老字号建设公司") {
		t.Errorf("新建账号 with the credit code: %v", err)
	}
	// Confirming another organization than the holder records nothing.
	in.SameAs = held.ID + 1000
	if _, err := models.CreateOrganization(ctx, db, testAdmin, in); !errors.As(err, &taken) {
		t.Errorf("confirming the wrong organization: %v", err)
	}
	if after := snapshot(t, db, "organizations", "accounts"); after["organizations"] != before["organizations"] || after["accounts"] != before["accounts"] {
		t.Errorf("refusals changed rows: %v → %v", before, after)
	}
	if got, _ := models.GetOrganization(ctx, db, held.ID); got.CreditCode != nil || got.Name != "北京老字号建设公司" {
		t.Fatalf("the holder changed without the admin's word: %+v", got)
	}
	in.SameAs = held.ID
	o, err := models.CreateOrganization(ctx, db, testAdmin, in)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := models.GetOrganization(ctx, db, held.ID)
	if o.ID != held.ID || got.CreditCode == nil || *got.CreditCode != credit || got.Name != "北京老字号建设公司" || got.Version != held.Version+1 {
		t.Errorf("after the confirmation: %+v", got)
	}
	if after := snapshot(t, db, "organizations"); after["organizations"] != before["organizations"] {
		t.Errorf("the confirmation created an organization")
	}
	if n := auditCount(t, db, models.EventOrgUpdated); n != 1 {
		t.Errorf("%d organization.updated rows, want 1", n)
	}
	// Now the credit code is the holder's own: an account with it links to it.
	a, _, err := models.CreateAccount(ctx, db, testAdmin, acct)
	if err != nil || a.OrganizationID == nil || *a.OrganizationID != held.ID {
		t.Errorf("新建账号 after the code was recorded: %+v %v", a, err)
	}
	// A credit code already recorded is simply taken, with nothing to confirm.
	in.SameAs = 0
	if _, err := models.CreateOrganization(ctx, db, testAdmin, in); !errors.As(err, &taken) || taken.CanRecordCredit {
		t.Errorf("the recorded credit code again: %v", err)
	}
}
