package signals

import (
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	trusted, err := ParseProxies("10.0.0.0/8, 2001:db8:ffff::/48, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"direct client, no header", "203.0.113.9:5123", nil, "203.0.113.9"},
		{"spoofed XFF from an untrusted client is ignored", "203.0.113.9:5123", []string{"1.2.3.4"}, "203.0.113.9"},
		{"one trusted proxy", "10.1.2.3:443", []string{"198.51.100.20"}, "198.51.100.20"},
		{"rightmost untrusted hop wins over a spoofed left entry", "10.1.2.3:443", []string{"6.6.6.6, 198.51.100.20"}, "198.51.100.20"},
		{"chain of trusted proxies", "10.1.2.3:443", []string{"198.51.100.20, 10.9.9.9, 192.0.2.7"}, "198.51.100.20"},
		{"several header lines", "10.1.2.3:443", []string{"6.6.6.6", "198.51.100.20, 10.0.0.5"}, "198.51.100.20"},
		{"trusted proxy without header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"all hops trusted: leftmost", "10.1.2.3:443", []string{"10.4.4.4"}, "10.4.4.4"},
		{"garbage hop stops the walk", "10.1.2.3:443", []string{"198.51.100.20, nonsense"}, "10.1.2.3"},
		{"IPv6 peer", "[2001:db8:1::5]:443", nil, "2001:db8:1::5"},
		{"IPv6 trusted proxy, IPv6 client", "[2001:db8:ffff::1]:443", []string{"2001:db8:abcd::42"}, "2001:db8:abcd::42"},
		{"IPv6 client with brackets and port in XFF", "[2001:db8:ffff::1]:443", []string{"[2001:db8:abcd::42]:1234"}, "2001:db8:abcd::42"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:443", []string{"198.51.100.20"}, "198.51.100.20"},
		{"untrusted IPv6 client spoofing", "[2001:db8:1::5]:443", []string{"10.0.0.1"}, "2001:db8:1::5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := ClientIP(r, trusted).String(); got != tc.want {
				t.Errorf("ClientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseProxiesRefuses(t *testing.T) {
	t.Parallel()
	if _, err := ParseProxies("10.0.0.0/33"); err == nil {
		t.Error("accepted a bad CIDR")
	}
	if _, err := ParseProxies("proxy.local"); err == nil {
		t.Error("accepted a host name")
	}
	if p, err := ParseProxies(""); err != nil || len(p) != 0 {
		t.Errorf("empty list: %v %v", p, err)
	}
}
