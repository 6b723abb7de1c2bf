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

var updateSnaps = flag.Bool("update-toolsnaps", false, "rewrite tools/testdata/toolsnaps from the current schemas")

// TestToolSchemaSnapshots fails when a tool's input or output schema changes without its
// snapshot being updated (go test ./tools -run Snapshots -update-toolsnaps), so schema
// changes are always deliberate and visible in review.
func TestToolSchemaSnapshots(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	dir := filepath.Join("testdata", "toolsnaps")
	seen := map[string]bool{}
	for _, info := range reg.Tools() {
		snap := map[string]any{
			"name": info.Name, "title": info.Title, "description": info.Description, "scope": info.Scope,
			"annotations":  info.Annotations,
			"inputSchema":  json.RawMessage(info.InputSchema),
			"outputSchema": json.RawMessage(info.OutputSchema),
		}
		got, err := json.MarshalIndent(snap, "", "  ")
		require.NoError(t, err)
		got = append(got, '\n')
		path := filepath.Join(dir, info.Name+".json")
		seen[info.Name+".json"] = true
		if *updateSnaps {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "no snapshot for %s: run go test ./tools -run Snapshots -update-toolsnaps", info.Name)
		if !bytes.Equal(want, got) {
			t.Errorf("schema of %s changed; review and run go test ./tools -run Snapshots -update-toolsnaps", info.Name)
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
