package otp

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/emersion/go-smtp"
)

// BounceError is a sender's permanent refusal of the recipient itself (not of kycd's
// message, credentials or the gateway's health): the mailbox does not exist, the number is
// not a number the gateway can reach. Callers remember such addresses (issue #28) and do not
// send to them again for a while. Reason is a short code for the class of refusal.
type BounceError struct {
	Reason string
	Err    error
}

func (e *BounceError) Error() string {
	return fmt.Sprintf("recipient refused (%s): %v", e.Reason, e.Err)
}

func (e *BounceError) Unwrap() error { return e.Err }

// Bounced reports whether err is a permanent refusal of the recipient, with its reason.
func Bounced(err error) (string, bool) {
	var b *BounceError
	if errors.As(err, &b) {
		return b.Reason, true
	}
	return "", false
}

// smtpBounce classifies an error to RCPT TO: RFC 5321's recipient-specific permanent
// replies (550 mailbox unavailable, 551 user not local, 553 mailbox name not allowed) and
// RFC 3463's 5.1.x (bad destination address) are bounces; 552/554 and the rest speak of the
// message or of kycd's standing with the server, so they are not remembered against the
// address.
func smtpBounce(err error) error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.EnhancedCode[0] == 5 && se.EnhancedCode[1] == 1:
		return &BounceError{Reason: fmt.Sprintf("smtp_%d_5.1.%d", se.Code, se.EnhancedCode[2]), Err: err}
	case se.Code == 550 || se.Code == 551 || se.Code == 553:
		return &BounceError{Reason: fmt.Sprintf("smtp_%d", se.Code), Err: err}
	}
	return err
}

// smsBounce: a gateway that answers 404 (no such recipient), 410 (number gone) or 422
// (the number is not valid for it) refuses the recipient; 400 is as often kycd's body
// template as the number, and 401/403/429/5xx are about the account or the gateway.
func smsBounce(status int, err error) error {
	switch status {
	case http.StatusNotFound, http.StatusGone, http.StatusUnprocessableEntity:
		return &BounceError{Reason: fmt.Sprintf("sms_%d", status), Err: err}
	}
	return err
}
