package webhook

import (
	"net/netip"
	"strconv"
	"strings"
)

// Hosts are read the way browsers and resolvers read them (the WHATWG URL standard's host
// parser, which follows inet_aton): "127.1", "2130706433", "0x7f000001", "0177.0.0.1" and
// "127.0.0.1." all name 127.0.0.1, and glibc's resolver connects to it. A check that only
// recognises dotted-quad literals lets such forms through to a resolver that reads them
// differently, so the policy canonicalises first and checks the address it gets.

// canonicalHost returns the host as the policy sees it: lower-cased, without a trailing dot,
// and — when it ends in a number, as WHATWG defines it — the IPv4 address it denotes. ok is
// false for a host that ends in a number but is not a valid IPv4 address (the standard's
// "invalid host"), which no client should be sent to.
func canonicalHost(host string) (name string, ip netip.Addr, isIP, ok bool) {
	h := strings.ToLower(host)
	if a, err := netip.ParseAddr(h); err == nil {
		return h, a, true, true
	}
	h = strings.TrimSuffix(h, ".")
	if !endsInNumber(h) {
		return h, netip.Addr{}, false, true
	}
	a, valid := parseIPv4Forms(h)
	return h, a, valid, valid
}

// endsInNumber is WHATWG's "ends in a number" check on a host without its trailing dot: the
// last label is decimal digits or 0x followed by hex digits.
func endsInNumber(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if isDigits(last, 10) {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && last[1] == 'x' {
		return isDigits(last[2:], 16)
	}
	return false
}

// parseIPv4Forms parses 1 to 4 dot-separated numbers, each decimal, 0x-hex or 0-octal, the
// last filling the remaining bytes (inet_aton).
func parseIPv4Forms(h string) (netip.Addr, bool) {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Number reads one part: "0x…" hex (empty digits = 0), a leading 0 octal, else decimal.
func parseIPv4Number(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(p) >= 2 && p[0] == '0' && p[1] == 'x':
		p, base = p[2:], 16
		if p == "" {
			return 0, true
		}
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if !isDigits(p, base) {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	if err != nil || n > 1<<32 {
		return 0, false
	}
	return n, true
}

func isDigits(s string, base int) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= '0' && c <= '7':
		case c >= '8' && c <= '9' && base >= 10:
		case (c >= 'a' && c <= 'f') && base == 16:
		default:
			return false
		}
	}
	return true
}
