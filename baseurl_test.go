package chatinc_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// TestInsecureCleartextOptIn checks the clear-text opt-in: http to a host
// that is not loopback is refused without it, in either option order
// allowed with it, logged at Warn (without the key), and then really used.
func TestInsecureCleartextOptIn(t *testing.T) {
	const base = "http://chatinc-mock:8080/v1"

	_, err := chatinc.NewClient(testKey, chatinc.WithBaseURL(base))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithInsecureCleartextForTesting")

	for _, order := range []string{"opt-in first", "opt-in last"} {
		t.Run(order, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
			mock := httpmock.NewMockTransport()
			mock.RegisterResponder(http.MethodGet, base+"/retrieve/audiences", respond(t, 200, `[]`, nil))
			opts := []chatinc.Option{chatinc.WithBaseURL(base), chatinc.WithLogger(logger),
				chatinc.WithHTTPClient(&http.Client{Transport: mock})}
			if order == "opt-in first" {
				opts = append([]chatinc.Option{chatinc.WithInsecureCleartextForTesting()}, opts...)
			} else {
				opts = append(opts, chatinc.WithInsecureCleartextForTesting())
			}
			c, err := chatinc.NewClient(testKey, opts...)
			require.NoError(t, err)
			assert.Contains(t, logs.String(), "level=WARN")
			assert.Contains(t, logs.String(), "clear-text")
			assert.Contains(t, logs.String(), "chatinc-mock:8080")
			assert.NotContains(t, logs.String(), testKey)

			_, err = c.RetrieveAudiences(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, mock.GetCallCountInfo()["GET "+base+"/retrieve/audiences"])
		})
	}

	t.Run("no warning where it is not needed", func(t *testing.T) {
		for _, base := range []string{"https://chatinc-mock:8443/v1", "http://127.0.0.1:8080/v1"} {
			var logs bytes.Buffer
			_, err := chatinc.NewClient(testKey, chatinc.WithBaseURL(base), chatinc.WithInsecureCleartextForTesting(),
				chatinc.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			require.NoError(t, err)
			assert.Empty(t, logs.String(), base)
		}
	})
	t.Run("without a logger", func(t *testing.T) {
		_, err := chatinc.NewClient(testKey, chatinc.WithBaseURL(base), chatinc.WithInsecureCleartextForTesting())
		require.NoError(t, err)
	})
}

// TestBaseURLWithoutVersionHint checks that the 404 of a base URL that
// lacks its version prefix says so, and that other 404s do not.
func TestBaseURLWithoutVersionHint(t *testing.T) {
	srv := chatinctest.NewServer()
	t.Cleanup(srv.Close)
	root := strings.TrimSuffix(srv.URL, "/v1")

	for _, base := range []string{root, root + "/"} {
		c, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(base), chatinc.WithRetryMax(0))
		require.NoError(t, err)
		_, err = c.RetrieveAudiences(context.Background())
		var apiErr *chatinc.APIError
		require.True(t, errors.As(err, &apiErr), "%v", err)
		assert.Equal(t, 404, apiErr.StatusCode)
		assert.True(t, errors.Is(err, chatinc.ErrNotFound))
		assert.Contains(t, apiErr.Message, "no such endpoint")
		assert.Contains(t, apiErr.Message, "has no version prefix: did you mean "+root+"/v1?")
	}

	// With /v1, an unknown campaign is a plain 404.
	c, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.RunCampaign(context.Background(), chatinc.RunCampaignParams{CampaignID: "nope", Audiences: []string{"all"}})
	require.True(t, errors.Is(err, chatinc.ErrNotFound), "%v", err)
	assert.NotContains(t, err.Error(), "version prefix")

	// A version prefix deeper in the path (behind a proxy) counts too.
	mock := httpmock.NewMockTransport()
	proxied := "https://gw.example.com/proxy/chatinc/v2"
	mock.RegisterResponder(http.MethodGet, proxied+"/retrieve/audiences", respond(t, 404, `{"status":"error","message":"gone"}`, nil))
	c, err = chatinc.NewClient(testKey, chatinc.WithBaseURL(proxied), chatinc.WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	_, err = c.RetrieveAudiences(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "version prefix")
}
