package chatinctest

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

// Fault is an answer the server gives instead of the API's; see
// Handler.InjectFault.
type Fault struct {
	// Status is the HTTP status of the answer, such as 503. 0 with Drop
	// false: the fault is a delay alone, after which the API answers. A
	// status outside 200–599 is taken as 500.
	Status int
	// RetryAfter is the raw value of a Retry-After header to send, such as
	// "2" or an HTTP date; "" sends none.
	RetryAfter string
	// Body is the body of the answer. "" is the API's error JSON,
	// {"status":"error","message":"injected fault: <status text>"}.
	Body string
	// ContentType is the Content-Type of Body. "" is application/json for
	// the default body, and what net/http sniffs for any other.
	ContentType string
	// Drop makes the server read the whole request, then close the
	// connection without answering: the client gets a transport error (such
	// as io.EOF or a reset connection), not a status. Note that Go's
	// http.Transport itself resends a GET (or a request with an
	// Idempotency-Key header) once when a reused connection closes before
	// any answer, so such a request uses up two Drop faults before its
	// caller sees the error.
	Drop bool
	// Delay makes the server wait before answering. The wait ends early if
	// the client gives up (the request body is read first, so the server
	// notices) or the server is closed.
	Delay time.Duration
	// ActFirst makes the API carry the request out first, as it would
	// without the fault, and only then answer as the fault says: the
	// answer is lost, the effect is not (a campaign created or run, an
	// audience created), as when a connection drops or a gateway times out
	// after the server has acted. The request is logged with the fault's
	// Status (0 for a Drop). With neither Status nor Drop the fault is a
	// delay alone, after which the API acts and answers anyway.
	ActFirst bool
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

// InjectFault makes the next n requests to path get f instead of the API's
// answer. path is relative to the base URL, such as "/create/campaign".
// The API does not act on a request that gets a fault, except a fault that
// is a delay alone or has ActFirst. Faults injected for the same path queue
// up: the first is used up before the next one starts. n <= 0 injects
// nothing.
func (h *Handler) InjectFault(path string, n int, f Fault) {
	if n <= 0 {
		return
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		f.Status = http.StatusInternalServerError
	}
	h.faults.add(normalizePath(path), n, f)
}

// add queues f for the next n requests to path.
func (q *faultQueue) add(path string, n int, f Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byPath == nil {
		q.byPath = make(map[string][]pendingFault)
	}
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
func (h *Handler) serveFault(c *call, f Fault) bool {
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
		case <-h.closed:
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
		c.fail(httpErrorf(f.Status, "injected fault: %s", msg))
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
		c.h.log.setBody(c.entry, body)
	}
	c.discardBody(maxUploadBody)
}
