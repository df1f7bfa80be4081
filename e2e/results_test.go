package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"math/rand/v2"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"examcert/internal/checkinfixture"
	"examcert/internal/database"
	"examcert/internal/ident"
	"examcert/models"
)

// resultPlan is, per mode, a released plan with two subjects: zhangsan, a staff member of jianshe's and two other
// candidates, registered through peixun, hold 准考证 of it.
type resultPlan struct {
	plan     *models.ExamPlan
	subjects []*models.ExamSubject
	tickets  map[string]string // 准考证号 → name
	staff    string            // the jianshe staff member's name
	trained  [2]string         // peixun's candidates: the first (lowest 准考证号) fails, the second passes
}

// resultsSeed writes, behind the server's back, what 放号 and 签到 leave: per mode a plan ready for its scores.
func resultsSeed(t *testing.T, srv *server) map[string]*resultPlan {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, srv.DatabaseURL, srv.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var zhang, jianshe, peixun models.Account
	must(db.NewSelect().Model(&zhang).Where("username = ?", "zhangsan").Scan(ctx))
	must(db.NewSelect().Model(&jianshe).Where("username = ?", "jianshe").Scan(ctx))
	must(db.NewSelect().Model(&peixun).Where("username = ?", "peixun").Scan(ctx))
	site, err := checkinfixture.Site(ctx, db, "成绩考点")
	must(err)
	out := map[string]*resultPlan{}
	now := models.Now()
	for i, m := range modes {
		rp := &resultPlan{tickets: map[string]string{}}
		rp.plan, err = checkinfixture.Plan(ctx, db, "成绩测试考试（"+m.name+"）")
		must(err)
		draw, err := checkinfixture.Draw(ctx, db, rp.plan)
		must(err)
		room, err := checkinfixture.Room(ctx, db, rp.plan, site, strconv.Itoa(i+1), now, now.Add(2*time.Hour))
		must(err)
		cs, err := checkinfixture.Candidates(ctx, db, room, draw, 2, i*100+1, "")
		must(err)
		for k, c := range cs {
			rp.tickets[c.Ticket.TicketNo] = c.Person.Name
			rp.trained[k] = c.Person.Name
			_, err := db.NewUpdate().Model((*models.Registration)(nil)).Set("channel = ?, organization_id = ?", models.ChannelTraining,
				*peixun.OrganizationID).Where("id = ?", c.Registration.ID).Exec(ctx)
			must(err)
		}
		staff := &models.Person{IDNumber: ident.GenerateIDNumber(rand.New(rand.NewPCG(uint64(rp.plan.ID), 7)), "110105",
			time.Date(1990, 1, 1+i, 0, 0, 0, 0, time.UTC), ident.GenderMale), Name: "城建员工" + m.name, Gender: "男",
			OrganizationID: jianshe.OrganizationID}
		must(models.InsertPerson(ctx, db, staff))
		rp.staff = staff.Name
		for j, p := range []struct {
			person  int64
			channel models.Channel
			org     *int64
			name    string
		}{{*zhang.PersonID, models.ChannelSelf, nil, zhang.DisplayName}, {staff.ID, models.ChannelEnterprise, jianshe.OrganizationID, staff.Name}} {
			reg := &models.Registration{PlanID: rp.plan.ID, PersonID: p.person, Channel: p.channel, OrganizationID: p.org, Resume: "[]",
				EmployerName: "北京城建示范工程有限公司", Status: models.RegTicketed, CreatedAt: now, UpdatedAt: now, Version: 1}
			_, err := db.NewInsert().Model(reg).Returning("id").Exec(ctx)
			must(err)
			no := cs[0].Ticket.TicketNo[:5] + strconv.Itoa(9000+j)
			_, err = db.NewInsert().Model(&models.Ticket{RegistrationID: reg.ID, PlanID: rp.plan.ID, RoomID: room.ID, DrawID: draw.ID,
				SeatNo: 10 + j, TicketNo: no}).Exec(ctx)
			must(err)
			rp.tickets[no] = ""
		}
		for j, name := range []string{"理论", "实操"} {
			s, err := checkinfixture.Subject(ctx, db, rp.plan, name, j+1, now.Add(time.Duration(j)*3*time.Hour))
			must(err)
			rp.subjects = append(rp.subjects, s)
		}
		must(checkinfixture.Release(ctx, db, rp.plan))
		out[m.name] = rp
	}
	return out
}

// scoreFile writes a 成绩 file for every ticket of rp: 60 + 20 each, but the first (a random candidate) 30 + 20.
func scoreFile(t *testing.T, rp *resultPlan) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]string{{"准考证", "姓名", "考场号", "客观题成绩", "主观题成绩", "考试情况"}}
	nos := make([]string, 0, len(rp.tickets))
	for no := range rp.tickets {
		nos = append(nos, no)
	}
	for i, no := range sortStrings(nos) {
		score := "60"
		if i == 0 {
			score = "30"
		}
		rows = append(rows, []string{no, "", "", score, "20", "正常"})
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			_ = f.SetCellStr("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scores.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// TestResultsImportPublishView: the admin imports both subjects' scores, previews a 合格线 (live with JavaScript,
// with 预览 without) and publishes after the confirm step; zhangsan finds 合格 in 查看考试结果 through the plan
// picker; jianshe exports the 考试合格人员 list with its staff member on it; peixun sees its two candidates'
// results (one 合格, one 不合格) and, under 考试合格人员, the one who passed.
func TestResultsImportPublishView(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	srv := startServer(t, bin)
	plans := resultsSeed(t, srv)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			rp := plans[m.name]
			a := newTab(t, browser, srv, m.js)
			a.signIn(admin, demoPassword)
			a.clickAndLoad(`[data-testid="menu-admin.results"]`)
			a.open("/admin/results/" + strconv.FormatInt(rp.plan.ID, 10))
			file := scoreFile(t, rp)
			for i := range rp.subjects {
				row := `[data-testid=subject-row]:nth-child(` + strconv.Itoa(i+1) + `) `
				a.do(chromedp.SetUploadFiles(chromedp.CSS(row+"[data-testid=score-file]"), []string{file}))
				a.clickAndLoad(row + "[data-testid=score-import-submit]")
				if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "已导入 4 条成绩，批号 CJDR") {
					t.Fatalf("import %d: %q %q", i, got, a.text("[data-testid=import-problems]")+a.text("[data-testid=alert-error]"))
				}
			}
			// At a 理论 line of 50 everyone passes it (the lowest total is 30 + 20).
			line := "line_" + strconv.FormatInt(rp.subjects[0].ID, 10)
			if m.js {
				a.do(chromedp.Clear(chromedp.CSS(`input[name="`+line+`"]`)), chromedp.SendKeys(chromedp.CSS(`input[name="`+line+`"]`), "50"))
				a.eventually("the live preview", func() bool { return strings.HasPrefix(a.text("[data-testid=line-rate]"), "4 / 4") })
			} else {
				a.do(chromedp.Clear(chromedp.CSS(`input[name="`+line+`"]`)), chromedp.SendKeys(chromedp.CSS(`input[name="`+line+`"]`), "50"))
				a.clickAndLoad("[data-testid=lines-preview]")
				if got := a.text("[data-testid=line-rate]"); !strings.HasPrefix(got, "4 / 4") {
					t.Errorf("preview at 50: %q", got)
				}
			}
			// Keep the default 60: the candidate at 50 fails.
			a.open("/admin/results/" + strconv.FormatInt(rp.plan.ID, 10))
			a.clickAndLoad("[data-testid=results-publish]")
			if got := a.text("[data-testid=overall-rate]"); !strings.Contains(got, "3 / 4") {
				t.Errorf("confirm step shows %q", got)
			}
			a.clickAndLoad("[data-testid=publish-yes]")
			if got := a.text("[data-testid=alert-ok]"); !strings.Contains(got, "成绩已发布，批号 CJFB") {
				t.Fatalf("publish: %q %q", got, a.text("[data-testid=alert-error]"))
			}

			p := newTab(t, browser, srv, m.js)
			p.signIn(practitioner, demoPassword)
			p.clickAndLoad(`[data-testid="menu-result.page"]`)
			if m.js {
				p.click(`[data-testid="plan-pick"]`)
				p.waitVisible(`[data-testid="plan-picker-panel"] [data-testid="plan-picker"]`)
			} else {
				p.clickAndLoad(`[data-testid="plan-pick"]`)
			}
			p.clickAndLoad(`[data-testid="picker-choose"][href$="plan=` + strconv.FormatInt(rp.plan.ID, 10) + `"]`)
			if got := p.text("[data-testid=result-outcome]"); got != "合格" {
				t.Errorf("zhangsan's result: %q", got)
			}

			e := newTab(t, browser, srv, m.js)
			e.signIn(enterprise, demoPassword)
			e.open("/results?plan=" + strconv.FormatInt(rp.plan.ID, 10) + "&view=passed")
			if got := e.text("[data-testid=passed-name]"); got != rp.staff {
				t.Errorf("jianshe's 考试合格人员: %q, want %s", got, rp.staff)
			}
			dir := e.allowDownloads()
			d := e.clickForDownload("[data-testid=results-export]", dir)
			x, err := excelize.OpenReader(bytes.NewReader(d.Data))
			if err != nil {
				t.Fatalf("export %s: %v", d.Name, err)
			}
			rows, _ := x.GetRows(x.GetSheetList()[0])
			x.Close()
			if len(rows) != 2 || rows[1][5] != rp.staff || rows[1][9] != "合格" {
				t.Errorf("exported rows %v", rows)
			}

			tr := newTab(t, browser, srv, m.js)
			tr.signIn(training, demoPassword)
			tr.clickAndLoad(`[data-testid="menu-result.page"]`)
			if m.js {
				tr.click(`[data-testid="plan-pick"]`)
				tr.waitVisible(`[data-testid="plan-picker-panel"] [data-testid="plan-picker"]`)
			} else {
				tr.clickAndLoad(`[data-testid="plan-pick"]`)
			}
			tr.clickAndLoad(`[data-testid="picker-choose"][href$="plan=` + strconv.FormatInt(rp.plan.ID, 10) + `"]`)
			seen := map[string]string{}
			tr.doc().Find(`[data-testid="result-row"]`).Each(func(_ int, s *goquery.Selection) {
				seen[strings.TrimSpace(s.Find(`[data-testid="result-name"]`).Text())] = strings.TrimSpace(s.Find(`[data-testid="result-outcome"]`).Text())
			})
			if len(seen) != 2 || seen[rp.trained[0]] != "不合格" || seen[rp.trained[1]] != "合格" {
				t.Errorf("peixun's 考试结果: %v, want %s 不合格 and %s 合格", seen, rp.trained[0], rp.trained[1])
			}
			tr.clickAndLoad(`[data-testid="tab-passed"]`)
			var passed []string
			tr.doc().Find(`[data-testid="passed-name"]`).Each(func(_ int, s *goquery.Selection) { passed = append(passed, strings.TrimSpace(s.Text())) })
			if len(passed) != 1 || passed[0] != rp.trained[1] {
				t.Errorf("peixun's 考试合格人员: %v, want %s", passed, rp.trained[1])
			}
		})
	}
}
