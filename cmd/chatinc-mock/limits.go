package main

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// The defaults of the flags that keep a slow or hostile client from
// holding the server.
const (
	defaultReadTimeout  = time.Minute     // a request, body included
	defaultWriteTimeout = time.Minute     // an answer, once the request's headers are read; -delay adds to it
	defaultIdleTimeout  = 2 * time.Minute // a kept-alive connection between requests
	defaultMaxRequests  = 256             // requests handled at once
)

// writeTimeout is the -write-timeout in effect: the flag's value if set.
// Else, as net/http starts the write deadline when a request's headers are
// read, so that it covers reading the body too: the default or the read
// timeout, whichever is longer, plus the longest -delay, so that a request
// given its time to arrive, or a delayed answer, is still answered; none
// with -read-timeout 0, which lets a body take as long as it takes.
func writeTimeout(flag, read time.Duration, delays []time.Duration) time.Duration {
	if flag > 0 {
		return flag
	}
	if read <= 0 {
		return 0
	}
	longest := time.Duration(0)
	for _, d := range delays {
		longest = max(longest, d)
	}
	return max(defaultWriteTimeout, read) + longest
}

// headerTimeout is the time a request's headers have to arrive: 10 s, or
// the read timeout when it is shorter. It stays with -read-timeout 0, so
// that a client cannot hold a connection by sending headers slowly.
func headerTimeout(read time.Duration) time.Duration {
	if read > 0 {
		return min(10*time.Second, read)
	}
	return 10 * time.Second
}

// limitRequests serves h to at most n requests at once; one more is
// answered 503 with "Retry-After: 1" at once, in the API's error shape, as
// an API out of capacity would (the simulator does not see it: it is not
// in its request log). n <= 0 sets no bound.
func limitRequests(n int, h http.Handler) http.Handler {
	if n <= 0 {
		return h
	}
	slots := make(chan struct{}, n)
	busy := fmt.Sprintf(`{"status":"error","message":"chatinc-mock is handling %d requests at once (-max-requests); try again"}`+"\n", n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			h.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, busy)
		}
	})
}
