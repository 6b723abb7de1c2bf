package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"evt_1","type":"verification.completed"}`)
	oldS, newS := "whsec_old", "whsec_new"
	both := SignatureHeader(now, body, newS, oldS)
	require.Equal(t, 2, strings.Count(both, "v1="))
	cases := []struct {
		name   string
		header string
		body   []byte
		secret string
		at     time.Time
		want   error
	}{
		{"new secret", both, body, newS, now, nil},
		{"old secret during grace", both, body, oldS, now, nil},
		{"other secret", both, body, "whsec_other", now, ErrNoSignature},
		{"tampered body", both, append([]byte(" "), body...), newS, now, ErrNoSignature},
		{"too old", both, body, newS, now.Add(6 * time.Minute), ErrStale},
		{"from the future", both, body, newS, now.Add(-6 * time.Minute), ErrStale},
		{"no timestamp", "v1=" + Sign(newS, now.Unix(), body), body, newS, now, ErrMalformedSig},
		{"no signature", "t=1700000000", body, newS, now, ErrMalformedSig},
		{"garbage", "hello", body, newS, now, ErrMalformedSig},
		{"timestamp swapped", strings.Replace(both, "t=1700000000", "t=1700000001", 1), body, newS, now, ErrNoSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, Verify(tc.header, tc.body, tc.secret, 5*time.Minute, tc.at), tc.want)
			if tc.want == nil {
				require.NoError(t, Verify(tc.header, tc.body, tc.secret, 5*time.Minute, tc.at))
			}
		})
	}
}

func TestKnownSignature(t *testing.T) {
	t.Parallel()
	// printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
	require.Equal(t, "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91", Sign("whsec_test", 1700000000, []byte("{}")))
	require.Equal(t, "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91",
		SignatureHeader(time.Unix(1700000000, 0), []byte("{}"), "whsec_test"))
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	a, err := NewSecret()
	require.NoError(t, err)
	b, err := NewSecret()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(a, SecretPrefix))
	require.Len(t, a, len(SecretPrefix)+32)
	require.NotEqual(t, a, b)
}

func TestCheckIP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ip            string
		strict, local bool // allowed under the strict policy / under AllowPrivate
	}{
		{"93.184.216.34", true, true},
		{"2606:2800:220:1:248:1893:25c8:1946", true, true},
		{"127.0.0.1", false, true},
		{"127.8.9.10", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"172.16.0.1", false, true},
		{"172.31.255.255", false, true},
		{"172.32.0.1", true, true},
		{"192.168.1.1", false, true},
		{"fd12:3456::1", false, true},
		{"169.254.1.1", false, true},
		{"fe80::1", false, true},
		{"100.64.0.1", false, true},
		{"198.18.0.1", false, true},
		{"169.254.169.254", false, false},
		{"fd00:ec2::254", false, false},
		{"100.100.100.200", false, false},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
		{"ff02::1", false, false},
		{"255.255.255.255", false, false},
		{"::ffff:127.0.0.1", false, true},
		{"::ffff:169.254.169.254", false, false},
		{"::ffff:93.184.216.34", true, true},
		{"64:ff9b::a9fe:a9fe", false, false}, // NAT64 of 169.254.169.254
		{"64:ff9b::7f00:1", false, true},     // NAT64 of 127.0.0.1
		{"2002:7f00:1::1", false, true},      // 6to4 of 127.0.0.1
	}
	for _, tc := range cases {
		t.Run(tc.ip, func(t *testing.T) {
			t.Parallel()
			ip := netip.MustParseAddr(tc.ip)
			err := Policy{}.CheckIP(ip)
			require.Equal(t, tc.strict, err == nil, "strict: %v", err)
			if err != nil {
				require.ErrorIs(t, err, ErrBlocked)
			}
			err = Policy{AllowPrivate: true}.CheckIP(ip)
			require.Equal(t, tc.local, err == nil, "allow private: %v", err)
		})
	}
}

// fakeResolver answers from a map that the test can change between calls (DNS rebinding).
type fakeResolver struct {
	answers atomic.Pointer[map[string][]netip.Addr]
}

func newResolver(m map[string]string) *fakeResolver {
	r := &fakeResolver{}
	r.set(m)
	return r
}

func (r *fakeResolver) set(m map[string]string) {
	out := map[string][]netip.Addr{}
	for k, v := range m {
		out[k] = []netip.Addr{netip.MustParseAddr(v)}
	}
	r.answers.Store(&out)
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := (*r.answers.Load())[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// Number forms of public addresses are accepted and rewritten to the address they denote, so
// the delivery connects where a browser would.
func TestParseURLCanonicalisesNumberForms(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://0x5db8d822/hook":     "https://93.184.216.34/hook",
		"https://93.184.55330:8443/x": "https://93.184.216.34:8443/x",
		"https://93.184.216.34./x":    "https://93.184.216.34/x",
		"https://[::ffff:5db8:d822]/": "https://[::ffff:93.184.216.34]/",
	} {
		u, err := Policy{}.ParseURL(raw)
		require.NoError(t, err, raw)
		require.Equal(t, want, u.String(), raw)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	res := newResolver(map[string]string{"hooks.example.com": "93.184.216.34", "evil.example.com": "127.0.0.1",
		"meta.example.com": "169.254.169.254", "lan.example.com": "192.168.0.10"})
	strict := Policy{Resolver: res}
	dev := Policy{Resolver: res, AllowHTTP: true, AllowPrivate: true}
	cases := []struct {
		url       string
		strictOK  bool
		devOK     bool
		errSubstr string
	}{
		{"https://hooks.example.com/kycd", true, true, ""},
		{"https://unresolvable.example.com/kycd", true, true, ""},
		{"http://hooks.example.com/kycd", false, true, "https"},
		{"ftp://hooks.example.com/kycd", false, false, "https"},
		{"/relative", false, false, "absolute"},
		{"https://user:pw@hooks.example.com/", false, false, "credentials"},
		{"https://127.0.0.1/hook", false, true, "loopback"},
		{"https://[::1]/hook", false, true, "loopback"},
		{"https://10.0.0.5/hook", false, true, "private"},
		{"https://169.254.169.254/latest/meta-data", false, false, "metadata"},
		{"https://localhost:8443/hook", false, true, "loopback"},
		{"https://evil.example.com/hook", false, true, "resolves to 127.0.0.1"},
		{"https://meta.example.com/hook", false, false, "metadata"},
		{"https://lan.example.com/hook", false, true, "private"},
		// Number forms that resolvers and browsers read as addresses (WHATWG host parsing, inet_aton).
		{"https://2130706433/hook", false, true, "loopback"},
		{"https://0x7f000001/hook", false, true, "loopback"},
		{"https://127.1/hook", false, true, "loopback"},
		{"https://0177.0.0.1/hook", false, true, "loopback"},
		{"https://127.000.000.001/hook", false, true, "loopback"},
		{"https://017700000001/hook", false, true, "loopback"},
		{"https://0/hook", false, false, "unspecified"},
		{"https://0x0a000001/hook", false, true, "private"},
		{"https://127.0.0.1./hook", false, true, "loopback"},
		{"https://localhost./hook", false, true, "loopback"},
		{"https://[::127.0.0.1]/hook", false, true, "loopback"},
		{"https://0xA9.0xFE.0xA9.0xFE/latest", false, false, "metadata"},
		{"https://1.2.3.4.5/hook", false, false, "not a valid IPv4"},
		{"https://256.1.1.1/hook", false, false, "not a valid IPv4"},
		{"https://0x1g/hook", true, true, ""}, // a name, not a number: resolved like any name
		{"https://hooks.example.com:99999/kycd", false, false, "port"},
		{"https://hooks.example.com:0/kycd", false, false, "port"},
		{"https://hooks.example.com:8443/kycd", true, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			_, err := strict.CheckURL(context.Background(), tc.url)
			require.Equal(t, tc.strictOK, err == nil, "strict: %v", err)
			if err != nil {
				require.Contains(t, err.Error(), tc.errSubstr)
			}
			_, err = dev.CheckURL(context.Background(), tc.url)
			require.Equal(t, tc.devOK, err == nil, "dev: %v", err)
		})
	}
}

// receiver counts requests, so tests can prove a refused target was never reached.
func receiver(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "thanks") }

func TestClientRefusesPrivateTargetsAtConnect(t *testing.T) {
	t.Parallel()
	srv, hits := receiver(t, ok)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	res := newResolver(map[string]string{"rebind.example.com": "93.184.216.34"})
	p := Policy{AllowHTTP: true, Resolver: res, Timeout: 2 * time.Second}
	target := fmt.Sprintf("http://rebind.example.com:%d/hook", port)

	// Registration sees a public address…
	_, err := p.CheckURL(context.Background(), target)
	require.NoError(t, err)
	// …then the name is re-pointed at loopback before the delivery: the dialer refuses it.
	res.set(map[string]string{"rebind.example.com": "127.0.0.1"})
	r := NewClient(p, "test").Post(context.Background(), target, http.Header{}, []byte("{}"))
	require.ErrorIs(t, r.Err, ErrBlocked)
	require.Contains(t, r.Err.Error(), "loopback")
	require.False(t, r.Delivered())

	// A literal loopback URL is refused before any connection.
	r = NewClient(p, "test").Post(context.Background(), srv.URL, http.Header{}, []byte("{}"))
	require.ErrorIs(t, r.Err, ErrBlocked)
	require.Zero(t, hits.Load(), "a refused target must never receive a request")

	// The operator's opt-in reaches the same receiver.
	p.AllowPrivate = true
	r = NewClient(p, "test").Post(context.Background(), target, http.Header{}, []byte("{}"))
	require.NoError(t, r.Err)
	require.True(t, r.Delivered())
	require.Equal(t, "thanks", r.Excerpt)
	require.EqualValues(t, 1, hits.Load())
}

// The dialer control is the last line: whatever path reaches connect(), a refused IP fails.
func TestDialerControl(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:443", "[::1]:443", "10.0.0.1:80", "169.254.169.254:80", "not-an-address"} {
		require.ErrorIs(t, Policy{}.control("tcp4", addr, nil), ErrBlocked, addr)
	}
	require.NoError(t, Policy{}.control("tcp4", "93.184.216.34:443", nil))
	require.NoError(t, Policy{AllowPrivate: true}.control("tcp4", "127.0.0.1:443", nil))
	require.ErrorIs(t, Policy{AllowPrivate: true}.control("tcp4", "169.254.169.254:80", nil), ErrBlocked)
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	inner, innerHits := receiver(t, ok)
	outer, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/stolen", http.StatusTemporaryRedirect)
	})
	p := Policy{AllowHTTP: true, AllowPrivate: true}
	r := NewClient(p, "test").Post(context.Background(), outer.URL, http.Header{}, []byte("{}"))
	require.False(t, r.Delivered())
	require.Equal(t, http.StatusTemporaryRedirect, r.StatusCode)
	require.Contains(t, r.Err.Error(), "redirect")
	require.Zero(t, innerHits.Load())
}

func TestClientCapsResponses(t *testing.T) {
	t.Parallel()
	var written atomic.Int64
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("é", 4096)) // 2-byte runes, so the excerpt cut must respect them
		for i := 0; i < 4096; i++ {                // 32 MiB unless the client hangs up
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	p := Policy{AllowHTTP: true, AllowPrivate: true, MaxResponseBytes: 16 << 10}
	r := NewClient(p, "test").Post(context.Background(), srv.URL, http.Header{}, []byte("{}"))
	require.True(t, r.Delivered(), "a 2xx is delivered whatever the body")
	require.True(t, r.Truncated)
	require.LessOrEqual(t, len(r.Excerpt), ExcerptBytes)
	require.Greater(t, len(r.Excerpt), ExcerptBytes-4)
	require.NotContains(t, r.Excerpt, "?", "no character split at the excerpt boundary")
	require.Less(t, written.Load(), int64(8<<20), "the client stopped reading long before the end")
}

func TestClientTimeoutsAndStatuses(t *testing.T) {
	t.Parallel()
	slow, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client hanging up
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	failing, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "down for maintenance")
	})
	p := Policy{AllowHTTP: true, AllowPrivate: true, Timeout: 200 * time.Millisecond}
	c := NewClient(p, "test")
	r := c.Post(context.Background(), slow.URL, http.Header{}, []byte("{}"))
	require.False(t, r.Delivered())
	var ne net.Error
	require.True(t, errors.As(r.Err, &ne) && ne.Timeout(), "want a timeout, got %v", r.Err)

	r = c.Post(context.Background(), failing.URL, http.Header{}, []byte("{}"))
	require.False(t, r.Delivered())
	require.Equal(t, http.StatusServiceUnavailable, r.StatusCode)
	require.Equal(t, "down for maintenance", r.Excerpt)
	require.EqualError(t, r.Err, "HTTP 503")

	// A closed port: connection refused, no status.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	r = c.Post(context.Background(), "http://"+addr+"/", http.Header{}, []byte("{}"))
	require.False(t, r.Delivered())
	require.Zero(t, r.StatusCode)
	require.Error(t, r.Err)
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	require.Equal(t, "short", excerpt([]byte("short")))
	long := strings.Repeat("a", ExcerptBytes-1) + "€€"
	got := excerpt([]byte(long))
	require.Equal(t, strings.Repeat("a", ExcerptBytes-1), got)
	require.Equal(t, "a?b", excerpt([]byte{'a', 0xff, 'b'}))
}

func TestSchedule(t *testing.T) {
	t.Parallel()
	s := DefaultSchedule()
	require.Equal(t, 30*time.Second, s.Nominal(1))
	require.Equal(t, time.Minute, s.Nominal(2))
	require.Equal(t, 256*time.Minute, s.Nominal(10))
	require.Equal(t, 6*time.Hour, s.Nominal(11))
	require.Equal(t, 6*time.Hour, s.Nominal(40))
	for n := 1; n < 30; n++ {
		d := s.Delay(n, "whd_x")
		require.Equal(t, d, s.Delay(n, "whd_x"), "deterministic per delivery and attempt")
		nom := float64(s.Nominal(n))
		require.GreaterOrEqual(t, float64(d), nom*0.8)
		require.LessOrEqual(t, float64(d), nom*1.2)
	}
	// Simulate a delivery that always fails: it gives up within 3 days (plus the last attempt's own time).
	start := time.Unix(0, 0)
	for _, seed := range []string{"a", "b", "c", "d"} {
		now, attempts := start, 1
		for !s.Final(attempts, seed, start, now) {
			now = now.Add(s.Delay(attempts, seed))
			attempts++
		}
		require.LessOrEqual(t, now.Sub(start), 72*time.Hour)
		require.Greater(t, now.Sub(start), 60*time.Hour)
		require.InDelta(t, 21, attempts, 2, "seed %s", seed)
	}
	require.True(t, s.Final(s.MaxAttempts, "x", start, start))
	require.Equal(t, s, Schedule{}.WithDefaults())
}
