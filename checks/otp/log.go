package otp

import (
	"context"
	"log/slog"
)

// LogSender writes messages to a logger instead of delivering them: for development
// only. It logs the code or link in clear, so the service wiring refuses it in live mode
// (see the package documentation).
type LogSender struct {
	Logger *slog.Logger // default slog.Default()
}

// Send logs m's rendered text.
func (l LogSender) Send(ctx context.Context, m Message) error {
	txt, err := Render(m)
	if err != nil {
		return err
	}
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	lg.InfoContext(ctx, "otp message (log sender, development only)",
		"to", m.To, "kind", string(m.Kind), "lang", txt.Lang, "subject", txt.Subject, "text", txt.SMS)
	return nil
}
