package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// TestProgressOnlyOnATerminal uploads a file and exports results with
// stderr taken for a terminal, and not: the bar is drawn only on the first.
func TestProgressOnlyOnATerminal(t *testing.T) {
	srv := chatinctest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "users.csv")
	var csv strings.Builder
	csv.WriteString("number,first_name\n")
	for i := range 2000 {
		fmt.Fprintf(&csv, "+1555123%04d,Ada\n", i)
	}
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{envAPIKey: srv.APIKey, envBaseURL: srv.URL}[k]
	}
	for _, tty := range []bool{true, false} {
		var stdout, stderr bytes.Buffer
		std := streams{stdout: &stdout, stderr: &stderr, stderrTTY: tty}
		if code := run(context.Background(), []string{"audiences", "upload", "--id", "a", "--name", "A", file}, std, env); code != 0 {
			t.Fatalf("upload: exit status %d: %s", code, stderr.String())
		}
		if got := strings.Contains(stderr.String(), "uploading "+file); got != tty {
			t.Errorf("stderr a terminal: %v; progress bar drawn: %v (stderr %q)", tty, got, stderr.String())
		}
		stderr.Reset()
		out := filepath.Join(dir, "results.csv")
		if code := run(context.Background(), []string{"results", "nope", "--csv", "-o", out}, std, env); code != 2 {
			t.Fatalf("results of an unknown campaign: exit status %d, want 2", code)
		}
		if got := strings.Contains(stderr.String(), "exporting"); got != tty {
			t.Errorf("stderr a terminal: %v; export's progress drawn: %v (stderr %q)", tty, got, stderr.String())
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a failed export left %s: %v", out, err)
		}
		if strings.Contains(stdout.String(), srv.APIKey) || strings.Contains(stderr.String(), srv.APIKey) {
			t.Error("the key is in the output")
		}
	}
}
