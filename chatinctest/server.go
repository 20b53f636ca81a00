package chatinctest

import (
	"net/http/httptest"
	"time"

	"github.com/chatinc/chatinc-go/internal/simulator"
)

// Server is a Chat Inc API simulator listening on a loopback port. It is
// safe for concurrent use by many clients.
type Server struct {
	// URL is the base URL of the API, ending in /v1, such as
	// "http://127.0.0.1:34567/v1": pass it to chatinc.WithBaseURL.
	URL string
	// APIKey is the key the server accepts in the Authorization header.
	APIKey string

	sim *simulator.Simulator
	ts  *httptest.Server
}

// WarningHeader is the header of an answer to a request the server
// accepted with a warning, such as a JSON field the API does not know; it
// has one value per warning. The warnings are also in Request.Warnings.
const WarningHeader = simulator.WarningHeader

// Option configures NewServer.
type Option func(*options)

// options is what the Options set.
type options struct{ simulator.Config }

// WithSeed sets the seed of the generated IDs and of the outcome of every
// message: the same seed and the same requests give the same campaign IDs
// and results. The default seed is 1.
func WithSeed(seed int64) Option {
	return func(c *options) { c.Seed = seed }
}

// WithAPIKey sets the API key the server accepts. By default it is a random
// key of the form "sk_test_<32 hex digits>"; an empty key keeps that
// default.
func WithAPIKey(key string) Option {
	return func(c *options) { c.APIKey = key }
}

// WithRateLimit makes the server answer at most n requests in any window
// of length per. A request over the limit gets 429 Too Many Requests, with
// a Retry-After header (in whole seconds) saying when the window makes room,
// and does not count against the limit. n <= 0 or per <= 0: no limit, the
// default.
func WithRateLimit(n int, per time.Duration) Option {
	return func(c *options) { c.RateLimit, c.RateWindow = n, per }
}

// WithClock sets the server's clock, which says when scheduled runs take
// place (a run whose timeToRun has not come has no results and keeps its
// campaign active) and drives the rate limit's window. Tests of scheduled
// runs can move the clock instead of sleeping; now must be safe for
// concurrent use. The default is time.Now. Through the SDK, start the
// clock at or after the real time: chatinc refuses a TimeToRun more than a
// minute in the past by its own clock.
func WithClock(now func() time.Time) Option {
	return func(c *options) { c.Now = now }
}

// WithRequestLog sets how many of the most recent requests Requests
// returns: the log is a ring, so that a server under heavy or long use
// holds bounded memory. RequestCount still counts every request. n <= 0
// keeps none. The default is 1000.
func WithRequestLog(n int) Option {
	return func(c *options) {
		if n <= 0 {
			n = -1
		}
		c.RequestLog = n
	}
}

// WithStrict makes the server answer 400 to a JSON body with a field the
// API does not know, such as "runImediately", a nested "options" object or
// a button's "journeyID", naming the fields. Without it such a request is
// answered with a warning: an X-Chatinc-Mock-Warning header and an entry in
// the request's Warnings.
func WithStrict() Option {
	return func(c *options) { c.Strict = true }
}

// NewServer starts a simulator with no audiences, variable groups or
// campaigns. Call Close when done with it.
func NewServer(opts ...Option) *Server {
	o := options{simulator.Config{Seed: 1}}
	for _, opt := range opts {
		opt(&o)
	}
	sim := simulator.New(o.Config)
	ts := httptest.NewServer(sim)
	return &Server{URL: ts.URL + "/v1", APIKey: sim.APIKey(), sim: sim, ts: ts}
}

// Close ends the delays of injected faults that are under way, shuts the
// server down and waits for the requests it is answering.
func (s *Server) Close() {
	s.sim.Close()
	s.ts.Close()
}

// Fault is an answer the server gives instead of the API's; see
// Server.InjectFault.
type Fault struct {
	// Status is the HTTP status of the answer, such as 503. 0 with Drop
	// false: the fault is a delay alone, after which the API answers. A
	// status outside 200–599 is taken as 500.
	Status int
	// RetryAfter is the raw value of a Retry-After header to send, such as
	// "2" or an HTTP date; "" sends none.
	RetryAfter string
	// Body is the body of the answer. "" is the API's error JSON,
	// {"status":"error","message":"injected fault: <status text>"}.
	Body string
	// ContentType is the Content-Type of Body. "" is application/json for
	// the default body, and what net/http sniffs for any other.
	ContentType string
	// Drop makes the server read the whole request, then close the
	// connection without answering: the client gets a transport error (such
	// as io.EOF or a reset connection), not a status. Note that Go's
	// http.Transport itself resends a GET (or a request with an
	// Idempotency-Key header) once when a reused connection closes before
	// any answer, so such a request uses up two Drop faults before its
	// caller sees the error.
	Drop bool
	// Delay makes the server wait before answering. The wait ends early if
	// the client gives up (the request body is read first, so the server
	// notices) or the server is closed.
	Delay time.Duration
	// ActFirst makes the API carry the request out first, as it would
	// without the fault, and only then answer as the fault says: the
	// answer is lost, the effect is not (a campaign created or run, an
	// audience created), as when a connection drops or a gateway times out
	// after the server has acted. The request is logged with the fault's
	// Status (0 for a Drop). With neither Status nor Drop the fault is a
	// delay alone, after which the API acts and answers anyway.
	ActFirst bool
}

// InjectFault makes the next n requests to path get f instead of the API's
// answer. path is relative to the base URL, such as "/create/campaign".
// The API does not act on a request that gets a fault, except a fault that
// is a delay alone or has ActFirst. Faults injected for the same path queue up: the first
// is used up before the next one starts. n <= 0 injects nothing.
//
// To fail twice and then succeed:
//
//	srv.InjectFault("/retrieve/audiences", 2, chatinctest.Fault{Status: 503, RetryAfter: "1"})
func (s *Server) InjectFault(path string, n int, f Fault) {
	s.sim.InjectFault(path, n, simulator.Fault(f))
}

// Request is a request the server received.
type Request struct {
	// Method is the HTTP method, such as "POST".
	Method string
	// Path is the URL path relative to the base URL, such as
	// "/create/campaign" (a path outside /v1 is kept whole).
	Path string
	// RawQuery is the query, without the "?".
	RawQuery string
	// ContentType is the request's Content-Type header.
	ContentType string
	// Authorized reports whether the request carried the API key. The
	// Authorization header itself is never stored.
	Authorized bool
	// Body is the request body, up to 64 KiB, as far as it was read: nil for
	// a multipart body (see Parts) and for requests rejected before it was
	// read, such as those without the API key.
	Body []byte
	// Parts are the parts of a multipart body, in order: the first 64.
	Parts []Part
	// Status is the HTTP status of the answer; 0 while it is being answered,
	// or if the connection was dropped or the client gave up first.
	Status int
	// Warnings are the warnings the server sent in the X-Chatinc-Mock-Warning
	// header of its answer, such as `unknown field "runImediately"
	// (did you mean "runImmediately"?)`. See WithStrict.
	Warnings []string
}

// Part is one part of a multipart request.
type Part struct {
	// Name is the form field name, such as "file" or "id".
	Name string
	// FileName is the file name the part gave, if any.
	FileName string
	// ContentType is the part's Content-Type header.
	ContentType string
	// Size is the length of the part's content in bytes, as far as it
	// was read.
	Size int64
	// Value is the content of a text part (one without a file name).
	Value string
}

// Requests returns a copy of the log of the most recent requests the server
// received (1000 unless WithRequestLog says otherwise), in the order they
// arrived, whatever their answer.
func (s *Server) Requests() []Request {
	logged := s.sim.Requests()
	out := make([]Request, len(logged))
	for i, r := range logged {
		out[i] = Request{
			Method:      r.Method,
			Path:        r.Path,
			RawQuery:    r.RawQuery,
			ContentType: r.ContentType,
			Authorized:  r.Authorized,
			Body:        r.Body,
			Status:      r.Status,
			Warnings:    r.Warnings,
		}
		for _, p := range r.Parts {
			out[i].Parts = append(out[i].Parts, Part(p))
		}
	}
	return out
}

// RequestCount returns how many requests to path (relative to the base URL,
// such as "/create/campaign") the server received, whatever their answer:
// all of them, including those that have left the request log.
func (s *Server) RequestCount(path string) int {
	return s.sim.RequestCount(path)
}
