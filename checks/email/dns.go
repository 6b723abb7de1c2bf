package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// ResolverConfig configures the DNS client. The zero value asks the first server in
// /etc/resolv.conf with the defaults below.
type ResolverConfig struct {
	// Server is the recursive resolver as "host:port" ("127.0.0.1:53", "[::1]:5353"); a host
	// without a port gets :53. Empty means the first nameserver of /etc/resolv.conf.
	Server string
	// Timeout bounds one query (default 2 s). A check makes at most three.
	Timeout time.Duration
	// CacheSize is how many answers the cache keeps (default 4096; negative disables it).
	CacheSize int
	// MaxTTL caps how long an answer is cached whatever its TTL says (default 5 min), and
	// NegativeTTL is how long NXDOMAIN and empty answers are (default 1 min).
	MaxTTL, NegativeTTL time.Duration
}

// Resolver looks up what a mail domain publishes: MX records, else A/AAAA (the implicit MX
// of RFC 5321 §5.1), and RFC 7505 null MX. Answers are cached for their TTL (capped);
// failures (SERVFAIL, timeouts) are not cached. It is safe for concurrent use.
type Resolver struct {
	server         string
	timeout        time.Duration
	maxTTL, negTTL time.Duration
	udp, tcp       *dns.Client
	mu             sync.Mutex
	cache          map[cacheKey]cacheEntry
	cacheSize      int
	now            func() time.Time
}

type cacheKey struct {
	name  string
	qtype uint16
}

type cacheEntry struct {
	res     queryResult
	expires time.Time
}

// queryResult is what one question returned, reduced to what the checks need.
type queryResult struct {
	nxdomain bool
	mx       []MX
	addrs    int
}

// MX is one mail exchanger. Host has no trailing dot, except "." itself (null MX).
type MX struct {
	Host string `json:"host"`
	Pref uint16 `json:"pref"`
}

// ErrDNS marks lookups that failed for a reason other than the name's non-existence
// (SERVFAIL, REFUSED, timeouts, unreachable server): the domain's state is unknown.
var ErrDNS = errors.New("dns lookup failed")

// NewResolver validates cfg and returns a Resolver.
func NewResolver(cfg ResolverConfig) (*Resolver, error) {
	server := cfg.Server
	if server == "" {
		cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cc.Servers) == 0 {
			return nil, fmt.Errorf("no DNS server configured and none in /etc/resolv.conf")
		}
		server = net.JoinHostPort(cc.Servers[0], cc.Port)
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		if strings.Count(server, ":") > 1 && !strings.HasPrefix(server, "[") {
			server = "[" + server + "]"
		}
		server += ":53"
		if _, _, err := net.SplitHostPort(server); err != nil {
			return nil, fmt.Errorf("dns server %q: want host:port", cfg.Server)
		}
	}
	if host, _, _ := net.SplitHostPort(server); host == "" || strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return nil, fmt.Errorf("dns server %q: want host:port", cfg.Server)
	}
	r := &Resolver{
		server:    server,
		timeout:   cmpOr(cfg.Timeout, 2*time.Second),
		maxTTL:    cmpOr(cfg.MaxTTL, 5*time.Minute),
		negTTL:    cmpOr(cfg.NegativeTTL, time.Minute),
		cacheSize: cfg.CacheSize,
		now:       time.Now,
	}
	if r.cacheSize == 0 {
		r.cacheSize = 4096
	}
	if r.cacheSize > 0 {
		r.cache = make(map[cacheKey]cacheEntry)
	}
	r.udp = &dns.Client{Net: "udp", Timeout: r.timeout, UDPSize: 1232}
	r.tcp = &dns.Client{Net: "tcp", Timeout: r.timeout}
	return r, nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Server is the address queries go to.
func (r *Resolver) Server() string { return r.server }

// DomainDNS is what DNS says about a mail domain.
type DomainDNS struct {
	Exists      bool
	MX          []MX
	HasAddress  bool // A or AAAA, looked up only when there is no MX
	NullMX      bool
	AcceptsMail bool
}

// LookupMail resolves the mail set-up of an ASCII domain. A wrapped ErrDNS means the answer
// is unknown (not that the domain is bad); ctx cancellation is returned as ctx.Err().
func (r *Resolver) LookupMail(ctx context.Context, domain string) (DomainDNS, error) {
	var d DomainDNS
	name := dns.Fqdn(domain)
	mx, err := r.query(ctx, name, dns.TypeMX)
	if err != nil {
		return d, err
	}
	if mx.nxdomain {
		return d, nil
	}
	d.Exists = true
	if len(mx.mx) > 0 {
		d.MX = mx.mx
		// RFC 7505: a single MX of preference 0 and target "." says "no mail here". A null
		// MX mixed with real ones is a misconfiguration; the real ones win.
		if len(mx.mx) == 1 && mx.mx[0].Host == "." {
			d.NullMX = true
			return d, nil
		}
		d.AcceptsMail = true
		return d, nil
	}
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		a, err := r.query(ctx, name, t)
		if err != nil {
			return d, err
		}
		if a.addrs > 0 {
			d.HasAddress, d.AcceptsMail = true, true
			break
		}
	}
	return d, nil
}

func (r *Resolver) query(ctx context.Context, name string, qtype uint16) (queryResult, error) {
	key := cacheKey{name, qtype}
	if r.cache != nil {
		r.mu.Lock()
		e, ok := r.cache[key]
		r.mu.Unlock()
		if ok && r.now().Before(e.expires) {
			return e.res, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return queryResult{}, err
	}
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)
	qctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	in, _, err := r.udp.ExchangeContext(qctx, m, r.server)
	if err == nil && in.Truncated {
		in, _, err = r.tcp.ExchangeContext(qctx, m, r.server)
	}
	if err != nil {
		if ctx.Err() != nil {
			return queryResult{}, ctx.Err()
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return queryResult{}, fmt.Errorf("%w: %s %s: timeout after %s", ErrDNS, dns.TypeToString[qtype], name, r.timeout)
		}
		return queryResult{}, fmt.Errorf("%w: %s %s: %v", ErrDNS, dns.TypeToString[qtype], name, err)
	}
	var res queryResult
	ttl := r.maxTTL
	switch in.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		res.nxdomain = true
	default:
		return queryResult{}, fmt.Errorf("%w: %s %s: %s", ErrDNS, dns.TypeToString[qtype], name, dns.RcodeToString[in.Rcode])
	}
	for _, rr := range in.Answer {
		ttl = min(ttl, time.Duration(rr.Header().Ttl)*time.Second)
		switch v := rr.(type) {
		case *dns.MX:
			if qtype == dns.TypeMX {
				host := strings.ToLower(v.Mx)
				if host != "." {
					host = strings.TrimSuffix(host, ".")
				}
				res.mx = append(res.mx, MX{Host: host, Pref: v.Preference})
			}
		case *dns.A:
			if qtype == dns.TypeA {
				res.addrs++
			}
		case *dns.AAAA:
			if qtype == dns.TypeAAAA {
				res.addrs++
			}
		}
	}
	slices.SortStableFunc(res.mx, func(a, b MX) int { return int(a.Pref) - int(b.Pref) })
	if res.nxdomain || (len(res.mx) == 0 && res.addrs == 0) {
		ttl = r.negTTL
	}
	r.store(key, res, ttl)
	return res, nil
}

func (r *Resolver) store(key cacheKey, res queryResult, ttl time.Duration) {
	if r.cache == nil || ttl <= 0 {
		return
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cache) >= r.cacheSize {
		// Drop the expired entries; if that frees nothing, drop an arbitrary tenth. A
		// small cache only has to keep a burst of checks on the same domains cheap.
		for k, e := range r.cache {
			if !now.Before(e.expires) {
				delete(r.cache, k)
			}
		}
		for k := range r.cache {
			if len(r.cache) < r.cacheSize*9/10 {
				break
			}
			delete(r.cache, k)
		}
	}
	r.cache[key] = cacheEntry{res: res, expires: now.Add(ttl)}
}
