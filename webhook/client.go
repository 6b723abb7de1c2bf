package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Client posts deliveries under a Policy. Redirects are never followed (a 3xx is a failed
// attempt), proxies from the environment are ignored (a proxy would hide the real target from
// the dialer check), and every connection is checked on the IP actually dialled.
type Client struct {
	policy    Policy
	hc        *http.Client
	userAgent string
}

// NewClient builds a client enforcing p. userAgent is sent with every request.
func NewClient(p Policy, userAgent string) *Client {
	c := &Client{policy: p, userAgent: userAgent}
	dialer := &net.Dialer{Timeout: p.connectTimeout(), KeepAlive: 30 * time.Second, Control: p.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           c.dialContext(dialer),
		TLSHandshakeTimeout:   p.TotalTimeout(),
		ResponseHeaderTimeout: p.TotalTimeout(),
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       60 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.hc = &http.Client{
		Transport: tr,
		Timeout:   p.TotalTimeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c
}

// control runs after name resolution, immediately before connect: the last word on the target.
func (p Policy) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return blocked("cannot check the address %q being connected to", address)
	}
	return p.CheckIP(ap.Addr())
}

// dialContext resolves with the policy's resolver and dials the addresses one by one; the
// dialer's Control re-checks each, so no path reaches a refused address.
func (c *Client) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, portStr, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		port, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("port %q: %w", portStr, err)
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else {
			ips, err = c.policy.resolver().LookupNetIP(ctx, "ip", host)
			if err != nil {
				return nil, fmt.Errorf("resolve %s: %w", host, err)
			}
		}
		var firstErr error
		for _, ip := range ips {
			if err := c.policy.CheckIP(ip); err != nil {
				if firstErr == nil {
					firstErr = blocked("%s resolves to %v", host, err)
				}
				continue
			}
			conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip, uint16(port)).String())
			if err == nil {
				return conn, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		if firstErr == nil {
			firstErr = fmt.Errorf("resolve %s: no addresses", host)
		}
		return nil, firstErr
	}
}

// Result is the outcome of one attempt, as the delivery log records it.
type Result struct {
	// StatusCode is 0 when no response arrived.
	StatusCode int
	Latency    time.Duration
	// Excerpt is the start of the response body (at most ExcerptBytes, valid UTF-8).
	Excerpt string
	// Truncated is set when the body was longer than the policy's MaxResponseBytes and was cut off.
	Truncated bool
	// Err is a transport failure (refused target, timeout, reset) or a non-2xx status.
	Err error
}

// Delivered reports a 2xx answer: the only thing that counts as delivered.
func (r Result) Delivered() bool { return r.Err == nil && r.StatusCode >= 200 && r.StatusCode < 300 }

// Post sends body to target with the given headers and reads at most MaxResponseBytes back.
func (c *Client) Post(ctx context.Context, target string, header http.Header, body []byte) Result {
	start := time.Now()
	u, err := c.policy.ParseURL(target)
	if err != nil {
		return Result{Err: err}
	}
	// The canonical URL: a host given in a number form ("0x5db8d822") is connected to as the
	// address it denotes, which is what the policy checked.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("build request: %w", err)}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return Result{Latency: time.Since(start), Err: describe(err)}
	}
	defer resp.Body.Close()
	limit := c.policy.ResponseLimit()
	buf, rerr := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	res := Result{StatusCode: resp.StatusCode, Latency: time.Since(start)}
	if int64(len(buf)) > limit {
		res.Truncated = true
		buf = buf[:limit]
	}
	res.Excerpt = excerpt(buf)
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		res.Err = fmt.Errorf("HTTP %d redirect (to %q) not followed: register the final URL", resp.StatusCode, resp.Header.Get("Location"))
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		res.Err = fmt.Errorf("HTTP %d", resp.StatusCode)
	case rerr != nil && !res.Truncated:
		// The answer was 2xx: the receiver accepted the event even if its body broke off.
		res.Excerpt += "\n[response body cut short: " + rerr.Error() + "]"
	}
	return res
}

// describe turns transport errors into short, stable messages for the delivery log.
func describe(err error) error {
	var be *BlockedError
	if errors.As(err, &be) {
		return be
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

// excerpt keeps at most ExcerptBytes, never splitting a character, and replaces invalid bytes
// with "?" (one byte, so the bound holds).
func excerpt(b []byte) string {
	if len(b) > ExcerptBytes {
		b = b[:ExcerptBytes]
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	return strings.ToValidUTF8(string(b), "?")
}

// HTTPClient is the client's policy-enforcing *http.Client (no redirects, no proxy, every dialled
// address checked), for other outbound fetches under the same rules — the OAuth server fetches
// Client ID Metadata Documents with it. Callers bound what they read themselves.
func (c *Client) HTTPClient() *http.Client { return c.hc }
