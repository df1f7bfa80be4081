package models

// RegistrationTransitions is the table of a registration's status changes (DOMAIN.md "The life of a registration"):
// who may move a registration from which status to which, and what the move is called. The review, payment and
// arrangement screens (later issues) make their changes through it, in batches that share one 批号.
var RegistrationTransitions = Transitions[RegStatus]{Kind: "registration", Table: "registrations", Lines: []Transition[RegStatus]{
	{From: RegSubmitted, To: RegApproved, Roles: []Role{RoleAdmin}, Action: "审核通过", Event: EventRegApproved},
	{From: RegSubmitted, To: RegRejected, Roles: []Role{RoleAdmin}, Action: "审核不通过", Event: EventRegRejected, NeedsReason: true},
	{From: RegRejected, To: RegSubmitted, Roles: []Role{RolePractitioner, RoleEnterprise, RoleTraining}, Action: "重新提交", Event: EventRegResubmitted},
	{From: RegApproved, To: RegPaid, Roles: []Role{RoleAdmin}, Action: "确认缴费", Event: EventRegPaid},
	{From: RegPaid, To: RegTicketed, Roles: []Role{RoleAdmin}, Action: "放号", Event: EventRegTicketed},
	{From: RegTicketed, To: RegScored, Roles: []Role{RoleAdmin}, Action: "登记成绩", Event: EventRegScored},
	{From: RegScored, To: RegPassed, Roles: []Role{RoleAdmin}, Action: "合格", Event: EventRegScored},
	{From: RegScored, To: RegFailed, Roles: []Role{RoleAdmin}, Action: "不合格", Event: EventRegScored},
}}
