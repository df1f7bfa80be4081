package models_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"examcert/models"
)

// Every audit event the models name (a constant Event… = "…", in any file of the package) is declared in audit.go
// and has a Chinese label for the 操作日志 screen: one place to look, and no event shown by its code name.
func TestEveryEventHasALabel(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fs := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fs, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Event") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					n++
					event, _ := strconv.Unquote(lit.Value)
					if name != "audit.go" {
						t.Errorf("%s is declared in %s; audit events are declared in audit.go", id.Name, name)
					}
					if models.EventLabel(event) == event {
						t.Errorf("%s (%q) has no label in EventLabels", id.Name, event)
					}
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("found only %d events: the test reads the wrong files", n)
	}
}
