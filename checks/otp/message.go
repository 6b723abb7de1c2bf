package otp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is what a message carries.
type Kind string

// Message kinds.
const (
	KindCode Kind = "code" // "your code is 123456"
	KindLink Kind = "link" // "your verification link: https://…"
)

// Message is one code or link to deliver. To is an email address for the SMTP sender and
// an E.164 number for the SMS sender.
type Message struct {
	To     string
	Kind   Kind
	Code   string        // for KindCode
	Link   string        // for KindLink
	Locale string        // BCP 47 ("de", "pt-BR"); unknown locales fall back to English
	TTL    time.Duration // how long the code or link is valid, said in the text; 0 = CodeTTL
	// Product names the service in the text ("Acme Bank"); default "kycd".
	Product string
}

// Sender delivers a message. Implementations: SMTPSender, SMSSender and LogSender.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrHeaderInjection is returned when a value that would go into a mail header or an
// SMS gateway field contains CR or LF.
var ErrHeaderInjection = errors.New("otp: CR or LF in a header value")

// ErrInvalidMessage is returned for a message that cannot be sent as given.
var ErrInvalidMessage = errors.New("otp: invalid message")

// Text is a rendered message.
type Text struct {
	Subject string // for email
	Body    string // plain text, lines separated by \n
	SMS     string // one short line for SMS
	Lang    string // the language used (en, de, pt)
}

type catalog struct {
	codeSubject, codeBody, codeSMS string
	linkSubject, linkBody, linkSMS string
	minutes                        string
}

// catalogs are the localised texts. %[1]s product, %[2]s code or link, %[3]s validity.
var catalogs = map[string]catalog{
	"en": {
		codeSubject: "Your %[1]s verification code",
		codeBody:    "Your %[1]s verification code is %[2]s\n\nIt is valid for %[3]s. If you did not ask for it, you can ignore this message.\nNever share this code with anyone, including people who say they work for %[1]s.",
		codeSMS:     "Your %[1]s code is %[2]s. Valid for %[3]s. Do not share it.",
		linkSubject: "Your %[1]s verification link",
		linkBody:    "Open this link to continue your verification with %[1]s:\n\n%[2]s\n\nThe link is valid for %[3]s. If you did not ask for it, you can ignore this message.",
		linkSMS:     "Your %[1]s verification link: %[2]s (valid for %[3]s)",
		minutes:     "%d minutes",
	},
	"de": {
		codeSubject: "Ihr Bestätigungscode für %[1]s",
		codeBody:    "Ihr Bestätigungscode für %[1]s lautet %[2]s\n\nEr ist %[3]s gültig. Wenn Sie ihn nicht angefordert haben, können Sie diese Nachricht ignorieren.\nGeben Sie diesen Code niemals weiter, auch nicht an Personen, die angeben, für %[1]s zu arbeiten.",
		codeSMS:     "Ihr %[1]s-Code lautet %[2]s. %[3]s gültig. Nicht weitergeben.",
		linkSubject: "Ihr Bestätigungslink für %[1]s",
		linkBody:    "Öffnen Sie diesen Link, um Ihre Verifizierung bei %[1]s fortzusetzen:\n\n%[2]s\n\nDer Link ist %[3]s gültig. Wenn Sie ihn nicht angefordert haben, können Sie diese Nachricht ignorieren.",
		linkSMS:     "Ihr Bestätigungslink für %[1]s: %[2]s (%[3]s gültig)",
		minutes:     "%d Minuten",
	},
	"pt": {
		codeSubject: "O seu código de verificação %[1]s",
		codeBody:    "O seu código de verificação %[1]s é %[2]s\n\nÉ válido durante %[3]s. Se não o pediu, pode ignorar esta mensagem.\nNunca partilhe este código com ninguém, nem com quem diga trabalhar para %[1]s.",
		codeSMS:     "O seu código %[1]s é %[2]s. Válido durante %[3]s. Não o partilhe.",
		linkSubject: "O seu link de verificação %[1]s",
		linkBody:    "Abra este link para continuar a sua verificação com %[1]s:\n\n%[2]s\n\nO link é válido durante %[3]s. Se não o pediu, pode ignorar esta mensagem.",
		linkSMS:     "O seu link de verificação %[1]s: %[2]s (válido durante %[3]s)",
		minutes:     "%d minutos",
	},
}

// lang picks the catalog for a BCP 47 tag: its primary subtag when supported, else English.
func lang(locale string) string {
	l := strings.ToLower(locale)
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if _, ok := catalogs[l]; ok {
		return l
	}
	return "en"
}

// Render produces the localised texts of m after checking it: a code must be CodeDigits
// digits, a link an https (or http for localhost) URL, and no field may hold CR or LF.
func Render(m Message) (Text, error) {
	for _, v := range []string{m.To, m.Code, m.Link, m.Locale, m.Product} {
		if strings.ContainsAny(v, "\r\n") {
			return Text{}, ErrHeaderInjection
		}
	}
	product := m.Product
	if product == "" {
		product = "kycd"
	}
	if len(product) > 64 || strings.ContainsFunc(product, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Text{}, fmt.Errorf("%w: product name", ErrInvalidMessage)
	}
	ttl := m.TTL
	if ttl <= 0 {
		ttl = CodeTTL
	}
	l := lang(m.Locale)
	c := catalogs[l]
	validity := fmt.Sprintf(c.minutes, int(ttl.Round(time.Minute)/time.Minute))
	switch m.Kind {
	case KindCode:
		if _, ok := NormalizeCode(m.Code); !ok || len(m.Code) != CodeDigits {
			return Text{}, fmt.Errorf("%w: the code must be %d digits", ErrInvalidMessage, CodeDigits)
		}
		return Text{
			Subject: fmt.Sprintf(c.codeSubject, product, m.Code, validity),
			Body:    fmt.Sprintf(c.codeBody, product, m.Code, validity),
			SMS:     fmt.Sprintf(c.codeSMS, product, m.Code, validity),
			Lang:    l,
		}, nil
	case KindLink:
		if !validLink(m.Link) {
			return Text{}, fmt.Errorf("%w: the link must be an absolute https URL", ErrInvalidMessage)
		}
		return Text{
			Subject: fmt.Sprintf(c.linkSubject, product, m.Link, validity),
			Body:    fmt.Sprintf(c.linkBody, product, m.Link, validity),
			SMS:     fmt.Sprintf(c.linkSMS, product, m.Link, validity),
			Lang:    l,
		}, nil
	}
	return Text{}, fmt.Errorf("%w: unknown kind %q", ErrInvalidMessage, m.Kind)
}

func validLink(s string) bool {
	if len(s) > 2048 || strings.ContainsAny(s, " \t\"<>") {
		return false
	}
	return strings.HasPrefix(s, "https://") && len(s) > len("https://") ||
		strings.HasPrefix(s, "http://localhost") || strings.HasPrefix(s, "http://127.0.0.1")
}
