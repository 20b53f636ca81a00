// Package setup gives the example programs their client: the real Chat Inc
// API when CHATINC_API_KEY is set, otherwise the in-process simulator.
package setup

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// Client returns a client for the real API when CHATINC_API_KEY is set
// (at CHATINC_BASE_URL, if that is set too), or else for a simulator started
// in this process, saying so on stderr. Call the returned func when done.
// Set CHATINC_DEBUG=1 to log every attempt to stderr. The client is made
// WithPreflight: every send makes its pre-flight reads first.
func Client(stderr io.Writer) (*chatinc.Client, func(), error) {
	opts := []chatinc.Option{chatinc.WithPreflight()}
	if os.Getenv("CHATINC_DEBUG") != "" {
		opts = append(opts, chatinc.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	if key := os.Getenv("CHATINC_API_KEY"); key != "" {
		if base := os.Getenv("CHATINC_BASE_URL"); base != "" {
			opts = append(opts, chatinc.WithBaseURL(base))
		}
		c, err := chatinc.NewClient(key, opts...)
		return c, func() {}, err
	}
	c, srv, err := Simulator(opts...)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(stderr, "CHATINC_API_KEY is not set: using the built-in simulator at %s (no real messages are sent)\n", srv.URL)
	return c, srv.Close, nil
}

// Simulator starts an in-process simulator and returns a client for it; the
// examples' tests use it too. Close the server when done.
func Simulator(opts ...chatinc.Option) (*chatinc.Client, *chatinctest.Server, error) {
	srv := chatinctest.NewServer()
	c, err := chatinc.NewClient(srv.APIKey, append(opts, chatinc.WithBaseURL(srv.URL))...)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return c, srv, nil
}
