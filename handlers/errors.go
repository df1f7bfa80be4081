package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"examcert/models"
	"examcert/views/pages"
)

// statusMessages are the plain Chinese messages a user sees for each status code.
var statusMessages = map[int]string{
	http.StatusBadRequest:            "请求无效，请检查后重试",
	http.StatusForbidden:             "您没有权限使用该功能",
	http.StatusNotFound:              "页面不存在，或您无权查看该记录",
	http.StatusMethodNotAllowed:      "不支持该操作",
	http.StatusRequestEntityTooLarge: "提交的内容过大",
	http.StatusTooManyRequests:       "操作过于频繁，请稍后再试",
	http.StatusInternalServerError:   "系统出现错误，请稍后再试",
	http.StatusServiceUnavailable:    "系统暂时无法提供服务，请稍后再试",
}

// handleError is Echo's one error handler: domain errors map to status codes here, 5xx are logged as errors with
// the request id and 4xx as warnings, and the user sees a plain Chinese message, never a stack trace.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, ""
	var he *echo.HTTPError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		code = http.StatusRequestEntityTooLarge
	case errors.As(err, &he):
		code = he.Code
		if s, ok := he.Message.(string); ok && s != http.StatusText(code) {
			msg = s
		}
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrOutOfScope):
		code = http.StatusNotFound
	case errors.Is(err, models.ErrConflict), errors.Is(err, models.ErrNothingMoved):
		code, msg = http.StatusConflict, "该记录已被他人修改，请刷新后重试"
	case errors.Is(err, models.ErrNotAllowed), errors.Is(err, models.ErrNoTransition):
		code = http.StatusForbidden
	}
	if msg == "" {
		msg = statusMessages[code]
		if msg == "" {
			msg = statusMessages[http.StatusInternalServerError]
		}
	}
	if code >= 500 {
		a.Log.Error("request failed", "request_id", requestID(c), "status", code, "error", err)
	} else {
		a.Log.Warn("request refused", "request_id", requestID(c), "status", code, "error", err)
	}
	info := pages.ErrorInfo{Status: code, Title: "无法完成请求", Message: msg, RequestID: requestID(c), BackURL: "/"}
	if isHTMX(c) {
		// The message goes to the page's message area, whatever the request meant to update.
		c.Response().Header().Set("HX-Retarget", "#messages")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		err = a.render(c, code, pages.ErrorAlert(info), nil)
	} else {
		err = a.render(c, code, pages.ErrorPage(info), nil)
	}
	if err != nil {
		a.Log.Error("error page failed", "request_id", requestID(c), "error", err)
	}
}
