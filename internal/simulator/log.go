package simulator

import (
	"net/http"
	"slices"
	"sync"
)

// Bounds of the request log, so that a simulator serving many or large
// requests (30,000-row uploads, a long-running chatinc-mock) holds a
// bounded amount of memory.
const (
	// maxLoggedBody caps the request body kept in the log.
	maxLoggedBody = 64 << 10
	// maxLoggedParts caps the parts of a multipart request kept in the log.
	maxLoggedParts = 64
	// DefaultRequestLog is how many recent requests the log keeps when
	// Config.RequestLog is 0.
	DefaultRequestLog = 1000
)

// Request is a request the simulator received (chatinctest.Request
// documents the fields).
type Request struct {
	Method      string
	Path        string
	RawQuery    string
	ContentType string
	Authorized  bool
	Body        []byte
	Parts       []Part
	Status      int
	Warnings    []string
}

// Part is one part of a multipart request (chatinctest.Part documents the
// fields).
type Part struct {
	Name        string
	FileName    string
	ContentType string
	Size        int64
	Value       string
}

// requestLog is the log of the requests received, in the order they
// arrived: a ring of the most recent ones, and a count by path of all of
// them. Entries are filled in as their requests are read and answered; an
// entry that has left the ring is still filled in by its request, under the
// log's lock, but no longer seen.
type requestLog struct {
	mu     sync.Mutex
	size   int            // capacity of the ring; 0 keeps no entry
	ring   []*Request     // len(ring) <= size
	next   int            // where the next entry goes once the ring is full
	counts map[string]int // requests by path, all of them
}

// newRequestLog returns a log keeping the last size requests (see
// Config.RequestLog for the meaning of 0 and negative values).
func newRequestLog(size int) requestLog {
	switch {
	case size == 0:
		size = DefaultRequestLog
	case size < 0:
		size = 0
	}
	return requestLog{size: size, counts: make(map[string]int)}
}

// start logs a request as it arrives.
func (l *requestLog) start(r *http.Request, path string, authorized bool) *Request {
	e := &Request{
		Method:      r.Method,
		Path:        path,
		RawQuery:    r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"),
		Authorized:  authorized,
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[path]++
	switch {
	case l.size == 0:
	case len(l.ring) < l.size:
		l.ring = append(l.ring, e)
	default:
		l.ring[l.next] = e
		l.next = (l.next + 1) % l.size
	}
	return e
}

// entries returns the ring's entries, oldest first. The caller holds l.mu.
func (l *requestLog) entries() []*Request {
	if len(l.ring) < l.size {
		return l.ring
	}
	return append(slices.Clone(l.ring[l.next:]), l.ring[:l.next]...)
}

// update changes e under the log's lock.
func (l *requestLog) update(e *Request, change func(e *Request)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	change(e)
}

// setBody logs the (non-multipart) body of e's request, up to maxLoggedBody.
func (l *requestLog) setBody(e *Request, body []byte) {
	body = slices.Clone(body[:min(len(body), maxLoggedBody)])
	l.update(e, func(e *Request) { e.Body = body })
}

// addPart logs one part of e's multipart request, up to maxLoggedParts.
func (l *requestLog) addPart(e *Request, p Part) {
	l.update(e, func(e *Request) {
		if len(e.Parts) < maxLoggedParts {
			e.Parts = append(e.Parts, p)
		}
	})
}

// Requests returns a copy of the log of the most recent requests received
// (see Config.RequestLog), in the order they arrived. A request still being
// answered has Status 0.
func (s *Simulator) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	entries := s.log.entries()
	out := make([]Request, len(entries))
	for i, e := range entries {
		out[i] = *e
		out[i].Body = slices.Clone(e.Body)
		out[i].Parts = slices.Clone(e.Parts)
	}
	return out
}

// RequestCount returns how many requests to path (relative to /v1, such as
// "/create/campaign") the simulator received, whatever their answer, since
// it started: requests that have left the log's ring are counted too.
func (s *Simulator) RequestCount(path string) int {
	path = normalizePath(path)
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.counts[path]
}

// recorder is the ResponseWriter the endpoints write to: it logs the status
// of the answer before any of it reaches the client.
type recorder struct {
	http.ResponseWriter
	log         *requestLog
	entry       *Request
	wroteHeader bool
}

// WriteHeader implements http.ResponseWriter.
func (w *recorder) WriteHeader(status int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		if w.log != nil {
			w.log.update(w.entry, func(e *Request) { e.Status = status })
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (w *recorder) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (to flush or
// hijack it).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
