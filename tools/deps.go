package tools

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// Deps are the concrete dependencies every handler gets. Only cmd builds one.
type Deps struct {
	Store *db.Store
	// Verify is the verification domain: every change to a verification goes through it.
	Verify *verify.Service
	// Screening is the sanctions index shared with the pipeline (nil when not configured).
	Screening *verify.Screening
	// Biometrics is the face engine shared with the pipeline (nil when this build or machine
	// cannot run it: the selfie, liveness and compare tools then answer unavailable).
	Biometrics *verify.Biometrics
	// Documents is the document engine shared with the pipeline (nil when not configured:
	// submit_document and read_mrz's image input then answer unavailable).
	Documents *verify.Documents
	// Contact is the email and phone service (verify_email, verify_phone, confirm_code); nil
	// when not configured: those tools then answer unavailable.
	Contact *verify.Contact
	// NFC is the ePassport chip engine with its CSCA trust store (nil when not configured: the
	// nfc tools then answer unavailable).
	NFC *verify.NFC
	// Business is the KYB service (nil when not configured: the business tools then answer
	// unavailable).
	Business *verify.Business
	// Address is the proof-of-address service (nil when not configured: check_address and its
	// readers then answer unavailable).
	Address *verify.Address
	// PublicURL is the base of hosted_url (e.g. https://kyc.example.com).
	PublicURL string
	Logger    *slog.Logger
	// Webhooks is the outbound policy that webhook endpoint and callback_url targets must meet
	// at registration (the zero value is the strict production policy; deliveries are checked
	// again at connect time under the queue's copy).
	Webhooks webhook.Policy
	// Signals read the IP and device signals of applicant requests (nil: the client IP is the
	// TCP peer, and no country or ASN is looked up).
	Signals *SignalSource
	// OAuth accepts OAuth access tokens beside API keys (nil: API keys only); see tools/oauth.go.
	OAuth *OAuth
}

// Caller is who is calling: the API key's account, mode and scopes.
type Caller struct {
	KeyID     string
	AccountID string
	Mode      models.Mode
	Scopes    []Scope
	// Checks are the checks this key enables by default; empty means every available check.
	Checks []models.Check
	// RateLimit is the key's requests per minute (0 = the server default).
	RateLimit int
	// EmbedOrigins are the origins the verification's key allows to frame its hosted flow
	// (session callers only).
	EmbedOrigins []string
	// DocumentCountries and DocumentTypes bound what the key's verifications accept (empty =
	// whatever the server accepts); create_verification enforces them.
	DocumentCountries, DocumentTypes []string
	// DefaultFlow is the key's default flow by name ("" = none): create_verification runs it
	// when the caller names no flow.
	DefaultFlow string
	// ClientIP is the applicant's IP on requests made with a session token (SessionRequestIP);
	// the per-IP budget of one-time codes counts by it. Empty for API keys.
	ClientIP string
	// keyHash is the hash of the API key's secret, for StillValid ("" for session callers).
	keyHash string
	// VerificationID binds a hosted-flow session caller (ScopeSession) to its one
	// verification; empty for API keys. See AuthenticateSession.
	VerificationID string
	// recheck makes every call re-check the key first (see Rechecked).
	recheck bool
	// OAuthClientID, GrantID and OAuthSubject are set for callers with an OAuth access token:
	// the client, the built-in server's grant (also KeyID, so rate limits and logs count per
	// grant) and the person the token was issued to. Empty for API keys.
	OAuthClientID, GrantID, OAuthSubject string
	// tokenExpiry is when the caller's access token expires (zero for API keys): StillValid
	// ends what outlives it, a WebSocket or a stdio session.
	tokenExpiry time.Time
	// UserID and UserEmail name the signed-in operator of a dashboard session
	// (AuthenticateOperatorSession); empty for API keys.
	UserID, UserEmail string
	// RemoteIP and UserAgent are where the request came from, for the audit trail
	// (WithRequestOrigin); empty when the surface has no request (stdio).
	RemoteIP, UserAgent string
}

// Actor is who acts, for the records that name them (reviewed_by, the audit trail): the
// operator's user id, else the API key id.
func (c Caller) Actor() string {
	if c.UserID != "" {
		return c.UserID
	}
	return c.KeyID
}

// Rechecked returns c with its API key checked again (StillValid) before each of its calls.
// A surface that authenticates once and then serves many messages (kycd mcp and kycd rpc on
// stdio) uses it, so a key revoked meanwhile stops working there at the next message, as it
// does on the next REST request and on an open WebSocket.
func (c Caller) Rechecked() Caller {
	c.recheck = true
	return c
}

// Has reports whether the caller holds the scope.
func (c Caller) Has(s Scope) bool { return slices.Contains(c.Scopes, s) }

func (c Caller) scope() db.Scope { return db.Scope{AccountID: c.AccountID, Mode: c.Mode} }

// Authenticate resolves the bearer token — an API key, or an OAuth access token when
// Deps.OAuth is set — to a Caller. Every surface uses it. With OAuth on, an unauthenticated
// error carries the WWW-Authenticate challenge naming the resource metadata.
func Authenticate(ctx context.Context, d *Deps, key string) (Caller, error) {
	key = strings.TrimSpace(key)
	if d.OAuth == nil {
		return authenticateKey(ctx, d, key)
	}
	var c Caller
	var err error
	if key == "" || strings.HasPrefix(key, "sk_") {
		c, err = authenticateKey(ctx, d, key)
	} else {
		c, err = d.OAuth.authenticateToken(ctx, d, key)
	}
	if err != nil {
		return Caller{}, d.OAuth.withChallenge(err, key)
	}
	return c, nil
}

func authenticateKey(ctx context.Context, d *Deps, key string) (Caller, error) {
	if key == "" {
		return Caller{}, Errorf(CodeUnauthenticated, "", "missing API key: send Authorization: Bearer sk_live_… or sk_test_…")
	}
	if !strings.HasPrefix(key, "sk_live_") && !strings.HasPrefix(key, "sk_test_") {
		return Caller{}, Errorf(CodeUnauthenticated, "", "malformed API key: keys start with sk_live_ or sk_test_")
	}
	k, err := d.Store.LookupAPIKey(ctx, key)
	if errors.Is(err, db.ErrNotFound) {
		return Caller{}, Errorf(CodeUnauthenticated, "", "unknown or revoked API key")
	}
	if err != nil {
		d.logger().ErrorContext(ctx, "authenticate", "err", err)
		return Caller{}, Errorf(CodeUnavailable, "", "cannot check the API key right now; retry")
	}
	c := Caller{KeyID: k.ID, AccountID: k.AccountID, Mode: k.Mode, RateLimit: k.RateLimit, keyHash: db.HashSecret(key),
		DocumentCountries: splitNonEmpty(k.DocumentCountries), DocumentTypes: splitNonEmpty(k.DocumentTypes), DefaultFlow: k.DefaultFlow}
	if c.Scopes, err = decodeKeyList[Scope](&scopeLists, k.Scopes); err != nil {
		return Caller{}, err
	}
	if c.Checks, err = decodeKeyList[models.Check](&checkLists, k.Checks); err != nil {
		return Caller{}, err
	}
	return c, nil
}

// scopeLists and checkLists memoise decodeKeyList (JSON text → decoded slice): every request
// decodes its key's scopes and checks, and a server sees few distinct lists.
var scopeLists, checkLists sync.Map

// decodeKeyList decodes a key's JSON list of scopes or checks through the memo m. The slice is
// shared between callers (clipped, so an append copies it); nobody may change its elements.
func decodeKeyList[T ~string](m *sync.Map, list string) ([]T, error) {
	if v, ok := m.Load(list); ok {
		if out, ok := v.([]T); ok {
			return out, nil
		}
	}
	var raw []string
	if err := json.Unmarshal([]byte(list), &raw); err != nil {
		return nil, err
	}
	var out []T
	for _, s := range raw {
		out = append(out, T(s))
	}
	out = slices.Clip(out)
	if len(list) <= 4096 {
		m.Store(list, out)
	}
	return out, nil
}

// ParseScopes validates a comma-separated scope list ("" = every scope).
func ParseScopes(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		out := make([]string, len(AllScopes))
		for i, s := range AllScopes {
			out[i] = string(s)
		}
		return out, nil
	}
	var out []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(AllScopes, Scope(s)) {
			return nil, invalid("scopes", "unknown scope %q; known: %s", s, joinScopes(AllScopes))
		}
		out = append(out, s)
	}
	return out, nil
}

func joinScopes(s []Scope) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}

// StillValid re-checks the API key a caller was authenticated with, for what outlives one
// request — a WebSocket connection, a long wait_seconds — so a revoked key stops working there
// as it does on the next REST request: unauthenticated once the key is revoked. Session
// callers (the hosted flow) have no key and are always valid here. The lookup goes through
// the key cache, so it costs a map read while the key is live.
func StillValid(ctx context.Context, d *Deps, c Caller) *Error {
	if c.keyHash == "" {
		return stillValidToken(ctx, d, c)
	}
	_, err := d.Store.LookupAPIKeyHash(ctx, c.keyHash)
	if errors.Is(err, db.ErrNotFound) {
		return Errorf(CodeUnauthenticated, "", "the API key was revoked")
	}
	if err != nil {
		d.logger().WarnContext(ctx, "re-check API key", "key", c.KeyID, "err", err)
		return Errorf(CodeUnavailable, "", "cannot check the API key right now; retry")
	}
	return nil
}
