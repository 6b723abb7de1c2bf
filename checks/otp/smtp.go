package otp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPConfig configures the SMTP sender.
type SMTPConfig struct {
	// URL says where and how to submit:
	//   smtp://user:pass@host:587   STARTTLS, required (default port 587)
	//   smtps://user:pass@host:465  implicit TLS (default port 465)
	//   smtp+insecure://host:1025   no TLS, for a local mail catcher in development; refused
	//                               with credentials unless the host is a loopback address
	// User and password are percent-decoded. ?auth=plain or ?auth=login forces a SASL
	// mechanism; by default PLAIN is used when offered, else LOGIN.
	URL string
	// MailFrom is the From header and envelope sender: "Acme <verify@acme.example>".
	MailFrom string
	// TLSConfig overrides the TLS settings (RootCAs in tests); ServerName defaults to the
	// URL's host.
	TLSConfig *tls.Config
	// Timeout bounds one send, connection to QUIT (default 30 s); a ctx deadline wins when
	// earlier.
	Timeout time.Duration
	// Product is the service name in the texts when a Message has none.
	Product string
}

// SMTPSender submits messages to a mail server (the operator's relay or provider).
type SMTPSender struct {
	addr    string
	host    string
	mode    string // "starttls", "tls", "insecure"
	user    string
	pass    string
	hasAuth bool
	mech    string
	from    *mail.Address
	tls     *tls.Config
	timeout time.Duration
	product string
	now     func() time.Time
}

// NewSMTPSender validates cfg.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if strings.ContainsAny(cfg.URL+cfg.MailFrom+cfg.Product, "\r\n") {
		return nil, fmt.Errorf("smtp sender: %w", ErrHeaderInjection)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("smtp sender: parse URL: invalid URL")
	}
	s := &SMTPSender{timeout: cfg.Timeout, product: cfg.Product, now: time.Now}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		s.mode, port = "starttls", cmpStr(port, "587")
	case "smtps":
		s.mode, port = "tls", cmpStr(port, "465")
	case "smtp+insecure":
		s.mode, port = "insecure", cmpStr(port, "25")
	default:
		return nil, fmt.Errorf("smtp sender: URL scheme %q: want smtp, smtps or smtp+insecure", u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, fmt.Errorf("smtp sender: URL has no host")
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		s.hasAuth = s.user != ""
	}
	if s.mode == "insecure" && s.hasAuth && !isLoopback(s.host) {
		return nil, fmt.Errorf("smtp sender: refusing to send credentials without TLS to %s", s.host)
	}
	switch m := strings.ToLower(u.Query().Get("auth")); m {
	case "", "plain", "login":
		s.mech = m
	default:
		return nil, fmt.Errorf("smtp sender: auth=%q: want plain or login", m)
	}
	if cfg.MailFrom == "" {
		return nil, fmt.Errorf("smtp sender: mail-from is required")
	}
	s.from, err = mail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("smtp sender: mail-from %q: %w", cfg.MailFrom, err)
	}
	if cfg.TLSConfig != nil {
		s.tls = cfg.TLSConfig.Clone()
	} else {
		s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = s.host
	}
	return s, nil
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send renders m and submits it. Errors never include the password or the code.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if m.Product == "" {
		m.Product = s.product
	}
	txt, err := Render(m)
	if err != nil {
		return err
	}
	return s.SendText(ctx, m.To, txt)
}

// SendText submits an already rendered text to one bare address: what Send does after
// rendering, for other messages kycd sends (team notifications).
func (s *SMTPSender) SendText(ctx context.Context, rcpt string, txt Text) error {
	if strings.ContainsAny(rcpt+txt.Subject+txt.Lang, "\r\n") {
		return ErrHeaderInjection
	}
	to, err := mail.ParseAddress(rcpt)
	if err != nil || to.Name != "" {
		return fmt.Errorf("%w: recipient is not a bare email address", ErrInvalidMessage)
	}
	msg, err := s.build(to, txt)
	if err != nil {
		return err
	}
	deadline := s.now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(dctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("smtp: connect %s: %w", s.addr, err)
	}
	_ = conn.SetDeadline(deadline)
	// Cancelling ctx closes the connection, which unblocks any read or write.
	stop := context.AfterFunc(dctx, func() { _ = conn.Close() })
	defer stop()

	var c *smtp.Client
	switch s.mode {
	case "tls":
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return fmt.Errorf("smtp: TLS handshake with %s: %w", s.addr, err)
		}
		c = smtp.NewClient(tc)
	case "starttls":
		if c, err = smtp.NewClientStartTLS(conn, s.tls); err != nil {
			conn.Close()
			return fmt.Errorf("smtp: STARTTLS with %s: %w", s.addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if s.hasAuth {
		if err := c.Auth(s.saslClient(c)); err != nil {
			return fmt.Errorf("smtp: authenticate as %s: %w", s.user, err)
		}
	}
	if err := c.Mail(s.from.Address, nil); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address, nil); err != nil {
		return smtpBounce(fmt.Errorf("smtp: RCPT TO: %w", err))
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return fmt.Errorf("smtp: write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: message not accepted: %w", err)
	}
	if err := c.Quit(); err != nil {
		// The message was accepted; a failed QUIT does not undo that.
		return nil
	}
	return nil
}

func (s *SMTPSender) saslClient(c *smtp.Client) sasl.Client {
	mech := s.mech
	if mech == "" {
		mech = "login"
		if c.SupportsAuth(sasl.Plain) || !c.SupportsAuth(sasl.Login) {
			mech = "plain"
		}
	}
	if mech == "login" {
		return sasl.NewLoginClient(s.user, s.pass)
	}
	return sasl.NewPlainClient("", s.user, s.pass)
}

// build writes the RFC 5322 message: headers checked for CR/LF, the subject RFC 2047
// encoded, the body quoted-printable UTF-8 with CRLF line ends.
func (s *SMTPSender) build(to *mail.Address, txt Text) ([]byte, error) {
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("message id: %w", err)
	}
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	headers := [][2]string{
		{"From", s.from.String()},
		{"To", to.String()},
		{"Subject", mime.QEncoding.Encode("utf-8", txt.Subject)},
		{"Date", s.now().Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id[:]) + "@" + domain + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		{"Content-Language", txt.Lang},
		{"Auto-Submitted", "auto-generated"},
	}
	var b bytes.Buffer
	for _, h := range headers {
		if err := checkHeader(h[1]); err != nil {
			return nil, err
		}
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(txt.Body, "\n", "\r\n") + "\r\n")); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// checkHeader refuses a header value that could start a new header or end the header block.
func checkHeader(v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return ErrHeaderInjection
	}
	return nil
}
