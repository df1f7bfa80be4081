package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"examcert/models"
)

func (w *certWorld) org(t *testing.T, username string) models.Organization {
	t.Helper()
	var o models.Organization
	if err := w.e.db.NewSelect().Model(&o).Where("id = ?", *w.e.account(username).OrganizationID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return o
}

func countApps(t *testing.T, e *env) int {
	t.Helper()
	n, err := e.db.NewSelect().Table("cert_applications").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestChangeApplyPrintAndResubmit(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	admin := w.e.client().signIn("admin")
	cert := w.issue(t, admin)[w.personA]
	cid := strconv.FormatInt(cert.ID, 10)
	zs := w.e.client().signIn("zhangsan")

	home := zs.get("/changes")
	if home.Status != http.StatusOK || home.Doc.Find(`[data-testid="change-apply"]`).Length() != 1 {
		t.Fatalf("/changes: %d, %d 申请 links", home.Status, home.Doc.Find(`[data-testid="change-apply"]`).Length())
	}
	if frag := zs.getHX("/changes?name=张三"); frag.Status != http.StatusOK || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, cert.Number) {
		t.Fatalf("htmx search: %d", frag.Status)
	}
	if n := zs.get("/changes/new/" + cid); n.Doc.Find(`[data-testid="change-notice"]`).Length() != 1 || n.Doc.Find(`[data-testid="change-form"]`).Length() != 0 {
		t.Fatal("申请须知 is not shown before the form")
	}
	if n := zs.get("/changes/new/" + cid + "?seen=1"); n.Text(`[data-testid="error-accept"]`) == "" {
		t.Fatal("going on without ticking the checkbox")
	}
	form := "/changes/new/" + cid + "?accept=1"
	if f := zs.get(form); f.Doc.Find(`[data-testid="change-form"]`).Length() != 1 {
		t.Fatalf("form: %d", f.Status)
	}
	b := w.org(t, "jianshe2")
	bad := url.Values{"accept": {"1"}, "change_type": {"inside"}, "name": {cert.Name}, "gender": {cert.Gender},
		"birth_date": {cert.BirthDate.Format("2006-01-02")}, "id_number": {cert.IDNumber}, "employer_name": {b.Name},
		"employer_code": {"91110000000000000X"}, "phone": {""}, "status": {"decided"}}
	p := zs.submit(form, "/changes/new/"+cid, bad)
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-employer_code"]`) == "" || p.Text(`[data-testid="error-phone"]`) == "" || countApps(t, w.e) != 0 {
		t.Fatalf("bad form: %d, saved %d", p.Status, countApps(t, w.e))
	}
	if p.Doc.Find(`[data-testid="changed-row"]`).Length() != 2 {
		t.Fatalf("the typed employer is not highlighted: %d rows", p.Doc.Find(`[data-testid="changed-row"]`).Length())
	}
	good := bad
	good.Set("employer_code", *b.CreditCode)
	good.Set("phone", "13800000000")
	good.Set("contract_type", "无固定期限")
	good.Set("contract_from", "2026-12-01")
	p = zs.submit(form, "/changes/new/"+cid, good)
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location(), "?ok=1") {
		t.Fatalf("保存: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	saved := zs.get(p.Location())
	if !strings.Contains(saved.Text(`[data-testid="alert-ok"]`), "证书变更申请成功") || saved.Doc.Find(`[data-testid="changed-row"]`).Length() != 2 ||
		saved.Text(`[data-testid="change-status"]`) != "待单位确认" {
		t.Fatalf("after 保存: %q, %d changed rows, status %q", saved.Text(`[data-testid="alert-ok"]`),
			saved.Doc.Find(`[data-testid="changed-row"]`).Length(), saved.Text(`[data-testid="change-status"]`))
	}
	var app models.CertApplication
	if err := w.e.db.NewSelect().Model(&app).Scan(context.Background()); err != nil || app.Status != models.AppUnitPending {
		t.Fatalf("stored: %+v %v (status= ignored)", app, err)
	}
	aid := strconv.FormatInt(app.ID, 10)

	pdf := zs.get("/applications/" + aid + "/pdf")
	if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("pdf: %d", pdf.Status)
	}
	docx := zs.get("/applications/" + aid + "/docx")
	if docx.Status != http.StatusOK || !strings.Contains(docxText(t, docx.Body), "证书变更申请表") {
		t.Fatalf("docx: %d", docx.Status)
	}
	lisi := w.e.client().signIn("lisi")
	for _, path := range []string{"/changes/" + aid, "/applications/" + aid + "/pdf", "/applications/" + aid + "/docx"} {
		if got := lisi.get(path); got.Status != http.StatusNotFound {
			t.Errorf("another's %s: %d", path, got.Status)
		}
	}
	if got := lisi.get("/changes/new/" + cid + "?accept=1"); got.Status != http.StatusNotFound {
		t.Errorf("another's certificate: %d", got.Status)
	}

	// The new employer returns it; the applicant corrects it and saves again.
	jb := models.Actor{Account: w.e.account("jianshe2")}
	if _, err := models.ActOnApplications(context.Background(), w.e.db, jb, models.AppAction{IDs: []int64{app.ID}, To: models.AppReturned, Reason: "请补充合同终止日期"}); err != nil {
		t.Fatal(err)
	}
	edit := zs.get("/changes/" + aid)
	if !strings.Contains(edit.Body, "请补充合同终止日期") || edit.Doc.Find(`[data-testid="change-save"]`).Length() != 1 {
		t.Fatal("the returned application is not editable")
	}
	good.Set("contract_type", "固定期限")
	good.Set("contract_to", "2029-11-30")
	p = zs.submitHX("/changes/"+aid, "/changes/"+aid, good, true)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "证书变更申请成功") || strings.Contains(p.Body, "<html") {
		t.Fatalf("htmx resubmit: %d", p.Status)
	}
	if err := w.e.db.NewSelect().Model(&app).Where("id = ?", app.ID).Scan(context.Background()); err != nil || app.Status != models.AppUnitPending || app.ContractType != "固定期限" {
		t.Fatalf("resubmitted: %s %q %v", app.Status, app.ContractType, err)
	}
	if list := zs.get("/changes"); list.Doc.Find(`[data-testid="change-app-row"]`).Length() != 1 || list.Doc.Find(`[data-testid="change-apply"]`).Length() != 0 {
		t.Fatal("the list of applications, or 申请 offered while one is open")
	}
}

func docxText(t *testing.T, body string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

func TestChangeRenameAndTrainingBatch(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	admin := w.e.client().signIn("admin")
	certs := w.issue(t, admin)
	cert := certs[w.personA]
	ent := w.e.client().signIn("jianshe")
	if _, err := w.e.db.NewUpdate().Table("organizations").Set("name = ?", "北京城建示范工程集团有限公司").Where("id = ?", *cert.OrganizationID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := ent.submit("/changes/rename", "/changes/rename", url.Values{"phone": {"010-66668888"}})
	if p.Text(`[data-testid="error-accept"]`) == "" || countApps(t, w.e) != 0 {
		t.Fatal("须知 not accepted")
	}
	p = ent.submit("/changes/rename", "/changes/rename", url.Values{"phone": {"010-66668888"}, "accept": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "ok=BGSQ") {
		t.Fatalf("企业更名: %d %q", p.Status, p.Location())
	}
	if notice := ent.get(p.Location()).Text(`[data-testid="alert-ok"]`); !strings.Contains(notice, "证书变更申请成功") {
		t.Fatalf("notice %q", notice)
	}
	if got := w.e.client().signIn("zhangsan").get("/changes/rename"); got.Status != http.StatusForbidden {
		t.Fatalf("a practitioner's 企业更名: %d", got.Status)
	}

	tr := w.e.client().signIn("peixun2")
	lisiCert := strconv.FormatInt(certs[*w.e.account("lisi").PersonID].ID, 10)
	if got := tr.get("/changes/batch"); got.Doc.Find(`input[name="ids"]`).Length() != 1 {
		t.Fatalf("trainees' certificates: %d", got.Doc.Find(`input[name="ids"]`).Length())
	}
	p = tr.submit("/changes/batch", "/changes/batch", url.Values{"ids": {strconv.FormatInt(cert.ID, 10)}, "phone": {"13800000000"}, "accept": {"1"}})
	if p.Status != http.StatusNotFound {
		t.Fatalf("another institution's trainee: %d", p.Status)
	}
	p = tr.submit("/changes/batch", "/changes/batch", url.Values{"ids": {lisiCert}, "phone": {"13800000000"}, "accept": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location(), "ok=BGSQ") {
		t.Fatalf("批量补办: %d %q %s", p.Status, p.Location(), p.Text(`[data-testid="alert-error"]`))
	}
	if rows := tr.get("/changes").Doc.Find(`[data-testid="change-app-row"]`).Length(); rows != 1 {
		t.Fatalf("the institution's applications: %d", rows)
	}
}

// The 证书进京申请表 prints from the same routes; the applicant's, not another's.
func TestTransferInApplicationForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	zs := e.account("zhangsan")
	now := models.Now()
	app := models.CertApplication{Kind: models.AppTransferIn, Status: models.AppApplied, BatchNo: "JJSQ20260001", PersonID: zs.PersonID,
		FiledBy: zs.ID, Name: "张三", Gender: "男", IDNumber: "110105198506010016", EmployerName: "北京城建示范工程有限公司",
		OrigEmployer: "河北省某建设公司", CertNumber: "冀建安C（2024）0012345", Authority: "河北省住房和城乡建设厅",
		SubmittedAt: &now, CreatedAt: now, UpdatedAt: now, Version: 1}
	if _, err := e.db.NewInsert().Model(&app).Returning("id").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(app.ID, 10)
	me := e.client().signIn("zhangsan")
	if pdf := me.get("/applications/" + id + "/pdf"); pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("pdf: %d", pdf.Status)
	}
	doc := docxText(t, me.get("/applications/"+id+"/docx").Body)
	for _, want := range []string{"证书进京申请表", "河北省某建设公司", "冀建安C（2024）0012345", "进京变更"} {
		if !strings.Contains(doc, want) {
			t.Errorf("docx lacks %q", want)
		}
	}
	if got := e.client().signIn("lisi").get("/applications/" + id + "/pdf"); got.Status != http.StatusNotFound {
		t.Fatalf("another's: %d", got.Status)
	}
	if got := me.get("/changes/" + id); got.Status != http.StatusNotFound {
		t.Fatalf("a transfer-in on the change form: %d", got.Status)
	}
}
