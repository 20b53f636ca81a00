package chatinc_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// newLoggedClient returns a client of srv with 1–2 ms retry waits that logs
// to a sink.
func newLoggedClient(t *testing.T, srv *faultServer, opts ...chatinc.Option) (*chatinc.Client, *logSink) {
	t.Helper()
	sink, logger := newLogSink()
	c, err := chatinc.NewClient(faultKey, append([]chatinc.Option{
		chatinc.WithBaseURL(srv.URL + "/v1"),
		chatinc.WithRetryWait(time.Millisecond, 2*time.Millisecond),
		chatinc.WithLogger(logger),
	}, opts...)...)
	require.NoError(t, err)
	return c, sink
}

// TestLogAttemptsAndRetries checks the fields of the attempt lines (Debug)
// and the retry lines (Info).
func TestLogAttemptsAndRetries(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit < 3 {
			answer(503, "0", errBody("maintenance"))(w, r, hit)
			return
		}
		answer(200, "", faultOK)(w, r, hit)
	})
	c, sink := newLoggedClient(t, srv)
	_, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)

	var attempts, retries []map[string]any
	for _, rec := range sink.records() {
		switch rec["msg"] {
		case "chatinc: attempt":
			attempts = append(attempts, rec)
		case "chatinc: retrying":
			retries = append(retries, rec)
		}
	}
	require.Len(t, attempts, 3)
	require.Len(t, retries, 2)
	for i, rec := range attempts {
		assert.Equal(t, "DEBUG", rec["level"])
		assert.Equal(t, "GET", rec["method"])
		assert.Equal(t, "/retrieve/audiences", rec["path"])
		assert.Equal(t, "read", rec["class"])
		assert.EqualValues(t, i+1, rec["attempt"])
		assert.EqualValues(t, []int{503, 503, 200}[i], rec["status"])
		assert.Contains(t, rec, "duration")
	}
	for i, rec := range retries {
		assert.Equal(t, "INFO", rec["level"])
		assert.EqualValues(t, i+1, rec["attempt"], "the attempt that is retried")
		assert.Equal(t, "503 Service Unavailable", rec["reason"])
		assert.EqualValues(t, 0, rec["wait"], "Retry-After: 0 is the wait")
	}
}

// TestLogBackoffWait checks that the logged wait is the backoff's, within
// the WithRetryWait bounds and growing with each retry.
func TestLogBackoffWait(t *testing.T) {
	srv := newFaultServer(t, answer(500, "", errBody("boom")))
	c, sink := newLoggedClient(t, srv, chatinc.WithRetryMax(4), chatinc.WithRetryWait(2*time.Millisecond, 20*time.Millisecond))
	_, err := c.RetrieveAudiences(context.Background())
	require.Error(t, err)
	n := 0
	for _, rec := range sink.records() {
		if rec["msg"] != "chatinc: retrying" {
			continue
		}
		wait := time.Duration(rec["wait"].(float64))
		ceil := min(2*time.Millisecond<<(n+1), 20*time.Millisecond)
		assert.GreaterOrEqual(t, wait, 2*time.Millisecond, "retry %d", n+1)
		assert.LessOrEqual(t, wait, ceil, "retry %d", n+1)
		assert.Equal(t, "500 Internal Server Error", rec["reason"])
		n++
	}
	assert.Equal(t, 4, n)
}

// TestLogTransportAndBodyErrors checks that an attempt's transport error,
// or its body's read error, is on its attempt line.
func TestLogTransportAndBodyErrors(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 1 {
			hangUp(w, r, hit)
			return
		}
		truncated(w, r, hit)
	})
	c, sink := newLoggedClient(t, srv, chatinc.WithRetryMax(1))
	_, err := c.RetrieveAudiences(context.Background())
	require.Error(t, err)
	var errs []string
	for _, rec := range sink.records() {
		if rec["msg"] == "chatinc: attempt" {
			msg, _ := rec["error"].(string)
			errs = append(errs, msg)
		}
	}
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0], "EOF")
	assert.Contains(t, errs[1], "unexpected EOF", "the body cut off mid-way")
}

// TestLogNeverHoldsKeyOrHeaders runs every call, failing in several ways,
// with a Debug logger, and checks that no line holds the key or a header.
func TestLogNeverHoldsKeyOrHeaders(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		switch hit % 4 {
		case 0:
			answer(503, "0", errBody("echo: Authorization: "+r.Header.Get("Authorization")))(w, r, hit)
		case 1:
			hangUp(w, r, hit)
		case 2:
			answer(200, "", faultOK)(w, r, hit)
		default:
			answer(401, "", errBody("bad key "+r.Header.Get("Authorization")))(w, r, hit)
		}
	})
	c, sink := newLoggedClient(t, srv)
	for _, call := range everyCall() {
		err := call.do(context.Background(), c)
		if err != nil {
			assert.NotContains(t, err.Error(), faultKey, call.name)
		}
	}
	text := sink.text()
	require.NotEmpty(t, text)
	assert.NotContains(t, text, faultKey)
	for _, h := range []string{"Authorization", "User-Agent", "Content-Type", "Accept"} {
		assert.NotContains(t, strings.ToLower(text), strings.ToLower(h)+"\":", "no %s header field", h)
	}
}

// namedCall is one of the client's calls with fixed, valid arguments.
type namedCall struct {
	name string
	do   func(ctx context.Context, c *chatinc.Client) error
}

// everyCall returns each of the client's thirteen calls.
func everyCall() []namedCall {
	file := func() chatinc.File { return chatinc.FileFromReader("rows.csv", strings.NewReader(faultCSV)) }
	return []namedCall{
		{"CreateCampaign", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "M"}, chatinc.CampaignOptions{})
			return err
		}},
		{"RunCampaign", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "cmp-1", Audiences: []string{"all"}})
			return err
		}},
		{"RetrieveCampaigns", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{Active: true})
			return err
		}},
		{"RetrieveCampaignDetails", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveCampaignDetails(ctx, "cmp-1")
			return err
		}},
		{"RetrieveCampaignDetailsCSV", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveCampaignDetailsCSV(ctx, "cmp-1", &strings.Builder{})
			return err
		}},
		{"CreateAudience", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "aud-1", Name: "A"})
			return err
		}},
		{"AddContactsToAudience", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.AddContactsToAudience(ctx, "aud-1", []chatinc.Contact{{Number: "+15550000001"}})
			return err
		}},
		{"CreateAudienceFromFile", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "aud-1", Name: "A", File: file()})
			return err
		}},
		{"RetrieveAudiences", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveAudiences(ctx)
			return err
		}},
		{"RetrieveAudienceContacts", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveAudienceContacts(ctx, "aud-1")
			return err
		}},
		{"CreateVariableGroup", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "vg-1", Name: "contact", Fields: []string{"name"},
				Values: []chatinc.Row{{Number: "+15550000001", Values: map[string]string{"name": "Ana"}}}})
			return err
		}},
		{"CreateVariableGroupFromFile", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: "vg-1", Name: "contact", AudienceID: "aud-1", File: file()})
			return err
		}},
		{"RetrieveVariableGroups", func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveVariableGroups(ctx)
			return err
		}},
	}
}
