package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/pages"
)

// Lookup answers the autofills: an ID number (gender, birth date, and for a known person name and stage) and an
// organization code (单位名称). Each answers with the fragment it fills; the same work runs, without JavaScript,
// when a form is posted with its 核对 button (check=…).
type Lookup struct{ *App }

// lookupLimiter is the one per-account budget of every path that tells whether, or what, an ID number is in the
// system (SECURITY.md 27): /lookup, the 核对 buttons of every form, 新增人员 and the 报名表 of an organization. Each
// account gets a steady few a minute (default 30, bursts of 20): enough to type forms all day, not enough to walk
// through ID numbers.

// allowLookup spends one lookup of the signed-in account (of the client address when signed out). Past the limit
// it writes an audit row and answers 429 with a plain message, which the caller returns as is.
func (a *App) allowLookup(c echo.Context) error {
	who := "ip:" + c.RealIP()
	if acct := currentAccount(c); acct != nil {
		who = "account:" + strconv.FormatInt(acct.ID, 10)
	}
	limit := models.RateLimit{Name: "lookup", Rate: a.Cfg.LookupRate / 60, Burst: a.Cfg.LookupBurst}
	if ok, err := limit.Allow(c.Request().Context(), a.DB, who); err != nil || ok {
		return err
	}
	a.audit(c, models.EventPersonLookup, "", "rate_limited", c.Path())
	return echo.NewHTTPError(http.StatusTooManyRequests, msgLookupLimited)
}

const msgLookupLimited = "查询过于频繁，请稍后再试"

// lookupRateLimit is allowLookup as a route's middleware.
func (a *App) lookupRateLimit() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := a.allowLookup(c); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// Person fills the person part of a form from the ID number typed: the autofill fragment, with 学历 and 手机号码 as
// stored for one's own people, and as typed otherwise (a value the previous autofill put there is cleared, not kept
// for someone else). On the 报名表 (plan=…) it also says whether the person already registered for the plan.
func (h *Lookup) Person(c echo.Context) error {
	q := c.QueryParams()
	f := h.personForm(c, nil)
	f.IDNumber = q.Get("id_number")
	f.Name = typed(q.Get("name"), q.Get("filled_name"))
	f.Education = typed(q.Get("education"), q.Get("filled_education"))
	f.Phone = typed(q.Get("phone"), q.Get("filled_phone"))
	f.PlanID, _ = strconv.ParseInt(q.Get("plan"), 10, 64)
	if err := h.fillPersonLookup(c, &f); err != nil {
		return err
	}
	if f.PlanID != 0 && f.LookupError == "" {
		note, err := h.registeredNote(c, f.IDNumber, f.PlanID)
		if err != nil {
			return err
		}
		f.Registered = note
	}
	return h.render(c, http.StatusOK, pages.PersonAutofill(f), nil)
}

// typed is a field's value unless it is what the last autofill filled in.
func typed(value, filled string) string {
	if filled != "" && value == filled {
		return ""
	}
	return value
}

// fillPersonLookup derives gender and birth date from f.IDNumber and, for a known person, fills what the actor may
// learn of them (models.LookupPerson, which audits the lookup), within the shared lookup limit (allowLookup). An
// invalid number is said inside the autofill.
func (a *App) fillPersonLookup(c echo.Context, f *pages.PersonForm) error {
	if err := a.allowLookup(c); err != nil {
		return err
	}
	res, err := models.LookupPerson(c.Request().Context(), a.DB, actor(c), f.IDNumber)
	var ie *ident.Error
	if errors.As(err, &ie) {
		f.LookupError = ie.Error()
		f.Gender, f.BirthDate, f.Stage = "", "", ""
		return nil
	}
	if err != nil {
		return err
	}
	f.IDNumber, f.Gender, f.BirthDate, f.Stage = res.ID.Number, res.ID.Gender.String(), day(res.ID.BirthDate), res.Stage
	if res.InScope {
		f.Name = res.Name // outside one's people the name typed stays: the stage shows only the masked name
		f.Filled.Name = res.Name
	}
	// One's own people's 学历 and 手机号码 as stored: a form for them uses those (both are inside the autofill).
	if res.Education != "" {
		f.Education, f.Filled.Education = res.Education, res.Education
	}
	if res.Phone != "" {
		f.Phone, f.Filled.Phone = res.Phone, res.Phone
	}
	return nil
}

// Organization fills 单位名称 from the code typed.
func (h *Lookup) Organization(c echo.Context) error {
	f := pages.PersonForm{EmployerCode: c.QueryParam("employer_code"), EmployerName: c.QueryParam("employer_name"),
		EmployerRequired: c.QueryParam("employer_required") == "1"}
	if err := h.fillOrgLookup(c, &f); err != nil {
		return err
	}
	f.OrgLookupURL = reverse(c, routes.LookupOrganization)
	return h.render(c, http.StatusOK, pages.EmployerFields(f), nil)
}

// fillOrgLookup checks f.EmployerCode and fills f.EmployerName from the organization records when registered.
func (a *App) fillOrgLookup(c echo.Context, f *pages.PersonForm) error {
	if f.EmployerCode == "" {
		f.OrgMessage = "请输入统一社会信用代码（18位）或组织机构代码（9位）"
		return nil
	}
	res, err := models.LookupOrganization(c.Request().Context(), a.DB, f.EmployerCode)
	var ie *ident.Error
	switch {
	case errors.As(err, &ie):
		if f.Errors == nil {
			f.Errors = map[string]string{}
		}
		f.Errors["employer_code"] = ie.Error()
		return nil
	case err != nil:
		return err
	}
	f.EmployerCode = res.Code
	if res.Org == nil {
		f.OrgMessage = "系统中未登记该单位，请输入单位名称"
		return nil
	}
	f.EmployerName = res.Org.Name
	f.OrgMessage = "已找到登记单位：" + res.Org.Name
	if res.Org.Kind != models.KindEnterprise {
		f.OrgMessage += "（" + res.Org.Kind.Label() + "）"
	}
	return nil
}
