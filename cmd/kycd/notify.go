package main

import (
	"fmt"
	"log/slog"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// notifyOptions configure team notifications (verify/notifications.go): e-mail through the
// same mail server as the one-time codes (--smtp-url, --mail-from), webhook-style POSTs under
// the webhook target policy, links to this server's dashboard.
func notifyOptions(cfg *Config, logger *slog.Logger) (*verify.NotifyOptions, error) {
	opts := &verify.NotifyOptions{Hooks: webhook.NewClient(cfg.webhookPolicy(), "kycd-notifications/"+version),
		DashboardURL: cfg.PublicURL + "/dashboard/", Product: cfg.Contact.Product, Logger: logger}
	if cfg.Contact.SMTPURL != "" {
		m, err := otp.NewSMTPSender(otp.SMTPConfig{URL: cfg.Contact.SMTPURL, MailFrom: cfg.Contact.MailFrom, Product: cfg.Contact.Product})
		if err != nil {
			return nil, fmt.Errorf("smtp-url: %w", err)
		}
		opts.Mailer = m
	} else {
		logger.Debug("team notifications by e-mail need --smtp-url; webhook-style notifications work without it")
	}
	return opts, nil
}
