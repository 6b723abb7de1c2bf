package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/verify"
)

// ContactSettings configure verify_email, verify_phone and confirm_code: the DNS resolver of
// the email check and the senders of one-time codes.
type ContactSettings struct {
	// SMTPURL and MailFrom configure the mail sender (otp.SMTPConfig); empty = none.
	SMTPURL  string
	MailFrom string
	// SMSURL, SMSAuthHeader, SMSFormat and SMSBody configure the HTTP SMS gateway
	// (otp.SMSConfig); empty URL = none.
	SMSURL        string
	SMSAuthHeader string
	SMSFormat     string
	SMSBody       string
	// DNSResolver is the recursive resolver of the email check (host:port; empty = the first
	// nameserver of /etc/resolv.conf).
	DNSResolver string
	// DisposableDir is where scripts/setup/email.sh installed the disposable-domain list.
	DisposableDir string
	// Product names the service in the codes' texts.
	Product string
}

func (s *ContactSettings) check(only []string) error {
	if len(only) > 0 {
		return nil
	}
	if s.SMSFormat != "json" && s.SMSFormat != "form" {
		return fmt.Errorf("sms-format: %q is not json or form", s.SMSFormat)
	}
	if s.SMTPURL != "" && s.MailFrom == "" {
		return errors.New("mail-from: required with --smtp-url (the From of the codes' mail, e.g. \"Acme <verify@acme.example>\")")
	}
	return nil
}

// startContact builds the email and phone service. Without the disposable-domain list the
// email check is left out (verify_email answers unavailable, saying why) rather than calling
// every address non-disposable; the phone check needs nothing installed. Codes of test-mode
// keys go to the log when no sender is configured; live keys then get unavailable.
func startContact(s ContactSettings, svc *verify.Service, logger *slog.Logger) (*verify.Contact, error) {
	opts := verify.ContactOptions{Dev: otp.LogSender{Logger: logger}, Product: s.Product}
	checker, err := email.NewChecker(email.Config{DNS: email.ResolverConfig{Server: s.DNSResolver}, DisposableDir: s.DisposableDir})
	switch {
	case errors.Is(err, email.ErrListMissing):
		opts.EmailUnavailable = "the disposable-domain list is not installed (run scripts/setup/email.sh)"
		logger.Warn("email checks off: " + opts.EmailUnavailable)
	case err != nil:
		return nil, fmt.Errorf("email check: %w", err)
	default:
		opts.Email = checker
	}
	if s.SMTPURL != "" {
		m, err := otp.NewSMTPSender(otp.SMTPConfig{URL: s.SMTPURL, MailFrom: s.MailFrom, Product: s.Product})
		if err != nil {
			return nil, fmt.Errorf("smtp-url: %w", err)
		}
		opts.Mail = m
	}
	if s.SMSURL != "" {
		m, err := otp.NewSMSSender(otp.SMSConfig{URL: s.SMSURL, AuthHeader: s.SMSAuthHeader, Format: s.SMSFormat, Body: s.SMSBody, Product: s.Product})
		if err != nil {
			return nil, fmt.Errorf("sms-url: %w", err)
		}
		opts.SMS = m
	}
	if opts.Mail == nil || opts.SMS == nil {
		logger.Info("one-time codes of test-mode keys without a configured sender go to this log; live keys need --smtp-url / --sms-url",
			"mail", opts.Mail != nil, "sms", opts.SMS != nil)
	}
	return verify.NewContact(svc, opts), nil
}
