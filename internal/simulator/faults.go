package simulator

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is an answer to give instead of the API's (chatinctest.Fault
// documents the fields).
type Fault struct {
	Status      int
	RetryAfter  string
	Body        string
	ContentType string
	Drop        bool
	Delay       time.Duration
	ActFirst    bool
}

// faultQueue holds the faults injected for each path, first in first out.
type faultQueue struct {
	mu     sync.Mutex
	byPath map[string][]pendingFault
}

// pendingFault is a fault and how many more requests it is to take.
type pendingFault struct {
	fault Fault
	left  int
}

// InjectFault makes the next n requests to path (relative to /v1, such as
// "/create/campaign") get f instead of the API's answer. Faults injected for
// the same path queue up: the first is used up before the next one starts.
// n <= 0 injects nothing. A Status outside 200–599 is taken as 500.
func (s *Simulator) InjectFault(path string, n int, f Fault) {
	if n <= 0 {
		return
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		f.Status = http.StatusInternalServerError
	}
	q := &s.faults
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byPath == nil {
		q.byPath = make(map[string][]pendingFault)
	}
	path = normalizePath(path)
	q.byPath[path] = append(q.byPath[path], pendingFault{f, n})
}

// take uses up one request of the first fault queued for path.
func (q *faultQueue) take(path string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	pending := q.byPath[path]
	if len(pending) == 0 {
		return Fault{}, false
	}
	f := pending[0].fault
	if pending[0].left--; pending[0].left == 0 {
		q.byPath[path] = pending[1:]
	}
	return f, true
}

// serveFault answers a request with f and reports whether it did; false
// means the fault was a delay alone and the request is to be handled as
// usual.
func (s *Simulator) serveFault(c *call, f Fault) bool {
	if f.Delay > 0 {
		// net/http notices that a client has gone away only once the
		// request body has been read, so read it before waiting.
		body, err := io.ReadAll(http.MaxBytesReader(c.w.ResponseWriter, c.r.Body, maxUploadBody))
		if err != nil {
			c.fail(bodyError("reading the body", err))
			return true
		}
		c.r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closed:
		case <-c.r.Context().Done():
			return true // the client has gone: nothing to answer
		}
	}
	if f.Status == 0 && !f.Drop {
		return false
	}
	if !c.acted {
		c.capture()
	}
	if f.Drop {
		conn, _, err := http.NewResponseController(c.w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler) // HTTP/2: net/http resets the stream
		}
		_ = conn.Close()
		return true
	}
	if f.RetryAfter != "" {
		c.w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body == "" {
		msg := http.StatusText(f.Status)
		if msg == "" {
			msg = fmt.Sprint(f.Status)
		}
		c.fail(errorf(f.Status, "injected fault: %s", msg))
		return true
	}
	if f.ContentType != "" {
		c.w.Header().Set("Content-Type", f.ContentType)
	}
	c.w.WriteHeader(f.Status)
	_, _ = io.WriteString(c.w, f.Body)
	return true
}

// capture reads the whole request body into the log, as the endpoint would
// have: a JSON body up to maxLoggedBody, or the parts of a multipart one.
func (c *call) capture() {
	c.r.Body = http.MaxBytesReader(c.w.ResponseWriter, c.r.Body, maxUploadBody)
	if mediaType, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type")); strings.HasPrefix(mediaType, "multipart/") {
		_, _ = c.readParts(nil)
	} else {
		body, _ := io.ReadAll(io.LimitReader(c.r.Body, maxLoggedBody))
		c.sim.log.setBody(c.entry, body)
	}
	_, _ = io.Copy(io.Discard, c.r.Body)
}

// limiter allows at most n requests in any window of length per (a sliding
// log of the last n accepted requests). A zero limiter allows everything.
type limiter struct {
	n     int
	per   time.Duration
	mu    sync.Mutex
	times []time.Time // ring of the last n acceptance times
	next  int         // the oldest, once the ring is full
}

func newLimiter(n int, per time.Duration) *limiter {
	if n <= 0 || per <= 0 {
		return &limiter{}
	}
	return &limiter{n: n, per: per, times: make([]time.Time, 0, n)}
}

// allow reports whether a request arriving at now is within the limit, and
// if not, how long until it would be.
func (l *limiter) allow(now time.Time) (time.Duration, bool) {
	if l.n <= 0 {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.times) < l.n {
		l.times = append(l.times, now)
		return 0, true
	}
	if wait := l.per - now.Sub(l.times[l.next]); wait > 0 {
		return wait, false
	}
	l.times[l.next] = now
	l.next = (l.next + 1) % l.n
	return 0, true
}
