// Package routes names every route of the server. Handlers and menus refer to a route by one of these constants,
// so a misspelt name does not compile (Echo's Reverse answers "" for an unknown name, silently); the route table in
// handlers/routes.go gives each name its method, path and roles.
package routes

// Name is the name of a route in the route table.
type Name string

const (
	HomeRoot              Name = "home.root"
	OpsHealthz            Name = "ops.healthz"
	OpsReadyz             Name = "ops.readyz"
	AuthLogin             Name = "auth.login"
	AuthSubmit            Name = "auth.submit"
	AuthCaptcha           Name = "auth.captcha"
	AuthCaptchaImage      Name = "auth.captcha_image"
	AuthLogout            Name = "auth.logout"
	SetupPage             Name = "setup.page"
	SetupSubmit           Name = "setup.submit"
	HomePage              Name = "home.page"
	AccountPassword       Name = "account.password"
	AccountPasswordSubmit Name = "account.password_submit"
	RegistrationPage      Name = "registration.page"
	RegistrationNew       Name = "registration.new"
	RegistrationSubmit    Name = "registration.submit"
	RegistrationDetail    Name = "registration.detail"
	RegistrationPhoto     Name = "registration.photo"
	RegistrationKeptPhoto Name = "registration.kept_photo"
	RegistrationPDF       Name = "registration.pdf"
	RegistrationDOCX      Name = "registration.docx"
	RegistrationDelete    Name = "registration.delete"
	RegistrationBatch     Name = "registration.batch"
	RegistrationTemplate  Name = "registration.template"
	RegistrationImport    Name = "registration.import"
	RegistrationPhotos    Name = "registration.photos"
	RegistrationPrintAll  Name = "registration.print_all"
	RegistrationDeleteAll Name = "registration.delete_all"
	PlanPicker            Name = "plan.picker"
	ProfilePage           Name = "profile.page"
	ProfileSave           Name = "profile.save"
	ProfilePhoto          Name = "profile.photo"
	ProfilePhotoUpload    Name = "profile.photo_upload"
	JoinRequestsPage      Name = "join_requests.page"
	JoinRequestAccept     Name = "join_requests.accept"
	JoinRequestDecline    Name = "join_requests.decline"
	JoinRequestWithdraw   Name = "join_requests.withdraw"
	AdminExams            Name = "admin.exams"
	AdminExamsNew         Name = "admin.exams_new"
	AdminExamsCreate      Name = "admin.exams_create"
	AdminExamsEdit        Name = "admin.exams_edit"
	AdminExamsUpdate      Name = "admin.exams_update"
	AdminExamsAdvance     Name = "admin.exams_advance"
	AdminCategories       Name = "admin.categories"
	AdminCategoriesAdd    Name = "admin.categories_add"
	AdminCategoriesToggle Name = "admin.categories_toggle"
	AdminAccounts         Name = "admin.accounts"
	AdminAccountsNew      Name = "admin.accounts_new"
	AdminAccountsCreate   Name = "admin.accounts_create"
	AdminAccountsReset    Name = "admin.accounts_reset"
	AdminAccountsUnlock   Name = "admin.accounts_unlock"
	AdminAccountsDisable  Name = "admin.accounts_disable"
	AdminAccountsEnable   Name = "admin.accounts_enable"
	AdminAudit            Name = "admin.audit"
	MessagesPage          Name = "messages.page"
	MessageOpen           Name = "messages.open"
	MessageRead           Name = "messages.read"
	MessagesReadAll       Name = "messages.read_all"
	AccountContact        Name = "account.contact"
	AccountContactSave    Name = "account.contact_save"
	DownloadsPage         Name = "downloads.page"
	DownloadFile          Name = "downloads.file"
	AdminJobs             Name = "admin.jobs"
	AdminJobRetry         Name = "admin.job_retry"
	AdminOutboxResend     Name = "admin.outbox_resend"
	AdminOrgs             Name = "admin.orgs"
	AdminOrgsNew          Name = "admin.orgs_new"
	AdminOrgsCreate       Name = "admin.orgs_create"
	AdminOrgsEdit         Name = "admin.orgs_edit"
	AdminOrgsUpdate       Name = "admin.orgs_update"
	LookupPerson          Name = "lookup.person"
	LookupOrganization    Name = "lookup.organization"
	PhotoTool             Name = "photo.tool"
	PhotoToolSubmit       Name = "photo.tool_submit"
	TicketPage            Name = "ticket.page"
	TicketPlanPicker      Name = "ticket.plan_picker"
	TicketPrintAll        Name = "ticket.print_all"
	TicketRequestAll      Name = "ticket.request_all"
	TicketDetail          Name = "ticket.detail"
	TicketPhoto           Name = "ticket.photo"
	TicketPDF             Name = "ticket.pdf"
	TicketDOCX            Name = "ticket.docx"
	AdminTicketDocs       Name = "admin.ticket_docs"
	AdminTicketRoomPhotos Name = "admin.room_photos"
	AdminTicketDeskLabels Name = "admin.desk_labels"
	AdminTicketDoorSigns  Name = "admin.door_signs"
	AdminTicketPhotoZip   Name = "admin.photo_zip"
	AdminTicketDocRequest Name = "admin.ticket_doc_request"
	ResultPage            Name = "result.page"
	ResultPlanPicker      Name = "result.plan_picker"
	ResultExport          Name = "result.export"
	AdminResults          Name = "admin.results"
	AdminResultsPlan      Name = "admin.results_plan"
	AdminResultsTemplate  Name = "admin.results_template"
	AdminResultsImport    Name = "admin.results_import"
	AdminResultsPreview   Name = "admin.results_preview"
	AdminResultsLines     Name = "admin.results_lines"
	AdminResultsConfirm   Name = "admin.results_confirm"
	AdminResultsPublish   Name = "admin.results_publish"
	AdminResultsReopen    Name = "admin.results_reopen"
	AdminResultsExport    Name = "admin.results_export"
	RenewalPage           Name = "renewal.page"
	RenewalSubmit         Name = "renewal.submit"   // POST /renewals: 【申请】
	RenewalResubmit       Name = "renewal.resubmit" // POST /renewals/:id/resubmit: 【重新提交】
	ChangePage            Name = "change.page"
	ChangeNew             Name = "change.new"           // GET /changes/new/:id: 申请须知, then the form
	ChangeSubmit          Name = "change.submit"        // POST /changes/new/:id
	ChangeEdit            Name = "change.edit"          // GET /changes/:id: the form of an application
	ChangeResubmit        Name = "change.resubmit"      // POST /changes/:id (after 退回修改)
	ChangeRename          Name = "change.rename"        // GET /changes/rename: 企业更名
	ChangeRenameSubmit    Name = "change.rename_submit" // POST /changes/rename
	ChangeBatch           Name = "change.batch"         // GET /changes/batch: the training institution's 批量补办
	ChangeBatchSubmit     Name = "change.batch_submit"  // POST /changes/batch
	CertificateMine       Name = "certificate.mine"
	TransferPage          Name = "transfer.page"
	TransferNew           Name = "transfer.new"      // 证书进京: 新建申请表
	TransferCreate        Name = "transfer.create"   // 保存
	TransferShow          Name = "transfer.show"     // the saved application (申请成功, 删除, 打印, 返回)
	TransferEdit          Name = "transfer.edit"     // 退回修改: the form again
	TransferResubmit      Name = "transfer.resubmit" // 保存 of the corrected form
	TransferDelete        Name = "transfer.delete"   // 删除 (asks first)

	// 证书申请 pages shared by every kind (issue 13). Their routes: ApplicationDetail and ApplicationWithdraw in
	// handlers/applications.go, the printable 申请表 (PDF, Word) in handlers/application_forms.go; each is added to
	// All with its route.
	ApplicationDetail   Name = "application.detail"    // GET /applications/:id
	ApplicationWithdraw Name = "application.withdraw"  // POST /applications/:id/withdraw
	ApplicationFormPDF  Name = "application.form_pdf"  // GET /applications/:id/pdf
	ApplicationFormDOCX Name = "application.form_docx" // GET /applications/:id/docx
	ApplicationPhoto    Name = "application.photo"     // GET /applications/:id/photo/:which (a change's 变更前/变更后 照片)
	StaffCertificates   Name = "staff.certificates"
	AdminCertificates   Name = "admin.certificates"

	CertificateTraining     Name = "certificate.training"
	CertificateDetail       Name = "certificate.detail"
	CertificatePDF          Name = "certificate.pdf"
	CertificatePhoto        Name = "certificate.photo"
	AdminCertificateIssue   Name = "admin.certificates_issue"
	AdminCertificateIssueGo Name = "admin.certificates_issue_submit"
	AdminCertificateStatus  Name = "admin.certificates_status"
	AdminCertificateLock    Name = "admin.certificates_lock"
	AdminCertificateReissue Name = "admin.certificates_reissue"
	VerifySearch            Name = "verify.search"
	VerifySearchSubmit      Name = "verify.search_submit"
	VerifyPage              Name = "verify.page"
	VerifyPhoto             Name = "verify.photo"
	AdminStats              Name = "admin.stats"
	AdminStatsExport        Name = "admin.stats_export"

	AdminPayments         Name = "admin.payments"
	AdminPaymentsPlan     Name = "admin.payments_plan"
	AdminPaymentsNotify   Name = "admin.payments_notify"
	AdminPaymentsConfirm  Name = "admin.payments_confirm"
	AdminPaymentsTemplate Name = "admin.payments_template"
	AdminPaymentsImport   Name = "admin.payments_import"
	AdminPaymentsExport   Name = "admin.payments_export"
	StaffPage             Name = "staff.page"
	StaffNew              Name = "staff.new"
	StaffCreate           Name = "staff.create"
	StaffDetail           Name = "staff.detail"
	StaffEdit             Name = "staff.edit"
	StaffRow              Name = "staff.row"
	StaffRowEdit          Name = "staff.row_edit"
	StaffUpdate           Name = "staff.update"
	StaffRemove           Name = "staff.remove"
	StaffPhoto            Name = "staff.photo"
	StaffPhotoUpload      Name = "staff.photo_upload"
	TraineesPage          Name = "trainees.page"
	TraineesNew           Name = "trainees.new"
	TraineesCreate        Name = "trainees.create"
	TraineesDetail        Name = "trainees.detail"
	TraineesEdit          Name = "trainees.edit"
	TraineesRow           Name = "trainees.row"
	TraineesRowEdit       Name = "trainees.row_edit"
	TraineesUpdate        Name = "trainees.update"
	TraineesRemove        Name = "trainees.remove"
	TraineesPhoto         Name = "trainees.photo"
	TraineesPhotoUpload   Name = "trainees.photo_upload"

	// 通过网上办事大厅登录 (handlers/portal.go).
	PortalLogin             Name = "portal.login"
	PortalCallback          Name = "portal.callback"
	PortalBackChannelLogout Name = "portal.backchannel_logout"
)

// 报名审核, 单位确认 and the applicant's 撤回.
const (
	ReviewPlans          Name = "review.plans"
	ReviewQueue          Name = "review.queue"
	ReviewDecide         Name = "review.decide"
	ReviewReturn         Name = "review.return"
	UnitConfirmPage      Name = "unit_confirm.page"
	UnitConfirmDecide    Name = "unit_confirm.decide"
	UnitConfirmReturn    Name = "unit_confirm.return"
	RegistrationWithdraw Name = "registration.withdraw"
)

// 证书申请 (issue 13): the registry's inbox and the employer's confirmation, shared by every kind.
const (
	AdminApplications      Name = "admin.applications"
	AdminApplicationsAct   Name = "admin.applications_act"
	AdminApplicationReason Name = "admin.applications_reason"
	UnitApplications       Name = "unit_applications.page"
	UnitApplicationsAct    Name = "unit_applications.act"
	UnitApplicationReason  Name = "unit_applications.reason"
)

// 考务编排 (issue 11, arrange).
const (
	AdminSites                Name = "admin.sites"
	AdminSitesNew             Name = "admin.sites_new"
	AdminSitesCreate          Name = "admin.sites_create"
	AdminSitesEdit            Name = "admin.sites_edit"
	AdminSitesUpdate          Name = "admin.sites_update"
	AdminSitesToggle          Name = "admin.sites_toggle"
	AdminArrange              Name = "admin.arrange"
	AdminArrangePlan          Name = "admin.arrange_plan"
	AdminArrangeSubjectAdd    Name = "admin.arrange_subject_add"
	AdminArrangeSubjectDelete Name = "admin.arrange_subject_delete"
	AdminArrangeRoomAdd       Name = "admin.arrange_room_add"
	AdminArrangeRoomsGenerate Name = "admin.arrange_rooms_generate"
	AdminArrangeRoomEdit      Name = "admin.arrange_room_edit"
	AdminArrangeRoomUpdate    Name = "admin.arrange_room_update"
	AdminArrangeRoomDelete    Name = "admin.arrange_room_delete"
	AdminArrangeRoomSeats     Name = "admin.arrange_room_seats"
	AdminArrangeRelease       Name = "admin.arrange_release"
	AdminArrangeCancel        Name = "admin.arrange_cancel"
	AdminArrangeSeating       Name = "admin.arrange_seating"
	AdminArrangeVerify        Name = "admin.arrange_verify"
	// 签到 on exam day, and the 考务人员's 考点 and days.
	CheckinPage             Name = "checkin.page"
	CheckinScan             Name = "checkin.scan"
	CheckinRoom             Name = "checkin.room"
	CheckinAbsent           Name = "checkin.absent"
	CheckinPhoto            Name = "checkin.photo"
	AdminProctorScopes      Name = "admin.proctor_scopes"
	AdminProctorScopeAdd    Name = "admin.proctor_scope_add"
	AdminProctorScopeRemove Name = "admin.proctor_scope_remove"
)

// People are the names of one organization's people list: 企业人员信息 (staff) or 人员信息 (trainees).
type People struct {
	Page, New, Create, Detail, Edit, Row, RowEdit, Update, Remove, Photo, PhotoUpload Name
}

// Staff is the people list of an enterprise.
var Staff = People{
	Page:        StaffPage,
	New:         StaffNew,
	Create:      StaffCreate,
	Detail:      StaffDetail,
	Edit:        StaffEdit,
	Row:         StaffRow,
	RowEdit:     StaffRowEdit,
	Update:      StaffUpdate,
	Remove:      StaffRemove,
	Photo:       StaffPhoto,
	PhotoUpload: StaffPhotoUpload,
}

// Trainees is the people list of a training institution.
var Trainees = People{
	Page:        TraineesPage,
	New:         TraineesNew,
	Create:      TraineesCreate,
	Detail:      TraineesDetail,
	Edit:        TraineesEdit,
	Row:         TraineesRow,
	RowEdit:     TraineesRowEdit,
	Update:      TraineesUpdate,
	Remove:      TraineesRemove,
	Photo:       TraineesPhoto,
	PhotoUpload: TraineesPhotoUpload,
}

// All lists every name, for the test that each one is in the route table.
var All = []Name{
	HomeRoot,
	OpsHealthz,
	OpsReadyz,
	AuthLogin,
	AuthSubmit,
	AuthCaptcha,
	AuthCaptchaImage,
	AuthLogout,
	PortalLogin,
	PortalCallback,
	PortalBackChannelLogout,
	SetupPage,
	SetupSubmit,
	HomePage,
	AccountPassword,
	AccountPasswordSubmit,
	RegistrationPage,
	RegistrationNew,
	RegistrationSubmit,
	RegistrationDetail,
	RegistrationPhoto,
	RegistrationKeptPhoto,
	RegistrationPDF,
	RegistrationDOCX,
	RegistrationDelete,
	RegistrationBatch,
	RegistrationTemplate,
	RegistrationImport,
	RegistrationPhotos,
	RegistrationPrintAll,
	RegistrationDeleteAll,
	PlanPicker,
	ProfilePage,
	ProfileSave,
	ProfilePhoto,
	ProfilePhotoUpload,
	JoinRequestsPage,
	JoinRequestAccept,
	JoinRequestDecline,
	JoinRequestWithdraw,
	AdminExams,
	AdminExamsNew,
	AdminExamsCreate,
	AdminExamsEdit,
	AdminExamsUpdate,
	AdminExamsAdvance,
	AdminCategories,
	AdminCategoriesAdd,
	AdminCategoriesToggle,
	AdminAccounts,
	AdminAccountsNew,
	AdminAccountsCreate,
	AdminAccountsReset,
	AdminAccountsUnlock,
	AdminAccountsDisable,
	AdminAccountsEnable,
	AdminAudit,
	MessagesPage,
	MessageOpen,
	MessageRead,
	MessagesReadAll,
	AccountContact,
	AccountContactSave,
	DownloadsPage,
	DownloadFile,
	AdminJobs,
	AdminJobRetry,
	AdminOutboxResend,
	AdminOrgs,
	AdminOrgsNew,
	AdminOrgsCreate,
	AdminOrgsEdit,
	AdminOrgsUpdate,
	LookupPerson,
	LookupOrganization,
	PhotoTool,
	PhotoToolSubmit,
	TicketPage,
	TicketPlanPicker,
	TicketPrintAll,
	TicketRequestAll,
	TicketDetail,
	TicketPhoto,
	TicketPDF,
	TicketDOCX,
	AdminTicketDocs,
	AdminTicketRoomPhotos,
	AdminTicketDeskLabels,
	AdminTicketDoorSigns,
	AdminTicketPhotoZip,
	AdminTicketDocRequest,
	ResultPage,
	ResultPlanPicker,
	ResultExport,
	AdminResults,
	AdminResultsPlan,
	AdminResultsTemplate,
	AdminResultsImport,
	AdminResultsPreview,
	AdminResultsLines,
	AdminResultsConfirm,
	AdminResultsPublish,
	AdminResultsReopen,
	AdminResultsExport,
	RenewalPage,
	RenewalSubmit,
	RenewalResubmit,
	ChangePage,
	ChangeNew,
	ChangeSubmit,
	ChangeEdit,
	ChangeResubmit,
	ChangeRename,
	ChangeRenameSubmit,
	ChangeBatch,
	ChangeBatchSubmit,
	ApplicationFormPDF,
	ApplicationFormDOCX,
	ApplicationPhoto,
	CertificateMine,
	TransferPage,
	TransferNew,
	TransferCreate,
	TransferShow,
	TransferEdit,
	TransferResubmit,
	TransferDelete,
	ApplicationDetail,
	ApplicationWithdraw,
	AdminApplications,
	AdminApplicationsAct,
	AdminApplicationReason,
	UnitApplications,
	UnitApplicationsAct,
	UnitApplicationReason,
	StaffCertificates,
	AdminCertificates,
	CertificateTraining,
	CertificateDetail,
	CertificatePDF,
	CertificatePhoto,
	AdminCertificateIssue,
	AdminCertificateIssueGo,
	AdminCertificateStatus,
	AdminCertificateLock,
	AdminCertificateReissue,
	VerifySearch,
	VerifySearchSubmit,
	VerifyPage,
	VerifyPhoto,
	AdminStats,
	AdminStatsExport,
	AdminPayments,
	AdminPaymentsPlan,
	AdminPaymentsNotify,
	AdminPaymentsConfirm,
	AdminPaymentsTemplate,
	AdminPaymentsImport,
	AdminPaymentsExport,
	StaffPage,
	StaffNew,
	StaffCreate,
	StaffDetail,
	StaffEdit,
	StaffRow,
	StaffRowEdit,
	StaffUpdate,
	StaffRemove,
	StaffPhoto,
	StaffPhotoUpload,
	TraineesPage,
	TraineesNew,
	TraineesCreate,
	TraineesDetail,
	TraineesEdit,
	TraineesRow,
	TraineesRowEdit,
	TraineesUpdate,
	TraineesRemove,
	TraineesPhoto,
	TraineesPhotoUpload,
	ReviewPlans, ReviewQueue, ReviewDecide, ReviewReturn, UnitConfirmPage, UnitConfirmDecide, UnitConfirmReturn, RegistrationWithdraw,
	AdminSites,
	AdminSitesNew,
	AdminSitesCreate,
	AdminSitesEdit,
	AdminSitesUpdate,
	AdminSitesToggle,
	AdminArrange,
	AdminArrangePlan,
	AdminArrangeSubjectAdd,
	AdminArrangeSubjectDelete,
	AdminArrangeRoomAdd,
	AdminArrangeRoomsGenerate,
	AdminArrangeRoomEdit,
	AdminArrangeRoomUpdate,
	AdminArrangeRoomDelete,
	AdminArrangeRoomSeats,
	AdminArrangeRelease,
	AdminArrangeCancel,
	AdminArrangeSeating,
	AdminArrangeVerify,
	CheckinPage,
	CheckinScan,
	CheckinRoom,
	CheckinAbsent,
	CheckinPhoto,
	AdminProctorScopes,
	AdminProctorScopeAdd,
	AdminProctorScopeRemove,
}
