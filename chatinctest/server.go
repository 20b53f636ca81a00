package chatinctest

import (
	"net/http"
	"net/http/httptest"
)

// Server is a Chat Inc API simulator listening on a loopback port: a
// Handler served by an httptest.Server. It is safe for concurrent use by
// many clients.
type Server struct {
	// URL is the base URL of the API, ending in /v1, such as
	// "http://127.0.0.1:34567/v1": pass it to chatinc.WithBaseURL.
	URL string
	// APIKey is the key the server accepts in the Authorization header.
	APIKey string

	h  *Handler
	ts *httptest.Server
}

// NewServer starts a simulator with no audiences, variable groups or
// campaigns, configured by opts, on a loopback port. Call Close when done
// with it.
func NewServer(opts ...Option) *Server {
	h := NewHandler(opts...)
	return newServer(h, httptest.NewServer(h))
}

// NewTLSServer is NewServer over HTTPS, with HTTP/2, as the API is served:
// its URL is https, and its Client trusts its certificate (made for the
// test, for 127.0.0.1 and localhost). Pass that client to
// chatinc.WithHTTPClient to test the SDK over the protocol it speaks to the
// API.
func NewTLSServer(opts ...Option) *Server {
	h := NewHandler(opts...)
	ts := httptest.NewUnstartedServer(h)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	return newServer(h, ts)
}

// newServer is a Server for h served by ts.
func newServer(h *Handler, ts *httptest.Server) *Server {
	return &Server{URL: ts.URL + basePath, APIKey: h.APIKey(), h: h, ts: ts}
}

// Close ends the delays of injected faults that are under way, shuts the
// server down and waits for the requests it is answering.
func (s *Server) Close() {
	s.h.Close()
	s.ts.Close()
}

// Client returns an HTTP client for the server, as httptest.Server.Client
// does: pass it to chatinc.WithHTTPClient when a test wants Close to close
// its idle connections too.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// InjectFault makes the next n requests to path get f instead of the API's
// answer; see Handler.InjectFault.
//
// To fail twice and then succeed:
//
//	srv.InjectFault("/retrieve/audiences", 2, chatinctest.Fault{Status: 503, RetryAfter: "1"})
func (s *Server) InjectFault(path string, n int, f Fault) { s.h.InjectFault(path, n, f) }

// Requests returns a copy of the log of the most recent requests the server
// received; see Handler.Requests.
func (s *Server) Requests() []Request { return s.h.Requests() }

// RequestCount returns how many requests to path (relative to the base URL,
// such as "/create/campaign") the server received; see
// Handler.RequestCount.
func (s *Server) RequestCount(path string) int { return s.h.RequestCount(path) }

// Usage returns, by path, what the server has spent answering requests;
// see Handler.Usage.
func (s *Server) Usage() map[string]Usage { return s.h.Usage() }
