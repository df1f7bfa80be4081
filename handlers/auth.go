package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"examcert/handlers/routes"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dchest/captcha"
	"github.com/labstack/echo/v4"

	"examcert/handlers/sessionstore"
	"examcert/models"
	"examcert/views/pages"
)

// Auth is sign-in (系统登录), the image captcha and sign-out.
type Auth struct{ *App }

// loginNotices are the messages the sign-in page shows for ?reason=…; only these fixed texts, never user input.
var loginNotices = map[string]string{
	"timeout":    "登录已超时，请重新登录",
	"required":   "请先登录",
	"signed_out": "您已安全退出",
	"setup_done": "管理员账号已创建，请登录",
	"locked":     models.ErrAccountLocked.Error(),
}

// Page shows the sign-in form.
func (h *Auth) Page(c echo.Context) error {
	if acct := currentAccount(c); acct != nil {
		return c.Redirect(http.StatusSeeOther, h.landing(c, acct))
	}
	vm := pages.LoginPage{Notice: loginNotices[c.QueryParam("reason")]}
	return h.renderLogin(c, http.StatusOK, vm, false, "")
}

// renderLogin shows the sign-in form with a captcha, a new one in place of replace when that is given (换一张).
func (h *Auth) renderLogin(c echo.Context, status int, vm pages.LoginPage, required bool, replace string) error {
	vm.Action = reverse(c, routes.AuthSubmit)
	if next := safeNext(c.QueryParam("next")); next != "" {
		vm.Action += "?next=" + url.QueryEscape(next)
	}
	vm.PhotoToolURL = reverse(c, routes.PhotoTool)
	h.portalOnLogin(c, &vm)
	cp, err := h.newCaptcha(c, required, replace)
	if err != nil {
		return err
	}
	cp.Error = vm.CaptchaError
	vm.Captcha = cp
	return h.render(c, status, pages.Login(vm), nil)
}

// Submit is a sign-in attempt: models.SignIn checks it and records its outcome; on success the browser gets a
// new session id. The form's 换一张 button (without JavaScript) posts here too: it only shows the form again with
// the name kept and a new captcha, and counts as no attempt.
func (h *Auth) Submit(c echo.Context) error {
	in := models.Credentials{Login: c.FormValue("username"), Password: c.FormValue("password"),
		CaptchaID: c.FormValue("captcha_id"), CaptchaAnswer: c.FormValue("captcha_answer"),
		PasswordRoles: h.passwordRoles()}
	vm := pages.LoginPage{Username: strings.TrimSpace(in.Login)}
	if c.FormValue("refresh_captcha") != "" {
		return h.formAgain(c, http.StatusOK, vm, in.CaptchaID)
	}
	out, err := models.SignIn(c.Request().Context(), h.DB, actor(c), in)
	switch {
	case errors.Is(err, models.ErrNoCredentials):
		vm.Error = err.Error()
		return h.renderLogin(c, http.StatusOK, vm, false, "")
	case errors.Is(err, models.ErrCaptchaMissing), errors.Is(err, models.ErrCaptchaWrong):
		vm.CaptchaError = err.Error()
		return h.renderLogin(c, http.StatusOK, vm, true, "")
	case errors.Is(err, models.ErrBadCredentials), errors.Is(err, models.ErrAccountLocked), errors.Is(err, models.ErrPasswordSignInOff):
		vm.Error = err.Error()
		return h.renderLogin(c, http.StatusOK, vm, out.NeedCaptcha, "")
	case err != nil:
		return err
	}
	return h.signedIn(c, out)
}

// formAgain shows the sign-in form again with what was typed as the name, asking for the captcha when the rules
// would ask for it on submit.
func (h *Auth) formAgain(c echo.Context, status int, vm pages.LoginPage, replace string) error {
	required, err := models.SignInNeedsCaptcha(c.Request().Context(), h.DB, vm.Username, c.RealIP())
	if err != nil {
		return err
	}
	return h.renderLogin(c, status, vm, required, replace)
}

// msgTooManySignIns is the answer to an address that tries to sign in faster than the rate limit allows.
const msgTooManySignIns = "登录尝试过于频繁，请稍后再试"

// TooManyAttempts is the sign-in form again, with status 429 and the name kept, for an address over the sign-in
// rate limit (loginRateLimit). Nothing is checked; the refusal is audited.
func (h *Auth) TooManyAttempts(c echo.Context) error {
	h.audit(c, models.EventLoginFailed, "", "rate_limited", "")
	vm := pages.LoginPage{Username: strings.TrimSpace(c.FormValue("username")), Error: msgTooManySignIns}
	return h.formAgain(c, http.StatusTooManyRequests, vm, "")
}

// signedIn starts the session of an account that signed in and sends it where it was going.
func (h *Auth) signedIn(c echo.Context, out models.SignInOutcome) error {
	if err := h.beginSession(c, out); err != nil {
		return err
	}
	to := safeNext(c.QueryParam("next"))
	if to == "" {
		to = h.landing(c, out.Account)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// beginSession starts the session of an account that signed in (by password or through the portal).
func (a *App) beginSession(c echo.Context, out models.SignInOutcome) error {
	prevLogin := ""
	if out.PrevLoginAt != nil {
		prevLogin = "上次登录：" + out.PrevLoginAt.In(models.Beijing).Format("2006-01-02 15:04") + "，来自 " + out.PrevLoginIP
	}
	currentSession(c).Values[keyPrevLogin] = prevLogin
	delete(currentSession(c).Values, keyCSRF) // a token known before sign-in is worthless after it
	return a.startSession(c, out.Account)
}

// startSession gives the browser a new session id (the old one, if any, is deleted) with the session's CSRF
// token: the one it had (after a password change made in place with htmx, the page around the form still carries
// it), or a new one at sign-in.
func (a *App) startSession(c echo.Context, acct *models.Account) error {
	sess := currentSession(c)
	prev, _ := sess.Values[keyPrevLogin].(string)
	token, _ := sess.Values[keyCSRF].(string)
	if token == "" {
		token = newCSRFToken()
	}
	if err := a.Sessions.Renew(c.Request().Context(), sess); err != nil {
		return err
	}
	sess.Values[sessionstore.KeyAccountID] = acct.ID
	sess.Values[keyPrevLogin] = prev
	sess.Values[keyCSRF] = token
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	c.Set(ctxAccount, acct)
	a.useCSRF(c, token)
	return nil
}

// Logout ends the session (its row is deleted, so the cookie is worthless even if copied).
func (h *Auth) Logout(c echo.Context) error {
	sess := currentSession(c)
	portalToken, _ := sess.Values[keyPortalIDToken].(string)
	if err := models.SignOut(c.Request().Context(), h.DB, actor(c), sess.ID); err != nil {
		return err
	}
	sess.Options.MaxAge = -1 // the row is gone: this only clears the cookie
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	h.setCSRFCookie(c)
	if portalToken != "" {
		return h.portalSignOut(c, portalToken) // signed in through the portal: sign out there too
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.AuthLogin)+"?reason=signed_out")
}

// keyPrevLogin keeps, for the session's life, when and from where the account last signed in before this one:
// shown on every page so a user notices a sign-in that was not theirs.
const keyPrevLogin = "prev_login"

// captchaLength is the number of digits of the sign-in captcha.
const captchaLength = 4

// newCaptcha makes the captcha of a sign-in form. A new one replacing a live one (换一张) is always new; otherwise
// an address asking too fast is shown its last one again (recentCaptchas), so loading the page cannot fill the
// captchas table.
func (a *App) newCaptcha(c echo.Context, required bool, replace string) (pages.Captcha, error) {
	store := models.CaptchaStore{DB: a.DB}
	id := ""
	if replace == "" || !store.Discard(replace) {
		if last := a.captchas.last(c.RealIP(), models.Now()); last != "" && store.Live(last, time.Minute) {
			id = last
		}
	}
	if id == "" {
		b := make([]byte, 15)
		_, _ = rand.Read(b)
		id = base64.RawURLEncoding.EncodeToString(b)
		store.Set(id, captcha.RandomDigits(captchaLength))
		a.captchas.made(c.RealIP(), id)
	}
	return pages.Captcha{
		ID:        id,
		ImageURL:  reverse(c, routes.AuthCaptchaImage, id),
		ReloadURL: reverse(c, routes.AuthCaptcha) + map[bool]string{true: "?required=1", false: ""}[required],
		Required:  required,
	}, nil
}

// NewCaptcha is 换一张 with JavaScript: a new captcha field in place of the one shown (htmx). Without htmx it is
// the sign-in page (the form's own 换一张 button posts the form instead, to keep the name typed).
func (h *Auth) NewCaptcha(c echo.Context) error {
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, reverse(c, routes.AuthLogin))
	}
	cp, err := h.newCaptcha(c, c.QueryParam("required") == "1", c.QueryParam("captcha_id"))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.CaptchaField(cp), nil)
}

// CaptchaImage draws a captcha as PNG. Reading the image does not use up the answer.
func (h *Auth) CaptchaImage(c echo.Context) error {
	digits := models.CaptchaStore{DB: h.DB}.Get(c.Param("id"), false)
	if digits == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	img := captcha.NewImage(c.Param("id"), digits, 150, 50)
	c.Response().Header().Set(echo.HeaderContentType, "image/png")
	c.Response().WriteHeader(http.StatusOK)
	_, err := img.WriteTo(c.Response())
	return err
}
