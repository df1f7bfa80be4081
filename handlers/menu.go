package handlers

import (
	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/layouts"
)

type menuGroup struct {
	title string
	items []menuEntry
}

type menuEntry struct {
	label string
	route routes.Name
}

// menus is each role's left menu, as in the seed system. Entries name routes; paths come from the route table.
var menus = map[models.Role][]menuGroup{
	models.RolePractitioner: {
		{"首页", []menuEntry{{"首页", routes.HomePage}}},
		{"业务办理", []menuEntry{
			{"考试报名", routes.RegistrationPage}, {"打印准考证", routes.TicketPage}, {"查看考试结果", routes.ResultPage},
			{"申请证书续期", routes.RenewalPage}, {"申请变更证书", routes.ChangePage},
		}},
		{"个人信息", []menuEntry{{"个人信息维护", routes.ProfilePage}, {"人员调入申请", routes.JoinRequestsPage}, {"个人证书信息", routes.CertificateMine}}},
		{"证书进京", []menuEntry{{"证书进京", routes.TransferPage}}},
	},
	models.RoleEnterprise: {
		{"首页", []menuEntry{{"首页", routes.HomePage}}},
		{"考试报名", []menuEntry{{"单个报名", routes.RegistrationPage}, {"批量报名", routes.RegistrationBatch}, {"单位确认", routes.UnitConfirmPage}}},
		{"业务办理", []menuEntry{
			{"打印准考证", routes.TicketPage}, {"查看考试结果", routes.ResultPage},
			{"申请证书续期", routes.RenewalPage}, {"申请变更证书", routes.ChangePage},
			{"证书申请确认", routes.UnitApplications},
		}},
		{"企业信息", []menuEntry{
			{"企业人员信息", routes.StaffPage}, {"企业人员获证信息", routes.StaffCertificates}, {"登录信息维护", routes.AccountPassword},
		}},
	},
	models.RoleTraining: {
		{"首页", []menuEntry{{"首页", routes.HomePage}}},
		{"考试报名", []menuEntry{{"单个报名", routes.RegistrationPage}, {"批量报名", routes.RegistrationBatch}}},
		{"业务办理", []menuEntry{
			{"打印准考证", routes.TicketPage}, {"查看考试结果", routes.ResultPage},
			{"申请证书续期", routes.RenewalPage}, {"申请变更证书", routes.ChangePage},
		}},
		{"机构信息", []menuEntry{{"人员信息", routes.TraineesPage}, {"培训人员获证信息", routes.CertificateTraining},
			{"登录信息维护", routes.AccountPassword}, {"证书进京", routes.TransferPage}}},
	},
	models.RoleAdmin: {
		{"系统管理", []menuEntry{
			{"考务管理", routes.AdminExams}, {"报名审核", routes.ReviewPlans}, {"缴费管理", routes.AdminPayments}, {"考务编排", routes.AdminArrange},
			{"考场资料", routes.AdminTicketDocs}, {"成绩管理", routes.AdminResults}, {"证书管理", routes.AdminCertificates},
			{"证书申请", routes.AdminApplications}, {"统计", routes.AdminStats},
			{"机构与账号", routes.AdminAccounts}, {"操作日志", routes.AdminAudit}, {"后台任务", routes.AdminJobs},
		}},
		{"考试当天", []menuEntry{{"考生签到", routes.CheckinPage}}},
	},
	models.RoleProctor: {
		{"考务", []menuEntry{{"考生签到", routes.CheckinPage}, {"登录信息维护", routes.AccountPassword}}},
	},
}

// shellNotices are the confirmations a redirect may ask a page to show (?notice=<key>): fixed texts, so that no
// link can make a page say anything else.
var shellNotices = map[string]string{
	noticeQueued: "已加入我的下载，生成后可下载",
}

// shell builds the frame of a signed-in page; active names the route of the current menu item.
func (a *App) shell(c echo.Context, title string, active routes.Name) layouts.Shell {
	acct := currentAccount(c)
	s := layouts.Shell{
		Title:       title,
		PasswordURL: reverse(c, routes.AccountPassword),
		LogoutURL:   reverse(c, routes.AuthLogout),
		Notice:      shellNotices[c.QueryParam("notice")],
	}
	if acct == nil {
		return s
	}
	s.UserName = acct.DisplayName
	if s.UserName == "" {
		s.UserName = acct.Username
	}
	s.RoleLabel = acct.Role.Label()
	s.HomeURL = a.landing(c, acct)
	if sess := currentSession(c); sess != nil {
		s.LastLogin, _ = sess.Values[keyPrevLogin].(string)
	}
	s.MessagesURL, s.Unread = reverse(c, routes.MessagesPage), a.unreadCount(c, acct)
	s.DownloadsURL, s.ContactURL = reverse(c, routes.DownloadsPage), reverse(c, routes.AccountContact)
	for _, g := range menus[acct.Role] {
		mg := layouts.MenuGroup{Title: g.title}
		for _, e := range g.items {
			mg.Items = append(mg.Items, layouts.MenuItem{
				Label: e.label, Href: reverse(c, e.route), Active: e.route == active, WIP: a.wip[e.route],
				TestID: "menu-" + string(e.route),
			})
		}
		s.Menu = append(s.Menu, mg)
	}
	return s
}
