package tools

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// readmeTableHeader opens the README's tool table; the table runs to the next blank line.
const readmeTableHeader = "| tool | what it does | scope | REST |\n|---|---|---|---|\n"

// readmeToolTable renders the README's tool table from the registry, in All() order (which
// groups the tools by what they work on).
func readmeToolTable(ds []Descriptor) (string, error) {
	var sb strings.Builder
	sb.WriteString(readmeTableHeader)
	for _, d := range ds {
		info := d.info()
		brief := d.brief()
		if brief == "" {
			return "", fmt.Errorf("tool %s has no Brief for the README", info.Name)
		}
		var routes []string
		for _, rest := range info.REST.Bindings(info.Name) {
			route := fmt.Sprintf("`%s %s`", rest.Method, rest.Path)
			if rest.Status != http.StatusOK {
				route += fmt.Sprintf(" → %d", rest.Status)
			}
			routes = append(routes, route)
		}
		route := strings.Join(routes, ", ")
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s |\n", info.Name, brief, info.Scope, route)
	}
	return sb.String(), nil
}

// TestREADMEToolTable fails when the README's tool table is not the one the registry renders.
// Regenerate it with go generate ./tools (KYCD_UPDATE_README=1 go test ./tools -run README).
func TestREADMEToolTable(t *testing.T) {
	t.Parallel()
	want, err := readmeToolTable(All())
	require.NoError(t, err)
	syncREADMETable(t, readmeTableHeader, want, "registry",
		"change the tool's Brief, Scope or REST rather than the README, then run: go generate ./tools")
}

var readmeMu sync.Mutex

// syncREADMETable compares the README's table that starts with header (and runs to the next
// blank line) with want, rendered from source; with KYCD_UPDATE_README set it writes want
// there instead. hint says how to fix a difference.
func syncREADMETable(t *testing.T, header, want, source, hint string) {
	t.Helper()
	readmeMu.Lock() // the tests run in parallel and may each rewrite the file
	defer readmeMu.Unlock()
	path := filepath.Join("..", "README.md")
	readme, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, header)
	require.GreaterOrEqual(t, start, 0, "README.md has no table opened by a line %q", strings.SplitN(header, "\n", 2)[0])
	end := strings.Index(text[start:], "\n\n")
	require.Greater(t, end, 0, "the README's table %q must be followed by a blank line", strings.SplitN(header, "\n", 2)[0])
	end += start + 1
	got := text[start:end]
	if got == want {
		return
	}
	if os.Getenv("KYCD_UPDATE_README") != "" {
		require.NoError(t, os.WriteFile(path, []byte(text[:start]+want+text[end:]), 0o644))
		return
	}
	t.Errorf("the README's table is not the %s's:\n%s\nthe %s's table:\n%s%s",
		source, unifiedDiff("README.md", source, got, want), source, want, hint)
}
