package flow

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/kycd/kycd/tools"
)

// parseOrigins validates the embedding allow-list: each entry a bare origin
// (scheme://host[:port]), which is what frame-ancestors and postMessage compare.
func parseOrigins(list []string) ([]string, error) {
	var out []string
	for _, o := range list {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		n, err := tools.NormalizeOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("frame ancestor: %w", err)
		}
		out = append(out, n)
	}
	return out, nil
}

// newNonce is a fresh CSP nonce for one response. URL-safe base64 (allowed by CSP's
// nonce grammar) so html/template writes it verbatim: it escapes a standard '+' as &#43;.
func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// setPageHeaders sets the security headers of an HTML page. Scripts run only with this
// response's nonce; styles, images and connections only from this origin (images also from
// data: for the QR code and blob: for the camera preview); framing only by this origin and
// the allow-list. Pages are never cached and never send a Referer, because their URL holds
// the session token.
func (h *Handler) setPageHeaders(w http.ResponseWriter, nonce, embed string) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'self'; img-src 'self' data: blob:; "+
		"media-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors "+strings.TrimSpace("'self' "+embed))
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin-allow-popups")
	hd.Set("Content-Type", "text/html; charset=utf-8")
}

// csrfToken is the per-session CSRF token. It is derived from the session token, which the
// page already holds in its URL and an attacker does not: a forged cross-site POST cannot
// know either, and nothing needs storing — which matters because the flow keeps no cookies
// (they would be third-party, and blocked, inside the SDK's iframe).
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("kycd/csrf/v1\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// checkPost refuses a POST that did not come from one of our own pages: a cross-site
// Origin or Sec-Fetch-Site, or a CSRF token that is not this session's.
func (h *Handler) checkPost(r *http.Request, session, given string) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !h.sameOrigin(r, o) {
		return false
	}
	want := csrfToken(session)
	return subtle.ConstantTimeCompare([]byte(want), []byte(given)) == 1
}

// sameOrigin compares an Origin header with this server: the public URL's origin, or the
// Host the request was sent to (a server reached at several names behind one proxy).
func (h *Handler) sameOrigin(r *http.Request, origin string) bool {
	if h.publicOrigin != "" && strings.EqualFold(origin, h.publicOrigin) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// limiter budgets the POSTs of each verification (consent, captures, submit), so a script
// holding one link cannot hammer the engines. Buckets idle for ten minutes are dropped.
type limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{every: time.Minute / time.Duration(perMinute), burst: burst, buckets: map[string]*bucket{}}
}

// allow spends one request of id's budget.
func (l *limiter) allow(id string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[id]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[id] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
