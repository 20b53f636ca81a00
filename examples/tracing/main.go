// Command tracing records OpenTelemetry spans of the SDK's work, built on
// chatinc.WithHooks: one span for each call of the SDK and, inside it, one
// for each HTTP attempt the call makes, retries included. It prints them to
// stdout with the stdouttrace exporter.
//
//	cd examples/tracing && go run .
//
// It runs on the built-in simulator (chatinctest) with no account and no
// message sent, and injects one 503 so that a call shows a retry. It is a
// module of its own, so that the SDK's go.mod gains no OpenTelemetry
// dependency.
//
// # The spans
//
// The kinds and attributes follow the OpenTelemetry semantic conventions for
// HTTP client spans (semconv v1.37.0, docs/http/http-spans.md, "HTTP client
// span" and "HTTP request retries and redirects"):
//
//   - Each attempt is an HTTP request on the wire, so it is a span of kind
//     Client named "{method} {url.template}" (the SDK's paths hold no IDs,
//     so they are low-cardinality templates), with http.request.method,
//     server.address, server.port, url.full, url.template,
//     http.response.status_code when an answer came, error.type on failure
//     (the status code for a 4xx or 5xx, else the class of the transport
//     error) and http.request.resend_count on every attempt after the first.
//     A 4xx or 5xx, or a transport error, sets the span's status to Error.
//   - The conventions say an instrumentation that makes a span per attempt
//     "SHOULD NOT (also) emit a logical encompassing HTTP client span", so
//     the span of a call, which groups its attempts, is of kind Internal (an
//     operation within the application, the OpenTelemetry specification's
//     SpanKind definition) and is named after the SDK method, e.g.
//     "chatinc.RunCampaign".
//
// The hook runs after each attempt, so an attempt's span is started with
// trace.WithTimestamp at the hook's time less AttemptInfo.Duration, and ended
// at the hook's time. No header is recorded, and AttemptInfo's error already
// has the API key removed: the key is in no span.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// instrumentation names the tracer, as the conventions ask: the package that
// makes the spans.
const instrumentation = "github.com/chatinc/chatinc-go/examples/tracing"

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "tracing:", err)
		os.Exit(1)
	}
}

func mainErr() (err error) {
	exp, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	// WithSyncer exports each span as it ends, which suits an example; a
	// service would use sdktrace.WithBatcher and an OTLP exporter.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("tracing-example"))))
	defer func() {
		err = errors.Join(err, tp.Shutdown(context.Background()))
	}()

	srv := chatinctest.NewTLSServer()
	defer srv.Close()
	// One 503 on the campaign list: RetrieveCampaigns retries it, so its
	// call span holds two attempt spans.
	srv.InjectFault("/retrieve/campaigns", 1, chatinctest.Fault{Status: 503})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return run(ctx, srv, tp.Tracer(instrumentation))
}

// run makes a client of srv whose attempts are traced with tracer, and
// sends a campaign, each call in a span of its own under one root span.
func run(ctx context.Context, srv *chatinctest.Server, tracer trace.Tracer) error {
	tr, err := newTracing(tracer, srv.URL)
	if err != nil {
		return err
	}
	chat, err := chatinc.NewClient(srv.APIKey,
		chatinc.WithBaseURL(srv.URL),
		chatinc.WithHTTPClient(srv.Client()),
		chatinc.WithHooks(tr.Hooks()),
		chatinc.WithRetryWait(20*time.Millisecond, 100*time.Millisecond),
	)
	if err != nil {
		return err
	}

	ctx, root := tracer.Start(ctx, "spring-sale")
	defer root.End()

	const audienceID = "tracing-shoppers"
	if _, err := call(ctx, tr, "CreateAudience", func(ctx context.Context) (*chatinc.Result, error) {
		return chat.CreateAudience(ctx, chatinc.AudienceParams{
			ID: audienceID, Name: "Tracing shoppers",
			Contacts: []chatinc.Contact{{Number: "+15550100001"}, {Number: "+15550100002"}},
		})
	}); err != nil {
		return fmt.Errorf("create audience: %w", err)
	}
	created, err := call(ctx, tr, "CreateCampaign", func(ctx context.Context) (*chatinc.Result, error) {
		return chat.CreateCampaign(ctx, chatinc.CampaignParams{
			Title: "Tracing spring sale", Message: "Our spring sale starts today!",
		}, chatinc.CampaignOptions{})
	})
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	if _, err := call(ctx, tr, "RunCampaign", func(ctx context.Context) (*chatinc.Result, error) {
		return chat.RunCampaign(ctx, chatinc.RunCampaignParams{
			CampaignID: created.CampaignID, Audiences: []string{audienceID},
		})
	}); err != nil {
		return fmt.Errorf("run campaign %s: %w", created.CampaignID, err)
	}
	if _, err := call(ctx, tr, "RetrieveCampaigns", func(ctx context.Context) ([]chatinc.Campaign, error) {
		return chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	}); err != nil {
		return fmt.Errorf("retrieve campaigns: %w", err)
	}
	return nil
}

// tracing makes the spans of one client: an Internal span per call (call)
// and a Client span per attempt (Hooks).
type tracing struct {
	tracer trace.Tracer
	base   string // the client's base URL, with no trailing slash
	host   string
	port   int
}

// newTracing traces the attempts of a client of baseURL with tracer.
func newTracing(tracer trace.Tracer, baseURL string) (*tracing, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	port := 443
	if u.Scheme == "http" {
		port = 80
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("base URL port: %w", err)
		}
	}
	return &tracing{tracer: tracer, base: strings.TrimSuffix(baseURL, "/"), host: u.Hostname(), port: port}, nil
}

// Hooks are the client's hooks: pass them to chatinc.WithHooks.
func (t *tracing) Hooks() chatinc.Hooks {
	return chatinc.Hooks{Attempt: t.attempt}
}

// attempt records the span of one attempt, a child of the span in ctx (the
// context the caller gave the SDK method: its call span). The hook runs once
// the attempt is over, so the span starts a.Duration before now.
func (t *tracing) attempt(ctx context.Context, a chatinc.AttemptInfo) {
	end := time.Now()
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(a.Method),
		semconv.ServerAddress(t.host),
		semconv.ServerPort(t.port),
		// AttemptInfo.Path holds no query values, so neither does url.full.
		semconv.URLFull(t.base + a.Path),
		semconv.URLTemplate(a.Path),
		attribute.String("chatinc.call", a.Call),
	}
	if a.Attempt > 0 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(a.Attempt))
	}
	if a.StatusCode != 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(a.StatusCode))
	}
	if a.Retry {
		attrs = append(attrs, attribute.Bool("chatinc.retry", true),
			attribute.Int64("chatinc.retry.wait_ms", a.Wait.Milliseconds()))
	}
	_, span := t.tracer.Start(ctx, a.Method+" "+a.Path,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(end.Add(-a.Duration)),
		trace.WithAttributes(attrs...))
	switch {
	case a.Err != nil:
		span.SetAttributes(errorType(a.Err))
		span.SetStatus(codes.Error, a.Err.Error()) // the key already removed
	case a.StatusCode >= 400:
		// The conventions: error.type is the status code, and no
		// description when the status code says it all.
		span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(a.StatusCode)))
		span.SetStatus(codes.Error, "")
	}
	span.End(trace.WithTimestamp(end))
}

// call runs fn, the SDK call named name, in an Internal span of its own,
// which the spans of its attempts are children of. A failed call sets the
// span's status to Error, with error.type and, for a send whose outcome is
// unknown, chatinc.outcome_unknown.
func call[T any](ctx context.Context, t *tracing, name string, fn func(context.Context) (T, error)) (T, error) {
	ctx, span := t.tracer.Start(ctx, "chatinc."+name, trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	v, err := fn(ctx)
	if err != nil {
		var apiErr *chatinc.APIError
		if errors.As(err, &apiErr) {
			span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(apiErr.StatusCode)))
		} else {
			span.SetAttributes(errorType(err))
		}
		if errors.Is(err, chatinc.ErrOutcomeUnknown) {
			span.SetAttributes(attribute.Bool("chatinc.outcome_unknown", true))
		}
		span.SetStatus(codes.Error, err.Error()) // SDK errors never hold the key
	}
	return v, err
}

// errorType is the error.type of an error that is not an HTTP status:
// "timeout" for a deadline or a network timeout, else the Go type of the
// innermost error of its chain (semconv.ErrorType), a low-cardinality class.
func errorType(err error) attribute.KeyValue {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return semconv.ErrorTypeKey.String("timeout")
	}
	for {
		inner := errors.Unwrap(err)
		if inner == nil {
			return semconv.ErrorType(err)
		}
		err = inner
	}
}
