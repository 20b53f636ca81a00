package chatinc_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	chatinc "github.com/chatinc/chatinc-go"
)

const twoCampaigns = `[{"status":"success","campaigns":[` +
	`{"campaignId":"c1","title":"Spring sale","runs":[{"runId":"r1","audiences":["vip"],"timeToRun":1700000000,"status":"completed","contacts":2}]},` +
	`{"campaignId":"c2","title":"Opening hours"}]}]`

func TestFindCampaign(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder(http.MethodGet, apiURL("/retrieve/campaigns"), respond(t, 200, twoCampaigns, func(r *http.Request) {
		testHeader(t, r)
		testQuery(t, r, "") // every campaign, active or not
	}))

	got, err := c.FindCampaign(context.Background(), "c1")
	require.NoError(t, err)
	assert.Equal(t, "Spring sale", got.Title)
	require.Len(t, got.Runs, 1)
	assert.Equal(t, "r1", got.Runs[0].RunID)
	assert.Equal(t, 2, got.Runs[0].Contacts)

	_, err = c.FindCampaign(context.Background(), "c3")
	assert.ErrorIs(t, err, chatinc.ErrNotFound)
	assert.Contains(t, err.Error(), `"c3"`)

	_, err = c.FindCampaign(context.Background(), "")
	var ve *chatinc.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "campaignId", ve.Field)
	assert.Equal(t, 2, calls(mock, http.MethodGet, "/retrieve/campaigns"), "nothing sent for the empty ID")
}

func TestFindCampaignPassesOnTheReadError(t *testing.T) {
	c, _ := answering(t, http.MethodGet, "/retrieve/campaigns", 401, `{"status":"error","message":"bad key"}`)
	_, err := c.FindCampaign(context.Background(), "c1")
	assert.ErrorIs(t, err, chatinc.ErrUnauthorized)
	assert.False(t, errors.Is(err, chatinc.ErrOutcomeUnknown), "a read's error")
}

// TestOutcomeUnknownKeepsTheError checks that an outcome-unknown error
// still unwraps to what it was: the *APIError, the *DecodeError, the
// context's error; and that it says what it means.
func TestOutcomeUnknownKeepsTheError(t *testing.T) {
	run := chatinc.RunCampaignParams{CampaignID: "c1", Audiences: []string{"vip"}}

	c, _ := answering(t, http.MethodPost, "/run/campaign", 502, `{"status":"error","message":"bad gateway"}`)
	_, err := c.RunCampaign(context.Background(), run)
	require.ErrorIs(t, err, chatinc.ErrOutcomeUnknown)
	var apiErr *chatinc.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "bad gateway")
	assert.Contains(t, err.Error(), "outcome unknown")

	c, _ = answering(t, http.MethodPost, "/create/campaign", 200, `{"status":"success",`)
	_, err = c.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: "T", Message: "M"}, chatinc.CampaignOptions{})
	require.ErrorIs(t, err, chatinc.ErrOutcomeUnknown)
	var de *chatinc.DecodeError
	assert.ErrorAs(t, err, &de)

	// The mock has no connection to report, but an answer came back: the
	// request reached a server.
	c, _ = answering(t, http.MethodPost, "/run/campaign", 200, `{"status":"error","message":"unknown audience"}`)
	_, err = c.RunCampaign(context.Background(), run)
	require.ErrorAs(t, err, &apiErr)
	assert.False(t, errors.Is(err, chatinc.ErrOutcomeUnknown), "the API answered: it did not act")
}

// TestOutcomeKnownWhenCancelledWhileWaiting cancels a send while it waits
// to retry a 429: the API said it did not act, and nothing else was sent,
// so the outcome is known.
func TestOutcomeKnownWhenCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t, answer(429, "30", errBody("slow down")))
	c, _ := newLoggedClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "c1", Audiences: []string{"vip"}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, chatinc.ErrOutcomeUnknown))
	assert.Equal(t, 1, srv.hitCount())
}

// TestRedirectNotFollowedIsAnError checks the calls the fault matrix does
// not: the campaign list and the CSV export, which answered an empty list
// and (0, nil) to a 3xx they did not follow.
func TestRedirectNotFollowedIsAnError(t *testing.T) {
	for _, status := range []int{300, 302, 304} {
		c, mock := newTestClient(t)
		mock.RegisterResponder(http.MethodGet, apiURL("/retrieve/campaigns"),
			httpmock.NewStringResponder(status, ""))
		mock.RegisterResponder(http.MethodPost, apiURL("/retrieve/campaign"),
			httpmock.NewStringResponder(status, ""))

		list, err := c.RetrieveCampaigns(context.Background(), chatinc.RetrieveCampaignsOptions{})
		var apiErr *chatinc.APIError
		require.ErrorAs(t, err, &apiErr, "RetrieveCampaigns, %d", status)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Nil(t, list)

		var buf bytes.Buffer
		n, err := c.RetrieveCampaignDetailsCSV(context.Background(), "c1", &buf)
		require.ErrorAs(t, err, &apiErr, "RetrieveCampaignDetailsCSV, %d", status)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Zero(t, n)
		assert.False(t, errors.Is(err, chatinc.ErrOutcomeUnknown), "not a send")
	}
}

// TestRedirectWithBodyStillFollowed checks that hiding GetBody from the
// transport leaves http.Client's own redirect handling alone: a same-host
// 307 of a call with a body is followed, with the same body, over HTTP/1.1
// and HTTP/2.
func TestRedirectWithBodyStillFollowed(t *testing.T) {
	for _, p := range []proto{h1TLS, h2TLS} {
		t.Run(protoNames[p], func(t *testing.T) {
			srv := newFaultServerOver(t, func(w http.ResponseWriter, r *http.Request, hit int) {
				if r.URL.Path == "/v1/create/audience" {
					http.Redirect(w, r, "/v1/create/audience/moved", http.StatusTemporaryRedirect)
					return
				}
				answer(200, "", faultOK)(w, r, hit)
			}, p)
			c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(srv.URL+"/v1"))
			require.NoError(t, err)
			t.Cleanup(c.CloseIdleConnections)
			_, err = c.CreateAudience(context.Background(), chatinc.AudienceParams{ID: "aud-1", Name: "A",
				Contacts: []chatinc.Contact{{Number: "+15550000001"}}})
			require.NoError(t, err)
			require.Equal(t, 2, srv.hitCount())
			srv.mu.Lock()
			defer srv.mu.Unlock()
			assert.JSONEq(t, string(srv.bodies[0]), string(srv.bodies[1]), "the redirected request carries the body")
			assert.Zero(t, srv.wrongProto.Load())
		})
	}
}

// TestCallersTransportDoesNotResend checks the no-resend rule with a
// transport of the caller's (WithHTTPClient) that speaks HTTP/2: a send
// reset with REFUSED_STREAM after the server read it reaches the server
// once, and its outcome is unknown; the same transport alone resends it.
func TestCallersTransportDoesNotResend(t *testing.T) {
	play := func(hit int) h2Action { return once2(reset)(http2.ErrCodeRefusedStream, hit) }
	tr := &http.Transport{ForceAttemptHTTP2: true} // trusts testCert through SSL_CERT_FILE
	t.Cleanup(tr.CloseIdleConnections)

	srv := newH2Server(t, play)
	c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(srv.URL+"/v1"),
		chatinc.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.RunCampaign(context.Background(), chatinc.RunCampaignParams{CampaignID: "c1", Audiences: []string{"vip"}})
	assert.ErrorIs(t, err, chatinc.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.hitCount(), "requests the server saw")

	// The control: net/http on its own resends the POST it can rewind.
	bare := newH2Server(t, play)
	req, err := http.NewRequest(http.MethodPost, bare.URL+"/v1/run/campaign", strings.NewReader(`{"campaignId":"c1"}`))
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 2, bare.hitCount(), "net/http alone resends it")
}
