package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRPCStdioRechecksKey: `kycd rpc` authenticates KYCD_API_KEY once, at start, and checks
// it again at every message, so `kycd keys revoke` (another process) stops the session.
func TestRPCStdioRechecksKey(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"keys", "create", "--data-dir", dir, "--name", "stdio"}, nil, &out, io.Discard))
	secret := strings.TrimSpace(out.String())
	require.True(t, strings.HasPrefix(secret, "sk_test_"), secret)
	t.Setenv("KYCD_API_KEY", secret)

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"rpc", "--data-dir", dir, "--no-workers"}, inR, outW, io.Discard)
		outW.Close()
	}()
	answers := bufio.NewScanner(outR)
	ask := func(msg string) string {
		t.Helper()
		_, err := io.WriteString(inW, msg+"\n")
		require.NoError(t, err)
		require.True(t, answers.Scan(), "an answer to %s", msg)
		return answers.Text()
	}
	require.Contains(t, ask(`{"jsonrpc":"2.0","id":1,"method":"list_verifications","params":{}}`), `"result"`)
	out.Reset()
	require.NoError(t, run(ctx, []string{"keys", "revoke", "--data-dir", dir, secret[:12]}, nil, &out, io.Discard))
	got := ask(`{"jsonrpc":"2.0","id":2,"method":"list_verifications","params":{}}`)
	require.Contains(t, got, `"error"`)
	require.Contains(t, got, "revoked")
	inW.Close()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("kycd rpc did not end at the end of input")
	}
}
