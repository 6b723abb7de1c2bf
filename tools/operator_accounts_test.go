package tools_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// Further accounts of an operator: added with a role, listed with that role's scopes, removed;
// every bad input names its field.
func TestOperatorAccounts(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	ctx := context.Background()
	e, _ := oauthEnv(t, s)
	d := e.Reg.Deps()
	u, _, err := tools.CreateOperator(ctx, d, "acct_a", "multi@example.com", verify.RoleAdmin)
	require.NoError(t, err)

	require.NoError(t, tools.AddOperatorAccount(ctx, d, "multi@example.com", "acct_b", verify.RoleViewer))
	require.NoError(t, tools.AddOperatorAccount(ctx, d, "MULTI@example.com", "acct_c", verify.RoleReviewer))
	require.NoError(t, tools.AddOperatorAccount(ctx, d, "multi@example.com", "acct_c", verify.RoleAdmin)) // a new role replaces the old
	got, err := tools.OperatorMemberships(ctx, d, u.ID)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "acct_b", got[0].AccountID)
	require.Equal(t, tools.RoleScopes(verify.RoleViewer), got[0].Scopes)
	require.Equal(t, "acct_c", got[1].AccountID)
	require.Equal(t, verify.RoleAdmin, got[1].Role)

	for _, c := range []struct{ email, account, role, field string }{
		{"multi@example.com", "acct_a", verify.RoleViewer, "account"}, // the operator's own account
		{"multi@example.com", " ", verify.RoleViewer, "account"},
		{"multi@example.com", "acct_d", "owner", "role"},
		{"nobody@example.com", "acct_d", verify.RoleViewer, "email"},
	} {
		te := tools.AsError(tools.AddOperatorAccount(ctx, d, c.email, c.account, c.role))
		require.NotNil(t, te, c)
		require.Equal(t, c.field, te.Field, c)
	}

	require.NoError(t, tools.RemoveOperatorAccount(ctx, d, "multi@example.com", "acct_b"))
	te := tools.AsError(tools.RemoveOperatorAccount(ctx, d, "multi@example.com", "acct_b"))
	require.NotNil(t, te)
	require.Equal(t, tools.CodeNotFound, te.Code)
	got, err = tools.OperatorMemberships(ctx, d, u.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
}
