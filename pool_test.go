package chatinc_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestPoolKeptUnderLoad makes 10,000 calls from 256 goroutines through one
// client on the SDK's own transport, against an HTTP/1.1 server (clear
// text, or TLS) that counts the connections it accepts. Each goroutine should keep
// reusing a connection of the pool: the bound is one connection per
// goroutine, plus one per connection the server hung up on, plus slack (four
// times as much again) for the moments when a connection is on its way back to the
// pool as the next call asks for one. A call that fails must cost only its own connection:
// go-retryablehttp closes its client's idle connections after every failed
// call, which the SDK must not let through to the shared pool.
func TestPoolKeptUnderLoad(t *testing.T) {
	// slack: net/http dials for a call that finds no idle connection and
	// pools the new one if another connection frees up first; on an idle
	// machine that adds up to about a hundred, on a machine shared with
	// other builds up to 300 (over TLS, 669-757 connections were seen
	// against a bound of 712 that way). Without the shared, larger pool, or
	// with go-retryablehttp's CloseIdleConnections let through, the count
	// is 7,000 to 10,000: the bound, at most 1,480, still tells them apart.
	const calls, workers, slack = 10_000, 256, 1024
	for _, tt := range []struct {
		name      string
		dropEvery int   // the server hangs up on every dropEvery-th request; 0: never
		over      proto // h1, or h1TLS where each new connection costs a handshake
	}{
		{name: "every call succeeds", over: h1},
		{name: "1 call in 50 fails", dropEvery: 50, over: h1},
		{name: "1 call in 50 fails, over TLS", dropEvery: 50, over: h1TLS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServerOver(t, func(w http.ResponseWriter, r *http.Request, hit int) {
				if tt.dropEvery > 0 && hit%tt.dropEvery == 0 {
					hangUp(w, r, hit)
					return
				}
				answer(200, "", faultOK)(w, r, hit)
			}, tt.over)
			// RunCampaign: a dropped send is not resent, by the SDK or by
			// net/http (which would resend a GET on a reused connection).
			c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(srv.URL+"/v1"))
			require.NoError(t, err)
			t.Cleanup(c.CloseIdleConnections)

			jobs := make(chan int)
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				failures int
			)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range jobs {
						_, err := c.RunCampaign(context.Background(),
							chatinc.RunCampaignParams{CampaignID: "cmp-1", Audiences: []string{"aud-1"}})
						if err != nil {
							mu.Lock()
							failures++
							mu.Unlock()
						}
					}
				}()
			}
			for i := range calls {
				jobs <- i
			}
			close(jobs)
			wg.Wait()

			conns := int(srv.conns.Load())
			t.Logf("%d calls from %d goroutines, %d failed: %d new connections", calls, workers, failures, conns)
			if tt.dropEvery > 0 {
				assert.Equal(t, calls/tt.dropEvery, failures, "one failure per hang-up")
			} else {
				assert.Zero(t, failures)
			}
			assert.LessOrEqual(t, conns, workers+failures+slack,
				"new connections: one per goroutine and one per hang-up, not one per call")
		})
	}
}

// TestDiscardedClientsShareOnePool makes 200 clients without
// WithHTTPClient, one call each, one after the other, and checks that they
// reused the same few connections rather than leaving one pool each behind.
func TestDiscardedClientsShareOnePool(t *testing.T) {
	srv := newFaultServer(t, answer(200, "", faultOK))
	for range 200 {
		c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(srv.URL+"/v1"))
		require.NoError(t, err)
		_, err = c.RetrieveAudiences(context.Background())
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, srv.conns.Load(), int32(5), "connections for 200 clients")

	c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(srv.URL+"/v1"))
	require.NoError(t, err)
	c.CloseIdleConnections()
	// The server sees its connections close: none of them stays idle.
	require.Eventually(t, func() bool { return srv.open() == 0 }, 5*time.Second, 10*time.Millisecond,
		"CloseIdleConnections closes the shared pool's idle connections")
}
