package tools_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/tools"
)

// The adapters name a tool through the registry (tools.SubmitDocument.Name), never by a
// string literal, so renaming a tool cannot leave a surface calling a name that is gone.
func TestAdaptersDoNotSpellToolNames(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	names := map[string]bool{}
	for _, info := range reg.Tools() {
		names[info.Name] = true
	}
	for _, dir := range []string{"../rest", "../rest/flow", "../rest/dashboard", "../rpc"} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				if s, err := strconv.Unquote(lit.Value); err == nil && names[s] {
					t.Errorf("%s: the tool name %q as a string literal; use tools.<Tool>.Name", fset.Position(lit.Pos()), s)
				}
				return true
			})
		}
	}
}
