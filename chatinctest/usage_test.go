package chatinctest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// TestUsage checks that Usage counts, by path, the requests answered and
// the bytes of their answers, whatever the answer, and returns a copy.
func TestUsage(t *testing.T) {
	h := chatinctest.NewHandler()
	assert.Empty(t, h.Usage())
	var listed int64
	for range 3 {
		listed += int64(len(serve(t, h, http.MethodGet, "/retrieve/campaigns", "")))
		serve(t, h, http.MethodPost, "/create/campaign", `{"title":"t","message":"m"}`)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/retrieve/campaigns", nil)) // no API key
	unauthorized := int64(w.Body.Len())

	u := h.Usage()
	assert.Equal(t, 4, u["/retrieve/campaigns"].Requests)
	assert.Equal(t, listed+unauthorized, u["/retrieve/campaigns"].Bytes)
	assert.Equal(t, 3, u["/create/campaign"].Requests)
	assert.Positive(t, u["/create/campaign"].Bytes)
	assert.Positive(t, u["/retrieve/campaigns"].Handling+u["/create/campaign"].Handling)
	assert.Len(t, u, 2)
	delete(u, "/create/campaign")
	assert.Equal(t, 3, h.Usage()["/create/campaign"].Requests, "a copy")
}

// serve has h answer a request with its API key and returns the answer's
// body, requiring a 2xx.
func serve(t testing.TB, h *chatinctest.Handler, method, path, body string) string {
	req := httptest.NewRequest(method, "/v1"+path, strings.NewReader(body))
	req.Header.Set("Authorization", h.APIKey())
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	require.Less(t, w.Code, 300, "%s %s: %s", method, path, w.Body)
	return w.Body.String()
}

// discard is an http.ResponseWriter that counts and drops the answer.
type discard struct {
	header http.Header
	n      int64
}

func (w *discard) Header() http.Header         { return w.header }
func (w *discard) WriteHeader(int)             {}
func (w *discard) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }
func (w *discard) WriteString(s string) (int, error) {
	w.n += int64(len(s))
	return len(s), nil
}

// listingServer returns a simulator with n campaigns, each run once to one
// of n audiences.
func listingServer(tb testing.TB, n int) *chatinctest.Handler {
	h := chatinctest.NewHandler(chatinctest.WithRetention(n), chatinctest.WithRequestLog(-1))
	for i := range n {
		serve(tb, h, http.MethodPost, "/create/audience", fmt.Sprintf(`{"id":"aud-%05d","name":"A","contacts":[{"number":"+1555%07d"}]}`, i, i))
		serve(tb, h, http.MethodPost, "/create/campaign", fmt.Sprintf(`{"title":"T%d","message":"m","runImmediately":true,"audiences":["aud-%05d"]}`, i, i))
	}
	return h
}

// BenchmarkListings measures the simulator's own cost of listing n
// campaigns and n audiences, the answer dropped as it is written: a cost
// in proportion to the answer has the same B/op and ns/op per n.
func BenchmarkListings(b *testing.B) {
	for _, n := range []int{100, 1000, 10_000} {
		h := listingServer(b, n)
		for _, path := range []string{"/retrieve/campaigns", "/retrieve/audiences"} {
			b.Run(fmt.Sprintf("%s/%d", strings.TrimPrefix(path, "/retrieve/"), n), func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/v1"+path, nil)
				req.Header.Set("Authorization", h.APIKey())
				w := &discard{header: make(http.Header)}
				b.ReportAllocs()
				for range b.N {
					h.ServeHTTP(w, req)
				}
				b.SetBytes(w.n / int64(b.N))
			})
		}
	}
}
