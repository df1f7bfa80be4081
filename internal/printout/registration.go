package printout

import (
	"fmt"
	"io"
	"strings"
)

// The 报名表 (exam registration form): a title, the plan and its state, a label/value table with the photo, the
// 个人简历 and the 聘用单位意见 with room for the seal. Layout: registration_pdf.go and registration_docx.go.

// Form is one 报名表 as printed. All strings are user data: render them as text only.
type Form struct {
	Title           string      // e.g. "北京市建设行业从业人员考试报名表"
	PlanName        string      // 考试计划名称
	Category        string      // 岗位/工种
	Level           string      // 级别
	Number          string      // 报名编号
	Status          string      // e.g. 待审核
	SubmittedAt     string      // 提交时间
	Fields          []Field     // label/value in order: 姓名, 性别, 出生日期, 身份证号, 学历, 专业, 职称, 手机号码, 单位名称 …
	Resume          []ResumeRow // 个人简历
	EmployerOpinion string      // 聘用单位意见 (may be long, wraps)
	Photo           []byte      // JPEG 295×413 (一寸照片), or nil → a box saying 照片
	Footer          string      // e.g. 打印时间 …
}

// Field is one label/value pair of a document's main table.
type Field struct{ Label, Value string }

// ResumeRow is one line of 个人简历.
type ResumeRow struct{ Period, Employer, Post string }

// PDF writes one A4 page per form (a long form flows onto further pages, each marked 续) to w. Nothing is written
// if a form has a photo that is not a valid JPEG: the error wraps ErrPhoto.
func (r *Renderer) PDF(w io.Writer, forms ...Form) error {
	return r.pdf(w, registrations(forms))
}

// DOCX writes the forms as one Word document: one section (starting on a new page) per form, the photo embedded.
// Nothing is written if a form has a photo that is not a valid JPEG: the error wraps ErrPhoto.
func DOCX(out io.Writer, forms ...Form) error {
	return writeDOCX(out, registrations(forms))
}

// Label texts of the printed form.
const (
	lblTitle     = "报名表" // when the form has none
	lblPlan      = "考试计划："
	lblCategory  = "岗位/工种："
	lblLevel     = "级别："
	lblNumber    = "报名编号："
	lblStatus    = "审核状态："
	lblSubmitted = "提交时间："
	lblResume    = "个人简历"
	lblPeriod    = "起止时间"
	lblEmployer  = "工作单位"
	lblPost      = "职务/岗位"
	lblOpinion   = "聘用单位意见"
	lblSeal      = "单位（盖章）："
	lblDate      = "日期：　　　　年　　月　　日"
	minResume    = 4 // the 个人简历 table always has at least this many rows
)

// registration is a Form as a document: its text cleaned for printing, its photo checked.
type registration struct {
	f     Form
	raw   []byte // the photo as given, checked by check
	photo photoInfo
}

func registrations(forms []Form) []document {
	docs := make([]document, len(forms))
	for i := range forms {
		docs[i] = &registration{f: cleanForm(&forms[i]), raw: forms[i].Photo}
	}
	return docs
}

func (g *registration) ref() string {
	num := g.f.Number
	if len([]rune(num)) > 40 {
		num = string([]rune(num)[:40])
	}
	if num == "" {
		return ""
	}
	return fmt.Sprintf("报名编号 %q", num)
}

func (g *registration) check() (err error) {
	g.photo, err = checkPhoto(g.raw)
	return err
}

// title is the form's title, or 报名表.
func (g *registration) title() string {
	if g.f.Title == "" {
		return lblTitle
	}
	return g.f.Title
}

// cleanForm returns a copy of f with every string cleaned for printing.
func cleanForm(f *Form) Form {
	c := Form{
		Title:           clean(f.Title, true),
		PlanName:        clean(f.PlanName, false),
		Category:        clean(f.Category, false),
		Level:           clean(f.Level, false),
		Number:          clean(f.Number, false),
		Status:          clean(f.Status, false),
		SubmittedAt:     clean(f.SubmittedAt, false),
		EmployerOpinion: clean(f.EmployerOpinion, true),
		Photo:           f.Photo,
		Footer:          clean(f.Footer, false),
	}
	c.Fields = make([]Field, len(f.Fields))
	for i, fl := range f.Fields {
		c.Fields[i] = Field{Label: clean(fl.Label, true), Value: clean(fl.Value, true)}
	}
	c.Resume = make([]ResumeRow, len(f.Resume))
	for i, rr := range f.Resume {
		c.Resume[i] = ResumeRow{Period: clean(rr.Period, true), Employer: clean(rr.Employer, true), Post: clean(rr.Post, true)}
	}
	return c
}

// contHead heads the pages after the first: the title marked 续, and the number.
func (g *registration) contHead() string {
	head := strings.ReplaceAll(g.title(), "\n", "") + "（续）"
	if g.f.Number != "" {
		head += "　" + lblNumber + g.f.Number
	}
	return head
}
