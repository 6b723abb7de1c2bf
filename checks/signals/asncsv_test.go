package signals_test

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/kycd/kycd/checks/signals"
)

func TestReadASNCSV(t *testing.T) {
	t.Parallel()
	const table = `1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project
2a01:4f8::,2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff,24940,Hetzner Online GmbH
`
	tab, err := signals.ReadASNCSV(strings.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Ranges() != 4 {
		t.Fatalf("Ranges = %d, want 4", tab.Ranges())
	}
	for _, c := range []struct {
		ip  string
		asn uint32
		org string
	}{
		{"1.0.0.0", 13335, "Cloudflare, Inc."},
		{"1.0.0.255", 13335, "Cloudflare, Inc."},
		{"1.0.1.0", 0, ""}, // between two ranges
		{"1.0.5.9", 38803, "Gtelecom Pty Ltd"},
		{"0.255.255.255", 0, ""}, // before the first
		{"9.9.9.9", 0, ""},       // after the last
		{"::ffff:1.0.6.1", 38803, "Gtelecom Pty Ltd"},
		{"2001:200:1b9::1", 2500, "WIDE Project"},
		{"2001:200:1ba::1", 0, ""},
		{"2a01:4f8:c17::1", 24940, "Hetzner Online GmbH"},
	} {
		asn, org := tab.Lookup(netip.MustParseAddr(c.ip))
		if asn != c.asn || org != c.org {
			t.Errorf("Lookup(%s) = %d %q, want %d %q", c.ip, asn, org, c.asn, c.org)
		}
	}
}

func TestReadASNCSVRefusesBadTables(t *testing.T) {
	t.Parallel()
	for name, table := range map[string]string{
		"empty":            "",
		"header only":      "start,end,asn,org\n",
		"bad number":       "1.0.0.0,1.0.0.255,13335,X\n1.0.4.0,1.0.7.255,AS38803,Y\n",
		"reversed range":   "1.0.0.0,1.0.0.255,1,X\n1.0.7.0,1.0.4.255,2,Y\n",
		"mixed families":   "1.0.0.0,1.0.0.255,1,X\n1.0.4.0,2001::1,2,Y\n",
		"too few fields":   "1.0.0.0,1.0.0.255,1,X\n1.0.4.0,1.0.7.255\n",
		"unbalanced quote": "1.0.0.0,1.0.0.255,1,\"X\n",
	} {
		if _, err := signals.ReadASNCSV(strings.NewReader(table)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The tables scripts/setup/geoip.sh installs; CI installs them, so there they must be present.
func installedASN(t *testing.T) *signals.Geo {
	t.Helper()
	paths := signals.DefaultASNDB()
	g, err := signals.OpenGeo("", strings.Join(paths, ","))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the set-up installs the ASN tables: %v", err)
		}
		t.Skipf("no installed ASN tables (run scripts/setup/geoip.sh): %v", err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestInstalledASNTables(t *testing.T) {
	t.Parallel()
	g := installedASN(t)
	for ip, want := range map[string]uint32{"8.8.8.8": 15169, "1.1.1.1": 13335, "2606:4700:4700::1111": 13335, "2001:4860:4860::8888": 15169} {
		if got, org := g.ASN(netip.MustParseAddr(ip)); got != want {
			t.Errorf("ASN(%s) = %d (%s), want %d", ip, got, org, want)
		}
	}
}

// Every provider in hosting_asns.txt that announces prefixes in the installed table is
// registered there under a name the list mentions.
func TestHostingListAgainstASNTable(t *testing.T) {
	t.Parallel()
	installedASN(t)
	var tabs []*signals.ASNTable
	for _, p := range signals.DefaultASNDB() {
		tab, err := signals.OpenASNCSV(p)
		if err != nil {
			t.Fatal(err)
		}
		tabs = append(tabs, tab)
	}
	announced := 0
	for asn, name := range signals.HostingList() {
		var org string
		var ok bool
		for _, tab := range tabs {
			if org, ok = tab.OrgOf(asn); ok {
				break
			}
		}
		if !ok {
			t.Logf("AS%d (%s) announces no prefixes in the table", asn, name)
			continue
		}
		announced++
		if !mentions(name, org) {
			t.Errorf("AS%d is listed as %q but the table registers it to %q", asn, name, org)
		}
	}
	if announced < len(signals.HostingList())*9/10 {
		t.Errorf("only %d of %d hosting ASNs announce prefixes", announced, len(signals.HostingList()))
	}
}

// mentions: some word of three letters or more (not "the", "cloud", …) of the list's name is in the organisation.
func mentions(name, org string) bool {
	org = strings.ToLower(org)
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') }) {
		if len(w) >= 3 && w != "the" && w != "cloud" && w != "online" && w != "company" && strings.Contains(org, w) {
			return true
		}
	}
	return false
}

func BenchmarkOpenASNTables(b *testing.B) {
	paths := strings.Join(signals.DefaultASNDB(), ",")
	for b.Loop() {
		g, err := signals.OpenGeo("", paths)
		if err != nil {
			b.Skip(err)
		}
		g.Close()
	}
}

func BenchmarkASNLookup(b *testing.B) {
	g, err := signals.OpenGeo("", strings.Join(signals.DefaultASNDB(), ","))
	if err != nil {
		b.Skip(err)
	}
	ips := []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("193.99.144.80"), netip.MustParseAddr("2a01:4f8:c17::1")}
	for i := 0; b.Loop(); i++ {
		g.ASN(ips[i%len(ips)])
	}
}
