package emailtest

import (
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// Zone says how the server answers, per lower-case domain without the trailing dot.
type Zone struct {
	// MX maps a domain to its exchangers as "pref host" ("10 mx1.example.com"); "0 ." is a
	// null MX.
	MX map[string][]string
	// A and AAAA map a domain to its addresses.
	A, AAAA map[string][]string
	// NXDomain, ServFail and Timeout list domains answered NXDOMAIN, SERVFAIL or never.
	NXDomain, ServFail, Timeout []string
	// DefaultMX makes every other name exist with "10 mx.<name>"; otherwise other names
	// are NXDOMAIN.
	DefaultMX bool
	// TTL of every answer (default 300).
	TTL uint32
}

// Server is a running test DNS server.
type Server struct {
	Addr    string // host:port, for email.ResolverConfig.Server
	Queries atomic.Int64
	zone    Zone
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Start runs a UDP and TCP server on 127.0.0.1 answering from z, stopped at the end of the
// test or benchmark.
func Start(tb testing.TB, z Zone) *Server {
	tb.Helper()
	if z.TTL == 0 {
		z.TTL = 300
	}
	s := &Server{zone: z}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("dns test server: %v", err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0") // TCP only matters for truncation
		if err != nil {
			tb.Fatalf("dns test server: %v", err)
		}
	}
	s.Addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: s}
	tcp := &dns.Server{Listener: ln, Handler: s}
	started := make(chan struct{}, 2)
	udp.NotifyStartedFunc = func() { started <- struct{}{} }
	tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	<-started
	<-started
	tb.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	return s
}

// ServeDNS answers one query from the zone.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.Queries.Add(1)
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.TrimSuffix(strings.ToLower(q.Name), ".")
	z := &s.zone
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	switch {
	case has(z.Timeout, name):
		return // no answer at all: the client times out
	case has(z.ServFail, name):
		m.SetRcode(req, dns.RcodeServerFailure)
		_ = w.WriteMsg(m)
		return
	case has(z.NXDomain, name):
		m.SetRcode(req, dns.RcodeNameError)
		_ = w.WriteMsg(m)
		return
	}
	_, hasMX := z.MX[name]
	_, hasA := z.A[name]
	_, hasAAAA := z.AAAA[name]
	known := hasMX || hasA || hasAAAA
	if !known && !z.DefaultMX {
		m.SetRcode(req, dns.RcodeNameError)
		_ = w.WriteMsg(m)
		return
	}
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: z.TTL}
	}
	switch q.Qtype {
	case dns.TypeMX:
		mxs := z.MX[name]
		if !known {
			mxs = []string{"10 mx." + name}
		}
		for _, v := range mxs {
			rr, err := dns.NewRR(q.Name + " " + strconv.FormatUint(uint64(z.TTL), 10) + " IN MX " + v)
			if err == nil {
				m.Answer = append(m.Answer, rr)
			}
		}
	case dns.TypeA:
		for _, ip := range z.A[name] {
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: net.ParseIP(ip).To4()})
		}
	case dns.TypeAAAA:
		for _, ip := range z.AAAA[name] {
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: net.ParseIP(ip)})
		}
	}
	// Over UDP an answer larger than the client's buffer is truncated (TC bit), as a real
	// server does, so the client's retry over TCP is exercised.
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if o := req.IsEdns0(); o != nil {
			size = int(o.UDPSize())
		}
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}
