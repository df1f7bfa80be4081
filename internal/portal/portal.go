// Package portal makes examcert an OpenID Connect relying party of the 网上办事大厅: the authorization code flow
// with PKCE, state and nonce (github.com/coreos/go-oidc and golang.org/x/oauth2), RP-initiated logout and the
// verification of back-channel logout tokens. Which account a verified identity is belongs to models.PortalSignIn.
package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Settings are what examcert was registered at the portal with, and the names of the claims it reads.
type Settings struct {
	Issuer, ClientID, ClientSecret string
	IDNumberClaim                  string // a person's 身份证号
	CreditCodeClaim                string // a legal person's 统一社会信用代码
	NameClaim                      string // the person's name, or the legal person's name
	Timeout                        time.Duration
}

// Failure is why a portal sign-in failed: the message the sign-in page shows, and the reason the audit row keeps.
type Failure struct {
	Reason string // unavailable, issuer, state, denied, code, nonce, expired, audience, signature, token, claims
	Msg    string
	Err    error // the underlying error, for the log
}

func (f *Failure) Error() string { return f.Msg }
func (f *Failure) Unwrap() error { return f.Err }

// Messages, in Chinese, of the failures.
const (
	MsgUnavailable = "网上办事大厅暂时无法访问，请稍后再试；也可使用账号密码登录"
	MsgMisconfig   = "网上办事大厅登录配置有误（签发方不符），请联系系统管理员；也可使用账号密码登录"
	MsgState       = "登录请求已失效或来源不明，请重新点击【通过网上办事大厅登录】"
	MsgDenied      = "网上办事大厅未完成登录（已取消或被拒绝），请重新登录"
	MsgCode        = "网上办事大厅未能确认本次登录（授权码无效、已使用或已过期），请重新登录"
	MsgToken       = "网上办事大厅返回的身份凭证无效，未能登录，请重新登录"
	MsgExpired     = "网上办事大厅返回的身份凭证已过期，请重新登录"
)

func fail(reason, msg string, err error) error { return &Failure{Reason: reason, Msg: msg, Err: err} }

// PendingTTL is how long a sign-in begun at the portal may take to come back.
const PendingTTL = 10 * time.Minute

// Pending is a sign-in begun at the portal: the state, nonce and PKCE verifier that the callback must match. It is
// kept in the browser's server-side session and used once.
type Pending struct {
	State, Nonce, Verifier string
	Started                time.Time
}

// NewPending makes the random values of a new sign-in.
func NewPending(now time.Time) Pending {
	return Pending{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Started: now}
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Identity is what a verified ID token (and, for claims it lacks, the userinfo endpoint) says.
type Identity struct {
	Issuer, Subject, SID string
	Name                 string
	IDNumber             string
	CreditCode           string
	IDToken              string // the raw token, as id_token_hint at sign-out
}

// RP is the relying party. The portal's discovery document is fetched at the first use, not at start, so a
// portal that is down does not stop examcert; a failed discovery is tried again at the next use.
type RP struct {
	s    Settings
	http *http.Client

	mu         sync.Mutex
	provider   *oidc.Provider
	endSession string
}

// New returns the relying party of the settings.
func New(s Settings) *RP {
	if s.Timeout == 0 {
		s.Timeout = 5 * time.Second
	}
	return &RP{s: s, http: &http.Client{Timeout: s.Timeout}}
}

// Issuer is the portal's issuer URL.
func (r *RP) Issuer() string { return r.s.Issuer }

func (r *RP) ctx(ctx context.Context) context.Context { return oidc.ClientContext(ctx, r.http) }

// discover returns the portal's provider, fetching its discovery document when it is not known yet.
// The lock is not held while fetching: with a portal that does not answer, sign-ins wait side by side for the
// timeout, not one after another.
func (r *RP) discover(ctx context.Context) (*oidc.Provider, error) {
	r.mu.Lock()
	known := r.provider
	r.mu.Unlock()
	if known != nil {
		return known, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.s.Timeout)
	defer cancel()
	p, err := oidc.NewProvider(r.ctx(ctx), r.s.Issuer)
	var mismatch *oidc.IssuerMismatchError
	switch {
	case errors.As(err, &mismatch):
		return nil, fail("issuer", MsgMisconfig, err)
	case err != nil:
		return nil, fail("unavailable", MsgUnavailable, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.provider == nil {
		r.provider, r.endSession = p, extra.EndSession
	}
	return r.provider, nil
}

// reachable checks, before a browser is sent there, that the portal still answers (one small GET of its discovery
// document), so that a portal gone down since it was discovered gets the sign-in page's message rather than a
// browser error.
func (r *RP) reachable(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(r.s.Issuer, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return fail("unavailable", MsgUnavailable, err)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return fail("unavailable", MsgUnavailable, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail("unavailable", MsgUnavailable, errors.New("discovery answered "+resp.Status))
	}
	return nil
}

func (r *RP) oauth(p *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: r.s.ClientID, ClientSecret: r.s.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirectURL, Scopes: []string{oidc.ScopeOpenID, "profile"}}
}

// AuthURL is the portal's sign-in page for a pending sign-in that comes back to redirectURL.
func (r *RP) AuthURL(ctx context.Context, p Pending, redirectURL string) (string, error) {
	prov, err := r.discover(ctx)
	if err != nil {
		return "", err
	}
	if err := r.reachable(ctx); err != nil {
		return "", err
	}
	return r.oauth(prov, redirectURL).AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), nil
}

// Callback checks the portal's answer to a pending sign-in (the query of the redirect), exchanges the code with the
// PKCE verifier, and verifies the ID token: signature, issuer, audience, expiry and nonce. A failure is a *Failure.
func (r *RP) Callback(ctx context.Context, p Pending, query url.Values, redirectURL string, now time.Time) (Identity, error) {
	state := query.Get("state")
	if p.State == "" || state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(p.State)) != 1 ||
		now.Sub(p.Started) > PendingTTL {
		return Identity{}, fail("state", MsgState, errors.New("state missing, wrong or expired"))
	}
	if e := query.Get("error"); e != "" {
		return Identity{}, fail("denied", MsgDenied, errors.New("portal answered "+e))
	}
	prov, err := r.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	ctx, cancel := context.WithTimeout(r.ctx(ctx), 2*r.s.Timeout)
	defer cancel()
	tok, err := r.oauth(prov, redirectURL).Exchange(ctx, query.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Identity{}, fail("code", MsgCode, err)
		}
		return Identity{}, fail("unavailable", MsgUnavailable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fail("token", MsgToken, errors.New("no id_token in the token response"))
	}
	idt, err := prov.VerifierContext(ctx, &oidc.Config{ClientID: r.s.ClientID}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, classify(err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.Nonce)) != 1 {
		return Identity{}, fail("nonce", MsgToken, errors.New("nonce mismatch"))
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fail("token", MsgToken, err)
	}
	id := r.identity(idt, claims)
	id.IDToken = raw
	if id.IDNumber == "" && id.CreditCode == "" || id.Name == "" {
		// The portal may keep these for the userinfo endpoint; its subject must be the token's.
		if info, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil && info.Subject == idt.Subject {
			more := map[string]any{}
			if info.Claims(&more) == nil {
				for k, v := range more {
					if _, ok := claims[k]; !ok {
						claims[k] = v
					}
				}
				id = r.identity(idt, claims)
				id.IDToken = raw
			}
		}
	}
	return id, nil
}

func (r *RP) identity(idt *oidc.IDToken, claims map[string]any) Identity {
	str := func(k string) string {
		s, _ := claims[k].(string)
		return strings.TrimSpace(s)
	}
	return Identity{Issuer: idt.Issuer, Subject: idt.Subject, SID: str("sid"), Name: str(r.s.NameClaim),
		IDNumber: str(r.s.IDNumberClaim), CreditCode: str(r.s.CreditCodeClaim)}
}

// classify says why go-oidc refused a token.
func classify(err error) error {
	var expired *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return fail("expired", MsgExpired, err)
	case strings.Contains(msg, "issued by a different provider"):
		return fail("issuer", MsgToken, err)
	case strings.Contains(msg, "expected audience"):
		return fail("audience", MsgToken, err)
	case strings.Contains(msg, "signature"):
		return fail("signature", MsgToken, err)
	}
	return fail("token", MsgToken, err)
}

// EndSessionURL is the portal's sign-out address for an ID token (RP-initiated logout), coming back to
// postLogout; "" when the portal has no such endpoint or is not known yet (sign-out never waits for the portal).
func (r *RP) EndSessionURL(idToken, postLogout string) string {
	r.mu.Lock()
	end := r.endSession
	r.mu.Unlock()
	if end == "" || idToken == "" {
		return ""
	}
	u, err := url.Parse(end)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("client_id", r.s.ClientID)
	if postLogout != "" {
		q.Set("post_logout_redirect_uri", postLogout)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Logout is what a verified back-channel logout token asks to end: the portal session (sid) or every session of
// the subject.
type Logout struct {
	Issuer, Subject, SID string
}

const backChannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// logoutMaxAge is how old (by its iat) a logout token may be.
const logoutMaxAge = 5 * time.Minute

// VerifyLogoutToken checks a back-channel logout token (OpenID Connect Back-Channel Logout 1.0, 2.6): its
// signature, issuer and audience, its age, the back-channel logout event, a sub or sid, and no nonce.
func (r *RP) VerifyLogoutToken(ctx context.Context, raw string, now time.Time) (Logout, error) {
	prov, err := r.discover(ctx)
	if err != nil {
		return Logout{}, err
	}
	ctx, cancel := context.WithTimeout(r.ctx(ctx), r.s.Timeout)
	defer cancel()
	// A logout token need not carry exp; its age is checked by iat below.
	t, err := prov.VerifierContext(ctx, &oidc.Config{ClientID: r.s.ClientID, SkipExpiryCheck: true}).Verify(ctx, raw)
	if err != nil {
		return Logout{}, classify(err)
	}
	var c struct {
		Sid    string                     `json:"sid"`
		Events map[string]json.RawMessage `json:"events"`
		Nonce  *string                    `json:"nonce"`
	}
	if err := t.Claims(&c); err != nil {
		return Logout{}, fail("token", MsgToken, err)
	}
	switch {
	case c.Events == nil || c.Events[backChannelEvent] == nil:
		return Logout{}, fail("token", MsgToken, errors.New("no back-channel logout event"))
	case c.Nonce != nil:
		return Logout{}, fail("token", MsgToken, errors.New("a logout token must not carry a nonce"))
	case t.Subject == "" && c.Sid == "":
		return Logout{}, fail("token", MsgToken, errors.New("neither sub nor sid"))
	case t.IssuedAt.IsZero() || now.Sub(t.IssuedAt) > logoutMaxAge || t.IssuedAt.Sub(now) > time.Minute:
		return Logout{}, fail("expired", MsgExpired, errors.New("logout token too old or from the future"))
	case !t.Expiry.IsZero() && now.After(t.Expiry):
		return Logout{}, fail("expired", MsgExpired, errors.New("logout token expired"))
	}
	return Logout{Issuer: t.Issuer, Subject: t.Subject, SID: c.Sid}, nil
}
