package retry

import (
	"net/http"
	"time"
)

// Attempt is what the retry rule knows of an attempt that is over.
type Attempt struct {
	Class Class
	// Number counts from 0; Max is how many retries the client allows.
	Number, Max int
	// Resp is the attempt's answer, nil when it ended in Err.
	Resp *http.Response
	Err  error
	// ConnMade tells whether a connection was obtained during the attempt,
	// after which bytes of the request may have left.
	ConnMade bool
	// Replayable tells whether the request's body can be sent again.
	Replayable bool
	// Final tells that the call is over whatever the rule says: its
	// context has ended, or Err is one the SDK judges final (a refused
	// redirect, an answer over the size cap, a file that changed).
	Final bool
}

// Decide applies the retry rule to an attempt: whether to send it again,
// why, and after how long. waitMin and waitMax bound the backoff; now
// gives the time a Retry-After date is read against, and is called only
// for an attempt that may be retried (an answer that ends the call reads
// no clock); deadline the context's
// (the zero time: none). An answer whose wait would outlast the deadline,
// or whose Retry-After is beyond MaxRetryAfter, is not retried: the caller
// gets it at once.
func Decide(a Attempt, waitMin, waitMax time.Duration, now func() time.Time, deadline time.Time) (again bool, reason string, wait time.Duration) {
	if a.Final || !a.Replayable || a.Number >= a.Max {
		return false, "", 0
	}
	if again, reason = Check(a.Class, a.Resp, a.Err, a.ConnMade, now); !again {
		return false, "", 0
	}
	var retryAfter string
	if a.Resp != nil {
		retryAfter = a.Resp.Header.Get("Retry-After")
	}
	wait, again = Wait(waitMin, waitMax, a.Number, retryAfter, now(), deadline)
	if !again {
		return false, "", 0
	}
	return true, reason, wait
}

// Outcome is what the rule knows of a call that has failed, to tell
// whether the API may have acted on it.
type Outcome struct {
	Class Class
	// Attempted tells whether an attempt was made at all.
	Attempted bool
	// WaitEnded tells that the call ended while it waited to retry, which
	// a send does only after an answer saying the API did not act (429,
	// 503 with Retry-After) or a dial that failed.
	WaitEnded bool
	// Status is the status of the error answer the call ended with, 0
	// when it ended otherwise: an answer that could not be read whole or
	// decoded, or too large; a refused redirect; a transport error; the
	// context's end.
	Status int
	// Responded tells whether the last attempt got an answer's status
	// line and headers; ConnMade whether it obtained a connection.
	Responded, ConnMade bool
}

// OutcomeUnknown reports whether a failed call leaves open whether the API
// acted: only a Send can, once its last attempt reached the API and no
// definite answer came back — a 3xx, a 5xx other than 501, or no answer
// at all after a connection was obtained. A 4xx, a 501 and a dial that
// never connected are definite: the API did not act.
func OutcomeUnknown(o Outcome) bool {
	if o.Class != Send || !o.Attempted || o.WaitEnded {
		return false
	}
	if s := o.Status; s != 0 {
		return (s >= 300 && s < 400) || (s >= 500 && s != http.StatusNotImplemented)
	}
	return o.Responded || o.ConnMade
}
