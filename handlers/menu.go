package handlers

import (
	"github.com/labstack/echo/v4"

	"examcert/models"
	"examcert/views/layouts"
)

type menuGroup struct {
	title string
	items []menuEntry
}

type menuEntry struct{ label, route string }

// menus is each role's left menu, as in the seed system. Entries name routes; paths come from the route table.
var menus = map[models.Role][]menuGroup{
	models.RolePractitioner: {
		{"首页", []menuEntry{{"首页", "home.page"}}},
		{"业务办理", []menuEntry{
			{"考试报名", "registration.page"}, {"打印准考证", "ticket.page"}, {"查看考试结果", "result.page"},
			{"申请证书续期", "renewal.page"}, {"申请变更证书", "change.page"},
		}},
		{"个人信息", []menuEntry{{"个人信息维护", "profile.page"}, {"个人证书信息", "certificate.mine"}}},
		{"证书进京", []menuEntry{{"证书进京", "transfer.page"}}},
	},
	models.RoleEnterprise: {
		{"首页", []menuEntry{{"首页", "home.page"}}},
		{"考试报名", []menuEntry{{"单个报名", "registration.page"}, {"批量报名", "registration.batch"}}},
		{"业务办理", []menuEntry{
			{"打印准考证", "ticket.page"}, {"查看考试结果", "result.page"},
			{"申请证书续期", "renewal.page"}, {"申请证书变更", "change.page"},
		}},
		{"企业信息", []menuEntry{
			{"企业人员信息", "staff.page"}, {"企业人员获证信息", "staff.certificates"}, {"登录信息维护", "account.password"},
		}},
	},
	models.RoleTraining: {
		{"首页", []menuEntry{{"首页", "home.page"}}},
		{"考试报名", []menuEntry{{"单个报名", "registration.page"}, {"批量报名", "registration.batch"}}},
		{"业务办理", []menuEntry{
			{"打印准考证", "ticket.page"}, {"查看考试结果", "result.page"},
			{"申请证书续期", "renewal.page"}, {"申请变更证书", "change.page"},
		}},
		{"机构信息", []menuEntry{{"人员信息", "trainees.page"}, {"登录信息维护", "account.password"}, {"证书进京", "transfer.page"}}},
	},
	models.RoleAdmin: {
		{"系统管理", []menuEntry{
			{"考务管理", "admin.exams"}, {"证书管理", "admin.certificates"},
			{"机构与账号", "admin.accounts"}, {"操作日志", "admin.audit"},
		}},
	},
}

// shell builds the frame of a signed-in page; active names the route of the current menu item.
func (a *App) shell(c echo.Context, title, active string) layouts.Shell {
	acct := currentAccount(c)
	s := layouts.Shell{
		Title:       title,
		PasswordURL: c.Echo().Reverse("account.password"),
		LogoutURL:   c.Echo().Reverse("auth.logout"),
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
	for _, g := range menus[acct.Role] {
		mg := layouts.MenuGroup{Title: g.title}
		for _, e := range g.items {
			mg.Items = append(mg.Items, layouts.MenuItem{
				Label: e.label, Href: c.Echo().Reverse(e.route), Active: e.route == active, WIP: a.wip[e.route],
				TestID: "menu-" + e.route,
			})
		}
		s.Menu = append(s.Menu, mg)
	}
	return s
}
