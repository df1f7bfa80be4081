package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// AuditLog is 操作日志: the admin reads the append-only audit trail, filtered by account, event and date.
type AuditLog struct{ *App }

const auditPerPage = 50

// List shows a page of events; the filter form updates the result table in place with htmx.
func (h *AuditLog) List(c echo.Context) error {
	lq, err := readList(c, auditPerPage, "username", "event", "from", "to")
	if err != nil {
		return err
	}
	l := pages.AuditList{
		Shell: h.shell(c, "操作日志", routes.AdminAudit), Action: reverse(c, routes.AdminAudit),
		Username: lq.Filter.Get("username"), Event: lq.Filter.Get("event"), From: lq.Filter.Get("from"), To: lq.Filter.Get("to"),
		Events: []components.Option{{Value: "", Label: "全部"}},
	}
	for _, e := range models.EventLabels {
		l.Events = append(l.Events, components.Option{Value: e.Event, Label: e.Label})
	}
	f, errs := auditFilter(l)
	if errs != nil {
		l.Errors = errs
		return h.render(c, http.StatusOK, pages.AuditPage(l), pages.AuditResults(l))
	}
	f.Offset, f.Limit = lq.Offset(), lq.PerPage
	evs, total, err := models.ListAudit(c.Request().Context(), h.DB, f)
	if err != nil {
		return err
	}
	for _, e := range evs {
		l.Rows = append(l.Rows, pages.AuditRow{
			Time:     e.OccurredAt.In(models.Beijing).Format("2006-01-02 15:04:05 -07:00"),
			Username: e.Username, Role: roleLabel(e.Role), IP: e.IP, Event: models.EventLabel(e.Event),
			Object: e.Object, Result: e.Result, RequestID: e.RequestID,
		})
	}
	l.Pager = lq.pager(l.Action, total)
	return h.render(c, http.StatusOK, pages.AuditPage(l), pages.AuditResults(l))
}

// auditFilter reads the filter's dates (whole days in Beijing), saying beside each what is wrong with it.
func auditFilter(l pages.AuditList) (models.AuditFilter, map[string]string) {
	f := models.AuditFilter{Username: l.Username, Event: l.Event}
	errs := map[string]string{}
	var err error
	if f.From, err = parseDay(l.From); err != nil {
		errs["from"] = "日期格式应为 2026-01-31"
	}
	if f.To, err = parseDay(l.To); err != nil {
		errs["to"] = "日期格式应为 2026-01-31"
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs["to"] = "截止日期不能早于起始日期"
	}
	if len(errs) > 0 {
		return f, errs
	}
	return f, nil
}

func roleLabel(r models.Role) string {
	if r == "" {
		return ""
	}
	return r.Label()
}

// parseDay reads a yyyy-mm-dd date as the start of that day in Beijing; empty is the zero time.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation("2006-01-02", s, models.Beijing)
}
