package chatinc_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestRateLimitSpacesAttempts checks that calls, and the retries within a
// call, wait for the limiter's tokens: lower bounds only, as a shared
// machine may be slow but never fast.
func TestRateLimitSpacesAttempts(t *testing.T) {
	fs := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		if r.URL.Path == "/v1/retrieve/variable/groups" && hit%2 == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(faultOK))
	})
	const every = 40 * time.Millisecond
	c := newClientOf(t, faultKey, fs.URL+"/v1", chatinc.WithHTTPClient(&http.Client{}),
		chatinc.WithRateLimit(rate.Every(every), 1))
	start := time.Now()
	for range 4 {
		_, err := c.RetrieveAudiences(context.Background())
		require.NoError(t, err)
	}
	assert.GreaterOrEqual(t, time.Since(start), 3*every, "4 calls with one token every %s", every)

	time.Sleep(2 * every) // a token ready for the first attempt, none for its retry
	start = time.Now()
	_, err := c.RetrieveVariableGroups(context.Background()) // a 502, then its retry
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), every, "the retry waits for a token too")
}

// TestRateLimitWaitBeyondDeadline checks that a call whose context ends
// before its token comes fails at once with the context's error, nothing
// sent; and that a call whose context ends during the wait fails with it.
func TestRateLimitWaitBeyondDeadline(t *testing.T) {
	fs := newFaultServer(t, answer(200, "", faultOK))
	c := newClientOf(t, faultKey, fs.URL+"/v1", chatinc.WithHTTPClient(&http.Client{}),
		chatinc.WithRateLimit(rate.Every(time.Hour), 1))
	_, err := c.RunCampaign(context.Background(), chatinc.RunCampaignParams{CampaignID: "cmp-1", Audiences: []string{"all"}})
	require.NoError(t, err) // the one token
	require.Equal(t, 1, fs.hitCount())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "cmp-1", Audiences: []string{"all"}})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "failed at once, not at the deadline")
	assert.NotErrorIs(t, err, chatinc.ErrOutcomeUnknown, "nothing was sent")
	assert.Equal(t, 1, fs.hitCount(), "nothing sent")

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = c.RetrieveAudiences(ctx) // no deadline: waits, until cancelled
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, fs.hitCount(), "nothing sent")
}

// TestRateLimit429HoldsEveryCall checks that a 429's Retry-After holds back
// the client's other calls, not only the one that got it.
func TestRateLimit429HoldsEveryCall(t *testing.T) {
	var mu sync.Mutex
	var sent429 time.Time
	var after []time.Time
	fs := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request, hit int) {
		mu.Lock()
		defer mu.Unlock()
		if hit == 1 {
			sent429 = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		after = append(after, time.Now())
		_, _ = w.Write([]byte(faultOK))
	})
	c := newClientOf(t, faultKey, fs.URL+"/v1", chatinc.WithHTTPClient(&http.Client{}),
		chatinc.WithRetryMax(0), chatinc.WithRateLimit(rate.Inf, 0))
	_, err := c.RetrieveAudiences(context.Background())
	require.ErrorIs(t, err, chatinc.ErrRateLimited)

	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.CreateAudience(context.Background(), chatinc.AudienceParams{ID: "aud-1", Name: "A"}); err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	require.Zero(t, failed.Load())
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, after, 4)
	for _, at := range after {
		assert.GreaterOrEqual(t, at.Sub(sent429), 900*time.Millisecond, "held back by the Retry-After of another call")
	}

	// A hold the context cannot cover fails at once, nothing sent.
	fs2 := newFaultServer(t, answer(http.StatusTooManyRequests, "30", `{"status":"error","message":"slow down"}`))
	c2 := newClientOf(t, faultKey, fs2.URL+"/v1", chatinc.WithHTTPClient(&http.Client{}),
		chatinc.WithRetryMax(0), chatinc.WithRateLimit(rate.Inf, 0))
	_, err = c2.RetrieveAudiences(context.Background())
	require.ErrorIs(t, err, chatinc.ErrRateLimited)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c2.RetrieveAudiences(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "failed at once")
	assert.Equal(t, 1, fs2.hitCount())
}

// TestWithRateLimitChecksItsArguments checks that a limit that could never
// let an attempt through is refused.
func TestWithRateLimitChecksItsArguments(t *testing.T) {
	for _, tt := range []struct {
		limit rate.Limit
		burst int
	}{{0, 1}, {-1, 1}, {10, 0}} {
		_, err := chatinc.NewClient(testKey, chatinc.WithRateLimit(tt.limit, tt.burst))
		require.Error(t, err, "%v %d", tt.limit, tt.burst)
		assert.Contains(t, err.Error(), "WithRateLimit")
	}
	for _, tt := range []struct {
		limit rate.Limit
		burst int
	}{{rate.Inf, 0}, {0.5, 1}} {
		_, err := chatinc.NewClient(testKey, chatinc.WithRateLimit(tt.limit, tt.burst))
		require.NoError(t, err)
	}
}

// BenchmarkRateLimitNoWait measures what a limiter that never waits adds
// to a call (over a transport that answers from memory).
func BenchmarkRateLimitNoWait(b *testing.B) {
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return newResponse(200, "application/json", faultOK), nil
	})
	for _, bc := range []struct {
		name string
		opts []chatinc.Option
	}{
		{"none", nil},
		{"limit", []chatinc.Option{chatinc.WithRateLimit(rate.Limit(1e12), 1<<30)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := chatinc.NewClient(testKey, append([]chatinc.Option{chatinc.WithBaseURL(testBaseURL),
				chatinc.WithHTTPClient(&http.Client{Transport: rt})}, bc.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "aud-1", Name: "A"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
