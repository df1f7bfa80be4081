package models_test

import (
	"context"
	"testing"
	"time"

	"examcert/internal/dbtest"
	"examcert/models"
)

func TestSignOutDeletesTheSessionWithItsAuditRow(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	ctx := context.Background()
	now := models.Now()
	if err := models.SaveSession(ctx, db, &models.Session{ID: "s1", Data: "{}", SignedInAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	assertRollsBack(t, db, func(ctx context.Context) error { return models.SignOut(ctx, db, testAdmin, "s1") }, nil, "sessions")
	if err := models.SignOut(ctx, db, testAdmin, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.GetSession(ctx, db, "s1", now); err == nil {
		t.Error("the session is still there after sign-out")
	}
	if n := auditCount(t, db, models.EventLogout); n != 1 {
		t.Errorf("%d logout audit rows, want 1", n)
	}
}
