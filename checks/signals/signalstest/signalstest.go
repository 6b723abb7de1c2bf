// Package signalstest builds tiny MaxMind databases for tests of the signals: 198.51.100.0/24
// is DE on AS3320 (an ISP), 203.0.113.0/24 is US on AS16509 (AWS, a hosting ASN), 2001:db8::/32
// is FR without an ASN.
package signalstest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeMMDB builds a tiny MaxMind DB with the given networks and records.
func writeMMDB(t testing.TB, dbType string, recs map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, IncludeReservedNetworks: true, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range recs {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, rec); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), dbType+".mmdb")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// MMDB writes country and ASN databases for the test and returns their paths: both the
// GeoLite2 layout and ip-location-db's are covered.
func MMDB(t testing.TB) (country, asn string) {
	t.Helper()
	country = writeMMDB(t, "GeoLite2-Country", map[string]mmdbtype.Map{
		"198.51.100.0/24": {"country": mmdbtype.Map{"iso_code": mmdbtype.String("DE")}},
		"2001:db8::/32":   {"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR")}},
	})
	country2 := writeMMDB(t, "ip-location-db-country", map[string]mmdbtype.Map{
		"203.0.113.0/24": {"country_code": mmdbtype.String("us")},
	})
	asn = writeMMDB(t, "GeoLite2-ASN", map[string]mmdbtype.Map{
		"203.0.113.0/24":  {"autonomous_system_number": mmdbtype.Uint32(16509), "autonomous_system_organization": mmdbtype.String("AMAZON-02")},
		"198.51.100.0/24": {"autonomous_system_number": mmdbtype.Uint32(3320), "autonomous_system_organization": mmdbtype.String("Deutsche Telekom AG")},
	})
	return country + "," + country2, asn
}
