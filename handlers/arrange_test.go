package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// arrangePlan stores a free plan examined in 2027 (so its 准考证号 start 27…) and files n candidates for it directly,
// 审核通过, each working for one of three employers. It returns the plan's id.
func arrangePlan(t *testing.T, e *env, name string, n int) string {
	t.Helper()
	ctx := context.Background()
	exam := time.Date(2027, 4, 10, 9, 0, 0, 0, models.Beijing).UTC()
	p := &models.ExamPlan{Name: name, CategoryID: 1, Level: "无", RegistrationStartsAt: exam.AddDate(0, -2, 0),
		RegistrationEndsAt: exam.AddDate(0, -1, 0), ExamAt: exam, PhotoMaxBytes: 60 * 1024}
	if err := models.SavePlan(ctx, e.db, p, 0); err != nil {
		t.Fatal(err)
	}
	now := models.Now()
	for i := 0; i < n; i++ {
		person := &models.Person{IDNumber: fmt.Sprintf("11010519900101%04d", 1000+int(p.ID)*100+i), Name: fmt.Sprintf("考生%d", i)}
		if err := models.InsertPerson(ctx, e.db, person); err != nil {
			t.Fatal(err)
		}
		r := &models.Registration{PlanID: p.ID, PersonID: person.ID, Channel: models.Channel("self"), EmployerName: fmt.Sprint("单位", i%3),
			Status: models.RegApproved, Resume: "[]", CreatedAt: now, UpdatedAt: now, Version: 1}
		if _, err := e.db.NewInsert().Model(r).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return strconv.FormatInt(p.ID, 10)
}

func TestArrangeSites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client().signIn("admin")
	// A mistake is shown beside its field, with what was typed.
	p := admin.submit("/admin/exam-sites/new", "/admin/exam-sites", url.Values{"name": {"海淀考点"}, "address": {"海淀区学院路1号"},
		"contact_phone": {"12"}, "room_count": {"10"}, "capacity": {"5"}})
	if p.Status != http.StatusOK || p.Text("[data-testid=error-contact_phone]") == "" || p.Text("[data-testid=error-capacity]") != "容纳人数不能少于考场数量" {
		t.Fatalf("bad 考点: status %d, errors %q %q", p.Status, p.Text("[data-testid=error-contact_phone]"), p.Text("[data-testid=error-capacity]"))
	}
	if v, _ := p.Doc.Find("input[name=name]").Attr("value"); v != "海淀考点" {
		t.Errorf("the name typed is lost: %q", v)
	}
	p = admin.submit("/admin/exam-sites/new", "/admin/exam-sites", url.Values{"name": {"海淀考点"}, "address": {"海淀区学院路1号"},
		"contact_name": {"王老师"}, "contact_phone": {"010-62345678"}, "room_count": {"10"}, "capacity": {"300"}})
	if p.Location() != "/admin/exam-sites?ok=created" {
		t.Fatalf("create: status %d location %q", p.Status, p.Location())
	}
	// The list, and its htmx search fragment.
	list := admin.getHX("/admin/exam-sites?q=海淀")
	if list.Doc.Find("[data-testid=site-table] tbody tr").Length() != 1 || strings.Contains(list.Body, "<html") {
		t.Fatalf("htmx search: %s", list.Body)
	}
	edit, _ := list.Doc.Find("[data-testid=site-edit]").Attr("href")
	form := admin.get(edit)
	version, _ := form.Doc.Find("input[name=version]").Attr("value")
	vals := url.Values{"name": {"海淀考点"}, "address": {"海淀区学院路2号"}, "room_count": {"12"}, "capacity": {"360"}, "version": {version}}
	if p := admin.submit(edit, edit, vals); p.Location() != "/admin/exam-sites?ok=saved" {
		t.Fatalf("update: %d %q", p.Status, p.Location())
	}
	// The same stale version again: a conflict, the stored values shown.
	p = admin.submit(edit, edit, vals)
	if p.Status != http.StatusOK || !strings.Contains(p.Text("[data-testid=alert-error]"), "已被他人修改") {
		t.Errorf("stale save: %d %q", p.Status, p.Text("[data-testid=alert-error]"))
	}
	toggle, _ := list.Doc.Find("[data-testid^=site-row-] form").Attr("action")
	if p := admin.submit("/admin/exam-sites", toggle, nil); p.Location() != "/admin/exam-sites?ok=toggled" {
		t.Fatalf("toggle: %d %q", p.Status, p.Location())
	}
	if got := admin.get("/admin/exam-sites").Text("[data-testid=site-status]"); got != "已停用" {
		t.Errorf("after 停用 the 考点 reads %q", got)
	}
	if n := len(e.auditEvents(models.EventSiteSaved)); n != 3 {
		t.Errorf("%d 维护考点 audit rows, want 3", n)
	}
	// Other roles: 403 (the route table checks every route; here the list).
	if p := e.client().signIn("jianshe").get("/admin/exam-sites"); p.Status != http.StatusForbidden {
		t.Errorf("an enterprise on 考点管理: %d", p.Status)
	}
}

// The whole arrangement of a plan, as plain forms (JavaScript off) and as htmx requests (on).
func TestArrangeReleaseFlow(t *testing.T) {
	t.Parallel()
	for _, hx := range []bool{false, true} {
		t.Run(fmt.Sprint("htmx=", hx), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			admin := e.client().signIn("admin")
			id := arrangePlan(t, e, "编排测试计划", 25)
			base := "/admin/arrange/" + id
			if p := admin.get("/admin/arrange"); !strings.Contains(p.Body, "编排测试计划") {
				t.Fatal("the plan is not on the 考务编排 list")
			}
			if p := admin.get("/admin/exams"); p.Doc.Find("[data-testid=plan-arrange]").Length() == 0 {
				t.Error("no 考务编排 link on the 考务管理 list")
			}
			site, err := models.CreateSite(context.Background(), e.db, models.Actor{Account: &models.Account{Role: models.RoleAdmin, Username: "t"}},
				models.SiteInput{Name: "朝阳考点", Address: "朝阳区1号", RoomCount: "5", Capacity: "200"})
			if err != nil {
				t.Fatal(err)
			}
			post := func(action string, form url.Values) *page {
				t.Helper()
				return admin.submitHX(base, action, form, hx)
			}
			done := func(p *page, ok, sel string) {
				t.Helper()
				if hx {
					if p.Status != http.StatusOK || strings.Contains(p.Body, "<html") || p.Doc.Find(sel).Length() == 0 {
						t.Fatalf("htmx answer: status %d, %s missing: %.600s", p.Status, sel, p.Body)
					}
					return
				}
				if p.Location() != base+"?ok="+ok {
					t.Fatalf("plain answer: status %d location %q, want %s?ok=%s; %.400s", p.Status, p.Location(), base, ok, p.Body)
				}
			}
			// 2 rooms of 10: 20 seats for 25 candidates.
			done(post(base+"/rooms/generate", url.Values{"gen_site_id": {fmt.Sprint(site.ID)}, "gen_count": {"2"}, "gen_capacity": {"10"},
				"gen_starts": {"2027-04-10T09:00"}, "gen_ends": {"2027-04-10T11:00"}}), "generated", "[data-testid=room-row-02]")
			// A mistake beside its field (the generate form's own, not the room form's).
			p := post(base+"/rooms/generate", url.Values{"gen_site_id": {fmt.Sprint(site.ID)}, "gen_count": {"0"}, "gen_capacity": {"10"},
				"gen_starts": {"2027-04-10T09:00"}, "gen_ends": {"2027-04-10T11:00"}})
			if p.Status != http.StatusOK || p.Text("[data-testid=error-gen_count]") == "" {
				t.Errorf("generate 0 rooms: %d %q", p.Status, p.Text("[data-testid=error-gen_count]"))
			}
			done(post(base+"/subjects", url.Values{"subject_name": {"安全生产知识"}, "subject_starts": {"2027-04-10T09:00"},
				"subject_ends": {"2027-04-10T10:30"}}), "subject", "[data-testid=subject-row]")
			// 放号 asks first without JavaScript; with confirmed=1 it acts. Short of seats: refused, saying how many.
			if !hx {
				p := post(base+"/release", url.Values{"spread": {"1"}})
				if !strings.Contains(p.Text("[data-testid=confirm-question]"), "确定放号") {
					t.Fatalf("放号 without confirmation: %d %.300s", p.Status, p.Body)
				}
			}
			p = post(base+"/release", url.Values{"spread": {"1"}, "confirmed": {"1"}})
			if p.Status != http.StatusOK || !strings.Contains(p.Text("[data-testid=alert-error]"), "还差5个座位") {
				t.Fatalf("放号 short of seats: %d %q", p.Status, p.Text("[data-testid=alert-error]"))
			}
			done(post(base+"/rooms", url.Values{"site_id": {fmt.Sprint(site.ID)}, "room_no": {"03"}, "capacity": {"8"},
				"starts_at": {"2027-04-10T09:00"}, "ends_at": {"2027-04-10T11:00"}}), "room", "[data-testid=room-row-03]")
			done(post(base+"/release", url.Values{"spread": {"1"}, "confirmed": {"1"}}), "released", "[data-testid=arrange-released]")
			a := admin.get(base)
			if got := a.Text("[data-testid=arrange-range]"); got != "270010001～270010025" {
				t.Errorf("range %q", got)
			}
			if got := a.Text("[data-testid=room-row-01] [data-testid=room-range]"); got != "270010001～270010009" {
				t.Errorf("room 01's range %q (25 over 10, 10, 8: 9, 9, 7)", got)
			}
			if got := a.Text("[data-testid=summary-site] [data-testid=summary-seated]"); got != "25" {
				t.Errorf("朝阳考点 seats %q after 放号, want 25", got)
			}
			if a.Doc.Find("[data-testid=room-edit]").Length() != 0 || a.Doc.Find("[data-testid=release-form]").Length() != 0 {
				t.Error("after 放号 the page still offers room edits or 放号")
			}
			// Again: nothing changes.
			p = post(base+"/release", url.Values{"confirmed": {"1"}})
			if hx && !strings.Contains(p.Text("[data-testid=alert-ok]"), "未作任何改动") {
				t.Errorf("second 放号 says %q", p.Text("[data-testid=alert-ok]"))
			} else if !hx && p.Location() != base+"?ok=already" {
				t.Errorf("second 放号: %q", p.Location())
			}
			// A room edit after 放号 is refused with the reason.
			edit := "/admin/arrange/rooms/" + roomID(t, e, id, "01")
			p = admin.submit(edit, edit, url.Values{"site_id": {fmt.Sprint(site.ID)}, "room_no": {"01"}, "capacity": {"12"},
				"starts_at": {"2027-04-10T09:00"}, "ends_at": {"2027-04-10T11:00"}, "version": {"1"}})
			if !strings.Contains(p.Text("[data-testid=alert-error]"), "考场安排已锁定") {
				t.Errorf("room edit after 放号: %d %q", p.Status, p.Text("[data-testid=alert-error]"))
			}
			// 校验.
			verify, _ := a.Doc.Find("[data-testid=arrange-release] form[method=get]").Attr("action")
			var v *page
			if hx {
				v = admin.getHX(verify)
			} else {
				v = admin.get(verify)
			}
			if !strings.Contains(v.Text("[data-testid=draw-check-ok]"), "与记录一致") || (hx && strings.Contains(v.Body, "<html")) {
				t.Errorf("校验: %.400s", v.Body)
			}
			// 考场名单 and a room's candidates by seat, ID numbers masked.
			s := admin.get(base + "/seating")
			if got := s.Text("[data-testid=seating-room-03] [data-testid=seating-count]"); got != "7/8" {
				t.Errorf("room 03 holds %q, want 7/8", got)
			}
			seats := admin.get(edit + "/seats")
			if n := seats.Doc.Find("[data-testid=seat-row]").Length(); n != 9 {
				t.Errorf("room 01 lists %d candidates, want 9", n)
			}
			if first := seats.Text("[data-testid=seat-ticket]"); first != "270010001" || strings.Contains(seats.Body, "1101051990010") {
				t.Errorf("room 01's first seat %q; full ID numbers shown: %v", first, strings.Contains(seats.Body, "1101051990010"))
			}
			// 取消放号 needs a reason, then asks (without JavaScript), then acts.
			p = post(base+"/cancel", url.Values{"reason": {""}})
			if p.Text("[data-testid=error-reason]") == "" {
				t.Errorf("取消放号 without a reason: %d %.300s", p.Status, p.Body)
			}
			if !hx {
				p = post(base+"/cancel", url.Values{"reason": {"考场调整"}})
				if !strings.Contains(p.Text("[data-testid=confirm-question]"), "确定取消放号") {
					t.Fatalf("取消放号 without confirmation: %.300s", p.Body)
				}
			}
			done(post(base+"/cancel", url.Values{"reason": {"考场调整"}, "confirmed": {"1"}}), "cancelled", "[data-testid=release-form]")
			if got := admin.get(base).Text("[data-testid=draw-row]"); !strings.Contains(got, "考场调整") {
				t.Errorf("the cancelled draw reads %q", got)
			}
			if v := admin.get(verify); v.Doc.Find("[data-testid=draw-check-cancelled]").Length() != 1 {
				t.Errorf("校验 of a cancelled draw: %.300s", v.Body)
			}
		})
	}
}

func roomID(t *testing.T, e *env, planID, roomNo string) string {
	t.Helper()
	var id int64
	if err := e.db.NewSelect().Model((*models.ExamRoom)(nil)).Column("id").Where("plan_id = ? AND room_no = ?", planID, roomNo).
		Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}
