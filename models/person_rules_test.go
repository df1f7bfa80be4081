package models_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"examcert/models"
)

// A valid person: 11010519491231002X is a woman born 1949-12-31 (GB 11643, the check digit X).
func validPersonInput() models.PersonInput {
	return models.PersonInput{IDNumber: "11010519491231002X", Name: "王小红", Education: "本科", Major: "土木工程", Title: "中级",
		Phone: "13800138000", Address: "北京市西城区某路1号", WorkStartDate: "1972-07-01", EmployerName: "某单位",
		EmployerCode: "91110105X0P479R63J"}
}

func TestPersonInputValidate(t *testing.T) {
	t.Parallel()
	tomorrow := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	for _, tc := range []struct {
		name       string
		edit       func(*models.PersonInput)
		requireAll bool
		errs       map[string]string // every error expected, exactly
		want       func(models.PersonInput) bool
	}{
		{name: "valid", want: func(in models.PersonInput) bool { return in == validPersonInput() }},
		{name: "valid, all required", requireAll: true},
		// 身份证号
		{name: "ID number missing", edit: func(in *models.PersonInput) { in.IDNumber = " " }, errs: map[string]string{"id_number": "请输入身份证号"}},
		{name: "ID number bad check digit", edit: func(in *models.PersonInput) { in.IDNumber = "110105194912310021" },
			errs: map[string]string{"id_number": "*校验码*"}},
		{name: "ID number bad birth date", edit: func(in *models.PersonInput) { in.IDNumber = "110101199002300011" },
			errs: map[string]string{"id_number": "*出生日期*"}},
		{name: "ID number 15 digits converted", edit: func(in *models.PersonInput) { in.IDNumber = "110105491231002" },
			want: func(in models.PersonInput) bool { return in.IDNumber == "11010519491231002X" }},
		{name: "ID number full-width, lower-case x, spaces", edit: func(in *models.PersonInput) { in.IDNumber = " １１０１０５１９４９１２３１００２ｘ " },
			want: func(in models.PersonInput) bool { return in.IDNumber == "11010519491231002X" }},
		// 姓名
		{name: "name missing", edit: func(in *models.PersonInput) { in.Name = "  " }, errs: map[string]string{"name": "请输入姓名"}},
		{name: "name one character", edit: func(in *models.PersonInput) { in.Name = "王" }, errs: map[string]string{"name": "姓名应为2至30个字"}},
		{name: "name too long", edit: func(in *models.PersonInput) { in.Name = strings.Repeat("王", 31) }, errs: map[string]string{"name": "姓名应为2至30个字"}},
		{name: "name with markup", edit: func(in *models.PersonInput) { in.Name = "<script>" }, errs: map[string]string{"name": "姓名只能包含汉字、字母或间隔号·"}},
		{name: "name with digits", edit: func(in *models.PersonInput) { in.Name = "王小红2" }, errs: map[string]string{"name": "姓名只能包含汉字、字母或间隔号·"}},
		{name: "minority name with middle dot", edit: func(in *models.PersonInput) { in.Name = "阿依古丽·买买提" }},
		{name: "Latin name, spaces collapsed", edit: func(in *models.PersonInput) { in.Name = "  John   Smith " },
			want: func(in models.PersonInput) bool { return in.Name == "John Smith" }},
		// 手机号码
		{name: "mobile full-width with spaces", edit: func(in *models.PersonInput) { in.Phone = "１３８ ００１３ ８０００" },
			want: func(in models.PersonInput) bool { return in.Phone == "13800138000" }},
		{name: "landline", edit: func(in *models.PersonInput) { in.Phone = "010-62345678" }},
		{name: "landline with extension", edit: func(in *models.PersonInput) { in.Phone = "010-62345678-123" }},
		{name: "phone too short", edit: func(in *models.PersonInput) { in.Phone = "12345" }, errs: map[string]string{"phone": models.PhoneFormatMsg}},
		{name: "mobile starting 12", edit: func(in *models.PersonInput) { in.Phone = "12800138000" }, errs: map[string]string{"phone": models.PhoneFormatMsg}},
		{name: "phone optional for an organization", edit: func(in *models.PersonInput) { in.Phone = "" }},
		{name: "phone required of oneself", edit: func(in *models.PersonInput) { in.Phone = "" }, requireAll: true, errs: map[string]string{"phone": "请输入手机号码"}},
		// 学历, 职称: list values only
		{name: "education not in the list", edit: func(in *models.PersonInput) { in.Education = "小学" }, errs: map[string]string{"education": "请从列表中选择学历"}},
		{name: "education optional for an organization", edit: func(in *models.PersonInput) { in.Education = "" }},
		{name: "education required of oneself", edit: func(in *models.PersonInput) { in.Education = "" }, requireAll: true, errs: map[string]string{"education": "请选择学历"}},
		{name: "title not in the list", edit: func(in *models.PersonInput) { in.Title = "教授" }, errs: map[string]string{"title": "请从列表中选择职称"}},
		{name: "title optional", edit: func(in *models.PersonInput) { in.Title = "" }, requireAll: true},
		// 专业, 通讯地址, 单位名称: at most 100 characters
		{name: "long major, address and employer name", edit: func(in *models.PersonInput) {
			in.Major, in.Address, in.EmployerName = strings.Repeat("土", 101), strings.Repeat("路", 101), strings.Repeat("司", 101)
		}, errs: map[string]string{"major": "最多100个字", "address": "最多100个字", "employer_name": "最多100个字"}},
		// 参加工作时间
		{name: "work start with slashes", edit: func(in *models.PersonInput) { in.WorkStartDate = "1972/7/1" },
			want: func(in models.PersonInput) bool { return in.WorkStartDate == "1972-07-01" }},
		{name: "work start not a date", edit: func(in *models.PersonInput) { in.WorkStartDate = "1972-13-01" }, errs: map[string]string{"work_start_date": "日期格式应为 2012-07-01"}},
		{name: "work start in words", edit: func(in *models.PersonInput) { in.WorkStartDate = "去年" }, errs: map[string]string{"work_start_date": "日期格式应为 2012-07-01"}},
		{name: "work start before the age of 14", edit: func(in *models.PersonInput) { in.WorkStartDate = "1963-12-30" },
			errs: map[string]string{"work_start_date": "参加工作时间应在年满14周岁之后"}},
		{name: "work start on the 14th birthday", edit: func(in *models.PersonInput) { in.WorkStartDate = "1963-12-31" }},
		{name: "work start in the future", edit: func(in *models.PersonInput) { in.WorkStartDate = tomorrow }, errs: map[string]string{"work_start_date": "参加工作时间不能晚于今天"}},
		{name: "work start optional for an organization", edit: func(in *models.PersonInput) { in.WorkStartDate = "" }},
		{name: "work start required of oneself", edit: func(in *models.PersonInput) { in.WorkStartDate = "" }, requireAll: true,
			errs: map[string]string{"work_start_date": "请输入参加工作时间"}},
		// 单位代码: a 统一社会信用代码 or 组织机构代码, stored upper-case without the hyphen
		{name: "employer credit code lower-case", edit: func(in *models.PersonInput) { in.EmployerCode = "91110105x0p479r63j" },
			want: func(in models.PersonInput) bool { return in.EmployerCode == "91110105X0P479R63J" }},
		{name: "employer organization code with hyphen", edit: func(in *models.PersonInput) { in.EmployerCode = "X0P479R6-3" },
			want: func(in models.PersonInput) bool { return in.EmployerCode == "X0P479R63" }},
		{name: "employer credit code bad check character", edit: func(in *models.PersonInput) { in.EmployerCode = "91110105X0P479R63K" },
			errs: map[string]string{"employer_code": "*校验*"}},
		{name: "employer code wrong length", edit: func(in *models.PersonInput) { in.EmployerCode = "12345" },
			errs: map[string]string{"employer_code": "应为18位统一社会信用代码或9位组织机构代码"}},
		{name: "employer code optional", edit: func(in *models.PersonInput) { in.EmployerCode = "" }, requireAll: true},
		// Everything at once: every problem by its field.
		{name: "every required field missing", edit: func(in *models.PersonInput) { *in = models.PersonInput{} }, requireAll: true,
			errs: map[string]string{"id_number": "请输入身份证号", "name": "请输入姓名", "phone": "请输入手机号码", "education": "请选择学历",
				"work_start_date": "请输入参加工作时间"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validPersonInput()
			if tc.edit != nil {
				tc.edit(&in)
			}
			got, idn, errs := in.Validate(tc.requireAll)
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors %v, want %v", errs, tc.errs)
			}
			for field, want := range tc.errs {
				if !matches(errs[field], want) {
					t.Errorf("%s: %q, want %q", field, errs[field], want)
				}
			}
			if tc.errs == nil && idn.Number != got.IDNumber {
				t.Errorf("parsed ID number %q, input says %q", idn.Number, got.IDNumber)
			}
			if tc.want != nil && !tc.want(got) {
				t.Errorf("normalised input: %+v", got)
			}
		})
	}
}

// matches compares a message with a wanted one, or with *part* when the wanted text is a part of it.
func matches(got, want string) bool {
	if strings.HasPrefix(want, "*") && strings.HasSuffix(want, "*") {
		return got != "" && strings.Contains(got, strings.Trim(want, "*"))
	}
	return got == want
}

// The errors Validate returns are a FieldErrors map the handlers show beside each field.
func TestPersonInputValidateErrorsAreFieldErrors(t *testing.T) {
	t.Parallel()
	_, _, errs := models.PersonInput{}.Validate(false)
	want := models.FieldErrors{"id_number": "请输入身份证号", "name": "请输入姓名"}
	if !maps.Equal(errs, want) {
		t.Errorf("%v, want %v", errs, want)
	}
}

func TestMaskName(t *testing.T) {
	for name, want := range map[string]string{"赵六": "赵*", "欧阳娜娜": "欧*", "Anna Li": "A*", "": ""} {
		if got := models.MaskName(name); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", name, got, want)
		}
	}
}
