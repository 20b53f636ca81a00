package chatinctest

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// bodyBudget is the bytes of request bodies the server may still hold, as
// WithBodyMemory sets; a nil budget has no bound.
type bodyBudget struct {
	mu    sync.Mutex
	limit int64
	free  int64
}

func newBodyBudget(n int64) *bodyBudget {
	if n < 0 {
		return nil
	}
	return &bodyBudget{limit: n, free: n}
}

// take charges n bytes, if they are free.
func (b *bodyBudget) take(n int64) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.free {
		return false
	}
	b.free -= n
	return true
}

// give returns n bytes taken.
func (b *bodyBudget) give(n int64) {
	if b == nil || n == 0 {
		return
	}
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
}

// overBudget is the error of a request body past the budget: a 503 the
// client may retry after a second, the server not having acted.
func (b *bodyBudget) overBudget() error {
	return &httpError{status: http.StatusServiceUnavailable, retryAfter: "1", message: fmt.Sprintf(
		"the server is out of capacity: it holds at most %d MiB of request bodies at once; try again", b.limit>>20)}
}

// admit charges the body of r up front, when its length is known and
// within maxUploadBody (a longer one is the route's 413): all of it, or
// the error that refuses it. A body of unknown length is charged as it is
// read.
func (b *bodyBudget) admit(r *http.Request, body *heldBody) error {
	n := r.ContentLength
	if b == nil || n <= 0 || n > maxUploadBody {
		return nil
	}
	if n > b.limit {
		return httpErrorf(http.StatusRequestEntityTooLarge,
			"request body too large: %d bytes, more than the %d MiB of request bodies the server holds at once", n, b.limit>>20)
	}
	if !b.take(n) {
		return b.overBudget()
	}
	body.held, body.prepaid = n, n
	return nil
}

// heldBody is a request body whose bytes are charged to the budget (up
// front by admit, or as they are read) until the request is answered
// (release).
type heldBody struct {
	io.ReadCloser
	budget     *bodyBudget
	held       int64 // charged
	prepaid    int64 // charged by admit, not yet read
	over       bool
	discarding bool // what is read now is thrown away: not charged
}

func (h *heldBody) Read(p []byte) (int, error) {
	if h.discarding {
		return h.ReadCloser.Read(p)
	}
	if h.over {
		return 0, h.budget.overBudget()
	}
	n, err := h.ReadCloser.Read(p)
	paid := min(int64(n), h.prepaid)
	h.prepaid -= paid
	if owed := int64(n) - paid; owed > 0 {
		if !h.budget.take(owed) {
			h.over = true
			return 0, h.budget.overBudget()
		}
		h.held += owed
	}
	return n, err
}

// discard stops charging what is read from now on, which is thrown away,
// and gives back what admit charged for bytes not yet read: a body that
// is refused is not held while the rest of it arrives.
func (h *heldBody) discard() {
	h.discarding = true
	h.budget.give(h.prepaid)
	h.held -= h.prepaid
	h.prepaid = 0
}

// release gives back what the request held.
func (h *heldBody) release() {
	h.budget.give(h.held)
	h.held = 0
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
