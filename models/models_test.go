package models_test

import (
	"context"
	"os"
	"testing"

	"examcert/dbtest"
	"examcert/models"
)

func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplates()
	os.Exit(code)
}

func TestAuditRowsCannotBeChanged(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	ev := &models.AuditEvent{Event: models.EventLoginOK, Username: "alice", IP: "10.0.0.1"}
	if err := models.RecordAudit(ctx, db, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewUpdate().Model((*models.AuditEvent)(nil)).Set("result = 'x'").Where("id = ?", ev.ID).Exec(ctx); err == nil {
		t.Error("update of an audit row succeeded")
	}
	if _, err := db.NewDelete().Model((*models.AuditEvent)(nil)).Where("id = ?", ev.ID).Exec(ctx); err == nil {
		t.Error("delete of a fresh audit row succeeded")
	}
	n, err := db.NewSelect().Model((*models.AuditEvent)(nil)).Count(ctx)
	if err != nil || n != 1 {
		t.Fatalf("audit rows = %d, %v; want 1", n, err)
	}
}
