package signals_test

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/kycd/kycd/checks/signals"
	"github.com/kycd/kycd/checks/signals/signalstest"
)

func TestGeo(t *testing.T) {
	t.Parallel()
	c, a := signalstest.MMDB(t)
	g, err := signals.OpenGeo(c, a)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if !g.HasCountry() || !g.HasASN() {
		t.Fatal("databases not open")
	}
	for _, tc := range []struct {
		ip, country string
		asn         uint32
		org         string
		hosting     bool
	}{
		{"198.51.100.7", "DE", 3320, "Deutsche Telekom AG", false},
		{"203.0.113.5", "US", 16509, "AMAZON-02", true},
		{"2001:db8::1", "FR", 0, "", false},
		{"192.0.2.1", "", 0, "", false},
	} {
		ip := netip.MustParseAddr(tc.ip)
		if got := g.Country(ip); got != tc.country {
			t.Errorf("Country(%s) = %q, want %q", tc.ip, got, tc.country)
		}
		n, org := g.ASN(ip)
		if n != tc.asn || org != tc.org || signals.HostingASN(n) != tc.hosting {
			t.Errorf("ASN(%s) = %d %q hosting=%v, want %d %q %v", tc.ip, n, org, signals.HostingASN(n), tc.asn, tc.org, tc.hosting)
		}
	}
}

func TestGeoAbsent(t *testing.T) {
	t.Parallel()
	var g *signals.Geo
	if g.Country(netip.MustParseAddr("198.51.100.7")) != "" || g.HasASN() {
		t.Error("a nil Geo answered")
	}
	g, err := signals.OpenGeo("", "")
	if err != nil || g.HasCountry() || g.HasASN() {
		t.Fatalf("no databases: %v", err)
	}
	if _, err := signals.OpenGeo(filepath.Join(t.TempDir(), "missing.mmdb"), ""); err == nil {
		t.Error("a missing file named by the operator was accepted")
	}
}

// The database scripts/setup/geoip.sh installs, when it is there.
func TestInstalledCountryDB(t *testing.T) {
	t.Parallel()
	p := signals.DefaultCountryDB()
	g, err := signals.OpenGeo(p, "")
	if err != nil {
		t.Skipf("no installed country database (run scripts/setup/geoip.sh): %v", err)
	}
	defer g.Close()
	for ip, want := range map[string]string{"8.8.8.8": "US", "2001:4860:4860::8888": "US", "193.99.144.80": "DE"} {
		if got := g.Country(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Country(%s) = %q, want %q", ip, got, want)
		}
	}
}
