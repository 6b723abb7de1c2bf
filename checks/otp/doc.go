// Package otp holds the one-time-code primitives used to prove that an applicant reads
// an email address or phone number, and the senders that deliver codes and links.
//
// Codes are CodeDigits (6) digits from crypto/rand. Only a hash is stored: HMACHasher
// (HMAC-SHA256 under a server key, with a key id for rotation; recommended) or
// SaltedSHA256 (per-code salt; for set-ups without a key, weaker because 10^6 codes are
// brute-forced offline in milliseconds). The hash is bound to a caller-chosen string
// (address and purpose), so a stored hash cannot be replayed for another address.
// Comparison is constant-time.
//
// The policy is DefaultPolicy: a code expires after 10 minutes, is burnt after 5 wrong
// attempts, and one address gets at most one code per 60 s and 5 per rolling hour. Policy
// methods are pure functions over a small State the caller stores (one per address and
// purpose): Issue returns the next State and the code to send, Verify the next State and
// an error (ErrMismatch, ErrExpired, ErrTooManyAttempts, ErrAlreadyUsed, ErrNoCode);
// rate limits are *LimitError with RetryAfter. Time is passed in, never read.
//
// Senders implement Sender{Send(ctx, Message) error}:
//   - SMTPSender submits mail over STARTTLS (smtp://, required) or implicit TLS
//     (smtps://) with AUTH PLAIN or LOGIN; smtp+insecure:// exists for a local mail
//     catcher and refuses credentials unless the host is loopback.
//   - SMSSender posts to an HTTP SMS gateway with a JSON or form body template holding
//     {{to}} and {{text}}, values escaped for the format.
//   - LogSender only logs the message, code included. It is for development: the service
//     wiring must refuse it for live-mode keys (and for any deployment where the logs are
//     less protected than the mailbox), because a code in a log proves nothing about the
//     applicant.
//
// Texts are localised (en, de, pt; other locales fall back to English) for "your code
// is …" and "your verification link". Every value that reaches a mail header or the SMS
// body is checked: CR or LF anywhere is ErrHeaderInjection, never stripped.
//
// Example:
//
//	st, code, err := otp.DefaultPolicy.Issue(st, now, hasher, "email:"+addr)
//	// store st, then:
//	err = sender.Send(ctx, otp.Message{To: addr, Kind: otp.KindCode, Code: code, Locale: "de"})
//	// later, with what the applicant typed:
//	st, err = otp.DefaultPolicy.Verify(st, typed, time.Now(), hasher, "email:"+addr)
package otp
