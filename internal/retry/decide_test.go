package retry

import (
	"net/http"
	"testing"
	"time"
)

// TestDecide: what Decide adds to Check, row by row: the call's end, a
// body that cannot be sent again, the retry budget, and waits that would
// outlast the context or a Retry-After past MaxRetryAfter.
func TestDecide(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	base := Attempt{Class: Read, Max: 3, Replayable: true, Resp: response(503, "")}
	tests := []struct {
		name     string
		edit     func(*Attempt)
		deadline time.Time
		again    bool
		wait     time.Duration // exact when positive
	}{
		{"503, a read", func(*Attempt) {}, time.Time{}, true, 0},
		{"the call is over", func(a *Attempt) { a.Final = true }, time.Time{}, false, 0},
		{"a body that cannot be sent again", func(a *Attempt) { a.Replayable = false }, time.Time{}, false, 0},
		{"retries used up", func(a *Attempt) { a.Number = 3 }, time.Time{}, false, 0},
		{"the last retry", func(a *Attempt) { a.Number = 2 }, time.Time{}, true, 0},
		{"a 503 without Retry-After, a send", func(a *Attempt) { a.Class = Send }, time.Time{}, false, 0},
		{"a 503 with Retry-After, a send", func(a *Attempt) { a.Class, a.Resp = Send, response(503, "2") }, time.Time{}, true, 2 * time.Second},
		{"Retry-After past MaxRetryAfter", func(a *Attempt) { a.Resp = response(429, "61") }, time.Time{}, false, 0},
		{"a wait past the deadline", func(a *Attempt) { a.Resp = response(429, "5") }, now.Add(4 * time.Second), false, 0},
		{"a wait within the deadline", func(a *Attempt) { a.Resp = response(429, "5") }, now.Add(6 * time.Second), true, 5 * time.Second},
		{"a 400", func(a *Attempt) { a.Resp = response(400, "") }, time.Time{}, false, 0},
		{"a dial error, a send", func(a *Attempt) { a.Class, a.Resp, a.Err = Send, nil, errRefused }, time.Time{}, true, 0},
		{"a reset after a connection, a send", func(a *Attempt) { a.Class, a.Resp, a.Err, a.ConnMade = Send, nil, errReset, true }, time.Time{}, false, 0},
	}
	for _, tt := range tests {
		a := base
		tt.edit(&a)
		again, reason, wait := Decide(a, time.Millisecond, 4*time.Millisecond, func() time.Time { return now }, tt.deadline)
		if again != tt.again {
			t.Errorf("%s: again = %v, want %v (reason %q)", tt.name, again, tt.again, reason)
			continue
		}
		switch {
		case !again && (reason != "" || wait != 0):
			t.Errorf("%s: no retry, but reason %q and wait %v", tt.name, reason, wait)
		case again && reason == "":
			t.Errorf("%s: a retry without a reason", tt.name)
		case again && tt.wait > 0 && wait != tt.wait:
			t.Errorf("%s: wait %v, want %v", tt.name, wait, tt.wait)
		case again && tt.wait == 0 && (wait < time.Millisecond || wait > 4*time.Millisecond):
			t.Errorf("%s: wait %v, want the backoff's [1ms, 4ms]", tt.name, wait)
		}
	}
}

// TestDecideClockOnlyToRetry: an answer that ends the call (a 2xx, a 4xx,
// a send's 500) reads no clock, which costs a small call as much as
// decoding its answer on some machines; one that may be retried does.
func TestDecideClockOnlyToRetry(t *testing.T) {
	for _, a := range []Attempt{
		{Class: Read, Max: 3, Replayable: true, Resp: response(200, "")},
		{Class: Read, Max: 3, Replayable: true, Resp: response(404, "")},
		{Class: Send, Max: 3, Replayable: true, Resp: response(500, "")},
		{Class: Send, Max: 3, Replayable: true, Resp: response(503, "")},
	} {
		read := false
		Decide(a, time.Millisecond, 4*time.Millisecond, func() time.Time { read = true; return time.Now() }, time.Time{})
		if read {
			t.Errorf("a %d to a %s call read the clock", a.Resp.StatusCode, a.Class)
		}
	}
	read := false
	again, _, _ := Decide(Attempt{Class: Send, Max: 3, Replayable: true, Resp: response(503, "2")},
		time.Millisecond, 4*time.Millisecond, func() time.Time { read = true; return time.Now() }, time.Time{})
	if !again || !read {
		t.Errorf("a send's 503 with Retry-After: again %v, clock read %v; want both", again, read)
	}
}

// TestOutcomeUnknown: the cells of ErrOutcomeUnknown.
func TestOutcomeUnknown(t *testing.T) {
	sent := Outcome{Class: Send, Attempted: true}
	tests := []struct {
		name string
		o    Outcome
		want bool
	}{
		{"a read never is", Outcome{Class: Read, Attempted: true, Status: 502}, false},
		{"an idempotent write never is", Outcome{Class: IdempotentWrite, Attempted: true, ConnMade: true}, false},
		{"no attempt made", Outcome{Class: Send, ConnMade: true}, false},
		{"ended while waiting to retry", Outcome{Class: Send, Attempted: true, WaitEnded: true, Status: 429}, false},
		{"a 502", Outcome{Class: Send, Attempted: true, Status: 502}, true},
		{"a 500", Outcome{Class: Send, Attempted: true, Status: 500}, true},
		{"a 501", Outcome{Class: Send, Attempted: true, Status: 501}, false},
		{"a 302 not followed", Outcome{Class: Send, Attempted: true, Status: 302}, true},
		{"a 400", Outcome{Class: Send, Attempted: true, Status: 400}, false},
		{"a 429", Outcome{Class: Send, Attempted: true, Status: http.StatusTooManyRequests}, false},
		{"a body cut off after its headers", Outcome{Class: Send, Attempted: true, Responded: true}, true},
		{"a reset after a connection", Outcome{Class: Send, Attempted: true, ConnMade: true}, true},
		{"a dial that never connected", sent, false},
	}
	for _, tt := range tests {
		if got := OutcomeUnknown(tt.o); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
