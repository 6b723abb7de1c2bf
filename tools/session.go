package tools

// Session callers are the applicant's side of the registry: the hosted flow authenticates a
// person by the verification's own session token (vst_…), never by an API key. Such a caller
// holds only ScopeSession and a VerificationID, and the registry lets it call only tools
// marked SessionAllowed, only with an `id` argument naming its own verification (see
// authorize). So the flow needs no tool logic and no rules of its own to stay in its lane.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// ScopeSession is held only by session callers (AuthenticateSession). It is not in AllScopes,
// so no API key can be given it.
const ScopeSession Scope = "session"

// SessionGrace is how long after a verification's expiry (or decision, when later) its
// session token still authenticates: long enough for the applicant to see the outcome and be
// redirected, short enough that an old link is dead.
const SessionGrace = 24 * time.Hour

// HandoffTTL is the lifetime of a desktop-to-phone hand-off token: a QR code is scanned
// within a minute or two; after that the desktop shows a fresh one.
const HandoffTTL = 10 * time.Minute

const (
	sessionPrefix = "vst_"
	handoffPrefix = "vho_"
	// handoffPurpose separates hand-off tokens from every other value the keyring seals.
	handoffPurpose = "kycd/handoff/v1"
)

// IsSession reports whether the caller is an applicant's session rather than an API key.
func (c Caller) IsSession() bool { return c.VerificationID != "" && c.Has(ScopeSession) }

// AuthenticateSession resolves a hosted-flow session token to a Caller bound to that one
// verification. It fails with CodeUnauthenticated for a malformed or unknown token and for
// one whose verification ended more than SessionGrace ago.
func AuthenticateSession(ctx context.Context, d *Deps, token string) (Caller, error) {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, sessionPrefix) || len(token) < len(sessionPrefix)+20 || len(token) > 100 {
		return Caller{}, Errorf(CodeUnauthenticated, "", "malformed session token")
	}
	v, err := d.Store.GetVerificationByToken(ctx, token)
	if errors.Is(err, db.ErrNotFound) {
		return Caller{}, Errorf(CodeUnauthenticated, "", "unknown session token")
	}
	if err != nil {
		d.logger().ErrorContext(ctx, "authenticate session", "err", err)
		return Caller{}, Errorf(CodeUnavailable, "", "cannot check the session right now; retry")
	}
	end := v.ExpiresAt
	if v.CompletedAt != nil && v.CompletedAt.After(end) {
		end = *v.CompletedAt
	}
	if d.Store.Now().After(end.Add(SessionGrace)) {
		return Caller{}, Errorf(CodeUnauthenticated, "", "this verification link is no longer valid")
	}
	c := sessionCaller(v)
	if c.EmbedOrigins, err = d.Store.KeyEmbedOrigins(ctx, v.APIKeyID); err != nil && !errors.Is(err, db.ErrNotFound) {
		return Caller{}, err
	}
	return c, nil
}

func sessionCaller(v *models.Verification) Caller {
	// KeyID is the key that created the verification, so logs and idempotency records of the
	// applicant's calls land in the integrator's account and mode.
	return Caller{KeyID: v.APIKeyID, AccountID: v.AccountID, Mode: v.Mode, Scopes: []Scope{ScopeSession}, VerificationID: v.ID}
}

// handoff is the sealed content of a hand-off token.
type handoff struct {
	Purpose string      `json:"p"`
	Account string      `json:"a"`
	Mode    models.Mode `json:"m"`
	ID      string      `json:"v"`
	Expires int64       `json:"e"`
	// Locale is the verification's, so the page the link opens on the phone speaks its language.
	Locale string `json:"l,omitempty"`
}

// IssueHandoff makes a short-lived token that lets another device (the applicant's phone,
// through a QR code) continue a session caller's verification. It is sealed with the server's
// keyring (AES-256-GCM), so it carries its own expiry and cannot be forged or altered, and it
// is recorded (only its hash), so RedeemHandoff lets it open the session once.
func IssueHandoff(ctx context.Context, d *Deps, c Caller) (string, time.Time, error) {
	if !c.IsSession() {
		return "", time.Time{}, Errorf(CodePermissionDenied, "", "only a hosted-flow session can hand off to another device")
	}
	exp := d.Store.Now().Add(HandoffTTL)
	v, err := d.Store.GetVerification(ctx, c.scope(), c.VerificationID)
	if err != nil {
		return "", time.Time{}, err
	}
	plain, err := json.Marshal(handoff{Purpose: handoffPurpose, Account: c.AccountID, Mode: c.Mode, ID: c.VerificationID, Expires: exp.Unix(), Locale: v.Locale})
	if err != nil {
		return "", time.Time{}, err
	}
	sealed, err := d.Store.Keyring().Seal(plain)
	if err != nil {
		return "", time.Time{}, err
	}
	tok := handoffPrefix + base64.RawURLEncoding.EncodeToString(sealed)
	if err := d.Store.RecordHandoff(ctx, tok, c.VerificationID, exp); err != nil {
		return "", time.Time{}, err
	}
	return tok, exp, nil
}

// RedeemHandoff opens a hand-off token and returns the session token of its verification,
// which the new device then uses like the original link. A token opens once: the seal proves
// it is ours and unexpired, then its record is consumed (of concurrent opens, one wins).
// Every failure is CodeUnauthenticated without saying which check failed.
func RedeemHandoff(ctx context.Context, d *Deps, token string) (string, error) {
	h, err := openHandoff(d, token)
	if err != nil {
		return "", err
	}
	first, err := d.Store.UseHandoff(ctx, strings.TrimSpace(token))
	if err != nil {
		return "", err
	}
	if !first {
		return "", badHandoff()
	}
	v, err := d.Store.GetVerification(ctx, db.Scope{AccountID: h.Account, Mode: h.Mode}, h.ID)
	if errors.Is(err, db.ErrNotFound) {
		return "", badHandoff()
	}
	if err != nil {
		return "", err
	}
	tok, err := d.Store.Keyring().Open(v.TokenSealed)
	if err != nil {
		return "", err
	}
	return string(tok), nil
}

// CheckHandoff tells whether RedeemHandoff would accept token now, without using it up: the
// page a hand-off link opens shows a button that redeems, so a link-preview bot or a mail
// scanner that fetches the link does not spend it. It returns the verification's locale (""
// when it has none). Same errors as RedeemHandoff.
func CheckHandoff(ctx context.Context, d *Deps, token string) (string, error) {
	h, err := openHandoff(d, token)
	if err != nil {
		return "", err
	}
	ok, err := d.Store.HandoffUsable(ctx, strings.TrimSpace(token))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", badHandoff()
	}
	return h.Locale, nil
}

// badHandoff is every refusal of a hand-off token: it does not say which check failed.
func badHandoff() *Error {
	return Errorf(CodeUnauthenticated, "", "this hand-off code is invalid or has expired; scan the new code on the other screen")
}

// openHandoff checks a hand-off token's seal, purpose and expiry.
func openHandoff(d *Deps, token string) (handoff, error) {
	var h handoff
	raw, ok := strings.CutPrefix(strings.TrimSpace(token), handoffPrefix)
	if !ok || len(raw) > 512 {
		return h, badHandoff()
	}
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return h, badHandoff()
	}
	plain, err := d.Store.Keyring().Open(sealed)
	if err != nil {
		return h, badHandoff()
	}
	if json.Unmarshal(plain, &h) != nil || h.Purpose != handoffPurpose || !d.Store.Now().Before(time.Unix(h.Expires, 0)) {
		return h, badHandoff()
	}
	return h, nil
}

// authorize decides whether caller may call the tool at all. A session caller may call only
// tools marked SessionAllowed (whatever their scope); an API key needs the tool's scope.
func authorize(caller Caller, info Info) *Error {
	if caller.IsSession() {
		if !info.SessionAllowed {
			return Errorf(CodePermissionDenied, "", "%s is not available to a hosted-flow session", info.Name)
		}
		return nil
	}
	if !caller.Has(info.Scope) {
		return Errorf(CodePermissionDenied, "", "this key lacks the %q scope that %s needs", info.Scope, info.Name)
	}
	return nil
}

// May reports whether caller may call the tool at all (its scope, or a session's allowance),
// for the surfaces that list only what a caller can use.
func (c Caller) May(info Info) bool { return authorize(c, info) == nil }

// sessionTarget checks that a session caller's call is about its own verification: the
// arguments' id must be it. A tool without an id input cannot be called by a session (fail
// closed). Another verification's id is answered not found, as for another account's.
func sessionTarget(caller Caller, args map[string]any) *Error {
	if !caller.IsSession() {
		return nil
	}
	id, _ := args["id"].(string)
	if id == "" { // the chip tools name the verification verification_id
		id, _ = args["verification_id"].(string)
	}
	if id == "" {
		return Errorf(CodeInvalidArgument, "id", "required: the session's verification id")
	}
	if id != caller.VerificationID {
		return Errorf(CodeNotFound, "id", "no verification with that id for this session")
	}
	return nil
}

// NormalizeOrigin checks and lower-cases a web origin (https://shop.example.com), as frame
// allow-lists and postMessage target origins need; the adapters use it without reaching db.
func NormalizeOrigin(o string) (string, error) { return db.NormalizeOrigin(o) }
