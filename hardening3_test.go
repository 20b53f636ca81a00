package chatinc_test

import (
	"context"
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
