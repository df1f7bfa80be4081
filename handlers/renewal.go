package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Renewals is 申请证书续期 (LIFECYCLE §8) for every applicant: a practitioner their own certificates, an enterprise
// its staff's, a training institution those of the people it trained. Tick, 【申请】, and the answer names the
// 申请批号; below, the applicant's renewal applications with 【重新提交】 when returned. Plain forms and 303s
// without JavaScript; htmx swaps the work region (#renewal-work) in place.
type Renewals struct{ *App }

func renewalRoutes(a *App) []route {
	h := &Renewals{App: a}
	return []route{
		{method: http.MethodGet, path: "/renewals", name: routes.RenewalPage, handler: h.Page, roles: applicants},
		{method: http.MethodPost, path: "/renewals", name: routes.RenewalSubmit, handler: h.Apply, roles: applicants},
		{method: http.MethodPost, path: "/renewals/:id/resubmit", name: routes.RenewalResubmit, handler: h.Resubmit, roles: applicants},
	}
}

const (
	renewalCertsPerPage = 20
	renewalAppsPerPage  = 20
)

// renewalBatch is the shape of a 续期申请批号, the only kind the page's answer names.
var renewalBatch = regexp.MustCompile(`^XQSQ\d{8}$`)

// renewalState is what a request adds to the lists: the answer, an error, the refused certificates (with why) and
// those ticked (kept ticked when the batch was refused).
type renewalState struct {
	notice, err string
	refused     *models.RenewalRefused
	ticked      map[int64]bool
}

// Page is the screen; ?applied= or ?resubmitted= (after a 303) names the 申请批号, shown only when it is one of the
// applicant's own.
func (h *Renewals) Page(c echo.Context) error {
	var st renewalState
	if b := c.QueryParam("applied"); h.ownBatch(c, b) {
		st.notice = "证书续期申请成功，申请批号为 " + b
	} else if b := c.QueryParam("resubmitted"); h.ownBatch(c, b) {
		st.notice = "已重新提交续期申请，申请批号为 " + b
	}
	return h.show(c, st)
}

// Apply is 【申请】 for the certificates ticked: all or nothing.
func (h *Renewals) Apply(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(form["cert"]))
	st := renewalState{ticked: map[int64]bool{}}
	for _, v := range form["cert"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return models.ErrNotFound // not an id any page offered
		}
		ids, st.ticked[id] = append(ids, id), true
	}
	batch, err := models.ApplyRenewal(c.Request().Context(), h.DB, actor(c), ids)
	switch {
	case errors.Is(err, models.ErrNothingToRenew):
		st.err = "请勾选要续期的证书"
	case errors.As(err, &st.refused):
		st.err = "以下证书不能续期，本次未提交任何申请，请取消勾选后重新申请："
	case err != nil:
		return err
	case !isHTMX(c):
		return c.Redirect(http.StatusSeeOther, h.pageURL(c, "applied", batch))
	default:
		st.notice = "证书续期申请成功，申请批号为 " + batch
		st.ticked = nil
	}
	return h.show(c, st)
}

// Resubmit is 【重新提交】 of a renewal returned for changes; the rules are checked again.
func (h *Renewals) Resubmit(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	batch, err := models.ResubmitRenewal(c.Request().Context(), h.DB, actor(c), id)
	var st renewalState
	switch {
	case errors.As(err, &st.refused):
		st.err = "该申请不能重新提交："
	case errors.Is(err, models.ErrNoTransition):
		st.err = "该申请已不在退回修改状态，不能重新提交"
	case err != nil:
		return err
	case !isHTMX(c):
		return c.Redirect(http.StatusSeeOther, h.pageURL(c, "resubmitted", batch))
	default:
		st.notice = "已重新提交续期申请，申请批号为 " + batch
	}
	return h.show(c, st)
}

// pageURL is the screen with the search the request came from and key=value (the answer after a 303).
func (h *Renewals) pageURL(c echo.Context, key, value string) string {
	q := url.Values{}
	for _, k := range []string{"number", "name", "page", "apage"} {
		if v := c.QueryParam(k); v != "" {
			q.Set(k, v)
		}
	}
	q.Set(key, value)
	return reverse(c, routes.RenewalPage) + "?" + q.Encode()
}

// ownBatch says whether b is a 续期申请批号 of an application the caller may see.
func (h *Renewals) ownBatch(c echo.Context, b string) bool {
	if !renewalBatch.MatchString(b) {
		return false
	}
	_, n, err := models.ListApplications(c.Request().Context(), h.DB, actor(c), models.AppFilter{Kind: models.AppRenewal, Query: b, Limit: 1})
	return err == nil && n > 0
}

// show renders the screen (htmx: the work region) with the lists as the query asks and st on top.
func (h *Renewals) show(c echo.Context, st renewalState) error {
	lq, err := readList(c, renewalCertsPerPage, "number", "name", "apage")
	if err != nil {
		return err
	}
	p := pages.Renewal{Shell: h.shell(c, "申请证书续期", routes.RenewalPage), Notice: st.notice, Error: st.err,
		ApplyURL: reverse(c, routes.RenewalSubmit) + queryOf(lq.Filter, lq.Page),
		Search: components.Search{Action: reverse(c, routes.RenewalPage), Target: "renewal-work", TestID: "renewal-search-form",
			Fields: []components.Field{{Name: "name", Label: "姓名", Value: lq.Filter.Get("name"), MaxLength: 40},
				{Name: "number", Label: "证书编号", Value: lq.Filter.Get("number"), MaxLength: 40}}}}
	if st.refused != nil {
		p.Refusals = st.refused.SortedRefusals()
	}
	if err := h.certRows(c, &p, lq, st); err != nil {
		return err
	}
	if err := h.appRows(c, &p, lq); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.RenewalPage(p), pages.RenewalWork(p))
}

// queryOf is "?…" of the search and page (empty values left out), for the 【申请】 form to come back to.
func queryOf(f url.Values, page int) string {
	q := url.Values{}
	for k, v := range f {
		if len(v) > 0 && v[0] != "" {
			q[k] = v
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func (h *Renewals) certRows(c echo.Context, p *pages.Renewal, lq listQuery, st renewalState) error {
	certs, total, err := models.RenewalCandidates(c.Request().Context(), h.DB, actor(c), models.CertFilter{
		Number: lq.Filter.Get("number"), Name: lq.Filter.Get("name"), Limit: lq.PerPage, Offset: lq.Offset()})
	if err != nil {
		return err
	}
	p.Certs = components.List{ID: "renewal-certs", TestID: "renewal-certs", Count: len(certs), Empty: "没有符合条件的证书。",
		Pager:   lq.pager(reverse(c, routes.RenewalPage), total),
		Columns: []string{"选择", "证书编号", "姓名", "证件号码", "岗位", "单位", "有效期至", "状态", "续期"}}
	for i := range certs {
		cert := &certs[i]
		r := pages.RenewalCertRow{ID: strconv.FormatInt(cert.ID, 10), Number: cert.Number, Name: cert.Name,
			IDMasked: ident.MaskIDNumber(cert.IDNumber), Post: cert.PostName, Employer: cert.EmployerName,
			ValidUntil: cert.ValidUntilText(), Status: cert.Status.Label(), Refusal: cert.Refusal, Ticked: st.ticked[cert.ID]}
		if st.refused != nil && st.refused.ByCert[cert.ID] != "" {
			r.Refusal = st.refused.ByCert[cert.ID]
		}
		p.Rows = append(p.Rows, r)
	}
	return nil
}

func (h *Renewals) appRows(c echo.Context, p *pages.Renewal, lq listQuery) error {
	page, _ := strconv.Atoi(lq.Filter.Get("apage"))
	page = max(page, 1)
	apps, total, err := models.ListApplications(c.Request().Context(), h.DB, actor(c), models.AppFilter{Kind: models.AppRenewal,
		Limit: renewalAppsPerPage, Offset: (page - 1) * renewalAppsPerPage})
	if err != nil {
		return err
	}
	pg := pager(reverse(c, routes.RenewalPage), total, page, renewalAppsPerPage, lq.Filter)
	pg.PrevURL, pg.NextURL = asAppPage(pg.PrevURL, lq.Page), asAppPage(pg.NextURL, lq.Page)
	p.Apps = components.List{ID: "renewal-apps", TestID: "renewal-apps", Count: len(apps), Empty: "暂无续期申请。", Pager: pg,
		Columns: []string{"申请批号", "证书编号", "姓名", "状态", "退回/不予原因", "操作"}}
	acting := actor(c)
	for i := range apps {
		a := &apps[i]
		id := strconv.FormatInt(a.ID, 10)
		r := pages.RenewalAppRow{ID: id, BatchNo: a.BatchNo, Number: a.Number(), Name: a.Name, Status: a.StatusLabel(),
			DetailURL: reverse(c, routes.ApplicationDetail, id)}
		if a.Status == models.AppReturned || a.Status == models.AppRejected {
			r.Reason = a.Reason
		}
		if a.Status == models.AppReturned && models.MayEditApplication(acting, &a.CertApplication) {
			r.ResubmitURL = reverse(c, routes.RenewalResubmit, id)
		}
		p.AppRows = append(p.AppRows, r)
	}
	return nil
}

// asAppPage turns a pager link's page= into apage= (the applications' own pager on the same screen), keeping the
// certificates' page.
func asAppPage(link string, certPage int) string {
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("apage", q.Get("page"))
	q.Del("page")
	if certPage > 1 {
		q.Set("page", strconv.Itoa(certPage))
	}
	u.RawQuery = q.Encode()
	return u.String()
}
