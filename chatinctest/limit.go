package chatinctest

import (
	"sync"
	"time"
)

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
