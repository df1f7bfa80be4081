package models_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
	"examcert/models"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func intp(n int) *int { return &n }

// YearsBetween counts a year on its anniversary: 2016-12-01 to 2026-12-01 is 10 years (it used to compare the day
// of the year, and 2016 being a leap year, said 9).
func TestYearsBetween(t *testing.T) {
	t.Parallel()
	cases := []struct {
		start string
		now   time.Time
		want  int
	}{
		{"2016-12-01", day("2026-12-01"), 10},
		{"2016-12-01", day("2026-11-30"), 9},
		{"2016-12-01", time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), 10}, // 2026-12-01 01:00 in Beijing
		{"2016-12-01", time.Date(2026, 11, 30, 15, 59, 0, 0, time.UTC), 9},
		{"2016-02-29", day("2026-02-28"), 9},
		{"2016-02-29", day("2026-03-01"), 10},
		{"2015-03-01", day("2016-02-29"), 0},
		{"2015-03-01", day("2016-03-01"), 1},
		{"2012-07-01", day("2026-06-30"), 13},
		{"2012-07-01", day("2026-07-01"), 14},
		{"2030-01-01", day("2026-07-01"), 0}, // in the future: never negative
	}
	for _, c := range cases {
		if got := models.YearsBetween(day(c.start), c.now); got != c.want {
			t.Errorf("YearsBetween(%s, %s) = %d, want %d", c.start, c.now.Format(time.RFC3339), got, c.want)
		}
	}
}

func TestCheckEligibility(t *testing.T) {
	t.Parallel()
	birth := day("1990-03-07")
	now := day("2026-12-01")
	cases := []struct {
		name      string
		minYears  int
		start     string
		claimed   *int
		wantYears int
		wantErr   map[string]string // field → part of the message
	}{
		{name: "anniversary counts the year", minYears: 10, start: "2016-12-01", wantYears: 10},
		{name: "a day short of the minimum", minYears: 10, start: "2016-12-02", wantYears: 9,
			wantErr: map[string]string{"years_of_work": "满10年，当前为9年，不符合报名条件"}},
		{name: "no minimum", start: "2026-11-01", wantYears: 0},
		{name: "claimed fewer years than worked", minYears: 3, start: "2010-07-01", claimed: intp(5), wantYears: 5},
		{name: "claimed more years than worked", start: "2020-07-01", claimed: intp(8), wantYears: 6,
			wantErr: map[string]string{"years_of_work": "不能超过参加工作以来的年数（6年）"}},
		{name: "claimed below the minimum", minYears: 3, start: "2010-07-01", claimed: intp(2), wantYears: 2,
			wantErr: map[string]string{"years_of_work": "满3年，当前为2年"}},
		{name: "work start in the future", start: "2026-12-02",
			wantErr: map[string]string{"work_start_date": "不能晚于今天"}},
		{name: "work start before the age of 14", start: "2004-03-06",
			wantErr: map[string]string{"work_start_date": "年满14周岁之后"}},
		{name: "work start on the 14th birthday", start: "2004-03-07", wantYears: 22},
	}
	for _, c := range cases {
		plan := &models.ExamPlan{MinYearsOfWork: c.minYears}
		years, errs := models.CheckEligibility(plan, &birth, day(c.start), c.claimed, now)
		if c.wantErr == nil && errs != nil {
			t.Errorf("%s: unexpected problems %v", c.name, errs)
		}
		for f, want := range c.wantErr {
			if !strings.Contains(errs[f], want) {
				t.Errorf("%s: %s = %q, want it to say %q", c.name, f, errs[f], want)
			}
		}
		if len(errs) > len(c.wantErr) {
			t.Errorf("%s: problems %v, want only %v", c.name, errs, c.wantErr)
		}
		if c.wantErr["work_start_date"] == "" && years != c.wantYears {
			t.Errorf("%s: %d years, want %d", c.name, years, c.wantYears)
		}
	}
}

func TestCheckRegistration(t *testing.T) {
	t.Parallel()
	now := models.Now()
	open := func() *models.ExamPlan {
		return &models.ExamPlan{ID: 7, Status: models.PlanOpen, RegistrationStartsAt: now.Add(-time.Hour), RegistrationEndsAt: now.Add(time.Hour),
			MinEducation: "大专", PhotoMinBytes: 10 << 10, PhotoMaxBytes: 60 << 10}
	}
	birth := day("1985-05-05")
	person := &models.Person{ID: 3, BirthDate: &birth, Education: "本科"}
	valid := models.RegistrationInput{WorkStartDate: "2008-07-01", EmployerName: " 北京某建设公司 ", EmployerCode: "91110105g1921g9139",
		Resume: []models.ResumeRow{{Period: "2008.07-2018.06", Employer: "北京某建设公司", Post: "施工员"}, {}}, EmployerOpinion: "同意"}
	cases := []struct {
		name     string
		plan     func(*models.ExamPlan)
		person   *models.Person
		existing *models.Registration
		in       func(*models.RegistrationInput)
		photo    int
		want     map[string]string // field → part of the message; nil: no problems
	}{
		{name: "valid"},
		{name: "a rejected registration may be submitted again", existing: &models.Registration{ID: 9, PlanID: 7, Status: models.RegReturned}},
		{name: "work start in Chinese", in: func(in *models.RegistrationInput) { in.WorkStartDate = "2008年7月" }},
		{name: "years with 年", in: func(in *models.RegistrationInput) { in.YearsOfWork = "5年" }},
		{name: "no work start", in: func(in *models.RegistrationInput) { in.WorkStartDate = " " },
			want: map[string]string{"work_start_date": "请输入参加工作时间"}},
		{name: "unreadable work start", in: func(in *models.RegistrationInput) { in.WorkStartDate = "去年" },
			want: map[string]string{"work_start_date": models.MsgDateFormat}},
		{name: "years not a number", in: func(in *models.RegistrationInput) { in.YearsOfWork = "五" },
			want: map[string]string{"years_of_work": models.MsgYearsFormat}},
		{name: "negative years", in: func(in *models.RegistrationInput) { in.YearsOfWork = "-1" },
			want: map[string]string{"years_of_work": models.MsgYearsFormat}},
		{name: "no employer", in: func(in *models.RegistrationInput) { in.EmployerName = "" },
			want: map[string]string{"employer_name": "请输入单位名称"}},
		{name: "employer code that is not one", in: func(in *models.RegistrationInput) { in.EmployerCode = "12345" },
			want: map[string]string{"employer_code": "代码"}},
		{name: "resume line without an employer", in: func(in *models.RegistrationInput) { in.Resume[1] = models.ResumeRow{Period: "2019-"} },
			want: map[string]string{"resume_1": "请填写起止时间和工作单位"}},
		{name: "resume line too long", in: func(in *models.RegistrationInput) { in.Resume[0].Post = strings.Repeat("长", 150) },
			want: map[string]string{"resume_0": "内容过长"}},
		{name: "opinion too long", in: func(in *models.RegistrationInput) { in.EmployerOpinion = strings.Repeat("意", 501) },
			want: map[string]string{"employer_opinion": "最多500字"}},
		{name: "education below the minimum", person: &models.Person{ID: 3, BirthDate: &birth, Education: "高中/中专/技校"},
			want: map[string]string{"education": "大专及以上学历"}},
		{name: "education not filled in", person: &models.Person{ID: 3, BirthDate: &birth},
			want: map[string]string{"education": "请先填写学历"}},
		{name: "no photo", photo: -1, want: map[string]string{"photo": "请上传一寸照片"}},
		{name: "photo too large", photo: 61 << 10, want: map[string]string{"photo": "超过该考试要求的60KB"}},
		{name: "photo too small", photo: 9 << 10, want: map[string]string{"photo": "低于该考试要求的10KB"}},
		{name: "window closed", plan: func(p *models.ExamPlan) { p.RegistrationEndsAt = now.Add(-time.Minute) },
			want: map[string]string{"plan": "不在报名时间内"}},
		{name: "plan full", plan: func(p *models.ExamPlan) { p.Capacity, p.SeatsTaken = 2, 2 },
			want: map[string]string{"plan": "该考试名额已满"}},
		{name: "registered already", existing: &models.Registration{ID: 9, PlanID: 7, Status: models.RegApproved},
			want: map[string]string{"id_number": "此人目前处于「审核通过」阶段（报名编号 BM00070000009）"}},
		{name: "too few years for the plan", plan: func(p *models.ExamPlan) { p.MinYearsOfWork = 30 },
			want: map[string]string{"years_of_work": "满30年"}},
	}
	for _, c := range cases {
		plan, p, in := open(), person, valid
		in.Resume = append([]models.ResumeRow(nil), valid.Resume...)
		if c.plan != nil {
			c.plan(plan)
		}
		if c.person != nil {
			p = c.person
		}
		if c.in != nil {
			c.in(&in)
		}
		size := 20 << 10
		if c.photo != 0 {
			size = max(c.photo, 0)
		}
		rc, errs := models.CheckRegistration(plan, p, c.existing, in, size)
		if c.want == nil {
			if errs != nil {
				t.Errorf("%s: unexpected problems %v", c.name, errs)
			}
			if rc.EmployerName != "北京某建设公司" || rc.EmployerCode != "91110105G1921G9139" || len(rc.Resume) != 1 || rc.Plan != plan || rc.Person != p {
				t.Errorf("%s: checked registration %+v", c.name, rc)
			}
			continue
		}
		for f, want := range c.want {
			if !strings.Contains(errs[f], want) {
				t.Errorf("%s: %s = %q, want it to say %q (all: %v)", c.name, f, errs[f], want, errs)
			}
		}
		if len(errs) != len(c.want) {
			t.Errorf("%s: problems %v, want only %v", c.name, errs, c.want)
		}
	}
}

func TestCheckKnownName(t *testing.T) {
	t.Parallel()
	p := &models.Person{Name: "欧阳 娜娜"}
	for typed, want := range map[string]string{"欧阳 娜娜": "", " 欧阳  娜娜 ": "", "欧阳娜娜": models.MsgNameMismatch, "别人": models.MsgNameMismatch} {
		if got := models.CheckKnownName(p, typed); got != want {
			t.Errorf("CheckKnownName(%q) = %q, want %q", typed, got, want)
		}
	}
	if strings.Contains(models.MsgNameMismatch, p.Name) {
		t.Error("the message names the person on record")
	}
}

// The batch import's row rules: the template's cell rules, then the 报名表's (PersonInput.Validate, the form's
// parser, CheckEligibility), each problem under its column.
func TestCheckBatchRow(t *testing.T) {
	t.Parallel()
	now := day("2026-12-01")
	r := rand.New(rand.NewPCG(5, 6))
	id := ident.GenerateIDNumber(r, "110101", day("1990-03-07"), ident.GenderFemale)
	plan := &models.ExamPlan{MinYearsOfWork: 3, MinEducation: "大专"}
	valid := map[string]string{"id_number": " " + strings.ToLower(id) + " ", "name": "陈  一", "education": "本科", "phone": "138 0000 0001",
		"major": "土木工程", "title": "初级", "employer_name": "北京城建示范工程有限公司", "employer_code": "91110105G1921G9139",
		"work_start_date": "41091", "years_of_work": "", "employer_opinion": "同意",
		"resume": "2012.07-2018.06 北京某公司 施工员\n\n2018.07-至今  北京城建示范工程有限公司  技术 负责人"}
	cases := []struct {
		name    string
		cells   map[string]string
		numeric []string
		column  string // the one problem's column ("" : none)
		reason  string
		value   string // the value shown, when it matters
	}{
		{name: "valid row"},
		{name: "no ID number", cells: map[string]string{"id_number": ""}, column: "身份证号", reason: "请填写身份证号"},
		{name: "ID number Excel turned into a number", cells: map[string]string{"id_number": "1.10101199003071E+17"}, numeric: []string{"id_number"},
			column: "身份证号", reason: "身份证号被Excel转换为数字而损坏"},
		{name: "ID number with a wrong check digit", cells: map[string]string{"id_number": id[:17] + wrongCheck(id)}, column: "身份证号",
			reason: "校验", value: ident.MaskIDNumber(id[:17] + wrongCheck(id))},
		{name: "no name", cells: map[string]string{"name": ""}, column: "姓名", reason: "请填写姓名"},
		{name: "a name with a digit", cells: map[string]string{"name": "陈1"}, column: "姓名", reason: "姓名只能包含"},
		{name: "education not from the list", cells: map[string]string{"education": "小学"}, column: "学历", reason: "请从下拉列表中选择学历"},
		{name: "no education", cells: map[string]string{"education": ""}, column: "学历", reason: "请从下拉列表中选择学历"},
		{name: "education below the plan's", cells: map[string]string{"education": "高中/中专/技校"}, column: "学历", reason: "大专及以上学历"},
		{name: "title not from the list", cells: map[string]string{"title": "高级"}, column: "职称", reason: "请从下拉列表中选择职称"},
		{name: "bad phone", cells: map[string]string{"phone": "abc"}, column: "手机号码", reason: models.PhoneFormatMsg},
		{name: "major too long", cells: map[string]string{"major": strings.Repeat("土", 101)}, column: "专业", reason: "最多100个字"},
		{name: "no employer", cells: map[string]string{"employer_name": ""}, column: "单位名称", reason: "请填写单位名称"},
		{name: "bad employer code", cells: map[string]string{"employer_code": "12345"}, column: "组织机构代码", reason: "代码"},
		{name: "no work start", cells: map[string]string{"work_start_date": ""}, column: "参加工作时间", reason: "请填写参加工作时间"},
		{name: "unreadable work start", cells: map[string]string{"work_start_date": "明年"}, column: "参加工作时间", reason: "日期格式无法识别", value: "明年"},
		{name: "work start in the future", cells: map[string]string{"work_start_date": "2035-07-01"}, column: "参加工作时间", reason: "不能晚于今天",
			value: "2035-07-01"},
		{name: "work start 2012.10 that an office suite stored as the number 2012.1", cells: map[string]string{"work_start_date": "2012.1"},
			numeric: []string{"work_start_date"}, column: "参加工作时间", reason: "请将该列设为文本格式后输入，如 2012-10", value: "2012.1"},
		{name: "landline that lost its leading 0 in a number cell", cells: map[string]string{"phone": "1012345678"}, numeric: []string{"phone"},
			column: "手机号码", reason: "开头的0已丢失，请将该列设为文本格式", value: "1012345678"},
		{name: "organization code that lost its leading 0 in a number cell", cells: map[string]string{"employer_code": "12345678"},
			numeric: []string{"employer_code"}, column: "组织机构代码", reason: "开头的0已丢失", value: "12345678"},
		{name: "years typed are shown, not the limit", cells: map[string]string{"years_of_work": "40"}, column: "从事工作年限",
			reason: "（14年）", value: "40"},
		{name: "too few years for the plan", cells: map[string]string{"work_start_date": "2024-07-01"}, column: "从事工作年限", reason: "满3年"},
		{name: "more years than worked", cells: map[string]string{"years_of_work": "40"}, column: "从事工作年限", reason: "不能超过参加工作以来的年数"},
		{name: "years not a number", cells: map[string]string{"years_of_work": "很多"}, column: "从事工作年限", reason: models.MsgYearsFormat},
		{name: "resume line of one word", cells: map[string]string{"resume": "2012.07-2018.06 北京某公司\n施工员"}, column: "个人简历",
			reason: "每行应为“起止时间 工作单位 职务”", value: "施工员"},
		{name: "resume line too long", cells: map[string]string{"resume": "2012 北京某公司 " + strings.Repeat("长", 150)}, column: "个人简历", reason: "内容过长"},
		{name: "opinion too long", cells: map[string]string{"employer_opinion": strings.Repeat("意", 501)}, column: "聘用单位意见", reason: "最多500字"},
	}
	for _, c := range cases {
		row := spreadsheet.Row{Number: 3, Cells: map[string]string{}, Numeric: map[string]bool{}}
		for k, v := range valid {
			row.Cells[k] = v
		}
		for k, v := range c.cells {
			row.Cells[k] = v
		}
		for _, k := range c.numeric {
			row.Numeric[k] = true
		}
		e, probs := models.CheckBatchRow(plan, row, now)
		if c.column == "" {
			if probs != nil {
				t.Errorf("%s: problems %+v", c.name, probs)
			}
			if e.Row != 3 || e.ID.Number != id || e.Person.Name != "陈 一" || e.Person.Phone != "13800000001" || e.Reg.EmployerCode != "91110105G1921G9139" ||
				!e.Reg.WorkStart.Equal(day("2012-07-01")) || e.Reg.Years != 14 || len(e.Reg.Resume) != 2 || e.Reg.Resume[1].Post != "技术 负责人" {
				t.Errorf("%s: entry %+v", c.name, e)
			}
			continue
		}
		if len(probs) != 1 || probs[0].Row != 3 || probs[0].Column != c.column || !strings.Contains(probs[0].Reason, c.reason) ||
			(c.value != "" && probs[0].Value != c.value) {
			t.Errorf("%s: problems %+v, want one in row 3, %s: %q (value %q)", c.name, probs, c.column, c.reason, c.value)
		}
		for _, p := range probs {
			if strings.Contains(p.Value, id[6:14]) {
				t.Errorf("%s: a problem shows a whole ID number: %+v", c.name, p)
			}
		}
	}
	// Several bad cells: one problem each, in column order.
	row := spreadsheet.Row{Number: 9, Cells: map[string]string{"id_number": "", "name": "陈三", "education": "小学", "phone": "abc", "work_start_date": "明年"}}
	_, probs := models.CheckBatchRow(plan, row, now)
	var cols []string
	for _, p := range probs {
		cols = append(cols, p.Column)
	}
	if got := strings.Join(cols, ","); got != "身份证号,学历,手机号码,单位名称,参加工作时间" {
		t.Errorf("columns of a row with several problems: %s", got)
	}
}

// wrongCheck is a check digit that id does not have.
func wrongCheck(id string) string {
	if id[17] == '0' {
		return "1"
	}
	return "0"
}

// Unambiguous dates from number cells keep working: a real date serial, 2012.12, 2012.05 as a number or as text,
// 2012.1 typed into a text cell (January, as typed).
func TestCheckBatchRowNumericDates(t *testing.T) {
	t.Parallel()
	now := day("2026-12-01")
	r := rand.New(rand.NewPCG(7, 8))
	id := ident.GenerateIDNumber(r, "110101", day("1980-03-07"), ident.GenderMale)
	plan := &models.ExamPlan{}
	for _, c := range []struct {
		cell    string
		numeric bool
		want    string
	}{
		{"41183", true, "2012-10-01"},
		{"2012.12", true, "2012-12-01"},
		{"2012.05", true, "2012-05-01"},
		{"2012.05", false, "2012-05-01"},
		{"2012.2", true, "2012-02-01"},
		{"2012.1", false, "2012-01-01"},
		{"2012-10", false, "2012-10-01"},
	} {
		row := spreadsheet.Row{Number: 2, Cells: map[string]string{"id_number": id, "name": "陈一", "education": "本科",
			"employer_name": "某公司", "work_start_date": c.cell}}
		if c.numeric {
			row.Numeric = map[string]bool{"work_start_date": true}
		}
		e, probs := models.CheckBatchRow(plan, row, now)
		if probs != nil || e.Reg.WorkStart.Format("2006-01-02") != c.want {
			t.Errorf("%s (number cell %v): %s, %+v; want %s", c.cell, c.numeric, e.Reg.WorkStart.Format("2006-01-02"), probs, c.want)
		}
	}
	// A mobile number and a 9-digit organization code in number cells are whole.
	row := spreadsheet.Row{Number: 2, Cells: map[string]string{"id_number": id, "name": "陈一", "education": "本科", "phone": "13800000001",
		"employer_name": "某公司", "employer_code": "G1921G913", "work_start_date": "41183"},
		Numeric: map[string]bool{"phone": true, "work_start_date": true}}
	if _, probs := models.CheckBatchRow(plan, row, now); probs != nil {
		t.Errorf("whole codes in number cells: %+v", probs)
	}
}
