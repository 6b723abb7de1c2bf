// Package contactbench measures checks/email and checks/phone per call: the email check
// with a warm DNS cache (the answers of an in-process DNS server already cached), the
// email check when every call asks DNS (loopback round trips), and the phone check.
// Besides ns/op each benchmark reports cpu-ns/op, the process's user+system CPU time per
// call from getrusage, which is what the ≤ 1 ms budget is about.
//
//	nice -n 10 go test -run XXX -bench . -benchmem ./bench/contact/
package contactbench

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/email/emailtest"
	"github.com/kycd/kycd/checks/phone"
	"github.com/kycd/kycd/internal/testfiles"
)

var addresses = []string{
	"maria.silva@gmail.com", "jan.novak@seznam.cz", "Anna.Mueller@web.de", "li.wei+kyc@qq.com",
	"j.doe@acme-corp.co.uk", "info@acme-corp.de", "maria@gmial.com", "kyc.test@mailinator.com",
	"hans@münchen.de", "ivan@пример.рф", "victim@gmаil.com", `"john doe"@example.org`,
	"not-an-address", "jane@nullmx.test", "x@alias.33mail.com", "someone@example.con",
}

var numbers = []struct{ in, region, expected string }{
	{"+4915123456789", "", "DEU"}, {"0151 23456789", "DE", "DE"}, {"(11) 96123-4567", "BR", "BRA"},
	{"+44 7700 900123", "", "GBR"}, {"090-1234-5678", "JP", "USA"}, {"+1 201 555 0123", "", ""},
	{"06 12 34 56 78", "FR", "FRA"}, {"not a number", "DE", ""},
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f b.N times round-robin over n inputs and reports cpu-ns/op.
func measure(b *testing.B, n int, f func(i int)) {
	b.ReportAllocs()
	start := cpuTime()
	i := 0
	for b.Loop() {
		f(i % n)
		i++
	}
	if i > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(i), "cpu-ns/op")
	}
}

func checker(b *testing.B, cacheSize int) *email.Checker {
	b.Helper()
	dir := testfiles.Path(b, "email")
	disp, err := email.LoadDomainSetFiles(email.DisposablePackage,
		filepath.Join(dir, "disposable-email-domains_index.json"), filepath.Join(dir, "disposable-email-domains_wildcard.json"))
	if err != nil {
		b.Fatal(err)
	}
	srv := emailtest.Start(b, emailtest.Zone{DefaultMX: true, MX: map[string][]string{"nullmx.test": {"0 ."}}, NXDomain: []string{"gmial.com", "example.con"}})
	c, err := email.NewChecker(email.Config{DNS: email.ResolverConfig{Server: srv.Addr, CacheSize: cacheSize}, Disposable: disp})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkEmailCheckWarmCache(b *testing.B) {
	c := checker(b, 0)
	ctx := context.Background()
	for _, a := range addresses { // warm the cache
		if _, err := c.Check(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	measure(b, len(addresses), func(i int) {
		if _, err := c.Check(ctx, addresses[i]); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkEmailCheckEachAddress reports each address on its own, warm cache.
func BenchmarkEmailCheckEachAddress(b *testing.B) {
	c := checker(b, 0)
	ctx := context.Background()
	for k, a := range addresses {
		if _, err := c.Check(ctx, a); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%02d", k), func(b *testing.B) {
			measure(b, 1, func(int) { _, _ = c.Check(ctx, a) })
		})
	}
}

// BenchmarkEmailCheckNoCache asks the loopback DNS server on every call (one to three
// queries), for comparison.
func BenchmarkEmailCheckNoCache(b *testing.B) {
	c := checker(b, -1)
	ctx := context.Background()
	measure(b, len(addresses), func(i int) {
		if _, err := c.Check(ctx, addresses[i]); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkPhoneCheck(b *testing.B) {
	ctx := context.Background()
	for _, n := range numbers { // load the metadata
		if _, err := phone.Check(ctx, n.in, phone.Options{DefaultRegion: n.region, ExpectedCountry: n.expected}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	measure(b, len(numbers), func(i int) {
		n := numbers[i]
		if _, err := phone.Check(ctx, n.in, phone.Options{DefaultRegion: n.region, ExpectedCountry: n.expected}); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPhoneCheckEachNumber reports each number on its own.
func BenchmarkPhoneCheckEachNumber(b *testing.B) {
	ctx := context.Background()
	for k, n := range numbers {
		o := phone.Options{DefaultRegion: n.region, ExpectedCountry: n.expected}
		if _, err := phone.Check(ctx, n.in, o); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%02d", k), func(b *testing.B) {
			measure(b, 1, func(int) { _, _ = phone.Check(ctx, n.in, o) })
		})
	}
}
