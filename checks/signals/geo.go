package signals

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Geo looks IP addresses up in MaxMind-format databases (.mmdb): one or more country
// databases and ASN databases (free ones: the ip-location-db npm packages, see
// scripts/setup/geoip.sh; or MaxMind's GeoLite2/GeoIP2 files). Several files of a kind are
// tried in order, as ip-location-db ships IPv4 and IPv6 apart. A nil *Geo, or one without a
// kind of database, answers nothing for it: signals without a country or ASN, never an error.
type Geo struct {
	country, asn []*maxminddb.Reader
	// asnCSV are ASN tables in ip-location-db's CSV layout (a path ending in .csv).
	asnCSV []*ASNTable
	// Sources name the files opened, for the result (which data said what).
	Sources []string
}

// OpenGeo opens the databases named in two comma-separated lists of paths (either may be
// empty). ASN paths ending in .csv are ip-location-db ASN tables (OpenASNCSV). A file that
// cannot be opened is an error: an operator who names one wants it used.
func OpenGeo(countryPaths, asnPaths string) (*Geo, error) {
	g := &Geo{}
	open := func(list string, into *[]*maxminddb.Reader) error {
		for _, p := range strings.Split(list, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			if into == &g.asn && strings.EqualFold(filepath.Ext(p), ".csv") {
				t, err := OpenASNCSV(p)
				if err != nil {
					return fmt.Errorf("geoip database %s: %w", p, err)
				}
				g.asnCSV = append(g.asnCSV, t)
				g.Sources = append(g.Sources, t.Source)
				continue
			}
			r, err := maxminddb.Open(p)
			if err != nil {
				return fmt.Errorf("geoip database %s: %w", p, err)
			}
			*into = append(*into, r)
			g.Sources = append(g.Sources, r.Metadata.DatabaseType)
		}
		return nil
	}
	if err := errors.Join(open(countryPaths, &g.country), open(asnPaths, &g.asn)); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

// Close releases the databases.
func (g *Geo) Close() error {
	if g == nil {
		return nil
	}
	var errs []error
	for _, r := range append(g.country, g.asn...) {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}

// HasCountry and HasASN report which lookups the databases can answer.
func (g *Geo) HasCountry() bool { return g != nil && len(g.country) > 0 }

// HasASN reports whether an ASN database is open.
func (g *Geo) HasASN() bool { return g != nil && len(g.asn)+len(g.asnCSV) > 0 }

// countryRecord reads both the GeoLite2 layout (country.iso_code) and ip-location-db's
// (country_code).
type countryRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	CountryCode string `maxminddb:"country_code"`
}

type asnRecord struct {
	Number uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

// Country is the ISO 3166-1 alpha-2 code of ip's country, "" when unknown.
func (g *Geo) Country(ip netip.Addr) string {
	if g == nil || !ip.IsValid() {
		return ""
	}
	for _, r := range g.country {
		var rec countryRecord
		res := r.Lookup(ip)
		if !res.Found() || res.Decode(&rec) != nil {
			continue
		}
		for _, c := range []string{rec.Country.ISOCode, rec.CountryCode, rec.RegisteredCountry.ISOCode} {
			if len(c) == 2 {
				return strings.ToUpper(c)
			}
		}
	}
	return ""
}

// ASN is ip's autonomous system number and organisation, 0 when unknown.
func (g *Geo) ASN(ip netip.Addr) (uint32, string) {
	if g == nil || !ip.IsValid() {
		return 0, ""
	}
	for _, r := range g.asn {
		var rec asnRecord
		res := r.Lookup(ip)
		if res.Found() && res.Decode(&rec) == nil && rec.Number != 0 {
			return rec.Number, rec.Org
		}
	}
	for _, t := range g.asnCSV {
		if n, org := t.Lookup(ip); n != 0 {
			return n, org
		}
	}
	return 0, ""
}

// CountryPackage is the npm package (and pinned version) whose country database
// scripts/setup/geoip.sh installs; DefaultCountryDB is where.
const CountryPackage = "@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719"

// ASNPackage is the npm package (and pinned version) whose ASN tables (CSV, IPv4 and IPv6)
// scripts/setup/geoip.sh installs; DefaultASNDB names them.
const ASNPackage = "@ip-location-db/asn@2.3.2026061719"

// DefaultASNDB is the comma-separated pair of ASN tables scripts/setup/geoip.sh installs
// (asn-ipv4.csv, asn-ipv6.csv under ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/geoip/asn-<version>/).
func DefaultASNDB() []string {
	dir := filepath.Join(cacheDir(), "geoip", strings.ReplaceAll(strings.TrimPrefix(ASNPackage, "@ip-location-db/"), "@", "-"))
	return []string{filepath.Join(dir, "asn-ipv4.csv"), filepath.Join(dir, "asn-ipv6.csv")}
}

func cacheDir() string {
	base := os.Getenv("KYCD_CACHE_DIR")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		base = filepath.Join(home, ".cache", "kycd")
	}
	return base
}

// DefaultCountryDB is ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/geoip/geo-whois-asn-country-mmdb-<version>/geo-whois-asn-country.mmdb
// (IPv4 and IPv6), the file scripts/setup/geoip.sh installs.
func DefaultCountryDB() string {
	dir := strings.ReplaceAll(strings.TrimPrefix(CountryPackage, "@ip-location-db/"), "@", "-")
	return filepath.Join(cacheDir(), "geoip", dir, "geo-whois-asn-country.mmdb")
}
