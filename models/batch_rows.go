package models

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
)

// BatchColumns are the columns of 报名表导入模版.xlsx, in order. Each Key is the 报名表 field the column fills, so a
// problem the form's rules find in a field is reported under its column's header: this is the one table between
// the two. The template's marks are the import's own rules for a cell: * (Required) must be filled, a drop-down
// (Choices) must be chosen from.
var BatchColumns = []spreadsheet.Column{
	{Key: "id_number", Header: "身份证号", Required: true, Text: true, Width: 22, Note: "18位身份证号；请保持本列为文本格式，否则Excel会把号码变成科学计数法而损坏"},
	{Key: "name", Header: "姓名", Required: true, Width: 12},
	{Key: "education", Header: "学历", Required: true, Choices: Educations, Width: 16},
	{Key: "phone", Header: "手机号码", Text: true, Width: 14},
	{Key: "major", Header: "专业", Width: 16},
	{Key: "title", Header: "职称", Choices: Titles, Width: 10},
	{Key: "employer_name", Header: "单位名称", Required: true, Width: 28},
	{Key: "employer_code", Header: "组织机构代码", Text: true, Width: 22, Note: "统一社会信用代码（18位）或组织机构代码（9位）"},
	{Key: "work_start_date", Header: "参加工作时间", Required: true, Text: true, Width: 14, Note: "如 2012-07-01、2012/7/1、2012.07 或 2012年7月；请保持本列为文本格式，否则 2012.10 会被办公软件变成数字 2012.1"},
	{Key: "years_of_work", Header: "从事工作年限", Width: 12, Note: "整数；留空则按参加工作时间计算"},
	{Key: "employer_opinion", Header: "聘用单位意见", Width: 24},
	{Key: "resume", Header: "个人简历", Width: 40, Note: "每段经历一行（单元格内换行），格式：起止时间 工作单位 职务，如 2012.07-2018.06 北京某建设公司 施工员"},
}

// Messages of the import's own cell rules.
const (
	msgMangledID    = "身份证号被Excel转换为数字而损坏，请将该列设为文本格式后重新填写"
	msgResumeFormat = "每行应为“起止时间 工作单位 职务”"
)

// msgLostZeros says a code lost its leading zeros in a number cell (a landline 010…, an organization code 0…).
func msgLostZeros(header string) string {
	return header + "被转换为数字，开头的0已丢失，请将该列设为文本格式后重新填写"
}

// BatchEntry is one row of an import file that passed the rules of its own.
type BatchEntry struct {
	Row    int
	Person PersonInput       // normalised by PersonInput.Validate
	ID     ident.IDNumber    // the ID number, parsed once
	Reg    RegistrationCheck // the registration's fields; Plan and Person are set when it is saved
}

// BatchProblem is one thing wrong with an import file: where (Row 0: the file as a whole), what, why.
type BatchProblem struct {
	Row    int
	Column string
	Value  string
	Reason string
}

// BatchProblems is everything wrong with an import file, by row and column; nothing of the file is saved.
type BatchProblems []BatchProblem

func (p BatchProblems) Error() string { return strconv.Itoa(len(p)) + " problems in the import file" }

// sortProblems orders problems as the file reads: the whole file first, then by row, then by column.
func sortProblems(ps []BatchProblem) {
	col := map[string]int{}
	for i, c := range BatchColumns {
		col[c.Header] = i
	}
	slices.SortStableFunc(ps, func(a, b BatchProblem) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(col[a.Column], col[b.Column]))
	})
}

// CheckBatchRow reads one row of an import file with the 报名表's rules: first the template's rules for a cell
// (filled, chosen from the drop-down, an ID number Excel has not turned into a number), then PersonInput.Validate
// for the person, the 报名表's own parser for the registration's fields, CheckEligibility and the plan's 学历 for
// the plan's rules. It returns the entry, or the row's problems, one per cell, in column order.
func CheckBatchRow(plan *ExamPlan, r spreadsheet.Row, now time.Time) (BatchEntry, []BatchProblem) {
	cell := func(k string) string { return spreadsheet.NormalizeText(r.Cells[k]) }
	bad := FieldErrors{}
	shown := map[string]string{} // the value a problem shows, where it is not the cell as typed
	for _, c := range BatchColumns {
		switch v := cell(c.Key); {
		case c.Choices != nil && (v != "" || c.Required) && !slices.Contains(c.Choices, v):
			bad[c.Key] = "请从下拉列表中选择" + c.Header
		case c.Required && v == "":
			bad[c.Key] = "请填写" + c.Header
		}
	}
	if bad["id_number"] == "" && r.MangledNumber("id_number") {
		bad["id_number"] = msgMangledID
	}
	// A number cell from an office suite: a month it cannot tell (2012.10 became 2012.1), a code without its zeros.
	if bad["work_start_date"] == "" && r.AmbiguousMonth("work_start_date") {
		bad["work_start_date"] = spreadsheet.MsgAmbiguousMonth
	}
	if r.LostLeadingZeros("phone", 11) && ValidPhone("0"+cell("phone")) {
		bad["phone"] = msgLostZeros("手机号码")
	}
	if r.MangledNumber("employer_code") {
		bad["employer_code"] = "组织机构代码被转换为数字而损坏，请将该列设为文本格式后重新填写"
	} else if r.LostLeadingZeros("employer_code", 9) {
		bad["employer_code"] = msgLostZeros("组织机构代码")
	}
	pin, idn, fe := PersonInput{IDNumber: cell("id_number"), Name: cell("name"), Education: cell("education"),
		Phone: cell("phone"), Major: cell("major"), Title: cell("title")}.Validate(false)
	resume, badLine := resumeFromCell(r.Cells["resume"])
	if badLine != "" {
		bad["resume"], shown["resume"] = msgResumeFormat, badLine
	}
	rc, claimed, re := RegistrationInput{WorkStartDate: cell("work_start_date"), YearsOfWork: cell("years_of_work"),
		EmployerName: cell("employer_name"), EmployerCode: cell("employer_code"), Resume: resume,
		EmployerOpinion: cell("employer_opinion")}.parse()
	addBatchErrors(bad, fe)
	addBatchErrors(bad, re)
	if bad["work_start_date"] != "" {
		rc.WorkStart = time.Time{} // a date refused is no date: never the month guessed from 2012.1
	}
	if !rc.WorkStart.IsZero() {
		shown["work_start_date"] = rc.WorkStart.Format("2006-01-02")
		if bad["years_of_work"] == "" {
			var birth *time.Time
			if bad["id_number"] == "" {
				birth = &idn.BirthDate
			}
			var probs FieldErrors
			rc.Years, probs = CheckEligibility(plan, birth, rc.WorkStart, claimed, now)
			addBatchErrors(bad, probs)
		}
	}
	if bad["education"] == "" {
		if msg := checkEducation(plan, pin.Education); msg != "" {
			bad["education"] = msg
		}
	}
	if len(bad) > 0 {
		return BatchEntry{}, batchRowProblems(r.Number, bad, func(k string) string {
			if v, ok := shown[k]; ok {
				return v
			}
			return cell(k)
		})
	}
	return BatchEntry{Row: r.Number, Person: pin, ID: idn, Reg: rc}, nil
}

// addBatchErrors adds the problems of a rule to a row's, by column (every 个人简历 line is that one column), keeping
// the first problem found in each cell.
func addBatchErrors(bad, errs FieldErrors) {
	for k, v := range errs {
		if strings.HasPrefix(k, "resume_") {
			k = "resume"
		}
		if bad[k] == "" {
			bad[k] = v
		}
	}
}

// batchRowProblems lists a row's problems in column order, naming each column by its header. A list never shows a
// whole ID number.
func batchRowProblems(row int, bad FieldErrors, value func(string) string) []BatchProblem {
	var out []BatchProblem
	for _, c := range BatchColumns {
		if reason := bad[c.Key]; reason != "" {
			v := value(c.Key)
			if c.Key == "id_number" && v != "" {
				v = ident.MaskIDNumber(v)
			}
			out = append(out, BatchProblem{Row: row, Column: c.Header, Value: v, Reason: reason})
		}
	}
	return out
}

// resumeFromCell reads 个人简历 as the template asks for it: one line per job, "起止时间 工作单位 职务". It returns
// the lines read, and the first line that is not of that form ("" when none).
func resumeFromCell(text string) ([]ResumeRow, string) {
	var rows []ResumeRow
	for _, line := range strings.Split(text, "\n") {
		parts := strings.Fields(spreadsheet.NormalizeText(line))
		switch {
		case len(parts) == 0:
		case len(parts) < 2:
			return nil, line
		default:
			rows = append(rows, ResumeRow{Period: parts[0], Employer: parts[1], Post: strings.Join(parts[2:], " ")})
		}
	}
	return rows, ""
}
