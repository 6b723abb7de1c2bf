package main

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
)

// Start-up settings of `kycd serve` that are about the process, not a surface.

// serveURLWarning says what is wrong with the hosted links' base for applicants on other
// machines: a loopback host no phone can open while the server listens beyond loopback, or
// plain http off loopback (browsers give the camera only to https pages and localhost).
// "" when nothing is.
func serveURLWarning(publicURL, listenAddr string) string {
	u, err := url.Parse(publicURL)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	loopback := func(host string) bool {
		if host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return true
		}
		ip, err := netip.ParseAddr(host)
		return err == nil && ip.IsLoopback()
	}
	listenHost, _, _ := net.SplitHostPort(listenAddr)
	public := loopback(u.Hostname())
	switch {
	case public && !loopback(listenHost):
		return fmt.Sprintf("--public-url %s is a loopback address but kycd listens on %s: hosted_url links will not open on an applicant's phone; set --public-url to the https address applicants reach", publicURL, listenAddr)
	case !public && u.Scheme != "https":
		return fmt.Sprintf("--public-url %s is not https: browsers refuse the camera to plain-http pages off localhost, so applicants cannot take selfies or liveness videos; put kycd behind TLS and set --public-url https://…", publicURL)
	}
	return ""
}

// setMemoryLimit applies --memory-limit as the runtime's soft limit unless GOMEMLIMIT is set
// (the runtime has read that already). Image uploads make short-lived garbage in bursts; with
// the default GOGC alone the heap would grow to twice the live data before collecting.
func setMemoryLimit(n int) {
	if n <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(int64(n))
}
