package tools_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/tools"
)

// TestToolsSetEveryAnnotation reads the tool definitions and demands that every Tool[…]
// literal spells out all four MCP hints: a hint left out is silently false, and "not
// destructive" or "not idempotent" must be a decision, not a default.
func TestToolsSetEveryAnnotation(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	want := []string{"ReadOnly", "Destructive", "Idempotent", "OpenWorld"}
	literals := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || !isToolType(lit.Type) {
				return true
			}
			literals++
			pos := fset.Position(lit.Pos())
			ann := fieldValue(lit, "Annotations")
			annLit, ok := ann.(*ast.CompositeLit)
			if !ok {
				t.Errorf("%s: Tool literal sets no Annotations{…} literal", pos)
				return true
			}
			for _, key := range want {
				if fieldValue(annLit, key) == nil {
					t.Errorf("%s: Annotations leaves %s unset; say true or false", pos, key)
				}
			}
			return true
		})
	}
	require.Equal(t, len(tools.All()), literals, "every registered tool is a Tool[…] literal in a tools/*.go file")
}

// isToolType reports a Tool[In, Out] (or Tool[T]) type expression.
func isToolType(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.IndexListExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == "Tool"
	case *ast.IndexExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == "Tool"
	}
	return false
}

// fieldValue returns the value of key in a keyed composite literal, or nil.
func fieldValue(lit *ast.CompositeLit, key string) ast.Expr {
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == key {
				return kv.Value
			}
		}
	}
	return nil
}

// TestEnumListNames checks that each listOf("name", list) in schema.go names the list it is
// given, since enumof tags find lists by that name.
func TestEnumListNames(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "schema.go", nil, 0)
	require.NoError(t, err)
	calls := 0
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "listOf" {
			return true
		}
		name, ok := call.Args[0].(*ast.BasicLit)
		sel, ok2 := call.Args[1].(*ast.SelectorExpr)
		require.True(t, ok && ok2, "%s: listOf takes a string literal and a pkg.List", fset.Position(call.Pos()))
		pkg, _ := sel.X.(*ast.Ident)
		require.Equal(t, `"`+pkg.Name+"."+sel.Sel.Name+`"`, name.Value, fset.Position(call.Pos()))
		calls++
		return true
	})
	require.NotZero(t, calls)
}
