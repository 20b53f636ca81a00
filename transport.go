package chatinc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// transportOf returns hc's transport, net/http's default when it has none.
func transportOf(hc *http.Client) http.RoundTripper {
	if hc.Transport == nil {
		return http.DefaultTransport
	}
	return hc.Transport
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

// drainAndClose reads what is left of a body, up to 64 KiB, so that its
// connection can be reused, and closes it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
