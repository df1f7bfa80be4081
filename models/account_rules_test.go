package models_test

import (
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"examcert/internal/ident"
	"examcert/internal/password"
	"examcert/models"
)

func init() { password.Cost = bcrypt.MinCost } // the tests check rules, not hashing speed

func TestCheckUsername(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "请输入用户名"},
		{"   ", "请输入用户名"},
		{"a", "用户名应为2至64个字符"},
		{strings.Repeat("a", 65), "用户名应为2至64个字符"},
		{strings.Repeat("a", 64), ""},
		{"ab", ""},
		{"张三", ""},
		{"ＺｈａｎｇＳａｎ", ""}, // full-width letters fold to ASCII
		{"  ZhangSan  ", ""},
		{"user_1.x-y", ""},
		{"a b", "用户名只能包含字母、数字、下划线、点、短横线或中文"},
		{"a@b", "用户名只能包含字母、数字、下划线、点、短横线或中文"},
		{"<script>", "用户名只能包含字母、数字、下划线、点、短横线或中文"},
	} {
		if got := models.CheckUsername(tc.in); got != tc.want {
			t.Errorf("CheckUsername(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The rules of 新建账号 by role: what each role must have, and the message beside each field.
func TestNewAccountRules(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	idn := ident.GenerateIDNumber(r, "110101", time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), ident.GenderFemale)
	badIDN := idn[:17] + string("0123456789"[(strings.IndexByte("0123456789", idn[17])+1)%10])
	if idn[17] == 'X' {
		badIDN = idn[:17] + "0"
	}
	credit := ident.GenerateCreditCode(r, "110105")
	anyMsg := "?" // any non-empty message (the validators' own wording)
	for _, tc := range []struct {
		name string
		in   models.NewAccount
		want map[string]string
	}{
		{"admin", models.NewAccount{Role: models.RoleAdmin, Username: "root"}, nil},
		{"no role", models.NewAccount{Username: "root"}, map[string]string{"role": "请选择角色"}},
		{"unknown role", models.NewAccount{Role: "superuser", Username: "root"}, map[string]string{"role": "请选择角色"}},
		{"bad username", models.NewAccount{Role: models.RoleAdmin, Username: "x"}, map[string]string{"username": "用户名应为2至64个字符"}},
		{"long display name", models.NewAccount{Role: models.RoleAdmin, Username: "root", DisplayName: strings.Repeat("名", 65)},
			map[string]string{"display_name": "名称最多64个字符"}},
		{"practitioner", models.NewAccount{Role: models.RolePractitioner, Username: "pp", DisplayName: "某人", IDNumber: idn}, nil},
		{"practitioner, lower-case x and spaces", models.NewAccount{Role: models.RolePractitioner, Username: "pp", DisplayName: "某人",
			IDNumber: " " + strings.ToLower(idn) + " "}, nil},
		{"practitioner without ID number or name", models.NewAccount{Role: models.RolePractitioner, Username: "pp"},
			map[string]string{"id_number": "从业人员账号须填写身份证号", "display_name": "从业人员账号须填写姓名"}},
		{"practitioner, wrong check digit", models.NewAccount{Role: models.RolePractitioner, Username: "pp", DisplayName: "某人", IDNumber: badIDN},
			map[string]string{"id_number": anyMsg}},
		{"enterprise by credit code", models.NewAccount{Role: models.RoleEnterprise, Username: "ent", OrgName: "甲公司", OrgCode: credit}, nil},
		{"training by organization code", models.NewAccount{Role: models.RoleTraining, Username: "tr", OrgName: "乙学校", OrgCode: "M000100Y4"}, nil},
		{"enterprise without code or name", models.NewAccount{Role: models.RoleEnterprise, Username: "ent"},
			map[string]string{"org_code": "请填写统一社会信用代码或组织机构代码", "org_name": "请填写单位名称"}},
		{"enterprise, wrong credit code", models.NewAccount{Role: models.RoleEnterprise, Username: "ent", OrgName: "甲公司", OrgCode: "91350100M000100Y44"},
			map[string]string{"org_code": anyMsg}},
		{"admin needs no ID number or code", models.NewAccount{Role: models.RoleAdmin, Username: "root", IDNumber: "whatever"}, nil},
	} {
		_, errs := tc.in.Validate()
		got := map[string]string(errs)
		for k, v := range tc.want {
			if v == anyMsg && got[k] != "" {
				got[k] = anyMsg
			}
		}
		if !maps.Equal(got, tc.want) {
			t.Errorf("%s: errors %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The plan form's rules: times ordered, money, counts and photo sizes in range; the values go into the plan.
func TestPlanInputRules(t *testing.T) {
	t.Parallel()
	valid := models.PlanInput{Name: "2026年施工员考试", CategoryID: "1", Level: "初级", RegistrationStarts: "2026-12-01T09:00",
		RegistrationEnds: "2026-12-10 17:00", ExamAt: "2026-12-20T09:00", Fee: "120.50", PaymentDeadline: "2026-12-15T17:00", Capacity: "200", MinYears: "2",
		MinEdu: "大专", PhotoMinKB: "10", PhotoMaxKB: "60", Notes: "  说明  "}
	p := &models.ExamPlan{}
	if errs := valid.Validate(p); errs != nil {
		t.Fatalf("valid input: %v", errs)
	}
	starts := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC) // 09:00 in Beijing
	if p.Name != valid.Name || p.CategoryID != 1 || p.FeeCents != 12050 || p.Capacity != 200 || p.MinYearsOfWork != 2 ||
		p.PhotoMinBytes != 10*1024 || p.PhotoMaxBytes != 60*1024 || p.Notes != "说明" || !p.RegistrationStartsAt.Equal(starts) ||
		p.RegistrationStartsAt.Location() != time.UTC {
		t.Errorf("plan filled as %+v", p)
	}
	blank := valid
	blank.Fee, blank.Capacity, blank.MinYears, blank.PhotoMinKB, blank.MinEdu = "", "", "", "", ""
	if errs := blank.Validate(&models.ExamPlan{}); errs != nil {
		t.Errorf("blank numbers mean 0 (and no education limit): %v", errs)
	}
	for _, tc := range []struct {
		change      func(*models.PlanInput)
		field, want string
	}{
		{func(in *models.PlanInput) { in.Name = "x" }, "name", "名称应为2至100个字"},
		{func(in *models.PlanInput) { in.Name = strings.Repeat("考", 101) }, "name", "名称应为2至100个字"},
		{func(in *models.PlanInput) { in.CategoryID = "" }, "category_id", "请选择岗位/工种"},
		{func(in *models.PlanInput) { in.CategoryID = "abc" }, "category_id", "请选择岗位/工种"},
		{func(in *models.PlanInput) { in.CategoryID = "-1" }, "category_id", "请选择岗位/工种"},
		{func(in *models.PlanInput) { in.Level = "特级" }, "level", "请选择级别"},
		{func(in *models.PlanInput) { in.RegistrationStarts = "tomorrow" }, "registration_starts", "请填写日期和时间，如 2026-12-01 09:00"},
		{func(in *models.PlanInput) { in.ExamAt = "" }, "exam_at", "请填写日期和时间，如 2026-12-01 09:00"},
		{func(in *models.PlanInput) { in.RegistrationEnds = "2026-11-30T09:00" }, "registration_ends", "报名截止时间应晚于开始时间"},
		{func(in *models.PlanInput) { in.RegistrationEnds = in.RegistrationStarts }, "registration_ends", "报名截止时间应晚于开始时间"},
		{func(in *models.PlanInput) { in.ExamAt = "2026-12-10T17:00" }, "exam_at", "考试时间应晚于报名截止时间"},
		{func(in *models.PlanInput) { in.Fee = "-3" }, "fee", "报名费应为金额，如 120 或 120.50"},
		{func(in *models.PlanInput) { in.Fee = "一百" }, "fee", "报名费应为金额，如 120 或 120.50"},
		{func(in *models.PlanInput) { in.Fee = "100001" }, "fee", "报名费应为金额，如 120 或 120.50"},
		{func(in *models.PlanInput) { in.Capacity = "-1" }, "capacity", "名额应为0（不限）或正整数"},
		{func(in *models.PlanInput) { in.Capacity = "1.5" }, "capacity", "名额应为0（不限）或正整数"},
		{func(in *models.PlanInput) { in.MinYears = "51" }, "min_years", "工作年限应为0至50的整数"},
		{func(in *models.PlanInput) { in.PhotoMaxKB = "5" }, "photo_max_kb", "照片大小上限不能小于20KB"},
		{func(in *models.PlanInput) { in.PhotoMaxKB = "3000" }, "photo_max_kb", "照片大小应为0至2048的整数（KB）"},
		{func(in *models.PlanInput) { in.PhotoMinKB = "60" }, "photo_min_kb", "下限应小于上限"},
		{func(in *models.PlanInput) { in.PhotoMinKB = "-1" }, "photo_min_kb", "照片大小应为0至2048的整数（KB）"},
		{func(in *models.PlanInput) { in.MinEdu = "博士后" }, "min_education", "请从列表中选择学历"},
		{func(in *models.PlanInput) { in.Notes = strings.Repeat("字", 2001) }, "notes", "最多2000个字"},
	} {
		in := valid
		tc.change(&in)
		errs := in.Validate(&models.ExamPlan{})
		if len(errs) != 1 || errs[tc.field] != tc.want {
			t.Errorf("%s: errors %v, want only %q", tc.field, errs, tc.want)
		}
	}
}
