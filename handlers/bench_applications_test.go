package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"examcert/models"
)

// BenchmarkApplicationInbox: the registry's 证书申请 desk (counts per kind and state, the first page of what waits,
// longest first) with 2,000 applications behind it; BenchmarkHealthz and BenchmarkStaffList are the references of
// the same run.
func BenchmarkApplicationInbox(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	var filer int64
	if err := e.db.NewSelect().Model((*models.Account)(nil)).Column("id").Where("username = 'zhangsan'").Scan(ctx, &filer); err != nil {
		b.Fatal(err)
	}
	now := models.Now()
	kinds := []models.AppKind{models.AppRenewal, models.AppChange, models.AppTransferIn}
	states := []models.AppStatus{models.AppApplied, models.AppAccepted, models.AppReviewed, models.AppDecided}
	for start := 0; start < 2000; start += 500 {
		apps := make([]models.CertApplication, 500)
		for i := range apps {
			n := start + i
			apps[i] = models.CertApplication{Kind: kinds[n%3], Status: states[n%4], BatchNo: fmt.Sprintf("XQSQ%08d", n), FiledBy: filer,
				Name: "申请人", IDNumber: fmt.Sprintf("11010119900101%04d", n), CertNumber: fmt.Sprintf("冀建安C3（2023）%07d", n),
				CreatedAt: now, UpdatedAt: now.Add(-time1h(n)), Version: 1}
		}
		if _, err := e.db.NewInsert().Model(&apps).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	c := e.client().signIn("admin")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := c.get("/admin/applications"); p.Status != http.StatusOK {
			b.Fatalf("status %d", p.Status)
		}
	}
}

func time1h(n int) time.Duration { return time.Duration(n) * time.Hour }
