package readme

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the copies of the README's Go code blocks")

const readme = "../../README.md"

// header opens every copy. It is not the "Code generated" form on purpose:
// staticcheck skips some of its checks in generated files.
const header = "// This file is a Go code block of README.md, copied by\n// go generate ./examples/readme: edit README.md, not this file.\n\n"

// block is one ```go block of the README.
type block struct {
	line int    // of its opening fence
	code string // without the fences
}

// blocks returns the README's ```go blocks, in order.
func blocks(t *testing.T) []block {
	t.Helper()
	f, err := os.Open(readme)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out  []block
		cur  *block
		code strings.Builder
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &block{line: n}
			code.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.code = code.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			code.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("README.md:%d: a ```go block is never closed", cur.line)
	}
	return out
}

var packageClause = regexp.MustCompile(`(?m)^package \w+\n`)

// file returns the path (relative to this directory) and the content of
// block i's copy. A block holding a Test function goes into a _test.go
// file, so that it runs with the suite.
func file(i int, b block) (string, string) {
	dir := fmt.Sprintf("block%02d", i+1)
	name := "main.go"
	if strings.Contains(b.code, "func Test") {
		name = "readme_test.go"
	}
	code := packageClause.ReplaceAllString(b.code, "package main\n")
	if name == "readme_test.go" {
		code = packageClause.ReplaceAllString(b.code, "package "+dir+"\n")
	}
	return filepath.Join(dir, name), fmt.Sprintf("%s// README.md:%d\n\n%s", header, b.line, code)
}

// TestREADMEBlocks checks that each Go block of the README is a complete,
// gofmt-formatted file, that its copy here is up to date (or, with
// -update, rewrites the copies), and that the copies build and vet.
func TestREADMEBlocks(t *testing.T) {
	bs := blocks(t)
	if len(bs) == 0 {
		t.Fatal("README.md has no ```go block")
	}
	want := map[string]string{}
	for i, b := range bs {
		if !packageClause.MatchString(b.code) {
			t.Errorf("README.md:%d: a Go block must be a whole file, starting with its package clause, so that it can be compiled", b.line)
			continue
		}
		if formatted, err := format.Source([]byte(b.code)); err != nil {
			t.Errorf("README.md:%d: %v", b.line, err)
		} else if !bytes.Equal(formatted, []byte(b.code)) {
			t.Errorf("README.md:%d: the block is not gofmt-formatted; gofmt gives:\n%s", b.line, formatted)
		}
		path, content := file(i, b)
		want[path] = content
	}
	if t.Failed() {
		return
	}

	have, err := filepath.Glob("block*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		for _, p := range have {
			if _, ok := want[p]; !ok {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				_ = os.Remove(filepath.Dir(p)) // once empty
			}
		}
		for p, content := range want {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		for p, content := range want {
			got, err := os.ReadFile(p)
			if err != nil || string(got) != content {
				t.Errorf("%s is not the README's block: run go generate ./examples/readme", p)
			}
		}
		for _, p := range have {
			if _, ok := want[p]; !ok {
				t.Errorf("%s is no longer a block of the README: run go generate ./examples/readme", p)
			}
		}
	}

	// Build and vet the copies (go vet compiles them, test files included).
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to vet the README's code with")
	}
	var dirs []string
	for p := range want {
		dirs = append(dirs, "./"+filepath.Dir(p))
	}
	slices.Sort(dirs)
	cmd := exec.Command(goTool, append([]string{"vet"}, dirs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go vet of the README's code: %v\n%s", err, out)
	}

	// And staticcheck, with all its checks, where it is installed (CI
	// installs it; it also runs its default checks over ./...).
	sc, err := exec.LookPath("staticcheck")
	if err != nil {
		gopath, _ := exec.Command(goTool, "env", "GOPATH").Output()
		sc = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "staticcheck")
		if _, err := os.Stat(sc); err != nil {
			t.Log("staticcheck is not installed: the README's code was vetted only")
			return
		}
	}
	cmd = exec.Command(sc, append([]string{"-checks", "all"}, dirs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("staticcheck -checks all of the README's code: %v\n%s", err, out)
	}
}
