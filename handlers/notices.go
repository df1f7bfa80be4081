package handlers

import (
	"maps"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/riverqueue/river/rivertype"

	"examcert/handlers/routes"
	"examcert/internal/jobs"
	"examcert/models"
	"examcert/views/pages"
)

// Notices is 消息 (every signed-in role), 通知设置, 我的下载, and the admin's 后台任务.
type Notices struct{ *App }

func noticesRoutes(a *App) []route {
	h := &Notices{App: a}
	return []route{
		{method: http.MethodGet, path: "/messages", name: routes.MessagesPage, handler: h.Messages, roles: anyone},
		{method: http.MethodPost, path: "/messages/read-all", name: routes.MessagesReadAll, handler: h.ReadAll, roles: anyone},
		{method: http.MethodGet, path: "/messages/:id", name: routes.MessageOpen, handler: h.Open, roles: anyone},
		{method: http.MethodPost, path: "/messages/:id/read", name: routes.MessageRead, handler: h.Read, roles: anyone},
		{method: http.MethodGet, path: "/account/contact", name: routes.AccountContact, handler: h.ContactPage, roles: anyone},
		{method: http.MethodPost, path: "/account/contact", name: routes.AccountContactSave, handler: h.SaveContact, roles: anyone},
		{method: http.MethodGet, path: "/downloads", name: routes.DownloadsPage, handler: h.Downloads, roles: anyone},
		{method: http.MethodGet, path: "/downloads/:id/file", name: routes.DownloadFile, handler: h.File, roles: anyone},
		{method: http.MethodGet, path: "/admin/jobs", name: routes.AdminJobs, handler: h.Jobs, roles: admin},
		{method: http.MethodPost, path: "/admin/jobs/:id/retry", name: routes.AdminJobRetry, handler: h.Retry, roles: admin},
		{method: http.MethodPost, path: "/admin/outbox/:id/resend", name: routes.AdminOutboxResend, handler: h.Resend, roles: admin},
	}
}

// Jobs is the job queue of this server: an insert-only river client (see jobs.Queue), made on first use.
func (a *App) Jobs() (*jobs.Queue, error) {
	a.jobsOnce.Do(func() { a.jobsQueue, a.jobsErr = jobs.NewQueue(a.DB) })
	return a.jobsQueue, a.jobsErr
}

// RequestDocument queues the registered models.DocumentTask named task for the signed-in account, with params,
// and returns the address of 我的下载, where it appears (排队中, 生成中, 已完成 or 失败). A handler that offers a
// large document calls it and redirects there (303), or tells htmx to go there.
func (a *App) RequestDocument(c echo.Context, task string, params map[string]string) (string, error) {
	q, err := a.Jobs()
	if err != nil {
		return "", err
	}
	if _, err := q.RequestDocument(c.Request().Context(), actor(c), task, params); err != nil {
		return "", err
	}
	return reverse(c, routes.DownloadsPage), nil
}

// unreadCount is the header's count of unread messages (0 if it cannot be had: the header never fails a page).
func (a *App) unreadCount(c echo.Context, acct *models.Account) int {
	if acct == nil || acct.ID == 0 {
		return 0
	}
	n, err := models.UnreadMessages(c.Request().Context(), a.DB, acct.ID)
	if err != nil {
		a.Log.Warn("unread count", "error", err)
	}
	return n
}

const messagesPerPage = 20

// Messages is 消息: the account's messages, newest first, paged.
func (h *Notices) Messages(c echo.Context) error {
	return h.renderMessages(c, false)
}

func (h *Notices) renderMessages(c echo.Context, oob bool) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	if p, _ := strconv.Atoi(c.FormValue("page")); p > 0 && c.Request().Method == http.MethodPost {
		page = p
	}
	page = max(page, 1)
	ctx := c.Request().Context()
	msgs, total, err := models.ListMessages(ctx, h.DB, actor(c), (page-1)*messagesPerPage, messagesPerPage)
	if err != nil {
		return err
	}
	s := h.shell(c, "消息", routes.MessagesPage)
	l := pages.MessageList{Shell: s, Page: page, Unread: s.Unread, ReadAllURL: reverse(c, routes.MessagesReadAll),
		ContactURL: reverse(c, routes.AccountContact), OOB: oob}
	for _, m := range msgs {
		id := strconv.FormatInt(m.ID, 10)
		l.Rows = append(l.Rows, pages.MessageRow{ID: m.ID, Title: m.Title, Body: m.Body, Unread: m.ReadAt == nil,
			Time:    m.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"),
			OpenURL: reverse(c, routes.MessageOpen, id), ReadURL: reverse(c, routes.MessageRead, id)})
	}
	l.Pager = pager(reverse(c, routes.MessagesPage), total, page, messagesPerPage, url.Values{})
	return h.render(c, http.StatusOK, pages.MessagesPage(l), pages.MessagesPanel(l))
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// Open marks a message read and goes to the page it is about (the list itself when it is about none).
func (h *Notices) Open(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	m, err := models.MarkMessageRead(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return err
	}
	to := safeNext(m.Link)
	if to == "" {
		to = reverse(c, routes.MessagesPage)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// Read is 标为已读 on one message: in place with htmx (the header's count too), a 303 back to the page without.
func (h *Notices) Read(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if _, err := models.MarkMessageRead(c.Request().Context(), h.DB, actor(c), id); err != nil {
		return err
	}
	return h.afterRead(c)
}

// ReadAll is 全部标为已读.
func (h *Notices) ReadAll(c echo.Context) error {
	if _, err := models.MarkAllMessagesRead(c.Request().Context(), h.DB, actor(c)); err != nil {
		return err
	}
	return h.afterRead(c)
}

func (h *Notices) afterRead(c echo.Context) error {
	if !isHTMX(c) {
		to := reverse(c, routes.MessagesPage)
		if p, _ := strconv.Atoi(c.FormValue("page")); p > 1 {
			to += "?page=" + strconv.Itoa(p)
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
	return h.renderMessages(c, true)
}

func (h *Notices) contactForm(c echo.Context) pages.ContactForm {
	acct := currentAccount(c)
	return pages.ContactForm{Action: reverse(c, routes.AccountContactSave), Email: acct.Email, Mobile: acct.Mobile}
}

func (h *Notices) renderContact(c echo.Context, f pages.ContactForm) error {
	return h.render(c, http.StatusOK, pages.ContactPage(h.shell(c, "通知设置", routes.AccountContact), f), pages.ContactPanel(f))
}

// ContactPage is 通知设置.
func (h *Notices) ContactPage(c echo.Context) error {
	f := h.contactForm(c)
	if c.QueryParam("ok") == "1" {
		f.Success = "已保存"
	}
	return h.renderContact(c, f)
}

// SaveContact saves the account's email and mobile; what is wrong is said beside the field.
func (h *Notices) SaveContact(c echo.Context) error {
	f := h.contactForm(c)
	in := models.ContactSettings{Email: c.FormValue("email"), Mobile: c.FormValue("mobile")}
	saved, err := models.UpdateContact(c.Request().Context(), h.DB, actor(c), in)
	f.Email, f.Mobile = in.Email, in.Mobile
	if show, err := formOutcome(err, &f.FormState, "", nil); show || err != nil {
		return orRender(err, func() error { return h.renderContact(c, f) })
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.AccountContact)+"?ok=1")
	}
	f.Email, f.Mobile, f.Success = saved.Email, saved.Mobile, "已保存"
	return h.renderContact(c, f)
}

const downloadsPerPage = 20

// Downloads is 我的下载: the account's own requested documents, newest first.
func (h *Notices) Downloads(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	ds, total, err := models.ListDownloads(c.Request().Context(), h.DB, actor(c), (page-1)*downloadsPerPage, downloadsPerPage)
	if err != nil {
		return err
	}
	base := reverse(c, routes.DownloadsPage)
	l := pages.DownloadList{Shell: h.shell(c, "我的下载", routes.DownloadsPage), URL: base}
	for _, d := range ds {
		r := pages.DownloadRow{Label: d.Label, Status: models.DownloadStatusLabel(d.Status), Error: d.Error,
			Created: d.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04")}
		if d.FinishedAt != nil {
			r.Finished = d.FinishedAt.In(models.Beijing).Format("2006-01-02 15:04")
		}
		switch d.Status {
		case models.DownloadDone:
			r.FileURL, r.Filename, r.Size = reverse(c, routes.DownloadFile, strconv.FormatInt(d.ID, 10)), d.Filename, sizeText(d.Size)
		case models.DownloadQueued, models.DownloadRunning:
			l.Pending = true
		}
		l.Rows = append(l.Rows, r)
	}
	if page > 1 {
		base += "?page=" + strconv.Itoa(page)
		l.URL = base
	}
	l.Pager = pager(reverse(c, routes.DownloadsPage), total, page, downloadsPerPage, url.Values{})
	return h.render(c, http.StatusOK, pages.DownloadsPage(l), pages.DownloadsPanel(l))
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// File sends a made document to the account that asked for it; to anyone else it does not exist (404).
func (h *Notices) File(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	d, err := models.GetDownload(ctx, h.DB, actor(c), id)
	if err != nil {
		return err
	}
	if d.Status != models.DownloadDone {
		return models.ErrNotFound
	}
	ctype := mime.TypeByExtension(path.Ext(d.Filename))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return h.serveBlob(c, d.BlobKey, ctype, attachmentDisposition(asciiFilename(d.Filename, id), d.Filename)) // streamed from the store
}

// asciiFilename is the plain-ASCII fallback name of a download: its extension, after "download-<id>".
func asciiFilename(name string, id int64) string {
	ext := path.Ext(name)
	if strings.ContainsFunc(ext, func(r rune) bool { return r > 0x7e || r < 0x21 || r == '"' || r == '\\' }) {
		ext = ""
	}
	return "download-" + strconv.FormatInt(id, 10) + ext
}

const jobsPerPage = 50

// outboxStates are the outbox tabs of 后台任务.
var outboxStates = []struct{ status, label string }{
	{models.OutboxPending, "待发送"}, {models.OutboxFailed, "发送失败"}, {models.OutboxSent, "已发送"},
}

func outboxLabel(status string) string {
	for _, s := range outboxStates {
		if s.status == status {
			return s.label
		}
	}
	return status
}

// Jobs is 后台任务: jobs in one state (失败 when none is chosen), newest first, and the outbox in one status
// (待发送 when none is chosen).
func (h *Notices) Jobs(c echo.Context) error {
	return h.renderJobs(c, "")
}

// jobsView is what 后台任务 shows: the job state and outbox status chosen, and the pages of each.
type jobsView struct {
	state   rivertype.JobState
	ostatus string
	after   int64 // jobs older than this id (the next page)
	opage   int
}

// back is the query that brings an action back to the same view.
func (v jobsView) back() string {
	return url.Values{"state": {string(v.state)}, "outbox": {v.ostatus}}.Encode()
}

func readJobsView(c echo.Context) jobsView {
	v := jobsView{state: rivertype.JobState(c.QueryParam("state")), ostatus: c.QueryParam("outbox")}
	if !knownState(v.state) {
		v.state = rivertype.JobStateDiscarded
	}
	if outboxLabel(v.ostatus) == v.ostatus {
		v.ostatus = models.OutboxPending
	}
	v.after, _ = strconv.ParseInt(c.QueryParam("after"), 10, 64)
	v.opage, _ = strconv.Atoi(c.QueryParam("opage"))
	v.opage = max(v.opage, 1)
	return v
}

func (h *Notices) renderJobs(c echo.Context, notice string) error {
	ctx := c.Request().Context()
	q, err := h.App.Jobs()
	if err != nil {
		return err
	}
	v, base := readJobsView(c), reverse(c, routes.AdminJobs)
	link := func(st rivertype.JobState, ob string, extra url.Values) string {
		q := url.Values{"state": {string(st)}, "outbox": {ob}}
		maps.Copy(q, extra)
		return base + "?" + q.Encode()
	}
	l := pages.AdminJobList{Shell: h.shell(c, "后台任务", routes.AdminJobs), Notice: notice}
	for _, s := range jobs.JobStates {
		l.StateTabs = append(l.StateTabs, pages.Tab{Label: s.Label, URL: link(s.State, v.ostatus, nil), Active: s.State == v.state})
	}
	for _, s := range outboxStates {
		l.OutboxTabs = append(l.OutboxTabs, pages.Tab{Label: s.label, URL: link(v.state, s.status, nil), Active: s.status == v.ostatus})
	}
	list, next, err := q.ListJobs(ctx, actor(c), v.state, v.after, jobsPerPage)
	if err != nil {
		return err
	}
	l.Jobs = jobRows(c, list, v)
	if next > 0 {
		l.JobsNextURL = link(v.state, v.ostatus, url.Values{"after": {strconv.FormatInt(next, 10)}})
	}
	items, total, err := models.ListOutbox(ctx, h.DB, actor(c), models.OutboxFilter{Status: v.ostatus,
		Offset: (v.opage - 1) * jobsPerPage, Limit: jobsPerPage})
	if err != nil {
		return err
	}
	l.Outbox = outboxRows(c, items, v)
	l.OutboxPager = pager(base, total, v.opage, jobsPerPage, url.Values{"state": {string(v.state)}, "outbox": {v.ostatus}})
	return h.render(c, http.StatusOK, pages.AdminJobsPage(l), pages.AdminJobsPanel(l))
}

func jobRows(c echo.Context, list []jobs.Job, v jobsView) []pages.JobRow {
	var out []pages.JobRow
	for _, j := range list {
		r := pages.JobRow{ID: strconv.FormatInt(j.ID, 10), Kind: j.Kind, State: jobs.StateLabel(j.State),
			Attempts: strconv.Itoa(j.Attempt) + "/" + strconv.Itoa(j.MaxAttempts), Error: j.Error, Output: j.Output,
			Created: j.CreatedAt.In(models.Beijing).Format("01-02 15:04:05"), Scheduled: j.ScheduledAt.In(models.Beijing).Format("01-02 15:04:05")}
		if j.FinalizedAt != nil {
			r.Finished = j.FinalizedAt.In(models.Beijing).Format("01-02 15:04:05")
		}
		if j.Retryable() {
			r.RetryURL = reverse(c, routes.AdminJobRetry, r.ID) + "?" + v.back()
		}
		out = append(out, r)
	}
	return out
}

func outboxRows(c echo.Context, items []models.OutboxItem, v jobsView) []pages.OutboxRow {
	var out []pages.OutboxRow
	for _, o := range items {
		r := pages.OutboxRow{ID: strconv.FormatInt(o.ID, 10), Channel: map[string]string{"email": "邮件", "sms": "短信"}[o.Channel],
			Recipient: o.Recipient, Subject: o.Subject, Status: outboxLabel(o.Status), Attempts: strconv.Itoa(o.Attempts),
			Error: o.LastError}
		if o.Subject == "" {
			r.Subject = o.Body
		}
		if o.Status == models.OutboxPending {
			r.Next = o.NextAttemptAt.In(models.Beijing).Format("01-02 15:04:05")
		}
		if o.Status != models.OutboxSent {
			r.ResendURL = reverse(c, routes.AdminOutboxResend, r.ID) + "?" + v.back()
		}
		out = append(out, r)
	}
	return out
}

func knownState(s rivertype.JobState) bool {
	for _, x := range jobs.JobStates {
		if x.State == s {
			return true
		}
	}
	return false
}

// Retry is 重试 of a failed, cancelled or retryable job.
func (h *Notices) Retry(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	q, err := h.App.Jobs()
	if err != nil {
		return err
	}
	if err := q.RetryJob(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return h.afterAdminAction(c, "任务 "+c.Param("id")+" 已重新排队")
}

// Resend is 重发 of an email or SMS not sent.
func (h *Notices) Resend(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := models.ResendOutbox(c.Request().Context(), h.DB, actor(c), id); err != nil {
		return err
	}
	return h.afterAdminAction(c, "已重新排队发送")
}

// afterAdminAction shows 后台任务 again on the tabs the admin was on: in place with htmx, a 303 without.
func (h *Notices) afterAdminAction(c echo.Context, notice string) error {
	v := url.Values{"state": {c.QueryParam("state")}, "outbox": {c.QueryParam("outbox")}}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.AdminJobs)+"?"+v.Encode())
	}
	return h.renderJobs(c, notice)
}
