package otp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
)

// testCert is a self-signed certificate for 127.0.0.1 and the pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kycd test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}, pool
}

type received struct {
	from, to, data, mech, user string
	tls                        bool
}

// mailServer is an in-process go-smtp server that requires AUTH (PLAIN or LOGIN) and
// records what it accepts.
type mailServer struct {
	mu    sync.Mutex
	got   []received
	mechs []string
}

type session struct {
	srv  *mailServer
	conn *smtp.Conn
	cur  received
}

func (s *session) AuthMechanisms() []string { return s.srv.mechs }

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != "kyc@acme.example" || pass != "p@ss:w/rd" {
			return errors.New("bad credentials")
		}
		s.cur.mech, s.cur.user = mech, user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, u, p string) error { return check(u, p) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of AUTH LOGIN, which go-sasl does not provide.
type loginServer struct {
	check func(user, pass string) error
	user  string
	step  int
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "nobody@"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	case strings.HasPrefix(to, "gone@"):
		return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.NoEnhancedCode, Message: "mailbox name not allowed"}
	case strings.HasPrefix(to, "full@"):
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"}
	case strings.HasPrefix(to, "later@"):
		return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "try again later"}
	}
	s.cur.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, s.cur)
	s.srv.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func (m *mailServer) last(t *testing.T) received {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.NotEmpty(t, m.got)
	return m.got[len(m.got)-1]
}

// startSMTP runs the server on a plain listener (STARTTLS offered when startTLS) or a TLS one.
func startSMTP(t *testing.T, implicitTLS, startTLS bool, mechs ...string) (*mailServer, string, *x509.CertPool) {
	t.Helper()
	cert, pool := testCert(t)
	ms := &mailServer{mechs: mechs}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: ms, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if startTLS {
		srv.TLSConfig = tlsCfg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if implicitTLS {
		ln = tls.NewListener(ln, tlsCfg)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ms, ln.Addr().String(), pool
}

func decodeMessage(t *testing.T, data string) (*mail.Message, string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	return msg, subject, string(body)
}

func TestSMTPSender(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, scheme string
		implicit     bool
		mechs        []string
		query        string
		wantMech     string
	}{
		{"starttls-plain", "smtp", false, []string{sasl.Plain, sasl.Login}, "", sasl.Plain},
		{"starttls-login-only", "smtp", false, []string{sasl.Login}, "", sasl.Login},
		{"starttls-forced-login", "smtp", false, []string{sasl.Plain, sasl.Login}, "?auth=login", sasl.Login},
		{"implicit-tls-plain", "smtps", true, []string{sasl.Plain}, "", sasl.Plain},
		{"implicit-tls-login", "smtps", true, []string{sasl.Login}, "?auth=LOGIN", sasl.Login},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ms, addr, pool := startSMTP(t, c.implicit, !c.implicit, c.mechs...)
			s, err := otp.NewSMTPSender(otp.SMTPConfig{
				URL:       c.scheme + "://kyc%40acme.example:p%40ss%3Aw%2Frd@" + addr + "/" + c.query,
				MailFrom:  "Acme Bank <verify@acme.example>",
				TLSConfig: &tls.Config{RootCAs: pool},
				Product:   "Acme Bank",
				Timeout:   10 * time.Second,
			})
			require.NoError(t, err)
			require.NoError(t, s.Send(context.Background(), otp.Message{To: "jane.doe@example.com", Kind: otp.KindCode, Code: "042517", Locale: "de-DE"}))
			got := ms.last(t)
			require.True(t, got.tls, "the message went over TLS")
			require.Equal(t, c.wantMech, got.mech)
			require.Equal(t, "verify@acme.example", got.from)
			require.Equal(t, "jane.doe@example.com", got.to)
			msg, subject, body := decodeMessage(t, got.data)
			require.Equal(t, "Ihr Bestätigungscode für Acme Bank", subject)
			require.Contains(t, body, "Ihr Bestätigungscode für Acme Bank lautet 042517")
			require.Contains(t, body, "10 Minuten")
			require.Equal(t, "de", msg.Header.Get("Content-Language"))
			require.Equal(t, "auto-generated", msg.Header.Get("Auto-Submitted"))
			from, err := msg.Header.AddressList("From")
			require.NoError(t, err)
			require.Equal(t, "Acme Bank", from[0].Name)
			require.NotEmpty(t, msg.Header.Get("Message-ID"))
			require.NotEmpty(t, msg.Header.Get("Date"))
		})
	}
}

func TestSMTPLinkPortuguese(t *testing.T) {
	t.Parallel()
	ms, addr, pool := startSMTP(t, true, false, sasl.Plain)
	s, err := otp.NewSMTPSender(otp.SMTPConfig{URL: "smtps://kyc%40acme.example:p%40ss%3Aw%2Frd@" + addr, MailFrom: "verify@acme.example", TLSConfig: &tls.Config{RootCAs: pool}})
	require.NoError(t, err)
	link := "https://verify.acme.example/verify/tok_" + strings.Repeat("a", 80)
	require.NoError(t, s.Send(context.Background(), otp.Message{To: "joao@example.pt", Kind: otp.KindLink, Link: link, Locale: "pt-PT", TTL: 24 * time.Hour}))
	_, subject, body := decodeMessage(t, ms.last(t).data)
	require.Equal(t, "O seu link de verificação kycd", subject)
	require.Contains(t, body, link, "a long link survives quoted-printable line wrapping")
	require.Contains(t, body, "1440 minutos")
}

func TestSMTPFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	msg := otp.Message{To: "jane@example.com", Kind: otp.KindCode, Code: "123456"}

	// smtp:// demands STARTTLS: a server without it gets no credentials.
	_, addr, pool := startSMTP(t, false, false, sasl.Plain)
	s, err := otp.NewSMTPSender(otp.SMTPConfig{URL: "smtp://kyc%40acme.example:p%40ss%3Aw%2Frd@" + addr, MailFrom: "v@acme.example", TLSConfig: &tls.Config{RootCAs: pool}})
	require.NoError(t, err)
	err = s.Send(ctx, msg)
	require.ErrorContains(t, err, "STARTTLS")

	// An untrusted certificate fails the handshake.
	_, addr, _ = startSMTP(t, true, false, sasl.Plain)
	s, err = otp.NewSMTPSender(otp.SMTPConfig{URL: "smtps://u:secret-password@" + addr, MailFrom: "v@acme.example"})
	require.NoError(t, err)
	err = s.Send(ctx, msg)
	require.ErrorContains(t, err, "TLS handshake")

	// Wrong password: an authentication error that does not contain the password.
	_, addr, pool = startSMTP(t, true, false, sasl.Plain)
	s, err = otp.NewSMTPSender(otp.SMTPConfig{URL: "smtps://kyc%40acme.example:wrong-secret@" + addr, MailFrom: "v@acme.example", TLSConfig: &tls.Config{RootCAs: pool}})
	require.NoError(t, err)
	err = s.Send(ctx, msg)
	require.ErrorContains(t, err, "authenticate")
	require.NotContains(t, err.Error(), "wrong-secret")
	require.NotContains(t, err.Error(), "123456")

	// A cancelled context stops the send.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, s.Send(cctx, msg))

	// A server that never answers runs into the timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s, err = otp.NewSMTPSender(otp.SMTPConfig{URL: "smtp://" + ln.Addr().String(), MailFrom: "v@acme.example", Timeout: 300 * time.Millisecond})
	require.NoError(t, err)
	start := time.Now()
	require.Error(t, s.Send(ctx, msg))
	require.Less(t, time.Since(start), 5*time.Second)
}

// A permanent refusal of the recipient at RCPT is a bounce (remembered by the caller); a full
// mailbox, a temporary refusal and kycd's own errors are not.
func TestSMTPBounces(t *testing.T) {
	t.Parallel()
	_, addr, pool := startSMTP(t, true, false, sasl.Plain)
	s, err := otp.NewSMTPSender(otp.SMTPConfig{URL: "smtps://kyc%40acme.example:p%40ss%3Aw%2Frd@" + addr, MailFrom: "v@acme.example", TLSConfig: &tls.Config{RootCAs: pool}})
	require.NoError(t, err)
	for to, want := range map[string]string{
		"nobody@example.com": "smtp_550_5.1.1",
		"gone@example.com":   "smtp_553",
		"full@example.com":   "",
		"later@example.com":  "",
		"jane@example.com":   "-", // delivered
	} {
		err := s.Send(context.Background(), otp.Message{To: to, Kind: otp.KindCode, Code: "123456"})
		if want == "-" {
			require.NoError(t, err, to)
			continue
		}
		require.Error(t, err, to)
		reason, bounced := otp.Bounced(err)
		require.Equal(t, want != "", bounced, "%s: %v", to, err)
		require.Equal(t, want, reason, to)
	}
}

func TestSMTPHeaderInjection(t *testing.T) {
	t.Parallel()
	ms, addr, pool := startSMTP(t, true, false, sasl.Plain)
	cfg := otp.SMTPConfig{URL: "smtps://kyc%40acme.example:p%40ss%3Aw%2Frd@" + addr, MailFrom: "verify@acme.example", TLSConfig: &tls.Config{RootCAs: pool}}
	s, err := otp.NewSMTPSender(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	for _, m := range []otp.Message{
		{To: "jane@example.com\r\nBcc: victim@example.org", Kind: otp.KindCode, Code: "123456"},
		{To: "jane@example.com\nBcc: victim@example.org", Kind: otp.KindCode, Code: "123456"},
		{To: "jane@example.com", Kind: otp.KindCode, Code: "123456", Product: "Acme\r\nBcc: victim@example.org"},
		{To: "jane@example.com", Kind: otp.KindCode, Code: "123456", Locale: "en\r\nX-Evil: 1"},
		{To: "jane@example.com", Kind: otp.KindLink, Link: "https://a.example/\r\n\r\nfake body"},
	} {
		require.ErrorIs(t, s.Send(ctx, m), otp.ErrHeaderInjection, "%q", m)
	}
	for _, to := range []string{"Jane <jane@example.com>", "jane@example.com, victim@example.org", "not an address", ""} {
		require.ErrorIs(t, s.Send(ctx, otp.Message{To: to, Kind: otp.KindCode, Code: "123456"}), otp.ErrInvalidMessage, to)
	}
	ms.mu.Lock()
	require.Empty(t, ms.got, "nothing was sent")
	ms.mu.Unlock()
	for _, bad := range []otp.SMTPConfig{
		{URL: "smtps://h:465", MailFrom: "Acme\r\nBcc: x@y.z <v@acme.example>"},
		{URL: "smtps://h:465", MailFrom: "v@acme.example", Product: "A\nB"},
		{URL: "smtps://h:465\r\n", MailFrom: "v@acme.example"},
	} {
		_, err := otp.NewSMTPSender(bad)
		require.ErrorIs(t, err, otp.ErrHeaderInjection)
	}
}

func TestSMTPConfig(t *testing.T) {
	t.Parallel()
	for _, bad := range []otp.SMTPConfig{
		{URL: "http://h", MailFrom: "v@a.example"},
		{URL: "smtp://", MailFrom: "v@a.example"},
		{URL: "smtp://h", MailFrom: ""},
		{URL: "smtp://h", MailFrom: "not an address"},
		{URL: "smtp://h?auth=cram-md5", MailFrom: "v@a.example"},
		{URL: "smtp+insecure://u:p@mail.example.com", MailFrom: "v@a.example"},
	} {
		_, err := otp.NewSMTPSender(bad)
		require.Error(t, err, bad.URL)
	}
	for _, good := range []string{"smtp://mail.example.com", "smtps://u:p@mail.example.com", "smtp+insecure://localhost:1025", "smtp+insecure://u:p@127.0.0.1:1025"} {
		_, err := otp.NewSMTPSender(otp.SMTPConfig{URL: good, MailFrom: "v@a.example"})
		require.NoError(t, err, good)
	}
}

// TestSMTPInsecureLocal sends to a plain local catcher (no TLS, no AUTH).
func TestSMTPInsecureLocal(t *testing.T) {
	t.Parallel()
	ms := &mailServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: ms, conn: c, cur: received{user: "anonymous"}}, nil
	}))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s, err := otp.NewSMTPSender(otp.SMTPConfig{URL: "smtp+insecure://" + ln.Addr().String(), MailFrom: "v@acme.example"})
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), otp.Message{To: "a@example.com", Kind: otp.KindCode, Code: "123456"}))
	_, subject, body := decodeMessage(t, ms.last(t).data)
	require.Equal(t, "Your kycd verification code", subject)
	require.Contains(t, body, "123456")
}
