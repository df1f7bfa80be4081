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

// audit records an event that changes no data (a download, a refused request, a rate limit) by the signed-in
// account. Workflows that change data write their own audit row inside their transaction.
func (a *App) audit(c echo.Context, event, object, result, detail string) {
	ev := actor(c).Event(event, object, result, detail)
	if err := models.RecordAudit(c.Request().Context(), a.DB, &ev); err != nil {
		a.Log.Error("audit write failed", "request_id", requestID(c), "event", ev.Event, "error", err)
	}
}
