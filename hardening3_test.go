package chatinc_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
