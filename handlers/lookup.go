package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/pages"
)

// Lookup answers the autofills: an ID number (gender, birth date, and for a known person name and stage) and an
// organization code (单位名称). Each answers with the fragment it fills; the same work runs, without JavaScript,
// when a form is posted with its 核对 button (check=…).
type Lookup struct{ *App }

// lookupRateLimit allows each account a steady few lookups a minute (default 30, bursts of 20): enough to type
// forms all day, not enough to walk through ID numbers.
func (a *App) lookupRateLimit() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(a.Cfg.LookupRate / 60), Burst: a.Cfg.LookupBurst})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		IdentifierExtractor: func(c echo.Context) (string, error) {
			if acct := currentAccount(c); acct != nil {
				return "account:" + strconv.FormatInt(acct.ID, 10), nil
			}
			return "ip:" + c.RealIP(), nil
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			a.audit(c, models.EventPersonLookup, "", "rate_limited", "")
			return echo.NewHTTPError(http.StatusTooManyRequests, "查询过于频繁，请稍后再试")
		},
	})
}

// Person fills the person part of a form from the ID number typed.
func (h *Lookup) Person(c echo.Context) error {
	f := pages.PersonForm{IDNumber: c.QueryParam("id_number"), Name: c.QueryParam("name")}
	if err := h.fillPersonLookup(c, &f); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.PersonAutofill(f), nil)
}

// fillPersonLookup derives gender and birth date from f.IDNumber and, for a known person, fills what the actor may
// learn of them (models.LookupPerson, which audits the lookup). An invalid number is said inside the autofill.
func (a *App) fillPersonLookup(c echo.Context, f *pages.PersonForm) error {
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
	if res.Known {
		f.Name = res.Name
	}
	// One's own people's 学历 and 手机号码 as stored: a form for them uses those (the htmx autofill swaps only the
	// name part; a 核对 without JavaScript shows the whole form again).
	if res.Education != "" {
		f.Education = res.Education
	}
	if res.Phone != "" {
		f.Phone = res.Phone
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
