package deploy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/sam"
)

// TestMainsStartTheirFunction ties each functions/<name>/main.go to the
// functions.Function the local stack runs under the same logical id: main
// must be exactly `functions.<LogicalID without "Function">.Start()`, so
// no function is wired in main.go beside it.
func TestMainsStartTheirFunction(t *testing.T) {
	tpl, err := sam.Load("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range fns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fn := fns[id]
		t.Run(id, func(t *testing.T) {
			path := filepath.Join("../../..", fn.CodeURI, "main.go")
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := "functions." + strings.TrimSuffix(id, "Function") + ".Start"
			var decls []string
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					decls = append(decls, d.Name.Name)
				case *ast.GenDecl:
					if d.Tok != token.IMPORT {
						decls = append(decls, d.Tok.String())
					}
				}
			}
			if diff := cmp.Diff([]string{"main"}, decls); diff != "" {
				t.Errorf("%s declares more than main (-want +got):\n%s", path, diff)
			}
			if got := mainCall(f); got != want {
				t.Errorf("%s: main calls %q, want %s()", path, got, want)
			}
			if f, ok := byID[id]; !ok || f.ID() != id {
				t.Errorf("the local stack has no function %s", id)
			}
		})
	}
}

// mainCall returns the function main's one statement calls, as a dotted
// name, or "" when main is anything else.
func mainCall(f *ast.File) string {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "main" || fd.Body == nil || len(fd.Body.List) != 1 {
			continue
		}
		es, ok := fd.Body.List[0].(*ast.ExprStmt)
		if !ok {
			return ""
		}
		call, ok := es.X.(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return ""
		}
		return dotted(call.Fun)
	}
	return ""
}

func dotted(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := dotted(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}
