package tools_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/tools"
)

func sessionToken(t *testing.T, v tools.Verification) string {
	t.Helper()
	u, err := url.Parse(v.HostedURL)
	require.NoError(t, err)
	return strings.TrimPrefix(u.Path, "/verify/")
}

// A session caller reaches only the applicant-facing tools, and only for its own verification.
func TestSessionCallerIsConfinedToItsVerification(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	ctx := context.Background()
	var mine, other tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}}, &mine))
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &other))

	c, err := tools.AuthenticateSession(ctx, e.Reg.Deps(), sessionToken(t, mine))
	require.NoError(t, err)
	require.True(t, c.IsSession())
	require.Equal(t, mine.ID, c.VerificationID)
	require.False(t, e.Test.IsSession(), "an API key is never a session")

	var got tools.Verification
	require.Nil(t, e.Call(t, c, "get_verification", map[string]any{"id": mine.ID}, &got))
	require.Equal(t, mine.Reference, got.Reference)

	for _, tc := range []struct {
		tool string
		args map[string]any
		code tools.Code
	}{
		{"get_verification", map[string]any{"id": other.ID}, tools.CodeNotFound},
		{"submit_verification", map[string]any{"id": other.ID}, tools.CodeNotFound},
		{"cancel_verification", map[string]any{"id": mine.ID}, tools.CodePermissionDenied},
		{"list_verifications", map[string]any{}, tools.CodePermissionDenied},
		{"create_verification", map[string]any{"checks": []string{"screening"}}, tools.CodePermissionDenied},
		{"get_applicant", map[string]any{"id": mine.ApplicantID}, tools.CodePermissionDenied},
	} {
		te := e.Call(t, c, tc.tool, tc.args, nil)
		require.NotNil(t, te, tc.tool)
		require.Equal(t, tc.code, te.Code, "%s: %+v", tc.tool, te)
	}
	// Consent comes first: the session cannot submit (or upload) before it (#18).
	te := e.Call(t, c, "submit_verification", map[string]any{"id": mine.ID}, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeConflict, te.Code)
	require.True(t, strings.HasPrefix(te.Message, tools.ConsentRequired), te.Message)
	require.Nil(t, e.Call(t, c, "record_consent", map[string]any{"id": mine.ID, "statement": "I agree", "locale": "en"}, nil))
	require.Nil(t, e.Call(t, c, "submit_verification", map[string]any{"id": mine.ID}, nil))
	// An API key is not held to it: the integrator collects consent in their product.
	var api tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}}, &api))
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": api.ID}, nil))

	// The scope cannot be given to an API key.
	_, err = tools.ParseScopes("session")
	require.Error(t, err)
}

func TestAuthenticateSessionRefusesBadTokens(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	for _, tok := range []string{"", "sk_test_abc", "vst_short", "vst_" + strings.Repeat("a", 40), strings.Repeat("x", 500)} {
		_, err := tools.AuthenticateSession(context.Background(), e.Reg.Deps(), tok)
		te := tools.AsError(err)
		require.NotNil(t, te, "%q", tok)
		require.Equal(t, tools.CodeUnauthenticated, te.Code, "%q", tok)
	}
	_, _, err := tools.IssueHandoff(context.Background(), e.Reg.Deps(), e.Test)
	require.Equal(t, tools.CodePermissionDenied, tools.AsError(err).Code, "only sessions hand off")
	for _, code := range []string{"", "vho_", "vho_!!!", "vho_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "vst_x"} {
		_, err := tools.RedeemHandoff(context.Background(), e.Reg.Deps(), code)
		require.Equal(t, tools.CodeUnauthenticated, tools.AsError(err).Code, "%q", code)
	}
}

// A hand-off token opens its session once, on either database.
func TestHandoffOpensOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		ctx := context.Background()
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &v))
		c, err := tools.AuthenticateSession(ctx, e.Reg.Deps(), sessionToken(t, v))
		require.NoError(t, err)
		code, exp, err := tools.IssueHandoff(ctx, e.Reg.Deps(), c)
		require.NoError(t, err)
		require.True(t, exp.After(s.Now()))
		tok, err := tools.RedeemHandoff(ctx, e.Reg.Deps(), code)
		require.NoError(t, err)
		require.Equal(t, sessionToken(t, v), tok)
		_, err = tools.RedeemHandoff(ctx, e.Reg.Deps(), code)
		require.Equal(t, tools.CodeUnauthenticated, tools.AsError(err).Code, "a second open is refused")
	})
}
