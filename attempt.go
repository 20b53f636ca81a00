package chatinc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/hashicorp/go-retryablehttp"
)

// noBackoff is the retry loop's Backoff: checkRetry has already waited,
// for the rule's wait and then for the client's rate limit, one wait that
// the context's end interrupts.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

func (cl *call) gotConn(httptrace.GotConnInfo) { cl.connMade.Store(true) }

// beforeAttempt is the retry loop's RequestLogHook: it starts an attempt,
// with a fresh body.
func (cl *call) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if cl.sends != nil {
		req.Body = cl.sends.open()
	}
	cl.attempt = int32(attempt)
	if cl.c.observed() {
		cl.start = monotonic()
	}
	cl.connMade.Store(false)
	cl.responded = false
	cl.body, cl.bodyErr, cl.bodyRead, cl.bodyCut = nil, nil, false, false
}

// checkRetry is the retry loop's CheckRetry: it applies the retry rule of the call's class, Retry-After, and
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
	if (resp == nil || !cl.responded) && cl.c.observed() {
		cl.took = monotonic() - cl.start
	}
	if resp != nil && !cl.responded && resp.StatusCode == http.StatusTooManyRequests {
		cl.c.holdFor(resp.Header.Get("Retry-After"))
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

// decide applies the retry rule (retry.Decide) to an attempt that ended
// with resp or err.
func (cl *call) decide(ctx context.Context, resp *http.Response, err error) (again bool, reason string, wait time.Duration) {
	deadline, _ := ctx.Deadline()
	return retry.Decide(retry.Attempt{
		Class: cl.class, Number: int(cl.attempt), Max: cl.c.retryMax,
		Resp: resp, Err: err, ConnMade: cl.connMade.Load(),
		Replayable: cl.sends == nil || cl.sends.replayable(),
		Final:      ctx.Err() != nil || isFinal(err),
	}, cl.c.retryWaitMin, cl.c.retryWaitMax, time.Now, deadline)
}

// observed reports whether anything hears of the client's attempts (its
// logger, its Attempt hook): only then are attempts timed, as reading the
// clock costs about as much as a small answer's decoding on some machines.
func (c *Client) observed() bool { return c.logger != nil || c.hooks.Attempt != nil }

// epoch is the zero of monotonic.
var epoch = time.Now()

// monotonic is the time since epoch on the monotonic clock: an instant
// in 8 bytes, for durations.
func monotonic() time.Duration { return time.Since(epoch) }

// attemptDone tells the client's logger and Attempt hook that an attempt
// is over, before any wait to retry: both say what its one AttemptInfo
// says. resp is the attempt's answer or nil, err its error (the key already
// removed), and reason why it is retried.
func (cl *call) attemptDone(resp *http.Response, err error, again bool, wait time.Duration, reason string) {
	l, hook := cl.c.logger, cl.c.hooks.Attempt
	if l == nil && hook == nil {
		return
	}
	a := AttemptInfo{Call: cl.name(), Method: cl.req.Method, Path: cl.path, Attempt: int(cl.attempt),
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
		l.LogAttrs(cl.caller(), slog.LevelDebug, "chatinc: attempt", a.attrs(cl.class)...)
		if again {
			l.LogAttrs(cl.caller(), slog.LevelInfo, "chatinc: retrying",
				slog.String("call", a.Call), slog.String("method", a.Method), slog.String("path", a.Path),
				slog.String("class", cl.class.String()), slog.Int("attempt", a.Attempt+1),
				slog.String("reason", reason), slog.Duration("wait", a.Wait))
		}
	}
	if hook == nil {
		return
	}
	// Should the hook panic, the answer's body is closed (its connection
	// with it) as the panic goes by; retryLoop ends the request's body.
	returned := false
	defer func() {
		if !returned && resp != nil {
			_ = resp.Body.Close()
		}
	}()
	hook(cl.caller(), a)
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
