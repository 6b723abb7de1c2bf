package tools

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultRateLimit is the requests per minute of a key whose own limit is 0.
const DefaultRateLimit = 120

// RateLimiter is the per-API-key request budget, one for every surface of a process: a
// token bucket (golang.org/x/time/rate) per key that refills at limit/minute and holds at
// most a minute's worth, so a key may burst its whole minute and then runs at the steady rate.
//
// Several processes on one PostgreSQL each hold their own buckets; each grants 1/Processes
// of a key's budget (see NewRateLimiter), so N processes behind a load balancer grant the
// key's limit in total without a database write per request.
type RateLimiter struct {
	def       int
	processes int
	now       func() time.Time

	mu    sync.Mutex
	byKey map[string]*keyBucket
}

type keyBucket struct {
	perMinute int
	lim       *rate.Limiter
}

// NewRateLimiter budgets defaultPerMinute requests a minute for keys without their own limit
// (0 = DefaultRateLimit), split over processes kycd processes (0 or 1 = this one alone).
func NewRateLimiter(defaultPerMinute, processes int) *RateLimiter {
	if defaultPerMinute <= 0 {
		defaultPerMinute = DefaultRateLimit
	}
	if processes < 1 {
		processes = 1
	}
	return &RateLimiter{def: defaultPerMinute, processes: processes, now: time.Now, byKey: map[string]*keyBucket{}}
}

// SetClock replaces the limiter's clock (tests).
func (l *RateLimiter) SetClock(now func() time.Time) { l.now = now }

// RateStatus is a key's budget after a request, for the X-RateLimit-* headers.
type RateStatus struct {
	// Limit is the requests a minute this process grants the key.
	Limit int
	// Remaining is how many more requests would be allowed right now.
	Remaining int
	// Reset is how long until the budget is full again.
	Reset time.Duration
	// RetryAfter is, when refused, how long until one request is allowed.
	RetryAfter time.Duration
}

// Allow takes one request from the caller's budget. A refusal is a CodeRateLimited *Error
// with RetryAfterSeconds set.
func (l *RateLimiter) Allow(c Caller) (RateStatus, *Error) {
	if l == nil {
		return RateStatus{}, nil
	}
	perMinute := c.RateLimit
	if perMinute <= 0 {
		perMinute = l.def
	}
	share := max(1, perMinute/l.processes)
	id := c.KeyID
	if c.UserID != "" { // an operator's dashboard session has its own budget
		id = "usr:" + c.UserID
	}
	l.mu.Lock()
	b := l.byKey[id]
	if b == nil || b.perMinute != share {
		b = &keyBucket{perMinute: share, lim: rate.NewLimiter(rate.Limit(float64(share)/60), share)}
		l.byKey[id] = b
	}
	l.mu.Unlock()

	now := l.now()
	perToken := time.Minute / time.Duration(share)
	ok := b.lim.AllowN(now, 1)
	tokens := b.lim.TokensAt(now)
	st := RateStatus{Limit: share, Remaining: max(0, int(math.Floor(tokens)))}
	st.Reset = time.Duration((float64(share) - tokens) * float64(perToken))
	if ok {
		return st, nil
	}
	st.RetryAfter = time.Duration((1 - tokens) * float64(perToken))
	secs := int(math.Ceil(st.RetryAfter.Seconds()))
	e := Errorf(CodeRateLimited, "", "over this API key's budget of %d requests a minute; retry in %d s", share, max(1, secs))
	e.RetryAfterSeconds = max(1, secs)
	return st, e
}

// SetRateLimiter installs the request budget the call path (CallWith) enforces.
func (r *Registry) SetRateLimiter(l *RateLimiter) { r.limiter = l }

// limit takes one request from the caller's budget. Without a limiter everything is allowed.
// A hosted-flow session is not counted against its API key: the applicant is not the key's
// owner, and the flow has its own per-session budget.
func (r *Registry) limit(c Caller) (RateStatus, *Error) {
	if c.VerificationID != "" {
		return RateStatus{}, nil
	}
	return r.limiter.Allow(c)
}
