package handlers_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"examcert/models"
)

// statsWorld is the demo data with one registration moved to 合格 and one to 不合格 in the same plan.
func statsWorld(t *testing.T) (*env, *models.ExamPlan, map[string]int) {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	w := ticketFixture(t, e)
	plan := w.plan
	var moved []int64
	if err := e.db.NewSelect().TableExpr("registrations").Column("id").Where("plan_id = ? AND status = ?", plan.ID, models.RegTicketed).
		OrderExpr("id").Limit(2).Scan(ctx, &moved); err != nil || len(moved) != 2 {
		t.Fatalf("two ticketed registrations: %v %v", moved, err)
	}
	for i, id := range moved[:2] {
		st := []models.RegStatus{models.RegPassed, models.RegFailed}[i]
		if _, err := e.db.NewUpdate().TableExpr("registrations").Set("status = ?", st).Where("id = ?", id).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	byStatus := map[string]int{}
	var rows []struct {
		Status models.RegStatus
		N      int
	}
	if err := e.db.NewRaw("SELECT status, COUNT(*) AS n FROM registrations GROUP BY status").Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		byStatus[r.Status.Label()] = r.N
	}
	return e, plan, byStatus
}

func TestStatsPageShowsFiguresChartsAndExports(t *testing.T) {
	t.Parallel()
	e, plan, byStatus := statsWorld(t)
	c := e.client().signIn("admin")
	p := c.get("/admin/stats")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	got := map[string]int{}
	p.Doc.Find(`[data-testid="stats-row-status"]`).Each(func(_ int, s *goquerySelection) {
		n, _ := strconv.Atoi(strings.TrimSpace(s.Find("td").Eq(1).Text()))
		got[strings.TrimSpace(s.Find("td").Eq(0).Text())] = n
	})
	if !equalCounts(got, byStatus) {
		t.Errorf("报名状态: %v, want %v", got, byStatus)
	}
	if n := p.Doc.Find(`[data-testid="stats-status"] svg[data-testid="bar-chart"] [data-testid="bar"]`).Length(); n != len(byStatus) {
		t.Errorf("%d bars for %d statuses", n, len(byStatus))
	}
	planRow := p.Doc.Find(`[data-testid="stats-row-pass-plan"]`)
	if planRow.Length() != 1 || planRow.Find("td").Eq(0).Text() != plan.Name || planRow.Find("td").Eq(3).Text() != "50.0%" {
		t.Errorf("合格率（按考试计划）: %q", planRow.Text())
	}
	if bar := p.Doc.Find(`[data-testid="stats-pass-plan"] [data-testid="bar"]`).Text(); !strings.Contains(bar, "50.0%") {
		t.Errorf("pass-rate bar: %q", bar)
	}

	other := c.get("/admin/stats?plan=" + strconv.FormatInt(plan.ID+1000, 10))
	if n := other.Doc.Find(`[data-testid="stats-row-pass-plan"]`).Length(); n != 0 {
		t.Errorf("another plan: %d rows of 合格率", n)
	}
	hx := c.getHX("/admin/stats?plan=" + strconv.FormatInt(plan.ID, 10))
	if hx.Doc.Find("#stats-results").Length() != 1 || hx.Doc.Find("form").Length() != 0 || !strings.Contains(strings.Join(hx.Header.Values("Vary"), ","), "HX-Request") {
		t.Errorf("htmx request: not the results fragment: %.300s", hx.Body)
	}
	if bad := c.get("/admin/stats?year=abc"); bad.Status != http.StatusOK || !strings.Contains(bad.Body, "筛选条件有误") {
		t.Errorf("bad filter: status %d", bad.Status)
	}

	link, _ := p.Doc.Find(`[data-testid="stats-export-pass-plan"]`).Attr("href")
	x := c.get(link)
	if x.Status != http.StatusOK {
		t.Fatalf("export %s: status %d", link, x.Status)
	}
	rows := sheetRows(t, x.Body)
	if len(rows) != 2 || strings.Join(rows[0], ",") != "考试计划,合格,不合格,合格率" || strings.Join(rows[1], ",") != plan.Name+",1,1,50.0%" {
		t.Errorf("exported rows: %v", rows)
	}
	var audited []string
	for _, ev := range e.auditEvents(models.EventExport) {
		audited = append(audited, ev.Object)
	}
	if strings.Join(audited, ",") != "stats:pass-plan" {
		t.Errorf("export audit: %v", audited)
	}
	if nf := c.get("/admin/stats/export?table=nothing"); nf.Status != http.StatusNotFound {
		t.Errorf("unknown table: status %d", nf.Status)
	}
}

// 即将到期: the screen lists the soonest models.StatsExpiringRows; the export streams every one, soonest first,
// under the filter.
func TestStatsExpiringExportHasEveryCertificate(t *testing.T) {
	t.Parallel()
	e, _, _ := statsWorld(t)
	ctx := context.Background()
	var catID int64
	if err := e.db.NewSelect().Table("exam_categories").Column("id").Where("name = '安全员'").Scan(ctx, &catID); err != nil {
		t.Fatal(err)
	}
	person := *e.account("zhangsan").PersonID
	org := *e.account("jianshe").OrganizationID
	now := models.Now()
	const expiring = models.StatsExpiringRows + 5
	var want []string
	for i := range expiring + 2 {
		days := expiring - i // the last inserted expires first
		until := now.AddDate(0, 0, days)
		st := models.CertValid
		switch i {
		case expiring: // not 有效: never listed
			st = models.CertSuspended
		case expiring + 1: // beyond 90 days
			until = now.AddDate(0, 0, 120)
		}
		c := &models.Certificate{Number: "DQ" + strconv.Itoa(i), PersonID: person, CategoryID: catID, Kind: models.CertSafety,
			Code: "C3", PostName: "安全员", Name: "到期" + strconv.Itoa(i), Gender: "男", IDNumber: "x", EmployerName: "城建",
			OrganizationID: &org, Authority: "北京市住房和城乡建设委员会", FirstIssuedOn: now, IssuedOn: now, ValidFrom: now,
			ValidUntil: &until, Status: st, Business: models.BusinessFirst, VerifyToken: "dq" + strconv.Itoa(i), CreatedAt: now,
			UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(c).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if i < expiring {
			want = append([]string{c.Number}, want...)
		}
	}
	c := e.client().signIn("admin")
	p := c.get("/admin/stats")
	if n := p.Doc.Find(`[data-testid="stats-row-expiring"]`).Length(); n != models.StatsExpiringRows ||
		!strings.Contains(p.Text(`[data-testid="stats-note-expiring"]`), "共 "+strconv.Itoa(expiring)+" 本") {
		t.Errorf("screen: %d rows, note %q", n, p.Text(`[data-testid="stats-note-expiring"]`))
	}
	link, _ := p.Doc.Find(`[data-testid="stats-export-expiring"]`).Attr("href")
	x := c.get(link)
	if x.Status != http.StatusOK || x.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export %s: %d %q", link, x.Status, x.Header.Get("Content-Type"))
	}
	rows := sheetRows(t, x.Body)
	if len(rows) != expiring+1 || strings.Join(rows[0], ",") != "证书编号,姓名,岗位,工作单位,有效期至" {
		t.Fatalf("exported %d rows, header %v", len(rows), rows[0])
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("exported %v, want %v (soonest first)", got, want)
	}
	if last := rows[len(rows)-1]; last[1] != "到期0" || last[3] != "城建" || last[4] != now.AddDate(0, 0, expiring).In(models.Beijing).Format("2006-01-02") {
		t.Errorf("last row %v", last)
	}
	// Under another organization's filter: nothing but the header.
	other := *e.account("jianshe2").OrganizationID
	if rows := sheetRows(t, c.get("/admin/stats/export?table=expiring&org="+strconv.FormatInt(other, 10)).Body); len(rows) != 1 {
		t.Errorf("another organization's export: %v", rows)
	}
	if s := e.client().signIn("jianshe").get(link).Status; s == http.StatusOK {
		t.Errorf("an enterprise exports the registry's figures: %d", s)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
