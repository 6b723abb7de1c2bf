// Package email checks an email address given by an applicant: syntax, the domain's mail
// set-up in DNS, disposable and free-webmail lists, role mailboxes, likely typos and
// homograph tricks, and grades the address low, medium or high risk with reasons.
//
// What it does not do, on purpose: it never connects to the domain's mail servers to ask
// whether a mailbox exists (SMTP probing is unreliable, gets the operator's IP block-listed
// and tells the provider about the applicant). Proving that the applicant reads the
// mailbox is the job of a one-time code (package checks/otp).
//
// Design choices that are not obvious:
//   - Syntax is the RFC 5322 addr-spec as providers accept it, not everything the RFC
//     allows: dot-atom or quoted local part (the latter is reported, medium risk), no
//     comments, folding white space, obs-local-part or domain literals; 64/254-octet limits;
//     IDN domains via UTS 46 (golang.org/x/net/idna) with STD3 rules. CR, LF and other
//     control or invisible characters are syntax errors, so a checked address can go into a
//     mail header.
//   - DNS: MX first; no MX means the A/AAAA fallback of RFC 5321 §5.1; a single "0 ." MX is
//     RFC 7505's null MX (no mail at all). NXDOMAIN is a finding, SERVFAIL and timeouts are
//     "unknown" (dns_unavailable), never "does not exist". Answers are cached for their TTL,
//     capped at five minutes, negatives for one minute; failures are not cached. The server
//     is configurable ("host:port", the future --dns-resolver flag).
//   - The disposable list is the npm package disposable-email-domains (index.json exact,
//     wildcard.json every subdomain too), installed by scripts/setup/email.sh at a pinned
//     version and hash; NewChecker refuses to start without it rather than silently call
//     every address non-disposable. The free-provider list is embedded and short.
//   - Typos: Damerau-Levenshtein distance to a list of large providers (1 edit, 2 for long
//     names; short names like qq.com are not matched), then non-existent TLDs one slip away
//     from .com/.net/.org/.de (.con). Real providers one edit from another (email.com vs
//     gmail.com) are not "corrected".
//
// Example:
//
//	c, err := email.NewChecker(email.Config{DNS: email.ResolverConfig{Server: "127.0.0.1:53"}})
//	res, err := c.Check(ctx, "Jane.Doe@GMIAL.com")
//	// res.TypoSuggestion == "Jane.Doe@gmail.com", res.RiskLevel == "medium" (or "high" if
//	// gmial.com does not resolve), res.Reasons[0].Code == "possible_typo"
package email
