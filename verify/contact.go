package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/findings"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/checks/phone"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Event types of contact confirmations: an email address or phone number attached to a
// verification was proven with a one-time code (data: check_id, code_id, risk_level).
const (
	EventEmailConfirmed = "email.confirmed"
	EventPhoneConfirmed = "phone.confirmed"
)

// DefaultIPSendsPerHour bounds the codes that applicants' sessions from one IP ask for in any
// hour, whatever the addresses and verifications: one browser cycling through numbers is
// SMS pumping, not onboarding.
const DefaultIPSendsPerHour = 10

// ReasonPreviouslyBounced is the check reason of an address a sender refused for good within
// db.BounceMemory; no code is sent to it.
const ReasonPreviouslyBounced = "previously_bounced"

// DefaultKeySendsPerHour bounds the codes one API key sends in any hour, whatever the
// addresses: the per-address limits alone do not stop SMS pumping (toll fraud) through many
// numbers.
const DefaultKeySendsPerHour = 1000

// ContactOptions configure the email and phone service.
type ContactOptions struct {
	// Email is the email engine; nil makes email checks unavailable with EmailUnavailable as
	// the reason (the disposable list not installed, say).
	Email            *email.Checker
	EmailUnavailable string
	// Mail and SMS deliver codes (otp.SMTPSender, otp.SMSSender); nil = not configured.
	Mail, SMS otp.Sender
	// Dev delivers codes of test-mode keys when no real sender is configured (otp.LogSender).
	// It is never used for live-mode keys: a code in a log proves nothing about the applicant.
	Dev otp.Sender
	// Policy is the code policy; the zero value is otp.DefaultPolicy.
	Policy otp.Policy
	// KeySendsPerHour bounds the codes one API key sends in an hour (0 = DefaultKeySendsPerHour).
	KeySendsPerHour int
	// IPSendsPerHour bounds the codes applicants' sessions from one IP ask for in an hour
	// (0 = DefaultIPSendsPerHour).
	IPSendsPerHour int
	// Product names the service in the texts ("Acme Bank"); default "kycd".
	Product string
}

// Contact checks email addresses and phone numbers, sends one-time codes to them and
// confirms the codes. Results and addresses are sealed; a confirmation of an address attached
// to a verification is a timeline event (email.confirmed, phone.confirmed).
type Contact struct {
	svc    *Service
	store  *db.Store
	opts   ContactOptions
	hasher otp.HMACHasher
}

// NewContact builds the contact service over svc's store. Codes are hashed with HMAC-SHA256
// under a key derived from the store's keyring, so rotating the keyring rotates it too.
func NewContact(svc *Service, opts ContactOptions) *Contact {
	if opts.Policy == (otp.Policy{}) {
		opts.Policy = otp.DefaultPolicy
	}
	if opts.KeySendsPerHour <= 0 {
		opts.KeySendsPerHour = DefaultKeySendsPerHour
	}
	if opts.IPSendsPerHour <= 0 {
		opts.IPSendsPerHour = DefaultIPSendsPerHour
	}
	primary, keys := svc.store.Keyring().Derive("otp")
	h := otp.HMACHasher{KeyID: primary, Key: keys[primary], Old: map[string][]byte{}}
	for id, k := range keys {
		if id != primary {
			h.Old[id] = k
		}
	}
	return &Contact{svc: svc, store: svc.store, opts: opts, hasher: h}
}

// Policy is the code policy in force.
func (c *Contact) Policy() otp.Policy { return c.opts.Policy }

// ErrEmailUnavailable: the email engine is not running in this process.
var ErrEmailUnavailable = errors.New("email checks are not available on this server")

// NoSenderError is a code asked for when nothing can deliver it for the caller's mode.
type NoSenderError struct {
	Kind models.ContactKind
	Mode models.Mode
	Flag string // the setting that configures the sender
}

func (e *NoSenderError) Error() string {
	if e.Mode == models.ModeLive {
		return fmt.Sprintf("no %s sender is configured for live mode; set %s (the development log sender is never used for live keys)", e.channel(), e.Flag)
	}
	return fmt.Sprintf("no %s sender is configured; set %s", e.channel(), e.Flag)
}

func (e *NoSenderError) channel() string {
	if e.Kind == models.ContactPhone {
		return "SMS"
	}
	return "mail"
}

// CannotSendError is a code asked for to an address that cannot receive one (invalid, a
// domain without mail, a number that takes no SMS); Field names the input at fault.
type CannotSendError struct{ Field, Message string }

func (e *CannotSendError) Error() string { return e.Message }

// ErrKeySendLimit is the per-key hourly send limit (in a *otp.LimitError).
var ErrKeySendLimit = errors.New("this API key sent too many codes in the last hour")

// ErrIPSendLimit is the per-IP hourly send limit of applicants' sessions (in a *otp.LimitError).
var ErrIPSendLimit = errors.New("too many codes were asked for from this network in the last hour")

// ErrDelivery is a sender that failed; the code was discarded and does not count.
var ErrDelivery = errors.New("the code could not be delivered")

// ErrVerificationClosed is an attachment to a verification that was cancelled, expired or
// erased.
var ErrVerificationClosed = errors.New("the verification is cancelled, expired or erased")

// ErrSuperseded is a code replaced by a newer one sent to the same address.
var ErrSuperseded = errors.New("a newer code was sent to this address; use that one")

// CodeError is a wrong code, with the guesses the code still allows.
type CodeError struct {
	Err          error
	AttemptsLeft int
}

func (e *CodeError) Error() string { return e.Err.Error() }

// Unwrap makes errors.Is see otp.ErrMismatch.
func (e *CodeError) Unwrap() error { return e.Err }

// ContactRequest is one email or phone check.
type ContactRequest struct {
	// Address is the email address or phone number as given.
	Address string
	// Country is the default region of a phone number written without a country code.
	Country        string
	SendCode       bool
	VerificationID string
	ExternalRef    string
	Locale         string
	KeyID          string
	// ClientIP is the applicant's IP when an applicant's session asks (the per-IP budget);
	// empty for API callers, whose address is the integrator's server.
	ClientIP string
}

// SentCode is a code sent with a check.
type SentCode struct {
	ID        string
	ExpiresAt time.Time
	Channel   string // smtp, sms or log
}

// EmailCheck is a stored email check.
type EmailCheck struct {
	Check  *models.ContactCheck
	Result *email.Result
	Code   *SentCode
	// ForcedBy is the test-mode sandbox value that set the result ("" for none; sandbox_contact.go).
	ForcedBy string
}

// PhoneCheck is a stored phone check.
type PhoneCheck struct {
	Check  *models.ContactCheck
	Result *phone.Result
	Code   *SentCode
	// ForcedBy is the test-mode sandbox value that set the result ("" for none; sandbox_contact.go).
	ForcedBy string
}

// CheckEmail checks an address (never probing mailboxes over SMTP), stores the check and,
// when asked, sends a code to it.
func (c *Contact) CheckEmail(ctx context.Context, sc db.Scope, req ContactRequest) (*EmailCheck, error) {
	if c.opts.Email == nil {
		if c.opts.EmailUnavailable != "" {
			return nil, fmt.Errorf("%w: %s", ErrEmailUnavailable, c.opts.EmailUnavailable)
		}
		return nil, ErrEmailUnavailable
	}
	v, err := c.attached(ctx, sc, req.VerificationID)
	if err != nil {
		return nil, err
	}
	res, err := c.opts.Email.Check(ctx, req.Address)
	if err != nil {
		return nil, err
	}
	out := &EmailCheck{Result: res, ForcedBy: sandboxEmail(sc.Mode, res)}
	bounce, err := c.bounce(ctx, sc, models.ContactEmail, res.Normalized, &res.RiskLevel, &res.Reasons)
	if err != nil {
		return nil, err
	}
	var send *pendingSend
	if req.SendCode {
		switch {
		case !res.ValidSyntax:
			return nil, &CannotSendError{Field: "email", Message: "cannot send a code to an address that is not valid: " + res.SyntaxError}
		case res.Domain.Checked && !res.Domain.AcceptsMail:
			return nil, &CannotSendError{Field: "email", Message: "cannot send a code: the domain " + res.Domain.Name + " takes no mail"}
		case bounce != nil:
			return nil, bounceRefusal("email", bounce)
		}
		send = &pendingSend{to: res.NormalizedASCII}
	}
	out.Check, out.Code, err = c.record(ctx, sc, v, req, models.ContactEmail, "eml", res.Normalized, string(res.RiskLevel), res, send)
	return out, err
}

// CheckPhone checks a number (its country against the applicant's when attached to a
// verification), stores the check and, when asked, sends a code to it by SMS.
func (c *Contact) CheckPhone(ctx context.Context, sc db.Scope, req ContactRequest) (*PhoneCheck, error) {
	v, err := c.attached(ctx, sc, req.VerificationID)
	if err != nil {
		return nil, err
	}
	o := phone.Options{DefaultRegion: req.Country}
	if v != nil && len(v.ApplicantPII) > 0 {
		var a models.ApplicantData
		if err := c.store.Keyring().OpenJSON(v.ApplicantPII, &a); err != nil {
			return nil, fmt.Errorf("open applicant of %s: %w", v.ID, err)
		}
		o.ExpectedCountry = a.Country
		if o.DefaultRegion == "" {
			o.DefaultRegion = a.Country
		}
	}
	res, err := phone.Check(ctx, req.Address, o)
	if err != nil {
		return nil, err
	}
	out := &PhoneCheck{Result: res, ForcedBy: sandboxPhone(sc.Mode, res)}
	bounce, err := c.bounce(ctx, sc, models.ContactPhone, res.E164, &res.RiskLevel, &res.Reasons)
	if err != nil {
		return nil, err
	}
	var send *pendingSend
	if req.SendCode {
		switch {
		case res.E164 == "" || !res.Valid:
			return nil, &CannotSendError{Field: "phone", Message: "cannot send a code to a number that is not valid"}
		case !smsCapable(res.Type):
			return nil, &CannotSendError{Field: "phone", Message: fmt.Sprintf("cannot send a code by SMS to a %s number", res.Type)}
		case res.Fictional && sc.Mode == models.ModeLive:
			return nil, &CannotSendError{Field: "phone", Message: "cannot send a code to a fictional number (reserved for drama and tests) with a live key"}
		case bounce != nil:
			return nil, bounceRefusal("phone", bounce)
		}
		send = &pendingSend{to: res.E164}
	}
	out.Check, out.Code, err = c.record(ctx, sc, v, req, models.ContactPhone, "phn", res.E164, string(res.RiskLevel), res, send)
	return out, err
}

// smsCapable: the line types that can take an SMS. Premium-rate numbers are refused even if
// they could (texting them is how SMS pumping earns money), as are fixed lines.
func smsCapable(t phone.Type) bool {
	return t == phone.TypeMobile || t == phone.TypeFixedLineOrMobile || t == phone.TypeVoIP
}

// attached reads the verification a check is attached to (nil when none).
func (c *Contact) attached(ctx context.Context, sc db.Scope, id string) (*models.Verification, error) {
	if id == "" {
		return nil, nil
	}
	v, err := c.store.GetVerification(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	if v.DeletedAt != nil || v.Status == models.StatusCancelled || v.Status == models.StatusExpired {
		return nil, ErrVerificationClosed
	}
	return v, nil
}

// bounce reads the remembered refusal of an address and, when there is one, adds
// previously_bounced to the check's reasons (high risk).
func (c *Contact) bounce(ctx context.Context, sc db.Scope, kind models.ContactKind, normalized string, level *findings.Level, reasons *[]findings.Reason) (*db.ContactBounce, error) {
	if normalized == "" {
		return nil, nil
	}
	b, err := c.store.Bounce(ctx, sc, kind, c.store.Keyring().BlindIndex(kind, indexForm(kind, normalized)))
	if err != nil || b == nil {
		return nil, err
	}
	findings.Add(level, reasons, findings.High, ReasonPreviouslyBounced, "a code sent to this %s on %s was refused for good (%s)",
		noun(kind), b.LastAt.UTC().Format("2006-01-02"), b.Reason)
	return b, nil
}

func noun(kind models.ContactKind) string {
	if kind == models.ContactPhone {
		return "number"
	}
	return "address"
}

// bounceRefusal is the error of a send to a remembered bounce.
func bounceRefusal(field string, b *db.ContactBounce) error {
	return &CannotSendError{Field: field, Message: fmt.Sprintf("cannot send a code: this %s refused one for good on %s (%s); ask the applicant for another",
		noun(b.Kind), b.LastAt.UTC().Format("2006-01-02"), b.Reason)}
}

type pendingSend struct{ to string }

// indexForm is the form of an address the send limits count by: for email the local part
// without its +tag and case-folded, as nearly every provider delivers those variants to one
// mailbox, so they cannot be used to get around the limits.
func indexForm(kind models.ContactKind, normalized string) string {
	if kind != models.ContactEmail {
		return normalized
	}
	local, domain, _ := strings.Cut(strings.ToLower(normalized), "@")
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return local + "@" + domain
}

// binding ties a code's hash to its row, the kind and the address.
func binding(kind models.ContactKind, address, codeID string) string {
	return string(kind) + ":" + address + ":" + codeID
}

// record stores the check and, for send, issues a code under the limits, stores it and
// delivers it. A code that could not be delivered is deleted (it does not count).
func (c *Contact) record(ctx context.Context, sc db.Scope, v *models.Verification, req ContactRequest, kind models.ContactKind,
	prefix, normalized, risk string, result any, send *pendingSend) (*models.ContactCheck, *SentCode, error) {
	now := c.store.Now()
	chk := &models.ContactCheck{ID: db.NewID(prefix, now), AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: req.KeyID,
		Kind: kind, RiskLevel: risk, CreatedAt: now}
	if normalized != "" {
		chk.AddressHash = c.store.Keyring().BlindIndex(kind, indexForm(kind, normalized))
	}
	if v != nil {
		chk.VerificationID = &v.ID
	}
	if ref := strings.TrimSpace(req.ExternalRef); ref != "" {
		chk.ExternalRef = &ref
	}
	var sender otp.Sender
	var code *models.ContactCode
	var plain string
	if send != nil {
		var channel string
		var err error
		if sender, channel, err = c.sender(kind, sc.Mode); err != nil {
			return nil, nil, err
		}
		code = &models.ContactCode{ID: db.NewID("otp", now), AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: req.KeyID,
			CheckID: chk.ID, Kind: kind, VerificationID: chk.VerificationID, AddressHash: chk.AddressHash, Channel: channel,
			CreatedAt: now, UpdatedAt: now}
		if req.ClientIP != "" {
			code.IPHash = c.store.Keyring().SignalHash("ip", req.ClientIP)
		}
	}
	err := c.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.InsertContactCheck(ctx, chk, result); err != nil {
			return err
		}
		if code == nil {
			return nil
		}
		sends, keySends, err := tx.ContactSends(ctx, sc, code.AddressHash, req.KeyID, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if keySends >= c.opts.KeySendsPerHour {
			return &otp.LimitError{Err: ErrKeySendLimit, RetryAfter: 10 * time.Minute}
		}
		ipSends, err := tx.ContactIPSends(ctx, sc, code.IPHash, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if ipSends >= c.opts.IPSendsPerHour {
			return &otp.LimitError{Err: ErrIPSendLimit, RetryAfter: 10 * time.Minute}
		}
		st, p, err := c.opts.Policy.Issue(otp.State{Sends: sends}, now, c.hasher, binding(kind, normalized, code.ID))
		if err != nil {
			return err
		}
		plain = p
		st.Sends = nil // the code rows are the send log
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		code.State, code.ExpiresAt = string(b), st.ExpiresAt
		return tx.InsertContactCode(ctx, code, normalized)
	})
	if err != nil {
		return nil, nil, err
	}
	if code == nil {
		return chk, nil, nil
	}
	locale := req.Locale
	if locale == "" && v != nil {
		locale = v.Locale
	}
	msg := otp.Message{To: send.to, Kind: otp.KindCode, Code: plain, Locale: locale, TTL: c.opts.Policy.TTL, Product: c.opts.Product}
	if err := sender.Send(ctx, msg); err != nil {
		c.svc.log.WarnContext(ctx, "code delivery failed", "check", chk.ID, "code", code.ID, "channel", code.Channel, "err", err)
		if derr := c.store.DeleteContactCode(context.WithoutCancel(ctx), code); derr != nil {
			c.svc.log.ErrorContext(ctx, "delete undelivered code", "code", code.ID, "err", derr)
		}
		if reason, bounced := otp.Bounced(err); bounced {
			if berr := c.store.RecordBounce(context.WithoutCancel(ctx), sc, kind, code.AddressHash, reason); berr != nil {
				c.svc.log.ErrorContext(ctx, "record bounce", "check", chk.ID, "err", berr)
			}
			field := "email"
			if kind == models.ContactPhone {
				field = "phone"
			}
			return chk, nil, &CannotSendError{Field: field, Message: fmt.Sprintf("the %s was refused for good by the receiving side (%s): nothing was sent; ask the applicant for another", noun(kind), reason)}
		}
		return chk, nil, fmt.Errorf("%w by %s", ErrDelivery, code.Channel)
	}
	return chk, &SentCode{ID: code.ID, ExpiresAt: code.ExpiresAt, Channel: code.Channel}, nil
}

// sender picks the sender for a kind and mode: the configured one, else (test mode only) the
// development sender.
func (c *Contact) sender(kind models.ContactKind, mode models.Mode) (otp.Sender, string, error) {
	real, channel, flag := c.opts.Mail, "smtp", "--smtp-url (KYCD_SMTP_URL) and --mail-from"
	if kind == models.ContactPhone {
		real, channel, flag = c.opts.SMS, "sms", "--sms-url (KYCD_SMS_URL)"
	}
	if real != nil {
		return real, channel, nil
	}
	if mode == models.ModeTest && c.opts.Dev != nil {
		return c.opts.Dev, "log", nil
	}
	return nil, "", &NoSenderError{Kind: kind, Mode: mode, Flag: flag}
}

// Confirmation is a code proven right.
type Confirmation struct {
	Code  *models.ContactCode
	Check *models.ContactCheck
}

// Confirm checks a code typed by the applicant. A wrong code counts as an attempt
// (*CodeError with the attempts left); otherwise the errors are otp.ErrExpired,
// otp.ErrTooManyAttempts, otp.ErrAlreadyUsed, ErrSuperseded or db.ErrNotFound. A right code
// marks the code and its check confirmed and, when attached to a verification, records
// email.confirmed or phone.confirmed on its timeline — all in one transaction.
func (c *Contact) Confirm(ctx context.Context, sc db.Scope, codeID, typed string) (*Confirmation, error) {
	return c.ConfirmFor(ctx, sc, "", codeID, typed)
}

// ConfirmFor is Confirm for a code that must have been sent for verificationID (when not
// empty): another verification's code, or one sent without a verification, is db.ErrNotFound
// and costs no attempt, so an applicant's session cannot probe codes it did not get.
func (c *Contact) ConfirmFor(ctx context.Context, sc db.Scope, verificationID, codeID, typed string) (*Confirmation, error) {
	now := c.store.Now()
	var out *Confirmation
	var verr error // the guess's outcome, returned after the attempt is committed
	err := c.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		code, addr, err := tx.LockContactCode(ctx, sc, codeID)
		if err != nil {
			return err
		}
		if addr == "" {
			return fmt.Errorf("contact code %s: %w", codeID, db.ErrNotFound) // erased
		}
		if verificationID != "" && (code.VerificationID == nil || *code.VerificationID != verificationID) {
			return fmt.Errorf("contact code %s of another verification: %w", codeID, db.ErrNotFound)
		}
		var st otp.State
		if err := json.Unmarshal([]byte(code.State), &st); err != nil {
			return fmt.Errorf("code state of %s: %w", code.ID, err)
		}
		if code.SupersededAt != nil && !st.Verified {
			verr = ErrSuperseded
			return nil
		}
		next, err := c.opts.Policy.Verify(st, typed, now, c.hasher, binding(code.Kind, addr, code.ID))
		if err != nil {
			verr = err
			if errors.Is(err, otp.ErrMismatch) {
				verr = &CodeError{Err: err, AttemptsLeft: c.opts.Policy.AttemptsLeft(next)}
			}
		}
		if next.Attempts == st.Attempts && next.Verified == st.Verified {
			return nil // nothing changed (expired, already used, burnt)
		}
		b, err := json.Marshal(next)
		if err != nil {
			return err
		}
		code.State = string(b)
		if verr != nil {
			return tx.UpdateContactCode(ctx, code)
		}
		code.ConfirmedAt = &now
		if err := tx.UpdateContactCode(ctx, code); err != nil {
			return err
		}
		chk, v, err := tx.ConfirmContactCheck(ctx, sc, code.CheckID, now)
		if err != nil {
			return err
		}
		out = &Confirmation{Code: code, Check: chk}
		if v == nil {
			return nil
		}
		typ := EventEmailConfirmed
		if code.Kind == models.ContactPhone {
			typ = EventPhoneConfirmed
		}
		return c.svc.RecordEvent(ctx, tx, v, typ, "", map[string]any{"check_id": chk.ID, "code_id": code.ID, "risk_level": chk.RiskLevel})
	})
	if err != nil {
		return nil, err
	}
	if verr != nil {
		return nil, verr
	}
	return out, nil
}

// EmailUnavailable says why the email check cannot run in this process ("" when it can).
func (c *Contact) EmailUnavailable() string {
	if c.opts.Email != nil {
		return ""
	}
	if c.opts.EmailUnavailable != "" {
		return c.opts.EmailUnavailable
	}
	return ErrEmailUnavailable.Error()
}
