package handlers

import (
	"github.com/labstack/echo/v4"

	"examcert/internal/ident"
	"examcert/models"
)

// audit records an event by the signed-in account (if any) with the request's real client address.
func (a *App) audit(c echo.Context, event, object, result, detail string) {
	a.record(c, currentAccount(c), "", models.AuditEvent{Event: event, Object: object, Result: result, Detail: detail})
}

// auditSignIn records a sign-in event for acct, or, when acct is nil, for the name that was typed.
func (a *App) auditSignIn(c echo.Context, acct *models.Account, typed, event, result string) {
	a.record(c, acct, typed, models.AuditEvent{Event: event, Result: result})
}

func (a *App) record(c echo.Context, acct *models.Account, typed string, ev models.AuditEvent) {
	ev = auditEvent(c, acct, typed, ev)
	if err := models.RecordAudit(c.Request().Context(), a.DB, &ev); err != nil {
		a.Log.Error("audit write failed", "request_id", requestID(c), "event", ev.Event, "error", err)
	}
}

// auditEvent completes an event with who did it and from where.
func auditEvent(c echo.Context, acct *models.Account, typed string, ev models.AuditEvent) models.AuditEvent {
	ev.IP, ev.RequestID, ev.Username = c.RealIP(), requestID(c), models.NormalizeUsername(typed)
	if acct != nil {
		ev.AccountID, ev.Username, ev.Role, ev.OrganizationID = &acct.ID, acct.Username, acct.Role, acct.OrganizationID
	}
	// The log never holds a full ID number, even a mistyped one someone used as their sign-in name.
	if looksLikeIDNumber(ev.Username) {
		ev.Username = ident.MaskIDNumber(ident.Normalize(ev.Username))
	}
	if r := []rune(ev.Username); len(r) > 64 {
		ev.Username = string(r[:64])
	}
	return ev
}

// looksLikeIDNumber says whether s has the shape of a 身份证号 (18 or 15 characters, digits but for a final X),
// whether or not its check digit is right.
func looksLikeIDNumber(s string) bool {
	s = ident.Normalize(s)
	if len(s) != 18 && len(s) != 15 {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9') && !(r == 'X' && i == len(s)-1) {
			return false
		}
	}
	return true
}
