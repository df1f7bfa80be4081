// Package pages holds one templ file per screen, with the plain view-model structs the handlers fill.
package pages

import (
	"strconv"

	"examcert/views/components"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func itoa(n int) string { return strconv.Itoa(n) }

// Pair is a label and its value, for detail tables.
type Pair struct{ Label, Value string }

// employerPart is the 工作单位 part of the 报名表, shown (and swapped by the code lookup) like everywhere else.
func employerPart(f RegForm) PersonForm {
	return PersonForm{EmployerName: f.EmployerName, EmployerCode: f.EmployerCode, OrgMessage: f.Person.OrgMessage,
		OrgLookupURL: f.Person.OrgLookupURL, FormState: components.FormState{Errors: f.Errors}, EmployerRequired: true}
}

// orNotFilled shows 未填写 for an empty value (with where to fill it in).
func orNotFilled(s string) string {
	if s == "" {
		return "未填写（请在个人信息维护中填写）"
	}
	return s
}
