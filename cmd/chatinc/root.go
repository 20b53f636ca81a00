package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is the tool's version, sent after the SDK's in the User-Agent.
const version = chatinc.Version

// The exit statuses, as the package documentation gives them.
const (
	exitOK      = 0
	exitInput   = 1 // the input is wrong: nothing was sent
	exitAPI     = 2 // the API or the network failed
	exitUnknown = 3 // a send's outcome is unknown
)

// Environment variables the tool reads.
const (
	envAPIKey  = "CHATINC_API_KEY"
	envBaseURL = "CHATINC_BASE_URL"
)

// streams are where the tool writes, and whether they are terminals.
type streams struct {
	stdout, stderr       io.Writer
	stdoutTTY, stderrTTY bool
}

// osStreams returns the process's stdout and stderr.
func osStreams() streams {
	return streams{stdout: os.Stdout, stderr: os.Stderr, stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr)}
}

// app is one run of the tool: where it writes, where it reads its
// environment, and the global flags.
type app struct {
	streams
	getenv func(string) string

	baseURL string // --base-url
	json    bool   // --json
}

// run runs the tool with args (without the program name) and returns its
// exit status. It prints errors to stderr itself.
func run(ctx context.Context, args []string, std streams, getenv func(string) string) int {
	a := &app{streams: std, getenv: getenv}
	stderr := std.stderr
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(std.stdout)
	root.SetErr(std.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil || errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	code := exitCode(err)
	var usage *usageError
	switch {
	case errors.Is(err, errReported):
		// The problems have been printed already.
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "chatinc: %s\nRun '%s --help' for usage.\n", display(err), usage.cmd)
	default:
		fmt.Fprintf(stderr, "chatinc: %s\n", display(err))
	}
	var unknown *unknownError
	if errors.As(err, &unknown) && unknown.next != "" {
		fmt.Fprintf(stderr, "The messages may or may not have gone out. Do not send again; find out with:\n\n    %s\n", unknown.next)
	}
	return code
}

// display is err's text without the SDK's "chatinc: " prefixes, which the
// tool's own prefix makes redundant.
func display(err error) string {
	return strings.TrimPrefix(strings.ReplaceAll(err.Error(), ": chatinc: ", ": "), "chatinc: ")
}

// exitCode maps an error to the tool's exit status.
func exitCode(err error) int {
	var (
		invalid *chatinc.ValidationError
		check   *chatinc.CheckError
		usage   *usageError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, chatinc.ErrOutcomeUnknown):
		return exitUnknown
	case errors.As(err, &invalid), errors.As(err, &check), errors.As(err, &usage), errors.Is(err, errReported),
		errors.Is(err, chatinc.ErrTemplateRejected):
		return exitInput
	default:
		return exitAPI
	}
}

// errReported is returned by a command that has printed its problems
// itself (a CSV check, a message check): the exit status is 1 and nothing
// more is printed.
var errReported = errors.New("problems found")

// usageError is a mistake in the command line: a flag, an argument, the
// environment. The exit status is 1.
type usageError struct {
	cmd string // the command's path, for the --help hint
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a *usageError of cmd.
func usagef(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{cmd: cmd.CommandPath(), err: fmt.Errorf(format, args...)}
}

// unknownError is an error whose outcome is unknown, with the command that
// finds it out.
type unknownError struct {
	err  error
	next string // a command line to run next, or ""
}

func (e *unknownError) Error() string { return e.err.Error() }
func (e *unknownError) Unwrap() error { return e.err }

// exactArgs is cobra.ExactArgs whose error is a *usageError.
func exactArgs(n int, names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			what := "no arguments"
			if n > 0 {
				what = strings.Join(names, " ")
			}
			return usagef(cmd, "%s takes %s, got %d argument(s)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// group returns a command that only holds subcommands.
func group(use, short string, cmds ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{
		Use:   use,
		Short: short,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef(cmd, "unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	g.AddCommand(cmds...)
	return g
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "chatinc",
		Short: "Check and send Chat Inc WhatsApp broadcasts",
		Long: `chatinc checks a broadcast before it goes out and makes every call of the
Chat Inc API from a shell.

The checks (csv, message) need no account. The calls read the API key from
` + envAPIKey + ` (never from a flag; it is never printed) and the API's address
from --base-url or ` + envBaseURL + ` (default ` + chatinc.DefaultBaseURL + `).

Exit status: 0 success; 1 the input is wrong and nothing was sent; 2 the API
or the network failed; 3 the outcome of a send is unknown (the command to
find out is printed).`,
		Example: `  chatinc csv check contacts.csv
  chatinc message preview --message 'Hi {users.first_name}' --file users.csv --row 17
  export CHATINC_API_KEY=...   # from your password manager, not typed into history
  chatinc campaigns list`,
		Version:       version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef(cmd, "unknown command %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		// cobra's own check, made here so that its error is a usage error
		if err := cmd.ValidateRequiredFlags(); err != nil {
			return &usageError{cmd: cmd.CommandPath(), err: err}
		}
		return nil
	}
	root.PersistentFlags().StringVar(&a.baseURL, "base-url", "", "the API's address, /v1 included (default $"+envBaseURL+", else "+chatinc.DefaultBaseURL+")")
	root.PersistentFlags().BoolVar(&a.json, "json", false, "print JSON for scripts instead of tables")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{cmd: cmd.CommandPath(), err: err}
	})
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		a.csvCmd(),
		a.messageCmd(),
		a.audiencesCmd(),
		a.groupsCmd(),
		a.campaignsCmd(),
		a.resultsCmd(),
	)
	return root
}

// client returns a client with the key from the environment and the base
// URL from --base-url or the environment.
func (a *app) client(opts ...chatinc.Option) (*chatinc.Client, error) {
	key := a.getenv(envAPIKey)
	if key == "" {
		return nil, &usageError{cmd: "chatinc", err: errors.New(envAPIKey + " is not set: export it with your API key (the tool never takes the key from a flag)")}
	}
	base, from := a.baseURL, "--base-url"
	if base == "" {
		base, from = a.getenv(envBaseURL), envBaseURL
	}
	if base == "" {
		base = chatinc.DefaultBaseURL
	}
	opts = append([]chatinc.Option{chatinc.WithBaseURL(base), chatinc.WithUserAgent("chatinc-cli/" + version)}, opts...)
	c, err := chatinc.NewClient(key, opts...)
	if err != nil {
		return nil, &usageError{cmd: "chatinc", err: fmt.Errorf("%s: %w", from, err)}
	}
	return c, nil
}
