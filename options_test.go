package chatinc_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

func TestNewClientChecksItsInput(t *testing.T) {
	base := func(raw string) []chatinc.Option { return []chatinc.Option{chatinc.WithBaseURL(raw)} }
	tests := []struct {
		name string
		key  string
		opts []chatinc.Option
		ok   bool
	}{
		{"defaults", testKey, nil, true},
		{"empty key", "", nil, false},
		{"blank key", " \t", nil, false},
		{"no retries", testKey, []chatinc.Option{chatinc.WithRetryMax(0)}, true},
		{"negative retries", testKey, []chatinc.Option{chatinc.WithRetryMax(-1)}, false},
		{"retry wait min 0", testKey, []chatinc.Option{chatinc.WithRetryWait(0, time.Second)}, false},
		{"retry wait min > max", testKey, []chatinc.Option{chatinc.WithRetryWait(2*time.Second, time.Second)}, false},
		{"retry wait min = max", testKey, []chatinc.Option{chatinc.WithRetryWait(time.Second, time.Second)}, true},
		{"nil HTTP client", testKey, []chatinc.Option{chatinc.WithHTTPClient(nil)}, false},
		{"max response 0", testKey, []chatinc.Option{chatinc.WithMaxResponseBytes(0)}, false},
		{"negative attempt timeout", testKey, []chatinc.Option{chatinc.WithAttemptTimeout(-time.Second)}, false},
		{"nil option ignored", testKey, []chatinc.Option{nil, chatinc.WithLogger(nil), nil}, true},
		{"https, no version prefix", testKey, base("https://api.broadcast.chatinc.com"), true},
		{"https to a private address", testKey, base("https://10.0.0.1:8443/v1"), true},
		{"http to localhost", testKey, base("http://localhost:1/v1"), true},
		{"http to 127.0.0.2", testKey, base("http://127.0.0.2/v1"), true},
		{"http to ::1", testKey, base("http://[::1]:8080/v1"), true},
		{"http to a public host", testKey, base("http://example.com/v1"), false},
		{"http to a private address", testKey, base("http://10.0.0.1/v1"), false},
		{"no scheme", testKey, base("api.chatinc.com/v1"), false},
		{"path only", testKey, base("/v1"), false},
		{"no host", testKey, base("https:///v1"), false},
		{"empty base URL", testKey, base(""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := chatinc.NewClient(tt.key, tt.opts...)
			if tt.ok {
				require.NoError(t, err)
				assert.NotNil(t, c)
				return
			}
			require.Error(t, err)
			assert.Nil(t, c)
		})
	}
}

// TestBaseURLKeepsItsPrefix checks that requests go below the base URL's
// path, with or without a trailing slash, and to DefaultBaseURL without one.
func TestBaseURLKeepsItsPrefix(t *testing.T) {
	for _, tt := range []struct{ base, want string }{
		{"https://api.test.chatinc/v1", "https://api.test.chatinc/v1/create/campaign"},
		{"https://api.test.chatinc/v1/", "https://api.test.chatinc/v1/create/campaign"},
		{"https://api.test.chatinc/proxy/chatinc/v1", "https://api.test.chatinc/proxy/chatinc/v1/create/campaign"},
		{"", chatinc.DefaultBaseURL + "/create/campaign"},
	} {
		t.Run(tt.base, func(t *testing.T) {
			mock := httpmock.NewMockTransport()
			mock.RegisterResponder(http.MethodPost, tt.want, respond(t, 200, okAnswer, nil))
			opts := []chatinc.Option{chatinc.WithHTTPClient(&http.Client{Transport: mock})}
			if tt.base != "" {
				opts = append(opts, chatinc.WithBaseURL(tt.base))
			}
			c, err := chatinc.NewClient(testKey, opts...)
			require.NoError(t, err)
			_, err = c.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: "T", Message: "M"}, chatinc.CampaignOptions{})
			require.NoError(t, err)
			assert.Equal(t, 1, mock.GetCallCountInfo()["POST "+tt.want])
		})
	}
}

func TestUserAgent(t *testing.T) {
	sdk := fmt.Sprintf("chatinc-go/%s (%s)", chatinc.Version, runtime.Version())
	for _, tt := range []struct {
		name string
		opts []chatinc.Option
		want string
	}{
		{"the SDK's own", nil, sdk},
		{"appended", []chatinc.Option{chatinc.WithUserAgent("shop-backend/1.4")}, sdk + " shop-backend/1.4"},
		{"appended twice", []chatinc.Option{chatinc.WithUserAgent("a/1"), chatinc.WithUserAgent(" b/2 ")}, sdk + " a/1 b/2"},
		{"empty ignored", []chatinc.Option{chatinc.WithUserAgent("")}, sdk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := newTestClient(t, tt.opts...)
			mock.RegisterResponder(http.MethodGet, apiURL("/retrieve/audiences"), respond(t, 200, okAnswer, func(r *http.Request) {
				assert.Equal(t, tt.want, r.Header.Get("User-Agent"))
			}))
			_, err := c.RetrieveAudiences(context.Background())
			require.NoError(t, err)
		})
	}
}

func TestWithHTTPClientCopies(t *testing.T) {
	hc := &http.Client{Transport: httpmock.NewMockTransport(), Timeout: time.Minute}
	_, err := chatinc.NewClient(testKey, chatinc.WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not changed")
	assert.Equal(t, time.Minute, hc.Timeout)
}

func TestWithMaxResponseBytes(t *testing.T) {
	body := `{"status":"success","audiences":[{"id":"a","name":"` + strings.Repeat("x", 100) + `"}]}`
	for _, tt := range []struct {
		name  string
		limit int64
		ok    bool
	}{
		{"under", int64(len(body)) + 1, true},
		{"exactly", int64(len(body)), true},
		{"over", int64(len(body)) - 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := answering(t, http.MethodGet, "/retrieve/audiences", 200, body, chatinc.WithMaxResponseBytes(tt.limit))
			got, err := c.RetrieveAudiences(context.Background())
			assert.Equal(t, 1, mock.GetTotalCallCount(), "a body too large is not fetched again")
			if tt.ok {
				require.NoError(t, err)
				assert.Len(t, got, 1)
				return
			}
			require.ErrorIs(t, err, chatinc.ErrResponseTooLarge)
			testNoKey(t, err)
		})
	}
	t.Run("CSV export not capped", func(t *testing.T) {
		csv := strings.Repeat("+15550000001,sent\n", 100)
		c, _ := answering(t, http.MethodPost, "/retrieve/campaign", 200, csv, chatinc.WithMaxResponseBytes(10))
		var w strings.Builder
		n, err := c.RetrieveCampaignDetailsCSV(context.Background(), "cmp", &w)
		require.NoError(t, err)
		assert.Equal(t, int64(len(csv)), n)
		assert.Equal(t, csv, w.String())
	})
}

// TestClientPrintsItsBaseURLNotItsKey complements security_test.go's
// TestKeyNeverFormatted: what a printed client does show.
func TestClientPrintsItsBaseURLNotItsKey(t *testing.T) {
	c, err := chatinc.NewClient(testKey, chatinc.WithBaseURL("http://127.0.0.1:8080/v1/"))
	require.NoError(t, err)
	out := fmt.Sprintf("%v %+v %#v %s", c, c, c, *c)
	assert.NotContains(t, out, testKey)
	assert.Contains(t, out, `BaseURL: "http://127.0.0.1:8080/v1"`)
	assert.Contains(t, out, "[redacted]")
}
