package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// kycd keys create --expires-in gives the key an expiry; a negative one is refused by name.
func TestKeysCreateExpiresIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"keys", "create", "--data-dir", dataDir, "--name", "crm", "--expires-in", "2160h"}, nil, &out, &out))
	require.True(t, strings.HasPrefix(out.String(), "sk_test_"), out.String())
	err := run(ctx, []string{"keys", "create", "--data-dir", dataDir, "--name", "crm", "--expires-in", "-1h"}, nil, &out, &out)
	require.ErrorContains(t, err, "expires-in")
	out.Reset()
	require.NoError(t, run(ctx, []string{"keys", "list", "--data-dir", dataDir}, nil, &out, &out))
	require.Contains(t, out.String(), "EXPIRES")
	keys := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "key_") {
			keys++
			at, err := time.Parse(time.RFC3339, f[len(f)-1])
			require.NoError(t, err, "the last column is the expiry: %s", line)
			require.WithinDuration(t, time.Now().Add(2160*time.Hour), at, time.Hour)
		}
	}
	require.Equal(t, 1, keys, out.String())
}
