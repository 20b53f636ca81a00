package chatinc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

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
	userAgent      []string            // the User-Agent header's value, shared by every request
	http           *http.Client        // the caller's (copied) or the SDK's own
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

	// Client-lifetime values every call shares, set by NewClient: what a
	// call's retry loop sends through.
	doer *http.Client
}

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
			c.userAgent = []string{c.userAgent[0] + " " + ua}
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
		userAgent:    []string{fmt.Sprintf("chatinc-go/%s (%s)", Version, runtime.Version())},
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
	// The retry loop sends through http, seen through noRewindTransport.
	doer := *c.http
	doer.Transport = noRewindTransport{next: transportOf(c.http)}
	c.doer = &doer
	return c, nil
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
