// Package emailtest runs an in-process DNS server (github.com/miekg/dns) for the tests
// and benchmarks of checks/email, so nothing depends on the network's DNS. A Zone says
// which names have MX, A or AAAA records and which answer NXDOMAIN, SERVFAIL or nothing at
// all (a timeout); answers too large for UDP are truncated like a real server's.
package emailtest
