package models

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// AuditEvent is one row of the 操作日志. Rows are only ever inserted; the database refuses updates but for the
// sealer's one-time linking of the row into the hash chain.
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID             int64     `bun:"id,pk,autoincrement"`
	OccurredAt     time.Time `bun:"occurred_at,notnull"`
	AccountID      *int64    `bun:"account_id"`
	Username       string    `bun:"username,notnull"`
	Role           Role      `bun:"role,notnull"`
	OrganizationID *int64    `bun:"organization_id"`
	IP             string    `bun:"ip,notnull"`
	Event          string    `bun:"event,notnull"`
	Object         string    `bun:"object,notnull"`
	Result         string    `bun:"result,notnull"`
	Detail         string    `bun:"detail,notnull"`
	RequestID      string    `bun:"request_id,notnull"`

	// The hash chain (audit_chain.go): NULL until the sealer links the row in, then never changed.
	ChainSeq int64  `bun:"chain_seq,nullzero"`
	PrevHash string `bun:"prev_hash,nullzero"`
	RowHash  string `bun:"row_hash,nullzero"`
}

// Audit event names, every one of them, with their Chinese labels (EventLabels) for the 操作日志 screen: an area
// adds its events here, never elsewhere (TestEveryEventHasALabel).
const (
	EventLoginOK          = "login.ok"
	EventLoginFailed      = "login.failed"
	EventAccountLocked    = "account.locked"
	EventLogout           = "logout"
	EventPasswordChanged  = "password.changed"
	EventAccessDenied     = "access.denied"
	EventAccountCreated   = "account.created"
	EventPasswordReset    = "account.password_reset"
	EventAccountUnlocked  = "account.unlocked"
	EventAccountDisabled  = "account.disabled"
	EventAccountEnabled   = "account.enabled"
	EventAdminSetup       = "admin.setup"
	EventPersonLookup     = "person.lookup"
	EventPersonViewed     = "person.viewed"
	EventPersonAdded      = "person.added"
	EventPersonUpdated    = "person.updated"
	EventPersonRemoved    = "person.removed"
	EventPhotoUploaded    = "photo.uploaded"
	EventOrgCreated       = "organization.created"
	EventOrgUpdated       = "organization.updated"
	EventPlanSaved        = "plan.saved"
	EventPlanAdvanced     = "plan.advanced"
	EventRegApproved      = "registration.approved"
	EventRegReturned      = "registration.returned"
	EventRegUnitConfirmed = "registration.unit_confirmed"
	EventRegAccepted      = "registration.accepted"
	EventRegWithdrawn     = "registration.withdrawn"
	EventRegForfeited     = "registration.forfeited"
	EventRegUnticketed    = "registration.unticketed"
	EventRegResubmitted   = "registration.resubmitted"
	EventRegPaid          = "registration.paid"
	EventRegTicketed      = "registration.ticketed"
	EventRegScored        = "registration.scored"
	EventRegistered       = "registration.submitted"
	EventRegDeleted       = "registration.deleted"
	EventRegImported      = "registration.imported"
	EventExport           = "export"
	EventRegViewed        = "registration.viewed"
	EventRegPrintedAll    = "registration.printed_all"
	EventPaymentNoticed   = "registration.payment_noticed"
	// Audit events of the notices and background-job area.
	EventContactUpdated    = "account.contact_updated"
	EventDownloadRequested = "download.requested"
	EventJobRetried        = "job.retried"
	EventOutboxResent      = "outbox.resent"
	// Audit events of 考务编排 (放号 and 取消放号 are audited by the registrations' transition, with their 批号).
	EventSiteSaved        = "exam_site.saved"
	EventArrangementSaved = "arrangement.saved"
	// Audit events of the portal sign-in (login.ok and login.failed are the password path's own).
	EventPortalLinked = "portal.linked" // the first portal sign-in of an account: linked to, or created for, the identity
	EventPortalLogout = "portal.logout" // the portal's back-channel logout ended sessions
	// Audit events of 签到 and of 考务人员 scopes.
	EventCheckedIn           = "ticket.checked_in"
	EventMarkedAbsent        = "ticket.marked_absent"
	EventProctorScopeAdded   = "proctor.scope_added"
	EventProctorScopeRemoved = "proctor.scope_removed"
	// Audit events of 人员调入申请.
	EventJoinRequested = "join.requested"
	EventJoinAccepted  = "join.accepted"
	EventJoinDeclined  = "join.declined"
	EventJoinWithdrawn = "join.withdrawn"

	EventCertIssued         = "certificate.issued"
	EventCertSuspended      = "certificate.suspended"
	EventCertReturned       = "certificate.returned" // 暂扣发还
	EventCertAnnulled       = "certificate.annulled"
	EventCertRevoked        = "certificate.revoked"
	EventCertCancelled      = "certificate.cancelled"
	EventCertExpired        = "certificate.expired"
	EventCertTransferred    = "certificate.transferred_out"
	EventCertTransferUndone = "certificate.transfer_undone"
	EventCertLocked         = "certificate.locked"
	EventCertUnlocked       = "certificate.unlocked"
	EventCertReissued       = "certificate.reissued"
	EventCertChanged        = "certificate.changed" // 证书变更决定通过: a new version with the changed values
	EventCertReminded       = "certificate.reminded"
	EventCertViewed         = "certificate.viewed"
	// Audit events of 成绩 (the registrations' moves are audited by their transitions, with the 批号).
	EventScoresImported   = "results.imported"
	EventPassLinesSet     = "results.lines_set"
	EventResultsPublished = "results.published"
	EventResultsReopened  = "results.reopened"
	// Audit events of 证书申请 (续期, 变更, 进京): every step, with its 批号.
	EventAppSubmitted = "application.submitted"
	EventAppConfirmed = "application.confirmed"
	EventAppAccepted  = "application.accepted"
	EventAppReviewed  = "application.reviewed"
	EventAppDecided   = "application.decided"
	EventAppRejected  = "application.rejected"
	EventAppReturned  = "application.returned"
	EventAppWithdrawn = "application.withdrawn"
	EventAppEdited    = "application.edited"
	EventAppViewed    = "application.viewed"
)

// EventLabels names each event in Chinese, in the order the filter lists them.
var EventLabels = []struct{ Event, Label string }{
	{EventLoginOK, "登录成功"},
	{EventLoginFailed, "登录失败"},
	{EventAccountLocked, "账号锁定"},
	{EventLogout, "退出登录"},
	{EventPasswordChanged, "修改密码"},
	{EventAccessDenied, "越权访问被拒绝"},
	{EventAccountCreated, "创建账号"},
	{EventPasswordReset, "重置密码"},
	{EventAccountUnlocked, "解锁账号"},
	{EventAccountDisabled, "停用账号"},
	{EventAccountEnabled, "启用账号"},
	{EventAdminSetup, "初始化管理员"},
	{EventPersonLookup, "按身份证号查询人员"},
	{EventPersonViewed, "查看人员详细信息"},
	{EventPersonAdded, "新增人员"},
	{EventPersonUpdated, "修改人员信息"},
	{EventPersonRemoved, "移出人员"},
	{EventPhotoUploaded, "上传照片"},
	{EventOrgCreated, "新建单位"},
	{EventOrgUpdated, "修改单位"},
	{EventPlanSaved, "维护考试计划"},
	{EventPlanAdvanced, "考试计划状态变更"},
	{EventRegApproved, "报名审核通过"},
	{EventRegUnitConfirmed, "单位确认报名"},
	{EventRegAccepted, "受理报名"},
	{EventRegReturned, "退回修改"},
	{EventRegWithdrawn, "撤回报名"},
	{EventRegForfeited, "视为放弃（逾期未缴费）"},
	{EventRegUnticketed, "取消放号"},
	{EventRegResubmitted, "重新提交报名"},
	{EventRegPaid, "确认缴费"},
	{EventPaymentNoticed, "发送缴费通知"},
	{EventRegTicketed, "发放准考证"},
	{EventRegScored, "登记成绩"},
	{EventRegistered, "提交报名"},
	{EventRegDeleted, "删除报名"},
	{EventRegImported, "批量导入报名"},
	{EventExport, "导出/打印"},
	{EventRegViewed, "查看报名信息（含完整身份证号）"},
	{EventRegPrintedAll, "批量打印报名表（批量披露完整身份证号）"},
	{EventJoinRequested, "申请人员调入"},
	{EventJoinAccepted, "同意人员调入"},
	{EventJoinDeclined, "拒绝人员调入"},
	{EventJoinWithdrawn, "撤回人员调入申请"},
	{EventContactUpdated, "修改通知方式（邮箱/手机）"},
	{EventDownloadRequested, "申请后台生成文件"},
	{EventJobRetried, "重试后台任务"},
	{EventOutboxResent, "重发通知"},
	{EventSiteSaved, "维护考点"},
	{EventArrangementSaved, "维护考试科目/考场"},
	{EventPortalLinked, "关联网上办事大厅身份"},
	{EventPortalLogout, "网上办事大厅通知退出"},
	{EventCheckedIn, "考生签到"},
	{EventMarkedAbsent, "标记缺考"},
	{EventProctorScopeAdded, "添加考务人员签到范围"},
	{EventProctorScopeRemoved, "删除考务人员签到范围"},
	{EventCertIssued, "发证"},
	{EventCertSuspended, "暂扣证书"},
	{EventCertReturned, "暂扣发还"},
	{EventCertAnnulled, "撤销证书"},
	{EventCertRevoked, "吊销证书"},
	{EventCertCancelled, "注销证书"},
	{EventCertExpired, "证书过期失效"},
	{EventCertTransferred, "证书办理转出"},
	{EventCertTransferUndone, "取消转出"},
	{EventCertLocked, "锁定证书"},
	{EventCertUnlocked, "解锁证书"},
	{EventCertReissued, "换发证书"},
	{EventCertChanged, "变更证书"},
	{EventCertReminded, "证书到期提醒"},
	{EventCertViewed, "查看证书详细信息（含完整身份证号）"},
	{EventScoresImported, "导入成绩"},
	{EventPassLinesSet, "设置合格线"},
	{EventResultsPublished, "发布成绩"},
	{EventResultsReopened, "重新开放成绩（撤回发布）"},
	{EventAppSubmitted, "提交证书申请（续期/变更/进京）"},
	{EventAppConfirmed, "单位确认证书申请"},
	{EventAppAccepted, "受理证书申请"},
	{EventAppReviewed, "审核通过证书申请"},
	{EventAppDecided, "决定通过证书申请"},
	{EventAppRejected, "不予通过证书申请"},
	{EventAppReturned, "退回修改证书申请"},
	{EventAppWithdrawn, "删除（撤回）证书申请"},
	{EventAppEdited, "修改证书申请"},
	{EventAppViewed, "查看证书申请（完整证件号码）"},
}

// EventLabel returns the Chinese label of an event name (the name itself when it has none).
func EventLabel(event string) string {
	for _, e := range EventLabels {
		if e.Event == event {
			return e.Label
		}
	}
	return event
}

// RecordAudit appends one event that goes with no change of data (a sign-in attempt, a lookup, a download).
// OccurredAt is set here. Workflows write theirs with Actor.Audit inside their transaction.
func RecordAudit(ctx context.Context, db bun.IDB, ev *AuditEvent) error {
	return recordAudit(ctx, db, ev)
}

func recordAudit(ctx context.Context, db bun.IDB, ev *AuditEvent) error {
	ev.OccurredAt = Now()
	b := database.Bind(db) // every workflow writes one
	if _, err := b.Columns(db.NewInsert().Model(ev), ev).Returning("id").Conn(b.On(db)).Exec(ctx); err != nil {
		return err
	}
	return failureAfterAudit(ctx)
}

// AuditFilter narrows ListAudit. From and To are whole days in Beijing time; To is inclusive.
type AuditFilter struct {
	Username string
	Event    string
	From, To time.Time
	Offset   int
	Limit    int
}

// ListAudit returns a page of events, newest first, and how many match.
func ListAudit(ctx context.Context, db bun.IDB, f AuditFilter) ([]AuditEvent, int, error) {
	var evs []AuditEvent
	q := db.NewSelect().Model(&evs).OrderExpr("occurred_at DESC, id DESC")
	if u := NormalizeUsername(f.Username); u != "" {
		q = q.Where("username LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(u))+"%")
	}
	if f.Event != "" {
		q = q.Where("event = ?", f.Event)
	}
	if !f.From.IsZero() {
		q = q.Where("occurred_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("occurred_at < ?", f.To.AddDate(0, 0, 1).UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	n, err := q.Offset(int64(f.Offset)).Limit(int64(f.Limit)).ScanAndCount(ctx)
	return evs, int(n), err
}
