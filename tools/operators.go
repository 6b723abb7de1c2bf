package tools

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/signals"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// Operator accounts: the dashboard's people. Their authentication lives here, beside API
// keys', so the dashboard (rest/dashboard) never touches the store: it calls these functions
// and then the tools, with the Caller they return.

// viewerScopes are what every operator may do: read.
var viewerScopes = []Scope{ScopeVerificationsRead, ScopeApplicantsRead, ScopeEventsRead, ScopeWebhooksRead, ScopeFlowsRead, ScopeKeysRead, ScopeNotifications}

// RoleScopes are the tool scopes of an operator role: a viewer reads, a reviewer also decides
// cases (review), an admin may do everything, users and the audit trail included.
func RoleScopes(role string) []Scope {
	switch role {
	case verify.RoleViewer:
		return viewerScopes
	case verify.RoleReviewer:
		return append(slices.Clip(viewerScopes), ScopeReview)
	case verify.RoleAdmin:
		out := slices.Clone(AllScopes)
		for _, s := range []Scope{ScopeFlowsRead, ScopeFlowsWrite, ScopeKeysRead, ScopeKeysWrite, ScopeUsersAdmin, ScopeAuditRead, ScopeNotifications} {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// OperatorOptions are the rules of operator sign-in (zero fields take the verify defaults).
type OperatorOptions struct {
	Sessions verify.SessionPolicy
	Throttle verify.LoginThrottle
	Password verify.PasswordParams
	// Issuer names kycd in authenticator apps (default "kycd").
	Issuer string
	// Now is the clock (default the store's), so tests can move time.
	Now func() time.Time
}

func (o OperatorOptions) withDefaults(d *Deps) OperatorOptions {
	if o.Sessions == (verify.SessionPolicy{}) {
		o.Sessions = verify.DefaultSessionPolicy
	}
	if o.Throttle == (verify.LoginThrottle{}) {
		o.Throttle = verify.DefaultLoginThrottle
	}
	if o.Password == (verify.PasswordParams{}) {
		o.Password = verify.DefaultPasswordParams
	}
	if o.Issuer == "" {
		o.Issuer = "kycd"
	}
	if o.Now == nil {
		o.Now = d.Store.Now
	}
	return o
}

// OperatorSession is a signed-in (or half signed-in) operator as a request presents them.
type OperatorSession struct {
	// SessionID is the session's public id (never the cookie's token).
	SessionID string
	UserID    string
	Email     string
	Role      string
	// Caller is the identity the operator's tool calls run with.
	Caller Caller
	CSRF   string
	Mode   models.Mode
	// SecondFactorDue is true between a correct password and the TOTP code: such a session
	// may only complete the sign-in.
	SecondFactorDue bool
	CreatedAt       time.Time
	// TOTP reports that the user has a second factor enrolled; RecoveryCodesLeft how many
	// recovery codes remain.
	TOTP              bool
	RecoveryCodesLeft int
}

// Origin is where a request came from, for throttling and the audit trail.
type Origin struct {
	IP        string
	UserAgent string
}

// RequestOrigin reads the client IP (honouring the trusted proxies) and user agent of r.
func RequestOrigin(d *Deps, r *http.Request) Origin {
	var src SignalSource
	if d != nil && d.Signals != nil {
		src = *d.Signals
	}
	o := Origin{UserAgent: r.UserAgent()}
	if ip := signals.ClientIP(r, src.Proxies); ip.IsValid() {
		o.IP = ip.String()
	}
	if len(o.UserAgent) > 300 {
		o.UserAgent = o.UserAgent[:300]
	}
	return o
}

// WithRequestOrigin is c with RemoteIP and UserAgent set from r, for the audit trail.
func WithRequestOrigin(d *Deps, c Caller, r *http.Request) Caller {
	o := RequestOrigin(d, r)
	c.RemoteIP, c.UserAgent = o.IP, o.UserAgent
	return c
}

// errSignIn is the one answer to a wrong e-mail, a wrong password and a disabled account, so
// a guesser learns nothing about which accounts exist.
var errSignIn = Errorf(CodeUnauthenticated, "password", "wrong e-mail or password")

// dummyHash is checked against when the e-mail is unknown, so that answer takes as long as a
// wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := verify.HashPassword("kycd-dummy-password", verify.DefaultPasswordParams)
	return h
})

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// OperatorLogin checks an e-mail and password. It answers a new session token — always a new
// one: a session id the browser had before never becomes valid (no fixation) — and whether the
// TOTP code is still due (then the token is good only for OperatorSecondFactor). Failed
// attempts are throttled per account and per IP; every attempt is audited.
func OperatorLogin(ctx context.Context, d *Deps, o OperatorOptions, email, password string, from Origin) (string, *OperatorSession, error) {
	o = o.withDefaults(d)
	now := o.Now()
	acctSubject, ipSubject := verify.LoginSubjects(email, from.IP)
	if terr := throttled(ctx, d, o, now, acctSubject, ipSubject); terr != nil {
		return "", nil, terr
	}
	u, err := d.Store.GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return "", nil, err
	}
	ok := false
	switch {
	case u == nil:
		verify.CheckPassword(dummyHash(), password)
	case u.PasswordHash == "":
		verify.CheckPassword(dummyHash(), password)
	default:
		ok = verify.CheckPassword(u.PasswordHash, password)
	}
	if !ok || u.DisabledAt != nil {
		if err := d.Store.RecordLoginFailure(ctx, now, acctSubject, ipSubject); err != nil {
			return "", nil, err
		}
		if u != nil {
			outcome := "wrong_password"
			if ok {
				outcome = "disabled"
			}
			auditOperator(ctx, d, u, "", "login", outcome, from, now)
		}
		return "", nil, errSignIn
	}
	stage := models.SessionStageActive
	if u.TOTPSecret != nil {
		stage = models.SessionStageTOTP
	}
	token, s, err := startSession(ctx, d, u, stage, models.ModeLive, from, now)
	if err != nil {
		return "", nil, err
	}
	if stage == models.SessionStageActive {
		if err := signedIn(ctx, d, u, acctSubject, from, now); err != nil {
			return "", nil, err
		}
	}
	return token, s, nil
}

func throttled(ctx context.Context, d *Deps, o OperatorOptions, now time.Time, acctSubject, ipSubject string) *Error {
	since := now.Add(-o.Throttle.Window)
	for _, lim := range []struct {
		subject string
		max     int
	}{{acctSubject, o.Throttle.PerAccount}, {ipSubject, o.Throttle.PerIP}} {
		n, err := d.Store.LoginFailures(ctx, lim.subject, since)
		if err != nil {
			return Errorf(CodeUnavailable, "", "cannot check sign-in attempts right now; retry")
		}
		if n >= lim.max {
			e := Errorf(CodeRateLimited, "", "too many failed sign-ins; wait %d minutes and try again", int(o.Throttle.Window.Minutes()))
			e.RetryAfterSeconds = int(o.Throttle.Window.Seconds())
			return e
		}
	}
	return nil
}

func signedIn(ctx context.Context, d *Deps, u *models.User, acctSubject string, from Origin, now time.Time) error {
	if err := d.Store.ClearLoginFailures(ctx, acctSubject); err != nil {
		return err
	}
	u.LastLoginAt = &now
	if err := d.Store.UpdateUser(ctx, u, "last_login_at"); err != nil {
		return err
	}
	auditOperator(ctx, d, u, "", "login", "ok", from, now)
	return nil
}

func startSession(ctx context.Context, d *Deps, u *models.User, stage string, mode models.Mode, from Origin, now time.Time) (string, *OperatorSession, error) {
	token := newToken()
	sess := &models.UserSession{ID: db.NewID("uss", now), TokenHash: db.HashSecret(token), UserID: u.ID, Stage: stage,
		CSRF: newToken(), Mode: mode, IP: from.IP, UserAgent: from.UserAgent, CreatedAt: now, LastSeenAt: now}
	if err := d.Store.InsertSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return token, operatorSession(sess, u), nil
}

func operatorSession(sess *models.UserSession, u *models.User) *OperatorSession {
	return &OperatorSession{SessionID: sess.ID, UserID: u.ID, Email: u.Email, Role: u.Role, CSRF: sess.CSRF, Mode: sess.Mode,
		SecondFactorDue: sess.Stage != models.SessionStageActive, CreatedAt: sess.CreatedAt,
		TOTP: u.TOTPSecret != nil, RecoveryCodesLeft: verify.RecoveryCodesLeft(u.RecoveryCodes),
		Caller: Caller{AccountID: u.AccountID, Mode: sess.Mode, Scopes: RoleScopes(u.Role), UserID: u.ID, UserEmail: u.Email,
			RemoteIP: sess.IP, UserAgent: sess.UserAgent}}
}

// OperatorSecondFactor completes a sign-in with a TOTP code or a recovery code. The pending
// session is ended and a new one started (a new token again). Wrong codes count as failed
// sign-ins of the account.
func OperatorSecondFactor(ctx context.Context, d *Deps, o OperatorOptions, pendingToken, code string, from Origin) (string, *OperatorSession, error) {
	o = o.withDefaults(d)
	now := o.Now()
	sess, u, err := d.Store.SessionByToken(ctx, db.HashSecret(pendingToken))
	if errors.Is(err, db.ErrNotFound) || (err == nil && (sess.Stage != models.SessionStageTOTP || u.DisabledAt != nil ||
		o.Sessions.Expired(sess.CreatedAt, sess.LastSeenAt, now, true))) {
		return "", nil, Errorf(CodeUnauthenticated, "code", "the sign-in expired; enter your e-mail and password again")
	}
	if err != nil {
		return "", nil, err
	}
	acctSubject, ipSubject := verify.LoginSubjects(u.Email, from.IP)
	if terr := throttled(ctx, d, o, now, acctSubject, ipSubject); terr != nil {
		return "", nil, terr
	}
	if ok, err := checkSecondFactor(ctx, d, u, code, now); err != nil || !ok {
		if err != nil {
			return "", nil, err
		}
		if err := d.Store.RecordLoginFailure(ctx, now, acctSubject, ipSubject); err != nil {
			return "", nil, err
		}
		auditOperator(ctx, d, u, sess.ID, "login", "wrong_code", from, now)
		return "", nil, Errorf(CodeUnauthenticated, "code", "wrong or used code")
	}
	if _, err := d.Store.DeleteSession(ctx, u.ID, sess.ID); err != nil {
		return "", nil, err
	}
	token, s, err := startSession(ctx, d, u, models.SessionStageActive, sess.Mode, from, now)
	if err != nil {
		return "", nil, err
	}
	return token, s, signedIn(ctx, d, u, acctSubject, from, now)
}

// checkSecondFactor accepts a current TOTP code (once) or an unused recovery code (used up).
func checkSecondFactor(ctx context.Context, d *Deps, u *models.User, code string, now time.Time) (bool, error) {
	secret, err := openTOTP(d, u)
	if err != nil {
		return false, err
	}
	if step, ok := verify.TOTPStep(secret, code, now); ok {
		return d.Store.UseTOTPStep(ctx, u.ID, step)
	}
	if next, ok := verify.UseRecoveryCode(u.RecoveryCodes, code); ok {
		return d.Store.SwapRecoveryCodes(ctx, u.ID, u.RecoveryCodes, next)
	}
	return false, nil
}

func openTOTP(d *Deps, u *models.User) (string, error) {
	if u.TOTPSecret == nil {
		return "", nil
	}
	b, err := d.Store.Keyring().Open(u.TOTPSecret)
	if err != nil {
		return "", fmt.Errorf("open totp secret: %w", err)
	}
	return string(b), nil
}

// AuthenticateOperatorSession resolves a session token (the dashboard's cookie). It answers
// (nil, nil) when the token is unknown, expired (idle or absolute timeout) or its user
// disabled — the expired session is deleted — and records the activity for the idle timeout.
func AuthenticateOperatorSession(ctx context.Context, d *Deps, o OperatorOptions, token string) (*OperatorSession, error) {
	if token == "" {
		return nil, nil
	}
	o = o.withDefaults(d)
	now := o.Now()
	sess, u, err := d.Store.SessionByToken(ctx, db.HashSecret(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pending := sess.Stage != models.SessionStageActive
	if u.DisabledAt != nil || o.Sessions.Expired(sess.CreatedAt, sess.LastSeenAt, now, pending) {
		_, err := d.Store.DeleteSession(ctx, "", sess.ID)
		return nil, err
	}
	if !pending {
		if err := d.Store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, err
		}
	}
	return operatorSession(sess, u), nil
}

// OperatorLogout ends the session of token (nothing when it is unknown).
func OperatorLogout(ctx context.Context, d *Deps, token string, from Origin) error {
	sess, u, err := d.Store.SessionByToken(ctx, db.HashSecret(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := d.Store.DeleteSession(ctx, u.ID, sess.ID); err != nil {
		return err
	}
	auditOperator(ctx, d, u, sess.ID, "logout", "ok", from, d.Store.Now())
	return nil
}

// OperatorLogoutEverywhere ends every session of the user but keep ("" = all of them).
func OperatorLogoutEverywhere(ctx context.Context, d *Deps, s *OperatorSession, keep string, from Origin) (int, error) {
	n, err := d.Store.DeleteUserSessions(ctx, s.UserID, keep)
	if err != nil {
		return 0, err
	}
	auditAs(ctx, d, s.Caller, from, "logout_everywhere", "ok", "user", s.UserID, fmt.Sprintf(`{"sessions":%d}`, n))
	return n, nil
}

// OperatorSetMode switches the session between live and test data.
func OperatorSetMode(ctx context.Context, d *Deps, s *OperatorSession, mode models.Mode) error {
	if mode != models.ModeLive && mode != models.ModeTest {
		return invalid("mode", "live or test")
	}
	return d.Store.SetSessionMode(ctx, s.SessionID, mode)
}

// OperatorSessionInfo is one of an operator's sessions, for the account page.
type OperatorSessionInfo struct {
	ID         string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	Current    bool
}

// OperatorSessions lists the operator's active sessions.
func OperatorSessions(ctx context.Context, d *Deps, s *OperatorSession) ([]OperatorSessionInfo, error) {
	rows, err := d.Store.ListUserSessions(ctx, s.UserID)
	if err != nil {
		return nil, err
	}
	var out []OperatorSessionInfo
	for _, r := range rows {
		if r.Stage != models.SessionStageActive {
			continue
		}
		out = append(out, OperatorSessionInfo{ID: r.ID, IP: r.IP, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, Current: r.ID == s.SessionID})
	}
	return out, nil
}

// OperatorRevokeSession ends one of the operator's own sessions.
func OperatorRevokeSession(ctx context.Context, d *Deps, s *OperatorSession, id string) error {
	n, err := d.Store.DeleteSession(ctx, s.UserID, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return Errorf(CodeNotFound, "session", "no such session")
	}
	return nil
}

// SetupInfo is what the setup page shows about the account a setup link is for.
type SetupInfo struct {
	Email string
	Role  string
}

// OperatorSetupInfo reads the account of a valid, unexpired setup link.
func OperatorSetupInfo(ctx context.Context, d *Deps, token string) (*SetupInfo, error) {
	u, err := d.Store.GetUserBySetupToken(ctx, db.HashSecret(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "token", "this setup link is unknown, used or expired; ask an admin for a new one")
	}
	if err != nil {
		return nil, err
	}
	return &SetupInfo{Email: u.Email, Role: u.Role}, nil
}

// TOTPEnrolment is a fresh TOTP secret offered to a user, with its otpauth:// URI (the QR code's content).
type TOTPEnrolment struct {
	Secret string
	URI    string
}

// NewTOTPEnrolment offers a TOTP secret for email: secret when given (a form shown again keeps
// what was scanned), else a fresh one.
func NewTOTPEnrolment(issuer, email, secret string) (TOTPEnrolment, error) {
	if issuer == "" {
		issuer = "kycd"
	}
	if secret != "" {
		if !verify.ValidTOTPSecret(secret) {
			return TOTPEnrolment{}, invalid("totp_secret", "not a TOTP secret")
		}
		return TOTPEnrolment{Secret: secret, URI: verify.TOTPURI(issuer, email, secret)}, nil
	}
	k, err := verify.NewTOTPKey(issuer, email)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: k.Secret(), URI: k.URL()}, nil
}

// OperatorCompleteSetup sets the password of the account of a setup link (which is then used
// up) and, when totpSecret is given, enrols TOTP after checking code against it. It answers
// the recovery codes of a TOTP enrolment (shown once).
func OperatorCompleteSetup(ctx context.Context, d *Deps, o OperatorOptions, token, password, totpSecret, code string, from Origin) ([]string, error) {
	o = o.withDefaults(d)
	u, err := d.Store.GetUserBySetupToken(ctx, db.HashSecret(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "token", "this setup link is unknown, used or expired; ask an admin for a new one")
	}
	if err != nil {
		return nil, err
	}
	if err := verify.CheckNewPassword(password, u.Email); err != nil {
		return nil, invalid("password", "%v", err)
	}
	var codes []string
	cols := []string{"password_hash", "password_changed_at", "setup_token_hash", "setup_expires_at"}
	if totpSecret != "" {
		if codes, err = enrol(d, o, u, totpSecret, code); err != nil {
			return nil, err
		}
		cols = append(cols, "totp_secret", "totp_last_step", "recovery_codes")
	}
	if u.PasswordHash, err = verify.HashPassword(password, o.Password); err != nil {
		return nil, err
	}
	now := o.Now()
	u.PasswordChangedAt, u.SetupTokenHash, u.SetupExpiresAt = &now, nil, nil
	if err := d.Store.UpdateUser(ctx, u, cols...); err != nil {
		return nil, err
	}
	if _, err := d.Store.DeleteUserSessions(ctx, u.ID, ""); err != nil { // a reset signs out everywhere
		return nil, err
	}
	auditOperator(ctx, d, u, "", "user.setup", "ok", from, now)
	return codes, nil
}

// enrol checks a first code against a new secret and sets it, with fresh recovery codes, on u.
func enrol(d *Deps, o OperatorOptions, u *models.User, secret, code string) ([]string, error) {
	step, ok := verify.TOTPStep(secret, code, o.Now())
	if !ok {
		return nil, invalid("code", "this code does not match the secret; check the time on your device and enter the current code")
	}
	sealed, err := d.Store.Keyring().Seal([]byte(secret))
	if err != nil {
		return nil, err
	}
	codes, stored := verify.NewRecoveryCodes()
	u.TOTPSecret, u.TOTPLastStep, u.RecoveryCodes = sealed, step, stored
	return codes, nil
}

// OperatorEnrolTOTP turns on (or replaces) the signed-in operator's second factor; it answers
// new recovery codes.
func OperatorEnrolTOTP(ctx context.Context, d *Deps, o OperatorOptions, s *OperatorSession, secret, code string, from Origin) ([]string, error) {
	o = o.withDefaults(d)
	u, err := d.Store.GetUser(ctx, "", s.UserID)
	if err != nil {
		return nil, err
	}
	codes, err := enrol(d, o, u, secret, code)
	if err != nil {
		return nil, err
	}
	if err := d.Store.UpdateUser(ctx, u, "totp_secret", "totp_last_step", "recovery_codes"); err != nil {
		return nil, err
	}
	auditAs(ctx, d, s.Caller, from, "user.totp_enrolled", "ok", "user", u.ID, "")
	return codes, nil
}

// OperatorDisableTOTP turns off the operator's second factor, after checking their password.
func OperatorDisableTOTP(ctx context.Context, d *Deps, s *OperatorSession, password string, from Origin) error {
	u, err := d.Store.GetUser(ctx, "", s.UserID)
	if err != nil {
		return err
	}
	if !verify.CheckPassword(u.PasswordHash, password) {
		return Errorf(CodeUnauthenticated, "password", "wrong password")
	}
	u.TOTPSecret, u.RecoveryCodes = nil, "[]"
	if err := d.Store.UpdateUser(ctx, u, "totp_secret", "recovery_codes"); err != nil {
		return err
	}
	auditAs(ctx, d, s.Caller, from, "user.totp_disabled", "ok", "user", u.ID, "")
	return nil
}

// OperatorChangePassword changes the operator's password after checking the current one, and
// ends their other sessions.
func OperatorChangePassword(ctx context.Context, d *Deps, o OperatorOptions, s *OperatorSession, current, next string, from Origin) error {
	o = o.withDefaults(d)
	u, err := d.Store.GetUser(ctx, "", s.UserID)
	if err != nil {
		return err
	}
	if !verify.CheckPassword(u.PasswordHash, current) {
		return Errorf(CodeUnauthenticated, "current_password", "wrong password")
	}
	if err := verify.CheckNewPassword(next, u.Email); err != nil {
		return invalid("new_password", "%v", err)
	}
	if u.PasswordHash, err = verify.HashPassword(next, o.Password); err != nil {
		return err
	}
	now := o.Now()
	u.PasswordChangedAt = &now
	if err := d.Store.UpdateUser(ctx, u, "password_hash", "password_changed_at"); err != nil {
		return err
	}
	if _, err := d.Store.DeleteUserSessions(ctx, u.ID, s.SessionID); err != nil {
		return err
	}
	auditAs(ctx, d, s.Caller, from, "user.password_changed", "ok", "user", u.ID, "")
	return nil
}

// SetupLinkTTL is how long a password-setup link works.
const SetupLinkTTL = 72 * time.Hour

// SetupPath is where setup links point (under the public URL).
const SetupPath = "/dashboard/setup/"

// issueSetupLink gives u a fresh one-time setup token and answers the link.
func issueSetupLink(d *Deps, u *models.User) string {
	token := newToken()
	h := db.HashSecret(token)
	exp := d.Store.Now().Add(SetupLinkTTL)
	u.SetupTokenHash, u.SetupExpiresAt = &h, &exp
	return strings.TrimRight(d.PublicURL, "/") + SetupPath + token
}

// CreateOperator creates an operator account of accountID and answers it with its one-time
// password-setup link. The CLI (kycd users create) and create_user use it.
func CreateOperator(ctx context.Context, d *Deps, accountID, email, role string) (*models.User, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !validEmail(email) {
		return nil, "", invalid("email", "not an e-mail address")
	}
	if !verify.ValidRole(role) {
		return nil, "", invalid("role", "one of %s", strings.Join(verify.Roles, ", "))
	}
	if err := d.Store.EnsureAccount(ctx, accountID, accountID); err != nil {
		return nil, "", err
	}
	u := &models.User{AccountID: accountID, Email: email, Role: role}
	link := issueSetupLink(d, u)
	if err := d.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, db.ErrEmailTaken) {
			return nil, "", Errorf(CodeConflict, "email", "an operator with this e-mail exists already")
		}
		return nil, "", err
	}
	return u, link, nil
}

// ResetOperatorSetup issues a new setup link for an existing operator (a forgotten password,
// a lost phone): their password and second factor stop working and their sessions end.
func ResetOperatorSetup(ctx context.Context, d *Deps, u *models.User) (string, error) {
	link := issueSetupLink(d, u)
	u.PasswordHash, u.TOTPSecret, u.RecoveryCodes = "", nil, "[]"
	if err := d.Store.UpdateUser(ctx, u, "setup_token_hash", "setup_expires_at", "password_hash", "totp_secret", "recovery_codes"); err != nil {
		return "", err
	}
	if _, err := d.Store.DeleteUserSessions(ctx, u.ID, ""); err != nil {
		return "", err
	}
	return link, nil
}

func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && at < len(e)-3 && strings.Contains(e[at:], ".") && len(e) <= 254 && !strings.ContainsAny(e, " \t\r\n<>\"")
}

// auditOperator records a sign-in event of u (its own account's chain).
func auditOperator(ctx context.Context, d *Deps, u *models.User, sessionID, action, outcome string, from Origin, at time.Time) {
	e := &models.AuditEvent{AccountID: u.AccountID, At: at, ActorType: verify.ActorUser, ActorID: u.ID, ActorEmail: u.Email,
		Action: action, ObjectType: "user", ObjectID: u.ID, IP: from.IP, UserAgent: from.UserAgent, Outcome: outcome}
	if sessionID != "" {
		e.Detail = fmt.Sprintf(`{"session":%q}`, sessionID)
	}
	if err := auditorFor(d.Store).Record(ctx, e); err != nil {
		d.logger().ErrorContext(ctx, "audit", "action", action, "err", err)
	}
}

// HasOperators reports whether any operator account exists (the built-in OAuth server is the
// default only then: someone must be able to sign in to consent).
func HasOperators(ctx context.Context, d *Deps) (bool, error) {
	users, err := d.Store.ListUsers(ctx, "")
	if err != nil {
		return false, err
	}
	return len(users) > 0, nil
}
