package tools

import (
	"context"
	"net/http"
	"strings"

	"github.com/kycd/kycd/checks/signals"
	"github.com/kycd/kycd/models"
)

// SignalSource is how the registry reads the network side of an applicant's request (issue
// #28): which proxies' X-Forwarded-For to believe, and the GeoIP databases (nil or empty: the
// signals carry no country or ASN, and say so).
type SignalSource struct {
	Proxies signals.Proxies
	Geo     *signals.Geo
}

// VerificationSignals are the applicant's request signals as get_verification shows them:
// the latest request's at the top level, the first request's under first.
type VerificationSignals struct {
	models.RequestSignals
	First   *models.RequestSignals `json:"first" jsonschema:"the signals of the applicant's first request"`
	Reasons []models.Reason        `json:"reasons" jsonschema:"signal reasons: ip_country_mismatch, hosting_asn, ip_velocity; they move the decision only under --signals-policy review"`
}

// ReadSignals reads the signals of r: client IP, user agent, and country and ASN where the
// databases are configured.
func ReadSignals(d *Deps, r *http.Request) models.RequestSignals {
	var src SignalSource
	if d != nil && d.Signals != nil {
		src = *d.Signals
	}
	ip := signals.ClientIP(r, src.Proxies)
	ua := signals.ParseUA(r.UserAgent())
	out := models.RequestSignals{UserAgent: models.SignalUserAgent{Browser: ua.Browser, OS: ua.OS, Device: ua.Device}}
	if d != nil && d.Store != nil {
		out.SeenAt = d.Store.Now().UTC()
	}
	if !ip.IsValid() {
		return out
	}
	out.IP = ip.String()
	var missing []string
	if src.Geo.HasCountry() {
		out.Country = src.Geo.Country(ip)
	} else {
		missing = append(missing, "country")
	}
	if src.Geo.HasASN() {
		out.ASN, out.ASOrg = src.Geo.ASN(ip)
		out.Hosting = signals.HostingASN(out.ASN)
	} else {
		missing = append(missing, "ASN")
	}
	if len(missing) > 0 {
		out.Lookup = "no " + strings.Join(missing, " or ") + " database configured (--geoip-country-db, --geoip-asn-db)"
	}
	return out
}

// WithRequestIP is c with ClientIP set from r (honouring the trusted proxies) when c is an
// applicant's session; API callers are returned as they are.
func WithRequestIP(d *Deps, c Caller, r *http.Request) Caller {
	if !c.IsSession() {
		return c
	}
	var src SignalSource
	if d != nil && d.Signals != nil {
		src = *d.Signals
	}
	if ip := signals.ClientIP(r, src.Proxies); ip.IsValid() {
		c.ClientIP = ip.String()
	}
	return c
}

// RecordSessionSignals records the signals of a request made with an applicant's session
// token on its verification (first and latest, sealed; reasons). Callers log a failure and go
// on: the applicant's request does not depend on it.
func RecordSessionSignals(ctx context.Context, d *Deps, c Caller, r *http.Request) error {
	if !c.IsSession() || d == nil || d.Verify == nil {
		return nil
	}
	return d.Verify.RecordSignals(ctx, c.scope(), c.VerificationID, ReadSignals(d, r))
}

// toSignals renders a verification's sealed signals.
func toSignals(d *Deps, v *models.Verification) (*VerificationSignals, error) {
	if len(v.SignalsLatest) == 0 {
		return nil, nil
	}
	var latest models.RequestSignals
	if err := d.Store.Keyring().OpenJSON(v.SignalsLatest, &latest); err != nil {
		return nil, err
	}
	latest.SeenAt = latest.SeenAt.UTC()
	out := &VerificationSignals{RequestSignals: latest, Reasons: []models.Reason{}}
	if len(v.SignalsFirst) > 0 {
		out.First = new(models.RequestSignals)
		if err := d.Store.Keyring().OpenJSON(v.SignalsFirst, out.First); err != nil {
			return nil, err
		}
	}
	if v.SignalReasons != "" && d.Verify != nil {
		out.Reasons = d.Verify.ExplainSignalReasons(strings.Split(v.SignalReasons, ","))
	}
	return out, nil
}
