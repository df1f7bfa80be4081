package handlers

import (
	"github.com/labstack/echo/v4"

	"examcert/models"
)

// actor is who makes this request, for the workflow verbs of models: the signed-in account (if any), the real
// client address and the request id.
func actor(c echo.Context) models.Actor {
	return models.Actor{Account: currentAccount(c), IP: c.RealIP(), RequestID: requestID(c)}
}

// audit records an event that changes no data (a download, a lookup, a refused request) by the signed-in account.
// Workflows that change data write their own audit row inside their transaction.
func (a *App) audit(c echo.Context, event, object, result, detail string) {
	a.record(c, actor(c), models.AuditEvent{Event: event, Object: object, Result: result, Detail: detail})
}

// auditSignIn records a sign-in event for acct, or, when acct is nil, for the name that was typed.
func (a *App) auditSignIn(c echo.Context, acct *models.Account, typed, event, result string) {
	who := actor(c)
	who.Account, who.Typed = acct, typed
	a.record(c, who, models.AuditEvent{Event: event, Result: result})
}

func (a *App) record(c echo.Context, who models.Actor, e models.AuditEvent) {
	ev := who.Event(e.Event, e.Object, e.Result, e.Detail)
	if err := models.RecordAudit(c.Request().Context(), a.DB, &ev); err != nil {
		a.Log.Error("audit write failed", "request_id", requestID(c), "event", ev.Event, "error", err)
	}
}

// auditEvent completes an event with who did it and from where.
func auditEvent(c echo.Context, acct *models.Account, typed string, e models.AuditEvent) models.AuditEvent {
	who := actor(c)
	who.Account, who.Typed = acct, typed
	return who.Event(e.Event, e.Object, e.Result, e.Detail)
}
