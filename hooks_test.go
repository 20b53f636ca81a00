package chatinc_test

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	chatinc "github.com/chatinc/chatinc-go"
)

// attemptLog records what an Attempt hook is told.
type attemptLog struct {
	mu  sync.Mutex
	got []chatinc.AttemptInfo
	at  []time.Time // when each was told
}

func (l *attemptLog) hook(_ context.Context, a chatinc.AttemptInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, a)
	l.at = append(l.at, time.Now())
}

func (l *attemptLog) all() []chatinc.AttemptInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]chatinc.AttemptInfo(nil), l.got...)
}

// TestHookCallNames checks that every attempt of each of the client's calls
// names the exported method called, its HTTP method, and its path without
// the base URL or query values.
func TestHookCallNames(t *testing.T) {
	_, srv := newSimClient(t)
	for name, call := range everyCall() {
		t.Run(name, func(t *testing.T) {
			var l attemptLog
			c := newClientOf(t, srv.APIKey, srv.URL, chatinc.WithHooks(chatinc.Hooks{Attempt: l.hook}))
			_ = call(context.Background(), c) // an answer of the API, success or not
			got := l.all()
			require.NotEmpty(t, got)
			for _, a := range got {
				assert.Equal(t, name, a.Call)
				assert.NotEmpty(t, a.Method)
				assert.True(t, strings.HasPrefix(a.Path, "/"), a.Path)
				assert.NotContains(t, a.Path, "?")
				assert.NotContains(t, a.Path, "/v1")
				assert.NotZero(t, a.StatusCode, "an answer came")
				assert.NoError(t, a.Err, "an answer is no error, whatever its status")
			}
		})
	}
}

// TestHookNamesTheOuterCall checks that the reads a method makes on its own
// behalf carry its name and their own path.
func TestHookNamesTheOuterCall(t *testing.T) {
	var l attemptLog
	_, srv := newSimClient(t)
	c := newClientOf(t, srv.APIKey, srv.URL, chatinc.WithHooks(chatinc.Hooks{Attempt: l.hook}))
	ctx := context.Background()
	res, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "M"}, chatinc.CampaignOptions{})
	require.NoError(t, err)

	_, err = c.FindCampaign(ctx, res.CampaignID)
	require.NoError(t, err)
	_, err = c.RetrieveCampaignDetails(ctx, res.CampaignID)
	require.NoError(t, err)
	_, err = c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{Active: true})
	require.NoError(t, err)

	for range c.CampaignDetails(ctx, res.CampaignID) {
	}
	run := chatinc.RunCampaignParams{CampaignID: res.CampaignID, Audiences: []string{chatinc.AudienceAll}}
	require.NoError(t, c.CheckRun(ctx, run))
	_, err = c.AwaitApproval(ctx, res.CampaignID)
	require.NoError(t, err)
	_, err = c.RunCampaign(ctx, run)
	require.NoError(t, err)
	_, err = c.AwaitRun(ctx, res.CampaignID, 0)
	require.NoError(t, err)

	var got []string
	for _, a := range l.all() {
		got = append(got, a.Call+" "+a.Method+" "+a.Path)
	}
	assert.Equal(t, []string{
		"CreateCampaign POST /create/campaign",
		"FindCampaign GET /retrieve/campaigns",
		"RetrieveCampaignDetails POST /retrieve/campaign",
		"RetrieveCampaigns GET /retrieve/campaigns",
		"CampaignDetails POST /retrieve/campaign",
		"CheckRun GET /retrieve/campaigns", // no placeholder, audience all: no other read
		"AwaitApproval GET /retrieve/campaigns",
		"RunCampaign POST /run/campaign",
		"AwaitRun GET /retrieve/campaigns",
	}, got)

	// A send's pre-flight reads carry the send's name.
	var pl attemptLog
	pc := newClientOf(t, srv.APIKey, srv.URL, chatinc.WithPreflight(), chatinc.WithHooks(chatinc.Hooks{Attempt: pl.hook}))
	_, err = pc.RunCampaign(ctx, run)
	require.NoError(t, err)
	_, err = pc.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T2", Message: "M"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{chatinc.AudienceAll}})
	require.NoError(t, err)
	names := map[string]int{}
	for _, a := range pl.all() {
		names[a.Call]++
	}
	assert.Equal(t, []string{"RunCampaign", "CreateCampaign"}, keysOf(names))
	assert.Greater(t, names["RunCampaign"], 1, "the reads of RunCampaign's pre-flight")
}

// keysOf returns m's keys, last first.
func keysOf(m map[string]int) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] > keys[j] })
	return keys
}

// TestHookAttempts checks the AttemptInfo of a call retried after a 503
// and of a dropped connection, over each protocol: attempt numbers,
// status, error, whether a retry follows, its wait, and that the hook is
// told before that wait.
func TestHookAttempts(t *testing.T) {
	for _, p := range []proto{h1, h1TLS, h2TLS} {
		t.Run(protoNames[p], func(t *testing.T) {
			var mu sync.Mutex
			var arrived []time.Time
			fs := newFaultServerOver(t, func(w http.ResponseWriter, r *http.Request, hit int) {
				mu.Lock()
				arrived = append(arrived, time.Now())
				mu.Unlock()
				if hit == 1 {
					http.Error(w, `{"status":"error","message":"busy"}`, http.StatusServiceUnavailable)
					return
				}
				_, _ = w.Write([]byte(faultOK))
			}, p)
			var l attemptLog
			opts := []chatinc.Option{chatinc.WithHooks(chatinc.Hooks{Attempt: l.hook}),
				chatinc.WithRetryWait(30*time.Millisecond, 30*time.Millisecond)}
			if p == h1 {
				opts = append(opts, chatinc.WithHTTPClient(&http.Client{}))
			}
			c := newClientOf(t, faultKey, fs.URL+"/v1", opts...)
			t.Cleanup(c.CloseIdleConnections)
			_, err := c.RetrieveAudiences(context.Background())
			require.NoError(t, err)

			got := l.all()
			require.Len(t, got, 2)
			first, second := got[0], got[1]
			assert.Equal(t, chatinc.AttemptInfo{Call: "RetrieveAudiences", Method: "GET", Path: "/retrieve/audiences",
				Attempt: 0, StatusCode: 503, Retry: true, Wait: first.Wait, Duration: first.Duration}, first)
			assert.Positive(t, first.Wait)
			assert.Positive(t, first.Duration)
			assert.Equal(t, chatinc.AttemptInfo{Call: "RetrieveAudiences", Method: "GET", Path: "/retrieve/audiences",
				Attempt: 1, StatusCode: 200, Duration: second.Duration}, second)
			// Told before the wait: the retry reached the server at least
			// Wait after the hook returned.
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, arrived, 2)
			assert.GreaterOrEqual(t, arrived[1].Sub(l.at[0]), first.Wait)
		})
	}
}

// TestHookTransportErrorWithoutKey checks that an attempt that got no
// answer has status 0 and its error, with the key removed.
func TestHookTransportErrorWithoutKey(t *testing.T) {
	var l attemptLog
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("proxy said: bad credentials " + testKey)
	})
	c := newClientOf(t, testKey, testBaseURL, chatinc.WithHTTPClient(&http.Client{Transport: rt}),
		chatinc.WithRetryMax(1), chatinc.WithHooks(chatinc.Hooks{Attempt: l.hook}))
	_, err := c.RetrieveAudiences(context.Background())
	require.Error(t, err)
	got := l.all()
	require.Len(t, got, 2)
	for i, a := range got {
		assert.Equal(t, i, a.Attempt)
		assert.Zero(t, a.StatusCode)
		require.Error(t, a.Err)
		assert.NotContains(t, a.Err.Error(), testKey)
		assert.Contains(t, a.Err.Error(), "[redacted]")
		assert.Equal(t, i == 0, a.Retry)
		if !a.Retry {
			assert.Zero(t, a.Wait, "no wait without a retry")
		}
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestHookOnCallingGoroutine checks that the hook runs on the goroutine
// that made the call, with the call's context.
func TestHookOnCallingGoroutine(t *testing.T) {
	type ctxKey struct{}
	var stacks []string
	var seen []any
	_, srv := newSimClient(t)
	c := newClientOf(t, srv.APIKey, srv.URL, chatinc.WithHooks(chatinc.Hooks{Attempt: func(ctx context.Context, _ chatinc.AttemptInfo) {
		stacks = append(stacks, string(debug.Stack()))
		seen = append(seen, ctx.Value(ctxKey{}))
	}}))
	ctx := context.WithValue(context.Background(), ctxKey{}, "mine")
	_, err := c.RetrieveAudiences(ctx)
	require.NoError(t, err)
	require.Len(t, stacks, 1)
	assert.Contains(t, stacks[0], "TestHookOnCallingGoroutine")
	assert.Equal(t, []any{"mine"}, seen)
}

// TestHookAndLogSayTheSame checks that each attempt's log line holds the
// fields of the AttemptInfo the hook is told, and each retry's line its
// wait: an error answer, an answer cut off, a success.
func TestHookAndLogSayTheSame(t *testing.T) {
	fs := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		switch hit {
		case 1:
			w.WriteHeader(http.StatusBadGateway)
		case 2:
			truncated(w, r, hit)
		default:
			_, _ = w.Write([]byte(faultOK))
		}
	})
	var l attemptLog
	c, sink := newLoggedClient(t, fs, chatinc.WithHooks(chatinc.Hooks{Attempt: l.hook}))
	_, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)
	var lines, retries []map[string]any
	for _, rec := range sink.records() {
		switch rec["msg"] {
		case "chatinc: attempt":
			lines = append(lines, rec)
		case "chatinc: retrying":
			retries = append(retries, rec)
		}
	}
	got := l.all()
	require.Len(t, got, 3)
	require.Len(t, lines, len(got))
	require.Len(t, retries, 2)
	assert.Error(t, got[1].Err, "the answer cut off")
	for i, a := range got {
		rec := lines[i]
		assert.Equal(t, a.Call, rec["call"])
		assert.Equal(t, a.Method, rec["method"])
		assert.Equal(t, a.Path, rec["path"])
		assert.EqualValues(t, a.Attempt+1, rec["attempt"])
		if a.StatusCode != 0 {
			assert.EqualValues(t, a.StatusCode, rec["status"])
		} else {
			assert.NotContains(t, rec, "status")
		}
		if a.Err != nil {
			assert.Equal(t, a.Err.Error(), rec["error"])
		} else {
			assert.NotContains(t, rec, "error")
		}
		assert.EqualValues(t, a.Duration, rec["duration"])
		assert.Equal(t, a.Retry, rec["retry"])
		assert.EqualValues(t, a.Wait, rec["wait"])
		if a.Retry {
			assert.EqualValues(t, a.Wait, retries[i]["wait"])
			assert.EqualValues(t, a.Attempt+1, retries[i]["attempt"])
			assert.Equal(t, a.Call, retries[i]["call"])
		}
	}
}

// TestHookPanicLeavesNothingBehind makes a hook panic at each point of a
// call (an error answer to be retried, a 2xx read whole, a CSV export whose
// body is still unread, an upload) over each protocol, and checks that the
// panic reaches the caller and that no goroutine, body or connection is left
// behind.
func TestHookPanicLeavesNothingBehind(t *testing.T) {
	big := strings.Repeat("+15550000000,delivered\n", 20_000) // more than any buffer
	for _, p := range []proto{h1, h1TLS, h2TLS} {
		t.Run(protoNames[p], func(t *testing.T) {
			fs := newFaultServerOver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				switch {
				case strings.HasSuffix(r.URL.Path, "/retrieve/audiences"):
					w.WriteHeader(http.StatusBadGateway) // to be retried
				case strings.Contains(r.Header.Get("Accept"), "text/csv"):
					w.Header().Set("Content-Type", "text/csv")
					_, _ = w.Write([]byte(big))
				default:
					_, _ = w.Write([]byte(faultOK))
				}
			}, p)
			ignore := goleak.IgnoreCurrent() // the server's own goroutines
			var tr *http.Transport
			opts := []chatinc.Option{chatinc.WithHooks(chatinc.Hooks{Attempt: func(context.Context, chatinc.AttemptInfo) {
				panic("hook panicked")
			}})}
			if p == h1 {
				tr = &http.Transport{}
				opts = append(opts, chatinc.WithHTTPClient(&http.Client{Transport: tr}))
			}
			c := newClientOf(t, faultKey, fs.URL+"/v1", opts...)
			calls := everyCall()
			for _, name := range []string{"RetrieveCampaigns", "RetrieveAudiences", "RetrieveCampaignDetailsCSV",
				"RetrieveCampaignDetails", "CreateAudienceFromFile", "RunCampaign"} {
				func() {
					defer func() { assert.Equal(t, "hook panicked", recover(), name) }()
					_ = calls[name](context.Background(), c)
				}()
			}
			c.CloseIdleConnections()
			if tr != nil {
				tr.CloseIdleConnections()
			}
			deadline := time.Now().Add(5 * time.Second)
			for fs.open() > 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			assert.Zero(t, fs.open(), "connections left open")
			goleak.VerifyNone(t, ignore)
		})
	}
}

// TestHooksAndLimiterUnderLoad makes 32 goroutines share a client with a
// hook and a rate limit (run it with -race): every attempt is told once.
func TestHooksAndLimiterUnderLoad(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	_, srv := newSimClient(t)
	var l attemptLog
	c := newClientOf(t, srv.APIKey, srv.URL, chatinc.WithHooks(chatinc.Hooks{Attempt: l.hook}),
		chatinc.WithRateLimit(2000, 8))
	const goroutines, each = 32, 5
	start := time.Now()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if g%2 == 0 {
					_, err := c.RetrieveAudiences(context.Background())
					assert.NoError(t, err)
				} else {
					_, err := c.CreateAudience(context.Background(), chatinc.AudienceParams{ID: "aud-1", Name: "A"})
					assert.NoError(t, err)
				}
			}
		}()
	}
	wg.Wait()
	// 160 attempts, 8 at once then 2,000 a second: at least 76 ms.
	assert.GreaterOrEqual(t, time.Since(start), (goroutines*each-8)*time.Second/2000)
	got := l.all()
	require.Len(t, got, goroutines*each)
	names := map[string]int{}
	for _, a := range got {
		names[a.Call]++
	}
	assert.Equal(t, map[string]int{"RetrieveAudiences": goroutines / 2 * each, "CreateAudience": goroutines / 2 * each}, names)
	c.CloseIdleConnections()
	srv.Close()
	goleak.VerifyNone(t, ignore)
}

// TestHookContextIsTheCallers checks that a call made from a hook with the
// hook's ctx is named after itself, not after the call that ran the hook.
func TestHookContextIsTheCallers(t *testing.T) {
	_, srv := newSimClient(t)
	var c *chatinc.Client
	var got []string
	nested := false
	c = newClientOf(t, srv.APIKey, srv.URL, chatinc.WithHooks(chatinc.Hooks{Attempt: func(ctx context.Context, a chatinc.AttemptInfo) {
		got = append(got, a.Call+" "+a.Path)
		if a.Call == "FindCampaign" && !nested {
			nested = true
			_, err := c.RetrieveAudiences(ctx)
			assert.NoError(t, err)
		}
	}}))
	_, err := c.FindCampaign(context.Background(), "cmp-none")
	require.ErrorIs(t, err, chatinc.ErrNotFound)
	assert.Equal(t, []string{"FindCampaign /retrieve/campaigns", "RetrieveAudiences /retrieve/audiences"}, got)
}
