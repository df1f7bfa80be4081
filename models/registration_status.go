package models

// RegistrationTransitions is the table of a registration's status changes (LIFECYCLE §4): who may move a
// registration from which status to which, and what the move is called. Which of two lines applies (受理 or
// straight to 审核; 已审核 or 已缴费 before 放号) depends on the plan, and the verbs choose; the table says who may.
// Review, payment and arrangement make their changes through it, in batches that share one 批号.
var RegistrationTransitions = Transitions[RegStatus]{Kind: "registration", Table: "registrations", Lines: []Transition[RegStatus]{
	// 单位确认: the enterprise the registration names vouches for its employee.
	{From: RegSubmitted, To: RegUnitConfirmed, Roles: []Role{RoleEnterprise}, Action: "单位确认", Event: EventRegUnitConfirmed},
	{From: RegSubmitted, To: RegReturned, Roles: []Role{RoleEnterprise}, Action: "退回修改", Event: EventRegReturned, NeedsReason: true},
	// 受理 (when the plan has the step) and 审核 by the registry.
	{From: RegUnitConfirmed, To: RegAccepted, Roles: []Role{RoleAdmin}, Action: "受理", Event: EventRegAccepted},
	{From: RegUnitConfirmed, To: RegApproved, Roles: []Role{RoleAdmin}, Action: "审核通过", Event: EventRegApproved},
	{From: RegUnitConfirmed, To: RegReturned, Roles: []Role{RoleAdmin}, Action: "退回修改", Event: EventRegReturned, NeedsReason: true},
	{From: RegAccepted, To: RegApproved, Roles: []Role{RoleAdmin}, Action: "审核通过", Event: EventRegApproved},
	{From: RegAccepted, To: RegReturned, Roles: []Role{RoleAdmin}, Action: "退回修改", Event: EventRegReturned, NeedsReason: true},
	// The applicant answers 退回修改: resubmit (to the enterprise when one must confirm, else to the registry), or
	// withdraw. A withdrawn registration may be filed again the same way.
	{From: RegReturned, To: RegSubmitted, Roles: applicantRoles, Action: "重新提交", Event: EventRegResubmitted},
	{From: RegReturned, To: RegUnitConfirmed, Roles: applicantRoles, Action: "重新提交", Event: EventRegResubmitted},
	{From: RegReturned, To: RegWithdrawn, Roles: applicantRoles, Action: "撤回", Event: EventRegWithdrawn},
	// A registration waiting for the registry is locked under review: its filer takes it back (撤回) to change it.
	{From: RegUnitConfirmed, To: RegWithdrawn, Roles: applicantRoles, Action: "撤回", Event: EventRegWithdrawn},
	{From: RegWithdrawn, To: RegSubmitted, Roles: applicantRoles, Action: "重新提交", Event: EventRegResubmitted},
	{From: RegWithdrawn, To: RegUnitConfirmed, Roles: applicantRoles, Action: "重新提交", Event: EventRegResubmitted},
	// Payment, when the plan charges; unpaid after 缴费截止 is 视为放弃 (a background job, as the system).
	{From: RegApproved, To: RegPaid, Roles: []Role{RoleAdmin}, Action: "确认缴费", Event: EventRegPaid},
	{From: RegApproved, To: RegForfeited, Roles: []Role{RoleSystem}, Action: "视为放弃", Event: EventRegForfeited},
	// 放号 gives numbers (from 已审核 in a free plan, from 已缴费 in a charged one); 取消放号 takes them back.
	{From: RegApproved, To: RegTicketed, Roles: []Role{RoleAdmin}, Action: "放号", Event: EventRegTicketed},
	{From: RegPaid, To: RegTicketed, Roles: []Role{RoleAdmin}, Action: "放号", Event: EventRegTicketed},
	{From: RegTicketed, To: RegApproved, Roles: []Role{RoleAdmin}, Action: "取消放号", Event: EventRegUnticketed},
	{From: RegTicketed, To: RegPaid, Roles: []Role{RoleAdmin}, Action: "取消放号", Event: EventRegUnticketed},
	// Results (issue 12).
	{From: RegTicketed, To: RegScored, Roles: []Role{RoleAdmin}, Action: "登记成绩", Event: EventRegScored},
	{From: RegScored, To: RegPassed, Roles: []Role{RoleAdmin}, Action: "合格", Event: EventResultsPublished},
	{From: RegScored, To: RegFailed, Roles: []Role{RoleAdmin}, Action: "不合格", Event: EventResultsPublished},
	// Only an admin reopens published results, with a reason: 合格/不合格 go back to 成绩未公告.
	{From: RegPassed, To: RegScored, Roles: []Role{RoleAdmin}, Action: "重新开放成绩", Event: EventResultsReopened, NeedsReason: true},
	{From: RegFailed, To: RegScored, Roles: []Role{RoleAdmin}, Action: "重新开放成绩", Event: EventResultsReopened, NeedsReason: true},
}}

var applicantRoles = []Role{RolePractitioner, RoleEnterprise, RoleTraining}

// ReadyForNumbers is the status a plan's candidates are in when 放号 may give them numbers: 已缴费 when the plan
// charges, 已审核 when it is free (收费金额 0 has no payment step).
func (p *ExamPlan) ReadyForNumbers() RegStatus {
	if p.FeeCents > 0 {
		return RegPaid
	}
	return RegApproved
}
