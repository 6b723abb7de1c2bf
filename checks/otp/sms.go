package otp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// SMSConfig configures a generic HTTP SMS gateway (Twilio-, Vonage- or in-house-style).
type SMSConfig struct {
	// URL receives the request, e.g. "https://api.gateway.example/v1/messages".
	URL string
	// Method defaults to POST.
	Method string
	// AuthHeader is sent as the Authorization header ("Bearer …", "Basic …"); it never
	// appears in errors.
	AuthHeader string
	// Headers are extra request headers.
	Headers map[string]string
	// Format is "json" (default) or "form"; it sets Content-Type and how {{to}} and
	// {{text}} are escaped into Body.
	Format string
	// Body is the request body with {{to}} (E.164) and {{text}} placeholders, e.g.
	// `{"to":"{{to}}","message":"{{text}}"}` or "To={{to}}&Body={{text}}". Default for
	// json: {"to":"{{to}}","text":"{{text}}"}; for form: to={{to}}&text={{text}}.
	Body string
	// Client is the HTTP client (default: one with Timeout).
	Client  *http.Client
	Timeout time.Duration // default 15 s
	// Product is the service name in the texts when a Message has none.
	Product string
}

// SMSSender sends texts through an HTTP gateway. Any 2xx status is success.
type SMSSender struct {
	cfg    SMSConfig
	client *http.Client
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// NewSMSSender validates cfg, including that the body template renders to valid JSON
// (json format) for a sample message.
func NewSMSSender(cfg SMSConfig) (*SMSSender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("sms sender: URL must be an absolute http(s) URL")
	}
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	switch cfg.Format {
	case "", "json":
		cfg.Format = "json"
		if cfg.Body == "" {
			cfg.Body = `{"to":"{{to}}","text":"{{text}}"}`
		}
	case "form":
		if cfg.Body == "" {
			cfg.Body = "to={{to}}&text={{text}}"
		}
	default:
		return nil, fmt.Errorf("sms sender: format %q: want json or form", cfg.Format)
	}
	if !strings.Contains(cfg.Body, "{{text}}") {
		return nil, fmt.Errorf("sms sender: body template has no {{text}}")
	}
	for k, v := range cfg.Headers {
		if strings.ContainsAny(k+v, "\r\n") {
			return nil, fmt.Errorf("sms sender: header %q: %w", k, ErrHeaderInjection)
		}
	}
	if strings.ContainsAny(cfg.AuthHeader, "\r\n") {
		return nil, fmt.Errorf("sms sender: auth header: %w", ErrHeaderInjection)
	}
	s := &SMSSender{cfg: cfg, client: cfg.Client}
	if cfg.Format == "json" && !json.Valid([]byte(s.render("+15550100", "sample \"text\"\n"))) {
		return nil, fmt.Errorf("sms sender: body template does not render to valid JSON (placeholders go inside quotes)")
	}
	if s.client == nil {
		t := cfg.Timeout
		if t <= 0 {
			t = 15 * time.Second
		}
		s.client = &http.Client{Timeout: t}
	}
	return s, nil
}

// render fills the template, escaping values for the body's format.
func (s *SMSSender) render(to, text string) string {
	esc := url.QueryEscape
	if s.cfg.Format == "json" {
		esc = func(v string) string {
			b, _ := json.Marshal(v)
			return string(b[1 : len(b)-1])
		}
	}
	return strings.NewReplacer("{{to}}", esc(to), "{{text}}", esc(text)).Replace(s.cfg.Body)
}

// Send renders m's SMS text and posts it. The recipient must be E.164.
func (s *SMSSender) Send(ctx context.Context, m Message) error {
	if m.Product == "" {
		m.Product = s.cfg.Product
	}
	txt, err := Render(m)
	if err != nil {
		return err
	}
	if !e164.MatchString(m.To) {
		return fmt.Errorf("%w: recipient must be an E.164 number", ErrInvalidMessage)
	}
	req, err := http.NewRequestWithContext(ctx, s.cfg.Method, s.cfg.URL, bytes.NewBufferString(s.render(m.To, txt.SMS)))
	if err != nil {
		return fmt.Errorf("sms: build request: %w", err)
	}
	if s.cfg.Format == "json" {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range s.cfg.Headers {
		req.Header.Set(k, v)
	}
	if s.cfg.AuthHeader != "" {
		req.Header.Set("Authorization", s.cfg.AuthHeader)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("sms: %w", ctx.Err())
		}
		return fmt.Errorf("sms: post to gateway %s: %w", req.URL.Host, redactURLError(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return smsBounce(resp.StatusCode, fmt.Errorf("sms: gateway answered %s: %s", resp.Status, strings.TrimSpace(strings.ToValidUTF8(string(body), "?"))))
	}
	return nil
}

// redactURLError drops the URL (which may carry an API key in its query) from a client error.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
