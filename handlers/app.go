// Package handlers turns HTTP requests into calls on models and renders the answers with views. New builds the
// whole Echo server: middleware, the route table (routes.go) and the error page.
package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/uptrace/bun"

	"examcert/handlers/routes"
	"examcert/handlers/sessionstore"
	"examcert/internal/blobstore"
	"examcert/internal/config"
	"examcert/internal/jobs"
	"examcert/internal/national"
	"examcert/internal/portal"
	"examcert/internal/printout"
)

// App is what every handler needs: the database, the settings, the session store and the logger.
type App struct {
	DB       *bun.DB
	Cfg      config.Config
	Sessions *sessionstore.Store
	Log      *slog.Logger
	Version  string
	Echo     *echo.Echo
	Blobs    blobstore.Store
	// National is the national platform 证书进京 takes released certificates from; nil when --national-url is empty.
	National national.Platform

	wip          map[routes.Name]bool // routes that still show 建设中 (for the menu)
	photoToolURL string               // the 一寸照片 tool, linked beside every photo field (resolved once from the route table)
	bodyRules    map[string]*bodyRule // "METHOD /path" → its body limit, for routes that take more than defaultBodyLimit
	noCSRF       map[string]bool      // "METHOD /path" of the routes called server to server (route.noCSRF)
	portal       *portal.RP           // the 网上办事大厅 sign-in; nil when no portal is set

	captchas recentCaptchas // the sign-in page's captchas, per client address

	printOnce     sync.Once
	printRenderer *printout.Renderer
	printErr      error
	printSlots    chan struct{} // 打印报名表s running at once (see Batch.PrintAll)
	// PrintChunk is how many 报名表 one PDF of 打印报名表 holds (0: defaultPrintChunk).
	PrintChunk int

	pages          *pageCache      // SQLite: the pages kept (pagecache.go); nil on PostgreSQL
	selfCompressed map[string]bool // "GET /staff": routes whose pages cachePage gzips, not compressPages

	jobsOnce  sync.Once
	jobsQueue *jobs.Queue // see (*App).Jobs
	jobsErr   error
}

// New builds the Echo server with every route; the App it returns serves HTTP. Stored files (photos) live in
// blobs.
func New(db *bun.DB, blobs blobstore.Store, cfg config.Config, log *slog.Logger, version string) *App {
	a := &App{
		Blobs:    blobs,
		National: national.New(cfg.NationalURL),
		DB:       db,
		Cfg:      cfg,
		Sessions: sessionstore.New(db, cfg.SecureCookies, cfg.IdleTimeout, cfg.MaxSessionAge),
		Log:      log,
		Version:  version,

		printSlots: make(chan struct{}, printSlotCount),
	}
	a.portal = newPortalRP(a)
	a.pages = newPageCache(db)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = realIP(cfg.TrustedProxies)
	e.HTTPErrorHandler = a.handleError
	e.Use(
		a.assignRequestID,
		a.recoverPanic,
		a.compressPages(),
		a.logRequests(),
		securityHeaders(cfg.SecureCookies),
		a.limitBody,
		refuseBadQuery,
		a.loadSession,
		a.checkCSRF,
	)
	a.register(e)
	a.Echo = e
	return a
}

// ServeHTTP serves a request with the Echo router.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.Echo.ServeHTTP(w, r) }

// defaultBodyLimit caps every request body; routes that take uploads set their own (route.bodyLimit).
const defaultBodyLimit = 1 << 20

// limitBody applies the matched route's body limit (Echo runs e.Use middleware after routing, so the route is
// known), answers 413 for a larger body, and removes any multipart temporary files when the request is done.
func (a *App) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > a.bodyRule(c).limit {
			return a.bodyTooLarge(c)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, a.bodyRule(c).limit)
		defer func() {
			if r.MultipartForm != nil {
				_ = r.MultipartForm.RemoveAll()
			}
		}()
		return next(c)
	}
}

var defaultBody = &bodyRule{limit: defaultBodyLimit}

func (a *App) bodyRule(c echo.Context) *bodyRule {
	if r, ok := a.bodyRules[c.Request().Method+" "+c.Path()]; ok {
		return r
	}
	return defaultBody
}

// bodyTooLarge is the 413 for a body over the route's limit, with the route's own message.
func (a *App) bodyTooLarge(c echo.Context) error {
	if msg := a.bodyRule(c).tooLarge; msg != "" {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, msg)
	}
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
}

// parseBody reads a form body once (urlencoded or multipart, at most 1,000 parts as Go allows) and says why it
// could not: a body over the limit, chunked or not, or too many parts, is 413 with the route's message.
func (a *App) parseBody(c echo.Context) error {
	r := c.Request()
	var err error
	if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		err = r.ParseMultipartForm(32 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return a.bodyTooLarge(c)
	case errors.Is(err, multipart.ErrMessageTooLarge):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "一次提交的文件或字段过多（最多1000个），请分批提交")
	}
	return echo.NewHTTPError(http.StatusBadRequest, "提交的内容无法识别，请刷新页面后重试")
}

// realIP believes X-Forwarded-For only from the configured proxies, so nobody can pick their own address
// (and dodge a rate limit or forge the audit log) by sending the header.
func realIP(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(netipToIPNet(p)))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

func (a *App) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRemoteIP: true, LogRequestID: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case v.Status >= 400:
				level = slog.LevelWarn
			}
			if strings.HasPrefix(v.URIPath, "/static/") || v.URIPath == "/healthz" {
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency.Round(time.Microsecond)), slog.String("ip", v.RemoteIP),
				slog.String("request_id", v.RequestID),
			}
			if acct := currentAccount(c); acct != nil {
				attrs = append(attrs, slog.Int64("account_id", acct.ID))
			}
			if v.Error != nil && v.Status >= 500 {
				attrs = append(attrs, slog.String("error", v.Error.Error()))
			}
			a.Log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// compressPages gzips pages and fragments (static files come precompressed, downloads are compressed already or
// not worth it): a list page of 40 KB goes out as about 6 KB. Level 1 (BestSpeed): the 企业人员信息 page of 22 KB
// takes 95 µs to 3.5 KB where level 5 took 170–200 µs to 3.2 KB, a fifth of the page's CPU. Routes whose pages
// are kept (route.cache) gzip them in cachePage instead, once per kept page.
func (a *App) compressPages() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     1,
		MinLength: 1024,
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return a.selfCompressed[c.Request().Method+" "+c.Path()] ||
				strings.HasPrefix(p, "/static/") || strings.HasSuffix(p, "/pdf") || strings.HasSuffix(p, "/docx") ||
				strings.HasSuffix(p, "/photo") || strings.HasPrefix(p, "/photo-tool") || strings.Contains(p, "/batch/")
		},
	})
}

// assignRequestID gives every request an id of the server's own (in the X-Request-Id response header, the logs and
// the audit rows). A proxy's X-Request-Id is believed only from a configured trusted proxy, and only when it is a
// short token: a client cannot put text of its choosing into the audit log.
func (a *App) assignRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rid := ""
		if a.fromTrustedProxy(c.Request()) {
			if v := c.Request().Header.Get(echo.HeaderXRequestID); requestIDPattern.MatchString(v) {
				rid = v
			}
		}
		if rid == "" {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			rid = hex.EncodeToString(b)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, rid)
		return next(c)
	}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// fromTrustedProxy says whether the request's direct peer is one of the configured reverse proxies.
func (a *App) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	for _, p := range a.Cfg.TrustedProxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// refuseBadQuery answers 400 with a Chinese message for a query string holding a NUL byte or text that is not
// UTF-8: no search box has a use for either, and they would otherwise reach the database as an SQL error.
func refuseBadQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, vs := range c.QueryParams() {
			for _, v := range vs {
				if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
					return echo.NewHTTPError(http.StatusBadRequest, "查询条件含有无效字符，请重新输入")
				}
			}
		}
		return next(c)
	}
}
