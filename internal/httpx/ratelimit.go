package httpx

import (
	"crypto/sha256"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/parley-chat/parley/internal/chat"
)

// LimitOptions configure request rate limits. A zero rate turns that limit
// off.
type LimitOptions struct {
	PerUser float64 // requests per second per credential
	PerIP   float64 // requests per second per client address
	// Burst is how many requests above the rate a client may send at once,
	// as a multiple of the rate (default 2).
	Burst float64
	// TrustForwarded takes the client address from X-Forwarded-For's last
	// hop (set it only behind a proxy that writes that header).
	TrustForwarded bool
}

// ErrorWriter renders an error in the format of the surface a request is
// for.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// Limiter applies LimitOptions. Buckets of idle clients are dropped.
type Limiter struct {
	opt   LimitOptions
	write ErrorWriter

	mu      sync.Mutex // guards buckets and swept
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter returns a limiter that answers refused requests with write.
func NewLimiter(opt LimitOptions, write ErrorWriter) *Limiter {
	if opt.Burst <= 0 {
		opt.Burst = 2
	}
	return &Limiter{opt: opt, write: write, buckets: map[string]*bucket{}, swept: time.Now()}
}

// Wrap limits h: per client address first, then per credential. Refused
// requests get 429 with Retry-After, in the surface's format.
func (l *Limiter) Wrap(h http.Handler) http.Handler {
	if l.opt.PerIP <= 0 && l.opt.PerUser <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait, ok := l.allow(r); !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			l.write(w, r, &chat.Error{Code: chat.RateLimited, Message: "Too many requests; retry after " + strconv.Itoa(max(secs, 1)) + " s."})
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (l *Limiter) allow(r *http.Request) (time.Duration, bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 5*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	if l.opt.PerIP > 0 {
		if d, ok := l.take("ip:"+clientIP(r, l.opt.TrustForwarded), l.opt.PerIP, now); !ok {
			return d, false
		}
	}
	if cred := credential(r); cred != "" && l.opt.PerUser > 0 {
		if d, ok := l.take("cred:"+cred, l.opt.PerUser, now); !ok {
			return d, false
		}
	}
	return 0, true
}

func (l *Limiter) take(key string, perSecond float64, now time.Time) (time.Duration, bool) {
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(perSecond), int(math.Max(1, perSecond*l.opt.Burst)))}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// clientIP returns the request's client address.
func clientIP(r *http.Request, trustForwarded bool) string {
	if trustForwarded {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// credential returns a short digest of whatever credential the request
// carries (bearer token, API key, bot key, session cookie), so that every
// surface's users are limited alike without parsing their formats.
func credential(r *http.Request) string {
	c := r.Header.Get("Authorization")
	if c == "" {
		c = r.Header.Get("X-Api-Key")
	}
	if c == "" {
		q := r.URL.Query()
		c = q.Get("token") + q.Get("apikey")
	}
	if c == "" {
		if ck, err := r.Cookie("token"); err == nil {
			c = ck.Value
		}
	}
	if c == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(c))
	return string(sum[:12])
}
