package simulator

import (
	"net/http"
	"slices"
	"sync"
)

// maxLoggedBody caps the request body kept in the log.
const maxLoggedBody = 1 << 20

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
// arrived. Entries are filled in as their requests are read and answered.
type requestLog struct {
	mu      sync.Mutex
	entries []*Request
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
	l.entries = append(l.entries, e)
	return e
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

// addPart logs one part of e's multipart request.
func (l *requestLog) addPart(e *Request, p Part) {
	l.update(e, func(e *Request) { e.Parts = append(e.Parts, p) })
}

// Requests returns a copy of the log of the requests received, in the
// order they arrived. A request still being answered has Status 0.
func (s *Simulator) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, len(s.log.entries))
	for i, e := range s.log.entries {
		out[i] = *e
		out[i].Body = slices.Clone(e.Body)
		out[i].Parts = slices.Clone(e.Parts)
	}
	return out
}

// RequestCount returns how many requests to path (relative to /v1, such as
// "/create/campaign") the simulator received, whatever their answer.
func (s *Simulator) RequestCount(path string) int {
	path = normalizePath(path)
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	n := 0
	for _, e := range s.log.entries {
		if e.Path == path {
			n++
		}
	}
	return n
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
		w.log.update(w.entry, func(e *Request) { e.Status = status })
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
