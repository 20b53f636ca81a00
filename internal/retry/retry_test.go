package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The rule of API.md's "Retries", cell by cell: each class against each
// answer and transport error.

func response(code int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: code, Header: h}
}

// urlErr wraps err as http.Client.Do does.
func urlErr(err error) error {
	return &url.Error{Op: "Post", URL: "https://api.example/v1/run/campaign", Err: err}
}

var (
	errRefused = urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	errDNS     = urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}})
	errProxy   = urlErr(&net.OpError{Op: "proxyconnect", Net: "tcp", Err: syscall.ECONNREFUSED})
	errReset   = urlErr(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	errEOF     = urlErr(io.EOF)
	errTimeout = urlErr(context.DeadlineExceeded)
	errCert    = urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}})
	errAlert   = urlErr(&net.OpError{Op: "remote error", Err: errors.New("tls: protocol version not supported")})
	errNotTLS  = urlErr(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"})
	errScheme  = urlErr(errors.New("unsupported protocol scheme \"ftp\""))
	errHeader  = urlErr(errors.New("net/http: invalid header field value for \"User-Agent\""))
)

func TestCheck(t *testing.T) {
	type cell struct {
		read, write, send bool
	}
	retried := cell{true, true, true}
	notSend := cell{true, true, false}
	never := cell{}
	tests := []struct {
		name     string
		resp     *http.Response
		err      error
		connMade bool
		want     cell
	}{
		{"dial refused", nil, errRefused, false, retried},
		{"DNS failure", nil, errDNS, false, retried},
		{"proxy dial refused", nil, errProxy, false, retried},
		{"dial error after a connection was made", nil, errRefused, true, notSend},
		{"connection reset after send", nil, errReset, true, notSend},
		{"EOF after send", nil, errEOF, true, notSend},
		{"response timeout", nil, errTimeout, true, notSend},
		{"timeout before any connection", nil, errTimeout, false, notSend},
		{"bad certificate", nil, errCert, false, never},
		{"TLS alert from the server", nil, errAlert, false, never},
		{"server does not speak TLS", nil, errNotTLS, false, never},
		{"unsupported scheme", nil, errScheme, false, never},
		{"invalid header", nil, errHeader, false, never},
		{"200", response(200, ""), nil, true, never},
		{"201", response(201, ""), nil, true, never},
		{"301", response(301, ""), nil, true, never},
		{"400", response(400, ""), nil, true, never},
		{"401", response(401, ""), nil, true, never},
		{"404", response(404, ""), nil, true, never},
		{"409", response(409, ""), nil, true, never},
		{"429", response(429, ""), nil, true, retried},
		{"429 with Retry-After", response(429, "3"), nil, true, retried},
		{"500", response(500, ""), nil, true, notSend},
		{"500 with Retry-After", response(500, "1"), nil, true, notSend},
		{"501", response(501, ""), nil, true, never},
		{"501 with Retry-After", response(501, "1"), nil, true, never},
		{"502", response(502, ""), nil, true, notSend},
		{"503", response(503, ""), nil, true, notSend},
		{"503 with Retry-After seconds", response(503, "2"), nil, true, retried},
		{"503 with Retry-After date", response(503, "Wed, 21 Oct 2015 07:28:00 GMT"), nil, true, retried},
		{"503 with an unreadable Retry-After", response(503, "soon"), nil, true, notSend},
		{"504", response(504, ""), nil, true, notSend},
		{"599", response(599, ""), nil, true, notSend},
		{"no answer, no error", nil, nil, true, never},
	}
	for _, tt := range tests {
		for _, class := range []Class{Read, IdempotentWrite, Send} {
			want := map[Class]bool{Read: tt.want.read, IdempotentWrite: tt.want.write, Send: tt.want.send}[class]
			got, reason := Check(class, tt.resp, tt.err, tt.connMade, time.Now)
			if got != want {
				t.Errorf("%s, %s: Check = %v (%q), want %v", tt.name, class, got, reason, want)
			}
			if got && reason == "" {
				t.Errorf("%s, %s: a retry without a reason", tt.name, class)
			}
		}
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{Read: "read", IdempotentWrite: "idempotent-write", Send: "send", Class(9): "class(9)"} {
		if got := c.String(); got != want {
			t.Errorf("Class(%d).String() = %q, want %q", int(c), got, want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"3600", time.Hour, true},
		{"99999999999999999", 365 * 24 * time.Hour, true},    // capped, never overflows
		{"99999999999999999999", 365 * 24 * time.Hour, true}, // beyond int64: still a very long wait
		{"-99999999999999999999", 0, false},
		{"Sun Nov 1 0:00:00 2070", 365 * 24 * time.Hour, true}, // a far date is capped too
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true}, // a past date: no wait
		{"Sat, 01 Mar 2025 12:00:05 GMT", 5 * time.Second, true},
		{"Saturday, 01-Mar-25 12:00:05 GMT", 5 * time.Second, true}, // RFC 850
		{"Sat Mar  1 12:00:05 2025", 5 * time.Second, true},         // ANSI C
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	for _, b := range []struct{ min, max time.Duration }{
		{time.Millisecond, 2 * time.Millisecond},
		{500 * time.Millisecond, 8 * time.Second},
		{time.Second, time.Second},
		{time.Nanosecond, time.Duration(1<<63 - 1)},
	} {
		for attempt := 0; attempt < 70; attempt++ {
			ceil := b.min << (attempt + 1)
			if attempt+1 >= 63 || ceil <= 0 || ceil > b.max {
				ceil = b.max
			}
			for i := 0; i < 50; i++ {
				got := Backoff(b.min, b.max, attempt)
				if got < b.min || got > ceil {
					t.Fatalf("Backoff(%v, %v, %d) = %v, outside [%v, %v]", b.min, b.max, attempt, got, b.min, ceil)
				}
			}
		}
	}
	if got := Backoff(0, time.Second, 3); got != 0 {
		t.Errorf("Backoff with min 0 = %v, want 0", got)
	}
	if got := Backoff(time.Second, time.Millisecond, 3); got != time.Second {
		t.Errorf("Backoff with max < min = %v, want min", got)
	}
}

// TestBackoffJitter checks that the waits spread over their whole range:
// exponential growth of the ceiling, with full jitter below it.
func TestBackoffJitter(t *testing.T) {
	const min, max = 100 * time.Millisecond, 10 * time.Second
	for attempt, ceil := range []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond} {
		lo, hi := ceil, time.Duration(0)
		for i := 0; i < 2000; i++ {
			d := Backoff(min, max, attempt)
			lo, hi = minDur(lo, d), maxDur(hi, d)
		}
		span := ceil - min
		if lo > min+span/10 || hi < ceil-span/10 {
			t.Errorf("attempt %d: waits in [%v, %v], want spread over [%v, %v]", attempt, lo, hi, min, ceil)
		}
	}
}

func minDur(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

func TestWait(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	const min, max = time.Millisecond, 2 * time.Millisecond
	tests := []struct {
		name       string
		retryAfter string
		deadline   time.Time
		wantMin    time.Duration
		wantMax    time.Duration
		wantOK     bool
	}{
		{"no Retry-After: backoff", "", time.Time{}, min, max, true},
		{"Retry-After beyond the backoff bounds is honoured", "5", time.Time{}, 5 * time.Second, 5 * time.Second, true},
		{"Retry-After of 60 s is honoured", "60", time.Time{}, time.Minute, time.Minute, true},
		{"Retry-After over 60 s is not slept", "61", time.Time{}, 61 * time.Second, 61 * time.Second, false},
		{"Retry-After date", now.Add(10 * time.Second).Format(http.TimeFormat), time.Time{}, 10 * time.Second, 10 * time.Second, true},
		{"Retry-After past the deadline", "30", now.Add(2 * time.Second), 30 * time.Second, 30 * time.Second, false},
		{"Retry-After before the deadline", "1", now.Add(2 * time.Second), time.Second, time.Second, true},
		{"backoff past the deadline", "", now.Add(time.Microsecond), min, max, false},
		{"unreadable Retry-After: backoff", "later", time.Time{}, min, max, true},
	}
	for _, tt := range tests {
		got, ok := Wait(min, max, 0, tt.retryAfter, now, tt.deadline)
		if ok != tt.wantOK || got < tt.wantMin || got > tt.wantMax {
			t.Errorf("%s: Wait = %v, %v; want [%v, %v], %v", tt.name, got, ok, tt.wantMin, tt.wantMax, tt.wantOK)
		}
	}
}

// FuzzParseRetryAfter checks that any header value parses without panic to
// a wait that is never negative and never beyond a year.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "-5", "1e3", "Wed, 21 Oct 2015 07:28:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994", "", " ", "99999999999999999999", "+3"} {
		f.Add(s)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 || d > 365*24*time.Hour {
			t.Fatalf("ParseRetryAfter(%q) = %v", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false", v, d)
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 && n < 3600 && (!ok || d != time.Duration(n)*time.Second) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v; want %ds", v, d, ok, n)
		}
	})
}

// FuzzBackoff checks the bounds for any min, max and attempt.
func FuzzBackoff(f *testing.F) {
	f.Add(int64(time.Millisecond), int64(2*time.Millisecond), 0)
	f.Add(int64(500*time.Millisecond), int64(8*time.Second), 5)
	f.Add(int64(1), int64(1<<62), 100)
	f.Add(int64(1<<62), int64(1<<63-1), 1)
	f.Fuzz(func(t *testing.T, min, max int64, attempt int) {
		lo, hi := time.Duration(min), time.Duration(max)
		if lo <= 0 || attempt < 0 {
			return
		}
		d := Backoff(lo, hi, attempt)
		if hi < lo {
			hi = lo
		}
		if d < lo || d > hi {
			t.Fatalf("Backoff(%v, %v, %d) = %v", lo, hi, attempt, d)
		}
	})
}

func ExampleCheck() {
	// A 503 with Retry-After: the server says it did not act, so even a
	// sending call may be retried; without the header it may not.
	with := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"2"}}}
	without := &http.Response{StatusCode: 503, Header: http.Header{}}
	ok1, _ := Check(Send, with, nil, true, time.Now)
	ok2, _ := Check(Send, without, nil, true, time.Now)
	ok3, _ := Check(Read, without, nil, true, time.Now)
	fmt.Println(ok1, ok2, ok3)
	// Output: true false true
}
