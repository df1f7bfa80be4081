package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/models"
	"examcert/views/pages"
)

// 生成 buttons: the same documents as the direct downloads (tickets_admin.go, PrintAll), made by the job runner
// for 我的下载 instead of while the browser waits. The task's Check refuses, before anything is queued, a plan or
// room outside the caller's scope (404, SECURITY.md 9); the runner checks again when it makes the file.

// noticeQueued is the ?notice= key 我的下载 shows after a request (shellNotices).
const noticeQueued = "queued"

// RequestDocs is 生成… on 考场资料: the registry document doc (room-photos, desk-labels, door-signs, photo-zip) of
// the plan, for one room (room) or all.
func (h *Tickets) RequestDocs(c echo.Context) error {
	task, ok := registryTasks[c.FormValue("doc")]
	if !ok {
		return models.ErrNotFound
	}
	params := map[string]string{"plan": c.FormValue("plan")}
	if room := c.FormValue("room"); room != "" {
		params["room"] = room
	}
	return h.requestDocument(c, task, params)
}

// RequestAll is 生成全部准考证 on 打印准考证: all of the organization's tickets of the plan.
func (h *Tickets) RequestAll(c echo.Context) error {
	return h.requestDocument(c, taskOrganizationTickets, map[string]string{"plan": c.FormValue("plan")})
}

// requestDocument queues the task, then sends a plain form to 我的下载 (303, with the notice) and gives htmx the
// notice with a link there, in place.
func (h *Tickets) requestDocument(c echo.Context, task string, params map[string]string) error {
	to, err := h.RequestDocument(c, task, params)
	if err != nil {
		return err
	}
	if !wantsFragment(c) {
		return c.Redirect(http.StatusSeeOther, to+"?notice="+noticeQueued)
	}
	return h.render(c, http.StatusOK, pages.DocumentQueued(to), pages.DocumentQueued(to))
}
