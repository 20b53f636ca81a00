// Command chatinc-mock serves the Chat Inc API simulator of package
// chatinctest (its NewHandler) on a port, for curl, clients in other
// languages and test networks such as a docker-compose service:
//
//	go run ./cmd/chatinc-mock [-addr 127.0.0.1:8080] [-api-key KEY] [-seed N] [-strict] [-retention N]
//	                          [-tls [-cert-out FILE] [-san NAME,...] | -cert FILE -key FILE]
//	                          [-fault SPEC]... [-drop SPEC]... [-delay SPEC]...
//	                          [-rate-limit N/DURATION] [-template-review DURATION[:STATUS]]
//	                          [-read-timeout D] [-write-timeout D] [-idle-timeout D] [-max-requests N] [-body-memory MiB]
//
// It prints the base URL and the API key to use, and runs until interrupted
// (SIGINT or SIGTERM), then shuts down gracefully. State is kept in memory
// only. Without -api-key the key is random.
//
// Memory stays bounded however long it runs: it keeps the newest -retention
// campaigns (1000 by default), with their results, and as many audiences
// and variable groups, as chatinctest.WithRetention says; -retention 0 keeps
// everything.
//
// Listening on all interfaces (-addr 0.0.0.0:8080 or [::]:8080), it prints
// a base URL on 127.0.0.1, which works from the same machine, and the
// machine's host name for others.
//
// With -tls it serves HTTPS (HTTP/2 included) with a self-signed
// certificate it generates for localhost, 127.0.0.1, ::1, the host name, the
// -addr host and the -san names; it writes the certificate (not the key) to
// -cert-out, or else to a new file in the temporary directory, and prints
// its path: add it to the client's trusted roots. With -cert and -key it
// serves HTTPS with that certificate and private key (PEM files) instead.
//
// Faults, for test suites in any language: -fault 'POST /run/campaign
// status=500 act-first times=1' makes the next request to /run/campaign
// run the campaign and then answer 500, as a gateway that lost the answer
// would (chatinctest's Handler.InjectFault; the grammar is in -h). -drop
// closes the connection without an answer, -delay waits before
// answering; each flag may be given many times, and a path's faults are
// used up in the order given. -rate-limit 10/1s answers 429 with
// Retry-After past 10 requests a second (chatinctest.WithRateLimit);
// -template-review 30s keeps each new WhatsApp template PENDING for 30
// seconds, then APPROVED (30s:REJECTED rejects it), as
// chatinctest.WithTemplateReview does.
//
// A slow or hostile client cannot hold the server: a request must arrive
// whole within -read-timeout (1m), its answer is abandoned past
// -write-timeout (the longer of 1m and -read-timeout, plus the longest
// -delay), a kept-alive connection is
// closed after -idle-timeout (2m) idle; past -max-requests (256) requests
// at once, and past -body-memory (256 MiB) of request bodies held at once
// (chatinctest.WithBodyMemory), a request is answered 503 with
// Retry-After: 1 before the simulator acts on it.
//
// A JSON body with a field the API does not know (at the top level, or in a
// button or contact) is answered with an X-Chatinc-Mock-Warning header and
// logged on stderr; with -strict it is a 400.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chatinc/chatinc-go/chatinctest"
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
// URL and API key to stdout and warnings to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chatinc-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	apiKey := fs.String("api-key", "", "API key to accept (default: a random sk_test_ key)")
	seed := fs.Int64("seed", 1, "seed of the generated IDs and message outcomes")
	retention := fs.Int("retention", 1000, "campaigns, audiences and variable groups to keep, the newest (0: all)")
	strict := fs.Bool("strict", false, "answer 400 to a JSON body with a field the API does not know (default: a warning)")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a generated self-signed certificate")
	certOut := fs.String("cert-out", "", "with -tls: file to write the generated certificate to (default: a new file in the temporary directory)")
	sans := fs.String("san", "", "with -tls: more host names or IPs for the generated certificate, comma-separated")
	certFile := fs.String("cert", "", "serve HTTPS with this PEM certificate (with -key)")
	keyFile := fs.String("key", "", "the PEM private key of -cert (the API key is -api-key)")
	var faults []faultSpec
	fs.Var(faultList{&faults, ""}, "fault", "inject a fault: '[METHOD] PATH WORD...' (below; repeatable)")
	fs.Var(faultList{&faults, "drop"}, "drop", "drop the connection: '[METHOD] PATH [times=N]...' (repeatable)")
	fs.Var(faultList{&faults, "delay"}, "delay", "delay the answer: '[METHOD] PATH DURATION [times=N]...' (repeatable)")
	rateLimit := fs.String("rate-limit", "", "answer at most N requests per DURATION, then 429 with Retry-After: N/DURATION, such as 10/1s")
	review := fs.String("template-review", "", "keep each new WhatsApp template PENDING for DURATION, then APPROVED (DURATION:REJECTED to reject it)")
	readTimeout := fs.Duration("read-timeout", defaultReadTimeout, "cut off a client that takes longer to send a request, body included")
	writeTimeoutFlag := fs.Duration("write-timeout", 0, "abandon an answer not written this long after its request's headers (default the longer of 1m and -read-timeout, plus the longest -delay; none with -read-timeout 0)")
	idleTimeout := fs.Duration("idle-timeout", defaultIdleTimeout, "close a kept-alive connection idle this long")
	maxRequests := fs.Int("max-requests", defaultMaxRequests, "requests handled at once; one more is answered 503 with Retry-After (0: no bound)")
	bodyMemory := fs.Int64("body-memory", 256, "MiB of request bodies held at once, across all requests; past it, 503 with Retry-After (0: no bound)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: chatinc-mock [flags]\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\n%s\n", faultGrammar)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *certFile == "" && *keyFile != "" {
		return errors.New("-key is the TLS private key and goes with -cert; the API key to accept is -api-key")
	}
	if *certFile != "" && *keyFile == "" {
		return errors.New("-cert needs -key, its private key")
	}
	if *certFile != "" && (*certOut != "" || *sans != "") {
		return errors.New("-cert-out and -san are for a generated certificate; not with -cert")
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts := []chatinctest.Option{chatinctest.WithAPIKey(*apiKey), chatinctest.WithSeed(*seed), chatinctest.WithLogger(logger),
		chatinctest.WithRetention(*retention), chatinctest.WithBodyMemory(*bodyMemory << 20)}
	if *strict {
		opts = append(opts, chatinctest.WithStrict())
	}
	if *rateLimit != "" {
		n, per, err := parseRateLimit(*rateLimit)
		if err != nil {
			return err
		}
		opts = append(opts, chatinctest.WithRateLimit(n, per))
	}
	if *review != "" {
		r, err := parseReview(*review)
		if err != nil {
			return err
		}
		opts = append(opts, chatinctest.WithTemplateReview(r))
	}
	sim := chatinctest.NewHandler(opts...)
	for _, f := range faults {
		sim.InjectFault(f.path, f.times, f.fault)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var delays []time.Duration
	for _, f := range faults {
		delays = append(delays, f.fault.Delay)
	}
	srv := &http.Server{
		Handler:           limitRequests(*maxRequests, sim),
		ReadHeaderTimeout: headerTimeout(*readTimeout),
		ReadTimeout:       *readTimeout,
		WriteTimeout:      writeTimeout(*writeTimeoutFlag, *readTimeout, delays),
		IdleTimeout:       *idleTimeout,
	}

	scheme, certNote := "http", ""
	switch {
	case *certFile != "":
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	case *useTLS:
		host, _, _ := net.SplitHostPort(*addr)
		names := append(defaultNames(host), splitList(*sans)...)
		cert, pemBytes, err := selfSigned(names, time.Now())
		if err == nil {
			certNote, err = writeCert(*certOut, pemBytes)
		}
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}

	fmt.Fprintf(stdout, "Chat Inc API simulator (no messages are sent)\n")
	for i, h := range usableHosts(ln.Addr()) {
		label := "base URL: "
		if i > 0 {
			label = "also at:  "
		}
		fmt.Fprintf(stdout, "%s%s://%s/v1\n", label, scheme, net.JoinHostPort(h, port(ln.Addr())))
	}
	if certNote != "" {
		fmt.Fprintf(stdout, "certificate: %s\n", certNote)
	}
	if hosts := usableHosts(ln.Addr()); scheme == "http" && len(hosts) > 1 {
		fmt.Fprintln(stdout, "note:     clear-text http beyond loopback needs chatinc.WithInsecureCleartextForTesting() in Go; or use -tls")
	}
	if *strict {
		fmt.Fprintln(stdout, "strict: unknown JSON fields are a 400")
	}
	if *rateLimit != "" {
		fmt.Fprintf(stdout, "rate limit: %s\n", *rateLimit)
	}
	if *review != "" {
		fmt.Fprintf(stdout, "template review: %s\n", *review)
	}
	for _, f := range faults {
		fmt.Fprintf(stdout, "fault:    %s\n", f.text)
	}
	fmt.Fprintf(stdout, "API key:  %s\n", sim.APIKey())

	served := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()
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

// usableHosts returns hosts a client can reach the listener at: its own
// address, or, when it listens on all interfaces (0.0.0.0, ::), 127.0.0.1
// and then the machine's host name.
func usableHosts(a net.Addr) []string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		host, _, _ := net.SplitHostPort(a.String())
		return []string{host}
	}
	if !tcp.IP.IsUnspecified() {
		return []string{tcp.IP.String()}
	}
	hosts := []string{"127.0.0.1"}
	if name, err := os.Hostname(); err == nil && name != "" && name != "localhost" {
		hosts = append(hosts, name)
	}
	return hosts
}

func port(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return strconv.Itoa(tcp.Port)
	}
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
