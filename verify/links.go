package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/checks/phone"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventLinkSent is a hosted link sent to the applicant (data: channel, send_count — never the
// address).
const EventLinkSent = "verification.link_sent"

// MaxLinkSends bounds the links sent for one verification, whatever the addresses: the link
// carries the session, so every copy is one more place it can leak from.
const MaxLinkSends = 3

// ErrLinkLimit is a verification whose link was already sent MaxLinkSends times.
var ErrLinkLimit = fmt.Errorf("the hosted link of this verification was already sent %d times, the most allowed", MaxLinkSends)

// ErrLinkStatus is a link asked for a verification the applicant can no longer act on.
var ErrLinkStatus = errors.New("the hosted link can only be sent while the verification is pending or in progress")

// HostedURL is the hosted flow's address for a session token under the public base URL.
func HostedURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/verify/" + token
}

// LinkRequest is a hosted link to send: to exactly one of Email and Phone.
type LinkRequest struct {
	VerificationID string
	Email, Phone   string
	// Locale of the message; default: the verification's locale, else English.
	Locale string
	// BaseURL is the public URL the hosted flow is served under.
	BaseURL string
	KeyID   string
}

// SentLink is a link that went out.
type SentLink struct {
	ID        string
	Channel   string // smtp, sms or log
	Kind      models.ContactKind
	SendCount int       // links sent for the verification, this one included
	ExpiresAt time.Time // when the link (the verification's session) stops working
	SentAt    time.Time
}

// SendLink sends a verification's hosted link to the applicant by mail or SMS, through the
// senders codes use, under the link limits (MaxLinkSends per verification, the code policy's
// per-address limits, the key's hourly sends), and records verification.link_sent. A link
// that could not be delivered does not count and records nothing (ErrDelivery).
func (c *Contact) SendLink(ctx context.Context, sc db.Scope, req LinkRequest) (*SentLink, error) {
	kind, to, normalized, err := c.linkAddress(ctx, sc, req)
	if err != nil {
		return nil, err
	}
	sender, channel, err := c.sender(kind, sc.Mode)
	if err != nil {
		return nil, err
	}
	now := c.store.Now()
	l := &models.LinkSend{ID: db.NewID("lnk", now), AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: req.KeyID,
		VerificationID: req.VerificationID, Kind: kind, Channel: channel,
		AddressHash: c.store.Keyring().BlindIndex(kind, indexForm(kind, normalized)), CreatedAt: now}
	var v *models.Verification
	err = c.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if v, err = tx.LockVerification(ctx, sc, req.VerificationID); err != nil {
			return err
		}
		if err := linkable(v, now); err != nil {
			return err
		}
		n, err := tx.LinkSends(ctx, sc, v.ID, l.AddressHash, req.KeyID, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if n.Verification >= MaxLinkSends {
			return ErrLinkLimit
		}
		if n.Key >= c.opts.KeySendsPerHour {
			return &otp.LimitError{Err: ErrKeySendLimit, RetryAfter: 10 * time.Minute}
		}
		if err := c.opts.Policy.CanSend(otp.State{Sends: n.Address}, now); err != nil {
			return err
		}
		return tx.InsertLinkSend(ctx, l, normalized)
	})
	if err != nil {
		return nil, err
	}
	token, err := c.store.Keyring().Open(v.TokenSealed)
	if err != nil {
		return nil, c.unsend(ctx, l, fmt.Errorf("open session token of %s: %w", v.ID, err))
	}
	locale := req.Locale
	if locale == "" {
		locale = v.Locale
	}
	msg := otp.Message{To: to, Kind: otp.KindLink, Link: HostedURL(req.BaseURL, string(token)), Locale: locale,
		TTL: v.ExpiresAt.Sub(now), Product: c.opts.Product}
	if err := sender.Send(ctx, msg); err != nil {
		c.svc.log.WarnContext(ctx, "link delivery failed", "verification", v.ID, "link", l.ID, "channel", channel, "err", err)
		return nil, c.unsend(ctx, l, fmt.Errorf("%w by %s", ErrDelivery, channel))
	}
	out := &SentLink{ID: l.ID, Channel: channel, Kind: kind, ExpiresAt: v.ExpiresAt, SentAt: now}
	err = c.store.InTx(context.WithoutCancel(ctx), func(ctx context.Context, tx *db.Tx) error {
		n, err := tx.LinkSends(ctx, sc, v.ID, l.AddressHash, req.KeyID, now)
		if err != nil {
			return err
		}
		out.SendCount = n.Verification
		return c.svc.RecordEvent(ctx, tx, v, EventLinkSent, "", map[string]any{"channel": channel, "kind": string(kind), "send_count": n.Verification})
	})
	if err != nil {
		return nil, fmt.Errorf("record link sent: %w", err)
	}
	return out, nil
}

// unsend deletes a link row that was not delivered and returns err.
func (c *Contact) unsend(ctx context.Context, l *models.LinkSend, err error) error {
	if derr := c.store.DeleteLinkSend(context.WithoutCancel(ctx), l.ID); derr != nil {
		c.svc.log.ErrorContext(ctx, "delete undelivered link", "link", l.ID, "err", derr)
	}
	return err
}

// linkable: the applicant can still act on the verification.
func linkable(v *models.Verification, now time.Time) error {
	if v.DeletedAt != nil || (v.Status != models.StatusPending && v.Status != models.StatusInProgress) {
		return fmt.Errorf("%w; it is %s", ErrLinkStatus, v.Status)
	}
	if !v.ExpiresAt.After(now) {
		return fmt.Errorf("%w; its session expired at %s", ErrLinkStatus, v.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// linkAddress validates the one address of req: an email address by its syntax, a phone
// number by checks/phone (a valid number that takes SMS; fictional numbers only in test
// mode). It returns the kind, where to deliver and the normalized form.
func (c *Contact) linkAddress(ctx context.Context, sc db.Scope, req LinkRequest) (models.ContactKind, string, string, error) {
	em, ph := strings.TrimSpace(req.Email), strings.TrimSpace(req.Phone)
	switch {
	case em != "" && ph != "":
		return "", "", "", &CannotSendError{Field: "phone", Message: "give either email or phone, not both"}
	case em != "":
		a, err := email.ParseAddress(strings.Trim(req.Email, " \t"))
		if err != nil {
			var se *email.SyntaxError
			if errors.As(err, &se) {
				return "", "", "", &CannotSendError{Field: "email", Message: "cannot send the link to an address that is not valid: " + se.Message}
			}
			return "", "", "", err
		}
		return models.ContactEmail, a.ASCII(), a.String(), nil
	case ph != "":
		v, err := c.store.GetVerification(ctx, sc, req.VerificationID)
		if err != nil {
			return "", "", "", err
		}
		o := phone.Options{}
		if len(v.ApplicantPII) > 0 {
			var a models.ApplicantData
			if err := c.store.Keyring().OpenJSON(v.ApplicantPII, &a); err != nil {
				return "", "", "", fmt.Errorf("open applicant of %s: %w", v.ID, err)
			}
			o.DefaultRegion = a.Country
		}
		res, err := phone.Check(ctx, req.Phone, o)
		if err != nil {
			return "", "", "", err
		}
		switch {
		case res.E164 == "" || !res.Valid:
			return "", "", "", &CannotSendError{Field: "phone", Message: "cannot send the link to a number that is not valid; write it with its country code (+49…)"}
		case !smsCapable(res.Type):
			return "", "", "", &CannotSendError{Field: "phone", Message: fmt.Sprintf("cannot send the link by SMS to a %s number; only mobile and VoIP numbers take it", res.Type)}
		case res.Fictional && sc.Mode == models.ModeLive:
			return "", "", "", &CannotSendError{Field: "phone", Message: "cannot send the link to a fictional number (reserved for drama and tests) with a live key"}
		}
		return models.ContactPhone, res.E164, res.E164, nil
	}
	return "", "", "", &CannotSendError{Field: "email", Message: "required: an email address or a phone number to send the link to"}
}
