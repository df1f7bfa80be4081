package models

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// CertStatus is a certificate's validity state (LIFECYCLE §7), kept apart from its last business.
type CertStatus string

// Validity states.
const (
	CertValid          CertStatus = "valid"           // 有效
	CertSuspended      CertStatus = "suspended"       // 暂扣
	CertAnnulled       CertStatus = "annulled"        // 撤销 (fraud, wrongful issue)
	CertRevoked        CertStatus = "revoked"         // 吊销 (a penalty)
	CertCancelled      CertStatus = "cancelled"       // 注销
	CertExpired        CertStatus = "expired"         // 失效 (过期)
	CertTransferredOut CertStatus = "transferred_out" // 办理转出
)

// CertStatusLabels names the states in Chinese.
var CertStatusLabels = map[CertStatus]string{CertValid: "有效", CertSuspended: "暂扣", CertAnnulled: "撤销",
	CertRevoked: "吊销", CertCancelled: "注销", CertExpired: "失效（过期）", CertTransferredOut: "办理转出"}

// CertStatuses lists the states in display order.
var CertStatuses = []CertStatus{CertValid, CertSuspended, CertAnnulled, CertRevoked, CertCancelled, CertExpired, CertTransferredOut}

// Label is the state's Chinese name.
func (s CertStatus) Label() string { return CertStatusLabels[s] }

// NationalCode is the state's code on the national platform (LIFECYCLE §3): the names are the same for both kinds, the
// codes are not. Beijing sends an expired 安管 certificate as 04 注销 ("否则他省不认"); so do we.
func (s CertStatus) NationalCode(kind CertKind) string {
	safety := map[CertStatus]string{CertValid: "01", CertSuspended: "02", CertAnnulled: "03", CertCancelled: "04",
		CertExpired: "04", CertTransferredOut: "06", CertRevoked: "07"}
	special := map[CertStatus]string{CertValid: "01", CertSuspended: "02", CertRevoked: "03", CertAnnulled: "04",
		CertCancelled: "05", CertExpired: "06", CertTransferredOut: "99"}
	if kind == CertSpecial {
		return special[s]
	}
	if c, ok := safety[s]; ok {
		return c
	}
	return "99"
}

// CertBusiness is a certificate's last business (状态 in Beijing's sense).
type CertBusiness string

// Kinds of business.
const (
	BusinessFirst      CertBusiness = "first"       // 首次
	BusinessRenewal    CertBusiness = "renewal"     // 续期
	BusinessChange     CertBusiness = "change"      // 变更
	BusinessTransferIn CertBusiness = "transfer_in" // 进京
	BusinessReissue    CertBusiness = "reissue"     // 补办 / 换发
)

// CertBusinessLabels names the kinds of business in Chinese.
var CertBusinessLabels = map[CertBusiness]string{BusinessFirst: "首次", BusinessRenewal: "续期", BusinessChange: "变更",
	BusinessTransferIn: "进京", BusinessReissue: "换发"}

// Certificate is one certificate: the fields of LIFECYCLE §7 as they were at issue (or the last change).
type Certificate struct {
	bun.BaseModel `bun:"table:certificates,alias:cert"`

	ID              int64        `bun:"id,pk,autoincrement"`
	Number          string       `bun:"number,notnull"`
	LicenseID       *string      `bun:"license_id"`
	PersonID        int64        `bun:"person_id,notnull"`
	RegistrationID  *int64       `bun:"registration_id"`
	CategoryID      int64        `bun:"category_id,notnull"`
	Kind            CertKind     `bun:"kind,notnull"`
	Code            string       `bun:"code,notnull"`
	PostName        string       `bun:"post_name,notnull"`
	Name            string       `bun:"name,notnull"`
	Gender          string       `bun:"gender,notnull"`
	BirthDate       *time.Time   `bun:"birth_date"`
	IDNumber        string       `bun:"id_number,notnull"`
	EmployerName    string       `bun:"employer_name,notnull"`
	EmployerCode    string       `bun:"employer_code,notnull"`
	OrganizationID  *int64       `bun:"organization_id"`
	TrainingOrgID   *int64       `bun:"training_org_id"`
	TrainingOrgName string       `bun:"training_org_name,notnull"`
	Duty            string       `bun:"duty,notnull"`
	Title           string       `bun:"title,notnull"`
	Authority       string       `bun:"authority,notnull"`
	FirstIssuedOn   time.Time    `bun:"first_issued_on,notnull"`
	IssuedOn        time.Time    `bun:"issued_on,notnull"`
	ValidFrom       time.Time    `bun:"valid_from,notnull"`
	ValidUntil      *time.Time   `bun:"valid_until"`
	Status          CertStatus   `bun:"status,notnull"`
	StatusReason    string       `bun:"status_reason,notnull"`
	StatusChangedAt *time.Time   `bun:"status_changed_at"`
	Business        CertBusiness `bun:"business,notnull"`
	Locked          bool         `bun:"locked,notnull"`
	LockedUntil     *time.Time   `bun:"locked_until"`
	LockReason      string       `bun:"lock_reason,notnull"`
	PhotoKey        string       `bun:"photo_key,notnull"`
	SourceNumber    string       `bun:"source_number,notnull"`     // 证书进京: the original's 证书编号
	SourceLicense   string       `bun:"source_license_id,notnull"` // 证书进京: the original's 电子证照标识 (关联证照标识)
	BatchNo         string       `bun:"batch_no,notnull"`
	VerifyToken     string       `bun:"verify_token,notnull"`
	CreatedAt       time.Time    `bun:"created_at,notnull"`
	UpdatedAt       time.Time    `bun:"updated_at,notnull"`
	Version         int          `bun:"version,notnull"`
}

// IsLocked says whether the lock is on at now: a lock with no end date holds until lifted.
func (c *Certificate) IsLocked(now time.Time) bool {
	return c.Locked && (c.LockedUntil == nil || c.LockedUntil.After(now))
}

// ValidUntilText is 有效期至 as shown: the date, or 当前有效证书 for a certificate without an end date.
func (c *Certificate) ValidUntilText() string {
	if c.ValidUntil == nil {
		return "当前有效证书"
	}
	return c.ValidUntil.Format("2006-01-02")
}

// License is the 电子证照标识, or "".
func (c *Certificate) License() string {
	if c.LicenseID == nil {
		return ""
	}
	return *c.LicenseID
}

// CertHistory is one old version of a certificate, written before it changed.
type CertHistory struct {
	bun.BaseModel `bun:"table:certificate_history"`

	ID            int64        `bun:"id,pk,autoincrement"`
	CertificateID int64        `bun:"certificate_id,notnull"`
	Version       int          `bun:"version,notnull"`
	Operation     string       `bun:"operation,notnull"`
	Number        string       `bun:"number,notnull"`
	LicenseID     *string      `bun:"license_id"`
	EmployerName  string       `bun:"employer_name,notnull"`
	IssuedOn      time.Time    `bun:"issued_on,notnull"`
	ValidFrom     time.Time    `bun:"valid_from,notnull"`
	ValidUntil    *time.Time   `bun:"valid_until"`
	Status        CertStatus   `bun:"status,notnull"`
	StatusReason  string       `bun:"status_reason,notnull"`
	Business      CertBusiness `bun:"business,notnull"`
	Locked        bool         `bun:"locked,notnull"`
	VerifyToken   *string      `bun:"verify_token"`
	AccountID     *int64       `bun:"account_id"`
	Reason        string       `bun:"reason,notnull"`
	BatchNo       string       `bun:"batch_no,notnull"`
	ChangedAt     time.Time    `bun:"changed_at,notnull"`
}

// 操作类型 (LIFECYCLE §3) written to the history.
const (
	OpIssue      = "新发"
	OpRenew      = "延续"
	OpSuspend    = "暂扣"
	OpExpire     = "过期失效"
	OpCancel     = "注销（撤销/吊销/转出）"
	OpReturn     = "暂扣发还"
	OpOther      = "其他"
	OpChange     = "变更"
	OpUndoExport = "取消转出"
)

// historyOf is the history row that keeps c as it is now, before a change.
func historyOf(c *Certificate, actor Actor, op, reason, batch string, now time.Time) CertHistory {
	return CertHistory{CertificateID: c.ID, Version: c.Version, Operation: op, Number: c.Number, LicenseID: c.LicenseID,
		EmployerName: c.EmployerName, IssuedOn: c.IssuedOn, ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil,
		Status: c.Status, StatusReason: c.StatusReason, Business: c.Business, Locked: c.Locked,
		AccountID: actor.AccountID(), Reason: reason, BatchNo: batch, ChangedAt: now}
}

// newVerifyToken is a fresh verification token: 160 random bits, base32 without padding, lower case (32 characters).
func newVerifyToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Batch kinds of certificate actions.
const (
	BatchCertIssue  = "ZSFF" // 证书发放
	BatchCertStatus = "ZSZT" // 证书状态变更
)

// insertCertificate issues c, a certificate of the 岗位 cat filled in by the caller (holder, employer, dates): its
// number from the 岗位's template and the yearly counter of the year of issue, a verification token, its 电子证照标识,
// and, once stored, its 新发 history row (reason and batch as the caller's business says). Every way a certificate
// comes to be (发证, 进京, 存量证书) goes through here.
func insertCertificate(ctx context.Context, tx bun.IDB, actor Actor, cat *ExamCategory, c *Certificate, reason, batch string,
	now time.Time) error {
	year := c.IssuedOn.Year()
	serial, err := NextYearlyCounter(ctx, tx, "certificate:"+cat.NumberTemplate, year)
	if err != nil {
		return err
	}
	if c.Number, err = FormatCertNumber(cat.NumberTemplate, year, serial); err != nil {
		return err
	}
	c.CategoryID, c.Kind, c.Code, c.PostName, c.Authority = cat.ID, cat.CertKind, cat.CertCode, cat.Name, IssuingAuthority
	c.Status, c.BatchNo, c.VerifyToken, c.CreatedAt, c.UpdatedAt, c.Version = CertValid, batch, newVerifyToken(), now, now, 1
	if id := LicenseID(cat.CertKind, c.Number, 1); id != "" {
		c.LicenseID = &id
	}
	if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
		return err
	}
	h := historyOf(c, actor, OpIssue, reason, batch, now)
	_, err = tx.NewInsert().Model(&h).Exec(ctx)
	return err
}

// newCertificateVersion re-issues c with the changes in set (column → value): the version as it is goes to the
// history under op, keeping its verification token (an old printout's QR then says 已换发), and the new version gets
// a new token and the next 电子证照标识 version. Every re-issue (换发, 续期, 变更, 补办) goes through here.
func newCertificateVersion(ctx context.Context, tx bun.IDB, actor Actor, c *Certificate, op, reason, batch string,
	set map[string]any, now time.Time) error {
	h := historyOf(c, actor, op, reason, batch, now)
	h.VerifyToken = &c.VerifyToken
	if _, err := tx.NewInsert().Model(&h).Exec(ctx); err != nil {
		return err
	}
	set["verify_token"] = newVerifyToken()
	if lid := LicenseID(c.Kind, c.Number, c.Version+1); lid != "" {
		set["license_id"] = lid
	}
	return guardedCertUpdate(ctx, tx, c, set)
}
