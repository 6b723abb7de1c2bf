package tools

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/findings"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/checks/phone"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// ContactReason is one finding of an email or phone check.
type ContactReason struct {
	Code    string `json:"code" jsonschema:"machine-readable reason code, e.g. disposable, role_account, possible_typo, country_mismatch, previously_bounced"`
	Message string `json:"message" jsonschema:"what was found, for a person"`
}

// ContactRecord is what verify_email and verify_phone both say about the stored check and
// the code they sent.
type ContactRecord struct {
	VerificationID string     `json:"verification_id,omitempty" jsonschema:"the verification the check is attached to"`
	ExternalRef    string     `json:"external_ref,omitempty" jsonschema:"your reference"`
	CreatedAt      time.Time  `json:"created_at" jsonschema:"when the check ran"`
	CodeID         string     `json:"code_id,omitempty" jsonschema:"the code sent (otp_…) when send_code was true: give it to confirm_code with what the applicant typed"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty" jsonschema:"when the code stops working (10 minutes after sending)"`
	Delivery       string     `json:"delivery,omitempty" jsonschema:"how the code went out: smtp (email), sms (phone), or log (a test-mode key without a configured sender: the code is only in the server log)" enum:"smtp,sms,log"`
}

func contactRecord(chk *models.ContactCheck, c *verify.SentCode) ContactRecord {
	r := ContactRecord{VerificationID: optional(chk.VerificationID), ExternalRef: optional(chk.ExternalRef), CreatedAt: chk.CreatedAt.UTC()}
	if c != nil {
		t := c.ExpiresAt.UTC()
		r.CodeID, r.ExpiresAt, r.Delivery = c.ID, &t, c.Channel
	}
	return r
}

// contactSummary is the one-line summary of a check: head, the risk and its reasons, the code.
func contactSummary(head, risk string, reasons []ContactReason, extra string, r ContactRecord) string {
	s := fmt.Sprintf("%s, %s risk", head, risk)
	if len(reasons) > 0 {
		codes := make([]string, len(reasons))
		for i, x := range reasons {
			codes[i] = x.Code
		}
		s += " (" + strings.Join(codes, ", ") + ")"
	}
	s += extra
	if r.CodeID != "" {
		s += fmt.Sprintf("; code %s sent by %s", r.CodeID, r.Delivery)
	}
	return s + "."
}

func contactReasons(rs []findings.Reason) []ContactReason {
	out := make([]ContactReason, 0, len(rs))
	for _, r := range rs {
		out = append(out, ContactReason{Code: r.Code, Message: r.Message})
	}
	return out
}

func optional(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// contactService returns the contact service or says it is not there.
func contactService(d *Deps) (*verify.Contact, error) {
	if d == nil || d.Contact == nil {
		return nil, Errorf(CodeUnavailable, "", "email and phone checks are not configured on this server")
	}
	return d.Contact, nil
}

// contactErr turns the contact service's errors into what the caller can act on; field is
// the address input (email or phone).
func contactErr(err error, field string) error {
	var noSender *verify.NoSenderError
	var cannot *verify.CannotSendError
	var limit *otp.LimitError
	var wrong *verify.CodeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, verify.ErrEmailUnavailable):
		return Errorf(CodeUnavailable, "", "%v", err)
	case errors.As(err, &noSender):
		return Errorf(CodeUnavailable, "send_code", "%v", noSender)
	case errors.As(err, &cannot):
		return invalid(cannot.Field, "%s", cannot.Message)
	case errors.As(err, &limit):
		secs := int(math.Ceil(limit.RetryAfter.Seconds()))
		e := Errorf(CodeRateLimited, "send_code", "%s; retry in %d s", limitMessage(limit), max(1, secs))
		e.RetryAfterSeconds = max(1, secs)
		return e
	case errors.Is(err, verify.ErrDelivery):
		return &Error{Code: CodeUnavailable, Field: "send_code", Message: err.Error() + "; nothing was sent, retry shortly", RetryAfterSeconds: 30}
	case errors.Is(err, verify.ErrVerificationClosed):
		return Errorf(CodeConflict, "verification_id", "%v", err)
	case errors.Is(err, phone.ErrCountry):
		return invalid("country", "not an ISO 3166-1 alpha-2 or alpha-3 country code")
	case errors.As(err, &wrong):
		return invalid("code", "the code is wrong; %d attempt(s) left", wrong.AttemptsLeft)
	case errors.Is(err, otp.ErrExpired):
		return Errorf(CodeConflict, "code", "the code has expired; send a new one (send_code)")
	case errors.Is(err, otp.ErrTooManyAttempts):
		return Errorf(CodeConflict, "code", "too many wrong attempts: the code no longer works; send a new one (send_code)")
	case errors.Is(err, otp.ErrAlreadyUsed):
		return Errorf(CodeConflict, "code", "the code has already been used")
	case errors.Is(err, verify.ErrSuperseded):
		return Errorf(CodeConflict, "code_id", "%v", err)
	case errors.Is(err, otp.ErrNoCode):
		return Errorf(CodeConflict, "code_id", "no code was issued")
	case errors.Is(err, db.ErrNotFound):
		if field == "code_id" {
			return storeErr(err, "code", "code_id")
		}
		return storeErr(err, "verification", "verification_id")
	}
	return err
}

func limitMessage(l *otp.LimitError) string {
	switch {
	case errors.Is(l, otp.ErrResendTooSoon):
		return fmt.Sprintf("a code was sent to this address less than %s ago", otp.DefaultPolicy.ResendInterval)
	case errors.Is(l, otp.ErrTooManySends):
		return "too many codes were sent to this address in the last hour"
	case errors.Is(l, verify.ErrKeySendLimit):
		return verify.ErrKeySendLimit.Error()
	case errors.Is(l, verify.ErrIPSendLimit):
		return verify.ErrIPSendLimit.Error()
	}
	return l.Error()
}

func contactRequest(c Caller, address, country string, send bool, verificationID, ref, locale string) verify.ContactRequest {
	return verify.ContactRequest{Address: address, Country: country, SendCode: send, VerificationID: verificationID,
		ExternalRef: ref, Locale: locale, KeyID: c.KeyID, ClientIP: c.ClientIP}
}
