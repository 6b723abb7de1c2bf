package business

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error from a Source matches at most one of them with errors.Is,
// so callers can tell "GLEIF does not know this company" (ErrNotFound) from "we could not
// ask" (ErrUnavailable) — a lookup that failed must never read as "no such company".
var (
	// ErrNotFound: the source answered and has no such record.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the source could not answer (timeout, network, 5xx, rate limit,
	// a response that is not the JSON:API document we asked for). Retrying later may help.
	ErrUnavailable = errors.New("source unavailable")
	// ErrBadRequest: the source rejected the question (4xx other than 404/429).
	ErrBadRequest = errors.New("bad request")
)

// APIError describes a failed GLEIF API call. Kind is one of the sentinel errors above.
type APIError struct {
	Kind       error
	Op         string // e.g. "GET /lei-records/{lei}"
	URL        string
	Status     int           // HTTP status, 0 when no response
	RetryAfter time.Duration // from a 429/503 Retry-After header
	Attempts   int
	Detail     string
	Err        error // underlying cause (network error, context error, JSON error)
}

// Error says which call failed, how and after how many attempts.
func (e *APIError) Error() string {
	s := fmt.Sprintf("gleif %s: %v", e.Op, e.Kind)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	return s
}

// Is matches the error's Kind.
func (e *APIError) Is(target error) bool { return target == e.Kind }

// Unwrap exposes the cause (so errors.Is(err, context.DeadlineExceeded) works too).
func (e *APIError) Unwrap() error { return e.Err }

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
