package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Who may use each route, written out here independently of the route table. A route the server has and this
// table lacks fails the test: adding a route means deciding, here, who may use it.
const (
	pub     = "public"
	anyRole = "P E T A K" // K: 考务人员 (proctor)
	adm     = "A"
)

var expectedAccess = map[string]string{
	"home.root":               pub,
	"ops.healthz":             pub,
	"ops.readyz":              pub,
	"auth.login":              pub,
	"auth.submit":             pub,
	"auth.captcha":            pub,
	"auth.captcha_image":      pub,
	"auth.logout":             anyRole,
	"setup.page":              pub,
	"setup.submit":            pub,
	"home.page":               "P E T",
	"account.password":        anyRole,
	"account.password_submit": anyRole,
	"messages.page":           anyRole,
	"messages.open":           anyRole,
	"messages.read":           anyRole,
	"messages.read_all":       anyRole,
	"account.contact":         anyRole,
	"account.contact_save":    anyRole,
	"downloads.page":          anyRole,
	"downloads.file":          anyRole,
	"admin.jobs":              adm,
	"admin.job_retry":         adm,
	"admin.outbox_resend":     adm,
	"registration.page":       "P E T",
	"registration.batch":      "E T",
	"ticket.page":             "P E T",
	"result.page":             "P E T",
	"result.plan_picker":      "P E T",
	"result.export":           "P E T",
	"admin.results":           adm,
	"admin.results_plan":      adm,
	"admin.results_template":  adm,
	"admin.results_import":    adm,
	"admin.results_preview":   adm,
	"admin.results_lines":     adm,
	"admin.results_confirm":   adm,
	"admin.results_publish":   adm,
	"admin.results_reopen":    adm,
	"admin.results_export":    adm,
	"admin.stats":             adm,
	"admin.stats_export":      adm,
	"renewal.page":            "P E T",
	"renewal.submit":          "P E T",
	"renewal.resubmit":        "P E T",
	"change.page":             "P E T",
	"change.new":              "P E T",
	"change.submit":           "P E T",
	"change.edit":             "P E T",
	"change.resubmit":         "P E T",
	"change.rename":           "E",
	"change.rename_submit":    "E",
	"change.batch":            "T",
	"change.batch_submit":     "T",
	"application.form_pdf":    "P E T A",
	"application.form_docx":   "P E T A",
	"application.photo":       "P E T A",
	"profile.page":            "P",
	"certificate.mine":        "P",
	"transfer.page":           "P T",
	"transfer.new":            "P T",
	"transfer.create":         "P T",
	"transfer.show":           "P T",
	"transfer.edit":           "P T",
	"transfer.resubmit":       "P T",
	"transfer.delete":         "P T",
	"staff.page":              "E",
	"staff.certificates":      "E",
	"admin.exams":             adm,
	"admin.certificates":      adm,

	"application.detail":        "P E T A",
	"application.withdraw":      "P E T",
	"admin.applications":        adm,
	"admin.applications_act":    adm,
	"admin.applications_reason": adm,
	"unit_applications.page":    "E",
	"unit_applications.act":     "E",
	"unit_applications.reason":  "E",

	"certificate.training":            "T",
	"certificate.detail":              "P E T A",
	"certificate.pdf":                 "P E T A",
	"certificate.photo":               "P E T A",
	"admin.certificates_issue":        adm,
	"admin.certificates_issue_submit": adm,
	"admin.certificates_status":       adm,
	"admin.certificates_lock":         adm,
	"admin.certificates_reissue":      adm,
	"verify.search":                   pub,
	"verify.search_submit":            pub,
	"verify.page":                     pub,
	"verify.photo":                    pub,
	"admin.payments":                  adm,
	"admin.payments_plan":             adm,
	"admin.payments_notify":           adm,
	"admin.payments_confirm":          adm,
	"admin.payments_template":         adm,
	"admin.payments_import":           adm,
	"admin.payments_export":           adm,
	"admin.accounts":                  adm,
	"admin.accounts_new":              adm,
	"admin.accounts_create":           adm,
	"admin.accounts_reset":            adm,
	"admin.accounts_unlock":           adm,
	"admin.accounts_disable":          adm,
	"admin.accounts_enable":           adm,
	"admin.audit":                     adm,
	"admin.orgs":                      adm,
	"registration.new":                "P E T",
	"registration.template":           "E T",
	"registration.import":             "E T",
	"registration.photos":             "E T",
	"registration.print_all":          "E T",
	"registration.delete_all":         "E T",
	"plan.picker":                     anyRole,
	"registration.submit":             "P E T",
	"registration.detail":             anyRole,
	"registration.photo":              anyRole,
	"registration.kept_photo":         "P E T",
	"registration.pdf":                anyRole,
	"registration.docx":               anyRole,
	"registration.delete":             "P E T",
	"admin.exams_new":                 adm,
	"admin.exams_create":              adm,
	"admin.exams_edit":                adm,
	"admin.exams_update":              adm,
	"admin.exams_advance":             adm,
	"admin.categories":                adm,
	"admin.categories_add":            adm,
	"admin.categories_toggle":         adm,
	"admin.orgs_new":                  adm,
	"admin.orgs_create":               adm,
	"admin.orgs_edit":                 adm,
	"admin.orgs_update":               adm,
	"profile.save":                    "P",
	"profile.photo":                   "P",
	"profile.photo_upload":            "P",
	"join_requests.page":              "P",
	"join_requests.accept":            "P E",
	"join_requests.decline":           "P E",
	"join_requests.withdraw":          "E T",
	"lookup.person":                   "E T A",
	"lookup.organization":             anyRole,
	"photo.tool":                      pub,
	"photo.tool_submit":               pub,
	"staff.new":                       "E",
	"staff.create":                    "E",
	"staff.detail":                    "E",
	"staff.edit":                      "E",
	"staff.row":                       "E",
	"staff.row_edit":                  "E",
	"staff.update":                    "E",
	"staff.remove":                    "E",
	"staff.photo":                     "E",
	"staff.photo_upload":              "E",
	"trainees.page":                   "T",
	"trainees.new":                    "T",
	"trainees.create":                 "T",
	"trainees.detail":                 "T",
	"trainees.edit":                   "T",
	"trainees.row":                    "T",
	"trainees.row_edit":               "T",
	"trainees.update":                 "T",
	"trainees.remove":                 "T",
	"trainees.photo":                  "T",
	"trainees.photo_upload":           "T",

	"portal.login":                 pub,
	"portal.callback":              pub,
	"portal.backchannel_logout":    pub,
	"review.plans":                 adm,
	"review.queue":                 adm,
	"review.decide":                adm,
	"review.return":                adm,
	"unit_confirm.page":            "E",
	"unit_confirm.decide":          "E",
	"unit_confirm.return":          "E",
	"registration.withdraw":        "P E T",
	"admin.sites":                  adm,
	"admin.sites_new":              adm,
	"admin.sites_create":           adm,
	"admin.sites_edit":             adm,
	"admin.sites_update":           adm,
	"admin.sites_toggle":           adm,
	"admin.arrange":                adm,
	"admin.arrange_plan":           adm,
	"admin.arrange_subject_add":    adm,
	"admin.arrange_subject_delete": adm,
	"admin.arrange_room_add":       adm,
	"admin.arrange_rooms_generate": adm,
	"admin.arrange_room_edit":      adm,
	"admin.arrange_room_update":    adm,
	"admin.arrange_room_delete":    adm,
	"admin.arrange_room_seats":     adm,
	"admin.arrange_release":        adm,
	"admin.arrange_cancel":         adm,
	"admin.arrange_seating":        adm,
	"admin.arrange_verify":         adm,
	"ticket.plan_picker":           "P E T A",
	"ticket.print_all":             "E T",
	"ticket.request_all":           "E T",
	"ticket.detail":                "P E T",
	"ticket.photo":                 "P E T",
	"ticket.pdf":                   "P E T",
	"ticket.docx":                  "P E T",
	"admin.ticket_docs":            "A",
	"admin.room_photos":            "A",
	"admin.desk_labels":            "A",
	"admin.door_signs":             "A",
	"admin.photo_zip":              "A",
	"admin.ticket_doc_request":     "A",
	"checkin.page":                 "K A",
	"checkin.scan":                 "K A",
	"checkin.room":                 "K A",
	"checkin.absent":               "K A",
	"checkin.photo":                "K A",
	"admin.proctor_scopes":         adm,
	"admin.proctor_scope_add":      adm,
	"admin.proctor_scope_remove":   adm,
}

var roleUsers = []struct{ code, user string }{
	{"-", ""}, {"P", "zhangsan"}, {"E", "jianshe"}, {"T", "peixun"}, {"A", "admin"}, {"K", "kaowu"},
}

func TestRouteTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	lisi := strconv.FormatInt(e.account("lisi").ID, 10)
	var names []string
	for _, r := range e.app.Echo.Routes() {
		if r.Name == "" || strings.HasPrefix(r.Path, "/static") || r.Name == "testhook.captcha" {
			continue
		}
		if _, ok := expectedAccess[r.Name]; !ok {
			t.Errorf("route %s %s (%s) has no row in expectedAccess: decide who may use it", r.Method, r.Path, r.Name)
			continue
		}
		names = append(names, r.Name)
		for _, ru := range roleUsers {
			t.Run(r.Name+"/"+ru.code, func(t *testing.T) {
				c := e.client()
				if ru.user != "" {
					c.signIn(ru.user)
				}
				path := strings.ReplaceAll(r.Path, ":id", lisi)
				var p *page
				if r.Method == http.MethodGet {
					p = c.get(path)
				} else {
					p = c.do(r.Method, path, url.Values{"_csrf": {c.csrf()}}, false, nil)
				}
				want := expectedAccess[r.Name]
				// Sent to sign in (not, like 退出, to the sign-in page with a goodbye).
				toLogin := p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location(), "/login?") &&
					(strings.Contains(p.Location(), "reason=required") || strings.Contains(p.Location(), "reason=timeout"))
				switch {
				case want == pub:
					if p.Status == http.StatusForbidden || p.Status >= 500 {
						t.Errorf("public route: status %d", p.Status)
					}
				case ru.user == "":
					if !toLogin {
						t.Errorf("signed out: status %d, location %q; want the sign-in page", p.Status, p.Location())
					}
				case slices.Contains(strings.Fields(want), ru.code):
					if p.Status == http.StatusForbidden || p.Status >= 500 || toLogin {
						t.Errorf("allowed role: status %d, location %q", p.Status, p.Location())
					}
				default:
					if p.Status != http.StatusForbidden {
						t.Errorf("wrong role: status %d; want 403", p.Status)
					}
				}
			})
		}
	}
	for name := range expectedAccess {
		if !slices.Contains(names, name) {
			t.Errorf("expectedAccess has %s but the server has no such route", name)
		}
	}
	if got := len(e.auditEvents("access.denied")); got == 0 {
		t.Error("no access.denied audit rows after refused requests")
	}
}
