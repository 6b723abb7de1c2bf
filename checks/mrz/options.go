package mrz

import "time"

// Option adjusts how Parse, ParseText and Repair judge an MRZ.
type Option func(*config)

type config struct {
	now            func() time.Time
	allowSpecimen  bool
	rejectExpired  bool
	maxAlnumRepair int
}

func newConfig(opts []Option) *config {
	c := &config{now: time.Now, maxAlnumRepair: 2}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// today truncates the clock to a UTC calendar day: MRZ dates have no time.
func (c *config) today() time.Time {
	t := c.now().UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// WithNow fixes "today" for century inference and expiry; tests use it so
// results do not change with the calendar.
func WithNow(t time.Time) Option {
	return func(c *config) { c.now = func() time.Time { return t } }
}

// WithClock sets the function that supplies "today" (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithSpecimenCodes accepts ICAO's fictional state UTO (Utopia) as a known
// code. Off by default: a real identity document never carries it, so in
// production UTO is a validation error. Useful for specimen images and the
// ICAO 9303 examples.
func WithSpecimenCodes() Option {
	return func(c *config) { c.allowSpecimen = true }
}

// WithRejectExpired makes an expiry date before today a validation error.
// By default expiry is only reported (Result.Expired) and left to the risk
// engine, because the MRZ itself is intact.
func WithRejectExpired() Option {
	return func(c *config) { c.rejectExpired = true }
}

// WithMaxAlphanumericRepairs caps how many ambiguous characters (for example
// O/0 in a document number) Repair may change in one check-digit-protected
// field. Default 2; 0 disables check-digit-guided guessing entirely, leaving
// only the substitutions the character class forces.
func WithMaxAlphanumericRepairs(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.maxAlnumRepair = n
		}
	}
}
