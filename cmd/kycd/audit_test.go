package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// `kycd users create` prints a setup link and is audited; `kycd audit verify` passes on the
// chain, exports it as JSON lines, and names the first broken row after the table is edited.
func TestUsersAndAuditCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"users", "create", "--data-dir", dataDir, "--email", "Ops@Example.com", "--role", "admin",
		"--public-url", "https://kyc.example.com"}, nil, &out, &out))
	require.Regexp(t, `^https://kyc\.example\.com/dashboard/setup/[A-Za-z0-9_-]{43}\n$`, out.String())
	err := run(ctx, []string{"users", "create", "--data-dir", dataDir, "--email", "ops@example.com", "--role", "admin"}, nil, &out, &out)
	require.ErrorContains(t, err, "exists already")
	err = run(ctx, []string{"users", "create", "--data-dir", dataDir, "--email", "x@example.com", "--role", "boss"}, nil, &out, &out)
	require.ErrorContains(t, err, "role")
	for _, args := range [][]string{{"disable", "--email", "ops@example.com"}, {"enable", "--email", "ops@example.com"}} {
		out.Reset()
		require.NoError(t, run(ctx, append([]string{"users", args[0], "--data-dir", dataDir}, args[1:]...), nil, &out, &out))
	}
	out.Reset()
	require.NoError(t, run(ctx, []string{"users", "list", "--data-dir", dataDir}, nil, &out, &out))
	require.Contains(t, out.String(), "ops@example.com")
	require.Contains(t, out.String(), "invited")

	out.Reset()
	require.NoError(t, run(ctx, []string{"audit", "verify", "--data-dir", dataDir}, nil, &out, &out))
	require.Equal(t, "acct_default: ok, 3 row(s)\n", out.String())
	out.Reset()
	require.NoError(t, run(ctx, []string{"audit", "export", "--data-dir", dataDir}, nil, &out, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	require.Contains(t, lines[0], `"action":"user.create"`)
	require.Contains(t, lines[2], `"action":"user.enable"`)

	cfg, _, err := parseConfig("audit", []string{"--data-dir", dataDir})
	require.NoError(t, err)
	store, err := openStore(ctx, cfg)
	require.NoError(t, err)
	for _, q := range []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET action = 'user.view' WHERE seq = 2"} {
		_, err := store.DB.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	store.Close()
	out.Reset()
	err = run(ctx, []string{"audit", "verify", "--data-dir", dataDir, "--account", "acct_default"}, nil, &out, &out)
	require.True(t, errors.Is(err, errChainBroken))
	require.Regexp(t, `acct_default: BROKEN at row 2 \(aud_[0-9a-z]+\): row 2 .* does not match its hash`, out.String())
}
