package tools_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// clock is a settable time for the sign-in rules.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fastArgon keeps tests quick; the production cost is verify.DefaultPasswordParams.
var fastArgon = verify.PasswordParams{Time: 1, Memory: 1024, Threads: 1}

func operatorEnv(t *testing.T, s *db.Store) (*tooltest.Env, tools.OperatorOptions, *clock) {
	e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckFaceMatch: tooltest.Check{Outcome: models.OutcomePass}})
	clk := &clock{t: time.Now().UTC()}
	return e, tools.OperatorOptions{Password: fastArgon, Now: clk.Now}, clk
}

var here = tools.Origin{IP: "198.51.100.7", UserAgent: "test"}

// newOperator creates an operator and completes their setup (password, and TOTP when withTOTP),
// answering the TOTP secret and recovery codes.
func newOperator(t *testing.T, e *tooltest.Env, o tools.OperatorOptions, clk *clock, email, role string, withTOTP bool) (string, []string) {
	t.Helper()
	ctx := context.Background()
	d := e.Reg.Deps()
	_, link, err := tools.CreateOperator(ctx, d, "acct_a", email, role)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(link, "https://kyc.example.test/dashboard/setup/"), link)
	token := strings.TrimPrefix(link, "https://kyc.example.test"+tools.SetupPath)
	info, err := tools.OperatorSetupInfo(ctx, d, token)
	require.NoError(t, err)
	require.Equal(t, strings.ToLower(email), info.Email)
	secret, code := "", ""
	if withTOTP {
		en, err := tools.NewTOTPEnrolment("kycd", info.Email, "")
		require.NoError(t, err)
		require.Contains(t, en.URI, "otpauth://totp/")
		secret = en.Secret
		code, err = totp.GenerateCode(secret, clk.Now())
		require.NoError(t, err)
	}
	_, err = tools.OperatorCompleteSetup(ctx, d, o, token, "short", secret, code, here)
	require.Equal(t, "password", tools.AsError(err).Field, "a short password is refused")
	codes, err := tools.OperatorCompleteSetup(ctx, d, o, token, "correct horse battery staple", secret, code, here)
	require.NoError(t, err)
	_, err = tools.OperatorSetupInfo(ctx, d, token)
	require.Equal(t, tools.CodeNotFound, tools.AsError(err).Code, "a setup link works once")
	return secret, codes
}

// Sign-in with a password and a TOTP code: the half-signed-in session is good for nothing but
// the code, a code is accepted once, the session id changes at every step (no fixation), and
// recovery codes work once each.
func TestOperatorLoginTOTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e, o, clk := operatorEnv(t, s)
		d := e.Reg.Deps()
		secret, codes := newOperator(t, e, o, clk, "Ana@Example.com", verify.RoleReviewer, true)
		require.Len(t, codes, verify.RecoveryCodeCount)

		_, _, err := tools.OperatorLogin(ctx, d, o, "ana@example.com", "wrong password!!", here)
		require.Equal(t, tools.CodeUnauthenticated, tools.AsError(err).Code)
		_, _, err = tools.OperatorLogin(ctx, d, o, "nobody@example.com", "correct horse battery staple", here)
		require.Equal(t, "wrong e-mail or password", tools.AsError(err).Message, "unknown e-mails get the same answer")

		pending, ps, err := tools.OperatorLogin(ctx, d, o, "ANA@example.com", "correct horse battery staple", here)
		require.NoError(t, err)
		require.True(t, ps.SecondFactorDue)
		got, err := tools.AuthenticateOperatorSession(ctx, d, o, pending)
		require.NoError(t, err)
		require.True(t, got.SecondFactorDue, "a password alone does not sign in")

		// The code used at enrolment is spent.
		used, _ := totp.GenerateCode(secret, clk.Now())
		_, _, err = tools.OperatorSecondFactor(ctx, d, o, pending, used, here)
		require.Equal(t, "code", tools.AsError(err).Field)
		clk.Add(30 * time.Second)
		code, _ := totp.GenerateCode(secret, clk.Now())
		token, sess, err := tools.OperatorSecondFactor(ctx, d, o, pending, code, here)
		require.NoError(t, err)
		require.NotEqual(t, pending, token, "the session is rotated at the second factor")
		require.Equal(t, "ana@example.com", sess.Email)
		require.Equal(t, "acct_a", sess.Caller.AccountID)
		require.Equal(t, sess.UserID, sess.Caller.UserID)
		require.True(t, sess.Caller.Has(tools.ScopeReview))
		require.True(t, sess.Caller.Has(tools.ScopeVerificationsRead))
		require.False(t, sess.Caller.Has(tools.ScopeKeysWrite), "a reviewer cannot manage keys")
		require.False(t, sess.Caller.Has(tools.ScopeUsersAdmin))
		gone, err := tools.AuthenticateOperatorSession(ctx, d, o, pending)
		require.NoError(t, err)
		require.Nil(t, gone, "the pre-login session id is never valid after login")
		_, _, err = tools.OperatorSecondFactor(ctx, d, o, pending, code, here)
		require.Error(t, err, "nor can it be completed twice")
		cur, err := tools.AuthenticateOperatorSession(ctx, d, o, token)
		require.NoError(t, err)
		require.False(t, cur.SecondFactorDue)
		require.Equal(t, models.ModeLive, cur.Mode)

		// A recovery code signs in once.
		p2, _, err := tools.OperatorLogin(ctx, d, o, "ana@example.com", "correct horse battery staple", here)
		require.NoError(t, err)
		_, _, err = tools.OperatorSecondFactor(ctx, d, o, p2, strings.ToUpper(codes[3]), here)
		require.NoError(t, err)
		p3, _, err := tools.OperatorLogin(ctx, d, o, "ana@example.com", "correct horse battery staple", here)
		require.NoError(t, err)
		_, _, err = tools.OperatorSecondFactor(ctx, d, o, p3, codes[3], here)
		require.Error(t, err, "a recovery code is good once")

		// Sign-ins are in the audit trail, the wrong ones too.
		var out tools.AuditEventList
		admin := e.Key(t, "acct_a", models.ModeTest, "audit:read")
		require.Nil(t, e.Call(t, admin, "list_audit_events", map[string]any{"action": "login", "limit": 100}, &out))
		outcomes := map[string]int{}
		for _, ev := range out.Data {
			outcomes[ev.Outcome]++
			require.Equal(t, "198.51.100.7", ev.IP)
		}
		require.Equal(t, map[string]int{"wrong_password": 1, "wrong_code": 2, "ok": 2}, outcomes)
	})
}

// Failed sign-ins are throttled per account (whatever the password afterwards) and per IP,
// over a sliding window.
func TestOperatorLoginThrottle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, o, clk := operatorEnv(t, dbtest.SQLite(t))
	o.Throttle = verify.LoginThrottle{PerAccount: 3, PerIP: 5, Window: 10 * time.Minute}
	d := e.Reg.Deps()
	newOperator(t, e, o, clk, "bo@example.com", verify.RoleViewer, false)
	newOperator(t, e, o, clk, "cy@example.com", verify.RoleViewer, false)
	for range 3 {
		_, _, err := tools.OperatorLogin(ctx, d, o, "bo@example.com", "guess guess guess", here)
		require.Equal(t, tools.CodeUnauthenticated, tools.AsError(err).Code)
	}
	_, _, err := tools.OperatorLogin(ctx, d, o, "bo@example.com", "correct horse battery staple", here)
	require.Equal(t, tools.CodeRateLimited, tools.AsError(err).Code, "the account is throttled, even for the right password")
	elsewhere := tools.Origin{IP: "203.0.113.9"}
	_, _, err = tools.OperatorLogin(ctx, d, o, "bo@example.com", "correct horse battery staple", elsewhere)
	require.Equal(t, tools.CodeRateLimited, tools.AsError(err).Code, "from any IP")
	// Two more failures from here, on other accounts, exhaust the IP's budget.
	for _, em := range []string{"x1@example.com", "x2@example.com"} {
		_, _, err := tools.OperatorLogin(ctx, d, o, em, "guess guess guess", here)
		require.Equal(t, tools.CodeUnauthenticated, tools.AsError(err).Code)
	}
	_, _, err = tools.OperatorLogin(ctx, d, o, "cy@example.com", "correct horse battery staple", here)
	require.Equal(t, tools.CodeRateLimited, tools.AsError(err).Code, "the IP is throttled")
	_, _, err = tools.OperatorLogin(ctx, d, o, "cy@example.com", "correct horse battery staple", elsewhere)
	require.NoError(t, err, "another IP is not")
	clk.Add(11 * time.Minute)
	_, _, err = tools.OperatorLogin(ctx, d, o, "bo@example.com", "correct horse battery staple", here)
	require.NoError(t, err, "the window passed")
}

// Sessions end after the idle timeout and, however active, after the absolute one; logout,
// logout everywhere, a password change and disabling the user end them too.
func TestOperatorSessionTimeouts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, o, clk := operatorEnv(t, dbtest.SQLite(t))
	o.Sessions = verify.SessionPolicy{Idle: 30 * time.Minute, Absolute: 2 * time.Hour, SecondFactor: 5 * time.Minute}
	d := e.Reg.Deps()
	s := e.Store
	s.SetClock(clk.Now)
	newOperator(t, e, o, clk, "dee@example.com", verify.RoleAdmin, false)
	login := func() string {
		tok, _, err := tools.OperatorLogin(ctx, d, o, "dee@example.com", "correct horse battery staple", here)
		require.NoError(t, err)
		return tok
	}
	alive := func(tok string) bool {
		got, err := tools.AuthenticateOperatorSession(ctx, d, o, tok)
		require.NoError(t, err)
		return got != nil
	}
	idle := login()
	clk.Add(29 * time.Minute)
	require.True(t, alive(idle))
	clk.Add(29 * time.Minute) // active 29 minutes ago: still within the idle timeout
	require.True(t, alive(idle))
	clk.Add(31 * time.Minute)
	require.False(t, alive(idle), "idle for 31 minutes")

	busy := login()
	for i := range 6 { // active every 19 minutes, up to the absolute timeout
		clk.Add(19 * time.Minute)
		require.True(t, alive(busy), "after %d minutes", 19*(i+1))
	}
	clk.Add(7 * time.Minute)
	require.False(t, alive(busy), "over two hours since sign-in")

	a, b, c := login(), login(), login()
	sa, err := tools.AuthenticateOperatorSession(ctx, d, o, a)
	require.NoError(t, err)
	require.NoError(t, tools.OperatorLogout(ctx, d, c, here))
	require.False(t, alive(c))
	n, err := tools.OperatorLogoutEverywhere(ctx, d, sa, sa.SessionID, here)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.True(t, alive(a))
	require.False(t, alive(b))
	b = login()
	require.NoError(t, tools.OperatorChangePassword(ctx, d, o, sa, "correct horse battery staple", "another long passphrase", here))
	require.True(t, alive(a))
	require.False(t, alive(b), "a password change signs out the other sessions")

	// An admin disables another operator: their sessions end and they cannot sign in.
	newOperator(t, e, o, clk, "eve@example.com", verify.RoleViewer, false)
	ev, _, err := tools.OperatorLogin(ctx, d, o, "eve@example.com", "correct horse battery staple", here)
	require.NoError(t, err)
	var users tools.UserList
	require.Nil(t, e.Call(t, sa.Caller, "list_users", map[string]any{}, &users))
	require.Len(t, users.Data, 2)
	var eve tools.User
	for _, u := range users.Data {
		if u.Email == "eve@example.com" {
			eve = u
		}
	}
	var upd tools.User
	require.Nil(t, e.Call(t, sa.Caller, "update_user", map[string]any{"id": eve.ID, "disabled": true}, &upd))
	require.Equal(t, "disabled", upd.Status)
	require.False(t, alive(ev))
	_, _, err = tools.OperatorLogin(ctx, d, o, "eve@example.com", "correct horse battery staple", here)
	require.Equal(t, tools.CodeUnauthenticated, tools.AsError(err).Code)
	te := e.Call(t, sa.Caller, "update_user", map[string]any{"id": sa.UserID, "disabled": true}, nil)
	require.NotNil(t, te)
	require.Equal(t, "disabled", te.Field, "an admin cannot lock themselves out")
	// A viewer cannot manage users or review.
	var created tools.User
	require.Nil(t, e.Call(t, sa.Caller, "create_user", map[string]any{"email": "fay@example.com", "role": "viewer"}, &created))
	require.Contains(t, created.SetupURL, tools.SetupPath)
	require.Equal(t, "invited", created.Status)
}
