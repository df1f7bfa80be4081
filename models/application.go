package models

import (
	"time"

	"github.com/uptrace/bun"
)

// AppKind is the kind of a 证书申请 (LIFECYCLE §8–10).
type AppKind string

// Kinds of application.
const (
	AppRenewal    AppKind = "renewal"     // 证书续期
	AppChange     AppKind = "change"      // 证书变更
	AppTransferIn AppKind = "transfer_in" // 证书进京
)

// AppKinds lists the kinds in the order screens show them.
var AppKinds = []AppKind{AppRenewal, AppChange, AppTransferIn}

// Label is the kind's Chinese name.
func (k AppKind) Label() string {
	switch k {
	case AppRenewal:
		return "证书续期"
	case AppChange:
		return "证书变更"
	case AppTransferIn:
		return "证书进京"
	}
	return string(k)
}

// Batch kinds of 证书申请 (LIFECYCLE §2): one 申请批号 per submission, one 批号 per step of the registry's, of the
// application's kind (续期 XQ…, 变更 BG…, 进京 JJ…; 进京's decision is 编号, JJBH). LIFECYCLE names no kind for the
// employer's 单位确认, for 退回修改, or for a 进京 不予通过: those keep the generic SQ… kinds.
const (
	BatchRenewalApply    = "XQSQ" // 续期申请
	BatchRenewalAccept   = "XQSL" // 续期受理
	BatchRenewalReview   = "XQSH" // 续期审核
	BatchRenewalDecide   = "XQJD" // 续期决定（通过或不予通过）
	BatchChangeApply     = "BGSQ" // 变更申请
	BatchChangeAccept    = "BGSL" // 变更受理
	BatchChangeReview    = "BGSH" // 变更审核
	BatchChangeDecide    = "BGJD" // 变更决定（通过或不予通过）
	BatchTransferApply   = "JJSQ" // 进京申请
	BatchTransferAccept  = "JJSL" // 进京受理
	BatchTransferReview  = "JJSH" // 进京审核
	BatchTransferNumber  = "JJBH" // 进京编号（决定通过，发新证）
	BatchAppConfirm      = "SQQR" // 单位确认
	BatchAppReturn       = "SQTH" // 退回修改
	BatchTransferRefused = "SQJD" // 进京不予通过
)

// ApplyBatchKind is the 申请批号 kind of a submission of kind k.
func (k AppKind) ApplyBatchKind() string {
	switch k {
	case AppRenewal:
		return BatchRenewalApply
	case AppChange:
		return BatchChangeApply
	}
	return BatchTransferApply
}

// AppStatus is where an application stands.
type AppStatus string

// States of an application.
const (
	AppDraft       AppStatus = "draft"        // 填报中
	AppUnitPending AppStatus = "unit_pending" // 待单位确认
	AppApplied     AppStatus = "applied"      // 已申请
	AppAccepted    AppStatus = "accepted"     // 已受理
	AppReviewed    AppStatus = "reviewed"     // 已审核
	AppDecided     AppStatus = "decided"      // 已决定 (approved: the certificate changed or was issued)
	AppRejected    AppStatus = "rejected"     // 不予通过 (不予受理, 审核不通过, 决定不通过), with a reason
	AppReturned    AppStatus = "returned"     // 退回修改, with a reason
	AppWithdrawn   AppStatus = "withdrawn"    // 已撤回 by the applicant
)

// AppStatuses lists the states in the order of the flow.
var AppStatuses = []AppStatus{AppDraft, AppUnitPending, AppApplied, AppAccepted, AppReviewed, AppDecided, AppRejected,
	AppReturned, AppWithdrawn}

// AppStatusLabels names each state in Chinese.
var AppStatusLabels = map[AppStatus]string{AppDraft: "填报中", AppUnitPending: "待单位确认", AppApplied: "已申请",
	AppAccepted: "已受理", AppReviewed: "已审核", AppDecided: "已决定", AppRejected: "不予通过", AppReturned: "退回修改",
	AppWithdrawn: "已撤回"}

// Label is the state's Chinese name; a decided transfer-in is 已编号 (its new certificate has a number).
func (s AppStatus) Label() string { return AppStatusLabels[s] }

// Open says whether an application in s still waits for someone: it blocks a second one on the same certificate.
func (s AppStatus) Open() bool {
	switch s {
	case AppDecided, AppRejected, AppWithdrawn:
		return false
	}
	return true
}

// OpenAppStatuses are the states that still wait for someone (see Open).
var OpenAppStatuses = func() (open []AppStatus) {
	for _, s := range AppStatuses {
		if s.Open() {
			open = append(open, s)
		}
	}
	return open
}()

// CertApplication is one 证书申请 (table cert_applications): a renewal or change of a certificate, or the
// transfer-in of one from another province. The columns of a kind it is not stay empty.
type CertApplication struct {
	bun.BaseModel `bun:"table:cert_applications,alias:app"`

	ID               int64      `bun:"id,pk,autoincrement"`
	Kind             AppKind    `bun:"kind,notnull"`
	ChangeType       string     `bun:"change_type,notnull"`
	Status           AppStatus  `bun:"status,notnull"`
	BatchNo          string     `bun:"batch_no,notnull"`
	CertificateID    *int64     `bun:"certificate_id"`
	NewCertificateID *int64     `bun:"new_certificate_id"`
	PersonID         *int64     `bun:"person_id"`
	OrganizationID   *int64     `bun:"organization_id"`
	FiledBy          int64      `bun:"filed_by,notnull"`
	FiledByOrg       *int64     `bun:"filed_by_org"`
	Name             string     `bun:"name,notnull"`
	Gender           string     `bun:"gender,notnull"`
	BirthDate        *time.Time `bun:"birth_date"`
	IDNumber         string     `bun:"id_number,notnull"`
	EmployerName     string     `bun:"employer_name,notnull"`
	EmployerCode     string     `bun:"employer_code,notnull"`
	PhotoKey         string     `bun:"photo_key,notnull"`
	Phone            string     `bun:"phone,notnull"`
	Duty             string     `bun:"duty,notnull"`
	Title            string     `bun:"title,notnull"`
	ContractType     string     `bun:"contract_type,notnull"`
	ContractFrom     *time.Time `bun:"contract_from"`
	ContractTo       *time.Time `bun:"contract_to"`
	BeforeName       string     `bun:"before_name,notnull"`
	BeforeGender     string     `bun:"before_gender,notnull"`
	BeforeBirthDate  *time.Time `bun:"before_birth_date"`
	BeforeIDNumber   string     `bun:"before_id_number,notnull"`
	BeforeEmployer   string     `bun:"before_employer_name,notnull"`
	BeforeEmpCode    string     `bun:"before_employer_code,notnull"`
	BeforePhotoKey   string     `bun:"before_photo_key,notnull"`
	CategoryID       *int64     `bun:"category_id"`
	CertNumber       string     `bun:"cert_number,notnull"`
	Authority        string     `bun:"authority,notnull"`
	FirstIssuedOn    *time.Time `bun:"first_issued_on"`
	ValidFrom        *time.Time `bun:"valid_from"`
	ValidUntil       *time.Time `bun:"valid_until"`
	OrigEmployer     string     `bun:"orig_employer,notnull"`
	Source           string     `bun:"source,notnull"`
	SourceLicenseID  string     `bun:"source_license_id,notnull"`
	Note             string     `bun:"note,notnull"`
	Reason           string     `bun:"reason,notnull"`
	SubmittedAt      *time.Time `bun:"submitted_at"`
	DecidedAt        *time.Time `bun:"decided_at"`
	CreatedAt        time.Time  `bun:"created_at,notnull"`
	UpdatedAt        time.Time  `bun:"updated_at,notnull"`
	Version          int        `bun:"version,notnull"`
}

// StatusLabel is the application's state as shown: a decided transfer-in reads 已编号.
func (a *CertApplication) StatusLabel() string {
	if a.Kind == AppTransferIn && a.Status == AppDecided {
		return "已编号"
	}
	return a.Status.Label()
}

// DaysWaiting is how many whole days the application has stood in its state at now.
func (a *CertApplication) DaysWaiting(now time.Time) int {
	return int(now.Sub(a.UpdatedAt).Hours() / 24)
}

var applicants = []Role{RolePractitioner, RoleEnterprise, RoleTraining}

// AppTransitions is the table of every application's steps (all kinds alike). The registry's steps and the
// employer's confirmation are never the filer's own (checked by ActOnApplications), and no step is skipped.
var AppTransitions = Transitions[AppStatus]{Kind: "application", Table: "cert_applications", Lines: []Transition[AppStatus]{
	{From: AppDraft, To: AppUnitPending, Roles: applicants, Action: "提交", Event: EventAppSubmitted},
	{From: AppDraft, To: AppApplied, Roles: applicants, Action: "提交", Event: EventAppSubmitted},
	{From: AppReturned, To: AppUnitPending, Roles: applicants, Action: "重新提交", Event: EventAppSubmitted},
	{From: AppReturned, To: AppApplied, Roles: applicants, Action: "重新提交", Event: EventAppSubmitted},
	{From: AppUnitPending, To: AppApplied, Roles: []Role{RoleEnterprise}, Action: "单位确认", Event: EventAppConfirmed},
	{From: AppUnitPending, To: AppReturned, Roles: []Role{RoleEnterprise}, Action: "退回修改", Event: EventAppReturned, NeedsReason: true},
	{From: AppApplied, To: AppAccepted, Roles: adminOnly, Action: "受理", Event: EventAppAccepted},
	{From: AppApplied, To: AppReturned, Roles: adminOnly, Action: "退回修改", Event: EventAppReturned, NeedsReason: true},
	{From: AppApplied, To: AppRejected, Roles: adminOnly, Action: "不予受理", Event: EventAppRejected, NeedsReason: true},
	{From: AppAccepted, To: AppReviewed, Roles: adminOnly, Action: "审核通过", Event: EventAppReviewed},
	{From: AppAccepted, To: AppReturned, Roles: adminOnly, Action: "退回修改", Event: EventAppReturned, NeedsReason: true},
	{From: AppAccepted, To: AppRejected, Roles: adminOnly, Action: "审核不通过", Event: EventAppRejected, NeedsReason: true},
	{From: AppReviewed, To: AppDecided, Roles: adminOnly, Action: "决定通过", Event: EventAppDecided},
	{From: AppReviewed, To: AppReturned, Roles: adminOnly, Action: "退回修改", Event: EventAppReturned, NeedsReason: true},
	{From: AppReviewed, To: AppRejected, Roles: adminOnly, Action: "决定不通过", Event: EventAppRejected, NeedsReason: true},
	{From: AppDraft, To: AppWithdrawn, Roles: applicants, Action: "删除", Event: EventAppWithdrawn},
	{From: AppUnitPending, To: AppWithdrawn, Roles: applicants, Action: "删除", Event: EventAppWithdrawn},
	{From: AppApplied, To: AppWithdrawn, Roles: applicants, Action: "删除", Event: EventAppWithdrawn},
	{From: AppReturned, To: AppWithdrawn, Roles: applicants, Action: "删除", Event: EventAppWithdrawn},
}}
