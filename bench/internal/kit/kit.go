// Package kit is the harness shared by chatinc-go's benchmarks (bench/ and
// the separate module bench/resty): the transport both sides use, the
// servers they call, the fixtures they send and expect, the capture that
// checks their bytes, and the runner that alternates the sides of a case.
package kit

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/internal/memtest"
)

// APIKey is the key every side sends.
const APIKey = "sk_bench_0123456789abcdef"

// UserAgent is what the SDK sends, and so what every baseline sends too.
var UserAgent = fmt.Sprintf("chatinc-go/%s (%s)", chatinc.Version, runtime.Version())

// The SDK's own transport's pool (chat.go: maxIdleConns and
// maxIdleConnsPerHost), given to every side, so that no side redials where
// another reuses a connection.
const (
	MaxIdleConns        = 1024
	MaxIdleConnsPerHost = 256
)

// Transport is the transport of every side: a clone of
// http.DefaultTransport with the SDK's pool.
func Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = MaxIdleConns
	t.MaxIdleConnsPerHost = MaxIdleConnsPerHost
	return t
}

// TLSTransport is Transport trusting srv's certificate, with HTTP/2 on.
func TLSTransport(srv *httptest.Server) *http.Transport {
	t := Transport()
	t.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	t.ForceAttemptHTTP2 = true
	return t
}

// SDK returns a client of baseURL (the server's, without "/v1") that does
// not retry.
func SDK(tb testing.TB, baseURL string, opts ...chatinc.Option) *chatinc.Client {
	tb.Helper()
	c, err := chatinc.NewClient(APIKey, append([]chatinc.Option{chatinc.WithBaseURL(baseURL + "/v1"), chatinc.WithRetryMax(0)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// OKAnswer is the answer of every write.
const OKAnswer = `{"status":"success","message":"Audience created","id":"a"}` + "\n"

// Handler answers every path of the API: the paths in bodies with their
// body, every other with OKAnswer, after reading the request to its end.
func Handler(bodies map[string][]byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		b, ok := bodies[r.URL.Path]
		if !ok {
			b = []byte(OKAnswer)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}
}

// NewServer starts an HTTP/1.1 loopback server of h.
func NewServer(tb testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// NewTLSServer starts a loopback TLS server of h with HTTP/2 enabled.
func NewTLSServer(tb testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv
}

// MemTransport answers every request in memory with Body: no network, so
// that only the clients' own costs are compared.
type MemTransport struct{ Body []byte }

// RoundTrip reads the request's body and answers 200 with m.Body.
func (m MemTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(m.Body)), Body: io.NopCloser(bytes.NewReader(m.Body)), Request: req}, nil
}

// Smoke reports whether CHATINC_BENCH_SMOKE is set: the bulk cases then
// use a hundredth of their rows, so that a run of every case checks the
// harness end to end in seconds.
func Smoke() bool { return os.Getenv("CHATINC_BENCH_SMOKE") != "" }

// Rows is n, or n/100 in smoke mode.
func Rows(n int) int {
	if Smoke() {
		return max(n/100, 10)
	}
	return n
}

// Side is one contender of a case: "sdk", or a baseline's name.
type Side struct {
	Name string
	Run  func(b *testing.B)
}

// Sides runs a case's sides as sub-benchmarks, one after the other, in the
// order given, or the reverse when CHATINC_BENCH_ORDER=baseline-first
// (scripts/bench-compare.sh flips it from run to run, so that no side
// always runs first, or last, in a process).
func Sides(b *testing.B, sides ...Side) {
	order := sides
	if os.Getenv("CHATINC_BENCH_ORDER") == "baseline-first" {
		order = make([]Side, len(sides))
		for i, s := range sides {
			order[len(sides)-1-i] = s
		}
	}
	for _, s := range order {
		b.Run(s.Name, s.Run)
	}
}

// Call is a side whose every iteration is one call.
type Call struct {
	Name string
	Do   func() error
}

// Loop returns the sub-benchmark that makes call b.N times from one
// goroutine, or from g goroutines sharing the b.N calls.
func Loop(g int, call func() error) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		if g <= 1 {
			for range b.N {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
			return
		}
		var (
			next  atomic.Int64
			wg    sync.WaitGroup
			first atomic.Pointer[error]
		)
		n := int64(b.N)
		for range g {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= n {
					if err := call(); err != nil {
						first.CompareAndSwap(nil, &err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := first.Load(); err != nil {
			b.Fatal(*err)
		}
	}
}

// Pair runs calls as the sides of a case (Sides), from g goroutines.
func Pair(b *testing.B, g int, calls ...Call) {
	sides := make([]Side, len(calls))
	for i, c := range calls {
		sides[i] = Side{c.Name, Loop(g, c.Do)}
	}
	Sides(b, sides...)
}

// PeakHeap returns the sub-benchmark that runs one b.N times, sampling the
// heap every millisecond, and reports the largest growth of the heap in
// use above its start in one run as peak-heap-MiB.
func PeakHeap(one func() error) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		var worst uint64
		for range b.N {
			var err error
			worst = max(worst, memtest.Measure(time.Millisecond, func() { err = one() }).PeakHeap)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MiB")
	}
}
