package tools

import (
	"context"
	"math"
	"net/http"
	"net/netip"
	"time"
)

// Registration rate limits (issue #26): both ways a client becomes known cost kycd something
// an anonymous caller can repeat at will — a stored row for every RFC 7591 registration, an
// outbound HTTPS fetch for every Client ID Metadata Document — so both are budgeted per client
// IP and in total. The events are rows in the database (like the sign-in and /verify/code
// throttles), so every kycd process on it shares one budget.

// Defaults of RegistrationLimits.
const (
	DefaultRegistrationsPerIP   = 20
	DefaultRegistrationsGlobal  = 500
	DefaultRegistrationWindow   = time.Hour
	registrationKindDCR         = "dcr"
	registrationKindMetadataDoc = "cimd"
)

// RegistrationLimits bound dynamic client registrations and metadata-document fetches, each
// counted separately: at most PerIP from one client IP and Global from everyone per Window.
// Zero fields take the defaults (20 per IP, 500 in total, per hour).
type RegistrationLimits struct {
	PerIP, Global int
	Window        time.Duration
}

func (l RegistrationLimits) withDefaults() RegistrationLimits {
	if l.PerIP <= 0 {
		l.PerIP = DefaultRegistrationsPerIP
	}
	if l.Global <= 0 {
		l.Global = DefaultRegistrationsGlobal
	}
	if l.Window <= 0 {
		l.Window = DefaultRegistrationWindow
	}
	return l
}

// allowRegistration takes one event of kind (dcr or cimd) from the budgets of ip and of
// everyone. Refused: 429 temporarily_unavailable with RetryAfter, the seconds until the oldest
// counted event leaves the window. An IP over its own budget is refused before it is counted
// globally, so one noisy address cannot use up everyone's budget with refused attempts.
func (o *OAuth) allowRegistration(ctx context.Context, d *Deps, kind, ip string) *OAuthError {
	l := o.Limits.withDefaults()
	now := d.Store.Now()
	since := now.Add(-l.Window)
	what := "client registrations"
	if kind == registrationKindMetadataDoc {
		what = "client metadata document fetches"
	}
	type budget struct {
		subject, whose string
		max            int
	}
	budgets := []budget{{kind + ":global", "on this server", l.Global}}
	if ip != "" {
		budgets = append([]budget{{kind + ":ip:" + ipBucket(ip), "from your address", l.PerIP}}, budgets...)
	}
	for _, b := range budgets {
		n, oldest, err := d.Store.OAuthRegistrations(ctx, b.subject, since)
		if err != nil {
			d.logger().ErrorContext(ctx, "oauth registration limit", "err", err)
			return oauthErr("temporarily_unavailable", http.StatusServiceUnavailable, "cannot check the registration budget now; retry")
		}
		if n >= b.max {
			wait := max(1, int(math.Ceil(oldest.Add(l.Window).Sub(now).Seconds())))
			e := oauthErr("temporarily_unavailable", http.StatusTooManyRequests,
				"too many %s %s (at most %d per %s); retry in %d s", what, b.whose, b.max, l.Window, wait)
			e.RetryAfter = wait
			return e
		}
	}
	subjects := make([]string, len(budgets))
	for i, b := range budgets {
		subjects[i] = b.subject
	}
	if err := d.Store.RecordOAuthRegistration(ctx, now, subjects...); err != nil {
		d.logger().ErrorContext(ctx, "oauth registration limit", "err", err)
		return oauthErr("temporarily_unavailable", http.StatusServiceUnavailable, "cannot record the registration now; retry")
	}
	return nil
}

// ipBucket is the rate-limit subject of a client address: the address itself for IPv4, its /64
// for IPv6 (one host commonly holds a whole /64 and could rotate through it).
func ipBucket(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
