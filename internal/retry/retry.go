// Package retry holds the SDK's retry rule: which failures each class of call
// may retry, how long to wait, and how to read Retry-After. It is pure logic,
// with no I/O, so that the rule can be tested cell by cell.
package retry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Class says how safe it is to send a call again.
type Class uint8

const (
	// Read calls (every Retrieve*) change nothing: retried on transport
	// errors, 429 and 5xx other than 501.
	Read Class = iota
	// IdempotentWrite calls carry the caller's IDs (create or add to an
	// audience, variable groups, uploads): sending one twice has the effect
	// of sending it once, so they are retried like reads.
	IdempotentWrite
	// Send calls (CreateCampaign, RunCampaign) message people and the API has
	// no idempotency key: retried only when the server cannot have acted.
	Send
)

// String returns the class's name, for logs.
func (c Class) String() string {
	switch c {
	case Read:
		return "read"
	case IdempotentWrite:
		return "idempotent-write"
	case Send:
		return "send"
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// MaxRetryAfter is the longest Retry-After the SDK will sleep through. A
// longer one ends the call at once with the server's error.
const MaxRetryAfter = 60 * time.Second

// Check decides whether an attempt that ended with resp or err may be sent
// again, and why. connMade tells whether a connection to the server was
// obtained during the attempt (after which request bytes may have left).
// Errors the caller has already judged permanent (a cancelled context, a
// refused redirect) must not reach Check. now gives the time a Retry-After
// date is read against, the same the caller gives Wait; Check reads no
// clock but now, and only for a 503 with Retry-After.
func Check(class Class, resp *http.Response, err error, connMade bool, now func() time.Time) (retry bool, reason string) {
	if err != nil {
		if permanentTransportError(err) {
			return false, ""
		}
		if class == Send {
			// Only an attempt that never reached the server is safe to repeat.
			if !connMade && isDialError(err) {
				return true, "connection not established: " + err.Error()
			}
			return false, ""
		}
		return true, "transport error: " + err.Error()
	}
	if resp == nil {
		return false, ""
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests:
		return true, "429 Too Many Requests"
	case class == Send:
		if code == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
			if _, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), now()); ok {
				return true, "503 Service Unavailable with Retry-After"
			}
		}
		return false, ""
	case code >= 500 && code != http.StatusNotImplemented:
		return true, strconv.Itoa(code) + " " + http.StatusText(code)
	}
	return false, ""
}

// isDialError reports whether err happened while connecting: DNS lookup,
// refused or timed-out dial, or the proxy dial. No byte of the request was
// written.
func isDialError(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Op == "dial" || opErr.Op == "proxyconnect"
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// permanentTransportError reports transport errors that another attempt
// cannot mend: a bad certificate, a TLS handshake the server refused (an
// alert, such as protocol_version for a TLS version below the client's
// minimum), a server that does not speak TLS, an unsupported scheme, or a
// header value net/http will not send.
func permanentTransportError(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		certInvalid x509.CertificateInvalidError
		hostname    x509.HostnameError
		record      tls.RecordHeaderError
		opErr       *net.OpError
	)
	switch {
	case errors.As(err, &unknownAuth), errors.As(err, &certInvalid), errors.As(err, &hostname),
		errors.As(err, &record):
		return true
	case errors.As(err, &opErr) && opErr.Op == "remote error": // a TLS alert from the server
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "invalid header field")
}

// maxRetryAfterParsed bounds what ParseRetryAfter returns, whatever the
// server sent: far beyond MaxRetryAfter, so still never slept.
const maxRetryAfterParsed = 365 * 24 * time.Hour

// ParseRetryAfter reads a Retry-After value, in seconds or as an HTTP date
// (relative to now). ok is false when the value is absent or unreadable. A
// date in the past is a zero wait; a wait beyond a year (a number too large
// for int64 included) is a year.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if secs < 0 {
			return 0, false
		}
		if err != nil || secs > int64(maxRetryAfterParsed/time.Second) {
			return maxRetryAfterParsed, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfterParsed), true
}

// Wait returns how long to wait before retry number attempt+1 (attempt counts
// from 0): the server's Retry-After (seconds or an HTTP date, read relative
// to now) when it sent one, whatever min and max say, or else Backoff(min,
// max, attempt). ok is false when the call must not wait at all but return
// the answer it has: the Retry-After is longer than MaxRetryAfter, or the
// wait would end after deadline (the zero time: no deadline).
func Wait(min, max time.Duration, attempt int, retryAfter string, now, deadline time.Time) (wait time.Duration, ok bool) {
	if d, has := ParseRetryAfter(retryAfter, now); has {
		if d > MaxRetryAfter {
			return d, false
		}
		wait = d
	} else {
		wait = Backoff(min, max, attempt)
	}
	if !deadline.IsZero() && now.Add(wait).After(deadline) {
		return wait, false
	}
	return wait, true
}

// Backoff returns the wait before retry number attempt+1 (attempt counts
// from 0): exponential with full jitter, drawn uniformly from [min, cap]
// where cap = min(max, min·2^(attempt+1)).
func Backoff(min, max time.Duration, attempt int) time.Duration {
	if min <= 0 {
		return 0
	}
	if max < min {
		max = min
	}
	ceil := min
	for i := 0; i <= attempt && ceil < max; i++ {
		if ceil > max/2 {
			ceil = max
			break
		}
		ceil *= 2
	}
	if ceil > max {
		ceil = max
	}
	if ceil == min {
		return min
	}
	return min + rand.N(ceil-min+1)
}
