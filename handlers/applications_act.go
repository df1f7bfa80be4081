package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/pages"
)

// Messages of the steps on applications.
const (
	msgAppNotNow     = "该申请当前状态不能进行此操作（可能已被他人处理）"
	msgAppChoose     = "请先选择要处理的申请"
	msgAppReason     = "请填写原因"
	msgAppReasonLong = "原因不能超过200字"
	msgAppOwn        = "不能办理本账号提交的申请：确认、受理、审核和决定须由他人办理"
	msgAppConflict   = "所选申请在您打开页面后已被他人处理，整批未作处理：请刷新后再试"
)

// appDecision is what a step's form asks: the step, the applications (one row's, the ticked ones, or all that match
// the filter), the reason, and whether it came from the detail page (answered there).
type appDecision struct {
	action string
	single int64
	ids    []int64
	reason string
	detail bool
}

// readAppStep binds a step's form: "one" (action:id) for a row or the detail page, "all=1" for every application
// matching the filter, else the ticked "ids". Any other field (status=, org_id= …) is not read.
func (h *Applications) readAppStep(c echo.Context, d appDesk, p appParams) (appDecision, error) {
	form, err := c.FormParams()
	if err != nil {
		return appDecision{}, err
	}
	dc := appDecision{action: c.FormValue("action"), detail: c.FormValue("from") == "detail"}
	ids := form["ids"]
	if one := c.FormValue("one"); one != "" {
		var id string
		dc.action, id, _ = strings.Cut(one, ":")
		ids = []string{id}
	} else if c.FormValue("all") == "1" {
		ids = nil
		if dc.ids, err = models.ApplicationIDs(c.Request().Context(), h.DB, actor(c), p.filter(d)); err != nil {
			return dc, err
		}
	}
	for _, s := range ids {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return dc, models.ErrNotFound
		}
		dc.ids = append(dc.ids, n)
	}
	if c.FormValue("one") != "" {
		dc.single = dc.ids[0]
		dc.reason = strings.TrimSpace(c.FormValue("reason_" + ids[0]))
	} else {
		dc.reason = strings.TrimSpace(c.FormValue("bulk_reason"))
	}
	if !d.has(dc.action) || !utf8.ValidString(dc.reason) {
		return dc, echo.NewHTTPError(http.StatusBadRequest, "无效的操作")
	}
	return dc, nil
}

// act runs a row's, the bulk's or the detail page's step.
func (h *Applications) act(c echo.Context, d appDesk) error {
	p, err := readAppParams(c)
	if err != nil {
		return err
	}
	dc, err := h.readAppStep(c, d, p)
	if err != nil {
		return err
	}
	step := appSteps[dc.action]
	var problem string
	switch {
	case len(dc.ids) == 0:
		problem = msgAppChoose
	case step.reason && dc.reason == "":
		problem = msgAppReason
	case utf8.RuneCountInString(dc.reason) > 200:
		problem = msgAppReasonLong
	}
	if problem != "" {
		return h.acted(c, d, p, dc, models.AppActionResult{}, problem)
	}
	if !step.reason {
		dc.reason = "" // a reason goes with 退回修改 and 不予通过 only
	}
	res, err := models.ActOnApplications(c.Request().Context(), h.DB, actor(c), models.AppAction{IDs: dc.ids, To: step.to,
		Reason: dc.reason, Link: func(id int64) string { return reverse(c, routes.ApplicationDetail, strconv.FormatInt(id, 10)) }})
	if problem, err = appProblem(err, step.label); err != nil {
		return err // another's application (404), a role that may not: the central error page
	}
	return h.acted(c, d, p, dc, res, problem)
}

// appProblem says in Chinese why a step was refused; an error it does not know is returned as it is.
func appProblem(err error, label string) (string, error) {
	detail := func(sentinel error) string {
		return strings.TrimPrefix(strings.TrimPrefix(err.Error(), sentinel.Error()), ": ")
	}
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, models.ErrOwnApplication):
		return msgAppOwn + "（" + detail(models.ErrOwnApplication) + "），整批未作处理", nil
	case errors.Is(err, models.ErrReasonRequired):
		return msgAppReason, nil
	case errors.Is(err, models.ErrConflict), errors.Is(err, models.ErrNothingMoved):
		return msgAppConflict, nil
	case errors.Is(err, models.ErrNoTransition) && strings.HasPrefix(detail(models.ErrNoTransition), "申请 "):
		return detail(models.ErrNoTransition) + "当前状态不能" + label + "，整批未作处理", nil
	case errors.Is(err, models.ErrNoTransition):
		return "当前不能" + label + "，整批未作处理", nil
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrNotAllowed):
		return "", err
	case strings.HasPrefix(err.Error(), "申请 "):
		return label + "未完成，整批未作处理：" + effectMessage(err.Error()), nil // a kind's effect refused one
	}
	return "", err
}

// effectMessage is a kind's refusal ("申请 12：<sentinel>：证书 … 不能续期") without the English words of the error
// value it wraps: "申请 12：证书 … 不能续期".
func effectMessage(s string) string {
	head, rest, ok := strings.Cut(s, "：")
	if !ok {
		return s
	}
	if sentinel, msg, ok := strings.Cut(rest, "："); ok && isASCII(sentinel) {
		rest = msg
	}
	return head + "：" + rest
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appMessage is what a step did, with its 批号.
func appMessage(label string, moved int, batch string) string {
	msg := label + "成功，共" + strconv.Itoa(moved) + "条"
	if batchNosValid(batch) {
		msg += "，批号为" + batch
	}
	return msg
}

// batchNosValid says whether batch is one 批号, or several joined by 、 (a step over several kinds of application
// takes one per kind); the banner after a redirect shows nothing else from the query.
func batchNosValid(batch string) bool {
	for _, b := range strings.Split(batch, "、") {
		if !batchNoRE.MatchString(b) {
			return false
		}
	}
	return true
}

// appDoneMessage is the banner after a step made without JavaScript (ok=action&n=moved&batch=…).
func appDoneMessage(c echo.Context) string {
	s, ok := appSteps[c.QueryParam("ok")]
	n, _ := strconv.Atoi(c.QueryParam("n"))
	if !ok || n <= 0 {
		return ""
	}
	return appMessage(s.label, n, c.QueryParam("batch"))
}

// acted answers a step: the detail page (a step taken there), the row (a row's step with htmx), the list (a bulk
// step with htmx), a 303 back to the list (without JavaScript), or the problem beside what caused it.
func (h *Applications) acted(c echo.Context, d appDesk, p appParams, dc appDecision, res models.AppActionResult, problem string) error {
	label := appSteps[dc.action].label
	done := url.Values{"ok": {dc.action}, "n": {strconv.Itoa(len(res.Moved))}, "batch": {res.BatchNo}}
	if dc.detail && dc.single != 0 {
		if problem != "" {
			return h.showDetail(c, dc.single, problem)
		}
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.ApplicationDetail, strconv.FormatInt(dc.single, 10))+"?"+done.Encode())
	}
	if dc.single != 0 {
		row, err := h.loadRow(c, d, p, dc.single)
		if err != nil {
			return err
		}
		if problem != "" && appSteps[dc.action].reason && len(row.Reasons) > 0 {
			row.Asking, row.Reason0 = pages.AppActionView{Action: dc.action, Label: label}, dc.reason
		}
		row.Error = problem
		if problem == "" {
			row.Message = appMessage(label, len(res.Moved), res.BatchNo)
		}
		switch {
		case isHTMX(c):
			return h.render(c, http.StatusOK, pages.AppRowLine(row), nil)
		case row.Asking.Action != "":
			return h.render(c, http.StatusOK, h.reasonPage(c, d, p, row), nil)
		}
	}
	if problem != "" {
		return h.showDesk(c, d, "", problem)
	}
	if isHTMX(c) {
		return h.showDesk(c, d, appMessage(label, len(res.Moved), res.BatchNo), "")
	}
	return c.Redirect(http.StatusSeeOther, h.listURL(c, d, p, done))
}
