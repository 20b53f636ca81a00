package chatinc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// progressLog records the calls of a WithProgress callback.
type progressLog struct {
	mu    sync.Mutex
	calls [][2]int64
}

func (l *progressLog) fn(sent, total int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, [2]int64{sent, total})
}

// attempts splits the calls at each restart from 0.
func (l *progressLog) attempts(t *testing.T) [][][2]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out [][][2]int64
	for _, c := range l.calls {
		if c[0] == 0 {
			out = append(out, nil)
		}
		require.NotEmpty(t, out, "the first call is a start at 0")
		out[len(out)-1] = append(out[len(out)-1], c)
	}
	return out
}

// bigCSV is a contacts file of about 1.3 MB: several progress steps.
func bigCSV() string {
	var b strings.Builder
	b.WriteString("number,first_name,code\n")
	for i := range 40_000 {
		fmt.Fprintf(&b, "+1555%07d,Ada,SPRING-%06d\n", i, i)
	}
	return b.String()
}

// TestWithProgress uploads with a progress callback through a fault that
// drops the first attempt after reading it whole: the upload is retried as
// it is without progress, and the progress restarts at 0.
func TestWithProgress(t *testing.T) {
	content := bigCSV()
	size := int64(len(content))
	const path = "/create/audience/from/file"
	sources := []struct {
		name      string
		file      func(t *testing.T) chatinc.File
		total     int64
		retryable bool
	}{
		{"path", func(t *testing.T) chatinc.File { return chatinc.FileFromPath(writeFile(t, "big.csv", content)) }, size, true},
		{"seekable reader", func(*testing.T) chatinc.File {
			return chatinc.FileFromReader("big.csv", strings.NewReader(content))
		}, size, true},
		{"reader that cannot seek", func(*testing.T) chatinc.File {
			return chatinc.FileFromReader("big.csv", struct{ io.Reader }{strings.NewReader(content)})
		}, -1, false},
	}
	upload := func(t *testing.T, f chatinc.File) (int, error) {
		c, srv := newSimClient(t)
		srv.InjectFault(path, 1, chatinctest.Fault{Drop: true})
		_, err := c.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{ID: "a", Name: "A", File: f})
		return srv.RequestCount(path), err
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			plainAttempts, plainErr := upload(t, src.file(t))
			var log progressLog
			attempts, err := upload(t, src.file(t).WithProgress(log.fn))

			assert.Equal(t, plainAttempts, attempts, "as retryable as without progress")
			assert.Equal(t, plainErr == nil, err == nil, "the same outcome as without progress: %v", err)
			if !src.retryable {
				assert.Equal(t, 1, attempts)
				require.Error(t, err)
			} else {
				assert.Equal(t, 2, attempts)
				require.NoError(t, err)
			}
			got := log.attempts(t)
			require.Len(t, got, attempts, "one start at 0 per attempt")
			for i, calls := range got {
				last := calls[len(calls)-1]
				assert.Equal(t, [2]int64{size, src.total}, last, "attempt %d ends with the whole file, once", i+1)
				for j := 1; j < len(calls); j++ {
					step := calls[j][0] - calls[j-1][0]
					assert.Positive(t, step, "attempt %d goes forward", i+1)
					assert.LessOrEqual(t, step, int64(256<<10+64<<10), "at least every 256 KiB (give or take one read)")
					assert.Equal(t, src.total, calls[j][1])
				}
				assert.GreaterOrEqual(t, len(calls), int(size/(256<<10))+1)
			}
		})
	}
}

func TestWithProgressLeavesTheFileAlone(t *testing.T) {
	f := chatinc.FileFromReader("a.csv", bytes.NewReader(nil))
	g := f.WithProgress(func(int64, int64) {})
	assert.Equal(t, f.Name(), g.Name())
	c, srv := newSimClient(t)
	// Progress is reported only for an upload that goes out.
	var log progressLog
	_, err := c.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{ID: "a", Name: "A",
		File: chatinc.FileFromReader("semi.csv", strings.NewReader("number;name\n")).WithProgress(log.fn)})
	require.Error(t, err)
	assert.Empty(t, log.calls, "the header check is not progress")
	assert.Zero(t, srv.RequestCount("/create/audience/from/file"))
}

// TestWithProgressOverTLS runs an upload with progress over HTTP/1.1 and
// HTTP/2 (TLS, loopback), where the transport reads the body on a goroutine
// of its own: the first attempt is read whole and answered 500, the second
// succeeds, and each attempt reports from 0 to the whole file.
func TestWithProgressOverTLS(t *testing.T) {
	content := bigCSV()
	size := int64(len(content))
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[h2], func(t *testing.T) {
			var (
				mu     sync.Mutex
				bodies []int64
				protos []string
			)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n, _ := io.Copy(io.Discard, r.Body)
				mu.Lock()
				bodies, protos = append(bodies, n), append(protos, r.Proto)
				first := len(bodies) == 1
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				if first {
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = io.WriteString(w, `{"status":"error","message":"try again"}`)
					return
				}
				_, _ = io.WriteString(w, `{"status":"success","message":"audience created"}`)
			}))
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			t.Cleanup(srv.Close)
			c := newClientOf(t, "sk_test", srv.URL+"/v1", chatinc.WithHTTPClient(srv.Client()))

			var log progressLog
			file := chatinc.FileFromPath(writeFile(t, "big.csv", content)).WithProgress(log.fn)
			_, err := c.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{ID: "a", Name: "A", File: file})
			require.NoError(t, err)

			require.Len(t, bodies, 2)
			assert.Equal(t, bodies[0], bodies[1], "the retry sent the same bytes")
			assert.Equal(t, map[bool]string{false: "HTTP/1.1", true: "HTTP/2.0"}[h2], protos[0])
			got := log.attempts(t)
			require.Len(t, got, 2)
			for _, calls := range got {
				assert.Equal(t, [2]int64{size, size}, calls[len(calls)-1])
			}
		})
	}
}
