package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"examcert/handlers/routes"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"examcert/handlers/sessionstore"
	"examcert/models"
	"examcert/views/components"
)

// Names of cookies and of values kept in echo.Context.
const (
	sessionCookie = "examcert_session"
	csrfCookie    = "examcert_csrf"
	ctxSession    = "session"
	ctxAccount    = "account"
	ctxCSRF       = "csrf"
	ctxExpired    = "session_expired"
)

func netipToIPNet(p netip.Prefix) *net.IPNet {
	p = p.Masked()
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// recoverPanic turns a panic into a plain 500 page; the stack goes to the log only, never to the user.
func (a *App) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				a.Log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = echo.NewHTTPError(http.StatusInternalServerError).SetInternal(fmt.Errorf("panic: %v", r))
			}
		}()
		return next(c)
	}
}

// permissionsPolicy turns off the device features no page uses. The 签到 page alone lets itself use the camera
// (checkinPermissionsPolicy), for 用摄像头扫码.
const (
	permissionsPolicy        = "camera=(), microphone=(), geolocation=()"
	checkinPermissionsPolicy = "camera=(self), microphone=(), geolocation=()"
)

// securityHeaders sets the headers of SECURITY.md item 13 on every response. Pages are never cached (they carry
// personal data); files under /static/ are, for a year, because their URLs carry a content hash.
func securityHeaders(tls bool) echo.MiddlewareFunc {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", permissionsPolicy)
			if tls || c.IsTLS() {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			h.Set("Cache-Control", "no-store")
			return next(c)
		}
	}
}

// loadSession finds the signed-in account, if any. A session whose account was deleted or disabled is ended.
func (a *App) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		sess, err := a.Sessions.Get(r, sessionCookie)
		if err != nil {
			a.Log.Warn("session load failed", "request_id", requestID(c), "error", err)
		}
		c.Set(ctxSession, sess)
		if expired, _ := sess.Values[sessionstore.KeyExpired].(bool); expired {
			c.Set(ctxExpired, true)
		}
		if id, ok := sess.Values[sessionstore.KeyAccountID].(int64); ok {
			// The account came with the session row; a session saved in this request has none yet.
			acct, loaded := sess.Values[sessionstore.KeyAccount].(*models.Account)
			err = nil
			if !loaded || acct.ID != id {
				acct, err = models.GetAccount(r.Context(), a.DB, id)
			}
			switch {
			case err == nil && !acct.Disabled:
				c.Set(ctxAccount, acct)
				if err := a.Sessions.Touch(r.Context(), sess); err != nil {
					return err
				}
			case err == nil || errors.Is(err, models.ErrNotFound):
				if err := models.DeleteSession(r.Context(), a.DB, sess.ID); err != nil {
					return err
				}
				c.Set(ctxExpired, true)
			default:
				return err
			}
		}
		return next(c)
	}
}

// checkCSRF refuses any state-changing request whose token (form field _csrf or header X-CSRF-Token; never the
// query string) is not the one of its session, with or without Sec-Fetch-Site. A signed-in session keeps its token
// in its server-side row, so another session's token is worthless and every server process knows it; the
// examcert_csrf cookie only mirrors it for scripts and tools. Before sign-in the token is a random cookie,
// double-submitted: it guards only the sign-in and setup forms, and sign-in replaces it.
func (a *App) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.noCSRF[c.Request().Method+" "+c.Path()] {
			return next(c)
		}
		token, err := a.requestCSRF(c)
		if err != nil {
			return err
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			if err := a.parseBody(c); err != nil {
				return err
			}
			sent = c.Request().PostFormValue("_csrf")
		}
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden, "页面已过期或请求来源无效，请刷新页面后重试")
		}
		return next(c)
	}
}

// keyCSRF is the session value holding a signed-in session's CSRF token.
const keyCSRF = "csrf"

// requestCSRF returns the token this request must carry: the signed-in session's (made and stored now for a
// session that has none yet), or the browser's cookie before sign-in.
func (a *App) requestCSRF(c echo.Context) (string, error) {
	ck, _ := c.Cookie(csrfCookie)
	if currentAccount(c) == nil {
		if ck != nil && len(ck.Value) == 43 {
			c.Set(ctxCSRF, ck.Value)
			return ck.Value, nil
		}
		return a.useCSRF(c, newCSRFToken()), nil
	}
	sess := currentSession(c)
	token, _ := sess.Values[keyCSRF].(string)
	if token == "" {
		token = newCSRFToken()
		sess.Values[keyCSRF] = token
		if err := sess.Save(c.Request(), c.Response()); err != nil {
			return "", err
		}
	}
	if ck == nil || ck.Value != token {
		return a.useCSRF(c, token), nil
	}
	c.Set(ctxCSRF, token)
	return token, nil
}

func newCSRFToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// useCSRF makes token the one views render (and the cookie mirror), returning it.
func (a *App) useCSRF(c echo.Context, token string) string {
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true, Secure: a.Cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode})
	c.Set(ctxCSRF, token)
	return token
}

// setCSRFCookie issues a new token before sign-in (at sign-out, so a token never outlives a session change).
func (a *App) setCSRFCookie(c echo.Context) string { return a.useCSRF(c, newCSRFToken()) }

// requireRoles lets a request through only for a signed-in account with one of roles: signed out → the sign-in
// page (htmx: HX-Redirect), wrong role → 403 and an audit row. An account that must change its password is sent
// to 登录信息维护 first, wherever it was going.
func (a *App) requireRoles(roles []models.Role, passwordRoute bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			acct := currentAccount(c)
			if acct == nil {
				return a.redirectToLogin(c)
			}
			if !slices.Contains(roles, acct.Role) {
				a.audit(c, models.EventAccessDenied, c.Request().Method+" "+c.Path(), "denied", "")
				return echo.NewHTTPError(http.StatusForbidden)
			}
			if !passwordRoute && a.mustChangePassword(acct) {
				return a.redirect(c, reverse(c, routes.AccountPassword))
			}
			return next(c)
		}
	}
}

func (a *App) mustChangePassword(acct *models.Account) bool {
	return acct.MustChangePassword || (acct.Role == models.RoleAdmin && a.Cfg.Password.Expired(acct.PasswordChangedAt, models.Now()))
}

// redirectToLogin sends a signed-out visitor to the sign-in page, saying why when the session ran out.
func (a *App) redirectToLogin(c echo.Context) error {
	q := url.Values{}
	if expired, _ := c.Get(ctxExpired).(bool); expired {
		q.Set("reason", "timeout")
	} else {
		q.Set("reason", "required")
	}
	if c.Request().Method == http.MethodGet && !isHTMX(c) {
		q.Set("next", c.Request().URL.RequestURI())
	}
	return a.redirect(c, reverse(c, routes.AuthLogin)+"?"+q.Encode())
}

// redirect answers 303 to a plain request and HX-Redirect (a whole-page load) to an htmx one.
func (a *App) redirect(c echo.Context, to string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func currentAccount(c echo.Context) *models.Account {
	acct, _ := c.Get(ctxAccount).(*models.Account)
	return acct
}

func currentSession(c echo.Context) *sessions.Session {
	s, _ := c.Get(ctxSession).(*sessions.Session)
	return s
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// withCSRF puts the request's CSRF token, and the address of the 一寸照片 tool, where views read them.
func (a *App) withCSRF(c echo.Context) {
	tok, _ := c.Get(ctxCSRF).(string)
	ctx := components.WithPhotoTool(components.WithCSRF(c.Request().Context(), tok), a.photoToolURL)
	c.SetRequest(c.Request().WithContext(ctx))
}
