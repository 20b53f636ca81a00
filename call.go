package chatinc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// acceptJSON is the value of Accept, and of a JSON body's Content-Type.
var acceptJSON = []string{"application/json"}

// call is one API call in flight: its retry class and what its attempts
// have seen. Its retry loop is its own (rc), with the call's methods as
// its hooks.
type call struct {
	rc    retryablehttp.Client
	c     *Client
	named *callName // the exported method's name and context, when the client tells of attempts (named)
	path  string    // relative to the base URL, for errors and logs
	// req is the request: its context is the call's, its Method the call's.
	req   *retryablehttp.Request
	sends requestBody // what the call sends, or nil
	// A list answer or CampaignDetails is decoded from the response stream
	// by dec, inside the retry loop (handleResponse); br.head keeps the
	// start of the body for errors, decodeErr the decoder's verdict.
	dec bodyDecoder

	// start is when the attempt began (monotonic), and took its duration,
	// from start to its headers or to its error (AttemptInfo.Duration):
	// both only when the client is observed.
	start     time.Duration
	took      time.Duration
	body      []byte // the final response's body, read inside the retry loop
	bodyErr   error
	decodeErr error
	waitErr   error // the context's error, when it ended during a wait to retry
	br        bodyReader
	trace     httptrace.ClientTrace

	// The small fields last, together: a call fits in 512 bytes
	// (TestCallSize), the size class an allocation of it takes.
	attempt   int32
	connMade  atomic.Bool // set by httptrace when a connection is obtained
	class     retry.Class
	responded bool // the attempt got a response (its status line and headers)
	bodyRead  bool
	bodyCut   bool // body is the start of a longer answer
	streaming bool // the body goes to an io.Writer, read after the loop
	unbounded bool // the client's size cap is lifted (CampaignDetails)
}

// caller is the context the exported method was given, for its hook and
// logs; name is that method's name (AttemptInfo.Call).
func (cl *call) caller() context.Context {
	if cl.named != nil {
		return cl.named.caller
	}
	return cl.req.Context()
}

func (cl *call) name() string {
	if cl.named != nil {
		return cl.named.name
	}
	return ""
}

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

// requestBody is what a call sends: JSON (jsonBody, or chunkedBody for a
// large variable group) or an upload (*multipartBody, files.go). newRequest knows bodies only by these methods.
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

// The kinds of body a call sends.
var (
	_ requestBody = jsonBody(nil)
	_ requestBody = chunkedBody{}
	_ requestBody = (*multipartBody)(nil)
)

// jsonBody is a JSON request body, encoded once and replayed per attempt.
type jsonBody []byte

// open returns a *bytes.Reader in io.NopCloser, which net/http knows to be
// in memory: it writes the headers and such a body in one go.
func (b jsonBody) open() io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

func (jsonBody) contentType() string { return jsonContentType }

func (b jsonBody) length() int64 { return int64(len(b)) }

func (jsonBody) replayable() bool { return true }

func (jsonBody) begin(context.Context) {}

func (jsonBody) end() {}

// chunkedBody is a JSON body in pieces (wire.Chunks: a variable group's
// rows, written once and never copied to grow), read one after the other
// by each attempt.
type chunkedBody struct {
	pieces [][]byte
	n      int64
}

func (b chunkedBody) open() io.ReadCloser { return io.NopCloser(wire.NewChunkReader(b.pieces)) }

func (chunkedBody) contentType() string { return jsonContentType }

func (b chunkedBody) length() int64 { return b.n }

func (chunkedBody) replayable() bool { return true }

func (chunkedBody) begin(context.Context) {}

func (chunkedBody) end() {}

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

// blankRequest is where every call's request starts: what http.NewRequest
// gives, but for its method, URL and header. It is copied, never changed.
var blankRequest = &http.Request{Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}

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
	cl := &call{c: c, class: class, path: full[len(c.baseURL.Path)-1:], attempt: -1}
	cl.rc = retryablehttp.Client{
		HTTPClient:     c.doer,
		Logger:         nil, // retryablehttp's own logger writes to stderr; ours is slog
		RetryMax:       c.retryMax,
		CheckRetry:     cl.checkRetry,
		Backoff:        noBackoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: cl.beforeAttempt,
	}
	cl.named, _ = ctx.Value(callNameKey{}).(*callName)
	cl.trace.GotConn = cl.gotConn
	ctx = httptrace.WithClientTrace(ctx, &cl.trace)

	b, err := encodeBody(path, body)
	if err != nil {
		return nil, err
	}
	// The request is what http.NewRequestWithContext makes of the method,
	// a URL and no body, without parsing anything: its URL is made from
	// the base URL parsed once, and its Host is left empty, so that
	// net/http takes the host from the URL instead of copying the URL to
	// hold another. Its header map is its own, at its final size.
	hreq := blankRequest.WithContext(ctx)
	hreq.Method = method
	hreq.URL = new(url.URL)
	c.requestURL(hreq.URL, full)
	hreq.Header = make(http.Header, 4)
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
	req.Header["User-Agent"] = c.userAgent
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
	n, err := c.retryLoop(cl, v)
	if err != nil && cl.outcomeUnknown(err) {
		err = &outcomeUnknownError{err: err}
	}
	return n, err
}

// outcomeUnknown reports whether err, the error of the call, leaves open
// whether the API acted on it (retry.OutcomeUnknown; see
// ErrOutcomeUnknown).
func (cl *call) outcomeUnknown(err error) bool {
	o := retry.Outcome{Class: cl.class, Attempted: cl.attempt >= 0, WaitEnded: cl.waitErr != nil,
		Responded: cl.responded, ConnMade: cl.connMade.Load()}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		o.Status = apiErr.StatusCode
	}
	return retry.OutcomeUnknown(o)
}

// retryLoop is do without the outcome-unknown mark: the retry loop, and
// the answer it ends with handled.
func (c *Client) retryLoop(cl *call, v any) (int64, error) {
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
	if err := c.waitTurn(cl.req.Context()); err != nil {
		return 0, fmt.Errorf("chatinc: %s %s: %w", cl.req.Method, cl.path, err)
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
	resp, err := cl.rc.Do(cl.req)
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
		return 0, cl.decodeResult(resp)
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
	if v == nil || cl.streaming || len(bytes.TrimSpace(cl.body)) == 0 {
		return 0, nil
	}
	if err := json.Unmarshal(cl.body, v); err != nil {
		return 0, &DecodeError{StatusCode: resp.StatusCode, Method: cl.req.Method, Path: cl.path,
			Body: c.key().excerpt(cl.body, false), Err: c.key().scrub(err)}
	}
	return 0, nil
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

// streamRead sends a read POST whose answer dec decodes as it streams, under
// the client's size cap when capped is set, without it otherwise
// (CampaignDetails, which bounds each row instead).
func (c *Client) streamRead(ctx context.Context, path string, body any, dec bodyDecoder, capped bool) error {
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
