package chatinctest_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// csvUpload is a multipart body of an audience upload whose file has rows
// rows (each about 40 bytes), generated as it is read: of unknown length.
func csvUpload(id string, rows int) (io.Reader, string) {
	pr, pw := io.Pipe()
	const boundary = "b0undary"
	go func() {
		var b strings.Builder
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n%s\r\n", boundary, id)
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nA\r\n", boundary)
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\nnumber,code\n", boundary)
		if _, err := io.WriteString(pw, b.String()); err != nil {
			return
		}
		buf := make([]byte, 0, 64<<10)
		for i := 0; i < rows; i++ {
			buf = fmt.Appendf(buf, "+1555%07d,CODE-%020d\n", i%10_000_000, i)
			if len(buf) > 60<<10 || i == rows-1 {
				if _, err := pw.Write(buf); err != nil {
					return
				}
				buf = buf[:0]
			}
		}
		_, _ = fmt.Fprintf(pw, "\r\n--%s--\r\n", boundary)
		pw.Close()
	}()
	return pr, "multipart/form-data; boundary=" + boundary
}

// TestBodyMemoryBounded: request bodies the simulator holds (a JSON body,
// an upload's rows, an upload held back by a Delay fault) are charged to
// one budget of WithBodyMemory bytes across all requests. A burst of 8
// audience uploads of 24 MiB each, held back by a Delay fault, against a budget of
// 32 MiB: at most one is held at a time, the rest are answered 503 with
// Retry-After before the simulator acts, and the heap stays within 160 MiB
// (the burst is 192 MiB of bodies, and each held byte costs a few more).
// Once they end, the budget is whole again.
func TestBodyMemoryBounded(t *testing.T) {
	a := newAPI(t, chatinctest.WithBodyMemory(32<<20))
	a.srv.InjectFault("/create/audience/from/file", 8, chatinctest.Fault{Delay: 300 * time.Millisecond})

	upload, ctype := csvUpload("a", 600_000) // about 24 MiB
	file, err := io.ReadAll(upload)          // of known length: admitted whole, or refused at once
	require.NoError(t, err)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse-min(m.HeapInuse, before.HeapInuse))
			}
		}
	}()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest(http.MethodPost, a.srv.URL+"/create/audience/from/file", bytes.NewReader(file))
			if !assert.NoError(t, err) {
				return
			}
			req.Header.Set("Authorization", a.srv.APIKey)
			req.Header.Set("Content-Type", ctype)
			resp, err := http.DefaultClient.Do(req)
			if !assert.NoError(t, err) {
				return
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
			if resp.StatusCode == http.StatusServiceUnavailable {
				assert.Equal(t, "1", resp.Header.Get("Retry-After"))
				assert.Contains(t, string(msg), "32 MiB of request bodies")
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	t.Logf("statuses %v; heap in use peaked %.1f MiB above its start", statuses, float64(peak)/(1<<20))
	assert.Less(t, peak, uint64(160<<20))
	assert.GreaterOrEqual(t, statuses[http.StatusOK], 1)
	assert.GreaterOrEqual(t, statuses[http.StatusServiceUnavailable], 1)
	assert.Equal(t, 8, statuses[http.StatusOK]+statuses[http.StatusServiceUnavailable])
	created := 0
	for _, r := range a.srv.Requests() {
		if r.Path == "/create/audience/from/file" && r.Status == http.StatusOK {
			created++
		}
	}
	require.Equal(t, statuses[http.StatusOK], created)

	// The budget is whole again: a 24 MiB upload of unknown length passes.
	body, ctype := csvUpload("a", 600_000)
	a.send(http.MethodPost, "/create/audience/from/file", body, ctype).requireOK()
}

// TestUploadRecordBounded: a CSV row longer than 1 MiB (a line that does
// not end, or a quote left open) is refused with a 400 naming the line it
// follows, and the simulator stops reading it there, instead of holding it
// whole.
func TestUploadRecordBounded(t *testing.T) {
	a := newAPI(t)
	for name, file := range map[string]string{
		"long line":  "number,code\n+15550000001,A\n+15550000002," + strings.Repeat("x", 3<<20) + "\n",
		"open quote": "number,code\n+15550000001,A\n+15550000002,\"" + strings.Repeat("x,y\n", 1<<20) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			body, ctype := multipartBody(t, part{"id", "", "a"}, part{"name", "", "A"}, part{"file", "c.csv", file})
			got := a.send(http.MethodPost, "/create/audience/from/file", body, ctype)
			assert.Equal(t, http.StatusBadRequest, got.Status, "%s", got.Body)
			assert.Contains(t, string(got.Body), "a row after line 2 is longer than 1 MiB")
		})
	}
}

// TestBodyMemoryUnknownLength: a body of unknown length is charged as it
// arrives: past the budget it is a 503 with Retry-After, and one of known
// length over the whole budget is a 413, as it could never be held.
func TestBodyMemoryUnknownLength(t *testing.T) {
	a := newAPI(t, chatinctest.WithBodyMemory(1<<20))
	body := `{"id":"a","name":"A","contacts":[` + strings.Repeat(`{"number":"+15550000001"},`, 100_000) + `{"number":"+15550000002"}]}`
	for name, tt := range map[string]struct {
		r      io.Reader
		status int
	}{
		"unknown length": {io.MultiReader(strings.NewReader(body)), http.StatusServiceUnavailable},
		"known length":   {strings.NewReader(body), http.StatusRequestEntityTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			got := a.send(http.MethodPost, "/create/audience", tt.r, "application/json")
			assert.Equal(t, tt.status, got.Status, "%s", got.Body)
			if tt.status == http.StatusServiceUnavailable {
				assert.Equal(t, "1", got.Header.Get("Retry-After"))
			}
		})
	}
	listed := a.get("/retrieve/audiences").requireOK()
	assert.NotContains(t, string(listed.Body), `"a"`, "the server did not act on a refused body")
}

// TestBodyMemoryRefusedBodyNotHeld: a request the simulator refuses (an
// unknown path, here) with a long body still arriving holds none of the
// budget while the rest of its body is thrown away: the Content-Length it
// was charged up front is given back when it is refused, so that a client
// that stalls does not keep others out.
func TestBodyMemoryRefusedBodyNotHeld(t *testing.T) {
	a := newAPI(t, chatinctest.WithBodyMemory(8<<20))

	u, err := url.Parse(a.srv.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = fmt.Fprintf(conn, "POST /v1/no/such/path HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"id\":", a.srv.APIKey, 6<<20)
	require.NoError(t, err)
	require.Eventually(t, func() bool { // it has reached the handler, and stalls
		for _, r := range a.srv.Requests() {
			if r.Path == "/no/such/path" {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)

	body := `{"id":"a","name":"A","contacts":[` + strings.Repeat(`{"number":"+15550000001"},`, 150_000) + `{"number":"+15550000002"}]}`
	got := a.send(http.MethodPost, "/create/audience", body, "application/json")
	assert.Equal(t, http.StatusOK, got.Status, "%.200s", got.Body)
}
