package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"examcert/internal/checkinfixture"
	"examcert/models"
)

// checkinDay is an exam day for the demo 考务人员 kaowu: plan A with rooms 01 and 02 (today) and 09 (over) at 第一考点,
// which kaowu has today (and on the finished room's day), and room 01 at 第二考点, which kaowu does not have; plan B
// only at 第二考点.
type checkinDay struct {
	tokens           models.TicketTokens
	planA, planB     *models.ExamPlan
	a1, a2, done, ay *models.ExamRoom
	c                map[*models.ExamRoom][]checkinfixture.Candidate
}

func checkinItoa(n int64) string { return strconv.FormatInt(n, 10) }

func newCheckinDay(t testing.TB, e *env) *checkinDay {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d := &checkinDay{c: map[*models.ExamRoom][]checkinfixture.Candidate{}}
	var err error
	d.tokens, err = models.NewTicketTokens(ctx, e.db)
	must(err)
	d.planA, err = checkinfixture.Plan(ctx, e.db, "施工员（土建）考试")
	must(err)
	d.planB, err = checkinfixture.Plan(ctx, e.db, "质量员考试")
	must(err)
	x, err := checkinfixture.Site(ctx, e.db, "第一考点")
	must(err)
	y, err := checkinfixture.Site(ctx, e.db, "第二考点")
	must(err)
	key, err := e.app.Blobs.Put(ctx, testPhoto(t, 295, 413, "jpeg"))
	must(err)
	now := models.Now()
	room := func(plan *models.ExamPlan, site *models.ExamSite, no string, starts, ends time.Time, n, seq int) *models.ExamRoom {
		r, err := checkinfixture.Room(ctx, e.db, plan, site, no, starts, ends)
		must(err)
		dr, err := checkinfixture.Draw(ctx, e.db, plan)
		must(err)
		d.c[r], err = checkinfixture.Candidates(ctx, e.db, r, dr, n, seq, key)
		must(err)
		return r
	}
	d.a1 = room(d.planA, x, "01", now, now.Add(2*time.Hour), 3, 1)
	d.a2 = room(d.planA, x, "02", now, now.Add(2*time.Hour), 2, 31)
	d.done = room(d.planA, x, "09", now.Add(-3*time.Hour), now.Add(-time.Minute), 2, 61)
	d.ay = room(d.planA, y, "01", now, now.Add(2*time.Hour), 1, 91)
	room(d.planB, y, "01", now, now.Add(2*time.Hour), 1, 1)
	kaowu := e.account("kaowu")
	must(checkinfixture.Scope(ctx, e.db, kaowu, x, models.ExamDay(now)))
	if day := models.ExamDay(d.done.StartsAt); day != models.ExamDay(now) {
		must(checkinfixture.Scope(ctx, e.db, kaowu, x, day))
	}
	return d
}

func (e *env) checkedIn(t *testing.T, c checkinfixture.Candidate) *models.Ticket {
	t.Helper()
	tk := new(models.Ticket)
	if err := e.db.NewSelect().Model(tk).Where("registration_id = ?", c.Registration.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tk
}

// Without JavaScript: the 考务人员 lands on 考生签到 with the day's only plan chosen, scans (the token, then the
// typed number), is sent (303) to the page with the card, and a second scan says when the first was.
func TestCheckinScanWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := newCheckinDay(t, e)
	c := e.client()
	if p := c.loginNoCaptcha("kaowu", "Demo#2026"); p.Status == http.StatusSeeOther {
		t.Fatal("a 考务人员 signed in without the captcha")
	}
	if p := c.login("kaowu", "Demo#2026"); p.Status != http.StatusSeeOther || p.Location() != "/checkin" {
		t.Fatalf("sign-in: %d → %q", p.Status, p.Location())
	}
	p := c.get("/checkin")
	if v, _ := p.Doc.Find(`[name="plan_id"] option[selected]`).Attr("value"); v != checkinItoa(d.planA.ID) {
		t.Fatalf("plan chosen: %q; body %.500s", v, p.Body)
	}
	in := p.Doc.Find(`[data-testid="checkin-code"]`)
	if _, ok := in.Attr("autofocus"); !ok || in.Length() != 1 {
		t.Fatal("the scan field is missing or not autofocused")
	}
	if got := p.Text(`[data-testid="checkin-summary-01"] [data-testid="count-out"]`); got != "3" {
		t.Errorf("room 01 未签到 = %q, want 3", got)
	}
	who := d.c[d.a1][1]
	form := url.Values{"plan_id": {checkinItoa(d.planA.ID)}, "room_id": {checkinItoa(d.a1.ID)}, "code": {d.tokens.Sign(who.Ticket.TicketNo, who.Ticket.DrawID)}}
	r := c.submit("/checkin", "/checkin", form)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "shown="+checkinItoa(who.Registration.ID)) {
		t.Fatalf("scan: %d → %q; %s", r.Status, r.Location(), r.Text(`[data-testid="checkin-refusal"]`))
	}
	card := c.get(r.Location())
	if got := card.Text(`[data-testid="card-name"]`); got != who.Person.Name {
		t.Errorf("card name %q, want %q", got, who.Person.Name)
	}
	if got := card.Text(`[data-testid="card-id"]`); !strings.Contains(got, "****") || strings.Contains(card.Body, who.Person.IDNumber) {
		t.Errorf("ID number on the card: %q (must be masked, and the full number nowhere)", got)
	}
	if card.Text(`[data-testid="card-room"]`) != "01" || card.Text(`[data-testid="card-seat"]`) != "2" {
		t.Errorf("room/seat: %q/%q", card.Text(`[data-testid="card-room"]`), card.Text(`[data-testid="card-seat"]`))
	}
	if got := card.Text(`[data-testid="card-status"]`); !strings.HasPrefix(got, "签到成功 ") {
		t.Errorf("status %q", got)
	}
	src, _ := card.Doc.Find(`[data-testid="checkin-photo"]`).Attr("src")
	if ph := c.get(src); ph.Status != http.StatusOK || ph.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo %q: %d %s", src, ph.Status, ph.Header.Get("Content-Type"))
	}
	tk := e.checkedIn(t, who)
	if tk.CheckedInAt == nil || tk.CheckedInBy == nil || *tk.CheckedInBy != e.account("kaowu").ID {
		t.Fatalf("ticket: %+v", tk)
	}
	form.Set("code", who.Ticket.TicketNo)
	r = c.submit("/checkin", "/checkin", form)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "again=1") {
		t.Fatalf("second scan: %d → %q", r.Status, r.Location())
	}
	want := "已于 " + tk.CheckedInAt.In(models.Beijing).Format("15:04") + " 签到"
	if got := c.get(r.Location()).Text(`[data-testid="card-status"]`); got != want {
		t.Errorf("second scan says %q, want %q", got, want)
	}
	if n := len(e.auditEvents(models.EventCheckedIn)); n != 1 {
		t.Errorf("%d check-in audit rows, want 1", n)
	}
	if got := c.get("/checkin?plan_id=" + checkinItoa(d.planA.ID)).Text(`[data-testid="checkin-summary-01"] [data-testid="count-in"]`); got != "1" {
		t.Errorf("room 01 已签到 = %q, want 1", got)
	}
}

// A wrong room, a forged token, an empty field: the page again (200) with the large red message, nothing recorded.
func TestCheckinRefusalsWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := newCheckinDay(t, e)
	c := e.client().signIn("kaowu")
	var forged models.TicketTokens
	cases := []struct{ name, room, code, refusal, detail string }{
		{"wrong room", checkinItoa(d.a1.ID), d.c[d.a2][0].Ticket.TicketNo, "不是本考场的考生", "第02考场"},
		{"forged token", checkinItoa(d.a1.ID), forged.Sign(d.c[d.a1][0].Ticket.TicketNo, d.c[d.a1][0].Ticket.DrawID), "无效的准考证", ""},
		{"token of another draw", checkinItoa(d.a1.ID), d.tokens.Sign(d.c[d.a1][0].Ticket.TicketNo, d.c[d.a1][0].Ticket.DrawID+1000), "准考证已作废（已重新放号），请考生重新打印准考证", ""},
		{"other 考点", "", d.c[d.ay][0].Ticket.TicketNo, "不在您负责的考点或日期", ""},
	}
	for _, tc := range cases {
		p := c.submit("/checkin", "/checkin", url.Values{"plan_id": {checkinItoa(d.planA.ID)}, "room_id": {tc.room}, "code": {tc.code}})
		if p.Status != http.StatusOK || p.Text(`[data-testid="checkin-refusal"] strong`) != tc.refusal {
			t.Errorf("%s: %d %q", tc.name, p.Status, p.Text(`[data-testid="checkin-refusal"]`))
		}
		if !strings.Contains(p.Text(`[data-testid="checkin-refusal-detail"]`), tc.detail) {
			t.Errorf("%s: detail %q, want %q in it", tc.name, p.Text(`[data-testid="checkin-refusal-detail"]`), tc.detail)
		}
		if p.Doc.Find(".checkin-refusal").Length() != 1 || !strings.Contains(p.Body, "<html") {
			t.Errorf("%s: want the whole page with one .checkin-refusal", tc.name)
		}
	}
	p := c.submit("/checkin", "/checkin", url.Values{"plan_id": {checkinItoa(d.planA.ID)}, "code": {"  "}})
	if p.Text(`[data-testid="error-code"]`) == "" || p.Doc.Find(".checkin-refusal").Length() != 0 {
		t.Errorf("empty scan: %q", p.Text(`[data-testid="error-code"]`))
	}
	var n int
	if err := e.db.NewSelect().Model((*models.Ticket)(nil)).ColumnExpr("COUNT(*)").Where("checked_in_at IS NOT NULL").Scan(context.Background(), &n); err != nil || n != 0 {
		t.Errorf("%d tickets checked in after refusals (%v)", n, err)
	}
	if n := len(e.auditEvents(models.EventCheckedIn)); n != 0 {
		t.Errorf("%d audit rows after refusals", n)
	}
}

// With htmx the scan answers with the scan panel only: the card (or the red message) and an empty field with
// autofocus for the next scan.
func TestCheckinScanFragment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := newCheckinDay(t, e)
	c := e.client().signIn("kaowu")
	who := d.c[d.a1][0]
	p := c.submitHX("/checkin", "/checkin", url.Values{"plan_id": {checkinItoa(d.planA.ID)}, "code": {who.Ticket.TicketNo}}, true)
	if p.Status != http.StatusOK || strings.Contains(p.Body, "<html") || p.Doc.Find("#checkin-scan").Length() != 1 {
		t.Fatalf("fragment: %d %.300s", p.Status, p.Body)
	}
	if !strings.Contains(strings.Join(p.Header.Values("Vary"), ","), "HX-Request") {
		t.Error("no Vary: HX-Request")
	}
	if p.Text(`[data-testid="card-name"]`) != who.Person.Name || !strings.HasPrefix(p.Text(`[data-testid="card-status"]`), "签到成功") {
		t.Errorf("card: %q %q", p.Text(`[data-testid="card-name"]`), p.Text(`[data-testid="card-status"]`))
	}
	in := p.Doc.Find(`[data-testid="checkin-code"]`)
	if v, _ := in.Attr("value"); v != "" {
		t.Errorf("the field keeps %q", v)
	}
	if _, ok := in.Attr("autofocus"); !ok {
		t.Error("the field is not autofocused")
	}
	p = c.submitHX("/checkin", "/checkin", url.Values{"plan_id": {checkinItoa(d.planA.ID)}, "room_id": {checkinItoa(d.a2.ID)}, "code": {who.Ticket.TicketNo}}, true)
	if p.Text(`[data-testid="checkin-refusal"] strong`) != "不是本考场的考生" || strings.Contains(p.Body, "<html") {
		t.Errorf("refusal fragment: %.300s", p.Body)
	}
}

// The room list counts 已签到 / 未签到 and polls with htmx; 标记缺考 shows only after the exam, asks first, marks
// whoever did not come with one 批号, and a second marking marks nobody.
func TestCheckinRoomListAndAbsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := newCheckinDay(t, e)
	c := e.client().signIn("kaowu")
	if _, err := e.db.NewUpdate().Model((*models.Ticket)(nil)).Set("checked_in_at = ?", d.done.StartsAt).
		Where("registration_id = ?", d.c[d.done][0].Registration.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	room := "/checkin/rooms/" + checkinItoa(d.a1.ID)
	p := c.get(room)
	if p.Text(`[data-testid="room-total"]`) != "3" || p.Text(`[data-testid="room-out"]`) != "3" || p.Doc.Find(`[data-testid="checkin-absent"]`).Length() != 0 {
		t.Errorf("room 01 before the end: total %q out %q", p.Text(`[data-testid="room-total"]`), p.Text(`[data-testid="room-out"]`))
	}
	if p := c.getHX(room); strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, `hx-trigger="every 10s"`) {
		t.Errorf("poll fragment: %.300s", p.Body)
	}
	if p := c.submit(room, room+"/absent", url.Values{"confirmed": {"1"}}); p.Status != http.StatusConflict {
		t.Errorf("标记缺考 before the end: %d", p.Status)
	}
	done := "/checkin/rooms/" + checkinItoa(d.done.ID)
	p = c.get(done)
	if p.Doc.Find(`[data-testid="checkin-absent"]`).Length() != 1 || p.Text(`[data-testid="room-in"]`) != "1" {
		t.Fatalf("finished room: button %d, 已签到 %q", p.Doc.Find(`[data-testid="checkin-absent"]`).Length(), p.Text(`[data-testid="room-in"]`))
	}
	if q := c.submit(done, done+"/absent", nil); q.Status != http.StatusOK || q.Doc.Find(`[data-testid="confirm-page"]`).Length() != 1 {
		t.Fatalf("without confirmation: %d", q.Status)
	}
	if n := len(e.auditEvents(models.EventMarkedAbsent)); n != 0 {
		t.Fatalf("marked before confirming")
	}
	r := c.submit(done, done+"/absent", url.Values{"confirmed": {"1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("标记缺考: %d", r.Status)
	}
	p = c.get(r.Location())
	if msg := p.Text(`[data-testid="alert-ok"]`); !strings.Contains(msg, "1 名") || !strings.Contains(msg, "QKBJ") {
		t.Errorf("message %q", msg)
	}
	if p.Text(`[data-testid="seat-2"] [data-testid="seat-status"]`) != "缺考" || !strings.HasPrefix(p.Text(`[data-testid="seat-1"] [data-testid="seat-status"]`), "已签到") {
		t.Errorf("seats: %q / %q", p.Text(`[data-testid="seat-1"] [data-testid="seat-status"]`), p.Text(`[data-testid="seat-2"] [data-testid="seat-status"]`))
	}
	h := c.submitHX(done, done+"/absent", url.Values{"confirmed": {"1"}}, true)
	if h.Status != http.StatusOK || !strings.Contains(h.Text(`[data-testid="alert-ok"]`), "没有需要标记缺考的考生") || strings.Contains(h.Body, "<html") {
		t.Errorf("second marking (htmx): %d %.300s", h.Status, h.Body)
	}
	if n := len(e.auditEvents(models.EventMarkedAbsent)); n != 1 {
		t.Errorf("%d 缺考 audit rows, want 1", n)
	}
}

// What lies outside the 考务人员's 考点 and days is not found, through every path.
func TestCheckinScopeIsNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := newCheckinDay(t, e)
	c := e.client().signIn("kaowu")
	for _, path := range []string{
		"/checkin?plan_id=" + checkinItoa(d.planB.ID),
		"/checkin/rooms/" + checkinItoa(d.ay.ID),
		"/checkin/photos/" + checkinItoa(d.c[d.ay][0].Registration.ID),
		"/checkin?plan_id=" + checkinItoa(d.planA.ID) + "&shown=" + checkinItoa(d.c[d.ay][0].Registration.ID),
	} {
		if p := c.get(path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.Status)
		}
	}
	if p := c.submit("/checkin", "/checkin", url.Values{"plan_id": {checkinItoa(d.planB.ID)}, "code": {"x"}}); p.Status != http.StatusNotFound {
		t.Errorf("scan for plan B: %d", p.Status)
	}
	if p := c.submit("/checkin", "/checkin/rooms/"+checkinItoa(d.ay.ID)+"/absent", url.Values{"confirmed": {"1"}}); p.Status != http.StatusNotFound {
		t.Errorf("标记缺考 at 第二考点: %d", p.Status)
	}
	// An admin sees both 考点.
	a := e.client().signIn("admin")
	if p := a.get("/checkin/rooms/" + checkinItoa(d.ay.ID)); p.Status != http.StatusOK {
		t.Errorf("admin, 第二考点: %d", p.Status)
	}
	if p := a.get("/checkin?plan_id=" + checkinItoa(d.planA.ID)); p.Doc.Find(`[data-testid="checkin-room-link"]`).Length() != 4 {
		t.Errorf("admin sees %d rooms of plan A, want 4", p.Doc.Find(`[data-testid="checkin-room-link"]`).Length())
	}
}

// Admins create 考务人员 and give them 考点 and days on the account's 签到范围 page, with and without htmx.
func TestProctorScopeEditor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	newCheckinDay(t, e)
	a := e.client().signIn("admin")
	p := a.submit("/admin/accounts/new", "/admin/accounts", url.Values{"role": {"proctor"}, "username": {"kaowu7"}, "display_name": {"李考务"}})
	link, _ := p.Doc.Find(`[data-testid="created-scopes"]`).Attr("href")
	if p.Status != http.StatusOK || p.Text(`[data-testid="temp-password"]`) == "" || link == "" {
		t.Fatalf("create a 考务人员: %d %q %q", p.Status, p.Text(`[data-testid="alert-error"]`), p.Text(`[data-testid="error-role"]`))
	}
	list := a.get("/admin/accounts?role=proctor")
	if href, _ := list.Doc.Find(`[data-testid="account-row-kaowu7"] [data-testid="account-scopes"]`).Attr("href"); href != link {
		t.Errorf("list link %q, want %q", href, link)
	}
	page := a.get(link)
	var site string
	page.Doc.Find(`select[name="site_id"] option`).Each(func(_ int, s *goquerySelection) {
		if s.Text() == "第二考点" {
			site, _ = s.Attr("value")
		}
	})
	if site == "" {
		t.Fatalf("no 第二考点 to choose: %.500s", page.Body)
	}
	r := a.submit(link, link, url.Values{"site_id": {site}, "day": {"2026-12-20"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %q", r.Status, r.Text(`[data-testid="error-day"]`))
	}
	if got := a.get(link).Text(`[data-testid="scope-row"]`); !strings.Contains(got, "2026-12-20") || !strings.Contains(got, "第二考点") {
		t.Errorf("row %q", got)
	}
	h := a.submitHX(link, link, url.Values{"site_id": {site}, "day": {""}}, true)
	if h.Text(`[data-testid="error-day"]`) == "" || strings.Contains(h.Body, "<html") {
		t.Errorf("no day (htmx): %.300s", h.Body)
	}
	h = a.submitHX(link, link, url.Values{"site_id": {site}, "day": {"2026-12-21"}}, true)
	if n := h.Doc.Find(`[data-testid="scope-row"]`).Length(); n != 2 || strings.Contains(h.Body, "<html") {
		t.Errorf("after the htmx add: %d rows", n)
	}
	rm, _ := h.Doc.Find(`[data-testid="scope-row"] form`).First().Attr("action")
	if r := a.submit(link, rm, url.Values{"confirmed": {"1"}}); r.Status != http.StatusSeeOther {
		t.Errorf("remove: %d", r.Status)
	}
	if n := a.get(link).Doc.Find(`[data-testid="scope-row"]`).Length(); n != 1 {
		t.Errorf("after removal: %d rows", n)
	}
	if p := a.get("/admin/accounts/" + checkinItoa(e.account("zhangsan").ID) + "/scopes"); p.Status != http.StatusNotFound {
		t.Errorf("scopes of a practitioner: %d", p.Status)
	}
}
