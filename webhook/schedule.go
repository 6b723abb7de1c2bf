package webhook

import (
	"hash/fnv"
	"strconv"
	"time"
)

// Schedule is the retry policy of deliveries: the delay after failed attempt n is
// min(Base·2^(n-1), Cap), scaled by a jitter factor in [1-Jitter, 1+Jitter]; a delivery fails
// for good when the next attempt would start more than Window after the first, or after
// MaxAttempts attempts.
type Schedule struct {
	Base        time.Duration
	Cap         time.Duration
	Jitter      float64
	Window      time.Duration
	MaxAttempts int
}

// DefaultSchedule retries for up to 3 days: 30 s, 1 m, 2 m, 4 m … 4 h 16 m, then every 6 h,
// each ±20 %; about 21 attempts in all (docs/benchmarks/webhooks.md has the table).
func DefaultSchedule() Schedule {
	return Schedule{Base: 30 * time.Second, Cap: 6 * time.Hour, Jitter: 0.2, Window: 72 * time.Hour, MaxAttempts: 25}
}

// WithDefaults returns DefaultSchedule for a zero Schedule, else fills its zero durations and
// attempt budget from it (a zero Jitter then means no jitter).
func (s Schedule) WithDefaults() Schedule {
	d := DefaultSchedule()
	if s == (Schedule{}) {
		return d
	}
	if s.Base <= 0 {
		s.Base = d.Base
	}
	if s.Cap <= 0 {
		s.Cap = d.Cap
	}
	s.Jitter = min(max(s.Jitter, 0), 0.9)
	if s.Window <= 0 {
		s.Window = d.Window
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = d.MaxAttempts
	}
	return s
}

// Nominal is the delay after failed attempt n (from 1) without jitter.
func (s Schedule) Nominal(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := s.Base
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= s.Cap {
			return s.Cap
		}
	}
	return min(d, s.Cap)
}

// Delay is the jittered delay after failed attempt n. The jitter is derived from seed and n, so
// the same job computes the same delay wherever it is asked (the worker and River's NextRetry).
func (s Schedule) Delay(attempt int, seed string) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(seed))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(attempt)))
	u := float64(h.Sum64()>>11) / float64(1<<53) // uniform in [0, 1)
	f := 1 - s.Jitter + 2*s.Jitter*u
	return time.Duration(float64(s.Nominal(attempt)) * f)
}

// Final reports whether failed attempt n (started firstAttempt; now is its end) is the last:
// the attempt budget is spent or the next attempt would fall outside the window.
func (s Schedule) Final(attempt int, seed string, firstAttempt, now time.Time) bool {
	if attempt >= s.MaxAttempts {
		return true
	}
	return now.Add(s.Delay(attempt, seed)).Sub(firstAttempt) > s.Window
}
