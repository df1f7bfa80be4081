package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"
	"github.com/uptrace/bun"

	"examcert/handlers/sessionstore"
	"examcert/internal/database"
)

// pageCache keeps the pages of the routes that ask for it (list pages a clerk opens again and again) as rendered,
// for one session each, for as long as nothing they were made from has changed: the same session row, account and
// organization (the session cache's entry), and no write to any table a statement of the render read. SQLite only
// (database.Changes): on PostgreSQL, where other servers write too, every page is rendered.
//
// A page is kept only when the render was a plain 200 page (a.render) that set no cookie and no htmx header; it
// reads no clock and writes nothing, which is what makes a route fit for it.
type pageCache struct {
	changes *database.Changes
	mu      sync.Mutex
	pages   map[string]map[pageKey]*cachedPage // by session id
	size    int                                // bytes kept
	hits    atomic.Int64                       // pages answered from the cache
}

// pageKey is a page of one session.
type pageKey struct {
	uri      string
	fragment bool
}

type cachedPage struct {
	entry *sessionstore.Entry
	deps  database.Versions
	body  []byte
	gz    []byte // body gzipped
}

// maxCachedBytes bounds the pages kept; when it is reached they are all dropped.
const maxCachedBytes = 32 << 20

func newPageCache(db *bun.DB) *pageCache {
	ch := database.ChangesOf(db)
	if ch == nil {
		return nil
	}
	pc := &pageCache{changes: ch, pages: map[string]map[pageKey]*cachedPage{}}
	ch.Watch("sessions", pc.dropSession)
	return pc
}

// dropSession forgets the pages of session id (its row was written: signed out, a new CSRF token, …).
func (pc *pageCache) dropSession(id string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for _, p := range pc.pages[id] {
		pc.size -= p.size()
	}
	delete(pc.pages, id)
}

// get returns the page kept for session at key, or nil.
func (pc *pageCache) get(session string, key pageKey) *cachedPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.pages[session][key]
}

// keep keeps page for session at key, in place of the one kept there; past maxCachedBytes every page is dropped.
func (pc *pageCache) keep(session string, key pageKey, page *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if old := pc.pages[session][key]; old != nil {
		pc.size -= old.size()
	}
	if pc.size+page.size() > maxCachedBytes {
		pc.pages, pc.size = map[string]map[pageKey]*cachedPage{}, 0
	}
	if pc.pages[session] == nil {
		pc.pages[session] = map[pageKey]*cachedPage{}
	}
	pc.pages[session][key], pc.size = page, pc.size+page.size()
}

// cachePage is the route middleware that serves a kept page, or renders one (and keeps it, when it may). Its routes
// are left alone by compressPages: it gzips their pages itself, so a kept page is compressed once, not per answer.
func (a *App) cachePage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		pc := a.pages
		sess := currentSession(c)
		var entry *sessionstore.Entry
		if sess != nil {
			entry = sessionstore.EntryOf(sess)
		}
		if pc == nil || c.Request().Method != http.MethodGet || entry == nil {
			_, err := renderCompressed(c, next)
			return err
		}
		key := pageKey{uri: c.Request().RequestURI, fragment: wantsFragment(c)}
		if p := pc.get(sess.ID, key); p != nil && p.entry == entry && p.deps.Current() {
			pc.hits.Add(1)
			h := c.Response().Header()
			h.Add("Vary", "HX-Request")
			h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
			return p.send(c)
		}
		return pc.render(c, next, sess.ID, key, entry)
	}
}

// send writes the kept page, gzipped when the browser takes it.
func (p *cachedPage) send(c echo.Context) error {
	body, gz := p.body, acceptsGzip(c)
	if gz {
		body = p.gz
	}
	return writeBody(c, c.Response().Writer, http.StatusOK, body, gz)
}

// render runs the handler, noting the tables its statements read, and keeps the page if it may.
func (pc *pageCache) render(c echo.Context, next echo.HandlerFunc, session string, key pageKey, entry *sessionstore.Entry) error {
	ctx, reads := pc.changes.TrackReads(c.Request().Context())
	c.SetRequest(c.Request().WithContext(ctx))
	res := c.Response()
	cookies := len(res.Header().Values("Set-Cookie"))
	out, err := renderCompressed(c, next)
	if err != nil || out == nil || c.Get(ctxRendered) != true ||
		len(res.Header().Values("Set-Cookie")) != cookies || hasHTMXHeader(res.Header()) {
		return err
	}
	page := &cachedPage{entry: entry, deps: reads.Versions(), body: out.body, gz: out.gz}
	if page.gz == nil {
		page.gz = gzipped(page.body)
	}
	pc.keep(session, key, page)
	return nil
}

func (p *cachedPage) size() int { return len(p.body) + len(p.gz) }

// rendered is a response the handler wrote: its body, and that body gzipped if it went out so.
type rendered struct{ body, gz []byte }

// renderCompressed runs the handler into a buffer, then sends what it wrote, gzipped (level 1, as compressPages)
// when the browser takes it and it is worth it. nil: the handler wrote nothing (an error, written by the error
// handler later, uncompressed).
func renderCompressed(c echo.Context, next echo.HandlerFunc) (*rendered, error) {
	res := c.Response()
	capture := &captureWriter{header: res.Writer.Header()}
	real := res.Writer
	res.Writer = capture
	err := next(c)
	res.Writer = real
	if !capture.wrote {
		return nil, err
	}
	out := &rendered{body: capture.buf.Bytes()}
	gz := acceptsGzip(c) && len(out.body) >= 1024 && res.Header().Get(echo.HeaderContentEncoding) == ""
	body := out.body
	if gz {
		out.gz = gzipped(out.body)
		body = out.gz
	}
	if werr := writeBody(c, real, capture.code, body, gz); err == nil {
		err = werr
	}
	return out, err
}

// writeBody sends a response whose headers (but for its length and encoding) are set.
func writeBody(c echo.Context, w http.ResponseWriter, code int, body []byte, gz bool) error {
	h := w.Header()
	h.Add("Vary", echo.HeaderAcceptEncoding)
	if gz {
		h.Set(echo.HeaderContentEncoding, "gzip")
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	if !c.Response().Committed {
		c.Response().Status, c.Response().Committed = code, true
	}
	w.WriteHeader(code)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(body)
	return err
}

func acceptsGzip(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAcceptEncoding), "gzip")
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed); return w }}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(&out)
	_, _ = zw.Write(b)
	_ = zw.Close()
	gzipPool.Put(zw)
	return out.Bytes()
}

// captureWriter keeps what a handler writes, to be sent afterwards.
type captureWriter struct {
	header http.Header
	code   int
	wrote  bool
	buf    bytes.Buffer
}

func (w *captureWriter) Header() http.Header { return w.header }

func (w *captureWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.buf.Write(b)
}

func hasHTMXHeader(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, "Hx-") {
			return true
		}
	}
	return false
}

// ctxRendered marks a response whose body a.render wrote.
const ctxRendered = "rendered"
