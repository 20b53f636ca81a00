package chatinc

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// DefaultBaseURL is the Chat Inc API's address, version prefix included.
const DefaultBaseURL = "https://api.chatinc.com/v1"

// Version is the SDK's version, sent in the User-Agent header.
const Version = "0.2.0"

// Defaults of the client's options.
const (
	DefaultRetryMax         = 2
	DefaultRetryWaitMin     = 500 * time.Millisecond
	DefaultRetryWaitMax     = 8 * time.Second
	DefaultMaxResponseBytes = 256 << 20
)

// Client calls the Chat Inc API. Create one with NewClient and share it: a
// *Client is safe for concurrent use by many goroutines. Printing a Client
// (with any fmt verb, also as a field of another struct) never shows its
// API key.
type Client struct {
	baseURL        *url.URL            // ends in "/"
	key            func() *credentials // behind a func, so that reflection cannot print it
	userAgent      string
	http           *http.Client // the caller's (copied) or the SDK's own
	logger         *slog.Logger
	retryMax       int
	retryWaitMin   time.Duration
	retryWaitMax   time.Duration
	maxResponse    int64
	attemptTimeout time.Duration
	cleartextOK    bool // WithInsecureCleartextForTesting
	preflight      bool // WithPreflight
	hooks          Hooks
	limiter        *limiter // WithRateLimit, or nil

	// sleep, when set (by tests), is how AwaitRun and AwaitApproval wait
	// between reads.
	sleep func(ctx context.Context, d time.Duration) error

	// Client-lifetime values every call shares, set by NewClient: the
	// retry loop, whose hooks find the call they serve in the request's
	// context.
	rc      *retryablehttp.Client
	headers struct{ userAgent []string }
}

// acceptJSON is the value of Accept, and of a JSON body's Content-Type.
var acceptJSON = []string{"application/json"}

// Format implements fmt.Formatter so that %v, %+v, %#v and %s of a Client
// show its base URL but never its API key.
func (c Client) Format(f fmt.State, _ rune) {
	base := ""
	if c.baseURL != nil {
		base = strings.TrimSuffix(c.baseURL.String(), "/")
	}
	fmt.Fprintf(f, "chatinc.Client{BaseURL: %q, APIKey: [redacted]}", base)
}

// Option configures a Client; pass options to NewClient.
type Option func(*Client) error

// WithPreflight makes every send check itself first, with reads only:
// RunCampaign makes CheckRun's reads (the campaign exists, its template is
// not REJECTED, its message fits the variable groups, the audiences
// exist), and CreateCampaign with RunImmediately makes CheckCampaign's. A
// *CheckError, or the error of a read, is returned with nothing sent; such
// an error never matches ErrOutcomeUnknown. Without it, one call makes one
// request. The local checks (no read) are made by every client.
func WithPreflight() Option {
	return func(c *Client) error {
		c.preflight = true
		return nil
	}
}

// WithBaseURL sets the API's address, version prefix included, e.g.
// "http://127.0.0.1:8080/v1" for a local simulator. Clear-text http is
// accepted only for a loopback host ("localhost", 127.0.0.0/8, ::1), so the
// key never crosses a network unencrypted (see WithInsecureCleartextForTesting
// for test networks); the SDK's own transport never sends clear-text http
// through a proxy, and the host is lowered so that net/http's proxy rules,
// which bypass the proxy for "localhost" only in lower case, treat it as
// loopback too. Every call goes to this one base URL; to send some calls to
// another host, use a second Client. A base URL without its version prefix
// ("/v1") makes every call fail with 404; the *APIError then says so.
func WithBaseURL(rawURL string) Option {
	return func(c *Client) error {
		u, err := parseBaseURL(rawURL)
		if err != nil {
			return err
		}
		c.baseURL = u
		return nil
	}
}

// WithInsecureCleartextForTesting allows a clear-text http base URL to a
// host that is not loopback, such as "http://chatinc-mock:8080/v1" in a
// docker-compose test network. It is for test networks only: the API key
// and every message then cross the network unencrypted, readable and
// changeable by anyone on the path. NewClient logs a warning through the
// client's logger (see WithLogger) when the option lets such a URL through.
// Prefer running the simulator with TLS (chatinc-mock -tls).
func WithInsecureCleartextForTesting() Option {
	return func(c *Client) error {
		c.cleartextOK = true
		return nil
	}
}

// WithHTTPClient sets the underlying HTTP client (for proxies, custom TLS,
// or a test transport). Without it, every Client of the process shares the
// SDK's own transport and its one connection pool. The client is copied,
// not changed. The SDK never lets hc's transport resend a request body by
// itself (see the retry rule in the package documentation). The SDK's
// redirect rule still applies: a redirect to another host or from https to
// http is refused before hc's own CheckRedirect, if any, is asked, so the
// API key goes nowhere but the API's host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("chatinc: WithHTTPClient: nil *http.Client")
		}
		cp := *hc
		if own := hc.CheckRedirect; own != nil {
			cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if err := checkRedirect(req, via); err != nil {
					return err
				}
				return own(req, via)
			}
		} else {
			cp.CheckRedirect = checkRedirect
		}
		c.http = &cp
		return nil
	}
}

// WithRetryMax sets how many times a failed call may be retried after its
// first attempt (default 2); 0 disables retrying. Which failures are retried
// depends on the call: see the retry rule in the package documentation.
func WithRetryMax(n int) Option {
	return func(c *Client) error {
		if n < 0 {
			return fmt.Errorf("chatinc: WithRetryMax(%d): must be 0 or more", n)
		}
		c.retryMax = n
		return nil
	}
}

// WithRetryWait sets the bounds of the exponential backoff between retries
// (default 500ms and 8s). A server's Retry-After, up to 60s, is honoured
// regardless of these bounds.
func WithRetryWait(min, max time.Duration) Option {
	return func(c *Client) error {
		if min <= 0 || min > max {
			return fmt.Errorf("chatinc: WithRetryWait(%s, %s): need 0 < min <= max", min, max)
		}
		c.retryWaitMin, c.retryWaitMax = min, max
		return nil
	}
}

// WithUserAgent appends ua to the SDK's own User-Agent
// ("chatinc-go/<version> (go<version>)"). A ua holding a control character
// (which could forge other headers) is an error.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if strings.ContainsFunc(ua, func(r rune) bool { return r != '\t' && (r < ' ' || r == 0x7f) }) {
			return fmt.Errorf("chatinc: WithUserAgent(%q): control characters are not allowed", ua)
		}
		if ua = strings.TrimSpace(ua); ua != "" {
			c.userAgent += " " + ua
		}
		return nil
	}
}

// WithLogger makes the client log each attempt at Debug ("chatinc:
// attempt", with the fields of its AttemptInfo: call, method, path, attempt
// counted from 1, status, error, duration, retry, wait) and each retry
// (reason, wait) at Info. Headers and the API key are never logged. With no
// logger, or nil, the SDK logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.logger = l
		return nil
	}
}

// WithHooks sets functions the client calls as it works (see Hooks); it
// replaces those of an earlier WithHooks.
func WithHooks(h Hooks) Option {
	return func(c *Client) error {
		c.hooks = h
		return nil
	}
}

// Hooks are functions a Client calls as it works, to record metrics or trace
// spans; a nil field is not called. They run on the calling goroutine, while
// the SDK holds no lock; a hook that blocks holds up its call, and one that
// panics ends it (its body and connection closed, the panic passed on).
type Hooks struct {
	// Attempt is called after every attempt of every call, once its answer's
	// headers (and, for an answer read whole, its body) are in or it
	// failed, and before any wait to retry. ctx is the one the caller gave
	// the method.
	Attempt func(ctx context.Context, a AttemptInfo)
}

// AttemptInfo describes one attempt of a call, for Hooks.Attempt. The
// client's logger (WithLogger) logs the same fields.
type AttemptInfo struct {
	// Call is the exported method the caller called, e.g. "RunCampaign".
	// The reads a method makes on its own behalf (FindCampaign's list of
	// campaigns) carry that method's name, and their own Path.
	Call string
	// Method and Path are the attempt's HTTP method and path, e.g. "POST"
	// and "/run/campaign": no base URL and no query values.
	Method, Path string
	// Attempt is 0 for the first attempt of the call, 1 for its first
	// retry, and so on.
	Attempt int
	// StatusCode is the answer's HTTP status, or 0 when no answer came.
	StatusCode int
	// Err is the attempt's error (transport, or an answer's body that could
	// not be read), the API key removed; nil for an answer read whole,
	// whatever its status.
	Err error
	// Duration runs from sending to the answer's headers, or to the error.
	Duration time.Duration
	// Retry reports that another attempt follows, after Wait; Wait is 0
	// when Retry is false.
	Retry bool
	Wait  time.Duration
}

// WithRateLimit makes every attempt of every call of the client wait for a
// token of a limiter of limit tokens a second with bursts of burst (see
// golang.org/x/time/rate), so that many goroutines sharing the client stay
// under the API's rate limit together. The wait is bounded by the call's
// context: one the context's deadline cannot cover fails at once with
// context.DeadlineExceeded, nothing sent. With a limit set, a 429 answer's
// Retry-After (up to 60s) also holds back every call of the client until it
// ends, not only the call that got it. rate.Inf lifts the limit.
func WithRateLimit(limit rate.Limit, burst int) Option {
	return func(c *Client) error {
		if limit < 0 || math.IsNaN(float64(limit)) || (limit != rate.Inf && (limit == 0 || burst < 1)) {
			return fmt.Errorf("chatinc: WithRateLimit(%g, %d): need a limit above 0 and a burst of 1 or more", float64(limit), burst)
		}
		c.limiter = &limiter{Limiter: rate.NewLimiter(limit, burst)}
		return nil
	}
}

// limiter is the rate limit every attempt of a client's calls waits for.
type limiter struct {
	*rate.Limiter
	// holdUntil is when, in Unix nanoseconds, the Retry-After of the last
	// 429 ends: no attempt of any call starts before.
	holdUntil atomic.Int64
}

// WithMaxResponseBytes caps how much of a JSON response the client reads
// (default 256 MiB), so that a broken or hostile server cannot exhaust
// memory. A larger answer fails with ErrResponseTooLarge, and so does a list
// answer with more items than n bytes could reasonably hold (n divided by
// the larger of 32 and an item's size in memory, such as 4 MiB of
// [{},{},...]): what a list answer decodes to stays within a small multiple
// of n. RetrieveCampaignDetails, which holds every row, is capped like a
// list. CampaignDetails, which decodes one row at a time, is capped per
// row: a single row larger than n fails with ErrResponseTooLarge. CSV
// exports, which stream to the caller's writer, are not capped.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("chatinc: WithMaxResponseBytes(%d): must be positive", n)
		}
		c.maxResponse = n
		return nil
	}
}

// WithAttemptTimeout bounds each attempt of a call, from sending the request
// to reading the end of the answer; a timed-out read is retried, a timed-out
// send is not. The call as a whole is bounded by its context. Zero (the
// default) sets no per-attempt bound.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("chatinc: WithAttemptTimeout(%s): must not be negative", d)
		}
		c.attemptTimeout = d
		return nil
	}
}

// NewClient returns a client that authenticates with apiKey. It checks the
// options and makes no network call.
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(apiKey) == "" {
		return nil, errors.New("chatinc: NewClient: empty API key")
	}
	if !utf8.ValidString(apiKey) || strings.ContainsFunc(apiKey, unicode.IsControl) {
		// It could not go in a header, and could not be found to be
		// redacted from what a server echoes.
		return nil, errors.New("chatinc: NewClient: the API key holds a control character or invalid UTF-8")
	}
	base, err := parseBaseURL(DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		baseURL:      base,
		key:          newCredentials(apiKey).get,
		userAgent:    fmt.Sprintf("chatinc-go/%s (%s)", Version, runtime.Version()),
		retryMax:     DefaultRetryMax,
		retryWaitMin: DefaultRetryWaitMin,
		retryWaitMax: DefaultRetryWaitMax,
		maxResponse:  DefaultMaxResponseBytes,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if err := c.checkCleartext(); err != nil {
		return nil, err
	}
	if c.http == nil {
		c.http = defaultHTTPClient()
	}
	if c.attemptTimeout > 0 {
		hc := *c.http
		hc.Transport = &attemptTimeoutTransport{next: transportOf(c.http), timeout: c.attemptTimeout}
		c.http = &hc
	}
	// retryablehttp sends through http, seen through noRewindTransport.
	doer := *c.http
	doer.Transport = noRewindTransport{next: transportOf(c.http)}
	c.headers.userAgent = []string{c.userAgent}
	c.rc = &retryablehttp.Client{
		HTTPClient:     &doer,
		Logger:         nil, // retryablehttp's own logger writes to stderr; ours is slog
		RetryMax:       c.retryMax,
		CheckRetry:     checkRetry,
		Backoff:        noBackoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: beforeAttempt,
	}
	return c, nil
}

// transportOf returns hc's transport, net/http's default when it has none.
func transportOf(hc *http.Client) http.RoundTripper {
	if hc.Transport == nil {
		return http.DefaultTransport
	}
	return hc.Transport
}

// CloseIdleConnections closes the idle connections of the client's
// transport; calls in flight are not interrupted. For a Client made
// without WithHTTPClient, that is the transport all such Clients of the
// process share, so their idle connections are closed too. Discarding a
// Client needs no call: it leaks nothing. A failed call never closes
// idle connections.
func (c *Client) CloseIdleConnections() {
	c.http.CloseIdleConnections()
}

// parseBaseURL checks a base URL and returns it ending in "/", so that
// relative paths resolve below its version prefix.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("chatinc: base URL: %w", err)
	}
	if u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("chatinc: base URL %q: need a scheme and a host", raw)
	}
	// Host names are case-insensitive, but net/http's proxy rule bypasses
	// the proxy for "localhost" only in lower case: http://LOCALHOST/ must
	// not send the key to an HTTP_PROXY in clear text.
	u.Host = strings.ToLower(u.Host)
	switch u.Scheme {
	case "https", "http": // http beyond loopback: see checkCleartext
	default:
		return nil, fmt.Errorf("chatinc: base URL %q: scheme must be https (or http to loopback)", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("chatinc: base URL: must not hold credentials")
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}

// checkCleartext refuses a clear-text base URL to a host that is not
// loopback, unless WithInsecureCleartextForTesting allows it; then it warns.
// It runs once all options are applied, whatever their order.
func (c *Client) checkCleartext() error {
	u := c.baseURL
	if u.Scheme != "http" || isLoopback(u.Hostname()) {
		return nil
	}
	if !c.cleartextOK {
		return fmt.Errorf("chatinc: base URL %q: clear-text http is allowed only to a loopback host; use https "+
			"(or, on a test network only, WithInsecureCleartextForTesting)", u.Redacted())
	}
	if c.logger != nil {
		c.logger.LogAttrs(context.Background(), slog.LevelWarn,
			"chatinc: clear-text http to a host that is not loopback: the API key travels unencrypted (WithInsecureCleartextForTesting: test networks only)",
			slog.String("host", u.Host))
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultHTTPClient is the SDK's own HTTP client: the shared transport, and
// no redirect to another host or down to http.
func defaultHTTPClient() *http.Client {
	return &http.Client{Transport: sharedTransport(), CheckRedirect: checkRedirect}
}

// sharedTransport is the transport of every Client made without
// WithHTTPClient: one connection pool per process, so that discarding a
// Client leaves no connections or goroutines behind, and Clients made per
// request still reuse connections. It is built on first use and never
// changed after that; it is shared state, but not configuration.
var sharedTransport = sync.OnceValue(newDefaultTransport)

// Idle connections the SDK's own transport keeps: enough for a few hundred
// goroutines calling one host at once over HTTP/1.1 to reuse their
// connections rather than dial (and, over TLS, handshake) for most calls.
const (
	maxIdleConnsPerHost = 256
	maxIdleConns        = 1024
)

// newDefaultTransport builds the SDK's own transport: net/http's defaults
// (HTTP/2 over TLS, timeouts), TLS 1.2 at least, the environment's proxy
// for https only (proxyForTLSOnly), and a pool sized for many concurrent
// calls.
func newDefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.MinVersion = tls.VersionTLS12
	t.Proxy = proxyForTLSOnly
	t.MaxIdleConns = maxIdleConns
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return t
}

// noRewindTransport is the RoundTripper the SDK's retry loop sends
// through. It hides each request's GetBody from the transport below, so
// that the transport cannot resend a body by itself: net/http's HTTP/2
// transport does so on RST_STREAM(REFUSED_STREAM or PROTOCOL_ERROR) and on a
// GOAWAY, even when the server had read the whole request (and, for
// CreateCampaign or RunCampaign, may have sent the messages). The SDK's
// retry loop is then the one place where a request goes out again, under
// the call's retry rule; a redirect is still followed, as http.Client keeps
// its own GetBody.
//
// It has no CloseIdleConnections method, on purpose: go-retryablehttp calls
// that on its client after every call that ends in a transport error, which
// would close the idle connections of every other call sharing the pool.
// Client.CloseIdleConnections reaches the real transport.
type noRewindTransport struct{ next http.RoundTripper }

func (t noRewindTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.GetBody == nil {
		return t.next.RoundTrip(req)
	}
	r := *req // a RoundTripper must not change the request it is given
	r.GetBody = nil
	resp, err := t.next.RoundTrip(&r)
	if resp != nil {
		resp.Request = req
	}
	if err != nil {
		err = explainNoRewind(err)
	}
	return resp, err
}

// explainNoRewind rewrites net/http's HTTP/2 error for a reset it would
// have resent had it been able to rewind the body ("cannot retry err [E]
// after Request.Body was written; define Request.GetBody to avoid this
// error"): that advice is for net/http's users; the SDK withholds GetBody
// on purpose. The error E is kept.
func explainNoRewind(err error) error {
	const pre, post = "cannot retry err [", "] after Request.Body was written"
	msg := err.Error()
	i := strings.Index(msg, pre)
	j := strings.LastIndex(msg, post)
	if i < 0 || j < i+len(pre) {
		return err
	}
	return &notResentError{cause: msg[i+len(pre) : j]}
}

// notResentError is a transport error after which the transport would have
// resent the request, had the SDK let it.
type notResentError struct{ cause string }

func (e *notResentError) Error() string {
	return "http2: " + strings.TrimPrefix(e.cause, "http2: ") + " (after the request was sent; not resent)"
}

// proxyForTLSOnly is the SDK transport's proxy rule: the environment's
// (HTTPS_PROXY, NO_PROXY) for https, and never a proxy for clear-text http,
// which the SDK speaks only to a loopback host: the key must not cross a
// network unencrypted on its way to a proxy.
func proxyForTLSOnly(req *http.Request) (*url.URL, error) {
	if req.URL.Scheme != "https" {
		return nil, nil
	}
	return http.ProxyFromEnvironment(req)
}

// errTooManyRedirects ends a redirect loop; like a refused redirect, it is
// not retried.
var errTooManyRedirects = errors.New("chatinc: stopped after 10 redirects")

// checkRedirect refuses a redirect that leaves the original host or drops
// from https to http: the Authorization header must go nowhere else.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) || (first.Scheme == "https" && req.URL.Scheme != "https") {
		return fmt.Errorf("%w: %s to %s://%s", ErrRedirectRefused, first.Host, req.URL.Scheme, req.URL.Host)
	}
	if len(via) >= 10 {
		return errTooManyRedirects
	}
	return nil
}

// attemptTimeoutTransport bounds each attempt, body included.
type attemptTimeoutTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (t *attemptTimeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// CloseIdleConnections passes on to the wrapped transport, so that
// retryablehttp and http.Client.CloseIdleConnections still reach it.
func (t *attemptTimeoutTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// call is one API call in flight: its retry class and what its attempts
// have seen. It rides in its request's context, where the client's retry
// hooks find it (callOf).
type call struct {
	// The call is its request's context: the caller's, with the call as
	// the value of callKey.
	context.Context

	c      *Client
	class  retry.Class
	name   string          // the exported method's, for AttemptInfo.Call (named)
	caller context.Context // the context that method was given, for its hook and logs
	method string
	path   string // relative to the base URL, for errors and logs
	req    *retryablehttp.Request
	sends  requestBody // what the call sends, or nil

	attempt   int
	start     time.Time
	connMade  atomic.Bool // set by httptrace when a connection is obtained
	responded bool        // the attempt got a response (its status line and headers)
	body      []byte      // the final response's body, read inside the retry loop
	bodyErr   error
	bodyRead  bool
	bodyCut   bool // body is the start of a longer answer
	streaming bool // the body goes to an io.Writer, read after the loop

	// A list answer or CampaignDetails is decoded from the response stream
	// by dec, inside the retry loop (handleResponse); head keeps the start
	// of the body for errors, decodeErr the decoder's verdict. unbounded
	// lifts the client's size cap.
	dec       bodyDecoder
	unbounded bool
	head      []byte
	decodeErr error
	br        bodyReader
	waitErr   error // the context's error, when it ended during a wait to retry
	trace     httptrace.ClientTrace

	// took is the attempt's duration, from start to its headers or to its
	// error (AttemptInfo.Duration).
	took time.Duration
}

// callKey is the context key under which a request carries its *call.
type callKey struct{}

// Value implements context.Context.
func (cl *call) Value(key any) any {
	if key == (callKey{}) {
		return cl
	}
	return cl.Context.Value(key)
}

// callOf returns the call a request's context carries.
func callOf(ctx context.Context) *call { return ctx.Value(callKey{}).(*call) }

// callNameKey is the context key under which an exported method hands its
// *callName to the calls it makes (named).
type callNameKey struct{}

// callName is the exported method a call was made for, and the context its
// caller gave it: the one its hook and log lines are given, so that code
// that calls the SDK with it is named after its own call.
type callName struct {
	name   string
	caller context.Context
}

// named returns ctx carrying name, the name of the exported method that
// got it, for the calls the method makes: every exported method that calls
// the API starts with ctx = c.named(ctx, "Name"), and the AttemptInfo.Call
// of its attempts is that name. A name ctx already carries, of a method
// that calls this one on its own behalf, is kept. Without a hook or a
// logger to tell, ctx is returned as it is.
func (c *Client) named(ctx context.Context, name string) context.Context {
	if ctx == nil || (c.hooks.Attempt == nil && c.logger == nil) {
		return ctx
	}
	if _, ok := ctx.Value(callNameKey{}).(*callName); ok {
		return ctx
	}
	return context.WithValue(ctx, callNameKey{}, &callName{name: name, caller: ctx})
}

// bodyDecoder decodes a successful answer as it streams. decodeBody may be
// called once per attempt and starts afresh each time; committed reports
// whether part of the answer has reached the caller, after which the call is
// not retried.
type bodyDecoder interface {
	decodeBody(r io.Reader) error
	committed() bool
}

// memoryDecoder is a bodyDecoder that can also decode an answer already in
// memory, which for a small answer is cheaper than streaming it.
type memoryDecoder interface {
	decodeBytes(data []byte) error
}

// smallAnswer is the largest answer, by its Content-Length, read whole
// before it is decoded; it is at most headBytes, so that head holds all
// of it.
const smallAnswer = 4 << 10

// requestBody is what a call sends: JSON (jsonBody) or an upload
// (*multipartBody, files.go). newRequest knows bodies only by these methods.
type requestBody interface {
	// open returns the body of one attempt; every attempt gets a fresh one.
	open() io.ReadCloser
	contentType() string
	// length is the exact Content-Length, or -1 when it is not known.
	length() int64
	// replayable reports whether a second attempt can send the same bytes.
	replayable() bool
	// begin gives the body the call's context before the first attempt;
	// end runs when the call is over, after which no attempt's body is
	// read.
	begin(ctx context.Context)
	end()
}

// The two kinds of body a call sends.
var (
	_ requestBody = jsonBody(nil)
	_ requestBody = (*multipartBody)(nil)
)

// jsonBody is a JSON request body, encoded once and replayed per attempt.
type jsonBody []byte

// open returns a *bytes.Reader in io.NopCloser, which net/http knows to be
// in memory: it writes the headers and such a body in one go.
func (b jsonBody) open() io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
func (jsonBody) contentType() string   { return jsonContentType }
func (b jsonBody) length() int64       { return int64(len(b)) }
func (jsonBody) replayable() bool      { return true }
func (jsonBody) begin(context.Context) {}
func (jsonBody) end()                  {}

const jsonContentType = "application/json"

// jsonAppender is a request body that writes its own JSON straight into one
// buffer (large bodies: rows and contacts), byte for byte what
// encoding/json would write.
type jsonAppender interface{ appendJSON([]byte) []byte }

// encodeBody returns the body of a call to path: nil, a requestBody as it
// is, or v encoded as JSON (by its appendJSON when it has one).
func encodeBody(path string, v any) (requestBody, error) {
	switch b := v.(type) {
	case nil:
		return nil, nil
	case requestBody:
		return b, nil
	case jsonAppender:
		return jsonBody(b.appendJSON(make([]byte, 0, 256))), nil
	}
	buf, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("chatinc: encode %s body: %w", path, err)
	}
	return jsonBody(buf), nil
}

// newRequest builds a call to path (relative to the base URL, e.g.
// "create/campaign"). body is nil, a requestBody, or a value to encode as
// JSON (encodeBody).
func (c *Client) newRequest(ctx context.Context, class retry.Class, method, path string, body any) (*call, error) {
	if ctx == nil {
		return nil, errors.New("chatinc: nil context")
	}
	// The base URL's path and path, in one string: the request's URL path
	// and query, and from its last "/" on, the path for errors and logs.
	full := c.baseURL.Path + path
	cl := &call{Context: ctx, c: c, class: class, method: method, path: full[len(c.baseURL.Path)-1:], attempt: -1}
	cl.caller = ctx
	if n, ok := ctx.Value(callNameKey{}).(*callName); ok {
		cl.name, cl.caller = n.name, n.caller
	}
	cl.trace.GotConn = cl.gotConn
	ctx = httptrace.WithClientTrace(cl, &cl.trace)

	b, err := encodeBody(path, body)
	if err != nil {
		return nil, err
	}
	// The request's URL is made from the base URL parsed once, not parsed
	// from text per call; its Host is left empty, so that net/http takes
	// the host from the URL instead of copying the URL to hold another.
	hreq, err := http.NewRequestWithContext(ctx, method, "", nil)
	if err != nil {
		return nil, fmt.Errorf("chatinc: %s %s: %w", method, cl.path, err)
	}
	c.requestURL(hreq.URL, full)
	if b != nil {
		b.begin(ctx)
		cl.sends = b
		// http.Client may resend the body to follow a same-host 307 or
		// 308; the transport below never sees GetBody (noRewindTransport).
		hreq.GetBody = func() (io.ReadCloser, error) { return b.open(), nil }
	}
	// No body for retryablehttp to rewind: each attempt's body is set by
	// the client's RequestLogHook (beforeAttempt), fresh from cl.sends.
	// Without a body, GetBody stays nil and the request goes to the
	// transport as it is.
	req := &retryablehttp.Request{Request: hreq}
	// The values but the key's are the client's, shared by its requests (a
	// RoundTripper must not modify a request; Set and Add replace them).
	// The key is set per request, so that it is kept in one place only.
	req.Header["Authorization"] = c.key().authorization
	req.Header["User-Agent"] = c.headers.userAgent
	req.Header["Accept"] = acceptJSON
	switch {
	case b == nil:
	case b.contentType() == jsonContentType:
		req.ContentLength = b.length()
		req.Header["Content-Type"] = acceptJSON
	default:
		req.ContentLength = b.length()
		req.Header.Set("Content-Type", b.contentType())
	}
	cl.req = req
	return cl, nil
}

// requestURL sets u to the URL of full, the base URL's path followed by a
// path relative to it and already escaped (the SDK's own constants, and a
// query string): what url.Parse of the base URL's text and that path would
// give, as the base URL has no query, fragment or RawPath (parseBaseURL)
// and ends in "/".
func (c *Client) requestURL(u *url.URL, full string) {
	base := len(c.baseURL.Path) // which may hold a "?", unescaped
	p, q, _ := strings.Cut(full[base:], "?")
	*u = *c.baseURL
	u.Path, u.RawQuery = full[:base+len(p)], q
}

// do sends the call, retrying as its class allows, and handles the answer:
// an error status, a 3xx that was not followed, or a 2xx whose body says
// "status":"error" becomes an *APIError; otherwise the body is copied to v
// when v is an io.Writer, or JSON-decoded into v when v is not nil. It
// returns the bytes copied to an io.Writer. An error of a sending call after
// which the API may have acted matches ErrOutcomeUnknown.
func (c *Client) do(cl *call, v any) (int64, error) {
	n, err := c.exchange(cl, v)
	if err != nil && cl.outcomeUnknown(err) {
		err = &outcomeUnknownError{err: err}
	}
	return n, err
}

// outcomeUnknown reports whether err, the error of the call, leaves open
// whether the API acted on a sending call: its last attempt reached the
// API and no definite answer came back (see ErrOutcomeUnknown).
func (cl *call) outcomeUnknown(err error) bool {
	if cl.class != retry.Send || cl.attempt < 0 || cl.waitErr != nil {
		// Another class; no attempt made; or the call ended while waiting
		// to retry, which a send does only after an answer saying the API
		// did not act (429, 503 with Retry-After) or a dial that failed.
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return (s >= 300 && s < 400) || (s >= 500 && s != http.StatusNotImplemented)
	}
	// An answer that could not be read whole or decoded, or too large; a
	// refused redirect; or a transport error or the context's end after a
	// connection was obtained (a dial error has none).
	return cl.responded || cl.connMade.Load()
}

// exchange is do without the outcome-unknown mark.
func (c *Client) exchange(cl *call, v any) (int64, error) {
	// A custom RoundTripper may ignore the context: never send a call whose
	// caller has already given up (for a campaign, that would be a send the
	// caller believes did not happen).
	if err := cl.req.Context().Err(); err != nil {
		return 0, cl.failed("", err)
	}
	if cl.sends != nil {
		// No attempt's body is read once the call has returned (the
		// transport may not have closed one it gave up on), nor does an
		// upload keep its file open; also when a hook panics.
		defer cl.sends.end()
	}
	if err := c.waitTurn(cl.Context); err != nil {
		return 0, fmt.Errorf("chatinc: %s %s: %w", cl.method, cl.path, err)
	}
	var w io.Writer
	w, cl.streaming = v.(io.Writer)
	cl.dec, _ = v.(bodyDecoder)
	if !cl.streaming {
		// Per call: a custom transport may not set resp.Request, so the
		// handler cannot find its call the way the hooks do.
		cl.req.SetResponseHandler(cl.handleResponse)
	}
	// With PassthroughErrorHandler, and a CheckRetry that returns an error
	// only for a context that ended while it waited, and stops before
	// RetryMax runs out, err is the last attempt's own transport, body or
	// context error, never "giving up after N attempts"; an error status
	// comes back as resp, for checkResponse.
	resp, err := c.rc.Do(cl.req)
	if err != nil {
		if resp != nil {
			drainAndClose(resp.Body)
		}
		return 0, cl.failed("", err)
	}
	defer func() {
		if cl.br.eof || cl.br.closed {
			_ = resp.Body.Close() // read to its end already, or given up
			return
		}
		drainAndClose(resp.Body)
	}()

	if cl.streaming && resp.StatusCode < 300 {
		return cl.stream(resp, w)
	}
	if cl.dec != nil && resp.StatusCode < 300 {
		return 0, cl.decoded(resp)
	}
	if !cl.bodyRead {
		cl.readBody(resp)
	}
	if cl.bodyErr != nil {
		return 0, cl.failed("reading response", cl.bodyErr)
	}
	if r, ok := v.(*Result); ok && resp.StatusCode < 300 && len(bytes.TrimSpace(cl.body)) > 0 {
		// One decode: a Result that decodes and whose status is not
		// "error" is what the envelope check would have let through.
		if r.UnmarshalJSON(cl.body) == nil && !strings.EqualFold(r.Status, "error") {
			return 0, nil
		}
		*r = Result{}
	}
	if err := cl.checkResponse(resp, cl.body, cl.bodyCut); err != nil {
		return 0, err
	}
	if cl.dec != nil { // an answer that is neither 2xx nor an error
		cl.decodeErr, cl.head = cl.dec.decodeBody(bytes.NewReader(cl.body)), cl.body
		return 0, cl.decoded(resp)
	}
	if v == nil || cl.streaming || len(bytes.TrimSpace(cl.body)) == 0 {
		return 0, nil
	}
	if err := json.Unmarshal(cl.body, v); err != nil {
		return 0, &DecodeError{StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path,
			Body: c.key().excerpt(cl.body, false), Err: c.key().scrub(err)}
	}
	return 0, nil
}

// handleResponse is the request's response handler: it runs inside the
// retry loop, so that a read whose body is cut off can be retried. A 2xx
// answer to a call with a decoder is decoded as it streams; any other is
// read whole (readBody).
func (cl *call) handleResponse(resp *http.Response) error {
	if cl.waitErr != nil {
		return cl.waitErr // the context ended while waiting to retry this answer
	}
	if cl.dec == nil || resp.StatusCode >= 300 {
		return cl.readBody(resp)
	}
	cl.bodyRead = true
	// The decoder may run the caller's code (CampaignDetails yields rows
	// from here): should it panic, the body is closed all the same.
	done := false
	defer func() {
		if !done {
			resp.Body.Close()
		}
	}()
	limit := cl.c.maxResponse
	if cl.unbounded {
		limit = -1
	}
	md, small := cl.dec.(memoryDecoder)
	small = small && resp.ContentLength >= 0 && resp.ContentLength <= smallAnswer
	switch {
	case small && int64(cap(cl.head)) < resp.ContentLength+1:
		// Room for the whole answer, and to see its end: one
		// allocation of its own size.
		cl.head = make([]byte, 0, resp.ContentLength+1)
	case cl.head == nil:
		cl.head = make([]byte, 0, 512)
	}
	cl.br = bodyReader{r: resp.Body, left: limit, head: cl.head[:0]}
	br := &cl.br
	var err error
	if small {
		// A small answer is read whole, into head (kept for errors
		// anyway), and decoded from memory.
		_, rerr := io.Copy(io.Discard, br)
		switch {
		case rerr != nil || br.tooLarge:
		case br.total != resp.ContentLength:
			// net/http never hands over more or fewer bytes than the
			// length it read; a custom RoundTripper might, and head would
			// then not be the whole answer.
			br.err = fmt.Errorf("%w: the answer has %d bytes, its Content-Length says %d",
				io.ErrUnexpectedEOF, br.total, resp.ContentLength)
		default:
			err = md.decodeBytes(br.head)
		}
	} else {
		err = cl.dec.decodeBody(br)
	}
	cl.head = br.head
	if s, ok := cl.dec.(interface{ brokeOff() bool }); ok && s.brokeOff() {
		// The caller broke out of its loop: the rest of the answer is
		// not drained (a server that stalls would hold the loop open).
		br.closed = true
		_ = resp.Body.Close()
	}
	cl.bodyErr, cl.decodeErr = nil, nil
	switch {
	case br.tooLarge:
		cl.bodyErr = fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, limit)
	case br.err != nil:
		cl.bodyErr = br.err
		if !cl.dec.committed() {
			done = true
			return br.err // retried like a dropped connection
		}
	default:
		cl.decodeErr = err
	}
	done = true
	return nil
}

// decoded turns what handleResponse found into the call's result.
func (cl *call) decoded(resp *http.Response) error {
	if cl.bodyErr == nil && cl.decodeErr == nil {
		return nil
	}
	key := cl.c.key()
	if cl.bodyErr != nil {
		return cl.failed("reading response", cl.bodyErr)
	}
	// head is the whole body, or its start when more was read.
	cut := cl.br.total > int64(len(cl.head))
	var env *wire.EnvelopeError
	switch {
	case errors.As(cl.decodeErr, &env):
		return cl.apiError(resp, env.Message, true, []byte(key.redact(string(cl.head), cut)))
	case errors.Is(cl.decodeErr, wire.ErrTooManyItems), errors.Is(cl.decodeErr, wire.ErrRowTooLarge):
		// More items than the size cap allows for, or a row over it: too
		// large, as a body over the cap is.
		return fmt.Errorf("chatinc: %s %s: %w: %w", cl.method, cl.path, ErrResponseTooLarge, cl.decodeErr)
	case cl.decodeErr != nil:
		return &DecodeError{StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path,
			Body: key.excerpt(cl.head, cut), Err: key.scrub(cl.decodeErr)}
	}
	return nil
}

// bodyReader reads a response body for a decoder: it keeps the first bytes
// (for errors), records a read error, and ends with errTooLarge past left
// bytes (left < 0: no limit).
type bodyReader struct {
	r        io.Reader
	left     int64
	head     []byte
	err      error
	tooLarge bool
	eof      bool
	closed   bool  // closed unread, by a caller that stopped
	total    int64 // bytes read
}

var errTooLarge = errors.New("response too large")

// headBytes is how much of a decoded body is kept for an error's Body.
const headBytes = maxErrorBody + 1024

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.left >= 0 && int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.total += int64(n)
	if len(b.head) < headBytes {
		b.head = append(b.head, p[:min(n, headBytes-len(b.head))]...)
	}
	if b.left >= 0 {
		if b.left -= int64(n); b.left < 0 {
			b.tooLarge, b.err = true, errTooLarge
			return 0, b.err
		}
	}
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil:
		b.err = err
	}
	return n, err
}

// trustedSize is the largest Content-Length readAll allocates before the
// bytes arrive.
const trustedSize = 64 << 10

// readBody reads the whole answer, up to the client's limit.
func (cl *call) readBody(resp *http.Response) error {
	cl.bodyRead = true
	limit := cl.c.maxResponse
	if resp.StatusCode >= 300 {
		limit = maxErrorBody
	}
	buf, err := readAll(resp.Body, limit+1, resp.ContentLength)
	switch {
	case err != nil:
		cl.bodyErr = err
	case int64(len(buf)) > limit && resp.StatusCode < 300:
		cl.bodyErr = fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, limit)
	case int64(len(buf)) > limit:
		buf = buf[:limit]
		cl.bodyCut = true
	}
	cl.body = buf
	if cl.bodyErr != nil && !errors.Is(cl.bodyErr, ErrResponseTooLarge) {
		return cl.bodyErr
	}
	return nil
}

// readAll reads r to its end, or to max bytes. size, the Content-Length
// (-1: unknown), sizes the buffer of a small answer (up to trustedSize):
// it costs one allocation of its own size, not io.ReadAll's 512 bytes and
// more. A larger claim is not allocated up front: the buffer grows with
// the bytes that arrive.
func readAll(r io.Reader, max, size int64) ([]byte, error) {
	if size < 0 || size >= max {
		return io.ReadAll(io.LimitReader(r, max))
	}
	b := make([]byte, 0, min(size, trustedSize)+1) // room to see the end without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			return b, nil
		case err != nil:
			return b, err
		case int64(len(b)) >= max:
			return b[:max], nil
		case len(b) == cap(b):
			b = append(b, 0)[:len(b)]
		}
	}
}

// checkResponse turns an error answer, or a 3xx that was not followed,
// into an *APIError. cut says that
// body is the start of a longer answer.
func (cl *call) checkResponse(resp *http.Response, body []byte, cut bool) error {
	msg, isErr := wire.ErrorMessage(body)
	if resp.StatusCode < 300 && !isErr {
		return nil
	}
	// The key is redacted before any text is cut, so that no part of it
	// survives a cut, and from the message (in apiError) once its escapes
	// (JSON, HTML) are undone.
	text := []byte(cl.c.key().redact(string(body), cut))
	if !isErr {
		msg = wire.ErrorText(text, 512)
	}
	return cl.apiError(resp, msg, isErr, text)
}

// apiError is the *APIError of an answer with message msg (isErr: the body
// said "status":"error") and text, its body (or the start of it) with the
// key redacted.
func (cl *call) apiError(resp *http.Response, msg string, isErr bool, text []byte) error {
	key := cl.c.key()
	switch {
	case msg != "":
	case isErr:
		msg = "the API reported an error without a message"
	case resp.StatusCode < 400:
		msg = "a redirect answer the SDK does not follow"
	default:
		msg = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusNotFound && !hasVersionPrefix(cl.c.baseURL.Path) {
		msg += fmt.Sprintf(" (the base URL %s has no version prefix: did you mean %s?)",
			strings.TrimSuffix(cl.c.baseURL.Redacted(), "/"), strings.TrimSuffix(cl.c.baseURL.JoinPath("v1").Redacted(), "/"))
	}
	e := &APIError{
		StatusCode: resp.StatusCode,
		Message:    key.redact(msg, false),
		Method:     cl.method,
		Path:       cl.path,
		Body:       key.excerpt(text, false),
		Header:     key.header(resp.Header),
	}
	if d, ok := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

// hasVersionPrefix reports whether a base URL's path has a segment such as
// "v1": without one, every endpoint is missing and the API answers 404.
func hasVersionPrefix(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if len(seg) >= 2 && seg[0] == 'v' && strings.Trim(seg[1:], "0123456789") == "" {
			return true
		}
	}
	return false
}

// stream copies a successful answer to w. A JSON body that says
// "status":"error" is an *APIError, not data. An answer without length
// framing (HTTP/1.0, or Connection: close without Content-Length or chunked
// encoding) ends when the connection does, so a cut one looks complete: it
// must end with a line break, as a whole CSV export does, or the call
// fails with io.ErrUnexpectedEOF.
func (cl *call) stream(resp *http.Response, w io.Writer) (int64, error) {
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	head, err := br.Peek(maxErrorBody)
	if err != nil && err != io.EOF {
		// bufio returns a read error once: dropped here, the copy below
		// would see only the io.EOF after it, and call a cut answer whole.
		return 0, cl.failed("reading response", err)
	}
	if t := bytes.TrimSpace(head); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		// A 2xx: checkResponse finds an error only in the envelope.
		if err := cl.checkResponse(resp, head, len(head) == maxErrorBody); err != nil {
			return 0, err
		}
	}
	lw := &lastByteWriter{w: w}
	n, err := io.Copy(lw, br)
	if err != nil {
		return n, cl.failed("copying response", err)
	}
	if unframed(resp) && (n == 0 || lw.last != '\n') {
		return n, fmt.Errorf("chatinc: %s %s: the export, sent without a length, ended mid-row after %d bytes: %w",
			cl.method, cl.path, n, io.ErrUnexpectedEOF)
	}
	return n, nil
}

// unframed reports whether an answer's body came over HTTP/1.x and ends
// only when its connection closes, so that a cut body cannot be told from a
// whole one. (A body net/http decompressed has gzip's own end check; an
// answer made by a custom RoundTripper, ProtoMajor 0, has no wire framing
// to judge.)
func unframed(resp *http.Response) bool {
	return resp.ProtoMajor == 1 && resp.ContentLength < 0 && len(resp.TransferEncoding) == 0 && !resp.Uncompressed
}

// lastByteWriter writes to w and remembers the last byte written.
type lastByteWriter struct {
	w    io.Writer
	last byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if n > 0 {
		l.last = p[n-1]
	}
	return n, err
}

// beforeAttempt is the client's RequestLogHook: it starts an attempt of
// the request's call.
func beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	cl := callOf(req.Context())
	cl.beforeAttempt(attempt)
	if cl.sends != nil {
		req.Body = cl.sends.open()
	}
}

// checkRetry is the client's CheckRetry: the request's call decides.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	return callOf(ctx).checkRetry(ctx, resp, err)
}

// noBackoff is the client's Backoff: checkRetry has already waited, since
// Backoff cannot find the call when an attempt had no response.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

func (cl *call) gotConn(httptrace.GotConnInfo) { cl.connMade.Store(true) }

// beforeAttempt runs before each attempt.
func (cl *call) beforeAttempt(attempt int) {
	cl.attempt = attempt
	cl.start = time.Now()
	cl.connMade.Store(false)
	cl.responded = false
	cl.body, cl.bodyErr, cl.bodyRead, cl.bodyCut = nil, nil, false, false
}

// checkRetry applies the retry rule of the call's class, Retry-After, and
// the context's deadline, and waits before a retry. It returns an error
// only when the context ends during that wait, so that the caller gets the
// last attempt's own answer or error, or the context's.
//
// retryablehttp asks it once when an attempt's headers (or transport error)
// are in and, when that answer is no and there was no transport error, again
// after the response handler (readBody) has read the body, with the body's
// read error if any: a read cut off mid-body is retried like a dropped
// connection.
func (cl *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if resp != nil && !cl.responded {
		cl.took = time.Since(cl.start)
		if resp.StatusCode == http.StatusTooManyRequests {
			cl.c.holdFor(resp.Header.Get("Retry-After"))
		}
	}
	if resp == nil {
		cl.took = time.Since(cl.start)
	}
	cl.responded = cl.responded || resp != nil
	if cl.waitErr != nil {
		return false, cl.waitErr
	}
	// A *url.Error names the URL of the attempt, which a Location header
	// may have set to one holding the key.
	err = cl.c.key().scrub(err)
	again, reason, wait := cl.decide(ctx, resp, err)
	// Log each attempt once, when it is over: now, unless readBody is about
	// to run and a second call will follow.
	if again || err != nil || cl.streaming || cl.bodyRead {
		cl.attemptDone(resp, err, again, wait, reason)
	}
	if !again {
		return false, nil
	}
	if resp != nil {
		// Read what is left of the answer (up to 64 KiB) so that its
		// connection goes back to the pool for the next attempt, and during
		// the wait. retryablehttp's own drain, after this returns, reads
		// only 4 KiB, and finds the body closed
		// (TestConnectionsReused).
		drainAndClose(resp.Body)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		cl.waitErr = ctx.Err()
		return false, cl.waitErr
	case <-t.C:
	}
	if err := cl.c.waitTurn(ctx); err != nil {
		cl.waitErr = err
		return false, err
	}
	return true, nil
}

// waitTurn waits, before an attempt, for the end of a 429's hold and for a
// token of the client's rate limiter, if it has one. A wait the context's
// deadline cannot cover fails at once.
func (c *Client) waitTurn(ctx context.Context) error {
	if c.limiter == nil {
		return nil
	}
	if hold := time.Until(time.Unix(0, c.limiter.holdUntil.Load())); hold > 0 {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < hold {
			return fmt.Errorf("the API's Retry-After (%s left) would outlast the context: %w", hold.Round(time.Millisecond), context.DeadlineExceeded)
		}
		t := time.NewTimer(hold)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if err := c.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The only other error, with the burst WithRateLimit checks: the
		// token comes after the context's deadline.
		return fmt.Errorf("waiting for the rate limit would outlast the context: %w", context.DeadlineExceeded)
	}
	return nil
}

// holdFor holds back every call of a client with a rate limit for the
// Retry-After of a 429 answer (up to retry.MaxRetryAfter).
func (c *Client) holdFor(retryAfter string) {
	if c.limiter == nil {
		return
	}
	d, ok := retry.ParseRetryAfter(retryAfter, time.Now())
	if !ok || d <= 0 {
		return
	}
	until := time.Now().Add(min(d, retry.MaxRetryAfter)).UnixNano()
	for {
		old := c.limiter.holdUntil.Load()
		if old >= until || c.limiter.holdUntil.CompareAndSwap(old, until) {
			return
		}
	}
}

// decide applies the retry rule to an attempt that ended with resp or err.
func (cl *call) decide(ctx context.Context, resp *http.Response, err error) (again bool, reason string, wait time.Duration) {
	if ctx.Err() != nil || (cl.sends != nil && !cl.sends.replayable()) || cl.attempt >= cl.c.retryMax {
		return false, "", 0
	}
	if err != nil && (errors.Is(err, ErrRedirectRefused) || errors.Is(err, errTooManyRedirects) ||
		errors.Is(err, ErrResponseTooLarge) || errors.Is(err, ErrFileChanged)) {
		return false, "", 0
	}
	now := time.Now()
	again, reason = retry.Check(cl.class, resp, err, cl.connMade.Load(), now)
	if !again {
		return false, "", 0
	}
	var retryAfter string
	if resp != nil {
		retryAfter = resp.Header.Get("Retry-After")
	}
	deadline, _ := ctx.Deadline()
	// A Retry-After beyond retry.MaxRetryAfter, or a wait that would outlast
	// the context, is not slept: the caller gets this answer (an *APIError
	// with RetryAfter set) at once.
	wait, again = retry.Wait(cl.c.retryWaitMin, cl.c.retryWaitMax, cl.attempt, retryAfter, now, deadline)
	return again, reason, wait
}

// attemptDone tells the client's logger and Attempt hook that an attempt
// is over, before any wait to retry: both say what its one AttemptInfo
// says. resp is the attempt's answer or nil, err its error (the key already
// removed), and reason why it is retried.
func (cl *call) attemptDone(resp *http.Response, err error, again bool, wait time.Duration, reason string) {
	l, hook := cl.c.logger, cl.c.hooks.Attempt
	if l == nil && hook == nil {
		return
	}
	a := AttemptInfo{Call: cl.name, Method: cl.method, Path: cl.path, Attempt: cl.attempt,
		Err: err, Duration: cl.took, Retry: again}
	if i := strings.IndexByte(a.Path, '?'); i >= 0 {
		a.Path = a.Path[:i]
	}
	if again {
		a.Wait = wait
	}
	if resp != nil {
		a.StatusCode = resp.StatusCode
	}
	if l != nil {
		l.LogAttrs(cl.caller, slog.LevelDebug, "chatinc: attempt", a.attrs(cl.class)...)
		if again {
			l.LogAttrs(cl.caller, slog.LevelInfo, "chatinc: retrying",
				slog.String("call", a.Call), slog.String("method", a.Method), slog.String("path", a.Path),
				slog.String("class", cl.class.String()), slog.Int("attempt", a.Attempt+1),
				slog.String("reason", reason), slog.Duration("wait", a.Wait))
		}
	}
	if hook == nil {
		return
	}
	// Should the hook panic, the answer's body is closed (its connection
	// with it) as the panic goes by; exchange ends the request's body.
	returned := false
	defer func() {
		if !returned && resp != nil {
			_ = resp.Body.Close()
		}
	}()
	hook(cl.caller, a)
	returned = true
}

// attrs are the fields of an attempt's log line; attempt counts from 1.
func (a AttemptInfo) attrs(class retry.Class) []slog.Attr {
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs, slog.String("call", a.Call), slog.String("method", a.Method), slog.String("path", a.Path),
		slog.String("class", class.String()),
		slog.Int("attempt", a.Attempt+1), slog.Duration("duration", a.Duration))
	if a.StatusCode != 0 {
		attrs = append(attrs, slog.Int("status", a.StatusCode))
	}
	if a.Err != nil {
		attrs = append(attrs, slog.String("error", a.Err.Error()))
	}
	return append(attrs, slog.Bool("retry", a.Retry), slog.Duration("wait", a.Wait))
}

// drainAndClose reads what is left of a body, up to 64 KiB, so that its
// connection can be reused, and closes it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// withQuery appends the query string go-querystring encodes from opts (a
// struct with `url:"..."` tags) to path; every query the SDK sends is built
// here. Empty options leave path as it is.
func withQuery(path string, opts any) (string, error) {
	q, err := query.Values(opts)
	if err != nil {
		return "", fmt.Errorf("chatinc: encode the query of %s: %w", path, err)
	}
	if len(q) == 0 {
		return path, nil
	}
	return path + "?" + q.Encode(), nil
}

// post sends a POST of body (see newRequest) whose answer is a Result.
func (c *Client) post(ctx context.Context, class retry.Class, path string, body any) (*Result, error) {
	var r Result
	if _, err := c.send(ctx, class, http.MethodPost, path, body, &r); err != nil {
		return nil, err
	}
	r.removeKey(c.key())
	return &r, nil
}

// send builds a call and sends it (newRequest, then do).
func (c *Client) send(ctx context.Context, class retry.Class, method, path string, body, v any) (int64, error) {
	cl, err := c.newRequest(ctx, class, method, path, body)
	if err != nil {
		return 0, err
	}
	return c.do(cl, v)
}

// list sends a read call whose answer is a list of T, found under key or in
// any other shape wire.Decode accepts, decoded as it streams. An empty answer
// is an empty list.
func list[T any](ctx context.Context, c *Client, method, path string, body any, key string) ([]T, error) {
	l := listOf[T]{key: key, max: maxItems[T](c.maxResponse)}
	if _, err := c.send(ctx, retry.Read, method, path, body, &l); err != nil {
		return nil, err
	}
	if l.Items == nil {
		l.Items = []T{}
	}
	return l.Items, nil
}

// each sends a read POST whose answer dec decodes as it streams, under
// the client's size cap when capped is set, without it otherwise
// (CampaignDetails, which bounds each row instead).
func (c *Client) each(ctx context.Context, path string, body any, dec bodyDecoder, capped bool) error {
	cl, err := c.newRequest(ctx, retry.Read, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	cl.unbounded = !capped
	_, err = c.do(cl, dec)
	return err
}

// download sends a read POST whose answer, CSV, is copied to w as it
// streams; it returns the bytes copied.
func (c *Client) download(ctx context.Context, path string, body any, w io.Writer) (int64, error) {
	cl, err := c.newRequest(ctx, retry.Read, http.MethodPost, path, body)
	if err != nil {
		return 0, err
	}
	cl.req.Header.Set("Accept", "text/csv, application/json")
	return c.do(cl, w)
}

// maxItems bounds how many items of T a list answer of at most limit bytes
// may hold, so that what it decodes to stays within a small multiple of
// limit: each item counts for its size, and at least 32 bytes ("{}," is
// three bytes, a Campaign several hundred).
func maxItems[T any](limit int64) int {
	var zero T
	n := limit / int64(max(32, unsafe.Sizeof(zero)))
	return int(max(1, min(n, math.MaxInt32)))
}

// itemBudget bounds what a list answer decodes to by the bytes it came
// in, whatever the size cap: each item is charged an estimate of what
// holding it costs (its struct, 9/4 times over for the slice that grows to
// hold it, and twice its bytes for its text) against memoryPerByte times
// the bytes of the items so far, plus budgetSlack; past that, the answer
// is refused (wire.ErrTooManyItems, an ErrResponseTooLarge), so that a few
// MiB of [{},{},...] cannot become hundreds of MiB.
type itemBudget struct{ cost, bytes int64 }

const (
	memoryPerByte = 12 // with the decoder's own buffers, within 20 times (TestListMemoryTiedToBytes)
	budgetSlack   = 1 << 20
)

// charge charges an item of n bytes that decodes to a struct of size
// bytes, and extra bytes besides.
func (b *itemBudget) charge(size uintptr, n, extra int) error {
	b.bytes += int64(n) + 1 // and its comma
	b.cost += int64(size)*9/4 + 2*int64(n) + int64(extra)
	if b.cost > memoryPerByte*b.bytes+budgetSlack {
		return fmt.Errorf("%w: %d bytes of items would take about %d bytes of memory", wire.ErrTooManyItems, b.bytes, b.cost)
	}
	return nil
}

// listOf decodes a list answer for list.
type listOf[T any] struct {
	key    string
	max    int
	budget itemBudget
	wire.Collect[T]
	dec wire.Decoder[T]
}

func (l *listOf[T]) decodeBody(r io.Reader) error {
	l.Items, l.budget = nil, itemBudget{}
	return l.dec.Decode(r, l.key, l.max, l)
}

// DecodeItem decodes an item the decoder has checked, by its decodeValid
// when it has one: one pass over the bytes, no second check.
func (l *listOf[T]) DecodeItem(data []byte, v *T) error {
	if err := l.budget.charge(unsafe.Sizeof(*v), len(data), 0); err != nil {
		return err
	}
	if d, ok := any(v).(validDecoder); ok {
		return d.decodeValid(data)
	}
	return json.Unmarshal(data, v)
}

// validDecoder is an answer type that decodes itself from JSON known to be
// valid (wire.Fields), in one pass; its UnmarshalJSON checks the JSON and
// then calls decodeValid.
type validDecoder interface {
	decodeValid(data []byte) error
}

// unmarshalChecked is the UnmarshalJSON of a validDecoder: invalid JSON is
// encoding/json's syntax error, valid JSON is decoded in one pass.
func unmarshalChecked(v validDecoder, data []byte) error {
	if !json.Valid(data) {
		return json.Unmarshal(data, new(json.RawMessage))
	}
	return v.decodeValid(data)
}

func (l *listOf[T]) decodeBytes(data []byte) error {
	l.Items, l.budget = nil, itemBudget{}
	return l.dec.DecodeBytes(data, l.key, l.max, l)
}

func (l *listOf[T]) committed() bool { return false }

// Result is the API's answer to a create, add, upload or run call.
type Result struct {
	// Status is the API's status word, "success" on success.
	Status string
	// Message is the API's message, if any.
	Message string
	// ID is the audience or variable group ID the API echoes, if any.
	ID string
	// CampaignID is the campaign's ID, when the answer names one (as
	// CreateCampaign's does): pass it to RunCampaign and
	// RetrieveCampaignDetails.
	CampaignID string
	// RunID identifies a campaign run, when the answer names one.
	RunID string
	// Raw is the answer's body as received, for fields this type does not
	// name; should it echo the API key, the key is replaced by
	// "[redacted]", as in the other fields. fmt prints it as its JSON text.
	Raw json.RawMessage
}

// Format implements fmt.Formatter: a Result prints as fmt prints a struct,
// but with Raw as the JSON text it holds instead of a list of byte values.
// %v and %s print {success   cmp_1  {"status":"success",...}}, %+v names
// the fields, and %#v is Go syntax, Raw a json.RawMessage of a string. A
// *Result prints the same.
func (r Result) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		raw := "nil"
		if r.Raw != nil {
			raw = strconv.Quote(string(r.Raw))
			if strconv.CanBackquote(string(r.Raw)) {
				raw = "`" + string(r.Raw) + "`"
			}
		}
		fmt.Fprintf(f, "chatinc.Result{Status:%q, Message:%q, ID:%q, CampaignID:%q, RunID:%q, Raw:json.RawMessage(%s)}",
			r.Status, r.Message, r.ID, r.CampaignID, r.RunID, raw)
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Status:%s Message:%s ID:%s CampaignID:%s RunID:%s Raw:%s}",
			r.Status, r.Message, r.ID, r.CampaignID, r.RunID, r.Raw)
	default:
		fmt.Fprintf(f, "{%s %s %s %s %s %s}", r.Status, r.Message, r.ID, r.CampaignID, r.RunID, r.Raw)
	}
}

// removeKey replaces the API key in what r holds, should the answer have
// echoed it (a gateway that reflects the request's headers, say): a Result
// is printed and logged, and the key is in neither, as it is in no error.
func (r *Result) removeKey(k *credentials) {
	for _, s := range []*string{&r.Status, &r.Message, &r.ID, &r.CampaignID, &r.RunID} {
		*s = k.redact(*s, false)
	}
	// A view of Raw, not a copy: mayHold keeps no reference, so a call
	// whose answer holds no key allocates nothing here.
	if k.mayHold(unsafe.String(unsafe.SliceData(r.Raw), len(r.Raw))) {
		r.Raw = json.RawMessage(k.redact(string(r.Raw), false))
	}
}

// UnmarshalJSON decodes an answer object, or the first element of an array
// of them, keeping a copy of the whole body in Raw.
func (r *Result) UnmarshalJSON(data []byte) error { return unmarshalChecked(r, data) }

func (r *Result) decodeValid(data []byte) error {
	*r = Result{}
	obj := wire.FirstValid(data)
	if obj == nil { // an empty array
		obj = []byte("null")
	}
	err := wire.Fields(obj, func(name, v []byte) (err error) {
		switch {
		case wire.Field(name, "status"):
			r.Status, err = wire.Text(v)
		case wire.Field(name, "message"):
			r.Message, err = wire.Text(v)
		case wire.Field(name, "id"):
			r.ID, err = wire.Text(v)
		case wire.Field(name, "campaignId"):
			r.CampaignID, err = wire.Text(v)
		case wire.Field(name, "runId"):
			r.RunID, err = wire.Text(v)
		}
		return err
	})
	if err != nil {
		*r = Result{}
		return err
	}
	r.Raw = append(json.RawMessage(nil), data...)
	return nil
}
