package tools

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// SendVerificationLinkInput names the verification and where to send its hosted link.
type SendVerificationLinkInput struct {
	ID string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	LinkTarget
	Locale string `json:"locale,omitempty" jsonschema:"language of the message; default: the verification's locale, else en" enum:"en,de,pt"`
}

// LinkTarget is where a hosted link goes: exactly one of email and phone.
type LinkTarget struct {
	Email string `json:"email,omitempty" jsonschema:"email address: the link goes by mail" maxLength:"320"`
	Phone string `json:"phone,omitempty" jsonschema:"mobile number in E.164 (+4915123456789): the link goes by SMS" maxLength:"64"`
}

// check: exactly one of email and phone; prefix goes before the field names.
func (t LinkTarget) check(prefix string) error {
	switch {
	case strings.TrimSpace(t.Email) != "" && strings.TrimSpace(t.Phone) != "":
		return invalid(prefix+"phone", "give either email or phone, not both")
	case strings.TrimSpace(t.Email) == "" && strings.TrimSpace(t.Phone) == "":
		return invalid(prefix+"email", "required: an email address or (instead) a phone number to send the link to")
	}
	return nil
}

// LinkSent is a hosted link that went out.
type LinkSent struct {
	ID             string    `json:"id" jsonschema:"the send (lnk_…)"`
	VerificationID string    `json:"verification_id" jsonschema:"the verification whose link was sent"`
	Channel        string    `json:"channel" jsonschema:"how it went out: smtp (email), sms (phone), or log (a test-mode key without a configured sender: the link is only in the server log)" enum:"smtp,sms,log"`
	SendCount      int       `json:"send_count" jsonschema:"links sent for this verification so far, this one included"`
	SendsLeft      int       `json:"sends_left" jsonschema:"links that may still be sent for this verification (at most 3 in all)"`
	ExpiresAt      time.Time `json:"expires_at" jsonschema:"when the link stops working (the verification's session expiry)"`
	SentAt         time.Time `json:"sent_at" jsonschema:"when it was sent"`
}

// SendVerificationLink sends a verification's hosted link to the applicant.
var SendVerificationLink = Tool[SendVerificationLinkInput, LinkSent]{
	Name:     "send_verification_link",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","email":"jane.doe@example.com","locale":"de"}`},
	Title:    "Send the hosted link",
	Brief:    "mail or text a pending / in-progress verification's hosted link to the applicant (`email` or `phone`), localised (en/de/pt); at most 3 sends per verification; the address is stored sealed",
	Description: "Send a verification's hosted link (hosted_url) to the applicant by email or SMS — give exactly one of email and phone — in their language (en, de, pt), " +
		"saying who asks (this server's product name) and until when the link works. Only pending or in-progress verifications (conflict otherwise). " +
		fmt.Sprintf("At most %d links per verification (conflict after that), at most one a minute and 5 an hour per address. ", verify.MaxLinkSends) +
		"Live keys need a configured sender (--smtp-url for email, --sms-url for phone); test keys without one get the link in the server log. " +
		"Phone numbers must be valid mobile or VoIP numbers. The address is stored encrypted and never appears in events: verification.link_sent carries only the channel and the send count.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/link", Status: 201},
	Creates:     true,
	Summary:     summarizeLinkSent,
	Handle: func(ctx context.Context, d *Deps, c Caller, in SendVerificationLinkInput) (LinkSent, error) {
		if _, err := getVerification(ctx, d, c, in.ID); err != nil {
			return LinkSent{}, err
		}
		return sendLink(ctx, d, c, strings.TrimSpace(in.ID), in.LinkTarget, in.Locale, "")
	},
}

// sendLink sends the hosted link of verification id; prefix is put before the field names of
// errors (send_link_to. for create_verification).
func sendLink(ctx context.Context, d *Deps, c Caller, id string, to LinkTarget, locale, prefix string) (LinkSent, error) {
	svc, err := contactService(d)
	if err != nil {
		return LinkSent{}, err
	}
	if err := to.check(prefix); err != nil {
		return LinkSent{}, err
	}
	l, err := svc.SendLink(ctx, c.scope(), verify.LinkRequest{VerificationID: id, Email: to.Email, Phone: to.Phone,
		Locale: locale, BaseURL: d.PublicURL, KeyID: c.KeyID})
	if err != nil {
		return LinkSent{}, linkErr(err, prefix)
	}
	return LinkSent{ID: l.ID, VerificationID: id, Channel: l.Channel, SendCount: l.SendCount, SendsLeft: max(0, verify.MaxLinkSends-l.SendCount),
		ExpiresAt: l.ExpiresAt.UTC(), SentAt: l.SentAt.UTC()}, nil
}

// linkErr maps the errors of SendLink; the address field is prefix+"email" or prefix+"phone".
func linkErr(err error, prefix string) error {
	var noSender *verify.NoSenderError
	var cannot *verify.CannotSendError
	switch {
	case errors.Is(err, verify.ErrLinkLimit), errors.Is(err, verify.ErrLinkStatus):
		return Errorf(CodeConflict, "id", "%v", err)
	case errors.Is(err, db.ErrNotFound):
		return storeErr(err, "verification", "id")
	case errors.As(err, &noSender):
		return Errorf(CodeUnavailable, prefix+string(noSender.Kind), "%v", noSender)
	case errors.As(err, &cannot):
		return invalid(prefix+cannot.Field, "%s", cannot.Message)
	}
	var limit *otp.LimitError
	if errors.As(err, &limit) {
		msg := limitMessage(limit)
		switch {
		case errors.Is(limit, otp.ErrResendTooSoon):
			msg = fmt.Sprintf("a link was sent to this address less than %s ago", otp.DefaultPolicy.ResendInterval)
		case errors.Is(limit, otp.ErrTooManySends):
			msg = "too many links were sent to this address in the last hour"
		}
		secs := max(1, int(math.Ceil(limit.RetryAfter.Seconds())))
		return &Error{Code: CodeRateLimited, Message: fmt.Sprintf("%s; retry in %d s", msg, secs), RetryAfterSeconds: secs}
	}
	if errors.Is(err, verify.ErrDelivery) {
		return &Error{Code: CodeUnavailable, Message: "the link could not be delivered (" + strings.TrimPrefix(err.Error(), verify.ErrDelivery.Error()+" ") + "); nothing was sent and it does not count, retry shortly", RetryAfterSeconds: 30}
	}
	return err
}

func summarizeLinkSent(l LinkSent) string {
	return fmt.Sprintf("Hosted link of %s sent by %s (%d of %d sends); it works until %s.", l.VerificationID, l.Channel, l.SendCount, verify.MaxLinkSends, l.ExpiresAt.Format(time.RFC3339))
}
