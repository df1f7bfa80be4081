package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/pages"
)

// JoinRequests are the 人员调入申请 (SECURITY.md 28): a practitioner decides those for themself on their own page,
// an enterprise those for its staff in 企业人员信息, and the requester withdraws its own there (or in 人员信息).
// Every button is a plain form; htmx swaps the one row.
type JoinRequests struct{ *App }

var joinNotices = map[string]string{
	"accepted":  "已同意调入申请",
	"declined":  "已拒绝调入申请",
	"withdrawn": "已撤回调入申请",
	"stale":     "该申请已被处理或撤回",
}

// joinRow is one request as the viewer sees it, with the buttons the viewer has (decide or withdraw).
func joinRow(c echo.Context, jr *models.JoinRequest, decide bool) pages.JoinRequestRow {
	id := strconv.FormatInt(jr.ID, 10)
	r := pages.JoinRequestRow{ID: jr.ID, Person: jr.PersonName, IDMasked: jr.PersonIDNo, Requester: jr.RequesterName,
		Created: jr.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"), Status: jr.Status.Label()}
	if jr.Status != models.JoinPending {
		return r
	}
	if decide {
		r.AcceptURL, r.DeclineURL = reverse(c, routes.JoinRequestAccept, id), reverse(c, routes.JoinRequestDecline, id)
	} else {
		r.WithdrawURL = reverse(c, routes.JoinRequestWithdraw, id)
	}
	return r
}

func joinRows(c echo.Context, jrs []models.JoinRequest, decide bool) []pages.JoinRequestRow {
	var out []pages.JoinRequestRow
	for i := range jrs {
		out = append(out, joinRow(c, &jrs[i], decide))
	}
	return out
}

// Page is the practitioner's 人员调入申请.
func (h *JoinRequests) Page(c echo.Context) error {
	jrs, err := models.JoinRequestsToDecide(c.Request().Context(), h.DB, actor(c))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.JoinRequestsPage(h.shell(c, "人员调入申请", routes.JoinRequestsPage),
		joinRows(c, jrs, true), joinNotices[c.QueryParam("ok")]), nil)
}

// Accept is 同意, by the person or their current employer.
func (h *JoinRequests) Accept(c echo.Context) error {
	return h.move(c, "accepted", func(id int64) (*models.JoinRequest, error) {
		return models.DecideJoinRequest(c.Request().Context(), h.DB, actor(c), id, true)
	})
}

// Decline is 拒绝, by the person or their current employer.
func (h *JoinRequests) Decline(c echo.Context) error {
	return h.move(c, "declined", func(id int64) (*models.JoinRequest, error) {
		return models.DecideJoinRequest(c.Request().Context(), h.DB, actor(c), id, false)
	})
}

// Withdraw is 撤回, by the requester.
func (h *JoinRequests) Withdraw(c echo.Context) error {
	return h.move(c, "withdrawn", func(id int64) (*models.JoinRequest, error) {
		return models.WithdrawJoinRequest(c.Request().Context(), h.DB, actor(c), id)
	})
}

// move runs one move of the request the URL names. With htmx the row comes back with its new status (or the
// notice that someone else was quicker); without, the viewer's list with the notice.
func (h *JoinRequests) move(c echo.Context, done string, do func(int64) (*models.JoinRequest, error)) error {
	id, err := personID(c) // the same :id parsing: a malformed id is 404
	if err != nil {
		return err
	}
	jr, err := do(id)
	switch {
	case errors.Is(err, models.ErrNothingMoved):
		done = "stale"
	case err != nil:
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, h.joinListURL(c)+"?ok="+done)
	}
	r := pages.JoinRequestRow{ID: id, Message: joinNotices[done]}
	if jr != nil {
		r = joinRow(c, jr, false) // the status after the move: no buttons are left to press
		r.Message = joinNotices[done]
		if done == "stale" {
			r.Status, r.WithdrawURL = "", "" // someone else moved it: reload to see where it stands
		}
	}
	return h.render(c, http.StatusOK, pages.JoinRequestRowView(r), nil)
}

// joinListURL is where the signed-in account sees its requests.
func (h *JoinRequests) joinListURL(c echo.Context) string {
	switch currentAccount(c).Role {
	case models.RoleEnterprise:
		return reverse(c, routes.StaffPage)
	case models.RoleTraining:
		return reverse(c, routes.TraineesPage)
	}
	return reverse(c, routes.JoinRequestsPage)
}
