package otp

import (
	"errors"
	"fmt"
	"time"
)

// Policy holds the limits. DefaultPolicy is what kycd uses; tests and operators may
// tighten it.
type Policy struct {
	TTL             time.Duration // a code expires this long after it was issued
	MaxAttempts     int           // wrong guesses before the code is burnt
	ResendInterval  time.Duration // minimum gap between two sends to one address
	MaxSendsPerHour int           // sends to one address in any rolling hour
}

// DefaultPolicy: 10-minute codes, 5 attempts, resend at least 60 s apart and at most 5
// times an hour per address.
var DefaultPolicy = Policy{TTL: CodeTTL, MaxAttempts: MaxAttempts, ResendInterval: ResendInterval, MaxSendsPerHour: MaxSendsPerHour}

// State is everything about one address's verification that must be stored between
// requests. Storage is the caller's (one row per address and purpose); the functions here
// take a State and return the next one, so they are pure and trivially testable.
type State struct {
	Hash       string      `json:"hash,omitempty"` // Hasher output of the current code; "" = none
	IssuedAt   time.Time   `json:"issued_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
	Attempts   int         `json:"attempts"` // wrong guesses against the current code
	Sends      []time.Time `json:"sends"`    // send times within the last hour
	Verified   bool        `json:"verified"` // the current code was used; it cannot be again
	VerifiedAt time.Time   `json:"verified_at"`
}

// Errors returned by Issue and Verify. Use errors.Is; *LimitError also says when to retry.
var (
	ErrResendTooSoon   = errors.New("otp: a code was sent less than the resend interval ago")
	ErrTooManySends    = errors.New("otp: too many codes sent to this address in the last hour")
	ErrNoCode          = errors.New("otp: no code has been issued")
	ErrExpired         = errors.New("otp: the code has expired")
	ErrTooManyAttempts = errors.New("otp: too many wrong attempts; request a new code")
	ErrAlreadyUsed     = errors.New("otp: the code has already been used")
	ErrMismatch        = errors.New("otp: the code is wrong")
)

// LimitError is a rate limit with the time after which a new send is allowed.
type LimitError struct {
	Err        error
	RetryAfter time.Duration
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%v (retry in %s)", e.Err, e.RetryAfter.Round(time.Second))
}

// Unwrap makes errors.Is see ErrResendTooSoon or ErrTooManySends.
func (e *LimitError) Unwrap() error { return e.Err }

// recentSends keeps the sends of the last hour.
func recentSends(s []time.Time, now time.Time) []time.Time {
	out := make([]time.Time, 0, len(s)+1)
	for _, t := range s {
		if now.Sub(t) < sendWindow && !t.After(now) {
			out = append(out, t)
		}
	}
	return out
}

// CanSend reports whether a code may be sent now, as a *LimitError when not.
func (p Policy) CanSend(s State, now time.Time) error {
	sends := recentSends(s.Sends, now)
	if n := len(sends); n > 0 {
		if wait := p.ResendInterval - now.Sub(sends[n-1]); wait > 0 {
			return &LimitError{Err: ErrResendTooSoon, RetryAfter: wait}
		}
	}
	if len(sends) >= p.MaxSendsPerHour {
		return &LimitError{Err: ErrTooManySends, RetryAfter: sendWindow - now.Sub(sends[len(sends)-p.MaxSendsPerHour])}
	}
	return nil
}

// Issue makes a new code for the address the state belongs to, replacing any earlier code,
// and records the send. binding ties the stored hash to the address and purpose
// ("email:jane@example.com:verify-contact") so a hash cannot be replayed for another.
// The caller stores the returned State and then sends the code; if sending fails it may
// keep the old State instead.
func (p Policy) Issue(s State, now time.Time, h Hasher, binding string) (State, string, error) {
	if err := p.CanSend(s, now); err != nil {
		return s, "", err
	}
	code, err := NewCode()
	if err != nil {
		return s, "", err
	}
	hash, err := h.Hash(code, binding)
	if err != nil {
		return s, "", err
	}
	return State{
		Hash:      hash,
		IssuedAt:  now,
		ExpiresAt: now.Add(p.TTL),
		Sends:     append(recentSends(s.Sends, now), now),
	}, code, nil
}

// Verify checks a candidate code. Every wrong or malformed guess counts as an attempt;
// after MaxAttempts the code is burnt even if the next guess would be right. On success
// the state is marked verified so the code cannot be used twice.
func (p Policy) Verify(s State, candidate string, now time.Time, h Hasher, binding string) (State, error) {
	switch {
	case s.Hash == "":
		return s, ErrNoCode
	case s.Verified:
		return s, ErrAlreadyUsed
	case s.Attempts >= p.MaxAttempts:
		return s, ErrTooManyAttempts
	case !now.Before(s.ExpiresAt):
		return s, ErrExpired
	}
	code, ok := NormalizeCode(candidate)
	if !ok || !h.Verify(s.Hash, code, binding) {
		s.Attempts++
		if s.Attempts >= p.MaxAttempts {
			return s, ErrTooManyAttempts
		}
		return s, ErrMismatch
	}
	s.Verified, s.VerifiedAt = true, now
	return s, nil
}

// AttemptsLeft is how many more guesses the current code allows.
func (p Policy) AttemptsLeft(s State) int { return max(0, p.MaxAttempts-s.Attempts) }
