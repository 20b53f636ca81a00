// Command chatinc-mock serves a simulator of the Chat Inc API (the one
// package chatinctest starts in tests) on a port, for curl and clients in
// other languages:
//
//	go run ./cmd/chatinc-mock [-addr 127.0.0.1:8080] [-key KEY] [-seed N]
//
// It prints the base URL (http://ADDR/v1) and the API key to use, and runs
// until interrupted (SIGINT or SIGTERM), then shuts down gracefully. State
// is kept in memory only. Without -key the key is random.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/chatinc/chatinc-go/internal/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "chatinc-mock:", err)
		os.Exit(1)
	}
}

// run serves the simulator as args say until ctx is done, writing the base
// URL and API key to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chatinc-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	key := fs.String("key", "", "API key to accept (default: a random sk_test_ key)")
	seed := fs.Int64("seed", 1, "seed of the generated IDs and message outcomes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	sim := simulator.New(simulator.Config{APIKey: *key, Seed: *seed})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Chat Inc API simulator (no messages are sent)\nbase URL: http://%s/v1\nAPI key:  %s\n", ln.Addr(), sim.APIKey())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sim.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
