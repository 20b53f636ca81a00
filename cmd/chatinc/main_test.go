package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatinc/chatinc-go/chatinctest"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes the test binary the chatinc command too, so that scripts
// run it with "exec chatinc" as a user runs it, in a process of its own.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"chatinc": chatincForTest})
}

// Environment variables between a script and the chatinc it runs.
const (
	envLeaks = "CHATINC_TEST_LEAKS" // a file where chatinc notes an output that holds its key
	envRuns  = "CHATINC_TEST_RUNS"  // a file where chatinc notes each run
)

// chatincForTest runs chatinc as main does, and notes in $CHATINC_TEST_LEAKS
// any output (stdout or stderr) that holds the API key it was given.
func chatincForTest() {
	var out, errOut bytes.Buffer
	std := osStreams()
	std.stdout = io.MultiWriter(os.Stdout, &out)
	std.stderr = io.MultiWriter(os.Stderr, &errOut)
	code := run(context.Background(), os.Args[1:], std, os.Getenv)
	note := func(env, line string) {
		if path := os.Getenv(env); path != "" {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
			if err == nil {
				fmt.Fprintln(f, line)
				f.Close()
			}
		}
	}
	args := strings.Join(os.Args[1:], " ")
	note(envRuns, args)
	if key := os.Getenv(envAPIKey); len(key) >= 8 {
		for name, b := range map[string]*bytes.Buffer{"stdout": &out, "stderr": &errOut} {
			if bytes.Contains(b.Bytes(), []byte(key)) {
				note(envLeaks, fmt.Sprintf("chatinc %s: the API key is in its %s", args, name))
			}
		}
	}
	os.Exit(code)
}

// serverKey is the key under which a script's simulator is stored.
type serverKey struct{}

// TestScripts runs the scripts of testdata/script, each against a
// simulator of its own: $CHATINC_BASE_URL and $CHATINC_API_KEY point at it.
// A script whose chatinc printed the API key, in any output, fails.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			key := make([]byte, 16)
			rand.Read(key)
			rv := new(reviews)
			srv := chatinctest.NewServer(chatinctest.WithAPIKey("sk_test_"+hex.EncodeToString(key)),
				chatinctest.WithTemplateReview(rv.review))
			env.Values[serverKey{}] = srv
			env.Values[reviewsKey{}] = rv
			env.Setenv(envAPIKey, srv.APIKey)
			env.Setenv(envBaseURL, srv.URL)
			leaks := filepath.Join(env.WorkDir, ".leaks")
			runs := filepath.Join(env.WorkDir, ".runs")
			env.Setenv(envLeaks, leaks)
			env.Setenv(envRuns, runs)
			env.Defer(func() {
				srv.Close()
				if b, err := os.ReadFile(leaks); err == nil {
					env.T().Fatal(string(b))
				}
				if _, err := os.Stat(runs); err != nil {
					env.T().Fatal("the script never ran chatinc, so its outputs were not checked for the key")
				}
			})
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":   cmdStatus,
			"fault":    cmdFault,
			"requests": cmdRequests,
			"capture":  cmdCapture,
			"review":   cmdReview,
		},
	})
}

// cmdStatus runs a program and checks its exit status:
//
//	status N program [args...]
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		got = exit.ExitCode()
	case err != nil:
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

func server(ts *testscript.TestScript) *chatinctest.Server {
	return ts.Value(serverKey{}).(*chatinctest.Server)
}

// cmdFault injects a fault into the script's simulator:
//
//	fault PATH N STATUS [actfirst] [drop]
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: fault PATH N STATUS [actfirst] [drop]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	status, err := strconv.Atoi(args[2])
	ts.Check(err)
	f := chatinctest.Fault{Status: status}
	for _, a := range args[3:] {
		switch a {
		case "actfirst":
			f.ActFirst = true
		case "drop":
			f.Drop = true
		default:
			ts.Fatalf("fault: unknown %q", a)
		}
	}
	server(ts).InjectFault(args[0], n, f)
}

// cmdRequests checks how many requests to a path the simulator received:
//
//	requests PATH N
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: requests PATH N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	got := server(ts).RequestCount(args[0])
	if (got == want) == neg {
		ts.Fatalf("%d requests to %s, want %s%d", got, args[0], map[bool]string{true: "not "}[neg], want)
	}
}

// cmdCapture sets an environment variable to the first group of a regular
// expression in the last command's stdout:
//
//	capture VAR REGEXP
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: capture VAR REGEXP")
	}
	m := regexp.MustCompile(args[1]).FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("capture: %q not in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// reviewsKey is the key under which a script's template reviews are stored.
type reviewsKey struct{}

// reviews are the template reviews a script has set, by campaign title:
// the status a new template's review ends in, and how long it is PENDING
// before that. A title without one is APPROVED at once.
type reviews struct {
	mu     sync.Mutex
	status map[string]string
	after  map[string]time.Duration
}

func (r *reviews) review(title, _ string) (string, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.status[title]; ok {
		return s, r.after[title]
	}
	return "APPROVED", 0
}

// cmdReview sets how the template of a campaign to be created is reviewed:
// PENDING for AFTER, then STATUS.
//
//	review TITLE STATUS AFTER
func cmdReview(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: review TITLE STATUS AFTER")
	}
	after, err := time.ParseDuration(args[2])
	ts.Check(err)
	r := ts.Value(reviewsKey{}).(*reviews)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == nil {
		r.status, r.after = map[string]string{}, map[string]time.Duration{}
	}
	r.status[args[0]], r.after[args[0]] = args[1], after
}
