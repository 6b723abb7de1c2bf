package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/kycd/kycd/checks/signals"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// SignalSettings configure the IP and device signals of applicant requests (issue #28).
type SignalSettings struct {
	// TrustedProxies are the CIDRs (comma-separated) whose X-Forwarded-For is believed.
	TrustedProxies string
	// CountryDB and ASNDB are MaxMind-format databases (comma-separated paths; ASN tables may
	// also be ip-location-db CSV files); both default to the files scripts/setup/geoip.sh
	// installs, when they are there.
	CountryDB, ASNDB string
	// Policy is off (reasons shown only) or review (a reason sends an approval to review).
	Policy string
	// VelocityLimit is how many verifications of one account may come from one IP in an hour.
	VelocityLimit int
}

// check validates the settings without opening the databases.
func (s SignalSettings) check() error {
	if _, err := signals.ParseProxies(s.TrustedProxies); err != nil {
		return fmt.Errorf("trusted-proxies: %w", err)
	}
	if _, err := verify.ParseSignalsPolicy(s.Policy); err != nil {
		return fmt.Errorf("signals-policy: %w", err)
	}
	if s.VelocityLimit < 0 {
		return fmt.Errorf("signals-velocity: %d is negative", s.VelocityLimit)
	}
	return nil
}

// options are the domain's signal options.
func (s SignalSettings) options() verify.SignalOptions {
	p, _ := verify.ParseSignalsPolicy(s.Policy)
	return verify.SignalOptions{Policy: p, VelocityLimit: s.VelocityLimit}
}

// source opens the GeoIP databases. Without any, country and ASN are simply absent (the
// result says so); a database the operator named but that cannot be opened is an error.
func (s SignalSettings) source(logger *slog.Logger) (*tools.SignalSource, error) {
	proxies, err := signals.ParseProxies(s.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("trusted-proxies: %w", err)
	}
	country := s.CountryDB
	if country == "" {
		if def := signals.DefaultCountryDB(); fileExists(def) {
			country = def
		}
	}
	asn := s.ASNDB
	if asn == "" {
		var present []string
		for _, p := range signals.DefaultASNDB() {
			if fileExists(p) {
				present = append(present, p)
			}
		}
		asn = strings.Join(present, ",")
	}
	geo, err := signals.OpenGeo(country, asn)
	if err != nil {
		return nil, err
	}
	if !geo.HasCountry() || !geo.HasASN() {
		logger.Info("signals: IP country and/or ASN will be absent (run scripts/setup/geoip.sh, or set --geoip-country-db / --geoip-asn-db)",
			"country_db", geo.HasCountry(), "asn_db", geo.HasASN())
	}
	return &tools.SignalSource{Proxies: proxies, Geo: geo}, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
