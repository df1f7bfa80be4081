package handlers

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/export"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Stats is 统计 (issue 12): the registry's figures under a filter, each table with a bar chart drawn on the server
// and 导出 (.xlsx, streamed, audited).
type Stats struct{ *App }

func statsRoutes(a *App) []route {
	h := &Stats{App: a}
	return []route{
		{method: http.MethodGet, path: "/admin/stats", name: routes.AdminStats, handler: h.Page, roles: admin},
		{method: http.MethodGet, path: "/admin/stats/export", name: routes.AdminStatsExport, handler: h.Export, roles: admin},
	}
}

// statsQuery reads the filter from the query string; a malformed number is an error shown above the figures.
func statsQuery(c echo.Context) (models.StatsFilter, url.Values, bool) {
	q, f, ok := url.Values{}, models.StatsFilter{}, true
	read := func(name string) int64 {
		v := c.QueryParam(name)
		if v == "" {
			return 0
		}
		q.Set(name, v)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			ok = false
		}
		return n
	}
	f.Year, f.PlanID, f.CategoryID, f.OrganizationID = int(read("year")), read("plan"), read("category"), read("org")
	if f.Year != 0 && (f.Year < 2000 || f.Year > 2100) {
		ok = false
	}
	return f, q, ok
}

// Page is the 统计 screen; with HX-Request only the results under the form.
func (h *Stats) Page(c echo.Context) error {
	f, q, ok := statsQuery(c)
	p, err := h.form(c, f)
	if err != nil {
		return err
	}
	if !ok {
		p.Error = "筛选条件有误，请重新选择"
		return h.render(c, http.StatusOK, pages.StatsPageView(p), pages.StatsResults(p))
	}
	s, err := models.Statistics(c.Request().Context(), h.DB, actor(c), f)
	if err != nil {
		return err
	}
	p.Tables = statsTables(s, reverse(c, routes.AdminStatsExport), q)
	return h.render(c, http.StatusOK, pages.StatsPageView(p), pages.StatsResults(p))
}

// Export writes one table (?table=) of the figures under the filter as .xlsx, running that table's queries only;
// 即将到期 lists every certificate, streamed from a cursor into the sheet.
func (h *Stats) Export(c echo.Context) error {
	f, q, ok := statsQuery(c)
	id := models.StatsTable(c.QueryParam("table"))
	if !ok || !slices.Contains(models.StatsTables, id) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	if id == models.StatsExpiring {
		t := expiringTable(&models.Stats{})
		x, err := newStatsXLSX(t)
		if err != nil {
			return err
		}
		defer x.Close()
		if err := models.EachExpiringCertificate(ctx, h.DB, actor(c), f, func(r *models.ExpiringCert) error {
			return x.Row(expiringRow(r)...)
		}); err != nil {
			return err
		}
		return h.export(c, t, q, x)
	}
	s, err := models.Statistics(ctx, h.DB, actor(c), f, id)
	if err != nil {
		return err
	}
	for _, t := range statsTables(s, "", q) {
		if t.ID != string(id) {
			continue
		}
		x, err := newStatsXLSX(t)
		if err != nil {
			return err
		}
		defer x.Close()
		for _, r := range t.Rows {
			if err := x.Row(r...); err != nil {
				return err
			}
		}
		return h.export(c, t, q, x)
	}
	return echo.ErrNotFound
}

// newStatsXLSX is an empty sheet with the table's headers.
func newStatsXLSX(t pages.StatsTable) (*export.XLSX, error) {
	cols := make([]export.Column, len(t.Headers))
	for i, hd := range t.Headers {
		cols[i] = export.Column{Header: hd, Width: 18}
	}
	return export.NewXLSX(t.Title, cols)
}

// export audits and sends a table's filled sheet.
func (h *Stats) export(c echo.Context, t pages.StatsTable, q url.Values, x *export.XLSX) error {
	h.audit(c, models.EventExport, "stats:"+t.ID, "stats", q.Encode())
	return streamXLSX(c, x, "stats-"+t.ID+".xlsx", "统计-"+t.Title+".xlsx")
}

// form is the filter form with its options and the current choices.
func (h *Stats) form(c echo.Context, f models.StatsFilter) (pages.StatsPage, error) {
	plans, cats, orgs, err := models.StatsChoices(c.Request().Context(), h.DB)
	if err != nil {
		return pages.StatsPage{}, err
	}
	p := pages.StatsPage{Shell: h.shell(c, "统计", routes.AdminStats), Action: reverse(c, routes.AdminStats),
		Year:     components.Field{Name: "year", Label: "年度", Value: itoa(int64(f.Year))},
		Plan:     components.Field{Name: "plan", Label: "考试计划", Value: itoa(f.PlanID)},
		Category: components.Field{Name: "category", Label: "岗位", Value: itoa(f.CategoryID)},
		Org:      components.Field{Name: "org", Label: "单位", Value: itoa(f.OrganizationID)},
		Years:    []components.Option{{Value: "", Label: "全部"}}, Plans: choiceOptions(plans), Cats: choiceOptions(cats), Orgs: choiceOptions(orgs)}
	for y := models.Now().In(models.Beijing).Year() + 1; y >= 2020; y-- {
		p.Years = append(p.Years, components.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y) + " 年"})
	}
	return p, nil
}

func itoa(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func choiceOptions(cs []models.StatsChoice) []components.Option {
	out := []components.Option{{Value: "", Label: "全部"}}
	for _, x := range cs {
		out = append(out, components.Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
	}
	return out
}

// pct writes a percentage with one decimal.
func pct(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64) + "%" }

// bars scales values to the longest (or to 100 for percentages: max 100).
func bars(labels []string, values []float64, texts []string, max float64) []components.Bar {
	if max == 0 {
		for _, v := range values {
			max = math.Max(max, v)
		}
	}
	out := make([]components.Bar, len(values))
	for i, v := range values {
		share := 0.0
		if max > 0 {
			share = v / max
		}
		out[i] = components.Bar{Label: labels[i], Share: share, Value: texts[i]}
	}
	return out
}
