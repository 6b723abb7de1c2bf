package email

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/findings"
)

// RiskLevel grades a result for the decision engine (shared with checks/phone).
type RiskLevel = findings.Level

// Risk levels, in increasing order.
const (
	RiskLow    = findings.Low
	RiskMedium = findings.Medium
	RiskHigh   = findings.High
)

// Reason is one machine-readable finding with a sentence for people.
type Reason = findings.Reason

// Reason codes. A check adds each at most once; risk is the highest level among them.
const (
	ReasonInvalidSyntax    = "invalid_syntax"      // high
	ReasonDisposable       = "disposable"          // high
	ReasonDomainNotFound   = "domain_not_found"    // high: NXDOMAIN
	ReasonNullMX           = "null_mx"             // high: RFC 7505, the domain takes no mail
	ReasonNoMailServer     = "no_mail_server"      // high: no MX and no A/AAAA
	ReasonConfusable       = "confusable_domain"   // high: letters of another script imitating Latin
	ReasonMixedScript      = "mixed_script_domain" // high: one label mixes scripts
	ReasonTypo             = "possible_typo"       // medium
	ReasonRoleAccount      = "role_account"        // medium
	ReasonQuotedLocal      = "quoted_local_part"   // medium
	ReasonImplicitMX       = "no_mx_record"        // medium: mail goes to the A/AAAA host
	ReasonDNSUnavailable   = "dns_unavailable"     // medium: SERVFAIL, timeout
	ReasonFreeProvider     = "free_provider"       // low
	ReasonInternationalUse = "utf8_local_part"     // low: needs SMTPUTF8 all the way
)

var reasonLevel = map[string]RiskLevel{
	ReasonInvalidSyntax: RiskHigh, ReasonDisposable: RiskHigh, ReasonDomainNotFound: RiskHigh,
	ReasonNullMX: RiskHigh, ReasonNoMailServer: RiskHigh, ReasonConfusable: RiskHigh,
	ReasonMixedScript: RiskHigh, ReasonTypo: RiskMedium, ReasonRoleAccount: RiskMedium,
	ReasonQuotedLocal: RiskMedium, ReasonImplicitMX: RiskMedium, ReasonDNSUnavailable: RiskMedium,
	ReasonFreeProvider: RiskLow, ReasonInternationalUse: RiskLow,
}

// DomainResult is what is known about the address's domain.
type DomainResult struct {
	Name  string `json:"name"`  // Unicode form, lower case
	ASCII string `json:"ascii"` // punycode form
	// Checked is false when DNS was not asked (invalid syntax, DNS disabled) or did not
	// answer; then Exists and AcceptsMail say nothing.
	Checked     bool   `json:"checked"`
	Exists      bool   `json:"exists"`
	MX          []MX   `json:"mx"`
	HasAddress  bool   `json:"has_address"`
	AcceptsMail bool   `json:"accepts_mail"`
	NullMX      bool   `json:"null_mx"`
	Error       string `json:"error,omitempty"`
}

// Result is the outcome of one email check.
type Result struct {
	// Normalized is local@domain with the domain lower-cased in Unicode form;
	// NormalizedASCII the same with the punycode domain. Empty when the syntax is invalid.
	Normalized      string `json:"normalized"`
	NormalizedASCII string `json:"normalized_ascii"`
	ValidSyntax     bool   `json:"valid_syntax"`
	// SyntaxError is the SyntaxError code when ValidSyntax is false.
	SyntaxError    string       `json:"syntax_error,omitempty"`
	QuotedLocal    bool         `json:"quoted_local_part"`
	Domain         DomainResult `json:"domain"`
	Disposable     bool         `json:"disposable"`
	FreeProvider   bool         `json:"free_provider"`
	RoleAccount    bool         `json:"role_account"`
	TypoSuggestion string       `json:"typo_suggestion,omitempty"`
	RiskLevel      RiskLevel    `json:"risk_level"`
	Reasons        []Reason     `json:"reasons"`
	// Lists names the versions of the lists used, so a result can be reproduced.
	Lists ListVersions `json:"lists"`
}

// ListVersions names the lists a result was computed with.
type ListVersions struct {
	Disposable string `json:"disposable"`
	Free       string `json:"free"`
}

func (r *Result) add(code, format string, a ...any) {
	findings.Add(&r.RiskLevel, &r.Reasons, reasonLevel[code], code, format, a...)
}

// HasReason reports whether the result carries the reason code.
func (r *Result) HasReason(code string) bool { return findings.Has(r.Reasons, code) }

// Config builds a Checker.
type Config struct {
	// Resolver answers the DNS questions. When nil, one is made from DNS. SkipDNS turns
	// the lookups off (offline use); the result then says domain.checked=false.
	Resolver *Resolver
	DNS      ResolverConfig
	SkipDNS  bool
	// Disposable is the disposable-domain list. When nil it is loaded from DisposableDir
	// (default DefaultDisposableDir(), filled by scripts/setup/email.sh); NewChecker fails
	// when it is missing rather than call every address non-disposable.
	Disposable    *DomainSet
	DisposableDir string
	// Free is the free-webmail list; nil means EmbeddedFreeProviders().
	Free *DomainSet
}

// Checker checks email addresses. It holds the resolver (and its cache) and the lists,
// and is safe for concurrent use.
type Checker struct {
	resolver   *Resolver
	disposable *DomainSet
	free       *DomainSet
}

// NewChecker loads what cfg does not provide.
func NewChecker(cfg Config) (*Checker, error) {
	c := &Checker{resolver: cfg.Resolver, disposable: cfg.Disposable, free: cfg.Free}
	if c.resolver == nil && !cfg.SkipDNS {
		r, err := NewResolver(cfg.DNS)
		if err != nil {
			return nil, fmt.Errorf("email checker: %w", err)
		}
		c.resolver = r
	}
	if cfg.SkipDNS {
		c.resolver = nil
	}
	if c.disposable == nil {
		dir := cfg.DisposableDir
		if dir == "" {
			dir = DefaultDisposableDir()
		}
		d, err := LoadDisposableDir(dir)
		if err != nil {
			return nil, fmt.Errorf("email checker: %w", err)
		}
		c.disposable = d
	}
	if c.free == nil {
		c.free = EmbeddedFreeProviders()
	}
	return c, nil
}

// Check examines one address. Problems with the address are findings in the Result, never
// errors; the error is only ctx's when it is cancelled or times out. DNS trouble (SERVFAIL,
// a resolver timeout) is the finding dns_unavailable, not an error, so a flaky resolver
// degrades a check instead of failing it. Mailboxes are never probed over SMTP.
func (c *Checker) Check(ctx context.Context, address string) (*Result, error) {
	res := &Result{RiskLevel: RiskLow, Reasons: []Reason{}, Domain: DomainResult{MX: []MX{}},
		Lists: ListVersions{Disposable: c.disposable.Version, Free: c.free.Version}}
	// Only blanks are trimmed: a trailing CR/LF is reported, not silently dropped.
	addr, err := ParseAddress(strings.Trim(address, " \t"))
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			res.SyntaxError = se.Code
			res.add(ReasonInvalidSyntax, "%s", se.Message)
			return res, nil
		}
		return nil, err
	}
	res.ValidSyntax = true
	res.Normalized, res.NormalizedASCII = addr.String(), addr.ASCII()
	res.QuotedLocal = addr.Quoted
	res.Domain.Name, res.Domain.ASCII = addr.Domain, addr.DomainASCII
	domain := addr.DomainASCII

	if addr.Quoted {
		res.add(ReasonQuotedLocal, "the local part is quoted; few providers issue such addresses")
	}
	if addr.UTF8Local {
		res.add(ReasonInternationalUse, "the local part has non-ASCII characters; every mail server on the way must support SMTPUTF8")
	}
	if sc := CheckScripts(addr.Domain); sc.MixedScript || sc.Skeleton != "" {
		if sc.Skeleton != "" {
			res.add(ReasonConfusable, "the domain %s is written with letters of another script that look like %s", addr.Domain, sc.Skeleton)
		}
		if sc.MixedScript {
			res.add(ReasonMixedScript, "a label of the domain mixes letters of different scripts")
		}
	}
	if entry, ok := c.disposable.Match(domain); ok {
		res.Disposable = true
		if entry == domain {
			res.add(ReasonDisposable, "%s is a disposable (temporary) email domain", domain)
		} else {
			res.add(ReasonDisposable, "%s is under %s, whose every subdomain is disposable", domain, entry)
		}
	}
	if c.free.Contains(domain) {
		res.FreeProvider = true
		res.add(ReasonFreeProvider, "%s is a free webmail provider", domain)
	}
	if IsRoleAccount(addr.Local) {
		res.RoleAccount = true
		res.add(ReasonRoleAccount, "%s is a role mailbox, usually shared, not a person's", addr.Local)
	}
	if s := SuggestDomain(domain); s != "" && !res.Disposable {
		res.TypoSuggestion = addr.Local + "@" + s
		res.add(ReasonTypo, "%s looks like a misspelling of %s", domain, s)
	}

	if c.resolver == nil {
		return res, nil
	}
	d, err := c.resolver.LookupMail(ctx, domain)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("check email: %w", ctx.Err())
		}
		res.Domain.Error = err.Error()
		res.add(ReasonDNSUnavailable, "the domain's DNS could not be checked: %s", strings.TrimPrefix(err.Error(), ErrDNS.Error()+": "))
		return res, nil
	}
	res.Domain.Checked = true
	res.Domain.Exists, res.Domain.HasAddress = d.Exists, d.HasAddress
	res.Domain.NullMX, res.Domain.AcceptsMail = d.NullMX, d.AcceptsMail
	if d.MX != nil {
		res.Domain.MX = d.MX
	}
	switch {
	case !d.Exists:
		res.add(ReasonDomainNotFound, "the domain %s does not exist (NXDOMAIN)", domain)
	case d.NullMX:
		res.add(ReasonNullMX, "the domain %s publishes a null MX record: it accepts no email (RFC 7505)", domain)
	case !d.AcceptsMail:
		res.add(ReasonNoMailServer, "the domain %s has neither MX nor A/AAAA records, so mail cannot be delivered", domain)
	case len(d.MX) == 0:
		res.add(ReasonImplicitMX, "the domain %s has no MX record; mail would go to its address record", domain)
	}
	return res, nil
}
