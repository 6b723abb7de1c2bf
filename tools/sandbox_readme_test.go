package tools

import (
	"fmt"
	"strings"
	"testing"

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
	syncREADMETable(t, readmeSandboxHeader, readmeSandboxTable(verify.SandboxRules()), "verify.SandboxRules",
		"change the rules rather than the README, then run: go generate ./tools")
}
