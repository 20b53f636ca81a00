package chatinc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/net/http2"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestKeyNotInTransportErrors runs every call against an HTTP/2 server
// that echoes the API key in a GOAWAY's debug data, which net/http's
// transport quotes in its error: before the answer (the error of the
// round trip), and after part of it (the error of a read of the body: a
// JSON answer read whole or decoded as it streams, a CSV export at its
// start or mid-copy). No error, and no log line, may hold the key.
func TestKeyNotInTransportErrors(t *testing.T) {
	const key = "sk_live_h2debug_0123456789abcdef"
	row := `{"number":"+15550000001","action":"read"},`
	csvRows := strings.Repeat("+15550000001,read\n", 400) // past the 4 KiB the export peeks at
	plays := map[string]func(call string) h2Action{
		"GOAWAY before the answer": func(string) h2Action {
			return h2Action{kind: h2GoAwayAck, code: http2.ErrCodeNo, debug: "bye " + key}
		},
		"GOAWAY after a few bytes": func(call string) h2Action {
			if call == "RetrieveCampaignDetailsCSV" {
				return h2Action{kind: h2Partial, ctype: "text/csv", body: "number,action\n", debug: "bye " + key}
			}
			return h2Action{kind: h2Partial, body: "[" + row, debug: "bye " + key}
		},
		"GOAWAY after 7 KiB": func(call string) h2Action {
			if call == "RetrieveCampaignDetailsCSV" {
				return h2Action{kind: h2Partial, ctype: "text/csv", body: "number,action\n" + csvRows, debug: "bye " + key}
			}
			return h2Action{kind: h2Partial, body: "[" + strings.Repeat(row, 180), debug: "bye " + key}
		},
	}
	for pname, play := range plays {
		for name, call := range everyCall() {
			t.Run(pname+"/"+name, func(t *testing.T) {
				srv := newH2Server(t, func(int) h2Action { return play(name) })
				sink, logger := newLogSink()
				c := newClientOf(t, key, srv.URL+"/v1", chatinc.WithRetryMax(0), chatinc.WithLogger(logger))
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				err := call(ctx, c)
				require.Error(t, err)
				assert.Contains(t, err.Error(), "GOAWAY")
				assertErrorHasNoKey(t, key, err)
				assertNoKey(t, key, sink.text(), "the log")
			})
		}
	}
}

// stallAfter serves prefix, flushed, then holds the answer open until the
// test ends: a server that has sent part of an answer and stalls.
func stallAfter(t *testing.T, p proto, ctype, prefix string) *faultServer {
	t.Helper()
	release := make(chan struct{})
	srv := newFaultServerOver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", ctype)
		_, _ = io.WriteString(w, prefix)
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, p)
	t.Cleanup(func() { close(release) }) // before the server closes
	return srv
}

// within runs f and fails the test unless it returns within d; a call
// that hangs is abandoned (and ended by the test's cleanup).
func within(t *testing.T, d time.Duration, what string, f func()) time.Duration {
	t.Helper()
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %s", what, d)
	}
	return time.Since(start)
}

// TestDetailsBreakReturnsAtOnce breaks out of a CampaignDetails loop after
// its first row while the server, having sent rows, stalls: the loop must
// end at once (the SDK closes the answer rather than drain it), with no
// deadline on the context, over HTTP/1.1 and HTTP/2.
func TestDetailsBreakReturnsAtOnce(t *testing.T) {
	rows := "[" + strings.Repeat(`{"number":"+15550000001","action":"read"},`, 100)
	for _, p := range []proto{h1TLS, h2TLS} {
		t.Run(protoNames[p], func(t *testing.T) {
			srv := stallAfter(t, p, "application/json", rows)
			c := newClientOf(t, faultKey, srv.URL+"/v1")
			took := within(t, 5*time.Second, "breaking out of CampaignDetails", func() {
				n := 0
				for d, err := range c.CampaignDetails(context.Background(), "cmp-1") {
					require.NoError(t, err)
					assert.Equal(t, "+15550000001", d.Number)
					n++
					break
				}
				assert.Equal(t, 1, n)
			})
			t.Logf("the loop returned %s after it began", took)
			assert.Less(t, took, time.Second)
		})
	}
}

// eachUpload runs upload over HTTP/1.1 and HTTP/2, each with a path (read
// on the transport's goroutine) and a reader (read through the SDK's
// pump), against a server that answers success.
func eachUpload(t *testing.T, upload func(t *testing.T, srv *faultServer, c *chatinc.Client, file chatinc.File)) {
	path := filepath.Join(t.TempDir(), "rows.csv")
	require.NoError(t, os.WriteFile(path, []byte(faultCSV), 0o600))
	files := map[string]func() chatinc.File{
		"path":   func() chatinc.File { return chatinc.FileFromPath(path) },
		"reader": func() chatinc.File { return chatinc.FileFromReader("rows.csv", nonSeeker{strings.NewReader(faultCSV)}) },
	}
	for _, p := range []proto{h1TLS, h2TLS} {
		for kind, file := range files {
			t.Run(protoNames[p]+"/"+kind, func(t *testing.T) {
				srv := newFaultServerOver(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
					_, _ = io.WriteString(w, faultOK)
				}, p)
				upload(t, srv, newClientOf(t, faultKey, srv.URL+"/v1"), file())
			})
		}
	}
}

// TestProgressPanicReRaised makes WithProgress's callback panic on its
// first report: the upload stops, and the panic comes back, with its
// value, on the caller's goroutine, within the call's context, leaving no
// goroutine behind.
func TestProgressPanicReRaised(t *testing.T) {
	eachUpload(t, func(t *testing.T, srv *faultServer, c *chatinc.Client, file chatinc.File) {
		ignore := goleak.IgnoreCurrent()
		var got any
		took := within(t, 5*time.Second, "the upload", func() {
			defer func() { got = recover() }()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			f := file.WithProgress(func(int64, int64) { panic("progress callback failed") })
			_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "aud-1", Name: "A", File: f})
			t.Errorf("the call returned (%v) instead of panicking", err)
		})
		t.Logf("the panic came back after %s", took)
		assert.Equal(t, "progress callback failed", got)
		assert.LessOrEqual(t, srv.hitCount(), 1, "a panicked upload is not retried")
		c.CloseIdleConnections()
		goleak.VerifyNone(t, ignore)
	})
}

// TestProgressBlockedCallReturns makes WithProgress's callback block on
// its first report until the test ends: the call returns when its context
// does (300 ms).
func TestProgressBlockedCallReturns(t *testing.T) {
	eachUpload(t, func(t *testing.T, _ *faultServer, c *chatinc.Client, file chatinc.File) {
		release := make(chan struct{})
		defer close(release)
		f := file.WithProgress(func(int64, int64) { <-release })
		var err error
		took := within(t, 5*time.Second, "the upload", func() {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err = c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "aud-1", Name: "A", File: f})
		})
		t.Logf("the call returned after %s: %v", took, err)
		assert.Less(t, took, time.Second)
	})
}

// blockingSeeker is a seekable reader whose Seeks block, once armed,
// until the test ends.
type blockingSeeker struct {
	*strings.Reader
	armed   atomic.Bool
	release chan struct{}
}

func (s *blockingSeeker) Seek(off int64, whence int) (int64, error) {
	if s.armed.Load() {
		<-s.release
	}
	return s.Reader.Seek(off, whence)
}

// TestUploadSeekBlockedCallReturns: a caller's Seek that blocks when an
// attempt opens the reader must not keep the call past its context (the
// SDK used to call it holding the lock its clean-up needs).
func TestUploadSeekBlockedCallReturns(t *testing.T) {
	for _, p := range []proto{h1TLS, h2TLS} {
		t.Run(protoNames[p], func(t *testing.T) {
			srv := newFaultServerOver(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				_, _ = io.WriteString(w, faultOK)
			}, p)
			r := &blockingSeeker{Reader: strings.NewReader(faultCSV), release: make(chan struct{})}
			defer close(r.release)
			f := chatinc.FileFromReader("rows.csv", r)
			// The checks before the call seek freely; the attempt's open blocks.
			c := newClientOf(t, faultKey, srv.URL+"/v1", chatinc.WithHTTPClient(&http.Client{Transport: armOnRoundTrip{next: http.DefaultTransport, arm: &r.armed}}))
			took := within(t, 5*time.Second, "the upload", func() {
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "aud-1", Name: "A", File: f})
				assert.Error(t, err)
			})
			t.Logf("the call returned after %s", took)
			assert.Less(t, took, time.Second)
		})
	}
}

// armOnRoundTrip arms a blockingSeeker when the request starts.
type armOnRoundTrip struct {
	next http.RoundTripper
	arm  *atomic.Bool
}

func (a armOnRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	a.arm.Store(true)
	return a.next.RoundTrip(r)
}

// streamingServer answers prefix, then chunk repeated until about total
// bytes are sent (or the client goes), then suffix: an answer as long as a
// test needs, without holding it in memory.
func streamingServer(t *testing.T, p proto, prefix, chunk, suffix string, total int) *faultServer {
	t.Helper()
	return newFaultServerOver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		if _, err := io.WriteString(w, prefix); err != nil {
			return
		}
		block := []byte(strings.Repeat(chunk, max(1, (32<<10)/len(chunk))))
		for sent := 0; sent < total; sent += len(block) {
			if r.Context().Err() != nil {
				return
			}
			if _, err := w.Write(block); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, suffix)
	}, p)
}

// TestRetrieveCampaignDetailsHonoursTheCap: RetrieveCampaignDetails holds
// every row, so WithMaxResponseBytes applies to it: an answer of valid
// rows that goes on (32 MiB here) fails with ErrResponseTooLarge soon
// after the cap (1 MiB), its heap within 20 MiB (20 times the cap).
func TestRetrieveCampaignDetailsHonoursTheCap(t *testing.T) {
	const limit = 1 << 20
	for _, p := range []proto{h1TLS, h2TLS} {
		t.Run(protoNames[p], func(t *testing.T) {
			srv := streamingServer(t, p, "[", `{"number":"+15550000001","action":"read"},`, `{}]`, 32<<20)
			c := newClientOf(t, faultKey, srv.URL+"/v1", chatinc.WithMaxResponseBytes(limit), chatinc.WithRetryMax(0))
			var (
				rows []chatinc.CampaignDetail
				err  error
			)
			start := time.Now()
			use := measure(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				rows, err = c.RetrieveCampaignDetails(ctx, "cmp-1")
			})
			took := time.Since(start)
			t.Logf("%s, %d rows, after %s: %v", use, len(rows), took, err)
			require.ErrorIs(t, err, chatinc.ErrResponseTooLarge)
			assert.Nil(t, rows)
			assert.Less(t, use.PeakHeap, uint64(20*limit))
			assert.Less(t, took, 5*time.Second)
		})
	}
}

// TestDetailsRowOverTheCap: CampaignDetails streams any number of rows,
// but one row larger than WithMaxResponseBytes (1 MiB) is refused with
// ErrResponseTooLarge, its heap within 16 MiB: a 16 MiB row, a string
// that does not end (64 MiB, then the answer stops), and an envelope
// object (whose rows are not streamed one by one) of 16 MiB.
func TestDetailsRowOverTheCap(t *testing.T) {
	const limit = 1 << 20
	for _, tt := range []struct {
		name                  string
		prefix, chunk, suffix string
		size                  int
	}{
		{"16 MiB row", `[{"number":"+15550000001","note":"`, "abcdefgh", `"}]`, 16 << 20},
		{"endless string", `[{"number":"+15550000001"},{"number":"`, "0123456789", "", 64 << 20},
		{"16 MiB envelope", `{"status":"success","data":[{"number":"+15550000001","note":"`, "abcdefgh", `"}]}`, 16 << 20},
	} {
		for _, p := range []proto{h1TLS, h2TLS} {
			t.Run(tt.name+"/"+protoNames[p], func(t *testing.T) {
				srv := streamingServer(t, p, tt.prefix, tt.chunk, tt.suffix, tt.size)
				c := newClientOf(t, faultKey, srv.URL+"/v1", chatinc.WithMaxResponseBytes(limit))
				var err error
				start := time.Now()
				use := measure(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					for _, e := range c.CampaignDetails(ctx, "cmp-1") {
						err = e
					}
				})
				took := time.Since(start)
				t.Logf("%s, after %s: %v", use, took, err)
				require.ErrorIs(t, err, chatinc.ErrResponseTooLarge)
				assert.Less(t, use.PeakHeap, uint64(16*limit))
				assert.Less(t, took, 5*time.Second)
			})
		}
	}
}

// TestClaimedLengthNotAllocated: an answer that claims 200 MiB in its
// Content-Length and sends 20 bytes costs what 20 bytes cost, not 200 MiB
// allocated up front: the call allocates less than 4 MiB in all.
func TestClaimedLengthNotAllocated(t *testing.T) {
	for _, p := range []proto{h1TLS, h2TLS} {
		t.Run(protoNames[p], func(t *testing.T) {
			srv := newFaultServerOver(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(200<<20))
				_, _ = io.WriteString(w, `{"status":"success",`)
			}, p)
			c := newClientOf(t, faultKey, srv.URL+"/v1", chatinc.WithRetryMax(0))
			for name, call := range map[string]apiCall{
				"CreateAudience":    everyCall()["CreateAudience"],
				"RetrieveAudiences": everyCall()["RetrieveAudiences"],
			} {
				var err error
				use := measure(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					err = call(ctx, c)
				})
				t.Logf("%s: %s: %v", name, use, err)
				require.Error(t, err, name)
				assert.Less(t, use.Alloc, uint64(4<<20), name)
			}
		})
	}
}

// TestListMemoryTiedToBytes sends each list call 2 MiB of [{},{},...], the
// answer that costs most to hold for its size, under the default cap: what
// the call holds must stay within 20 times the bytes received (40 MiB),
// whether it succeeds or refuses the answer with ErrResponseTooLarge.
func TestListMemoryTiedToBytes(t *testing.T) {
	const size = 2 << 20
	srv := streamingServer(t, h2TLS, "[", "{},", "{}]", size)
	c := newClientOf(t, faultKey, srv.URL+"/v1", chatinc.WithRetryMax(0))
	for _, name := range []string{"RetrieveCampaigns", "RetrieveAudiences", "RetrieveAudienceContacts", "RetrieveVariableGroups", "RetrieveCampaignDetails"} {
		t.Run(name, func(t *testing.T) {
			var err error
			use := measure(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				err = everyCall()[name](ctx, c)
			})
			t.Logf("%s: %v", use, err)
			if err != nil {
				require.ErrorIs(t, err, chatinc.ErrResponseTooLarge)
			}
			assert.Less(t, use.PeakHeap, uint64(20*size))
		})
	}
}

// TestCheckCampaignSuggestionsHonourTheContext: a server that lists field
// names of 512 KiB, and a message of 30 misspelt placeholders, kept the
// suggestion search running seconds past a 300 ms context. Names whose
// length alone rules them out are skipped, and the check returns within
// about its context.
func TestCheckCampaignSuggestionsHonourTheContext(t *testing.T) {
	long := strings.Repeat("f", 512<<10)
	fields := make([]string, 8)
	for i := range fields {
		fields[i] = long + strconv.Itoa(i)
	}
	groups, err := json.Marshal(map[string]any{"status": "success", "variableGroups": []map[string]any{{"id": "g", "name": "users", "fields": fields}}})
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "variable") {
			_, _ = w.Write(groups)
			return
		}
		_, _ = io.WriteString(w, `{"status":"success","audiences":[]}`)
	}))
	t.Cleanup(srv.Close)
	c := newClientOf(t, "k", srv.URL, chatinc.WithMaxResponseBytes(64<<20))
	var msg strings.Builder
	for i := 0; i < 30; i++ {
		msg.WriteString("{users.frist_name" + strconv.Itoa(i) + "} ")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: msg.String()}, chatinc.CampaignOptions{})
	took := time.Since(start)
	t.Logf("%v after %v", err, took)
	require.Error(t, err)
	assert.Less(t, took, 2*time.Second, "the check ran past its context")
}

// repeatReader reads prefix, then chunk over and over until size bytes in
// all, then suffix: a large file that is never held.
type repeatReader struct {
	prefix, chunk, suffix string
	size, read            int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		var s string
		switch {
		case r.read < len(r.prefix):
			s = r.prefix[r.read:]
		case r.read < r.size:
			off := (r.read - len(r.prefix)) % len(r.chunk)
			s = r.chunk[off:]
			s = s[:min(len(s), r.size-r.read)]
		case r.read < r.size+len(r.suffix):
			s = r.suffix[r.read-r.size:]
		default:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		c := copy(p[n:], s)
		n += c
		r.read += c
	}
	return n, nil
}

// TestCheckCSVRecordBound: one record of 64 MiB (a line that does not end,
// or an unclosed quote followed by 64 MiB of lines) held the whole record
// and peaked at 263 MiB. A record over 1 MiB is a
// *ValidationError naming where it starts, read no further than the bound
// allows, and the check allocates less than 16 MiB in all, whatever comes
// after it. A record just under the bound is still read.
func TestCheckCSVRecordBound(t *testing.T) {
	const size = 64 << 20
	for _, tt := range []struct {
		name                  string
		prefix, chunk, suffix string
		want                  string
	}{
		{"64 MiB line", "number,name\n+15550000001,Ada\n+15550000002,", "abcdefgh", "\n", "after line 2"},
		{"unclosed quote", "number,name\n+15550000001,Ada\n+15550000002,\"", "abc,def\n", "", "after line 2"},
		{"64 MiB header", "number,", "abcdefgh", "\n", "the header"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &repeatReader{prefix: tt.prefix, chunk: tt.chunk, suffix: tt.suffix, size: size}
			var err error
			use := measure(func() { _, err = chatinc.CheckCSV(r) })
			t.Logf("%s; read %d bytes: %v", use, r.read, err)
			var ve *chatinc.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "file", ve.Field)
			assert.Contains(t, ve.Reason, "longer than 1 MiB")
			assert.Contains(t, ve.Reason, tt.want)
			assert.Less(t, use.Alloc, uint64(16<<20))
			assert.Less(t, r.read, 2<<20)
		})
	}
	t.Run("just under the bound", func(t *testing.T) {
		pad := strings.Repeat("x", (1<<20)-100)
		rep, err := chatinc.CheckCSV(strings.NewReader("number,pad\n+15550000001," + pad + "\n+15550000002,\"" + pad + "\"\n+15550000003,x\n"))
		require.NoError(t, err)
		assert.Equal(t, 3, rep.Rows)
		assert.Zero(t, rep.ProblemCount)
	})
}
