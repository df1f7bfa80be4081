package models

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"examcert/internal/ident"
)

// Educations are the choices of 学历, lowest first.
var Educations = []string{"初中及以下", "高中/中专/技校", "大专", "本科", "硕士研究生", "博士研究生"}

// Titles are the choices of 职称.
var Titles = []string{"无", "初级", "中级", "副高级", "正高级"}

// PersonInput is what a form says about a person. Dates are yyyy-mm-dd; empty means not given.
type PersonInput struct {
	IDNumber      string
	Name          string
	Education     string
	Major         string
	Title         string
	Phone         string
	Address       string
	WorkStartDate string
	EmployerName  string
	EmployerCode  string
	// EmployerMayEdit: the person allows their employer to keep their record (个人信息维护 only).
	EmployerMayEdit bool
}

var (
	mobileRE   = regexp.MustCompile(`^1[3-9]\d{9}$`)
	landlineRE = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}(-\d{1,6})?$`)
)

// CheckName says what is wrong with a person's 姓名 ("" when fine): 2 to 30 characters of Chinese, letters, the
// middle dot of minority and foreign names, or spaces between Latin words.
func CheckName(name string) string {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	switch {
	case name == "":
		return "请输入姓名"
	case n < 2 || n > 30:
		return "姓名应为2至30个字"
	}
	for _, r := range name {
		if !(unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || r == '·' || r == '•' || r == ' ') {
			return "姓名只能包含汉字、字母或间隔号·"
		}
	}
	return ""
}

// ParseDate reads yyyy-mm-dd (also yyyy/mm/dd and yyyy.mm.dd).
func ParseDate(s string) (time.Time, error) {
	s = strings.NewReplacer("/", "-", ".", "-").Replace(strings.TrimSpace(s))
	return time.Parse("2006-1-2", s)
}

// Validate checks a person's fields and returns them normalised, with every problem by field name. requireAll is
// set for a person's own 个人信息维护 (every red-star field); organizations adding staff need fewer.
func (in PersonInput) Validate(requireAll bool) (PersonInput, ident.IDNumber, FieldErrors) {
	errs := FieldErrors{}
	var idn ident.IDNumber
	var err error
	if strings.TrimSpace(in.IDNumber) == "" {
		errs["id_number"] = "请输入身份证号"
	} else if idn, err = ident.ParseIDNumber(in.IDNumber); err != nil {
		errs["id_number"] = err.Error()
	} else {
		in.IDNumber = idn.Number
	}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	if msg := CheckName(in.Name); msg != "" {
		errs["name"] = msg
	}
	in.Phone = NormalizePhone(in.Phone)
	switch {
	case in.Phone == "" && requireAll:
		errs["phone"] = "请输入手机号码"
	case in.Phone != "" && !ValidPhone(in.Phone):
		errs["phone"] = PhoneFormatMsg
	}
	if in.Education == "" && requireAll {
		errs["education"] = "请选择学历"
	} else if in.Education != "" && !slices.Contains(Educations, in.Education) {
		errs["education"] = "请从列表中选择学历"
	}
	if in.Title != "" && !slices.Contains(Titles, in.Title) {
		errs["title"] = "请从列表中选择职称"
	}
	for field, v := range map[string]*string{"major": &in.Major, "address": &in.Address, "employer_name": &in.EmployerName} {
		*v = strings.TrimSpace(*v)
		if utf8.RuneCountInString(*v) > 100 {
			errs[field] = "最多100个字"
		}
	}
	if strings.TrimSpace(in.WorkStartDate) == "" {
		if requireAll {
			errs["work_start_date"] = "请输入参加工作时间"
		}
	} else if d, err := ParseDate(in.WorkStartDate); err != nil {
		errs["work_start_date"] = "日期格式应为 2012-07-01"
	} else if msg := checkWorkStart(d, idn.BirthDate, time.Now()); msg != "" {
		errs["work_start_date"] = msg
	} else {
		in.WorkStartDate = d.Format("2006-01-02")
	}
	if c := strings.TrimSpace(in.EmployerCode); c != "" {
		credit, org, err := ident.ParseOrganizationCode(c)
		if err != nil {
			errs["employer_code"] = err.Error()
		} else if credit != "" {
			in.EmployerCode = credit
		} else {
			in.EmployerCode = org
		}
	}
	if len(errs) == 0 {
		return in, idn, nil
	}
	return in, idn, errs
}

// apply copies validated input onto a person (the ID number, and what it determines, only for a new person).
func (in PersonInput) apply(p *Person, idn ident.IDNumber) {
	if p.ID == 0 {
		p.IDNumber = idn.Number
		p.Gender = idn.Gender.String()
		b := idn.BirthDate
		p.BirthDate = &b
	}
	p.Name, p.Education, p.Major, p.Title = in.Name, in.Education, in.Major, in.Title
	p.Phone, p.Address = in.Phone, in.Address
	p.WorkStartDate = nil
	if in.WorkStartDate != "" {
		d, _ := ParseDate(in.WorkStartDate)
		p.WorkStartDate = &d
	}
	p.EmployerName, p.EmployerCode = in.EmployerName, in.EmployerCode
}

// PhoneFormatMsg says what a phone number should look like.
const PhoneFormatMsg = "电话号码格式不正确（手机号11位，座机如010-12345678）"

// NormalizePhone turns full-width digits into ASCII and drops spaces.
func NormalizePhone(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(ident.Normalize(s)), " ", "")
}

// ValidPhone says whether s (normalised) is a mobile (11 digits) or landline number.
func ValidPhone(s string) bool { return mobileRE.MatchString(s) || landlineRE.MatchString(s) }

// Input is the stored person as a form would say it: what an edit that leaves some fields alone starts from.
func (p *Person) Input() PersonInput {
	in := PersonInput{IDNumber: p.IDNumber, Name: p.Name, Education: p.Education, Major: p.Major, Title: p.Title,
		Phone: p.Phone, Address: p.Address, EmployerName: p.EmployerName, EmployerCode: p.EmployerCode}
	if p.WorkStartDate != nil {
		in.WorkStartDate = p.WorkStartDate.Format("2006-01-02")
	}
	return in
}
