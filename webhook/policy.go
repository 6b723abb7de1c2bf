package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults for a zero Policy.
const (
	DefaultConnectTimeout   = 5 * time.Second
	DefaultTimeout          = 15 * time.Second
	DefaultMaxResponseBytes = 64 << 10
	// ExcerptBytes bounds the response excerpt kept in the delivery log.
	ExcerptBytes = 1024
)

// Resolver resolves host names; *net.Resolver satisfies it. Tests supply their own to point a
// name at a chosen address without touching DNS.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Policy says which webhook targets are allowed and how long a delivery may take. The zero
// value is the production policy: https only, public addresses only, default limits.
type Policy struct {
	// AllowHTTP permits plain http:// targets (KYCD_WEBHOOK_ALLOW_HTTP, for local development).
	AllowHTTP bool
	// AllowPrivate permits loopback, private, link-local and other non-public unicast targets
	// (KYCD_WEBHOOK_ALLOW_PRIVATE). Cloud metadata, unspecified and multicast addresses stay refused.
	AllowPrivate bool
	// ConnectTimeout bounds the TCP connect (default 5 s).
	ConnectTimeout time.Duration
	// Timeout bounds a whole delivery: connect, TLS, request and response (default 15 s).
	Timeout time.Duration
	// MaxResponseBytes is how much of a response body is read before the connection is dropped (default 64 KiB).
	MaxResponseBytes int64
	// Resolver replaces the system resolver (nil = net.DefaultResolver).
	Resolver Resolver
}

func (p Policy) connectTimeout() time.Duration {
	if p.ConnectTimeout > 0 {
		return p.ConnectTimeout
	}
	return DefaultConnectTimeout
}

// TotalTimeout is the bound on one delivery attempt.
func (p Policy) TotalTimeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

// ResponseLimit is how many response bytes are read at most.
func (p Policy) ResponseLimit() int64 {
	if p.MaxResponseBytes > 0 {
		return p.MaxResponseBytes
	}
	return DefaultMaxResponseBytes
}

func (p Policy) resolver() Resolver {
	if p.Resolver != nil {
		return p.Resolver
	}
	return net.DefaultResolver
}

// ErrBlocked marks a target refused by the policy (errors.Is(err, ErrBlocked)).
var ErrBlocked = errors.New("blocked by the webhook target policy")

// BlockedError says why a URL or address is refused, in words an integrator can act on.
type BlockedError struct {
	Reason string
}

func (e *BlockedError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

func blocked(format string, args ...any) error {
	return &BlockedError{Reason: fmt.Sprintf(format, args...)}
}

type prefixRule struct {
	prefix netip.Prefix
	what   string
}

func mustPrefixes(what string, cidrs ...string) []prefixRule {
	out := make([]prefixRule, len(cidrs))
	for i, c := range cidrs {
		out[i] = prefixRule{netip.MustParsePrefix(c), what}
	}
	return out
}

// alwaysBlocked is refused even with AllowPrivate: no legitimate receiver lives there, and the
// metadata services hand out cloud credentials.
var alwaysBlocked = concat(
	mustPrefixes("a cloud metadata address", "169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32", "fd00:ec2::254/128"),
	mustPrefixes("an unspecified address", "0.0.0.0/8", "::/128"),
	mustPrefixes("a multicast address", "224.0.0.0/4", "ff00::/8"),
	mustPrefixes("the broadcast address", "255.255.255.255/32"),
)

// privateBlocked is refused unless AllowPrivate: everything that is not public unicast.
var privateBlocked = concat(
	mustPrefixes("a loopback address", "127.0.0.0/8", "::1/128"),
	mustPrefixes("a private address", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
	mustPrefixes("a link-local address", "169.254.0.0/16", "fe80::/10"),
	mustPrefixes("a shared (carrier-grade NAT) address", "100.64.0.0/10"),
	mustPrefixes("a reserved address", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "240.0.0.0/4", "2001:db8::/32", "100::/64", "fec0::/10"),
)

func concat(lists ...[]prefixRule) []prefixRule {
	var out []prefixRule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// embeddedIPv4 returns the IPv4 address carried inside IPv4-mapped, NAT64 and 6to4 IPv6
// addresses, which reach the IPv4 host they name.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if ip.Is4In6() {
		return ip.Unmap(), true
	}
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	if netip.MustParsePrefix("64:ff9b::/96").Contains(ip) {
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	}
	if netip.MustParsePrefix("2002::/16").Contains(ip) {
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	// IPv4-compatible (::a.b.c.d, deprecated but still parsed and routed by some stacks);
	// :: and ::1 are themselves.
	if netip.MustParsePrefix("::/96").Contains(ip) && ip != netip.IPv6Unspecified() && ip != netip.IPv6Loopback() {
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	}
	return netip.Addr{}, false
}

// CheckIP reports whether the policy lets kycd connect to ip.
func (p Policy) CheckIP(ip netip.Addr) error {
	if !ip.IsValid() {
		return blocked("not a valid IP address")
	}
	ip = ip.WithZone("")
	if v4, ok := embeddedIPv4(ip); ok {
		if err := p.CheckIP(v4); err != nil {
			return blocked("%s embeds %s: %v", ip, v4, err)
		}
		if ip.Is4In6() {
			return nil
		}
	}
	for _, r := range alwaysBlocked {
		if r.prefix.Contains(ip) {
			return blocked("%s is %s, which webhooks may never target", ip, r.what)
		}
	}
	if p.AllowPrivate {
		return nil
	}
	for _, r := range privateBlocked {
		if r.prefix.Contains(ip) {
			return blocked("%s is %s; webhooks must target public addresses (the operator can allow private targets with KYCD_WEBHOOK_ALLOW_PRIVATE=true)", ip, r.what)
		}
	}
	return nil
}

// ParseURL checks the parts of a target URL that need no DNS: absolute, http(s) per policy,
// no credentials, and a literal IP host allowed by CheckIP.
func (p Policy) ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, blocked("must be an absolute URL such as https://example.com/webhooks")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !p.AllowHTTP {
			return nil, blocked("must use https (plain http is allowed only when the operator sets KYCD_WEBHOOK_ALLOW_HTTP=true)")
		}
	default:
		return nil, blocked("must use https, not %q", u.Scheme)
	}
	if u.User != nil {
		return nil, blocked("must not contain credentials")
	}
	host := u.Hostname()
	if host == "" {
		return nil, blocked("has no host")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, blocked("port %q is not a port number (1 to 65535)", port)
		}
	}
	name, ip, isIP, ok := canonicalHost(host)
	switch {
	case !ok:
		return nil, blocked("host %q ends in a number but is not a valid IPv4 address", host)
	case isIP:
		if err := p.CheckIP(ip); err != nil {
			if ip.String() != host {
				return nil, blocked("%s means %v", host, err)
			}
			return nil, err
		}
		if canon := ip.String(); canon != host { // target the address browsers would connect to
			switch port := u.Port(); {
			case port != "":
				u.Host = net.JoinHostPort(canon, port)
			case ip.Is6():
				u.Host = "[" + canon + "]"
			default:
				u.Host = canon
			}
		}
	case name == "localhost" || strings.HasSuffix(name, ".localhost"):
		if !p.AllowPrivate {
			return nil, blocked("%s is a loopback name; webhooks must target public addresses (the operator can allow private targets with KYCD_WEBHOOK_ALLOW_PRIVATE=true)", host)
		}
	}
	return u, nil
}

// CheckURL is the registration check: ParseURL, then every address the host resolves to must
// be allowed. A name that does not resolve now is accepted — the connect-time check decides
// when a delivery is made — because DNS may be unavailable where kycd runs.
func (p Policy) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := p.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return u, nil
	}
	host = strings.TrimSuffix(host, ".")
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := p.resolver().LookupNetIP(lctx, "ip", host)
	if err != nil {
		return u, nil
	}
	for _, ip := range ips {
		if err := p.CheckIP(ip); err != nil {
			return nil, blocked("%s resolves to %v", host, err)
		}
	}
	return u, nil
}
