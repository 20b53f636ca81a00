package chatinc

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestURLAsParsed: each request's URL is made from the base URL
// parsed once, and is exactly what url.Parse of the base URL's text and
// the path gives, for base URLs with ports, paths, escapes and IPv6 hosts,
// and paths with and without a query. The request leaves Host empty, so
// that net/http takes it from the URL rather than copy the URL per call.
func TestRequestURLAsParsed(t *testing.T) {
	for _, base := range []string{
		"https://api.chatinc.example/v1", "https://api.chatinc.example/v1/", "https://API.Chatinc.example:8443/v1",
		"http://127.0.0.1:8080/v1", "http://[::1]:8080/api/v1/", "https://h.example/my%20api/v1", "https://h.example",
		"https://h.example/a%2Fb/v1", "https://h.example/a%3Fb/v1", "https://h.example/v1?x=1#frag",
	} {
		c, err := NewClient("sk_test_url", WithBaseURL(base))
		require.NoError(t, err, base)
		for _, path := range []string{"create/campaign", "retrieve/campaigns?active=true", "retrieve/campaigns?a=1&b=%2F", "run/campaign"} {
			want, err := url.Parse(c.baseURL.String() + path)
			require.NoError(t, err)
			cl, err := c.newRequest(context.Background(), 0, http.MethodGet, path, nil)
			require.NoError(t, err)
			got := cl.req.URL
			assert.Equal(t, want.String(), got.String(), "%s + %s", base, path)
			assert.Equal(t, *want, *got, "%s + %s", base, path)
			assert.Empty(t, cl.req.Host)
			assert.Equal(t, "/"+path, cl.path, "the path for errors and logs")
		}
	}
}
