package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// AdminOrganizations is the 单位 half of 机构与账号: enterprises and training institutions with validated codes.
type AdminOrganizations struct{ *App }

const orgsPerPage = 20

func (h *AdminOrganizations) tabs(c echo.Context, active string) pages.AdminTabs {
	return pages.AdminTabs{AccountsURL: reverse(c, routes.AdminAccounts), OrgsURL: reverse(c, routes.AdminOrgs), Active: active}
}

func kindOptions(first string) []components.Option {
	return []components.Option{{Value: "", Label: first},
		{Value: string(models.KindEnterprise), Label: models.KindEnterprise.Label()},
		{Value: string(models.KindTraining), Label: models.KindTraining.Label()}}
}

var orgNotices = map[string]string{"created": "单位已创建", "saved": "修改保存成功"}

// List shows organizations, searchable by name or code.
func (h *AdminOrganizations) List(c echo.Context) error {
	ctx := c.Request().Context()
	lq, err := readList(c, orgsPerPage, "kind")
	if err != nil {
		return err
	}
	kind := models.OrganizationKind(lq.Filter.Get("kind"))
	if kind != models.KindEnterprise && kind != models.KindTraining {
		kind = ""
	}
	os, total, err := models.ListOrganizations(ctx, h.DB, models.OrgFilter{Query: lq.Q, Kind: kind, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return err
	}
	counts, err := models.AccountCounts(ctx, h.DB, orgIDs(os))
	if err != nil {
		return err
	}
	l := pages.OrgList{
		Shell: h.shell(c, "机构与账号", routes.AdminAccounts), Tabs: h.tabs(c, "orgs"), Query: lq.Q, Kind: string(kind),
		Kinds: kindOptions("全部"), ListURL: reverse(c, routes.AdminOrgs), NewURL: reverse(c, routes.AdminOrgsNew),
		Pager: lq.pager(reverse(c, routes.AdminOrgs), total), Success: orgNotices[c.QueryParam("ok")],
	}
	for _, o := range os {
		r := pages.OrgRow{Name: o.Name, Kind: o.Kind.Label(), Contact: o.ContactName + " " + o.ContactPhone,
			Accounts: strconv.Itoa(counts[o.ID]), EditURL: reverse(c, routes.AdminOrgsEdit, strconv.FormatInt(o.ID, 10))}
		if o.CreditCode != nil {
			r.CreditCode = *o.CreditCode
		}
		if o.OrgCode != nil {
			r.OrgCode = *o.OrgCode
		}
		l.Rows = append(l.Rows, r)
	}
	return h.render(c, http.StatusOK, pages.OrgListPage(l), pages.OrgResults(l))
}

func orgIDs(os []models.Organization) []int64 {
	ids := make([]int64, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	return ids
}

func (h *AdminOrganizations) renderForm(c echo.Context, f pages.OrgForm) error {
	return h.render(c, http.StatusOK, pages.OrgFormPage(h.shell(c, f.Title, routes.AdminAccounts), h.tabs(c, "orgs"), f), nil)
}

func readOrgInput(c echo.Context, f *pages.OrgForm) models.OrgInput {
	if !f.KindLocked {
		f.Kind = c.FormValue("kind")
	}
	f.Name, f.Code = c.FormValue("name"), c.FormValue("code")
	f.ContactName, f.ContactPhone, f.Address = c.FormValue("contact_name"), c.FormValue("contact_phone"), c.FormValue("address")
	return models.OrgInput{Kind: f.Kind, Name: f.Name, Code: f.Code, ContactName: f.ContactName, ContactPhone: f.ContactPhone, Address: f.Address}
}

// NewPage is 新建单位.
func (h *AdminOrganizations) NewPage(c echo.Context) error {
	return h.renderForm(c, pages.OrgForm{Title: "新建单位", Action: reverse(c, routes.AdminOrgsCreate),
		BackURL: reverse(c, routes.AdminOrgs), Kinds: kindOptions("请选择")})
}

// Create stores a new organization.
func (h *AdminOrganizations) Create(c echo.Context) error {
	f := pages.OrgForm{Title: "新建单位", Action: reverse(c, routes.AdminOrgsCreate), BackURL: reverse(c, routes.AdminOrgs),
		Kinds: kindOptions("请选择")}
	in := readOrgInput(c, &f)
	in.SameAs, _ = strconv.ParseInt(c.FormValue("same_as"), 10, 64)
	o, err := models.CreateOrganization(c.Request().Context(), h.DB, actor(c), in)
	var taken *models.OrgCodeTaken
	if errors.As(err, &taken) {
		f.Holder = orgHolder(c, taken)
	}
	if show, err := formOutcome(err, &f.FormState, "该单位信息", nil); show || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	if in.SameAs != 0 {
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminOrgsEdit, strconv.FormatInt(o.ID, 10))+"?ok=credit")
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminOrgs)+"?ok=created")
}

// orgHolder is the registered organization shown beside the code field when the code typed is already taken.
func orgHolder(c echo.Context, t *models.OrgCodeTaken) *pages.OrgHolder {
	o := t.Existing
	hd := &pages.OrgHolder{Name: o.Name, Kind: o.Kind.Label(), ID: strconv.FormatInt(o.ID, 10), CanConfirm: t.CanRecordCredit,
		URL: reverse(c, routes.AdminOrgsEdit, strconv.FormatInt(o.ID, 10))}
	if o.CreditCode != nil {
		hd.CreditCode = *o.CreditCode
	}
	if o.OrgCode != nil {
		hd.OrgCode = *o.OrgCode
	}
	return hd
}

func (h *AdminOrganizations) load(c echo.Context) (*models.Organization, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.GetOrganization(c.Request().Context(), h.DB, id)
}

func (h *AdminOrganizations) editForm(c echo.Context, o *models.Organization) (pages.OrgForm, error) {
	f := pages.OrgForm{Title: "编辑单位", Action: reverse(c, routes.AdminOrgsUpdate, strconv.FormatInt(o.ID, 10)),
		BackURL: reverse(c, routes.AdminOrgs), Kind: o.Kind.Label(), KindLocked: true,
		Name: o.Name, Code: o.Code(), ContactName: o.ContactName, ContactPhone: o.ContactPhone, Address: o.Address,
		FormState: components.FormState{Version: o.Version}}
	accts, err := models.AccountsOf(c.Request().Context(), h.DB, o.ID)
	for _, a := range accts {
		f.Accounts = append(f.Accounts, pages.Pair{Label: a.Username, Value: a.Role.Label()})
	}
	return f, err
}

// EditPage shows an organization with its accounts.
func (h *AdminOrganizations) EditPage(c echo.Context) error {
	o, err := h.load(c)
	if err != nil {
		return err
	}
	f, err := h.editForm(c, o)
	if err != nil {
		return err
	}
	if c.QueryParam("ok") == "credit" {
		f.Success = "已为该单位记录统一社会信用代码"
	}
	return h.renderForm(c, f)
}

// Update saves an organization; a stale version gets the conflict message and the current values.
func (h *AdminOrganizations) Update(c echo.Context) error {
	o, err := h.load(c)
	if err != nil {
		return err
	}
	f, err := h.editForm(c, o)
	if err != nil {
		return err
	}
	f.Version = formVersion(c)
	_, err = models.UpdateOrganization(c.Request().Context(), h.DB, actor(c), o.ID, readOrgInput(c, &f), f.Version)
	reload := func() error {
		fresh, err := h.load(c)
		if err == nil {
			f, err = h.editForm(c, fresh)
		}
		return err
	}
	if show, err := formOutcome(err, &f.FormState, "该单位信息", reload); show || err != nil {
		return orRender(err, func() error { return h.renderForm(c, f) })
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminOrgs)+"?ok=saved")
}
