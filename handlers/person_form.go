package handlers

import (
	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Helpers shared by every form that edits a person: 个人信息维护, an organization's people, the edit pages.

func day(t interface{ Format(string) string }) string { return t.Format("2006-01-02") }

// personForm fills the form from a stored person (p may be nil for a new one).
func (a *App) personForm(c echo.Context, p *models.Person) pages.PersonForm {
	f := pages.PersonForm{
		LookupURL:    reverse(c, routes.LookupPerson),
		OrgLookupURL: reverse(c, routes.LookupOrganization),
		Educations:   components.Options("请选择", models.Educations),
		Titles:       components.Options("请选择", models.Titles),
		SubmitLabel:  "保存",
		FormState:    components.FormState{Errors: map[string]string{}},
	}
	if p == nil {
		return f
	}
	f.Version, f.IDNumber, f.IDReadOnly, f.Name, f.Gender = p.Version, p.IDNumber, true, p.Name, p.Gender
	if p.BirthDate != nil {
		f.BirthDate = day(p.BirthDate)
	}
	if p.WorkStartDate != nil {
		f.WorkStart = day(p.WorkStartDate)
	}
	f.Education, f.Major, f.JobTitle, f.Phone, f.Address = p.Education, p.Major, p.Title, p.Phone, p.Address
	f.EmployerName, f.EmployerCode = p.EmployerName, p.EmployerCode
	return f
}

// readPersonInput reads the person fields of a posted form into the form (to show again) and the model input.
func readPersonInput(c echo.Context, f *pages.PersonForm) models.PersonInput {
	if !f.IDReadOnly {
		f.IDNumber = c.FormValue("id_number")
	}
	f.Name, f.Education, f.Major = c.FormValue("name"), c.FormValue("education"), c.FormValue("major")
	f.JobTitle, f.Phone, f.Address = c.FormValue("title"), c.FormValue("phone"), c.FormValue("address")
	f.WorkStart = c.FormValue("work_start_date")
	if f.ShowEmployer {
		f.EmployerName, f.EmployerCode = c.FormValue("employer_name"), c.FormValue("employer_code")
	}
	return models.PersonInput{
		IDNumber: f.IDNumber, Name: f.Name, Education: f.Education, Major: f.Major, Title: f.JobTitle,
		Phone: f.Phone, Address: f.Address, WorkStartDate: f.WorkStart, EmployerName: f.EmployerName, EmployerCode: f.EmployerCode,
	}
}

// deriveFromID shows gender and birth date for a valid ID number typed into a form being shown again.
func deriveFromID(f *pages.PersonForm) {
	if n, err := ident.ParseIDNumber(f.IDNumber); err == nil {
		f.Gender, f.BirthDate = n.Gender.String(), day(n.BirthDate)
	}
}

// runChecks does, for a form posted with a 核对 button (no JavaScript), what the autofills do; it reports whether
// the post was such a check (then nothing is saved).
func (a *App) runChecks(c echo.Context, f *pages.PersonForm) (bool, error) {
	switch c.FormValue("check") {
	case "id":
		return true, a.fillPersonLookup(c, f)
	case "org":
		return true, a.fillOrgLookup(c, f)
	}
	return false, nil
}
