package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// `kycd users add-account` / `remove-account` give an operator a role in further accounts (the
// OAuth consent page offers them); the registration limit flags are checked.
func TestUsersAccountsCommandsAndOAuthLimitFlags(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"users", "create", "--data-dir", dataDir, "--email", "ops@example.com", "--role", "admin"}, nil, &out, &out))
	out.Reset()
	require.NoError(t, run(ctx, []string{"users", "add-account", "--data-dir", dataDir, "--email", "ops@example.com", "--account", "acct_b", "--role", "viewer"}, nil, &out, &out))
	require.Equal(t, "ops@example.com: own account acct_default (admin), acct_b (viewer)\n", out.String())
	err := run(ctx, []string{"users", "add-account", "--data-dir", dataDir, "--email", "ops@example.com", "--account", "acct_c"}, nil, &out, &out)
	require.ErrorContains(t, err, "--role")
	err = run(ctx, []string{"users", "add-account", "--data-dir", dataDir, "--email", "ops@example.com", "--account", "acct_default", "--role", "viewer"}, nil, &out, &out)
	require.ErrorContains(t, err, "own account")
	out.Reset()
	require.NoError(t, run(ctx, []string{"users", "remove-account", "--data-dir", dataDir, "--email", "ops@example.com", "--account", "acct_b"}, nil, &out, &out))
	require.Equal(t, "ops@example.com: own account acct_default (admin)\n", out.String())
	err = run(ctx, []string{"users", "remove-account", "--data-dir", dataDir, "--email", "ops@example.com", "--account", "acct_b"}, nil, &out, &out)
	require.ErrorContains(t, err, "no role in acct_b")

	for _, c := range []struct{ args []string }{
		{[]string{"--oauth-registrations-per-ip", "0"}},
		{[]string{"--oauth-registrations-per-ip", "50", "--oauth-registrations-global", "10"}},
		{[]string{"--oauth-registration-window", "10s"}},
	} {
		_, _, err := parseConfig("serve", c.args)
		require.Error(t, err, c.args)
		require.Contains(t, err.Error(), "oauth-registration", c.args)
	}
	cfg, _, err := parseConfig("serve", []string{"--oauth-registrations-per-ip", "5", "--oauth-registrations-global", "50", "--oauth-registration-window", "30m"})
	require.NoError(t, err)
	require.Equal(t, 5, cfg.OAuth.RegistrationsPerIP)
}
