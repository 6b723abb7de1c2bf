package tools

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
	path := filepath.Join("..", "README.md")
	readme, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := readmeToolTable(All())
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, readmeTableHeader)
	require.GreaterOrEqual(t, start, 0, "README.md has no tool table (a line %q)", strings.SplitN(readmeTableHeader, "\n", 2)[0])
	end := strings.Index(text[start:], "\n\n")
	require.Greater(t, end, 0, "the README's tool table must be followed by a blank line")
	end += start + 1
	got := text[start:end]
	if got == want {
		return
	}
	if os.Getenv("KYCD_UPDATE_README") != "" {
		require.NoError(t, os.WriteFile(path, []byte(text[:start]+want+text[end:]), 0o644))
		return
	}
	t.Errorf("the README's tool table is not the registry's:\n%s\nthe registry's table:\n%s"+
		"change the tool's Brief, Scope or REST rather than the README, then run: go generate ./tools",
		unifiedDiff("README.md", "registry", got, want), want)
}
