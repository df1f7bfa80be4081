package handlers

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// recentCaptchas keeps the sign-in page from being a way to fill the captchas table: each client address may
// have a few new captchas at once and one every 10 seconds after that; past that rate the page shows the
// address's last captcha again, as long as it is still unused (SECURITY.md 2: the address is the real one).
// It is kept per process on purpose: the captchas themselves are database rows, so a captcha one server shows (new
// or again) is answered on any; N servers behind a load balancer only let an address have N times as many new ones.
type recentCaptchas struct {
	mu     sync.Mutex
	byAddr map[string]*recentCaptcha
}

type recentCaptcha struct {
	id   string
	lim  *rate.Limiter
	seen time.Time
}

const (
	captchaBurst      = 10
	captchaEvery      = 10 * time.Second
	recentCaptchasMax = 10000 // addresses remembered before old ones are forgotten
)

// last returns the captcha last made for addr when addr is asking for new ones too fast ("" when it may have a
// new one).
func (r *recentCaptchas) last(addr string, now time.Time) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byAddr == nil {
		r.byAddr = map[string]*recentCaptcha{}
	}
	rc := r.byAddr[addr]
	if rc == nil {
		if len(r.byAddr) >= recentCaptchasMax {
			for k, v := range r.byAddr {
				if now.Sub(v.seen) > 10*time.Minute {
					delete(r.byAddr, k)
				}
			}
		}
		rc = &recentCaptcha{lim: rate.NewLimiter(rate.Every(captchaEvery), captchaBurst)}
		r.byAddr[addr] = rc
	}
	rc.seen = now
	if rc.lim.AllowN(now, 1) {
		return ""
	}
	return rc.id
}

// made records id as the captcha last made for addr.
func (r *recentCaptchas) made(addr, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rc := r.byAddr[addr]; rc != nil {
		rc.id = id
	}
}
