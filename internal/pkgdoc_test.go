package internal_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs checks that every package has exactly one package comment.
func TestPackageDocs(t *testing.T) {
	dirs := map[string]bool{}
	for _, root := range []string{".", "../cmd", "../web"} {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
				dirs[filepath.Dir(path)] = true
			}
			return nil
		})
	}
	for dir := range dirs {
		if dir == "." {
			continue
		}
		pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		for name, p := range pkgs {
			n := 0
			for _, f := range p.Files {
				if f.Doc != nil {
					n++
				}
			}
			if n != 1 {
				t.Errorf("package %s (%s) has %d package comments, want 1", name, dir, n)
			}
		}
	}
}
