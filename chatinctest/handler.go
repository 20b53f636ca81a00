package chatinctest

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

// Handler is the Chat Inc API simulator as an http.Handler: it serves the
// API under /v1 from in-memory state, as NewServer does on a loopback
// port. Mount it in a server of your own (at its root, or under a prefix
// removed with http.StripPrefix) to serve the simulator beside other
// handlers, over TLS, or on a port of your choosing. Make one with
// NewHandler; it is safe for concurrent use.
type Handler struct {
	apiKey    string
	routes    map[string]route
	store     *store
	log       requestLog
	faults    faultQueue
	limiter   *limiter
	budget    *bodyBudget // nil: no bound
	now       func() time.Time
	strict    bool
	logger    *slog.Logger
	review    func(title, message string) (string, time.Duration) // nil: approved at once
	closed    chan struct{}                                       // closed by Close: ends the delays under way
	closeOnce sync.Once
}

// route is one endpoint: the method it answers, the body it reads, and
// its handler, which returns the error to answer (nil: it has answered).
type route struct {
	method string
	body   bodyKind
	handle func(*call) error
}

// bodyKind is what an endpoint's request body is.
type bodyKind int

const (
	noBody     bodyKind = iota // not read (GET)
	jsonBody                   // read whole and logged before the endpoint runs
	uploadBody                 // multipart: the endpoint streams it, logging each part
)

// NewHandler returns a simulator with no audiences, variable groups or
// campaigns, configured by opts. Call Close when done with it if faults
// with a Delay may be under way.
func NewHandler(opts ...Option) *Handler {
	cfg := newConfig(opts)
	h := &Handler{
		apiKey:  cfg.apiKey,
		store:   newStore(cfg.seed, cfg.retention),
		log:     newRequestLog(cfg.requestLog),
		limiter: newLimiter(cfg.rateLimit, cfg.rateWindow),
		budget:  newBodyBudget(cfg.bodyMemory),
		now:     cfg.now,
		strict:  cfg.strict,
		logger:  cfg.logger,
		review:  cfg.review,
		closed:  make(chan struct{}),
	}
	h.routes = map[string]route{
		"/create/audience":                 {http.MethodPost, jsonBody, h.createAudience},
		"/create/audience/from/file":       {http.MethodPost, uploadBody, h.createAudienceFromFile},
		"/retrieve/audiences":              {http.MethodGet, noBody, h.retrieveAudiences},
		"/retrieve/audience/contacts":      {http.MethodPost, jsonBody, h.retrieveAudienceContacts},
		"/create/variable/group":           {http.MethodPost, jsonBody, h.createVariableGroup},
		"/create/variable/group/from/file": {http.MethodPost, uploadBody, h.createVariableGroupFromFile},
		"/retrieve/variable/groups":        {http.MethodPost, jsonBody, h.retrieveVariableGroups},
		"/create/campaign":                 {http.MethodPost, jsonBody, h.createCampaign},
		"/run/campaign":                    {http.MethodPost, jsonBody, h.runCampaign},
		"/retrieve/campaigns":              {http.MethodGet, noBody, h.retrieveCampaigns},
		"/retrieve/campaign":               {http.MethodPost, jsonBody, h.retrieveCampaign},
	}
	return h
}

// newAPIKey returns a random key of the form "sk_test_<32 hex digits>".
func newAPIKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "sk_test_" + hex.EncodeToString(b)
}

// APIKey returns the key requests must carry in their Authorization header.
func (h *Handler) APIKey() string { return h.apiKey }

// Close ends the delays of injected faults that are under way, so that a
// server shutting down does not wait for them. The handler keeps answering
// requests, without delays.
func (h *Handler) Close() {
	h.closeOnce.Do(func() { close(h.closed) })
}

// ServeHTTP answers a request as the API would, in the order the package
// documentation gives: log, authorization, injected faults, rate limit,
// routing, endpoint.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now() // the real clock, not h.now: a cost, not a time of the API
	path, underBase := relativePath(r.URL.Path)
	c := &call{r: r, h: h, held: &heldBody{ReadCloser: r.Body, budget: h.budget}}
	r.Body = c.held
	defer c.held.release()
	authorized := subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(h.apiKey)) == 1
	_, known := h.routes[path]
	var key string
	c.entry, key = h.log.start(r, path, authorized, known && underBase)
	answer := &recorder{ResponseWriter: w, log: &h.log, entry: c.entry}
	c.w = answer
	defer func() { h.log.finish(key, time.Since(arrived), answer.written) }()

	if !authorized {
		c.fail(httpErrorf(http.StatusUnauthorized, "invalid or missing API key"))
		return
	}
	if err := h.budget.admit(r, c.held); err != nil {
		c.fail(err)
		return
	}
	if f, ok := h.faults.take(path); ok {
		if f.ActFirst && (f.Status != 0 || f.Drop) {
			h.actFirst(c, path, underBase)
		}
		if handled := h.serveFault(c, f); handled {
			return
		}
	}
	if wait, ok := h.limiter.allow(h.now()); !ok {
		c.w.Header().Set("Retry-After", fmt.Sprint(ceilSeconds(wait)))
		c.fail(httpErrorf(http.StatusTooManyRequests, "rate limit exceeded: at most %d requests per %s", h.limiter.n, h.limiter.per))
		return
	}
	h.route(c, path, underBase)
}

// route hands the request to its endpoint: an unknown path is 404, a known
// one with the wrong method 405. A JSON body is read and logged here, before
// the endpoint decodes it.
func (h *Handler) route(c *call, path string, underBase bool) {
	r := c.r
	rt, ok := h.routes[path]
	if !underBase || !ok {
		c.fail(httpErrorf(http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
		return
	}
	if r.Method != rt.method {
		c.w.Header().Set("Allow", rt.method)
		c.fail(httpErrorf(http.StatusMethodNotAllowed, "method %s not allowed on %s; use %s", r.Method, r.URL.Path, rt.method))
		return
	}
	if rt.body == jsonBody {
		body, err := c.readBody()
		h.log.setBody(c.entry, body)
		if err != nil {
			c.fail(err)
			return
		}
		c.body = body
	}
	if err := rt.handle(c); err != nil {
		c.fail(err)
	}
}

// actFirst lets the API act on a request that an ActFirst fault is to
// answer: the endpoint reads the request (logging its body) and changes the
// state as usual, but its answer goes nowhere and its status is not logged;
// the fault's answer, and status, follow.
func (h *Handler) actFirst(c *call, path string, underBase bool) {
	answer := c.w
	c.w = &recorder{ResponseWriter: &discardWriter{header: make(http.Header)}, entry: c.entry}
	h.route(c, path, underBase)
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
