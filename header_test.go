package chatinc_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestAPIErrorHeader checks that an *APIError carries the answer's headers,
// for a request ID to quote, without Set-Cookie or any value holding the
// key (raw or escaped), over the simulator's transport and a raw server.
func TestAPIErrorHeader(t *testing.T) {
	fs := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		h := w.Header()
		h.Set("X-Request-Id", "req-42")
		h.Add("Set-Cookie", "session=abc; HttpOnly")
		h.Set("X-Echo-Auth", "Bearer "+faultKey)
		h.Set("X-Echo-Escaped", url.QueryEscape(faultKey))
		h.Add("X-Mixed", "kept")
		h.Add("X-Mixed", "key="+faultKey)
		h.Set("Retry-After", "7")
		http.Error(w, `{"status":"error","message":"slow down"}`, http.StatusTooManyRequests)
	})
	c := newClientOf(t, faultKey, fs.URL+"/v1", chatinc.WithHTTPClient(&http.Client{}), chatinc.WithRetryMax(0))
	_, err := c.RetrieveAudiences(context.Background())
	var apiErr *chatinc.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	h := apiErr.Header
	assert.Equal(t, "req-42", h.Get("X-Request-Id"))
	assert.Equal(t, "7", h.Get("Retry-After"))
	assert.Empty(t, h.Values("Set-Cookie"))
	assert.Empty(t, h.Values("X-Echo-Auth"))
	assert.Empty(t, h.Values("X-Echo-Escaped"))
	assert.Equal(t, []string{"kept"}, h.Values("X-Mixed"))
	for name, vs := range h {
		for _, v := range vs {
			assert.NotContains(t, v, faultKey, name)
		}
	}
	assert.NotContains(t, err.Error(), "req-42", "headers are not in the error's text")
}
