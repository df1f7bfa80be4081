package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The database holds the rules "one application in progress per certificate" and "one live 进京 application per
// 证书编号" (migration 20261205000301), whatever the checks before the insert saw: a second filing that slips past
// them is refused as ErrOpenApplication, and a withdrawn one frees the way. Also RecordExistingCertificate (the
// demo's 存量证书): numbered from the template and the year of issue, valid the kind's years.
func TestApplicationGuardsInTheDatabase(t *testing.T) {
	w := newAppWorld(t)
	ctx := context.Background()
	cat := new(ExamCategory)
	if err := w.db.NewSelect().Model(cat).Where("name = ?", "安全员").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	cert, err := RecordExistingCertificate(ctx, w.db, ExistingCertificate{PersonID: w.personZ, Category: cat,
		EmployerID: &w.orgA, EmployerName: "甲建设公司", IssuedOn: issued})
	if err != nil {
		t.Fatal(err)
	}
	if cert.Number != "京建安C3（2024）0000001" || cert.ValidUntil == nil || !cert.ValidUntil.Equal(issued.AddDate(3, 0, 0)) ||
		cert.VerifyToken == "" || cert.Status != CertValid {
		t.Fatalf("existing certificate %s until %v, token %q, %s", cert.Number, cert.ValidUntil, cert.VerifyToken, cert.Status)
	}
	if n := w.count(t, "certificate_history", "certificate_id = ? AND operation = ?", cert.ID, OpIssue); n != 1 {
		t.Errorf("%d 新发 history rows", n)
	}

	file := func(actor Actor, app CertApplication) (CertApplication, error) {
		apps := []CertApplication{app}
		_, err := FileApplications(ctx, w.db, actor, apps)
		return apps[0], err
	}
	onCert := CertApplication{Kind: AppRenewal, CertificateID: &cert.ID, PersonID: &w.personZ, Name: "张三", IDNumber: w.zhangID}
	first, err := file(w.zhang, onCert)
	if err != nil {
		t.Fatal(err)
	}
	onCert.Kind = AppChange
	if _, err := file(w.entA, onCert); !errors.Is(err, ErrOpenApplication) {
		t.Fatalf("a second open application on the certificate: %v", err)
	}
	if err := WithdrawApplication(ctx, w.db, w.zhang, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := file(w.entA, onCert); err != nil {
		t.Fatalf("after 删除 of the first: %v", err)
	}

	transfer := CertApplication{Kind: AppTransferIn, PersonID: &w.personL, Name: "李四", IDNumber: w.lisiIDNum,
		CertNumber: "冀建安C3（2023）0000007"}
	one, err := file(w.entA, transfer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := file(w.train, transfer); !errors.Is(err, ErrOpenApplication) {
		t.Fatalf("a second 进京 application with the 证书编号: %v", err)
	}
	if _, err := w.act(w.reg1, AppRejected, "材料不全", one.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := file(w.train, transfer); err != nil {
		t.Fatalf("after 不予通过 of the first: %v", err)
	}
}

// A 存量证书 given as a moment is issued on that moment's day in Beijing: midnight in Beijing is 16:00 UTC the day
// before, which must not move 发证日期 (or, on 1 January, the year in the number) a day back.
func TestExistingCertificateIssuedOnTheBeijingDay(t *testing.T) {
	w := newAppWorld(t)
	ctx := context.Background()
	cat := new(ExamCategory)
	if err := w.db.NewSelect().Model(cat).Where("name = ?", "安全员").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := RecordExistingCertificate(ctx, w.db, ExistingCertificate{PersonID: w.personZ, Category: cat,
		IssuedOn: time.Date(2025, 1, 1, 0, 0, 0, 0, Beijing)})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if !c.IssuedOn.Equal(day) || !c.ValidFrom.Equal(day) || !c.ValidUntil.Equal(day.AddDate(3, 0, 0)) ||
		c.Number != "京建安C3（2025）0000001" {
		t.Errorf("issued %v from %v until %v, number %s", c.IssuedOn, c.ValidFrom, c.ValidUntil, c.Number)
	}
}
