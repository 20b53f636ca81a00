package chatinc_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	chatinc "github.com/chatinc/chatinc-go"
)

// This file holds the fault matrix: each fault a server or the network can
// produce, against one representative call of each retry class, with the
// outcome the caller gets and the exact number of requests the server saw.
// RELIABILITY.md shows the same table; TestReliabilityDoc keeps the two in
// step (go test -run TestReliabilityDoc -update-reliability rewrites it).

var updateReliability = flag.Bool("update-reliability", false, "rewrite the fault matrix table in RELIABILITY.md")

// faultKey is the API key of the fault tests' clients.
const faultKey = "sk_test_fault_matrix_0123456789"

// faultOK is a success answer every call of the matrix accepts.
const faultOK = `{"status":"success","message":"ok","id":"aud-1","campaignId":"cmp-1","audiences":[{"id":"aud-1","name":"A"}]}`

// faultClass is one retry class, by a representative call.
type faultClass struct {
	name   string // the matrix's column heading
	upload bool   // the call sends faultCSV as a multipart file
	send   bool   // CreateCampaign or RunCampaign
	call   apiCall
}

// nonSeeker hides every method of a reader but Read: an upload from it
// cannot be replayed.
type nonSeeker struct{ io.Reader }

var faultClasses = []faultClass{
	{name: "read", call: func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.RetrieveAudiences(ctx)
		return err
	}},
	{name: "idempotent write", call: func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "aud-1", Name: "A",
			Contacts: []chatinc.Contact{{Number: "+15550000001"}}})
		return err
	}},
	{name: "upload (seekable)", upload: true, call: func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "aud-1", Name: "A",
			File: chatinc.FileFromReader("contacts.csv", strings.NewReader(faultCSV))})
		return err
	}},
	{name: "send: CreateCampaign", send: true, call: func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Spring sale", Message: "Hi {contact.name}"},
			chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{chatinc.AudienceAll}})
		return err
	}},
	{name: "send: RunCampaign", send: true, call: func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "cmp-1", Audiences: []string{"aud-1"}})
		return err
	}},
	{name: "upload (non-seekable)", upload: true, call: func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "aud-1", Name: "A",
			File: chatinc.FileFromReader("contacts.csv", nonSeeker{strings.NewReader(faultCSV)})})
		return err
	}},
}

// want is one cell's expected outcome: the call's attempts, how many of them
// reached the server (fewer when dials were refused), and whether the call
// succeeded or failed with its row's error.
type want struct {
	attempts, seen int
	ok             bool
	// skip: the cell is not run, because net/http's HTTP/2 transport itself
	// resends this bodiless read, with its own backoff (up to 8 requests
	// over about a minute). That is safe for a read; the "once" row next to
	// it shows the resend.
	skip bool
}

func pass(n int) want { return want{attempts: n, seen: n, ok: true} }
func fail(n int) want { return want{attempts: n, seen: n} }

// byNetHTTP is a cell that net/http's HTTP/2 transport resends by itself:
// see want.skip.
var byNetHTTP = want{skip: true}

// cells spreads a row's outcomes over the classes: r for the calls retried
// like reads (read, idempotent write, seekable upload), s for the sending
// calls, u for the upload that cannot be replayed.
func cells(r, s, u want) [6]want { return [6]want{r, r, r, s, s, u} }

// faultFunc answers a request (its body already read) with a fault; hit
// counts the server's requests from 1.
type faultFunc func(w http.ResponseWriter, r *http.Request, hit int)

// proto is a protocol a row runs over.
type proto int

const (
	// h1 is HTTP/1.1 in clear text over loopback, through a test transport
	// that can refuse dials.
	h1 proto = 1 << iota
	// h1TLS is HTTP/1.1 over TLS, through the SDK's own default transport.
	h1TLS
	// h2TLS is HTTP/2 over TLS (negotiated by ALPN), through the SDK's own
	// default transport.
	h2TLS
	// h2Raw is HTTP/2 over TLS against h2Server, which plays faults at the
	// frame level, through the SDK's own default transport.
	h2Raw
)

var protoNames = map[proto]string{h1: "HTTP/1.1", h1TLS: "HTTP/1.1+TLS", h2TLS: "HTTP/2", h2Raw: "HTTP/2 frames"}

// faultRow is one fault of the matrix.
type faultRow struct {
	name    string
	serve   faultFunc
	protos  proto // the protocols it runs over; 0: h1, h1TLS and h2TLS
	refuse  int   // the first refuse dials go to a closed port (h1 only)
	opts    []chatinc.Option
	timeout time.Duration // the call's context deadline; 0: none
	fast    bool          // the call must return at once, not sleep
	errDoc  string        // the error, as RELIABILITY.md names it
	err     func(t *testing.T, err error)
	// unknown: a send's error matches chatinc.ErrOutcomeUnknown (no other
	// call's error ever does).
	unknown bool
	// raw, with codes, makes an h2Raw row: raw(code, hit) is the server's
	// action for its request number hit, once it has read it whole; the row
	// runs once per code (once, with code 0, when codes is nil).
	raw   func(code http2.ErrCode, hit int) h2Action
	codes []http2.ErrCode
	want  [6]want
}

func (r faultRow) protocols() proto {
	switch {
	case r.raw != nil:
		return h2Raw
	case r.protos != 0:
		return r.protos
	}
	return h1 | h1TLS | h2TLS
}

const always = 1 << 30

// faultRows is the matrix. WithRetryWait(1ms, 2ms) and Retry-After values of
// 0 keep it fast; the default WithRetryMax(2) allows three attempts.
var faultRows = []faultRow{
	{name: "dial refused (nothing listens)", refuse: always, protos: h1,
		errDoc: "`syscall.ECONNREFUSED` (transport error)", err: isErr(syscall.ECONNREFUSED),
		want: cells(want{attempts: 3}, want{attempts: 3}, want{attempts: 1})},
	{name: "dial refused once, then 200", refuse: 1, protos: h1, serve: answer(200, "", faultOK),
		errDoc: "`syscall.ECONNREFUSED`", err: isErr(syscall.ECONNREFUSED),
		want: cells(want{attempts: 2, seen: 1, ok: true}, want{attempts: 2, seen: 1, ok: true}, want{attempts: 1})},
	{name: "connection dropped after the request was read", serve: hangUp, protos: h1 | h1TLS, unknown: true,
		errDoc: "`io.EOF` (transport error)", err: isErr(io.EOF),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "connection dropped once, then 200", serve: once(hangUp), protos: h1 | h1TLS, unknown: true,
		errDoc: "`io.EOF`", err: isErr(io.EOF),
		want: cells(pass(2), fail(1), fail(1))},
	{name: "429 without Retry-After", serve: answer(429, "", errBody("slow down")),
		errDoc: "`*APIError` 429, `ErrRateLimited`", err: all(apiStatus(429), isErr(chatinc.ErrRateLimited)),
		want: cells(fail(3), fail(3), fail(1))},
	{name: "429 with Retry-After: 0", serve: answer(429, "0", errBody("slow down")),
		errDoc: "`*APIError` 429", err: apiStatus(429),
		want: cells(fail(3), fail(3), fail(1))},
	{name: "429 once, then 200", serve: once(answer(429, "0", errBody("slow down"))),
		errDoc: "`*APIError` 429", err: apiStatus(429),
		want: cells(pass(2), pass(2), fail(1))},
	{name: "429 with Retry-After: 3600 (over 60 s)", serve: answer(429, "3600", errBody("come back later")), fast: true,
		errDoc: "`*APIError` 429, RetryAfter 1h, at once", err: apiRetryAfter(429, time.Hour),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "429 with Retry-After: 30, past the 2 s deadline", serve: answer(429, "30", errBody("come back later")),
		timeout: 2 * time.Second, fast: true,
		errDoc: "`*APIError` 429, RetryAfter 30s, at once", err: apiRetryAfter(429, 30*time.Second),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "500", unknown: true, serve: answer(500, "", errBody("boom")),
		errDoc: "`*APIError` 500", err: apiStatus(500),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "501", serve: answer(501, "", errBody("not implemented")),
		errDoc: "`*APIError` 501", err: apiStatus(501),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "502", unknown: true, serve: answer(502, "", errBody("bad gateway")),
		errDoc: "`*APIError` 502", err: apiStatus(502),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "503 without Retry-After", unknown: true, serve: answer(503, "", errBody("maintenance")),
		errDoc: "`*APIError` 503", err: apiStatus(503),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "503 once, then 200", unknown: true, serve: once(answer(503, "", errBody("maintenance"))),
		errDoc: "`*APIError` 503", err: apiStatus(503),
		want: cells(pass(2), fail(1), fail(1))},
	{name: "503 with Retry-After: 0", unknown: true, serve: answer(503, "0", errBody("maintenance")),
		errDoc: "`*APIError` 503", err: apiStatus(503),
		want: cells(fail(3), fail(3), fail(1))},
	{name: "503 with Retry-After as a past HTTP date", unknown: true, serve: answer(503, "Wed, 21 Oct 2015 07:28:00 GMT", errBody("maintenance")),
		errDoc: "`*APIError` 503", err: apiStatus(503),
		want: cells(fail(3), fail(3), fail(1))},
	{name: "503 with Retry-After: 0, once, then 200", unknown: true, serve: once(answer(503, "0", errBody("maintenance"))),
		errDoc: "`*APIError` 503", err: apiStatus(503),
		want: cells(pass(2), pass(2), fail(1))},
	{name: "504", unknown: true, serve: answer(504, "", errBody("gateway timeout")),
		errDoc: "`*APIError` 504", err: apiStatus(504),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "400", serve: answer(400, "", errBody("bad request")),
		errDoc: "`*APIError` 400", err: apiStatus(400),
		want: cells(fail(1), fail(1), fail(1))},
	{name: `200 whose body says "status":"error"`, serve: answer(200, "", errBody("audience not found")),
		errDoc: "`*APIError` 200", err: apiStatus(200),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "200 with malformed JSON", unknown: true, serve: answer(200, "", `{"status":"success","audiences":[{"id":`),
		errDoc: "`*DecodeError`", err: isDecodeError,
		want: cells(fail(1), fail(1), fail(1))},
	{name: "502 HTML error page from a proxy", unknown: true, serve: answer(502, "", proxyPage),
		errDoc: "`*APIError` 502, Message from `<title>`", err: apiMessage(502, "502 Bad Gateway"),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "200 with a truncated body (Content-Length not met)", serve: truncated, protos: h1 | h1TLS, unknown: true,
		errDoc: "`io.ErrUnexpectedEOF`", err: isErr(io.ErrUnexpectedEOF),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "200 with a body over WithMaxResponseBytes(1 KiB)", unknown: true, serve: answer(200, "", oversized),
		opts:   []chatinc.Option{chatinc.WithMaxResponseBytes(1 << 10)},
		errDoc: "`ErrResponseTooLarge`", err: isErr(chatinc.ErrResponseTooLarge),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "slow server, past the context's 500 ms deadline", unknown: true, serve: stall, timeout: 500 * time.Millisecond,
		errDoc: "`context.DeadlineExceeded`", err: isErr(context.DeadlineExceeded),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "slow server, past WithAttemptTimeout(300 ms)", unknown: true, serve: stall,
		opts:   []chatinc.Option{chatinc.WithAttemptTimeout(300 * time.Millisecond)},
		errDoc: "`context.DeadlineExceeded`", err: isErr(context.DeadlineExceeded),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "304 Not Modified (not followed)", serve: answer(304, "", ""), unknown: true,
		errDoc: "`*APIError` 304", err: apiStatus(304),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "300 Multiple Choices (not followed)", serve: answer(300, "", faultOK), unknown: true,
		errDoc: "`*APIError` 300", err: apiStatus(300),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "302 without Location (not followed)", serve: answer(302, "", ""), unknown: true,
		errDoc: "`*APIError` 302", err: apiStatus(302),
		want: cells(fail(1), fail(1), fail(1))},
	{name: "307 redirect to another host", unknown: true, serve: nil, // set by the test: the other host is a live server
		errDoc: "`ErrRedirectRefused`; the other host sees nothing", err: isErr(chatinc.ErrRedirectRefused),
		want: cells(fail(1), fail(1), fail(1))},

	// HTTP/2 at the frame level: the server reads the whole request, then
	// plays the fault. net/http's HTTP/2 transport resends a request on
	// REFUSED_STREAM, PROTOCOL_ERROR and a GOAWAY that does not name its
	// stream, if it can rewind the body; the SDK never lets it rewind one,
	// so only a bodiless GET (the read column) is resent there.
	{name: "HTTP/2 RST_STREAM(REFUSED_STREAM or PROTOCOL_ERROR) after the request was read",
		raw: always2(reset), codes: []http2.ErrCode{http2.ErrCodeRefusedStream, http2.ErrCodeProtocol}, unknown: true,
		errDoc: "HTTP/2 stream error (transport error)", err: errText("stream error"),
		want: [6]want{byNetHTTP, fail(3), fail(3), fail(1), fail(1), fail(1)}},
	{name: "HTTP/2 RST_STREAM(REFUSED_STREAM or PROTOCOL_ERROR) once, then 200",
		raw: once2(reset), codes: []http2.ErrCode{http2.ErrCodeRefusedStream, http2.ErrCodeProtocol}, unknown: true,
		errDoc: "HTTP/2 stream error", err: errText("stream error"),
		want: [6]want{{attempts: 1, seen: 2, ok: true}, pass(2), pass(2), fail(1), fail(1), fail(1)}},
	{name: "HTTP/2 RST_STREAM(each other code) after the request was read",
		raw: always2(reset), codes: otherResetCodes, unknown: true,
		errDoc: "HTTP/2 stream error (transport error)", err: errText("stream error"),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "HTTP/2 RST_STREAM(each other code) once, then 200",
		raw: once2(reset), codes: otherResetCodes, unknown: true,
		errDoc: "HTTP/2 stream error", err: errText("stream error"),
		want: cells(pass(2), fail(1), fail(1))},
	{name: "HTTP/2 GOAWAY(NO_ERROR) naming no stream as processed, after the request was read",
		raw: always2(goAway), codes: []http2.ErrCode{http2.ErrCodeNo}, unknown: true,
		errDoc: "HTTP/2 GOAWAY (transport error)", err: errText("GOAWAY"),
		want: [6]want{byNetHTTP, fail(3), fail(3), fail(1), fail(1), fail(1)}},
	{name: "HTTP/2 GOAWAY(NO_ERROR) naming no stream as processed, once, then 200",
		raw: once2(goAway), codes: []http2.ErrCode{http2.ErrCodeNo}, unknown: true,
		errDoc: "HTTP/2 GOAWAY", err: errText("GOAWAY"),
		want: [6]want{{attempts: 1, seen: 2, ok: true}, pass(2), pass(2), fail(1), fail(1), fail(1)}},
	{name: "HTTP/2 GOAWAY(PROTOCOL_ERROR) naming no stream as processed",
		raw: always2(goAway), codes: []http2.ErrCode{http2.ErrCodeProtocol}, unknown: true,
		errDoc: "HTTP/2 GOAWAY (transport error)", err: errText("GOAWAY"),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "HTTP/2 GOAWAY(NO_ERROR) naming the request as received, then hang-up",
		raw: always2(goAwayAck), codes: []http2.ErrCode{http2.ErrCodeNo}, unknown: true,
		errDoc: "HTTP/2 GOAWAY (transport error)", err: errText("GOAWAY"),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "HTTP/2 connection closed after the request was read",
		raw: always2(hangUpH2), unknown: true,
		errDoc: "`io.ErrUnexpectedEOF` (transport error)", err: isErr(io.ErrUnexpectedEOF),
		want: cells(fail(3), fail(1), fail(1))},
	{name: "HTTP/2 200 cut short (content-length not met), then hang-up",
		raw: always2(truncateH2), unknown: true,
		errDoc: "transport error", err: errText("unexpected EOF"),
		want: cells(fail(3), fail(1), fail(1))},
}

// otherResetCodes are the RST_STREAM codes net/http's transport never
// resends on.
var otherResetCodes = []http2.ErrCode{
	http2.ErrCodeNo, http2.ErrCodeInternal, http2.ErrCodeFlowControl, http2.ErrCodeSettingsTimeout,
	http2.ErrCodeStreamClosed, http2.ErrCodeFrameSize, http2.ErrCodeCancel, http2.ErrCodeCompression,
	http2.ErrCodeConnect, http2.ErrCodeEnhanceYourCalm, http2.ErrCodeInadequateSecurity, http2.ErrCodeHTTP11Required,
}

// HTTP/2 faults, for h2Server.

func reset(code http2.ErrCode) h2Action     { return h2Action{kind: h2Reset, code: code} }
func goAway(code http2.ErrCode) h2Action    { return h2Action{kind: h2GoAway, code: code} }
func goAwayAck(code http2.ErrCode) h2Action { return h2Action{kind: h2GoAwayAck, code: code} }
func hangUpH2(http2.ErrCode) h2Action       { return h2Action{kind: h2HangUp} }
func truncateH2(http2.ErrCode) h2Action     { return h2Action{kind: h2Truncate} }

// always2 plays f on every request.
func always2(f func(http2.ErrCode) h2Action) func(http2.ErrCode, int) h2Action {
	return func(code http2.ErrCode, _ int) h2Action { return f(code) }
}

// once2 plays f on the first request and answers the others with success.
func once2(f func(http2.ErrCode) h2Action) func(http2.ErrCode, int) h2Action {
	return func(code http2.ErrCode, hit int) h2Action {
		if hit == 1 {
			return f(code)
		}
		return h2OK()
	}
}

// TestFaultMatrix runs every fault against every class, over each protocol
// of its row, on real loopback servers, and checks the outcome, the
// requests the server saw, the attempts and retries logged, whether a
// send's error says its outcome is unknown, and that a retried upload
// resent the same bytes.
func TestFaultMatrix(t *testing.T) {
	for _, row := range faultRows {
		for _, p := range []proto{h1, h1TLS, h2TLS, h2Raw} {
			if row.protocols()&p == 0 {
				continue
			}
			codes := row.codes
			if codes == nil {
				codes = []http2.ErrCode{0}
			}
			for _, code := range codes {
				for ci, class := range faultClasses {
					if row.want[ci].skip {
						continue
					}
					name := row.name + "/" + protoNames[p] + "/" + class.name
					if row.codes != nil {
						name += "/" + code.String()
					}
					row, ci, class, p, code := row, ci, class, p, code
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						runFaultCell(t, row, class, row.want[ci], p, code)
					})
				}
			}
		}
	}
}

// hitCounter is a fault server of either kind.
type hitCounter interface{ hitCount() int }

func runFaultCell(t *testing.T, row faultRow, class faultClass, w want, p proto, code http2.ErrCode) {
	var (
		srv       hitCounter
		base      string
		uploads   *faultServer
		elsewhere *faultServer
	)
	if p == h2Raw {
		hs := newH2Server(t, func(hit int) h2Action { return row.raw(code, hit) })
		srv, base = hs, hs.URL
	} else {
		serve := row.serve
		if serve == nil && row.refuse == 0 { // the redirect row
			elsewhere = newFaultServer(t, answer(200, "", faultOK))
			serve = func(w http.ResponseWriter, r *http.Request, _ int) {
				http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
			}
		}
		if serve == nil {
			serve = answer(200, "", faultOK)
		}
		fs := newFaultServerOver(t, serve, p)
		srv, base, uploads = fs, fs.URL, fs
	}
	sink, logger := newLogSink()
	opts := []chatinc.Option{
		chatinc.WithBaseURL(base + "/v1"),
		chatinc.WithRetryWait(time.Millisecond, 2*time.Millisecond),
		chatinc.WithLogger(logger),
	}
	var dials *atomic.Int32
	if p == h1 {
		var tr *http.Transport
		tr, dials = refusingTransport(t, row.refuse)
		opts = append(opts, chatinc.WithHTTPClient(&http.Client{Transport: tr}))
	} // else the SDK's own transport, trusting testCert through SSL_CERT_FILE
	c, err := chatinc.NewClient(faultKey, append(opts, row.opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)

	ctx := context.Background()
	if row.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, row.timeout)
		defer cancel()
	}
	start := time.Now()
	err = class.call(ctx, c)
	elapsed := time.Since(start)

	if w.ok {
		require.NoError(t, err)
	} else {
		require.Error(t, err)
		row.err(t, err)
		assert.NotContains(t, err.Error(), "giving up", "the last attempt's own error, not retryablehttp's")
		assert.NotContains(t, err.Error(), faultKey)
		assert.NotContains(t, err.Error(), "GetBody", "net/http's advice to its own users is not for the SDK's")
		assert.Equal(t, row.unknown && class.send, errors.Is(err, chatinc.ErrOutcomeUnknown),
			"errors.Is(err, ErrOutcomeUnknown) for %v", err)
	}
	assert.Equal(t, w.seen, srv.hitCount(), "requests the server saw")
	assert.Equal(t, w.attempts, sink.count("chatinc: attempt"), "attempts logged")
	assert.Equal(t, w.attempts-1, sink.count("chatinc: retrying"), "retries logged")
	if dials != nil && row.refuse > 0 {
		refused := min(int(dials.Load()), row.refuse)
		assert.Equal(t, w.attempts, refused+srv.hitCount(), "each attempt is a refused dial or a request seen")
	}
	if elsewhere != nil {
		assert.Zero(t, elsewhere.hitCount(), "nothing reaches the other host")
	}
	if row.fast {
		assert.Less(t, elapsed, time.Second, "the Retry-After is not slept")
	}
	if uploads != nil {
		assert.Zero(t, uploads.wrongProto.Load(), "requests over another protocol than %s", protoNames[p])
		if class.upload {
			uploads.checkUploads(t)
		}
	}
}

// faultServer is a loopback test server that reads each request whole,
// counts it, keeps its body, then answers with a fault. It counts the
// connections it accepts too.
type faultServer struct {
	*httptest.Server
	hits       atomic.Int32
	conns      atomic.Int32 // connections accepted
	live       atomic.Int32 // connections open
	wrongProto atomic.Int32 // requests that came over another protocol
	mu         sync.Mutex
	bodies     [][]byte
	ctypes     []string
}

func newFaultServer(t *testing.T, serve faultFunc) *faultServer {
	t.Helper()
	return newFaultServerOver(t, serve, h1)
}

// newFaultServerOver starts a fault server speaking p: clear-text HTTP/1.1,
// or HTTP/1.1 or HTTP/2 over TLS with testCert.
func newFaultServerOver(t *testing.T, serve faultFunc, p proto) *faultServer {
	t.Helper()
	wantMajor := 1
	if p == h2TLS {
		wantMajor = 2
	}
	fs := &faultServer{}
	fs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the client gave up mid-body: not a request seen
		}
		hit := int(fs.hits.Add(1))
		if r.ProtoMajor != wantMajor || (r.TLS == nil) != (p == h1) {
			fs.wrongProto.Add(1)
		}
		fs.mu.Lock()
		fs.bodies = append(fs.bodies, body)
		fs.ctypes = append(fs.ctypes, r.Header.Get("Content-Type"))
		fs.mu.Unlock()
		serve(w, r, hit)
	}))
	fs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			fs.conns.Add(1)
			fs.live.Add(1)
		case http.StateClosed, http.StateHijacked:
			fs.live.Add(-1)
		}
	}
	switch p {
	case h1:
		fs.Start()
	default:
		fs.TLS = &tls.Config{Certificates: []tls.Certificate{testCert}}
		fs.EnableHTTP2 = p == h2TLS
		fs.Config.ErrorLog = log.New(io.Discard, "", 0) // the faults' hang-ups are expected
		fs.StartTLS()
	}
	t.Cleanup(fs.Close)
	return fs
}

func (fs *faultServer) hitCount() int { return int(fs.hits.Load()) }

// open returns how many of the server's connections are open.
func (fs *faultServer) open() int { return int(fs.live.Load()) }

// checkUploads checks that every attempt of an upload carried the whole
// file, from its first byte, under the same multipart layout.
func (fs *faultServer) checkUploads(t *testing.T) {
	t.Helper()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, body := range fs.bodies {
		_, params, err := mime.ParseMediaType(fs.ctypes[i])
		require.NoError(t, err)
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		var file []byte
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			require.NoError(t, err, "attempt %d: multipart body", i+1)
			if p.FormName() == "file" {
				file, err = io.ReadAll(p)
				require.NoError(t, err)
			}
		}
		assert.Equal(t, faultCSV, string(file), "attempt %d sends the whole file", i+1)
		assert.Equal(t, fs.bodies[0], body, "attempt %d sends the same bytes as the first", i+1)
	}
}

// refusingTransport dials as usual, except that its first refuse dials go to
// a loopback port that nothing listens on (a listener opened and closed), so
// they are refused for real. It counts every dial.
func refusingTransport(t *testing.T, refuse int) (*http.Transport, *atomic.Int32) {
	t.Helper()
	closed := closedAddr(t)
	dials := new(atomic.Int32)
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if int(dials.Add(1)) <= refuse {
				addr = closed
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 64,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return tr, dials
}

// closedAddr returns 127.0.0.1:<port> of a listener it has closed.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// Faults.

// answer replies with status, a Retry-After header when retryAfter is set,
// and body (JSON, or HTML when it starts with '<').
func answer(status int, retryAfter, body string) faultFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		ct := "application/json"
		if strings.HasPrefix(body, "<") {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// once serves f to the first request and a success to the others.
func once(f faultFunc) faultFunc {
	return func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 1 {
			f(w, r, hit)
			return
		}
		answer(200, "", faultOK)(w, r, hit)
	}
}

// hangUp closes the connection after reading the whole request: the server
// may have acted, and no answer comes back.
func hangUp(w http.ResponseWriter, _ *http.Request, _ int) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// truncated announces a 1,000-byte body, sends 20 bytes and hangs up.
func truncated(w http.ResponseWriter, _ *http.Request, _ int) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
	_, _ = buf.WriteString(`{"status":"success",`)
	_ = buf.Flush()
}

// stall answers nothing until the client goes away (or 10 s pass), and then
// aborts the answer: left to return, the handler would make net/http send a
// 200, which a client that has just given up (closing its TLS connection
// with close_notify) can still read.
func stall(_ http.ResponseWriter, r *http.Request, _ int) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
	panic(http.ErrAbortHandler)
}

func errBody(msg string) string { return `{"status":"error","message":"` + msg + `"}` }

const proxyPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

var oversized = `{"status":"success","audiences":[` + strings.Repeat(`{"id":"a","name":"padding padding"},`, 2000) + `{"id":"z"}]}`

// Error checks.

func isErr(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		assert.ErrorIs(t, err, target)
	}
}

func apiStatus(code int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var apiErr *chatinc.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, code, apiErr.StatusCode)
		assert.NotEmpty(t, apiErr.Message)
	}
}

func apiRetryAfter(code int, d time.Duration) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		apiStatus(code)(t, err)
		var apiErr *chatinc.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, d, apiErr.RetryAfter)
	}
}

func apiMessage(code int, msg string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		apiStatus(code)(t, err)
		var apiErr *chatinc.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, msg, apiErr.Message)
	}
}

func isDecodeError(t *testing.T, err error) {
	t.Helper()
	var de *chatinc.DecodeError
	assert.ErrorAs(t, err, &de)
}

func errText(sub string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		assert.Contains(t, err.Error(), sub)
	}
}

func all(checks ...func(*testing.T, error)) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		for _, check := range checks {
			check(t, err)
		}
	}
}

// TestReliabilityDoc checks that RELIABILITY.md shows the matrix that
// TestFaultMatrix runs.
func TestReliabilityDoc(t *testing.T) {
	const begin, end = "<!-- fault matrix: begin -->\n", "<!-- fault matrix: end -->"
	doc, err := os.ReadFile("RELIABILITY.md")
	require.NoError(t, err)
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	require.True(t, i >= 0 && j > i, "RELIABILITY.md has the matrix markers")
	table := faultMatrixTable()
	if *updateReliability {
		out := append(append(append([]byte{}, doc[:i+len(begin)]...), table...), doc[j:]...)
		require.NoError(t, os.WriteFile("RELIABILITY.md", out, 0o644))
		return
	}
	assert.Equal(t, table, string(doc[i+len(begin):j]),
		"RELIABILITY.md is out of date: go test -run TestReliabilityDoc -update-reliability")
}

// faultMatrixTable renders faultRows as a Markdown table.
func faultMatrixTable() string {
	var b strings.Builder
	b.WriteString("| Fault | Protocols | The error, on ✗ | Outcome unknown (sends) |")
	for _, c := range faultClasses {
		b.WriteString(" " + c.name + " |")
	}
	b.WriteString("\n|---|---|---|---|" + strings.Repeat("---|", len(faultClasses)) + "\n")
	for _, row := range faultRows {
		var protos []string
		for _, p := range []proto{h1, h1TLS, h2TLS, h2Raw} {
			if row.protocols()&p != 0 {
				protos = append(protos, protoNames[p])
			}
		}
		unknown := "—"
		for ci, c := range faultClasses {
			if c.send && !row.want[ci].ok {
				unknown = map[bool]string{true: "yes", false: "no"}[row.unknown]
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |", row.name, strings.Join(protos, ", "), row.errDoc, unknown)
		for _, w := range row.want {
			cell := fmt.Sprintf("%d", w.seen)
			switch {
			case w.skip:
				b.WriteString(" — (net/http) |")
				continue
			case w.attempts == 1 && w.seen != 1:
				cell = fmt.Sprintf("%d (1 attempt)", w.seen)
			case w.attempts != w.seen:
				cell = fmt.Sprintf("%d (%d attempts)", w.seen, w.attempts)
			}
			if w.ok {
				cell += " ✓"
			} else {
				cell += " ✗"
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestRetryAfterHonouredBeyondBackoffBounds checks that a Retry-After of 1 s
// is slept in full although WithRetryWait allows at most 2 ms.
func TestRetryAfterHonouredBeyondBackoffBounds(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t, once(answer(429, "1", errBody("slow down"))))
	c, _ := newLoggedClient(t, srv)
	start := time.Now()
	_, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 950*time.Millisecond)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 2, srv.hitCount())
}

// TestCancelInterruptsWait cancels a call while it waits before a retry,
// after a long backoff or a Retry-After under 60 s, and checks that it
// returns at once with context.Canceled.
func TestCancelInterruptsWait(t *testing.T) {
	for _, tt := range []struct {
		name  string
		serve faultFunc
		opts  []chatinc.Option
	}{
		{"backoff of 10 s", answer(503, "", errBody("maintenance")),
			[]chatinc.Option{chatinc.WithRetryWait(10*time.Second, 10*time.Second)}},
		{"Retry-After: 30", answer(429, "30", errBody("slow down")), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFaultServer(t, tt.serve)
			c, sink := newLoggedClient(t, srv, tt.opts...)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.RetrieveAudiences(ctx)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Less(t, time.Since(start), time.Second, "the wait is interrupted")
			assert.Equal(t, 1, srv.hitCount())
			assert.Equal(t, 1, sink.count("chatinc: retrying"), "the call was waiting to retry")
		})
	}
}

// TestWaitPastDeadlineReturnsLastAnswer checks that a backoff that would end
// after the context's deadline is not slept: the caller gets the last
// answer's *APIError at once rather than context.DeadlineExceeded later.
func TestWaitPastDeadlineReturnsLastAnswer(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t, answer(503, "", errBody("maintenance")))
	c, _ := newLoggedClient(t, srv, chatinc.WithRetryWait(5*time.Second, 5*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.RetrieveAudiences(ctx)
	apiStatus(503)(t, err)
	assert.Less(t, time.Since(start), 500*time.Millisecond)
	assert.Equal(t, 1, srv.hitCount())
}

// TestConnectionsReused checks that answers are drained and closed, so
// that a run of calls, retried or failed, with bodies past retryablehttp's
// own 4 KiB drain, uses one connection.
func TestConnectionsReused(t *testing.T) {
	t.Parallel()
	big := `{"status":"error","message":"maintenance","detail":"` + strings.Repeat("x", 20<<10) + `"}`
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		switch {
		case hit <= 3: // a read retried twice, then failing
			answer(503, "0", big)(w, r, hit)
		case hit == 4: // a send, not retried
			answer(500, "", big)(w, r, hit)
		default:
			answer(200, "", faultOK)(w, r, hit)
		}
	})
	c, _ := newLoggedClient(t, srv) // the SDK's own transport
	_, err := c.RetrieveAudiences(context.Background())
	apiStatus(503)(t, err)
	_, err = c.RunCampaign(context.Background(), chatinc.RunCampaignParams{CampaignID: "c", Audiences: []string{"all"}})
	apiStatus(500)(t, err)
	_, err = c.RetrieveAudiences(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 5, srv.hitCount())
	assert.EqualValues(t, 1, srv.conns.Load(), "one connection for all")
}

// TestErrorBodyBounded checks that a huge error answer is kept as a short
// prefix, and read no further than needed.
func TestErrorBodyBounded(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t, answer(400, "", strings.Repeat("no ", 1<<20)))
	c, _ := newLoggedClient(t, srv)
	_, err := c.RetrieveAudiences(context.Background())
	var apiErr *chatinc.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Body), 4<<10+len("…"))
	assert.LessOrEqual(t, len(apiErr.Message), 512+len("…"))
	assert.Less(t, len(err.Error()), 1<<10)
}
