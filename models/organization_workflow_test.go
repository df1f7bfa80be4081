package models_test

import (
	"context"
	"errors"
	"testing"

	"examcert/internal/dbtest"
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
