package chatinctest

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Bounds of the request log, so that a simulator serving many or large
// requests (30,000-row uploads, a long-running chatinc-mock) holds a
// bounded amount of memory.
const (
	// maxLoggedBody caps the request body kept in the log.
	maxLoggedBody = 64 << 10
	// maxLoggedParts caps the parts of a multipart request kept in the log.
	maxLoggedParts = 64
	// defaultRequestLog is how many recent requests the log keeps unless
	// WithRequestLog says otherwise.
	defaultRequestLog = 1000
)

// Request is a request the server received.
type Request struct {
	// Method is the HTTP method, such as "POST".
	Method string
	// Path is the URL path relative to the base URL, such as
	// "/create/campaign" (a path outside /v1 is kept whole).
	Path string
	// RawQuery is the query, without the "?".
	RawQuery string
	// ContentType is the request's Content-Type header.
	ContentType string
	// Authorized reports whether the request carried the API key. The
	// Authorization header itself is never stored.
	Authorized bool
	// Body is the request body, up to 64 KiB, as far as it was read: nil for
	// a multipart body (see Parts) and for requests rejected before it was
	// read, such as those without the API key.
	Body []byte
	// Parts are the parts of a multipart body, in order: the first 64.
	Parts []Part
	// Status is the HTTP status of the answer; 0 while it is being answered,
	// or if the connection was dropped or the client gave up first.
	Status int
	// Warnings are the warnings the server sent in the X-Chatinc-Mock-Warning
	// header of its answer, such as `unknown field "runImediately"
	// (did you mean "runImmediately"?)`. See WithStrict.
	Warnings []string
}

// Part is one part of a multipart request.
type Part struct {
	// Name is the form field name, such as "file" or "id".
	Name string
	// FileName is the file name the part gave, if any.
	FileName string
	// ContentType is the part's Content-Type header.
	ContentType string
	// Size is the length of the part's content in bytes, as far as it
	// was read.
	Size int64
	// Value is the content of a text part (one without a file name).
	Value string
}

// requestLog is the log of the requests received, in the order they
// arrived: a ring of the most recent ones, and a count and the Usage by
// path of all of them. Entries are filled in as their requests are read and answered; an
// entry that has left the ring is still filled in by its request, under the
// log's lock, but no longer seen.
type requestLog struct {
	mu     sync.Mutex
	size   int              // capacity of the ring; 0 keeps no entry
	ring   []*Request       // len(ring) <= size
	next   int              // where the next entry goes once the ring is full
	counts map[string]int   // requests by path, all of them
	usage  map[string]Usage // what answering them cost, by path
	// unknown is how many unknown paths counts holds one by one.
	unknown int
}

// newRequestLog returns a log keeping the last size requests: 0 is
// defaultRequestLog, a negative size none.
func newRequestLog(size int) requestLog {
	switch {
	case size == 0:
		size = defaultRequestLog
	case size < 0:
		size = 0
	}
	return requestLog{size: size, counts: make(map[string]int), usage: make(map[string]Usage)}
}

// OtherPaths is the path under which RequestCount and Usage count requests
// to unknown paths once 64 of them have been seen one by one, so that a
// client probing random paths does not grow the server's counters.
const OtherPaths = "(other paths)"

// maxUnknownPaths is how many unknown paths are counted one by one.
const maxUnknownPaths = 64

// start logs a request as it arrives, and returns the key its path is
// counted under: the path, or OtherPaths for an unknown path past the
// first maxUnknownPaths.
func (l *requestLog) start(r *http.Request, path string, authorized, known bool) (*Request, string) {
	e := &Request{
		Method:      r.Method,
		Path:        path,
		RawQuery:    r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"),
		Authorized:  authorized,
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := path
	if _, seen := l.counts[path]; !known && !seen {
		if l.unknown >= maxUnknownPaths {
			key = OtherPaths
		} else {
			l.unknown++
		}
	}
	l.counts[key]++
	switch {
	case l.size == 0:
	case len(l.ring) < l.size:
		l.ring = append(l.ring, e)
	default:
		l.ring[l.next] = e
		l.next = (l.next + 1) % l.size
	}
	return e, key
}

// snapshot returns a copy of the ring's entries, oldest first.
func (l *requestLog) snapshot() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	entries := l.ring
	if len(l.ring) == l.size {
		entries = append(slices.Clone(l.ring[l.next:]), l.ring[:l.next]...)
	}
	out := make([]Request, len(entries))
	for i, e := range entries {
		out[i] = *e
		out[i].Body = slices.Clone(e.Body)
		out[i].Parts = slices.Clone(e.Parts)
		out[i].Warnings = slices.Clone(e.Warnings)
	}
	return out
}

// count returns how many requests to path the log has seen, all of them.
func (l *requestLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[path]
}

// Usage is what the server spent answering the requests to one path: the
// simulator's own cost, to tell apart from its clients' under load.
type Usage struct {
	// Requests is how many requests to the path have been answered.
	Requests int
	// Handling is the time the handler spent on them, in all: from each
	// request's arrival until its answer was handed to net/http, the
	// writing of the answer included (so a client slow to read adds to
	// it).
	Handling time.Duration
	// Bytes is the size of the answers' bodies, in all.
	Bytes int64
}

// finish counts what answering a request to path cost.
func (l *requestLog) finish(path string, took time.Duration, bytes int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.usage[path]
	u.Requests++
	u.Handling += took
	u.Bytes += bytes
	l.usage[path] = u
}

// usageByPath returns a copy of the Usage of every path.
func (l *requestLog) usageByPath() map[string]Usage {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.usage)
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

// Requests returns a copy of the log of the most recent requests the server
// received (1000 unless WithRequestLog says otherwise), in the order they
// arrived, whatever their answer. A request still being answered has
// Status 0.
func (h *Handler) Requests() []Request { return h.log.snapshot() }

// RequestCount returns how many requests to path (relative to the base URL,
// such as "/create/campaign") the server received, whatever their answer:
// all of them, including those that have left the request log. Requests to
// unknown paths are counted one by one for the first 64 such paths, and
// under OtherPaths after that.
func (h *Handler) RequestCount(path string) int {
	if path != OtherPaths {
		path = normalizePath(path)
	}
	return h.log.count(path)
}

// Usage returns, by path relative to the base URL (such as
// "/retrieve/campaigns"), what the server has spent so far answering the
// requests to it: how many, the time in the handler and the bytes of the
// answers. Sampled twice, it tells the simulator's own throughput apart from
// its clients'. Unknown paths are counted as RequestCount counts them, so
// the map holds at most 64 of them and OtherPaths.
func (h *Handler) Usage() map[string]Usage { return h.log.usageByPath() }

// recorder is the ResponseWriter the endpoints write to: it logs the status
// of the answer before any of it reaches the client.
type recorder struct {
	http.ResponseWriter
	log         *requestLog
	entry       *Request
	wroteHeader bool
	written     int64 // bytes of body written
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
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
}

// WriteString writes s as Write does, without copying it where the
// ResponseWriter can (net/http's can).
func (w *recorder) WriteString(s string) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := io.WriteString(w.ResponseWriter, s)
	w.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (to flush or
// hijack it).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
