package tools_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/tools"
)

// listBytes is what a tool adds to tools/list, near enough: its name, title, description,
// input schema and output shape, as compact JSON (the adapters add a few bytes of hints).
func listBytes(info tools.Info) int {
	b, _ := json.Marshal(map[string]any{"name": info.Name, "title": info.Title, "description": info.Description,
		"inputSchema": info.InputSchema, "outputSchema": info.OutputShape})
	return len(b)
}

// defaultToolBudget is the budget of a tool testdata/toolbudget.json does not list: a new tool
// fits it or says in that file why it needs more.
const defaultToolBudget = 6000

// TestToolByteBudget keeps what an agent pays for the tool list in view (#20): every tool's
// share of tools/list stays within its budget in testdata/toolbudget.json (bytes), so a
// schema that grows — a new nested type, a long description — is a visible, deliberate change.
// Budgets are the size when set plus about 5 %; -update-toolsnaps rewrites them.
func TestToolByteBudget(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	path := filepath.Join("testdata", "toolbudget.json")
	budgets := map[string]int{}
	if !*updateSnaps {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &budgets))
	}
	total := 0
	var over []string
	for _, info := range reg.Tools() {
		n := listBytes(info)
		total += n
		if *updateSnaps {
			budgets[info.Name] = int(math.Ceil(float64(n)*1.05/100) * 100)
			continue
		}
		b, ok := budgets[info.Name]
		if !ok {
			b = defaultToolBudget
		}
		if n > b {
			over = append(over, fmt.Sprintf("%s: %d bytes, budget %d", info.Name, n, b))
		}
	}
	t.Logf("tools/list: %d tools, %d bytes of names, descriptions and schemas", len(reg.Tools()), total)
	if *updateSnaps {
		names := make([]string, 0, len(budgets))
		for k := range budgets {
			names = append(names, k)
		}
		sort.Strings(names)
		var b strings.Builder
		b.WriteString("{\n")
		for i, k := range names {
			fmt.Fprintf(&b, "  %q: %d", k, budgets[k])
			if i < len(names)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("}\n")
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
		return
	}
	require.Empty(t, over, "a tool outgrew its share of tools/list; shorten its descriptions or share a $defs type, or raise its budget in %s on purpose", path)
}
