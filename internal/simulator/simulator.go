// Package simulator is a stateful, in-memory implementation of the Chat Inc
// API, served as an http.Handler. Package chatinctest wraps it in an
// httptest.Server for Go tests, and cmd/chatinc-mock serves it on a port.
//
// Every request goes through the same steps, in this order:
//
//  1. It is logged (see Requests). The Authorization value is never stored.
//  2. Authorization: without the simulator's API key the answer is 401.
//  3. Injected faults for its path (see InjectFault) take the request instead
//     of the API, which then does not act on it; but a fault with ActFirst
//     lets the API act on it first (steps 5 and 6, its answer discarded),
//     then answers as the fault says.
//  4. The rate limit, when one is set: over it, the answer is 429.
//  5. Routing: an unknown path is 404, a known path with the wrong method 405.
//  6. The endpoint: it validates the request (400 naming the field or CSV
//     line, 404 for an unknown audience or campaign) and acts on it.
//
// Unauthorized requests thus neither consume injected faults nor count
// against the rate limit, and requests answered by a fault do not count
// against the rate limit either.
package simulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// basePath is the version prefix every endpoint lives under.
const basePath = "/v1"

// Config configures a Simulator.
type Config struct {
	// APIKey is the key requests must carry in their Authorization header.
	// Empty: a random "sk_test_..." key.
	APIKey string
	// Seed drives the IDs the simulator generates and the outcome of each
	// message: the same seed and the same requests give the same results.
	Seed int64
	// RateLimit, when positive, is how many requests the simulator answers
	// within any RateWindow; it answers the ones over with 429.
	RateLimit int
	// RateWindow is the window of RateLimit.
	RateWindow time.Duration
	// Now is the simulator's clock: when runs take place, which campaigns
	// are active, and the rate limit's window. nil: time.Now.
	Now func() time.Time
	// RequestLog is how many of the most recent requests the log keeps (see
	// Requests); RequestCount counts all of them regardless. 0:
	// DefaultRequestLog; negative: none.
	RequestLog int
	// Strict makes a JSON body with a top-level field the API does not know
	// a 400 instead of a warning (see WarningHeader).
	Strict bool
	// Logger, when not nil, gets a Warn line for each warning.
	Logger *slog.Logger
}

// Simulator is an http.Handler serving the Chat Inc API under /v1 from
// in-memory state. It is safe for concurrent use.
type Simulator struct {
	apiKey    string
	routes    map[string]route
	store     *store
	log       requestLog
	faults    faultQueue
	limiter   *limiter
	now       func() time.Time
	strict    bool
	logger    *slog.Logger
	closed    chan struct{} // closed by Close: ends the delays under way
	closeOnce sync.Once
}

// route is one endpoint: the method it answers and its handler.
type route struct {
	method string
	handle func(*call) error // nil: it has answered
}

// New returns a Simulator with no audiences, variable groups or campaigns.
func New(cfg Config) *Simulator {
	key := cfg.APIKey
	if key == "" {
		key = NewAPIKey()
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Simulator{
		apiKey:  key,
		store:   newStore(cfg.Seed),
		log:     newRequestLog(cfg.RequestLog),
		limiter: newLimiter(cfg.RateLimit, cfg.RateWindow),
		now:     now,
		strict:  cfg.Strict,
		logger:  cfg.Logger,
		closed:  make(chan struct{}),
	}
	s.routes = map[string]route{
		"/create/audience":                 {http.MethodPost, s.createAudience},
		"/create/audience/from/file":       {http.MethodPost, s.createAudienceFromFile},
		"/retrieve/audiences":              {http.MethodGet, s.retrieveAudiences},
		"/retrieve/audience/contacts":      {http.MethodPost, s.retrieveAudienceContacts},
		"/create/variable/group":           {http.MethodPost, s.createVariableGroup},
		"/create/variable/group/from/file": {http.MethodPost, s.createVariableGroupFromFile},
		"/retrieve/variable/groups":        {http.MethodPost, s.retrieveVariableGroups},
		"/create/campaign":                 {http.MethodPost, s.createCampaign},
		"/run/campaign":                    {http.MethodPost, s.runCampaign},
		"/retrieve/campaigns":              {http.MethodGet, s.retrieveCampaigns},
		"/retrieve/campaign":               {http.MethodPost, s.retrieveCampaign},
	}
	return s
}

// NewAPIKey returns a random key of the form "sk_test_<32 hex digits>".
func NewAPIKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "sk_test_" + hex.EncodeToString(b)
}

// APIKey returns the key requests must carry in their Authorization header.
func (s *Simulator) APIKey() string { return s.apiKey }

// Close ends the delays of injected faults that are under way, so that a
// server shutting down does not wait for them. The simulator keeps answering
// requests, without delays.
func (s *Simulator) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// ServeHTTP implements http.Handler.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, underBase := relativePath(r.URL.Path)
	c := &call{r: r, sim: s}
	authorized := subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(s.apiKey)) == 1
	c.entry = s.log.start(r, path, authorized)
	c.w = &recorder{ResponseWriter: w, log: &s.log, entry: c.entry}

	if !authorized {
		c.fail(errorf(http.StatusUnauthorized, "invalid or missing API key"))
		return
	}
	if f, ok := s.faults.take(path); ok {
		if f.ActFirst && (f.Status != 0 || f.Drop) {
			s.actFirst(c, path, underBase)
		}
		if handled := s.serveFault(c, f); handled {
			return
		}
	}
	if wait, ok := s.limiter.allow(s.now()); !ok {
		c.w.Header().Set("Retry-After", fmt.Sprint(ceilSeconds(wait)))
		c.fail(errorf(http.StatusTooManyRequests, "rate limit exceeded: at most %d requests per %s", s.limiter.n, s.limiter.per))
		return
	}
	s.route(c, path, underBase)
}

// route hands the request to its endpoint (steps 5 and 6).
func (s *Simulator) route(c *call, path string, underBase bool) {
	r := c.r
	rt, ok := s.routes[path]
	if !underBase || !ok {
		c.fail(notFound("no such endpoint: %s %s", r.Method, r.URL.Path))
		return
	}
	if r.Method != rt.method {
		c.w.Header().Set("Allow", rt.method)
		c.fail(errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s; use %s", r.Method, r.URL.Path, rt.method))
		return
	}
	if err := rt.handle(c); err != nil {
		c.fail(err)
	}
}

// actFirst lets the API act on a request that an ActFirst fault is to
// answer: the endpoint reads the request (logging its body) and changes the
// state as usual, but its answer goes nowhere and its status is not logged;
// the fault's answer, and status, follow.
func (s *Simulator) actFirst(c *call, path string, underBase bool) {
	answer := c.w
	c.w = &recorder{ResponseWriter: &discardWriter{header: make(http.Header)}, entry: c.entry}
	s.route(c, path, underBase)
	c.w = answer
	c.acted = true
}

// discardWriter is an http.ResponseWriter that throws the answer away.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// relativePath returns the request path relative to /v1, and whether it was
// under /v1 at all (if not, the path is returned as it is).
func relativePath(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, basePath)
	if !ok || (rest != "" && rest[0] != '/') {
		return p, false
	}
	return rest, true
}

// normalizePath turns a path given to InjectFault or RequestCount into the
// form the log uses: relative to /v1, with a leading slash.
func normalizePath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if rel, ok := relativePath(p); ok {
		p = rel
	}
	return p
}

// ceilSeconds rounds d up to whole seconds, at least 1.
func ceilSeconds(d time.Duration) int64 {
	secs := int64((d + time.Second - 1) / time.Second)
	return max(secs, 1)
}
