// Package portaltest runs a real OpenID Connect provider (zitadel/oidc's op package with its example in-memory
// storage and login page) inside a test, standing in for the 网上办事大厅: the handler and browser tests sign in
// through it. It can also spoil the ID tokens it issues (to test the relying party's checks), sign back-channel
// logout tokens with its own key, and go down.
package portaltest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Password is every portal user's password on the provider's login page.
const Password = "portal-pass-1"

// User is someone who can sign in at the portal: a person (IDNumber) or a legal person (CreditCode).
type User struct {
	Username   string // what is typed on the portal's login page; also the subject
	Name       string
	IDNumber   string
	CreditCode string
}

// Provider is the running portal.
type Provider struct {
	Issuer       string
	ClientID     string
	ClientSecret string

	srv     *httptest.Server
	storage *portalStorage

	mu          sync.Mutex
	redirects   []string
	postLogouts []string
	tamper      func(claims map[string]any)
	endSessions int
}

// Start runs a provider on a free loopback port, reached as http://localhost:port (another host name than the
// 127.0.0.1 examcert serves on, so the two keep their cookies apart as two sites do), with the users given. It
// stops when the test ends.
func Start(t testing.TB, users ...User) *Provider {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	p := &Provider{Issuer: fmt.Sprintf("http://localhost:%d", port), ClientID: "examcert", ClientSecret: "examcert-secret"}
	us := &userStore{users: map[string]User{}}
	for _, u := range users {
		us.users[u.Username] = u
	}
	web := storage.WebClient(p.ClientID, p.ClientSecret, "http://unused.invalid/")
	p.storage = &portalStorage{Storage: storage.NewStorageWithClients(us, map[string]*storage.Client{p.ClientID: web}),
		users: us, p: p}
	// The example server logs every request at Info through slog's default logger; tests want only its warnings.
	slog.SetLogLoggerLevel(slog.LevelWarn)
	router := exampleop.SetupServer(p.Issuer, p.storage, nil, false)
	p.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: p.intercept(router)}}
	p.srv.Start()
	t.Cleanup(p.srv.Close)
	return p
}

// Stop takes the provider down: it no longer answers at all.
func (p *Provider) Stop() { p.srv.Close() }

// AllowRedirects registers examcert's callback and post-logout addresses (known once examcert runs).
func (p *Provider) AllowRedirects(base string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirects = append(p.redirects, base+"/portal/callback")
	p.postLogouts = append(p.postLogouts, base+"/login?reason=signed_out")
}

// Tamper changes the claims of every ID token issued from now on (nil: stop); the token is signed again with the
// provider's own key, so only the relying party's claim checks can catch it.
func (p *Provider) Tamper(f func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = f
}

// EndSessions is how many times a browser came to the provider's end-session endpoint (RP-initiated logout).
func (p *Provider) EndSessions() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.endSessions
}

// intercept counts sign-outs and spoils ID tokens in token responses when Tamper asks for it.
func (p *Provider) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/end_session" {
			p.mu.Lock()
			p.endSessions++
			p.mu.Unlock()
		}
		p.mu.Lock()
		tamper := p.tamper
		p.mu.Unlock()
		if r.URL.Path != "/oauth/token" || tamper == nil {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var resp map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(body, &resp) == nil {
			if raw, ok := resp["id_token"].(string); ok {
				claims, err := payload(raw)
				if err == nil {
					tamper(claims)
					if signed, err := p.Sign(claims); err == nil {
						resp["id_token"] = signed
						body, _ = json.Marshal(resp)
					}
				}
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

func payload(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	claims := map[string]any{}
	return claims, json.Unmarshal(b, &claims)
}

// Sign signs claims as a JWT with the provider's own signing key (the one its JWKS publishes).
func (p *Provider) Sign(claims map[string]any) (string, error) {
	return p.sign(claims, "JWT")
}

func (p *Provider) sign(claims map[string]any, typ string) (string, error) {
	key, err := p.storage.SigningKey(context.Background())
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: key.SignatureAlgorithm(),
		Key: jose.JSONWebKey{Key: key.Key(), KeyID: key.ID()}}, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// LogoutToken is a back-channel logout token for the subject (and sid, when not ""), as this provider would send
// it; change may alter its claims first.
func (p *Provider) LogoutToken(subject, sid string, change func(claims map[string]any)) string {
	claims := map[string]any{
		"iss": p.Issuer, "aud": p.ClientID, "iat": time.Now().Unix(), "jti": fmt.Sprint(time.Now().UnixNano()),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	if subject != "" {
		claims["sub"] = subject
	}
	if sid != "" {
		claims["sid"] = sid
	}
	if change != nil {
		change(claims)
	}
	tok, err := p.sign(claims, "logout+jwt")
	if err != nil {
		panic(err) // the provider's own key always signs
	}
	return tok
}

// SID is the portal session id the provider puts into the ID tokens of a user.
func SID(username string) string { return "portal-session-" + username }

// SignIn follows a sign-in at the portal the way a browser would, without one: from the authorization URL through
// the provider's login page (as username) to the redirect back to examcert, whose URL it returns.
func (p *Provider) SignIn(t testing.TB, authURL, username string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := authURL
	for range 10 {
		if strings.HasPrefix(next, "/") {
			next = p.Issuer + next
		}
		if !strings.HasPrefix(next, p.Issuer) {
			return next // back at examcert
		}
		var resp *http.Response
		var err error
		if u, _ := url.Parse(next); u.Path == "/login/username" {
			resp, err = c.PostForm(p.Issuer+"/login/username", url.Values{"id": {u.Query().Get("authRequestID")},
				"username": {username}, "password": {Password}})
		} else {
			resp, err = c.Get(next)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("portal at %s: status %d: %s", next, resp.StatusCode, bytes.TrimSpace(body))
		}
		next = resp.Header.Get("Location")
	}
	t.Fatalf("portal sign-in did not come back to examcert")
	return ""
}

// AddUser lets one more user sign in at the portal.
func (p *Provider) AddUser(u User) {
	p.storage.users.mu.Lock()
	defer p.storage.users.mu.Unlock()
	p.storage.users.users[u.Username] = u
}

// userStore is the portal's users, by username (which is also their id, the token's subject).
type userStore struct {
	mu    sync.Mutex
	users map[string]User
}

func (u *userStore) get(name string) (User, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	x, ok := u.users[name]
	return x, ok
}

func (u *userStore) GetUserByID(id string) *storage.User { return u.GetUserByUsername(id) }

func (u *userStore) GetUserByUsername(name string) *storage.User {
	x, ok := u.get(name)
	if !ok {
		return nil
	}
	return &storage.User{ID: x.Username, Username: x.Username, Password: Password, FirstName: x.Name}
}

func (u *userStore) ExampleClientID() string { return storage.ServiceUserID }

// portalStorage is zitadel's example storage with examcert as its client (redirect addresses registered at run
// time) and the portal's claims: name, ID number or credit code, and a session id.
type portalStorage struct {
	*storage.Storage
	users *userStore
	p     *Provider
}

func (s *portalStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return client{Client: c, p: s.p}, nil
}

func (s *portalStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, token, scopes); err != nil {
		return err
	}
	s.claims(info, token.GetSubject())
	return nil
}

func (s *portalStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	s.claims(info, subject)
	return nil
}

func (s *portalStorage) claims(info *oidc.UserInfo, subject string) {
	u, ok := s.users.get(subject)
	if !ok {
		return
	}
	info.Name = u.Name
	if u.IDNumber != "" {
		info.AppendClaims("id_number", u.IDNumber)
	}
	if u.CreditCode != "" {
		info.AppendClaims("credit_code", u.CreditCode)
	}
	info.AppendClaims("sid", SID(u.Username))
}

// client is examcert as the provider's client: its addresses are the ones registered with AllowRedirects, and its
// ID tokens carry the profile claims.
type client struct {
	op.Client
	p *Provider
}

func (c client) RedirectURIs() []string {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return append([]string(nil), c.p.redirects...)
}

func (c client) PostLogoutRedirectURIs() []string {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	return append([]string(nil), c.p.postLogouts...)
}

func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
