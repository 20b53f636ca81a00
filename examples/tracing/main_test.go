package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// TestSpans runs the example on the simulator with an in-memory exporter, a
// 503 injected on the campaign list, and checks every span: one Internal
// span per call under the root, one Client span per attempt under its call,
// their HTTP attributes and statuses, and no API key anywhere.
func TestSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	srv := chatinctest.NewTLSServer()
	defer srv.Close()
	srv.InjectFault("/retrieve/campaigns", 1, chatinctest.Fault{Status: 503})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, srv, tp.Tracer(instrumentation)); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans()

	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s
	}
	var root tracetest.SpanStub
	calls := map[string]tracetest.SpanStub{}
	attempts := map[string][]tracetest.SpanStub{} // by call span name
	for _, s := range spans {
		parent, hasParent := byID[s.Parent.SpanID()]
		switch {
		case s.Name == "spring-sale":
			if s.Parent.IsValid() {
				t.Errorf("root span has a parent")
			}
			root = s
		case strings.HasPrefix(s.Name, "chatinc."):
			if _, dup := calls[s.Name]; dup {
				t.Errorf("two call spans %s", s.Name)
			}
			calls[s.Name] = s
		default:
			if !hasParent {
				t.Errorf("attempt span %s has no parent among the spans", s.Name)
				continue
			}
			attempts[parent.Name] = append(attempts[parent.Name], s)
		}
	}
	if !root.SpanContext.IsValid() {
		t.Fatal("no root span")
	}

	want := map[string]struct {
		name     string // of the attempt spans
		attempts []int  // their statuses, in order
	}{
		"chatinc.CreateAudience":    {"POST /create/audience", []int{200}},
		"chatinc.CreateCampaign":    {"POST /create/campaign", []int{200}},
		"chatinc.RunCampaign":       {"POST /run/campaign", []int{200}},
		"chatinc.RetrieveCampaigns": {"GET /retrieve/campaigns", []int{503, 200}},
	}
	if len(calls) != len(want) {
		t.Errorf("%d call spans, want %d: %v", len(calls), len(want), keys(calls))
	}
	if n := len(spans); n != 1+len(want)+5 {
		t.Errorf("%d spans, want %d", n, 1+len(want)+5)
	}
	for name, w := range want {
		c, ok := calls[name]
		if !ok {
			t.Errorf("no call span %s", name)
			continue
		}
		if c.SpanKind != trace.SpanKindInternal {
			t.Errorf("%s: kind %v, want internal", name, c.SpanKind)
		}
		if c.Parent.SpanID() != root.SpanContext.SpanID() {
			t.Errorf("%s: not a child of the root span", name)
		}
		if c.Status.Code != codes.Unset {
			t.Errorf("%s: status %v, want unset", name, c.Status)
		}
		as := attempts[name]
		if len(as) != len(w.attempts) {
			t.Errorf("%s: %d attempt spans, want %d", name, len(as), len(w.attempts))
			continue
		}
		// Spans are exported as they end, so in attempt order.
		for i, a := range as {
			if a.Name != w.name {
				t.Errorf("%s attempt %d: name %q, want %q", name, i, a.Name, w.name)
			}
			if a.SpanKind != trace.SpanKindClient {
				t.Errorf("%s attempt %d: kind %v, want client", name, i, a.SpanKind)
			}
			if a.SpanContext.TraceID() != root.SpanContext.TraceID() {
				t.Errorf("%s attempt %d: another trace", name, i)
			}
			if a.StartTime.Before(c.StartTime) || a.EndTime.After(c.EndTime) || !a.StartTime.Before(a.EndTime) {
				t.Errorf("%s attempt %d: %v–%v outside its call's %v–%v", name, i, a.StartTime, a.EndTime, c.StartTime, c.EndTime)
			}
			if i > 0 && a.StartTime.Before(as[i-1].EndTime) {
				t.Errorf("%s attempt %d starts before attempt %d ended", name, i, i-1)
			}
			attrs := attrMap(a.Attributes)
			method, path, _ := strings.Cut(w.name, " ")
			check := map[attribute.Key]attribute.Value{
				"http.request.method":       attribute.StringValue(method),
				"url.template":              attribute.StringValue(path),
				"url.full":                  attribute.StringValue(srv.URL + path),
				"server.address":            attribute.StringValue("127.0.0.1"),
				"http.response.status_code": attribute.IntValue(w.attempts[i]),
				"chatinc.call":              attribute.StringValue(strings.TrimPrefix(name, "chatinc.")),
			}
			for k, v := range check {
				if got, ok := attrs[k]; !ok || got != v {
					t.Errorf("%s attempt %d: %s = %v, want %v", name, i, k, got.Emit(), v.Emit())
				}
			}
			if _, ok := attrs["server.port"]; !ok {
				t.Errorf("%s attempt %d: no server.port", name, i)
			}
			resend, ok := attrs["http.request.resend_count"]
			if i == 0 && ok {
				t.Errorf("%s attempt 0 has http.request.resend_count %v", name, resend.Emit())
			}
			if i > 0 && (!ok || resend != attribute.IntValue(i)) {
				t.Errorf("%s attempt %d: http.request.resend_count %v, want %d", name, i, resend.Emit(), i)
			}
			if w.attempts[i] >= 400 {
				if a.Status.Code != codes.Error {
					t.Errorf("%s attempt %d: status %v, want error", name, i, a.Status)
				}
				if et := attrs["error.type"]; et != attribute.StringValue("503") {
					t.Errorf("%s attempt %d: error.type %q, want 503", name, i, et.Emit())
				}
				if attrs["chatinc.retry"] != attribute.BoolValue(true) {
					t.Errorf("%s attempt %d: no chatinc.retry", name, i)
				}
			} else {
				if a.Status.Code != codes.Unset {
					t.Errorf("%s attempt %d: status %v, want unset", name, i, a.Status)
				}
				if _, ok := attrs["error.type"]; ok {
					t.Errorf("%s attempt %d: error.type on a success", name, i)
				}
			}
		}
	}

	// The key is in no span: attributes, events, status, anything.
	for _, s := range spans {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), srv.APIKey) {
			t.Errorf("span %s holds the API key: %s", s.Name, b)
		}
	}
}

func attrMap(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
