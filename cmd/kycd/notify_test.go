package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
}
