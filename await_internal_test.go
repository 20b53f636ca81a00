package chatinc

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// fakeClock is a simulator clock that the client's waits move forward:
// AwaitRun and AwaitApproval are tested over their whole schedule without
// sleeping through it.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
	// onWait runs after each wait, the clock moved: a test acts there.
	onWait func(n int)
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.waits = append(f.waits, d)
	n := len(f.waits)
	on := f.onWait
	f.mu.Unlock()
	if on != nil {
		on(n)
	}
	return nil
}

func (f *fakeClock) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// newAwaitClient is a client of a strict simulator on clock, whose waits
// between reads move clock.
func newAwaitClient(t *testing.T, clock *fakeClock, opts ...chatinctest.Option) (*Client, *chatinctest.Server) {
	t.Helper()
	srv := chatinctest.NewServer(append([]chatinctest.Option{chatinctest.WithStrict(), chatinctest.WithClock(clock.now)}, opts...)...)
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.APIKey, WithBaseURL(srv.URL), WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	c.sleep = clock.sleep
	return c, srv
}

// writes lists the requests to srv other than GET /retrieve/campaigns
// made after the first skip of them.
func writes(srv *chatinctest.Server, skip int) []string {
	var out []string
	for _, r := range srv.Requests()[skip:] {
		if r.Method != http.MethodGet || r.Path != "/retrieve/campaigns" {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func TestAwaitRunSchedule(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	c, srv := newAwaitClient(t, clock)
	ctx := context.Background()
	created, err := c.CreateCampaign(ctx, CampaignParams{Title: "t", Message: "Hello"}, CampaignOptions{})
	require.NoError(t, err)
	camp, err := c.FindCampaign(ctx, created.CampaignID)
	require.NoError(t, err)
	require.Equal(t, 0, camp.RunCount)

	// The run lands after the sixth wait: the reads come at once, then
	// 1s, 2s, 4s, 8s, 10s, 10s apart.
	clock.onWait = func(n int) {
		if n == 6 {
			_, err := c.RunCampaign(ctx, RunCampaignParams{CampaignID: created.CampaignID, Audiences: []string{AudienceAll}})
			assert.NoError(t, err)
		}
	}
	before := len(srv.Requests())
	got, err := c.AwaitRun(ctx, created.CampaignID, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, got.RunCount)
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second},
		clock.slept())
	assert.Equal(t, 7, srv.RequestCount("/retrieve/campaigns")-1, "a read at once and one after each wait")
	assert.Equal(t, []string{"POST /run/campaign"}, writes(srv, before), "AwaitRun writes nothing: the one write is the test's")
}

func TestAwaitRunRetryAfter(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	c, srv := newAwaitClient(t, clock)
	c.retryMax = 0
	ctx := context.Background()
	created, err := c.CreateCampaign(ctx, CampaignParams{Title: "t", Message: "Hello"}, CampaignOptions{})
	require.NoError(t, err)
	_, err = c.RunCampaign(ctx, RunCampaignParams{CampaignID: created.CampaignID, Audiences: []string{AudienceAll}})
	require.NoError(t, err)
	// Two transient errors, the second asking for 30s: read again on the
	// schedule, the wait stretched to the server's.
	srv.InjectFault("/retrieve/campaigns", 1, chatinctest.Fault{Status: 503})
	srv.InjectFault("/retrieve/campaigns", 1, chatinctest.Fault{Status: 429, RetryAfter: "30"})
	got, err := c.AwaitRun(ctx, created.CampaignID, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, got.RunCount)
	assert.Equal(t, []time.Duration{time.Second, 30 * time.Second}, clock.slept())
}

func TestAwaitRunNeverWrites(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	c, srv := newAwaitClient(t, clock)
	created, err := c.CreateCampaign(context.Background(), CampaignParams{Title: "t", Message: "Hello"}, CampaignOptions{})
	require.NoError(t, err)
	before := len(srv.Requests())
	// No run ever comes: the wait ends with its context, the outcome still
	// unknown, and only reads went out.
	ctx, cancel := context.WithCancel(context.Background())
	clock.onWait = func(n int) {
		if n == 20 {
			cancel()
		}
	}
	_, err = c.AwaitRun(ctx, created.CampaignID, 0)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, writes(srv, before), "AwaitRun makes no write of any kind")
	assert.Equal(t, 20, srv.RequestCount("/retrieve/campaigns")-0-countBefore(srv, before))
}

// countBefore counts the reads of /retrieve/campaigns among the first n
// requests.
func countBefore(srv *chatinctest.Server, n int) int {
	k := 0
	for _, r := range srv.Requests()[:n] {
		if r.Path == "/retrieve/campaigns" {
			k++
		}
	}
	return k
}

func TestAwaitRunDefiniteErrors(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	c, srv := newAwaitClient(t, clock)
	ctx := context.Background()
	_, err := c.AwaitRun(ctx, "c_nope", 0)
	require.ErrorIs(t, err, ErrNotFound)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	srv.InjectFault("/retrieve/campaigns", 1, chatinctest.Fault{Status: 401})
	_, err = c.AwaitRun(ctx, "c_nope", 0)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Empty(t, clock.slept(), "a definite error is returned at once")
	var ve *ValidationError
	_, err = c.AwaitRun(ctx, "", 0)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "campaignId", ve.Field)
}

func TestAwaitApproval(t *testing.T) {
	review := func(title, _ string) (string, time.Duration) {
		if title == "bad" {
			return "REJECTED", 90 * time.Second
		}
		return "APPROVED", 25 * time.Second
	}
	clock := &fakeClock{t: time.Now()}
	c, srv := newAwaitClient(t, clock, chatinctest.WithTemplateReview(review))
	ctx := context.Background()
	good, err := c.CreateCampaign(ctx, CampaignParams{Title: "good", Message: "Hello"}, CampaignOptions{})
	require.NoError(t, err)
	camp, err := c.FindCampaign(ctx, good.CampaignID)
	require.NoError(t, err)
	assert.Equal(t, "PENDING", camp.WhatsAppTemplatesStatus)
	before := len(srv.Requests())

	camp, err = c.AwaitApproval(ctx, good.CampaignID)
	require.NoError(t, err)
	assert.Equal(t, "APPROVED", camp.WhatsAppTemplatesStatus)
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second}, clock.slept(),
		"approved 25s on: seen at the read after 25s")
	assert.Empty(t, writes(srv, before))

	clock.waits = nil
	bad, err := c.CreateCampaign(ctx, CampaignParams{Title: "bad", Message: "Hello"}, CampaignOptions{})
	require.NoError(t, err)
	_, err = c.AwaitApproval(ctx, bad.CampaignID)
	require.ErrorIs(t, err, ErrTemplateRejected)

	pending, err := c.CreateCampaign(ctx, CampaignParams{Title: "good", Message: "Hello"}, CampaignOptions{})
	require.NoError(t, err)
	short, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.AwaitApproval(short, pending.CampaignID)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, ErrTemplateRejected))
}

// The default wait is a real timer, bounded by the context.
func TestAwaitRunRealWaitEndsWithContext(t *testing.T) {
	srv := chatinctest.NewServer(chatinctest.WithStrict())
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.APIKey, WithBaseURL(srv.URL))
	require.NoError(t, err)
	created, err := c.CreateCampaign(context.Background(), CampaignParams{Title: "t", Message: "Hello"}, CampaignOptions{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.AwaitRun(ctx, created.CampaignID, 0)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 900*time.Millisecond, "returns when its context ends, not after the 1s wait")
	assert.Equal(t, 1, srv.RequestCount("/retrieve/campaigns"))
}
