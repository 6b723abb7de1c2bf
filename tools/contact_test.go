package tools_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/email/emailtest"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// logBuffer collects what the development log sender writes, so a test can read the code.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// code is the last code the log sender wrote for the address.
func (b *logBuffer) code(t *testing.T, to string) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var last string
	for _, line := range strings.Split(b.buf.String(), "\n") {
		if strings.Contains(line, "to="+to+" ") || strings.Contains(line, `to="`+to+`"`) {
			_, text, _ := strings.Cut(line, "text=")
			if m := codeRE.FindStringSubmatch(text); m != nil {
				last = m[1]
			}
		}
	}
	require.NotEmpty(t, last, "no code logged for %s", to)
	return last
}

// testChecker is an email engine over an in-test DNS server and a small disposable list.
func testChecker(t *testing.T) *email.Checker {
	t.Helper()
	dns := emailtest.Start(t, emailtest.Zone{
		MX: map[string][]string{
			"example.com": {"10 mx.example.com"}, "gmail.com": {"5 gmail-smtp-in.l.google.com"},
			"mailinator.com": {"10 mail.mailinator.com"}, "nomail.example": {"0 ."}, "acme.example": {"10 mx.acme.example"},
		},
		NXDomain: []string{"gmial.com"},
	})
	c, err := email.NewChecker(email.Config{DNS: email.ResolverConfig{Server: dns.Addr},
		Disposable: email.NewDomainSet("test", []string{"mailinator.com"}, nil)})
	require.NoError(t, err)
	return c
}

type contactEnv struct {
	*tooltest.Env
	log    *logBuffer
	offset *atomic.Int64 // added to the store's clock
}

// newContactEnv is a registry whose contact service delivers codes of test keys to a log
// (live keys: nothing configured, unless opts say so) on a store whose clock the test moves.
func newContactEnv(t *testing.T, s *db.Store, opts verify.ContactOptions) *contactEnv {
	t.Helper()
	checks := verify.ContactRunners(s)
	checks[models.CheckScreening] = tooltest.Check{Outcome: models.OutcomePass}
	e := tooltest.New(t, s, checks)
	lb := &logBuffer{}
	if opts.Dev == nil {
		opts.Dev = otp.LogSender{Logger: slog.New(slog.NewTextHandler(lb, nil))}
	}
	if opts.Email == nil {
		opts.Email = testChecker(t)
	}
	e.Reg.Deps().Contact = verify.NewContact(e.Verify, opts)
	off := &atomic.Int64{}
	s.SetClock(func() time.Time { return time.Now().Add(time.Duration(off.Load())) })
	return &contactEnv{Env: e, log: lb, offset: off}
}

func (c *contactEnv) advance(d time.Duration) { c.offset.Add(int64(d)) }

func TestVerifyEmailFindings(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})
	for _, tc := range []struct {
		address, risk, reason string
		check                 func(t *testing.T, r tools.EmailCheck)
	}{
		{"someone@mailinator.com", "high", email.ReasonDisposable, func(t *testing.T, r tools.EmailCheck) { require.True(t, r.Disposable) }},
		{"info@example.com", "medium", email.ReasonRoleAccount, func(t *testing.T, r tools.EmailCheck) { require.True(t, r.RoleAccount) }},
		{"Jane.Doe@GMIAL.com", "high", email.ReasonTypo, func(t *testing.T, r tools.EmailCheck) {
			require.Equal(t, "Jane.Doe@gmail.com", r.TypoSuggestion)
			require.True(t, r.Domain.Checked)
			require.False(t, r.Domain.Exists)
		}},
		{"not an address", "high", email.ReasonInvalidSyntax, func(t *testing.T, r tools.EmailCheck) {
			require.False(t, r.ValidSyntax)
			require.NotEmpty(t, r.SyntaxError)
		}},
		{"a@nomail.example", "high", email.ReasonNullMX, func(t *testing.T, r tools.EmailCheck) { require.True(t, r.Domain.NullMX) }},
		{"jane.doe@gmail.com", "low", email.ReasonFreeProvider, func(t *testing.T, r tools.EmailCheck) {
			require.True(t, r.FreeProvider)
			require.True(t, r.Domain.AcceptsMail)
			require.Equal(t, []tools.EmailMX{{Host: "gmail-smtp-in.l.google.com", Pref: 5}}, r.Domain.MX)
		}},
	} {
		t.Run(tc.address, func(t *testing.T) {
			var r tools.EmailCheck
			require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": tc.address, "external_ref": "cust-1"}, &r))
			require.True(t, strings.HasPrefix(r.ID, "eml_"), r.ID)
			require.Equal(t, tc.risk, r.RiskLevel)
			require.Contains(t, reasonCodes(r.Reasons), tc.reason)
			require.Equal(t, "cust-1", r.ExternalRef)
			require.Empty(t, r.CodeID)
			tc.check(t, r)
		})
	}
	// Stored sealed: the address is nowhere in clear in the row.
	var row models.ContactCheck
	require.NoError(t, e.Store.DB.NewSelect().Model(&row).Where("kind = 'email'").Limit(1).Scan(context.Background()))
	for _, clear := range []string{"mailinator", "example.com", "gmail", "nomail"} {
		require.NotContains(t, string(row.Result), clear)
	}
	require.Len(t, row.AddressHash, 64)
}

func reasonCodes(rs []tools.ContactReason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func TestVerifyPhoneFindings(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})
	for _, tc := range []struct {
		name, phone, country string
		check                func(t *testing.T, r tools.PhoneCheck)
	}{
		{"mobile", "+49 151 23456789", "", func(t *testing.T, r tools.PhoneCheck) {
			require.True(t, r.Valid)
			require.Equal(t, "+4915123456789", r.E164)
			require.Equal(t, "mobile", r.Type)
			require.Equal(t, "DE", r.Region)
			require.Equal(t, "low", r.RiskLevel)
		}},
		{"national with alpha-3 default region", "0151 23456789", "DEU", func(t *testing.T, r tools.PhoneCheck) {
			require.Equal(t, "+4915123456789", r.E164)
		}},
		{"fictional", "+44 7700 900123", "", func(t *testing.T, r tools.PhoneCheck) {
			require.True(t, r.Fictional)
			require.Contains(t, reasonCodes(r.Reasons), "fictional_number")
		}},
		{"invalid", "12", "DE", func(t *testing.T, r tools.PhoneCheck) {
			require.False(t, r.Valid)
			require.Equal(t, "high", r.RiskLevel)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r tools.PhoneCheck
			args := map[string]any{"phone": tc.phone}
			if tc.country != "" {
				args["country"] = tc.country
			}
			require.Nil(t, e.Call(t, e.Test, "verify_phone", args, &r))
			require.True(t, strings.HasPrefix(r.ID, "phn_"), r.ID)
			tc.check(t, r)
		})
	}
	te := e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "0151 23456789", "country": "XX"}, nil)
	require.Equal(t, tools.CodeInvalidArgument, te.Code)
	require.Equal(t, "country", te.Field)

	// Attached to a verification, the number's country is compared with the applicant's.
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"},
		"applicant": map[string]any{"name": "A B", "country": "AT"}}, &v))
	var r tools.PhoneCheck
	require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "+49 151 23456789", "verification_id": v.ID}, &r))
	require.True(t, r.CountryMismatch)
	require.Equal(t, "AT", r.ExpectedCountry)
	require.Contains(t, reasonCodes(r.Reasons), "country_mismatch")
	require.Equal(t, v.ID, r.VerificationID)
	// … and a national number defaults to the applicant's country.
	require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "0664 1234567", "verification_id": v.ID}, &r))
	require.Equal(t, "AT", r.Region)
	require.False(t, r.CountryMismatch)
}

// TestContactCodeLifecycle: send (log sender, test key), wrong and right code, replay,
// the resend and hourly limits, expiry, the attempts limit, a superseded code, and live keys
// without a sender — on both databases.
func TestContactCodeLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newContactEnv(t, s, verify.ContactOptions{})
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"},
			"applicant": map[string]any{"name": "A B"}, "locale": "de"}, &v))

		var r tools.EmailCheck
		require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "Jane@Acme.example", "send_code": true, "verification_id": v.ID}, &r))
		require.True(t, strings.HasPrefix(r.CodeID, "otp_"), r.CodeID)
		require.Equal(t, "log", r.Delivery)
		require.WithinDuration(t, e.Store.Now().Add(10*time.Minute), *r.ExpiresAt, 5*time.Second)
		code := e.log.code(t, "Jane@acme.example")

		te := e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": r.CodeID, "code": wrong(code)}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "code", te.Field)
		require.Contains(t, te.Message, "4 attempt(s) left")

		var conf tools.CodeConfirmation
		require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": r.CodeID, "code": code[:3] + " " + code[3:]}, &conf))
		require.True(t, conf.Confirmed)
		require.Equal(t, r.ID, conf.CheckID)
		require.Equal(t, "email", conf.Kind)
		require.Equal(t, v.ID, conf.VerificationID)
		evs := e.Events(t, e.Test, v.ID)
		last := evs[len(evs)-1]
		require.Equal(t, verify.EventEmailConfirmed, last.Type)
		require.Equal(t, r.ID, last.Data["check_id"])
		require.NotContains(t, strings.ToLower(strings.Join(eventStrings(evs), " ")), "acme.example")

		te = e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": r.CodeID, "code": code}, nil)
		require.Equal(t, tools.CodeConflict, te.Code, "replay after success")
		require.Contains(t, te.Message, "already been used")

		// Resend limits: one a minute, five an hour per address.
		te = e.Call(t, e.Test, "verify_email", map[string]any{"email": "jane@acme.example", "send_code": true}, nil)
		require.Equal(t, tools.CodeRateLimited, te.Code)
		require.Positive(t, te.RetryAfterSeconds)
		for i := 2; i <= 5; i++ {
			e.advance(61 * time.Second)
			require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "jane@acme.example", "send_code": true}, &r), "send %d", i)
		}
		e.advance(61 * time.Second)
		te = e.Call(t, e.Test, "verify_email", map[string]any{"email": "jane@acme.example", "send_code": true}, nil)
		require.Equal(t, tools.CodeRateLimited, te.Code)
		require.Contains(t, te.Message, "last hour")
		// Another account's limits are its own.
		require.Nil(t, e.Call(t, e.OtherAccount, "verify_email", map[string]any{"email": "jane@acme.example", "send_code": true}, nil))

		// Expiry, by the store's clock.
		var p tools.PhoneCheck
		require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "+49 151 23456789", "send_code": true, "verification_id": v.ID}, &p))
		require.Equal(t, "log", p.Delivery)
		code = e.log.code(t, "+4915123456789")
		e.advance(10*time.Minute + time.Second)
		te = e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": p.CodeID, "code": code}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "expired")

		// A newer code supersedes the older; the newer confirms the phone.
		require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "+49 151 23456789", "send_code": true, "verification_id": v.ID}, &p))
		old, oldCode := p.CodeID, e.log.code(t, "+4915123456789")
		e.advance(61 * time.Second)
		require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "+4915123456789", "send_code": true, "verification_id": v.ID}, &p))
		te = e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": old, "code": oldCode}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "newer code")
		require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": p.CodeID, "code": e.log.code(t, "+4915123456789")}, &conf))
		require.Equal(t, "phone", conf.Kind)
		evs = e.Events(t, e.Test, v.ID)
		require.Equal(t, verify.EventPhoneConfirmed, evs[len(evs)-1].Type)

		// Five wrong guesses burn the code: the right one no longer works.
		require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "max@acme.example", "send_code": true}, &r))
		code = e.log.code(t, "max@acme.example")
		for i := 1; i <= 5; i++ {
			te = e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": r.CodeID, "code": wrong(code)}, nil)
			if i < 5 {
				require.Equal(t, tools.CodeInvalidArgument, te.Code, "guess %d", i)
			} else {
				require.Equal(t, tools.CodeConflict, te.Code, "guess %d", i)
			}
		}
		te = e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": r.CodeID, "code": code}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "too many")

		// Live keys never get the log sender: unavailable, naming the flag. A check alone works.
		te = e.Call(t, e.Live, "verify_email", map[string]any{"email": "live@acme.example", "send_code": true}, nil)
		require.Equal(t, tools.CodeUnavailable, te.Code)
		require.Contains(t, te.Message, "--smtp-url")
		te = e.Call(t, e.Live, "verify_phone", map[string]any{"phone": "+49 151 23456780", "send_code": true}, nil)
		require.Equal(t, tools.CodeUnavailable, te.Code)
		require.Contains(t, te.Message, "--sms-url")
		var plain tools.EmailCheck
		require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "live@acme.example"}, &plain))
		require.Empty(t, plain.CodeID)

		// Addresses that cannot take a code.
		te = e.Call(t, e.Test, "verify_email", map[string]any{"email": "a@nomail.example", "send_code": true}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "email", te.Field)
		te = e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "+49 30 1234567", "send_code": true}, nil)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "phone", te.Field)
	})
}

func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func eventStrings(evs []tooltest.Event) []string {
	var out []string
	for _, ev := range evs {
		for k, v := range ev.Data {
			if s, ok := v.(string); ok {
				out = append(out, k+"="+s)
			}
		}
	}
	return out
}

// Another account's (or mode's) codes and verifications are not found.
func TestContactCodeIsolation(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "A B"}}, &v))
	var r tools.EmailCheck
	require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "iso@acme.example", "send_code": true, "verification_id": v.ID}, &r))
	code := e.log.code(t, "iso@acme.example")
	for _, c := range []tools.Caller{e.OtherAccount, e.Live} {
		te := e.Call(t, c, "confirm_code", map[string]any{"code_id": r.CodeID, "code": code}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)
		require.Equal(t, "code_id", te.Field)
		te = e.Call(t, c, "verify_email", map[string]any{"email": "x@acme.example", "verification_id": v.ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)
		require.Equal(t, "verification_id", te.Field)
	}
	te := e.Call(t, e.ReadOnly, "confirm_code", map[string]any{"code_id": r.CodeID, "code": code}, nil)
	require.Equal(t, tools.CodePermissionDenied, te.Code)
	// The owner's code still works: the foreign guesses did not count.
	require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": r.CodeID, "code": code}, nil))
}

// mailCatcher is an in-process SMTP server keeping what it receives.
type mailCatcher struct {
	mu   sync.Mutex
	msgs []string
}

type catcherSession struct{ c *mailCatcher }

func (s catcherSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s catcherSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s catcherSession) Data(r io.Reader) error {
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	s.c.msgs = append(s.c.msgs, string(b))
	s.c.mu.Unlock()
	return nil
}
func (s catcherSession) Reset()        {}
func (s catcherSession) Logout() error { return nil }

// only is the body of the one message the catcher received, which went to to.
func (c *mailCatcher) only(t *testing.T, to string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(t, c.msgs, 1)
	require.Contains(t, c.msgs[0], "To: <"+to+">")
	_, body, _ := strings.Cut(c.msgs[0], "\r\n\r\n")
	return body
}

// startMailCatcher runs a mail catcher until the test ends, with a sender that mails to it.
func startMailCatcher(t *testing.T) (*mailCatcher, *otp.SMTPSender) {
	t.Helper()
	mc := &mailCatcher{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return catcherSession{mc}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	mail, err := otp.NewSMTPSender(otp.SMTPConfig{URL: "smtp+insecure://" + ln.Addr().String(), MailFrom: "Acme <verify@acme.example>"})
	require.NoError(t, err)
	return mc, mail
}

// TestVerifyEmailSMTP sends a code to a real SMTP server with a live key and confirms it
// with what arrived in the mail.
func TestVerifyEmailSMTP(t *testing.T) {
	t.Parallel()
	mc, mail := startMailCatcher(t)
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{Mail: mail, Product: "Acme"})

	var r tools.EmailCheck
	require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "jane@acme.example", "send_code": true, "locale": "de"}, &r))
	require.Equal(t, "smtp", r.Delivery)
	body := mc.only(t, "jane@acme.example")
	m := codeRE.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	var conf tools.CodeConfirmation
	require.Nil(t, e.Call(t, e.Live, "confirm_code", map[string]any{"code_id": r.CodeID, "code": m[1]}, &conf))
	require.True(t, conf.Confirmed)
}

// failingSender fails the first fail sends, then records what it delivers.
type failingSender struct {
	mu   sync.Mutex
	fail int
	sent []otp.Message
}

func (f *failingSender) Send(_ context.Context, m otp.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return io.ErrUnexpectedEOF
	}
	f.sent = append(f.sent, m)
	return nil
}

// A failed delivery sends nothing and costs nothing; a retry with the same idempotency key
// does not send a second code; one API key's sends are bounded across addresses.
func TestContactCodeDelivery(t *testing.T) {
	t.Parallel()
	mail := &failingSender{fail: 1}
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{Mail: mail, KeySendsPerHour: 3})

	te := e.Call(t, e.Live, "verify_email", map[string]any{"email": "a@acme.example", "send_code": true}, nil)
	require.Equal(t, tools.CodeUnavailable, te.Code)
	require.Contains(t, te.Message, "could not be delivered")
	require.Positive(t, te.RetryAfterSeconds)
	var r, again tools.EmailCheck
	require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "a@acme.example", "send_code": true, "idempotency_key": "k1"}, &r),
		"the failed send did not count against the one-a-minute limit")
	require.Equal(t, "smtp", r.Delivery)
	require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "a@acme.example", "send_code": true, "idempotency_key": "k1"}, &again))
	require.Equal(t, r.CodeID, again.CodeID)
	mail.mu.Lock()
	require.Len(t, mail.sent, 1, "a replayed request sends no second code")
	require.Equal(t, "a@acme.example", mail.sent[0].To)
	mail.mu.Unlock()

	require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "b@acme.example", "send_code": true}, nil))
	require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": "c@acme.example", "send_code": true}, nil))
	te = e.Call(t, e.Live, "verify_email", map[string]any{"email": "d@acme.example", "send_code": true}, nil)
	require.Equal(t, tools.CodeRateLimited, te.Code)
	require.Contains(t, te.Message, "API key")
	// Variants of one mailbox share its limit.
	te = e.Call(t, e.Test, "verify_email", map[string]any{"email": "x@acme.example", "send_code": true}, nil)
	require.Nil(t, te)
	te = e.Call(t, e.Test, "verify_email", map[string]any{"email": "X+promo@ACME.example", "send_code": true}, nil)
	require.Equal(t, tools.CodeRateLimited, te.Code)
}

// The email and phone checks of a verification: opt-in, unsubmittable until confirmed,
// approved with confirmed low-risk contacts, sent to review with a high-risk one.
func TestEmailPhoneChecksInPipeline(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"applicant": map[string]any{"name": "A B"}}, &v))
	require.Equal(t, []string{"screening"}, v.Checks, "email and phone are never default checks")

	confirm := func(tool, field, value, to, verificationID string) {
		t.Helper()
		var out struct {
			CodeID string `json:"code_id"`
		}
		require.Nil(t, e.Call(t, e.Test, tool, map[string]any{field: value, "send_code": true, "verification_id": verificationID}, &out))
		require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": out.CodeID, "code": e.log.code(t, to)}, nil))
	}

	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"email", "phone"},
		"applicant": map[string]any{"name": "A B", "country": "DE"}}, &v))
	te := e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil)
	require.Equal(t, tools.CodeConflict, te.Code)
	require.Contains(t, te.Message, "email: a confirmed email address")
	require.Contains(t, te.Message, "phone: a confirmed phone number")
	confirm("verify_email", "email", "jane@acme.example", "jane@acme.example", v.ID)
	confirm("verify_phone", "phone", "0151 23456789", "+4915123456789", v.ID)
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID, "wait_seconds": 30}, &v))
	require.Equal(t, "approved", v.Status)
	require.Len(t, v.Result.Checks, 2)
	require.Equal(t, models.OutcomePass, v.Result.Checks[0].Outcome)
	require.Equal(t, "low", v.Result.Checks[0].Details["risk_level"])

	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"email"}, "applicant": map[string]any{"name": "A B"}}, &v))
	confirm("verify_email", "email", "someone@mailinator.com", "someone@mailinator.com", v.ID)
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID, "wait_seconds": 30}, &v))
	require.Equal(t, "needs_review", v.Status)
	require.Equal(t, "email_high_risk", v.Result.Checks[0].Reasons[0].Code)
	require.Equal(t, []any{"disposable"}, v.Result.Checks[0].Details["reasons"])
}
