package rpc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
)

// TestStdioRechecksKey: kycd rpc and kycd mcp authenticate once, at start; a Rechecked
// caller (what both use) checks the key again at every message, so a key revoked meanwhile
// gets unauthenticated answers from then on and nothing is done with it.
func TestStdioRechecksKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		jr, err := rpc.NewJSONRPC(e.Reg, "test")
		require.NoError(t, err)
		mcpServer := rpc.NewMCPServer(e.Reg, "test")
		for _, surface := range []string{"rpc", "mcp"} {
			secret, k, err := s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: surface, Mode: models.ModeTest, Scopes: scopes(t, "")})
			require.NoError(t, err)
			caller, err := tools.Authenticate(ctx, e.Reg.Deps(), secret)
			require.NoError(t, err)
			caller = caller.Rechecked()

			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() {
				if surface == "rpc" {
					done <- jr.ServeStdio(ctx, caller, inR, outW, nil)
				} else {
					done <- rpc.ServeStdio(ctx, mcpServer, caller, inR, outW, nil)
				}
				outW.Close()
			}()
			lines := bufio.NewScanner(outR)
			lines.Buffer(make([]byte, 1<<20), 1<<20)
			// call sends one tool call and returns the answer's error text ("" when it succeeded).
			call := func(id int, tool string, args map[string]any) string {
				t.Helper()
				msg := map[string]any{"jsonrpc": "2.0", "id": id, "method": tool, "params": args}
				if surface == "mcp" {
					msg["method"], msg["params"] = "tools/call", map[string]any{"name": tool, "arguments": args}
				}
				b, _ := json.Marshal(msg)
				_, err := inW.Write(append(b, '\n'))
				require.NoError(t, err)
				require.True(t, lines.Scan(), "an answer to %s", tool)
				var ans struct {
					Error *struct {
						Message string `json:"message"`
					} `json:"error"`
					Result struct {
						IsError bool `json:"isError"`
						Content []struct {
							Text string `json:"text"`
						} `json:"content"`
					} `json:"result"`
				}
				require.NoError(t, json.Unmarshal(lines.Bytes(), &ans), lines.Text())
				switch {
				case ans.Error != nil:
					return ans.Error.Message
				case ans.Result.IsError:
					return ans.Result.Content[0].Text
				}
				return ""
			}
			if surface == "mcp" {
				init := `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}` + "\n" +
					`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"
				_, err := io.WriteString(inW, init)
				require.NoError(t, err)
				require.True(t, lines.Scan())
			}
			require.Empty(t, call(1, "list_verifications", map[string]any{}), "%s: served while the key is live", surface)
			_, err = s.RevokeAPIKey(ctx, k.ID)
			require.NoError(t, err)
			require.Contains(t, call(2, "create_verification", map[string]any{"checks": []string{"screening"}}), "revoked", surface)
			require.Contains(t, call(3, "list_verifications", map[string]any{}), "revoked", surface)
			inW.Close()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: ServeStdio did not end when stdin closed", surface)
			}
		}
		var n int
		require.NoError(t, s.DB.NewRaw(`SELECT count(*) FROM verifications`).Scan(ctx, &n))
		require.Zero(t, n, "nothing was created with the revoked keys")
	})
}
