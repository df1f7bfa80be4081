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
	f := zs.get(form)
	if f.Doc.Find(`[data-testid="change-form"]`).Length() != 1 {
		t.Fatalf("form: %d", f.Status)
	}
	for _, want := range []string{"申请人承诺", "本人承诺：所填写的信息及提交的材料真实、有效", "聘用企业承诺", "本单位承诺：申请人为本单位聘用人员"} {
		if !strings.Contains(f.Text(`[data-testid="change-form"]`), want) {
			t.Errorf("the form does not show %q", want)
		}
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

// TestChangePhoto: a 京内变更 of the 照片 alone, through the multipart form without JavaScript and with htmx. A
// file the photo pipeline refuses is an error beside the field; a good photo on a form refused for another field is
// kept for the next 保存 (not asked for again); the saved application shows 变更前 | 变更后 (form, detail, 申请表)
// to whoever may see it only; 退回修改 → another photo by htmx replaces it (the replaced file is deleted); 决定通过
// puts the new photo on the re-issued certificate.
func TestChangePhoto(t *testing.T) {
	t.Parallel()
	w := newCertWorld(t)
	ctx := context.Background()
	admin := w.e.client().signIn("admin")
	cert := w.issue(t, admin)[w.personA]
	cid := strconv.FormatInt(cert.ID, 10)
	zs := w.e.client().signIn("zhangsan")
	form := "/changes/new/" + cid + "?accept=1"
	fields := map[string]string{"accept": "1", "change_type": "inside", "name": cert.Name, "gender": cert.Gender,
		"birth_date": cert.BirthDate.Format("2006-01-02"), "id_number": cert.IDNumber, "employer_name": cert.EmployerName,
		"employer_code": cert.EmployerCode, "phone": "13800000000", "photo_key": "forged-key"}

	if f := zs.get(form); f.Doc.Find(`[data-testid="change-photo-input"]`).Length() != 1 {
		t.Fatal("the form offers no new photo")
	} else if enc, _ := f.Doc.Find(`[data-testid="change-form"] form`).Attr("enctype"); enc != "multipart/form-data" {
		t.Fatalf("form enctype %q", enc)
	}
	p := zs.upload(form, "/changes/new/"+cid, "photo.jpg", []byte("not a picture"), fields)
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-photo"]`) == "" || countApps(t, w.e) != 0 {
		t.Fatalf("a file that is not a photo: %d %q, %d saved", p.Status, p.Text(`[data-testid="error-photo"]`), countApps(t, w.e))
	}
	same := zs.upload(form, "/changes/new/"+cid, "", nil, fields)
	if same.Status != http.StatusOK || same.Text(`[data-testid="error-change_type"]`) == "" || countApps(t, w.e) != 0 {
		t.Fatalf("no change (a forged photo_key is not a photo): %d", same.Status)
	}

	picture := testPhoto(t, 600, 840, "jpeg")
	noPhone := map[string]string{}
	for k, v := range fields {
		noPhone[k] = v
	}
	noPhone["phone"] = ""
	p = zs.upload(form, "/changes/new/"+cid, "me.jpg", picture, noPhone)
	token, _ := p.Doc.Find(`input[name="photo_token"]`).Attr("value")
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-phone"]`) == "" || token == "" ||
		p.Doc.Find(`[data-testid="change-photo-kept"]`).Length() != 1 || p.Doc.Find(`[data-testid="changed-row"]`).Length() != 1 {
		t.Fatalf("a good photo on a refused form: %d, token %q, %d changed rows", p.Status, token, p.Doc.Find(`[data-testid="changed-row"]`).Length())
	}
	if src, _ := p.Doc.Find(`[data-testid="change-photo-after"]`).Attr("src"); zs.get(src).Status != http.StatusOK {
		t.Fatalf("the kept photo %q is not shown", src)
	}
	if other := w.e.client().signIn("lisi"); other.upload("/changes", "/changes/new/"+cid, "", nil, map[string]string{"photo_token": token}).Status != http.StatusNotFound {
		t.Fatal("another's certificate")
	}

	with := map[string]string{"photo_token": token}
	for k, v := range fields {
		with[k] = v
	}
	p = zs.upload(form, "/changes/new/"+cid, "", nil, with)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("保存 with the kept photo: %d %s %s", p.Status, p.Text(`[data-testid="alert-error"]`), p.Text(`.error`))
	}
	var app models.CertApplication
	if err := w.e.db.NewSelect().Model(&app).Scan(ctx); err != nil || app.PhotoKey != token || app.BeforePhotoKey != cert.PhotoKey {
		t.Fatalf("stored: photo %q (want %q) before %q (want %q) %v", app.PhotoKey, token, app.BeforePhotoKey, cert.PhotoKey, err)
	}
	if mine, _ := models.PhotoUploadOf(ctx, w.e.db, w.e.account("zhangsan").ID, token); mine {
		t.Fatal("the kept upload still waits for its form")
	}
	aid := strconv.FormatInt(app.ID, 10)
	saved := zs.get(p.Location())
	if !strings.Contains(saved.Text(`[data-testid="alert-ok"]`), "证书变更申请成功") || saved.Doc.Find(`[data-testid="changed-row"]`).Length() != 1 ||
		saved.Doc.Find(`[data-testid="change-photo-after"]`).Length() != 1 || !strings.Contains(saved.Text(`#change-photo-row`), "照片") {
		t.Fatalf("saved form: %q", saved.Text(`[data-testid="change-compare"]`))
	}
	after := zs.get("/applications/" + aid + "/photo/after")
	if after.Status != http.StatusOK || after.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("变更后 photo: %d %q", after.Status, after.Header.Get("Content-Type"))
	}
	detail := zs.get("/applications/" + aid)
	if d := detail.Doc.Find(`[data-testid="app-diff-changed"]`); d.Length() != 1 || !strings.Contains(d.Text(), "照片") || d.Find(`img[alt="变更后照片"]`).Length() != 1 {
		t.Fatalf("detail: %q", detail.Text(`[data-testid="app-compare"]`))
	}
	if docx := zs.get("/applications/" + aid + "/docx"); !strings.Contains(docxText(t, docx.Body), "新照片") {
		t.Fatal("the 申请表 does not say the photo changes")
	}
	lisi := w.e.client().signIn("lisi")
	for _, which := range []string{"after", "before"} {
		if got := lisi.get("/applications/" + aid + "/photo/" + which); got.Status != http.StatusNotFound {
			t.Errorf("another's %s photo: %d", which, got.Status)
		}
	}
	if got := zs.get("/applications/" + aid + "/photo/elsewhere"); got.Status != http.StatusNotFound {
		t.Errorf("unknown photo: %d", got.Status)
	}

	// 退回修改; another photo, by htmx, replaces the first (whose file nothing names any more).
	employer := models.Actor{Account: w.e.account("jianshe")}
	if _, err := models.ActOnApplications(ctx, w.e.db, employer, models.AppAction{IDs: []int64{app.ID}, To: models.AppReturned, Reason: "照片背景不合格"}); err != nil {
		t.Fatal(err)
	}
	edit := zs.get("/changes/" + aid)
	if edit.Doc.Find(`[data-testid="change-photo-drop"]`).Length() != 1 || edit.Doc.Find(`[data-testid="change-photo-input"]`).Length() != 1 {
		t.Fatal("the returned form offers neither another photo nor dropping it")
	}
	second := testPhoto(t, 500, 700, "png")
	p = zs.uploadHX("/changes/"+aid, "/changes/"+aid, "me2.png", second, fields, true)
	if p.Status != http.StatusOK || strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, "证书变更申请成功") {
		t.Fatalf("htmx resubmit with another photo: %d %s", p.Status, p.Text(`.error`))
	}
	first := app.PhotoKey
	if err := w.e.db.NewSelect().Model(&app).Where("id = ?", app.ID).Scan(ctx); err != nil || app.PhotoKey == first || app.PhotoKey == "" || app.Status != models.AppUnitPending {
		t.Fatalf("resubmitted: %q (first %q) %s %v", app.PhotoKey, first, app.Status, err)
	}
	if used, _ := models.BlobInUse(ctx, w.e.db, first); used {
		t.Fatal("the replaced photo is still named")
	}
	if _, err := w.e.app.Blobs.Size(ctx, first); err == nil {
		t.Fatal("the replaced photo's file was not deleted")
	}

	// 决定通过: the re-issued certificate carries the new photo.
	if _, err := models.ActOnApplications(ctx, w.e.db, employer, models.AppAction{IDs: []int64{app.ID}, To: models.AppApplied}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []models.AppStatus{models.AppAccepted, models.AppReviewed, models.AppDecided} {
		if _, err := models.ActOnApplications(ctx, w.e.db, models.Actor{Account: w.e.account("admin")}, models.AppAction{IDs: []int64{app.ID}, To: to}); err != nil {
			t.Fatal(to, err)
		}
	}
	var got models.Certificate
	if err := w.e.db.NewSelect().Model(&got).Where("id = ?", cert.ID).Scan(ctx); err != nil || got.PhotoKey != app.PhotoKey || got.Version != 2 {
		t.Fatalf("certificate after 决定通过: photo %q (want %q) v%d %v", got.PhotoKey, app.PhotoKey, got.Version, err)
	}
	if ph := zs.get("/certificates/" + cid + "/photo"); ph.Status != http.StatusOK || ph.Body != zs.get("/applications/"+aid+"/photo/after").Body {
		t.Fatalf("the certificate's photo is not the new one: %d", ph.Status)
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
