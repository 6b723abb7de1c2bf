package tools

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/verify"
)

// readmeSandboxHeader opens the README's table of test mode's magic values; the table runs
// to the next blank line.
const readmeSandboxHeader = "| magic value | read from | forces | result | what it does |\n|---|---|---|---|---|\n"

// readmeSandboxTable renders the README's magic-value table from verify.SandboxRules, the
// registry the pipeline and the tools force outcomes from.
func readmeSandboxTable(rules []verify.SandboxRule) string {
	var sb strings.Builder
	sb.WriteString(readmeSandboxHeader)
	for _, r := range rules {
		forces := "—"
		switch {
		case r.Check != "" && r.Reason != "":
			forces = fmt.Sprintf("%s %s (`%s`)", r.Check, r.Outcome, r.Reason)
		case r.Check != "":
			forces = fmt.Sprintf("%s %s", r.Check, r.Outcome)
		case r.Outcome != "":
			forces = fmt.Sprintf("every check %s", r.Outcome)
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s | %s |\n", r.Value, r.Applies, forces, r.Result, r.Description)
	}
	return sb.String()
}

// TestREADMESandboxTable fails when the README's magic-value table is not the one the
// sandbox rules render. Regenerate it with go generate ./tools.
func TestREADMESandboxTable(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "README.md")
	readme, err := os.ReadFile(path)
	require.NoError(t, err)
	want := readmeSandboxTable(verify.SandboxRules())
	text := string(readme)
	start := strings.Index(text, readmeSandboxHeader)
	require.GreaterOrEqual(t, start, 0, "README.md has no sandbox table (a line %q)", strings.SplitN(readmeSandboxHeader, "\n", 2)[0])
	end := strings.Index(text[start:], "\n\n")
	require.Greater(t, end, 0, "the README's sandbox table must be followed by a blank line")
	end += start + 1
	got := text[start:end]
	if got == want {
		return
	}
	if os.Getenv("KYCD_UPDATE_README") != "" {
		require.NoError(t, os.WriteFile(path, []byte(text[:start]+want+text[end:]), 0o644))
		return
	}
	t.Errorf("the README's sandbox table is not verify.SandboxRules':\n%s\nchange the rules rather than the README, then run: go generate ./tools",
		unifiedDiff("README.md", "verify.SandboxRules", got, want))
}
