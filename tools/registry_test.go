package tools_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/tools"
)

var updateSnaps = flag.Bool("update-toolsnaps", false, "rewrite tools/testdata/toolsnaps from the current registry")

const updateSnapsHint = "review the diff; if the change is meant, run: make toolsnaps (go test ./tools -run TestToolSnapshots -update-toolsnaps)"

// toolSnapshot is the whole contract of one tool as every surface shows it: its name and words,
// the scope it needs, the MCP hints, the REST route, the surface inputs it gains (idempotency
// key, wait_seconds), whether the hosted flow may call it, and both schemas.
type toolSnapshot struct {
	Name           string            `json:"name"`
	Title          string            `json:"title"`
	Description    string            `json:"description"`
	Scope          tools.Scope       `json:"scope"`
	Annotations    tools.Annotations `json:"annotations"`
	REST           restSnapshot      `json:"rest"`
	Creates        bool              `json:"creates"`
	Waits          bool              `json:"waits"`
	SessionAllowed bool              `json:"sessionAllowed"`
	InputSchema    json.RawMessage   `json:"inputSchema"`
	OutputSchema   json.RawMessage   `json:"outputSchema"`
}

type restSnapshot struct {
	Method  string         `json:"method"`
	Path    string         `json:"path"`
	Status  int            `json:"status"`
	Example string         `json:"example,omitempty"`
	Also    []restSnapshot `json:"also,omitempty"`
}

func snapshotOf(info tools.Info) ([]byte, error) {
	rest := info.REST.OrDefault(info.Name)
	snap := toolSnapshot{
		Name: info.Name, Title: info.Title, Description: info.Description, Scope: info.Scope,
		Annotations: info.Annotations,
		REST:        restSnapshot{Method: rest.Method, Path: rest.Path, Status: rest.Status, Example: rest.Example},
		Creates:     info.Creates, Waits: info.Waits, SessionAllowed: info.SessionAllowed,
		InputSchema: info.InputSchema, OutputSchema: info.OutputSchema,
	}
	for _, a := range info.REST.Bindings(info.Name)[1:] {
		snap.REST.Also = append(snap.REST.Also, restSnapshot{Method: a.Method, Path: a.Path, Status: a.Status, Example: a.Example})
	}
	got, err := json.MarshalIndent(snap, "", "  ")
	return append(got, '\n'), err
}

// TestToolSnapshots fails when anything a caller sees of a tool — its name, title,
// description, scope, annotations, REST route and status, surface inputs or schemas — changes
// without its snapshot under testdata/toolsnaps being updated (-update-toolsnaps), so every
// contract change is deliberate and visible in review.
func TestToolSnapshots(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	dir := filepath.Join("testdata", "toolsnaps")
	seen := map[string]bool{}
	for _, info := range reg.Tools() {
		got, err := snapshotOf(info)
		require.NoError(t, err)
		path := filepath.Join(dir, info.Name+".json")
		seen[info.Name+".json"] = true
		if *updateSnaps {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("no snapshot for %s: %v; %s", info.Name, err, updateSnapsHint)
			continue
		}
		if !bytes.Equal(want, got) {
			t.Errorf("the contract of %s changed:\n%s%s", info.Name,
				tools.UnifiedDiff(path+" (snapshot)", path+" (registry)", string(want), string(got)), updateSnapsHint)
		}
	}
	if !*updateSnaps {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			require.True(t, seen[e.Name()], "snapshot %s has no tool; delete it", e.Name())
		}
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestRegistryRules(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	for _, info := range reg.Tools() {
		t.Run(info.Name, func(t *testing.T) {
			require.Regexp(t, snakeCase, info.Name)
			require.NotEmpty(t, info.Title)
			require.GreaterOrEqual(t, len(info.Description), 30, "describe what the tool does and when to use it")
			require.NotEmpty(t, info.Scope)
			var in, out map[string]any
			require.NoError(t, json.Unmarshal(info.InputSchema, &in))
			require.NoError(t, json.Unmarshal(info.OutputSchema, &out))
			for _, s := range []map[string]any{in, out} {
				require.Equal(t, "object", s["type"], "MCP wants object schemas")
				require.NotContains(t, s, "anyOf")
				require.NotContains(t, s, "oneOf")
				require.NotContains(t, s, "allOf")
			}
			require.Equal(t, false, in["additionalProperties"], "unknown input fields must be rejected")
			requireDescriptions(t, info.Name, in)
			requireDescriptions(t, info.Name, out)
		})
	}
	_, err = tools.NewRegistry(nil, tools.GetVerification.Compile(), tools.GetVerification.Compile())
	require.ErrorContains(t, err, "twice")
}

// requireDescriptions walks a schema and demands a description on every property.
func requireDescriptions(t *testing.T, tool string, s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	for name, p := range props {
		ps := p.(map[string]any)
		if _, ok := ps["description"]; !ok {
			t.Errorf("%s: property %q has no description", tool, name)
		}
		requireDescriptions(t, tool, ps)
		if items, ok := ps["items"].(map[string]any); ok {
			requireDescriptions(t, tool, items)
		}
	}
}
