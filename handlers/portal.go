package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"examcert/handlers/routes"
	"examcert/internal/portal"
	"examcert/models"
	"examcert/views/pages"
)

// Portal is 通过网上办事大厅登录: examcert as an OpenID Connect relying party of the government portal
// (internal/portal), for practitioners and enterprises. The session it starts is the password path's kind
// (beginSession): same idle and absolute limits, same revocation.
type Portal struct{ *App }

// Session values of a sign-in begun at the portal (used once, at the callback), and of a session begun through it.
const (
	keyPortalState    = "portal_state"
	keyPortalNonce    = "portal_nonce"
	keyPortalVerifier = "portal_verifier"
	keyPortalStarted  = "portal_started" // int64 unix seconds
	keyPortalNext     = "portal_next"
	keyPortalIDToken  = "portal_id_token" // the portal's ID token: id_token_hint at sign-out
)

func portalRoutes(a *App) []route {
	h := &Portal{App: a}
	limit := a.loginRateLimit()
	return []route{
		{method: http.MethodGet, path: "/portal/login", name: routes.PortalLogin, handler: h.Begin, roles: public, mw: []echo.MiddlewareFunc{limit}},
		{method: http.MethodGet, path: "/portal/callback", name: routes.PortalCallback, handler: h.Callback, roles: public, mw: []echo.MiddlewareFunc{limit}},
		// Called by the portal, server to server: no session, no CSRF token; the logout token's signature is the proof.
		{method: http.MethodPost, path: "/portal/backchannel-logout", name: routes.PortalBackChannelLogout, handler: h.BackChannelLogout, roles: public, noCSRF: true,
			mw: []echo.MiddlewareFunc{backChannelRateLimit(h.DB)}},
	}
}

// backChannelRateLimit bounds what one address can make examcert verify and audit through the back-channel
// logout: generous, since the portal ends many sessions from one address at once (10 a second, 200 at once).
func backChannelRateLimit(db bun.IDB) echo.MiddlewareFunc {
	return rateLimit(db, models.RateLimit{Name: "backchannel", Rate: 10, Burst: 200}, func(c echo.Context) error {
		return c.JSON(http.StatusTooManyRequests, map[string]string{"error": "slow_down"})
	})
}

// newPortalRP is the relying party of the settings, nil when no portal is set. Nothing is fetched yet.
func newPortalRP(a *App) *portal.RP {
	p := a.Cfg.Portal
	if !p.Enabled() {
		return nil
	}
	return portal.New(portal.Settings{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		IDNumberClaim: p.IDNumberClaim, CreditCodeClaim: p.CreditCodeClaim, NameClaim: p.NameClaim})
}

// portalOnLogin offers 通过网上办事大厅登录 on the sign-in page when a portal is set.
func (a *App) portalOnLogin(c echo.Context, vm *pages.LoginPage) {
	if a.portal == nil {
		return
	}
	vm.PortalURL = reverse(c, routes.PortalLogin)
	if next := safeNext(c.QueryParam("next")); next != "" {
		vm.PortalURL += "?next=" + url.QueryEscape(next)
	}
	vm.PortalOnly = !a.Cfg.Portal.PasswordFallback
}

// passwordRoles are the roles that may sign in with a password: all, unless a portal is set and the password
// fallback for practitioners and enterprises is turned off.
func (a *App) passwordRoles() []models.Role {
	if a.portal == nil || a.Cfg.Portal.PasswordFallback {
		return nil
	}
	return []models.Role{models.RoleTraining, models.RoleAdmin}
}

// baseURL is where users reach this server: the configured public URL, else the request's own scheme and host.
func (a *App) baseURL(c echo.Context) string {
	if a.Cfg.PublicURL != "" {
		return a.Cfg.PublicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

func (h *Portal) redirectURL(c echo.Context) string {
	return h.baseURL(c) + reverse(c, routes.PortalCallback)
}

// Begin sends the browser to the portal's sign-in with a new state, nonce and PKCE verifier, kept in the
// browser's server-side session for the callback. A portal that cannot be reached is said so on the sign-in page.
func (h *Portal) Begin(c echo.Context) error {
	if h.portal == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if acct := currentAccount(c); acct != nil {
		return c.Redirect(http.StatusSeeOther, h.landing(c, acct))
	}
	p := portal.NewPending(models.Now())
	to, err := h.portal.AuthURL(c.Request().Context(), p, h.redirectURL(c))
	if err != nil {
		return h.failed(c, err)
	}
	sess := currentSession(c)
	sess.Values[keyPortalState], sess.Values[keyPortalNonce] = p.State, p.Nonce
	sess.Values[keyPortalVerifier], sess.Values[keyPortalStarted] = p.Verifier, p.Started.Unix()
	sess.Values[keyPortalNext] = safeNext(c.QueryParam("next"))
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// Callback is where the portal sends the browser back. The pending sign-in is taken out of the session first, so
// a state or code can be used once only; then the portal's answer is checked (internal/portal), and
// models.PortalSignIn finds, links or creates the account. Every failure is audited and shown on the sign-in page.
func (h *Portal) Callback(c echo.Context) error {
	if h.portal == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	sess := currentSession(c)
	str := func(k string) string { s, _ := sess.Values[k].(string); return s }
	started, _ := sess.Values[keyPortalStarted].(int64)
	p := portal.Pending{State: str(keyPortalState), Nonce: str(keyPortalNonce), Verifier: str(keyPortalVerifier),
		Started: time.Unix(started, 0)}
	next := str(keyPortalNext)
	if p.State != "" {
		for _, k := range []string{keyPortalState, keyPortalNonce, keyPortalVerifier, keyPortalStarted, keyPortalNext} {
			delete(sess.Values, k)
		}
		if err := sess.Save(c.Request(), c.Response()); err != nil {
			return err
		}
	}
	id, err := h.portal.Callback(c.Request().Context(), p, c.QueryParams(), h.redirectURL(c), models.Now())
	if err != nil {
		return h.failed(c, err)
	}
	identity := models.PortalIdentity{Issuer: id.Issuer, Subject: id.Subject, SID: id.SID, Name: id.Name,
		IDNumber: id.IDNumber, CreditCode: id.CreditCode}
	out, err := models.PortalSignIn(c.Request().Context(), h.DB, actor(c), identity)
	if err != nil {
		return h.refused(c, err)
	}
	if err := h.beginSession(c, out); err != nil {
		return err
	}
	sess = currentSession(c)
	sess.Values[keyPortalIDToken] = id.IDToken
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	if err := models.RecordPortalSession(c.Request().Context(), h.DB, sess.ID, out.Account.ID, identity); err != nil {
		return err
	}
	if next == "" {
		next = h.landing(c, out.Account)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// failed audits a failure of the portal protocol (the portal down, a wrong state, a bad token …) and shows it.
func (h *Portal) failed(c echo.Context, err error) error {
	var f *portal.Failure
	if !errors.As(err, &f) {
		return err
	}
	h.Log.Warn("portal sign-in failed", "request_id", requestID(c), "reason", f.Reason, "error", f.Err)
	h.audit(c, models.EventLoginFailed, "", "portal_"+f.Reason, "portal")
	status := http.StatusOK
	if f.Reason == "unavailable" {
		status = http.StatusServiceUnavailable
	}
	return (&Auth{App: h.App}).renderLogin(c, status, pages.LoginPage{Error: f.Msg}, false, "")
}

// refused shows why models.PortalSignIn refused an identity (already audited there).
func (h *Portal) refused(c echo.Context, err error) error {
	for _, known := range []error{models.ErrPortalNoIdentity, models.ErrPortalBadIdentity, models.ErrPortalNameMismatch,
		models.ErrPortalAccountTaken, models.ErrPortalDisabled, models.ErrPortalTraining} {
		if errors.Is(err, known) {
			return (&Auth{App: h.App}).renderLogin(c, http.StatusOK, pages.LoginPage{Error: err.Error()}, false, "")
		}
	}
	return err
}

// portalSignOut ends a session begun through the portal at the portal too (RP-initiated logout): a page that
// sends the browser on to the portal's end-session endpoint, which comes back to the sign-in page. When the portal
// is not known (never reached since start) sign-out ends here, as for a password session.
func (a *App) portalSignOut(c echo.Context, idToken string) error {
	back := reverse(c, routes.AuthLogin) + "?reason=signed_out"
	if a.portal == nil {
		return c.Redirect(http.StatusSeeOther, back)
	}
	to := a.portal.EndSessionURL(idToken, a.baseURL(c)+back)
	if to == "" {
		return c.Redirect(http.StatusSeeOther, back)
	}
	return a.render(c, http.StatusOK, pages.PortalSignedOut(to), nil)
}

// BackChannelLogout is the portal telling examcert that a portal session ended (OpenID Connect Back-Channel
// Logout): the logout token is verified (signature, issuer, audience, event, sub/sid) and the sessions begun with
// it are deleted. 200 when done, 400 for a token that does not verify.
func (h *Portal) BackChannelLogout(c echo.Context) error {
	if h.portal == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	lo, err := h.portal.VerifyLogoutToken(c.Request().Context(), c.FormValue("logout_token"), models.Now())
	var f *portal.Failure
	switch {
	case errors.As(err, &f) && f.Reason == "unavailable":
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
	case errors.As(err, &f):
		h.Log.Warn("back-channel logout refused", "request_id", requestID(c), "reason", f.Reason, "error", f.Err)
		h.audit(c, models.EventPortalLogout, "", "refused_"+f.Reason, "")
		return c.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_request"})
	case err != nil:
		return err
	}
	if _, err := models.EndPortalSessions(c.Request().Context(), h.DB, actor(c), lo.Issuer, lo.Subject, lo.SID); err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}
