// Package archtest keeps the module's import rules true: the SDK never
// depends on its simulator, and the simulator never depends on the SDK, so
// that chatinctest can catch the SDK's mistakes instead of sharing them.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	module    = "github.com/chatinc/chatinc-go"
	simulator = module + "/chatinctest"
)

// pkg is what go list -json says of a package.
type pkg struct {
	ImportPath string
	Imports    []string // of its non-test files
	Deps       []string // of its non-test files, transitively
	Error      *struct{ Err string }
}

// listModule returns the module's packages, by import path.
func listModule(t *testing.T) map[string]*pkg {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH:", err)
	}
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Deps,Error", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs := make(map[string]*pkg)
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs[p.ImportPath] = p
	}
	if pkgs[module] == nil || pkgs[simulator] == nil {
		t.Fatalf("go list found neither %s nor %s among %d packages", module, simulator, len(pkgs))
	}
	return pkgs
}

// within reports whether path is root or a package below it.
func within(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

// sdkPackages returns the SDK: the root package and the module's packages
// it is built from (its internal/ packages).
func sdkPackages(pkgs map[string]*pkg) []string {
	sdk := []string{module}
	for _, d := range pkgs[module].Deps {
		if within(d, module) {
			sdk = append(sdk, d)
		}
	}
	slices.Sort(sdk)
	return sdk
}

// TestSDKDoesNotImportSimulator checks that neither the root package nor
// any module package it is built from imports chatinctest (its tests may).
func TestSDKDoesNotImportSimulator(t *testing.T) {
	pkgs := listModule(t)
	for _, path := range sdkPackages(pkgs) {
		for _, imp := range pkgs[path].Imports {
			if within(imp, simulator) {
				t.Errorf("%s imports %s: the SDK must not depend on its simulator", path, imp)
			}
		}
	}
}

// TestSimulatorDoesNotImportSDK checks that chatinctest and the packages
// below it import, of this module, only packages below chatinctest (such as
// chatinctest/internal/...): never the SDK's root package or its internal/
// packages. Their tests and examples may use the SDK.
func TestSimulatorDoesNotImportSDK(t *testing.T) {
	pkgs := listModule(t)
	for path, p := range pkgs {
		if !within(path, simulator) {
			continue
		}
		for _, imp := range p.Imports {
			if within(imp, module) && !within(imp, simulator) {
				t.Errorf("%s imports %s: chatinctest must not depend on the SDK it tests", path, imp)
			}
		}
	}
}

// TestSDKPackagesFound checks the other tests' premise: the SDK is built
// from internal/ packages, so the first test looks at more than the root.
func TestSDKPackagesFound(t *testing.T) {
	sdk := sdkPackages(listModule(t))
	if !slices.Contains(sdk, module+"/internal/wire") {
		t.Errorf("the SDK's packages %q lack internal/wire: go list's answer is not what this test expects", sdk)
	}
}

// rootFiles returns the root package's non-test Go files, parsed for their
// imports and calls.
func rootFiles(t *testing.T) map[string]*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "*.go"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no Go files in the module's root: %v", err)
	}
	files := make(map[string]*ast.File)
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = f
	}
	return files
}

// TestRootFilesSmall: no file of the root package is over 600 lines, so
// that each says what it holds (ARCHITECTURE.md's table).
func TestRootFilesSmall(t *testing.T) {
	for name := range rootFiles(t) {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(data, []byte("\n")); n > 600 {
			t.Errorf("%s has %d lines: split it as ARCHITECTURE.md says", name, n)
		}
	}
}

// TestOneRequestPath: only the files of the request path (call.go,
// attempt.go, response.go) use go-retryablehttp, and only call.go makes a
// request: no resource file has a second path to the API.
func TestOneRequestPath(t *testing.T) {
	path := map[string]bool{"call.go": true, "attempt.go": true, "response.go": true}
	for name, f := range rootFiles(t) {
		for _, imp := range f.Imports {
			if imp.Path.Value == `"github.com/hashicorp/go-retryablehttp"` && !path[name] {
				t.Errorf("%s imports go-retryablehttp: only the request path (call.go, attempt.go, response.go) may", name)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "http" && strings.HasPrefix(sel.Sel.Name, "NewRequest") && name != "call.go" {
				t.Errorf("%s calls http.%s: requests are made in call.go only (newRequest)", name, sel.Sel.Name)
			}
			return true
		})
	}
}
