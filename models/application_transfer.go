package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
)

// 证书进京 (LIFECYCLE §10): a 安管 certificate another province released (办理转出) is applied for here, confirmed by
// the Beijing employer, taken through the registry's steps, and on 决定通过 re-issued as a new Beijing certificate.

// Sources of a transfer-in's certificate data.
const (
	TransferFromPlatform = "platform" // picked from the national platform's outgoing list
	TransferManual       = "manual"   // typed by the applicant
)

// Validity a certificate must still have to be transferred in, and under which the applicant is warned.
const (
	TransferMinDays  = 15
	TransferWarnDays = 90
)

// TransferWarning is shown when the certificate comes with less than TransferWarnDays of validity.
const TransferWarning = "证书有效期不足90天，请在进京后及时办理续期"

// transferDuties are the 职务 each 安管 类别 allows (by the code's letter: A, B, C1–C3).
var transferDuties = map[string][]string{
	"A": {"企业主要负责人", "法定代表人"},
	"B": {"项目负责人（项目经理）"},
	"C": {"专职安全生产管理人员"},
}

// TransferDuties lists every 职务 a transfer-in may name, in the order of the 类别.
var TransferDuties = []string{"企业主要负责人", "法定代表人", "项目负责人（项目经理）", "专职安全生产管理人员"}

// dutyFits says whether duty fits the 安管 类别 code.
func dutyFits(code, duty string) bool {
	if code == "" {
		return false
	}
	for _, d := range transferDuties[code[:1]] {
		if d == duty {
			return true
		}
	}
	return false
}

// TransferInput is the 证书进京申请表 as typed (dates as text; gender and birth date come from the ID number).
type TransferInput struct {
	IDNumber        string
	Name            string
	Phone           string
	Title           string // 技术职称
	Duty            string // 职务
	CategoryID      int64  // 岗位 (安管 类别)
	CertNumber      string
	Authority       string // 发证机关
	FirstIssuedOn   string // 发证日期
	ValidFrom       string
	ValidUntil      string
	OrigEmployer    string // 原聘用单位
	EmployerName    string // 现聘用单位
	EmployerCode    string // its 统一社会信用代码
	Source          string // TransferFromPlatform or TransferManual
	SourceLicenseID string
}

// TransferCategories are the 岗位 a certificate can be transferred in for: the 安管 categories.
func TransferCategories(ctx context.Context, db bun.IDB) ([]ExamCategory, error) {
	var cs []ExamCategory
	err := db.NewSelect().Model(&cs).Where("cert_kind = ?", CertSafety).Where("number_template <> ''").
		OrderExpr("cert_code, name").Scan(ctx)
	return cs, err
}

// TransferCategoryByCode is the 安管 岗位 of a 类别 code (A, B, C1 …), as the national platform names it.
func TransferCategoryByCode(ctx context.Context, db bun.IDB, code string) (*ExamCategory, error) {
	c := new(ExamCategory)
	err := db.NewSelect().Model(c).Where("cert_kind = ? AND cert_code = ?", CertSafety, strings.TrimSpace(code)).
		Where("number_template <> ''").Limit(1).Scan(ctx)
	return c, notFound(err)
}

// checkTransfer checks every rule of a transfer-in application and returns it filled, with the warning under 90
// days of validity. self is the application being corrected (0 for a new one), left out of the duplicate check.
func checkTransfer(ctx context.Context, db bun.IDB, actor Actor, in TransferInput, self int64) (*CertApplication, string, error) {
	errs := FieldErrors{}
	app := &CertApplication{Kind: AppTransferIn, CertNumber: strings.TrimSpace(in.CertNumber),
		Authority: strings.TrimSpace(in.Authority), OrigEmployer: strings.TrimSpace(in.OrigEmployer),
		Name: strings.TrimSpace(in.Name), Phone: NormalizePhone(in.Phone), Title: strings.TrimSpace(in.Title),
		Duty: strings.TrimSpace(in.Duty), EmployerName: strings.TrimSpace(in.EmployerName), Source: TransferManual}
	if in.Source == TransferFromPlatform && in.SourceLicenseID != "" {
		app.Source, app.SourceLicenseID = TransferFromPlatform, strings.TrimSpace(in.SourceLicenseID)
	}
	checkTransferPerson(app, in.IDNumber, errs)
	for field, v := range map[string]string{"cert_number": app.CertNumber, "authority": app.Authority, "orig_employer": app.OrigEmployer} {
		if v == "" {
			errs[field] = "请填写" + transferLabels[field]
		}
	}
	cat := new(ExamCategory)
	if in.CategoryID == 0 || db.NewSelect().Model(cat).Where("id = ? AND cert_kind = ?", in.CategoryID, CertSafety).Scan(ctx) != nil {
		errs["category_id"] = "请选择岗位（安管人员类别）"
		cat = nil
	} else {
		app.CategoryID = &cat.ID
		if !dutyFits(cat.CertCode, app.Duty) {
			errs["duty"] = "职务与岗位不符：" + cat.Name + "应为" + strings.Join(transferDuties[cat.CertCode[:1]], "或")
		}
		checkTransferAge(app, cat, civilDate(Now()), errs)
	}
	warning := checkTransferDates(app, in, errs)
	if err := checkTransferEmployer(ctx, db, app, in.EmployerCode, errs); err != nil {
		return nil, "", err
	}
	if actor.Is(RolePractitioner) && actor.Account.PersonID != nil && app.IDNumber != "" {
		p, err := GetPerson(ctx, db, *actor.Account.PersonID)
		if err != nil {
			return nil, "", err
		}
		if p.IDNumber != app.IDNumber {
			errs["id_number"] = "个人账号只能为本人申请证书进京"
		}
	}
	if len(errs) == 0 {
		if err := checkTransferUnique(ctx, db, app, cat, self, errs); err != nil {
			return nil, "", err
		}
	}
	if len(errs) > 0 {
		return nil, "", errs
	}
	if p, err := FindPersonByIDNumber(ctx, db, app.IDNumber); err == nil {
		app.PersonID = &p.ID
	} else if !errors.Is(err, ErrNotFound) {
		return nil, "", err
	}
	return app, warning, nil
}

// checkTransferPerson checks the person part: an 18-digit ID number (gender and birth date come from it), the
// name, the phone (optional) and the 技术职称.
func checkTransferPerson(app *CertApplication, idNumber string, errs FieldErrors) {
	idn, err := ident.ParseIDNumber(idNumber)
	switch {
	case err != nil:
		errs["id_number"] = err.Error()
	case idn.Converted:
		errs["id_number"] = "证书进京只受理18位身份证号"
	default:
		birth := idn.BirthDate
		app.IDNumber, app.Gender, app.BirthDate = idn.Number, idn.Gender.String(), &birth
	}
	if msg := CheckName(app.Name); msg != "" {
		errs["name"] = msg
	}
	if app.Phone != "" && !ValidPhone(app.Phone) {
		errs["phone"] = "联系电话格式不正确"
	}
	if app.Title != "" && !slices.Contains(Titles, app.Title) {
		errs["title"] = "请从列表中选择技术职称"
	}
}

var transferLabels = map[string]string{"cert_number": "证书编号", "authority": "发证机关", "orig_employer": "原聘用单位",
	"first_issued_on": "发证日期", "valid_from": "有效期起", "valid_until": "有效期止"}

// checkTransferDates parses the dates: 发证日期 ≤ 有效期起 < 有效期止, at least TransferMinDays left; the warning
// under TransferWarnDays.
func checkTransferDates(app *CertApplication, in TransferInput, errs FieldErrors) string {
	dates := map[string]**time.Time{"first_issued_on": &app.FirstIssuedOn, "valid_from": &app.ValidFrom, "valid_until": &app.ValidUntil}
	for field, s := range map[string]string{"first_issued_on": in.FirstIssuedOn, "valid_from": in.ValidFrom, "valid_until": in.ValidUntil} {
		if strings.TrimSpace(s) == "" {
			errs[field] = "请填写" + transferLabels[field]
			continue
		}
		t, err := ParseDate(s)
		if err != nil {
			errs[field] = transferLabels[field] + "格式应为 2006-01-02"
			continue
		}
		*dates[field] = &t
	}
	if app.FirstIssuedOn == nil || app.ValidFrom == nil || app.ValidUntil == nil {
		return ""
	}
	today := civilDate(Now())
	switch {
	case app.FirstIssuedOn.After(today):
		errs["first_issued_on"] = "发证日期不能晚于今天"
	case app.ValidFrom.Before(*app.FirstIssuedOn):
		errs["valid_from"] = "有效期起不能早于发证日期"
	case !app.ValidUntil.After(*app.ValidFrom):
		errs["valid_until"] = "有效期止应晚于有效期起"
	case app.ValidUntil.Before(today.AddDate(0, 0, TransferMinDays)):
		errs["valid_until"] = fmt.Sprintf("证书有效期不足%d天，不能办理进京", TransferMinDays)
	case app.ValidUntil.Before(today.AddDate(0, 0, TransferWarnDays)):
		return TransferWarning
	}
	return ""
}

// checkTransferEmployer: the 现聘用单位 must be an enterprise registered here under that code and name; it is the
// employer who confirms (OrganizationID).
func checkTransferEmployer(ctx context.Context, db bun.IDB, app *CertApplication, code string, errs FieldErrors) error {
	if strings.TrimSpace(code) == "" {
		errs["employer_code"] = "请填写现聘用单位的统一社会信用代码"
		return nil
	}
	res, err := LookupOrganization(ctx, db, code)
	var ie *ident.Error
	switch {
	case errors.As(err, &ie):
		errs["employer_code"] = ie.Error()
		return nil
	case err != nil:
		return err
	}
	app.EmployerCode = res.Code
	switch {
	case len(res.Code) != 18:
		errs["employer_code"] = "请填写现聘用单位的18位统一社会信用代码"
	case res.Org == nil || res.Org.Kind != KindEnterprise:
		errs["employer_code"] = "现聘用单位未在本市登记，请单位先在本系统注册"
	case app.EmployerName == "":
		errs["employer_name"] = "请填写现聘用单位名称"
	case res.Org.Name != app.EmployerName:
		errs["employer_name"] = "单位名称与统一社会信用代码不符（登记名称：" + res.Org.Name + "）"
	default:
		app.OrganizationID = &res.Org.ID
	}
	return nil
}

// checkTransferUnique: no open or approved transfer-in with this 证书编号, nor for this person and 岗位; no valid
// Beijing certificate of the 岗位 (类别 A: one at another unit is allowed).
func checkTransferUnique(ctx context.Context, db bun.IDB, app *CertApplication, cat *ExamCategory, self int64, errs FieldErrors) error {
	live := append(append([]AppStatus{}, OpenAppStatuses...), AppDecided)
	q := db.NewSelect().Model((*CertApplication)(nil)).Where("app.kind = ?", AppTransferIn).
		Where("app.status IN (?)", bun.List(live)).Where("app.id <> ?", self)
	n, err := q.Clone().Where("app.cert_number = ?", app.CertNumber).Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		errs["cert_number"] = "该证书编号已申请进京，不能重复申请"
		return nil
	}
	if n, err = q.Where("app.id_number = ? AND app.category_id = ?", app.IDNumber, cat.ID).Count(ctx); err != nil {
		return err
	}
	if n > 0 {
		errs["category_id"] = "此人已申请该岗位的证书进京，不能重复申请"
		return nil
	}
	held, err := heldBeijing(ctx, db, app, cat)
	if err != nil {
		return err
	}
	if held != "" {
		errs["category_id"] = "此人已持有本市该岗位有效证书（" + held + "），不能办理进京"
	}
	return nil
}

// heldBeijing is the number of a valid Beijing certificate of cat the person holds ("" when none).
func heldBeijing(ctx context.Context, db bun.IDB, app *CertApplication, cat *ExamCategory) (string, error) {
	var numbers []string
	q := db.NewSelect().Table("certificates").Column("number").Where("id_number = ? AND category_id = ?", app.IDNumber, cat.ID).
		Where("status = ?", CertValid)
	if strings.HasPrefix(cat.CertCode, "A") && app.OrganizationID != nil {
		q = q.Where("organization_id = ?", *app.OrganizationID)
	}
	if err := q.Limit(1).Scan(ctx, &numbers); err != nil {
		return "", err
	}
	if len(numbers) == 0 {
		return "", nil
	}
	return numbers[0], nil
}

// checkTransferAge refuses a person already at the retirement age for the 岗位 (their certificate could not run a day).
func checkTransferAge(app *CertApplication, cat *ExamCategory, today time.Time, errs FieldErrors) {
	if app.BirthDate == nil || errs["id_number"] != "" {
		return
	}
	if cap, ok := RetirementCap(cat.CertKind, cat.CertCode, app.Gender, *app.BirthDate); ok && !cap.After(today) {
		errs["id_number"] = "已达退休年龄，不能办理证书进京"
	}
}

func mayFileTransfer(actor Actor) bool {
	return actor.AccountID() != nil && (actor.Is(RolePractitioner) || actor.Is(RoleTraining))
}

// FileTransferIn is 【保存】 of a 证书进京申请表 by a practitioner (for themself) or a training institution: every check
// of LIFECYCLE §10, then the application is filed under a new 申请批号 (JJSQ) and waits for the employer's
// confirmation. It returns the application and the warning under 90 days of validity. Rule failures are FieldErrors.
func FileTransferIn(ctx context.Context, db bun.IDB, actor Actor, in TransferInput) (*CertApplication, string, error) {
	if !mayFileTransfer(actor) {
		return nil, "", ErrNotAllowed
	}
	var app *CertApplication
	var warning string
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if app, warning, err = checkTransfer(ctx, tx, actor, in, 0); err != nil {
			return err
		}
		apps := []CertApplication{*app}
		if _, err := FileApplications(ctx, tx, actor, apps); err != nil {
			return err
		}
		*app = apps[0]
		return tx.NewSelect().Model(app).WherePK().Scan(ctx)
	})
	if errors.Is(err, ErrOpenApplication) { // the same 证书编号 filed at the same moment (the unique index)
		return nil, "", FieldErrors{"cert_number": "该证书编号已申请进京，不能重复申请"}
	}
	if err != nil {
		return nil, "", err
	}
	return app, warning, nil
}

// ResubmitTransferIn is 【保存】 of an application returned for changes (退回修改): the corrected form, checked as a new
// one (itself left out of the duplicates), submitted again under a new 申请批号. Another's application is ErrNotFound.
func ResubmitTransferIn(ctx context.Context, db bun.IDB, actor Actor, id int64, in TransferInput) (*CertApplication, string, error) {
	var warning string
	var out *CertApplication
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		cur, err := ApplicationFor(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if cur.Kind != AppTransferIn || !MayEditApplication(actor, cur) {
			return ErrNotFound
		}
		if cur.Status != AppReturned {
			return fmt.Errorf("%w: %s", ErrNoTransition, cur.StatusLabel())
		}
		app, w, err := checkTransfer(ctx, tx, actor, in, cur.ID)
		if err != nil {
			return err
		}
		warning = w
		set := map[string]any{"name": app.Name, "gender": app.Gender, "birth_date": app.BirthDate, "id_number": app.IDNumber,
			"phone": app.Phone, "title": app.Title, "duty": app.Duty, "category_id": app.CategoryID, "cert_number": app.CertNumber,
			"authority": app.Authority, "first_issued_on": app.FirstIssuedOn, "valid_from": app.ValidFrom,
			"valid_until": app.ValidUntil, "orig_employer": app.OrigEmployer, "employer_name": app.EmployerName,
			"employer_code": app.EmployerCode, "organization_id": app.OrganizationID, "person_id": app.PersonID,
			"source": app.Source, "source_license_id": app.SourceLicenseID}
		cur.OrganizationID = app.OrganizationID
		if _, err := ResubmitApplication(ctx, tx, actor, cur, set); err != nil {
			return err
		}
		out = new(CertApplication)
		return tx.NewSelect().Model(out).Where("app.id = ?", id).Scan(ctx)
	})
	if err != nil {
		return nil, "", err
	}
	return out, warning, nil
}

// ErrTransferHeld: at the decision the person already holds a valid Beijing certificate of the 岗位.
var ErrTransferHeld = errors.New("此人已持有本市该岗位有效证书")

// ErrTransferExpired: at the decision the original certificate is no longer valid.
var ErrTransferExpired = errors.New("原证书已过有效期")

func init() { applicationEffects[AppTransferIn] = issueTransferIn }

// issueTransferIn is the effect of 决定通过 on a transfer-in: a new Beijing certificate of the 岗位 with a new number,
// 发证日期 = 有效期起 = today, 有效期止 = the original's (capped by the retirement age), business 进京, a history
// row 新发; the person is found by ID number or created; the application keeps the new certificate's id.
func issueTransferIn(ctx context.Context, tx bun.IDB, actor Actor, app *CertApplication, batch string, now time.Time) error {
	if app.CategoryID == nil || app.ValidUntil == nil {
		return fmt.Errorf("%w：申请未填岗位或有效期", ErrNoCertKind)
	}
	cat := new(ExamCategory)
	if err := tx.NewSelect().Model(cat).Where("id = ?", *app.CategoryID).Scan(ctx); err != nil {
		return err
	}
	if cat.CertKind == "" || cat.NumberTemplate == "" {
		return fmt.Errorf("%w：岗位 %s 不发证", ErrNoCertKind, cat.Name)
	}
	from := civilDate(now)
	until := civilDate(*app.ValidUntil)
	if !until.After(from) {
		return ErrTransferExpired
	}
	if app.BirthDate != nil {
		if cap, ok := RetirementCap(cat.CertKind, cat.CertCode, app.Gender, *app.BirthDate); ok {
			if !cap.After(from) {
				return fmt.Errorf("%w：%s 已达退休年龄，不能发证", ErrOverAge, app.Name)
			}
			until = minTime(until, cap)
		}
	}
	held, err := heldBeijing(ctx, tx, app, cat)
	if err != nil {
		return err
	}
	if held != "" {
		return fmt.Errorf("%w（%s）", ErrTransferHeld, held)
	}
	p, err := transferPerson(ctx, tx, app)
	if err != nil {
		return err
	}
	first := from
	if app.FirstIssuedOn != nil {
		first = civilDate(*app.FirstIssuedOn)
	}
	cert := &Certificate{PersonID: p.ID, Name: app.Name, Gender: app.Gender, BirthDate: app.BirthDate, IDNumber: app.IDNumber,
		EmployerName: app.EmployerName, EmployerCode: app.EmployerCode, OrganizationID: app.OrganizationID, Duty: app.Duty,
		Title: app.Title, FirstIssuedOn: first, IssuedOn: from, ValidFrom: from, ValidUntil: &until,
		Business: BusinessTransferIn, PhotoKey: p.PhotoKey, SourceNumber: app.CertNumber, SourceLicense: app.SourceLicenseID}
	if err := insertCertificate(ctx, tx, actor, cat, cert, "证书进京，原证书 "+app.CertNumber, batch, now); err != nil {
		return err
	}
	app.NewCertificateID, app.PersonID = &cert.ID, &p.ID
	if _, err := tx.NewUpdate().Table("cert_applications").Set("new_certificate_id = ?", cert.ID).
		Set("person_id = ?", p.ID).Where("id = ?", app.ID).Exec(ctx); err != nil {
		return err
	}
	return actor.Audit(ctx, tx, EventCertIssued, "certificate:"+cert.Number, "ok",
		"证书进京，原证书 "+app.CertNumber+"（"+app.Authority+"），申请批号 "+app.BatchNo)
}

// transferPerson is the person of the application: the one with the ID number, or a new record from the form.
func transferPerson(ctx context.Context, tx bun.IDB, app *CertApplication) (*Person, error) {
	p, err := FindPersonByIDNumber(ctx, tx, app.IDNumber)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return p, err
	}
	p = &Person{IDNumber: app.IDNumber, Name: app.Name, Gender: app.Gender, BirthDate: app.BirthDate, Phone: app.Phone,
		Title: app.Title, OrganizationID: app.OrganizationID, EmployerName: app.EmployerName, EmployerCode: app.EmployerCode}
	return p, InsertPerson(ctx, tx, p)
}
