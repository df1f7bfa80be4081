package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"examcert/internal/spreadsheet"

	"examcert/internal/ident"

	"examcert/models"
)

// A registration naming a registered enterprise that did not file it waits for that enterprise's 单位确认; one the
// enterprise filed itself, or one naming no registered enterprise, goes straight to the registry.
func TestFilingDecidesWhoConfirms(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	code := *f.org.CreditCode

	own := f.submission(f.newID(), "本单位职工")
	own.Registration.EmployerCode = code
	reg, err := models.SubmitRegistration(ctx, f.db, f.actor, own)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Status != models.RegUnitConfirmed || reg.UnitOrgID == nil || *reg.UnitOrgID != f.org.ID {
		t.Errorf("filed by the enterprise itself: status %s, unit %v; want unit_confirmed with unit %d", reg.Status, reg.UnitOrgID, f.org.ID)
	}

	school, err := models.CreateOrganization(ctx, f.db, testAdmin, models.OrgInput{Kind: "training", Name: "北京测试培训学校", Code: ident.GenerateCreditCode(f.ids, "110000")})
	if err != nil {
		t.Fatal(err)
	}
	trainer := models.Actor{Account: &models.Account{Role: models.RoleTraining, Username: "test-school", OrganizationID: &school.ID, Organization: school}}
	theirs := f.submission(f.newID(), "外单位学员")
	theirs.Registration.EmployerCode = code
	reg, err = models.SubmitRegistration(ctx, f.db, trainer, theirs)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Status != models.RegSubmitted || reg.UnitOrgID == nil || *reg.UnitOrgID != f.org.ID {
		t.Errorf("filed by a training institution naming the enterprise: status %s, unit %v; want submitted with unit %d", reg.Status, reg.UnitOrgID, f.org.ID)
	}

	nobody := f.submission(f.newID(), "未注册单位学员")
	nobody.Registration.EmployerCode = ident.GenerateCreditCode(f.ids, "110000")
	nobody.Registration.EmployerName = "未在本系统注册的公司"
	reg, err = models.SubmitRegistration(ctx, f.db, trainer, nobody)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Status != models.RegUnitConfirmed || reg.UnitOrgID != nil {
		t.Errorf("naming no registered enterprise: status %s, unit %v; want unit_confirmed without unit", reg.Status, reg.UnitOrgID)
	}
}

// Once the registry has approved a registration it stays on record: the applicant's 【删除】 is refused, and
// 【删除所有报名信息】 keeps it.
func TestDecidedRegistrationsAreNotDeleted(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	approved, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(f.newID(), "已审核考生"))
	if err != nil {
		t.Fatal(err)
	}
	pending, err := models.SubmitRegistration(ctx, f.db, f.actor, f.submission(f.newID(), "待审核考生"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := models.RegistrationTransitions.Apply(ctx, tx, testAdmin, models.Move[models.RegStatus]{
			IDs: []int64{approved.ID}, From: models.RegUnitConfirmed, To: models.RegApproved})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.DeleteRegistration(ctx, f.db, f.actor, approved.ID); !errors.Is(err, models.ErrDecidedRegistration) {
		t.Errorf("deleting an approved registration: %v, want ErrDecidedRegistration", err)
	}
	res, err := models.DeleteAllRegistrations(ctx, f.db, f.actor, f.plan.ID)
	if err != nil || res.Deleted != 1 || len(res.Kept) != 1 || res.Kept[0].ID != approved.ID {
		t.Errorf("删除所有报名信息: %+v, %v; want the pending one (%d) deleted and the approved one kept", res, err, pending.ID)
	}
}

// A new upload that replaces a registration still with the enterprise it names (待单位确认) may not change which
// enterprise confirms it: the enterprise named now would never be asked (or the one asked before would confirm what
// is no longer theirs). The row is refused beside 组织机构代码, nothing is saved; the same 单位代码 replaces the upload
// as before. A registration with the registry (待审核) is locked: its upload is refused until the filer withdraws it.
func TestReimportKeepsWhoConfirms(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	other, err := models.CreateOrganization(ctx, f.db, testAdmin, models.OrgInput{Kind: "enterprise", Name: "北京另一建设公司", Code: ident.GenerateCreditCode(f.ids, "110000")})
	if err != nil {
		t.Fatal(err)
	}
	id := f.newID()
	first := importRow(2, id, "改单位者")
	first.Cells["employer_code"] = *other.CreditCode // a registered enterprise: it confirms first
	if _, err := models.ImportBatch(ctx, f.db, f.actor, f.plan, []spreadsheet.Row{first}); err != nil {
		t.Fatal(err)
	}
	var reg models.Registration
	if err := f.db.NewSelect().Model(&reg).Where("plan_id = ? AND employer_code = ?", f.plan.ID, first.Cells["employer_code"]).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if reg.Status != models.RegSubmitted || reg.UnitOrgID == nil || *reg.UnitOrgID != other.ID {
		t.Fatalf("first upload: %s, unit %v", reg.Status, reg.UnitOrgID)
	}

	moved := importRow(2, id, "改单位者")
	moved.Cells["employer_code"] = ident.GenerateCreditCode(f.ids, "110000") // now names no registered enterprise
	_, err = models.ImportBatch(ctx, f.db, f.actor, f.plan, []spreadsheet.Row{moved})
	var probs models.BatchProblems
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Row != 2 || probs[0].Column != "组织机构代码" {
		t.Fatalf("changing who confirms: %v %+v", err, probs)
	}
	after, err := models.FindRegistration(ctx, f.db, f.plan.ID, reg.PersonID)
	if err != nil || after.Version != reg.Version || after.UnitOrgID == nil || *after.UnitOrgID != other.ID || after.Status != models.RegSubmitted {
		t.Fatalf("refused upload changed the registration: %+v %v", after, err)
	}

	again := importRow(2, id, "改单位者")
	again.Cells["employer_code"] = first.Cells["employer_code"]
	again.Cells["employer_name"] = "北京测试建设有限公司"
	if _, err := models.ImportBatch(ctx, f.db, f.actor, f.plan, []spreadsheet.Row{again}); err != nil {
		t.Fatalf("same 单位代码: %v", err)
	}
	if after, _ = models.FindRegistration(ctx, f.db, f.plan.ID, reg.PersonID); after.EmployerName != "北京测试建设有限公司" || after.Status != models.RegSubmitted {
		t.Errorf("replacing upload: %+v", after)
	}

	// Straight to the registry (no registered enterprise named): 待审核, locked for the filer until 撤回.
	direct := importRow(2, f.newID(), "直报者")
	direct.Cells["employer_code"] = ident.GenerateCreditCode(f.ids, "110000")
	if _, err := models.ImportBatch(ctx, f.db, f.actor, f.plan, []spreadsheet.Row{direct}); err != nil {
		t.Fatal(err)
	}
	var locked models.Registration
	if err := f.db.NewSelect().Model(&locked).Where("plan_id = ? AND employer_code = ?", f.plan.ID, direct.Cells["employer_code"]).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if locked.Status != models.RegUnitConfirmed {
		t.Fatalf("filed straight to the registry: %s", locked.Status)
	}
	direct.Cells["employer_name"] = "北京改过的建设有限公司"
	_, err = models.ImportBatch(ctx, f.db, f.actor, f.plan, []spreadsheet.Row{direct})
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Column != "身份证号" || !strings.Contains(probs[0].Reason, "请先撤回") {
		t.Fatalf("re-import over a registration 待审核: %v %+v", err, probs)
	}
	if now, _ := models.FindRegistration(ctx, f.db, f.plan.ID, locked.PersonID); now.Version != locked.Version || now.EmployerName == "北京改过的建设有限公司" {
		t.Errorf("the refused upload changed the registration: %+v", now)
	}
	if _, err := models.WithdrawRegistration(ctx, f.db, f.actor, locked.ID); err != nil {
		t.Fatalf("撤回 while 待审核: %v", err)
	}
	if _, err := models.ImportBatch(ctx, f.db, f.actor, f.plan, []spreadsheet.Row{direct}); err != nil {
		t.Fatalf("re-import after 撤回: %v", err)
	}
	if now, _ := models.FindRegistration(ctx, f.db, f.plan.ID, locked.PersonID); now.Status != models.RegUnitConfirmed || now.EmployerName != "北京改过的建设有限公司" {
		t.Errorf("filed again after 撤回: %s %q", now.Status, now.EmployerName)
	}
}

// One import may hold people of the filing enterprise, people naming another registered enterprise and people naming
// none: each row starts as its own 单位代码 says (the bulk INSERT of PostgreSQL once gave every row the first row's).
func TestImportDecidesWhoConfirmsPerRow(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	ctx := context.Background()
	other, err := models.CreateOrganization(ctx, f.db, testAdmin, models.OrgInput{Kind: "enterprise", Name: "北京又一建设公司", Code: ident.GenerateCreditCode(f.ids, "110000")})
	if err != nil {
		t.Fatal(err)
	}
	rows := []spreadsheet.Row{importRow(2, f.newID(), "本单位者"), importRow(3, f.newID(), "他单位者"), importRow(4, f.newID(), "无单位者")}
	rows[0].Cells["employer_code"] = *f.org.CreditCode
	rows[1].Cells["employer_code"] = *other.CreditCode
	rows[2].Cells["employer_code"] = ident.GenerateCreditCode(f.ids, "110000")
	if _, err := models.ImportBatch(ctx, f.db, f.actor, f.plan, rows); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		code   string
		status models.RegStatus
		unit   int64
	}{{rows[0].Cells["employer_code"], models.RegUnitConfirmed, f.org.ID}, {rows[1].Cells["employer_code"], models.RegSubmitted, other.ID},
		{rows[2].Cells["employer_code"], models.RegUnitConfirmed, 0}} {
		var r models.Registration
		if err := f.db.NewSelect().Model(&r).Where("employer_code = ?", c.code).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		unit := int64(0)
		if r.UnitOrgID != nil {
			unit = *r.UnitOrgID
		}
		if r.Status != c.status || unit != c.unit {
			t.Errorf("%s: %s, unit %d; want %s, unit %d", c.code, r.Status, unit, c.status, c.unit)
		}
	}
}
