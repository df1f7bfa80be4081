package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// 证书变更 (LIFECYCLE §9): 京内变更 (单位 and/or 姓名, 性别, 出生日期, 证件号码, 照片), 离京变更 (安管 only), 注销, 补办, and
// 企业更名 filed by an enterprise for all its staff. The new employer of a 单位 change confirms it; otherwise the
// current employer does. 决定通过 re-issues the certificate (changeEffect).

// Change types (变更类型), stored in cert_applications.change_type.
const (
	ChangeInside  = "inside"  // 京内变更
	ChangeLeave   = "leave"   // 离京变更
	ChangeCancel  = "cancel"  // 注销
	ChangeReplace = "replace" // 补办
	ChangeRename  = "rename"  // 企业更名
)

// ChangeTypes are the types an applicant picks for one certificate, in the order the form lists them (企业更名 has
// a form of its own).
var ChangeTypes = []string{ChangeInside, ChangeLeave, ChangeCancel, ChangeReplace}

// ChangeTypeLabel names a change type in Chinese.
func ChangeTypeLabel(t string) string {
	switch t {
	case ChangeInside:
		return "京内变更"
	case ChangeLeave:
		return "离京变更"
	case ChangeCancel:
		return "注销"
	case ChangeReplace:
		return "补办"
	case ChangeRename:
		return "企业更名"
	}
	return t
}

// Contract types of the 聘用企业承诺.
var ContractTypes = []string{"固定期限", "无固定期限", "以完成一定工作任务为期限"}

// MaxEmployerChanges is how many decided employer changes a person may have in 365 days.
const MaxEmployerChanges = 5

// Errors of 证书变更.
var (
	ErrTooManyEmployerChanges = errors.New("five employer changes in the last year")
	ErrNothingToRename        = errors.New("no certificate of the staff carries another employer name")
)

// ChangeInput is the 证书变更申请表 as typed: the 变更后 values (京内变更), the contact fields and the 聘用企业承诺.
// Dates are YYYY-MM-DD. The 变更前 values are the certificate's, never the form's.
type ChangeInput struct {
	CertificateID                          int64
	ChangeType                             string
	Name, Gender, BirthDate, IDNumber      string
	EmployerName, EmployerCode             string
	Phone, Duty, Title                     string
	ContractType, ContractFrom, ContractTo string
	Note                                   string
	PhotoKey                               string // 京内变更 of 照片: a new photo, already through the photo pipeline and stored
	DropPhoto                              bool   // on resubmission: back to the certificate's photo (else a new photo filed earlier stays)
	Accepted                               bool   // 申请须知 read and accepted
}

// ApplyForChange files one 证书变更 of a certificate in the actor's scope, under a new 申请批号 (BGSQ…), and
// submits it: to the new employer (单位 change) or the current one for confirmation, or straight to the registry
// when the actor is that employer. A bad form is FieldErrors and saves nothing.
func ApplyForChange(ctx context.Context, db bun.IDB, actor Actor, in ChangeInput) (*CertApplication, error) {
	var out *CertApplication
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		c, err := CertificateFor(ctx, tx, actor, in.CertificateID)
		if err != nil {
			return err
		}
		app, err := changeApplication(ctx, tx, c, in)
		if err != nil {
			return err
		}
		if err := checkChangeRules(ctx, tx, c, app, 0); err != nil {
			return err
		}
		apps := []CertApplication{*app}
		if _, err := FileApplications(ctx, tx, actor, apps); err != nil {
			return err
		}
		out = new(CertApplication)
		return tx.NewSelect().Model(out).Where("id = ?", apps[0].ID).Scan(ctx)
	})
	return out, err
}

// ResubmitChange corrects a change application returned for changes (退回修改) and submits it again under a new
// 申请批号. Only its filer (or the filing organization) may; another's is ErrNotFound.
func ResubmitChange(ctx context.Context, db bun.IDB, actor Actor, id int64, in ChangeInput) (*CertApplication, error) {
	var out *CertApplication
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		old, err := ApplicationFor(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if old.Kind != AppChange || old.CertificateID == nil || !MayEditApplication(actor, old) {
			return ErrNotFound
		}
		if old.Status != AppReturned {
			return fmt.Errorf("%w: %s", ErrNoTransition, old.StatusLabel())
		}
		c, err := CertificateFor(ctx, tx, actor, *old.CertificateID)
		if err != nil {
			return err
		}
		in.CertificateID = c.ID
		if in.PhotoKey == "" && !in.DropPhoto && changesPhoto(old) {
			in.PhotoKey = old.PhotoKey // the new photo filed before stays unless another is uploaded or it is dropped
		}
		if old.ChangeType == ChangeRename {
			in.ChangeType = ChangeRename
		}
		app, err := changeApplication(ctx, tx, c, in)
		if err != nil {
			return err
		}
		if err := checkChangeRules(ctx, tx, c, app, old.ID); err != nil {
			return err
		}
		app.ID, app.Kind, app.Status = old.ID, old.Kind, old.Status
		if _, err := ResubmitApplication(ctx, tx, actor, app, changeColumns(app)); err != nil {
			return err
		}
		out = new(CertApplication)
		return tx.NewSelect().Model(out).Where("id = ?", old.ID).Scan(ctx)
	})
	return out, err
}

// changeColumns are the columns a resubmission rewrites.
func changeColumns(a *CertApplication) map[string]any {
	return map[string]any{"change_type": a.ChangeType, "organization_id": a.OrganizationID, "name": a.Name,
		"gender": a.Gender, "birth_date": a.BirthDate, "id_number": a.IDNumber, "employer_name": a.EmployerName,
		"employer_code": a.EmployerCode, "phone": a.Phone, "duty": a.Duty, "title": a.Title,
		"contract_type": a.ContractType, "contract_from": a.ContractFrom, "contract_to": a.ContractTo, "note": a.Note,
		"before_name": a.BeforeName, "before_gender": a.BeforeGender, "before_birth_date": a.BeforeBirthDate,
		"before_id_number": a.BeforeIDNumber, "before_employer_name": a.BeforeEmployer, "before_employer_code": a.BeforeEmpCode,
		"photo_key": a.PhotoKey, "before_photo_key": a.BeforePhotoKey}
}

// beforeOf is an application of kind change about c with its 变更前 and (unchanged) 变更后 values copied from c.
func beforeOf(c *Certificate, changeType string) CertApplication {
	pid, cid := c.PersonID, c.ID
	return CertApplication{Kind: AppChange, ChangeType: changeType, CertificateID: &cid, PersonID: &pid,
		OrganizationID: c.OrganizationID, Name: c.Name, Gender: c.Gender, BirthDate: c.BirthDate, IDNumber: c.IDNumber,
		EmployerName: c.EmployerName, EmployerCode: c.EmployerCode, PhotoKey: c.PhotoKey, Duty: c.Duty, Title: c.Title,
		BeforeName: c.Name, BeforeGender: c.Gender, BeforeBirthDate: c.BirthDate, BeforeIDNumber: c.IDNumber,
		BeforeEmployer: c.EmployerName, BeforeEmpCode: c.EmployerCode, BeforePhotoKey: c.PhotoKey}
}

var phonePattern = regexp.MustCompile(`^[0-9+\-() ]{7,20}$`)

// changeApplication checks the form against c and returns the application it describes (not yet stored).
func changeApplication(ctx context.Context, db bun.IDB, c *Certificate, in ChangeInput) (*CertApplication, error) {
	fe := FieldErrors{}
	t := in.ChangeType
	switch {
	case t == ChangeRename:
	case !containsString(ChangeTypes, t):
		fe["change_type"] = "请选择变更类型"
	case t == ChangeLeave && c.Kind != CertSafety:
		fe["change_type"] = "离京变更只适用于安管人员证书"
	}
	if !in.Accepted {
		fe["accept"] = "请先阅读并同意申请须知"
	}
	a := beforeOf(c, t)
	a.Phone, a.Duty, a.Title, a.Note = strings.TrimSpace(in.Phone), strings.TrimSpace(in.Duty), strings.TrimSpace(in.Title), strings.TrimSpace(in.Note)
	if !phonePattern.MatchString(a.Phone) {
		fe["phone"] = "请填写联系电话（7–20 位数字）"
	}
	for k, v := range map[string]string{"duty": a.Duty, "title": a.Title} {
		if len([]rune(v)) > 40 {
			fe[k] = "不超过 40 个字"
		}
	}
	if len([]rune(a.Note)) > 500 {
		fe["note"] = "不超过 500 个字"
	}
	if t == ChangeInside {
		if err := insideValues(ctx, db, c, &a, in, fe); err != nil {
			return nil, err
		}
	}
	if t == ChangeInside || t == ChangeRename {
		contractValues(&a, in, fe)
	}
	if len(fe) > 0 {
		return nil, fe
	}
	return &a, nil
}

// insideValues reads the 变更后 values of a 京内变更 into a: at least one must differ from the certificate's, and a
// new employer must be an organization here whose 统一社会信用代码 and name match.
func insideValues(ctx context.Context, db bun.IDB, c *Certificate, a *CertApplication, in ChangeInput, fe FieldErrors) error {
	a.Name, a.Gender = strings.TrimSpace(in.Name), strings.TrimSpace(in.Gender)
	if a.Name == "" || len([]rune(a.Name)) > 40 {
		fe["name"] = "请填写姓名（不超过 40 个字）"
	}
	if a.Gender != "男" && a.Gender != "女" {
		fe["gender"] = "请选择性别"
	}
	if d, err := time.Parse("2006-01-02", strings.TrimSpace(in.BirthDate)); err != nil {
		fe["birth_date"] = "请填写出生日期（年-月-日）"
	} else {
		a.BirthDate = &d
	}
	if id, err := ident.ParseIDNumber(in.IDNumber); err != nil {
		fe["id_number"] = "证件号码有误：" + err.Error()
	} else {
		a.IDNumber = id.Number
		if a.BirthDate != nil && !id.BirthDate.Equal(*a.BirthDate) {
			fe["birth_date"] = "出生日期与证件号码不一致"
		}
		if a.Gender != "" && id.Gender.String() != a.Gender {
			fe["gender"] = "性别与证件号码不一致"
		}
	}
	a.EmployerName, a.EmployerCode = strings.TrimSpace(in.EmployerName), strings.ToUpper(strings.TrimSpace(in.EmployerCode))
	if a.EmployerName != c.EmployerName || a.EmployerCode != c.EmployerCode {
		org, err := newEmployer(ctx, db, a.EmployerName, a.EmployerCode, fe)
		if err != nil {
			return err
		}
		if org != nil {
			a.OrganizationID, a.EmployerCode = &org.ID, *org.CreditCode
		}
	}
	if in.PhotoKey != "" {
		a.PhotoKey = in.PhotoKey
	}
	if len(fe) == 0 && !changesSomething(a) {
		fe["change_type"] = "变更后与变更前相同，没有需要变更的内容"
	}
	return nil
}

// newEmployer finds the organization a 单位 change goes to: its 统一社会信用代码 must be valid and registered here,
// with the same name. A mismatch goes into fe and returns nil.
func newEmployer(ctx context.Context, db bun.IDB, name, code string, fe FieldErrors) (*Organization, error) {
	cc, err := ident.ParseCreditCode(code)
	if err != nil {
		fe["employer_code"] = "统一社会信用代码有误：" + err.Error()
		return nil, nil
	}
	org := new(Organization)
	err = db.NewSelect().Model(org).Where("credit_code = ?", cc.Code).Where("kind = ?", KindEnterprise).Limit(1).Scan(ctx)
	if notFound(err) == ErrNotFound {
		fe["employer_code"] = "本系统中没有该统一社会信用代码的企业"
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if org.Name != name {
		fe["employer_name"] = "单位名称与该统一社会信用代码登记的名称（" + org.Name + "）不一致"
		return nil, nil
	}
	return org, nil
}

// contractValues reads the 聘用企业承诺: the contract type, and its dates (固定期限 needs both, in order).
func contractValues(a *CertApplication, in ChangeInput, fe FieldErrors) {
	a.ContractType = strings.TrimSpace(in.ContractType)
	if !changesEmployer(a) && a.ContractType == "" && in.ContractFrom == "" && in.ContractTo == "" {
		return // no new employer: the 聘用企业承诺 is optional
	}
	if !containsString(ContractTypes, a.ContractType) {
		fe["contract_type"] = "请选择合同类型"
	}
	parse := func(field, s string) *time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			fe[field] = "日期格式为 年-月-日"
			return nil
		}
		return &d
	}
	a.ContractFrom, a.ContractTo = parse("contract_from", in.ContractFrom), parse("contract_to", in.ContractTo)
	if a.ContractFrom == nil && fe["contract_from"] == "" {
		fe["contract_from"] = "请填写合同起始日期"
	}
	if a.ContractType == "固定期限" && a.ContractTo == nil && fe["contract_to"] == "" {
		fe["contract_to"] = "固定期限合同请填写终止日期"
	}
	if a.ContractFrom != nil && a.ContractTo != nil && a.ContractTo.Before(*a.ContractFrom) {
		fe["contract_to"] = "终止日期不能早于起始日期"
	}
}

// changesEmployer says whether a moves the certificate to another employer (a 单位 change).
func changesEmployer(a *CertApplication) bool {
	return a.ChangeType == ChangeInside && (a.EmployerCode != a.BeforeEmpCode || a.EmployerName != a.BeforeEmployer)
}

func changesSomething(a *CertApplication) bool {
	return changesEmployer(a) || a.Name != a.BeforeName || a.Gender != a.BeforeGender || a.IDNumber != a.BeforeIDNumber ||
		!sameDay(a.BirthDate, a.BeforeBirthDate) || changesPhoto(a)
}

// changesPhoto says whether a 京内变更 puts a new photo on the certificate.
func changesPhoto(a *CertApplication) bool {
	return a.ChangeType == ChangeInside && a.PhotoKey != "" && a.PhotoKey != a.BeforePhotoKey
}

func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Format("2006-01-02") == b.Format("2006-01-02")
}

// checkChangeRules refuses a change of c that the rules forbid: only a valid, unlocked certificate, no other open
// application on it (a renewal included; except is the application being resubmitted), at most
// MaxEmployerChanges decided employer changes of the person in 365 days.
func checkChangeRules(ctx context.Context, db bun.IDB, c *Certificate, a *CertApplication, except int64) error {
	now := Now()
	if c.Status != CertValid {
		return ErrCertNotValid
	}
	if c.IsLocked(now) {
		return ErrCertificateLocked
	}
	open, err := OpenApplications(ctx, db, []int64{c.ID})
	if err != nil {
		return err
	}
	if o, ok := open[c.ID]; ok && o.ID != except {
		return ErrOpenApplication
	}
	if !changesEmployer(a) {
		return nil
	}
	n, err := EmployerChangesInYear(ctx, db, c.PersonID, now)
	if err != nil {
		return err
	}
	if n >= MaxEmployerChanges {
		return ErrTooManyEmployerChanges
	}
	return nil
}

// EmployerChangesInYear counts the person's decided change applications that moved a certificate to another
// employer in the 365 days before now.
func EmployerChangesInYear(ctx context.Context, db bun.IDB, personID int64, now time.Time) (int, error) {
	n, err := db.NewSelect().Table("cert_applications").Where("person_id = ? AND kind = ? AND change_type = ?", personID, AppChange, ChangeInside).
		Where("status = ? AND decided_at >= ?", AppDecided, now.AddDate(0, 0, -365)).
		Where("(employer_code <> before_employer_code OR employer_name <> before_employer_name)").Count(ctx)
	return int(n), err
}

// RenameResult is what 企业更名 filed: its 申请批号, how many applications, and the certificates left out (证书编号
// → why).
type RenameResult struct {
	BatchNo string
	Filed   int
	Skipped map[string]string
}

// ApplyForRename is 企业更名: the enterprise files, under one 申请批号, one change for every valid certificate of
// its staff that still carries another name or code than the enterprise's record here. Certificates locked or with
// an application in progress are left out and listed. The enterprise is the employer: the applications go
// straight to the registry.
func ApplyForRename(ctx context.Context, db bun.IDB, actor Actor, in ChangeInput) (RenameResult, error) {
	out := RenameResult{Skipped: map[string]string{}}
	orgID := actor.OrganizationID()
	if !actor.Is(RoleEnterprise) || orgID == nil {
		return out, ErrNotAllowed
	}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		org := new(Organization)
		if err := tx.NewSelect().Model(org).Where("id = ?", *orgID).Scan(ctx); err != nil {
			return err
		}
		var certs []Certificate
		if err := tx.NewSelect().Model(&certs).Join("JOIN persons AS p ON p.id = cert.person_id").
			Where("p.organization_id = ? AND cert.status = ?", org.ID, CertValid).
			Where("(cert.employer_name <> ? OR cert.employer_code <> ?)", org.Name, org.Code()).Order("cert.id").Scan(ctx); err != nil {
			return err
		}
		apps, err := renameApplications(ctx, tx, org, certs, in, out.Skipped)
		if err != nil {
			return err
		}
		if len(apps) == 0 {
			return ErrNothingToRename
		}
		out.Filed = len(apps)
		out.BatchNo, err = FileApplications(ctx, tx, actor, apps)
		return err
	})
	return out, err
}

func renameApplications(ctx context.Context, tx bun.IDB, org *Organization, certs []Certificate, in ChangeInput, skipped map[string]string) ([]CertApplication, error) {
	ids := make([]int64, len(certs))
	for i := range certs {
		ids[i] = certs[i].ID
	}
	open, err := OpenApplications(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	now := Now()
	var apps []CertApplication
	for i := range certs {
		c := &certs[i]
		switch {
		case c.IsLocked(now):
			skipped[c.Number] = "证书已锁定"
			continue
		case open[c.ID].ID != 0:
			skipped[c.Number] = "已有办理中的" + open[c.ID].Kind.Label() + "申请"
			continue
		}
		in.ChangeType = ChangeRename
		a, err := changeApplication(ctx, tx, c, in)
		if err != nil {
			return nil, err
		}
		a.EmployerName, a.EmployerCode, a.OrganizationID = org.Name, org.Code(), &org.ID
		apps = append(apps, *a)
	}
	return apps, nil
}

// ApplyForReplacements is a training institution's batch 补办 for certificates of people it trained, under one
// 申请批号: each goes to the certificate's current employer for confirmation. All or nothing: a certificate that
// may not be changed refuses the batch, and FieldErrors["ids"] says which.
func ApplyForReplacements(ctx context.Context, db bun.IDB, actor Actor, ids []int64, in ChangeInput) (string, error) {
	if !actor.Is(RoleTraining) {
		return "", ErrNotAllowed
	}
	if len(ids) == 0 {
		return "", FieldErrors{"ids": "请勾选要补办的证书"}
	}
	var batch string
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var apps []CertApplication
		for id := range uniqueIDs(ids) {
			c, err := CertificateFor(ctx, tx, actor, id)
			if err != nil {
				return err
			}
			in.CertificateID, in.ChangeType = id, ChangeReplace
			a, err := changeApplication(ctx, tx, c, in)
			if err != nil {
				return err
			}
			if err := checkChangeRules(ctx, tx, c, a, 0); err != nil {
				return FieldErrors{"ids": "证书 " + c.Number + "：" + ChangeRuleMessage(err)}
			}
			apps = append(apps, *a)
		}
		sortApps(apps)
		var err error
		batch, err = FileApplications(ctx, tx, actor, apps)
		return err
	})
	return batch, err
}

func sortApps(apps []CertApplication) {
	for i := 1; i < len(apps); i++ {
		for j := i; j > 0 && *apps[j].CertificateID < *apps[j-1].CertificateID; j-- {
			apps[j], apps[j-1] = apps[j-1], apps[j]
		}
	}
}

// ChangeRuleMessage says in Chinese why a change was refused by a rule of checkChangeRules, or "" for another error.
func ChangeRuleMessage(err error) string {
	switch {
	case errors.Is(err, ErrCertNotValid):
		return "只有有效的证书才能申请变更"
	case errors.Is(err, ErrCertificateLocked):
		return "证书已锁定，不能办理业务"
	case errors.Is(err, ErrOpenApplication):
		return "该证书已有办理中的申请（续期或变更），不能重复申请"
	case errors.Is(err, ErrTooManyEmployerChanges):
		return "一年内变更聘用单位已达 " + strconv.Itoa(MaxEmployerChanges) + " 次，不能再申请单位变更"
	case errors.Is(err, ErrNothingToRename):
		return "本单位人员的有效证书均已是本单位登记的名称和代码，无需更名"
	}
	return ""
}

func init() { applicationEffects[AppChange] = changeEffect }

// changeStillAllowed rechecks at the decision what may have changed since the filing: the certificate valid and
// unlocked, and, for an employer change, the person's decided employer changes of the year (two filed at once
// both passed the check when filed).
func changeStillAllowed(ctx context.Context, tx bun.IDB, c *Certificate, app *CertApplication, now time.Time) error {
	if c.IsLocked(now) {
		return ErrCertificateLocked
	}
	if c.Status != CertValid {
		return ErrCertNotValid
	}
	if app.ChangeType != ChangeInside || !changesEmployer(app) {
		return nil
	}
	n, err := EmployerChangesInYear(ctx, tx, c.PersonID, now)
	if err == nil && n >= MaxEmployerChanges {
		err = ErrTooManyEmployerChanges
	}
	return err
}

// changeEffect is 决定通过 of a change: 注销 and 离京变更 move the certificate's state (through its own transition
// table); every other type writes the old version to the history (with its verification token, so an old QR says
// 已换发) and re-issues the certificate with the new values, a new token and a new 电子证照标识 version.
func changeEffect(ctx context.Context, tx bun.IDB, actor Actor, app *CertApplication, batch string, now time.Time) error {
	if app.CertificateID == nil {
		return ErrNotFound
	}
	c, err := certificateForUpdate(ctx, tx, *app.CertificateID, 0)
	if err != nil {
		return err
	}
	if err := changeStillAllowed(ctx, tx, c, app, now); err != nil {
		return fmt.Errorf("%w：证书 %s %s", err, c.Number, ChangeRuleMessage(err)) // the inbox shows the Chinese
	}
	reason := ChangeTypeLabel(app.ChangeType) + "（申请批号 " + app.BatchNo + "）"
	switch app.ChangeType {
	case ChangeCancel, ChangeLeave:
		to := CertCancelled
		if app.ChangeType == ChangeLeave {
			to = CertTransferredOut
		}
		_, err := moveCertificates(ctx, tx, actor, []Certificate{*c}, Move[CertStatus]{IDs: []int64{c.ID}, From: c.Status,
			To: to, BatchNo: batch, Reason: reason}, now)
		return err
	}
	set := map[string]any{"business": BusinessChange}
	switch app.ChangeType {
	case ChangeReplace:
		set["business"] = BusinessReissue
	case ChangeRename:
		set["employer_name"], set["employer_code"] = app.EmployerName, app.EmployerCode
	case ChangeInside:
		set["name"], set["gender"], set["birth_date"], set["id_number"] = app.Name, app.Gender, app.BirthDate, app.IDNumber
		set["employer_name"], set["employer_code"] = app.EmployerName, app.EmployerCode
		if changesPhoto(app) {
			set["photo_key"] = app.PhotoKey
		}
		if changesEmployer(app) {
			set["organization_id"] = app.OrganizationID
		}
		for k, v := range map[string]string{"duty": app.Duty, "title": app.Title} {
			if v != "" {
				set[k] = v
			}
		}
	}
	if err := newCertificateVersion(ctx, tx, actor, c, OpChange, reason, batch, set, now); err != nil {
		return err
	}
	return actor.Audit(ctx, tx, EventCertChanged, "certificate:"+strconv.FormatInt(c.ID, 10), "ok",
		fmt.Sprintf("%s 第 %d 版，%s", c.Number, c.Version+1, reason))
}

// ApplicationCertInfo is the 证书编号 and 岗位 an application is about: its certificate's (renewal, change), or the
// ones applied with (transfer-in). The caller has already read the application in its scope.
func ApplicationCertInfo(ctx context.Context, db bun.IDB, app *CertApplication) (number, post string, err error) {
	if app.CertificateID != nil {
		var c Certificate
		err = db.NewSelect().Model(&c).Column("number", "post_name").Where("id = ?", *app.CertificateID).Scan(ctx)
		return c.Number, c.PostName, notFound(err)
	}
	if app.CategoryID != nil {
		err = db.NewSelect().Table("exam_categories").Column("name").Where("id = ?", *app.CategoryID).Scan(ctx, &post)
		if err = notFound(err); err != nil {
			return "", "", err
		}
	}
	return app.CertNumber, post, nil
}

// ChangeDraft is a 京内变更 of c not yet typed: 变更前 and 变更后 both the certificate's values (the blank form).
func ChangeDraft(c *Certificate) CertApplication { return beforeOf(c, ChangeInside) }
