package chatinc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// testNoKey checks that neither the error's text nor its formatted value
// holds the API key.
func testNoKey(t *testing.T, err error) {
	t.Helper()
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", err, err, err, err), testKey)
}

// requestOf records the method and the path below /v1 (with its query) of
// the requests a responder answers.
type requestOf struct{ method, path string }

// answerAll answers every request with status, header and body, recording
// the last request in seen.
func answerAll(mock *httpmock.MockTransport, seen *requestOf, status int, header http.Header, body func(r *http.Request) string) {
	mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		*seen = requestOf{r.Method, strings.TrimPrefix(r.URL.RequestURI(), "/v1")}
		resp := newResponse(status, "application/json", body(r))
		for k, v := range header {
			resp.Header[k] = v
		}
		return resp, nil
	})
}

// TestEveryCallReturnsAPIError checks, for each of the 13 calls, that an
// error status becomes an *APIError naming the call's method and path, that
// the sentinels match by status, and that the key stays out of it even when
// the server echoes it.
func TestEveryCallReturnsAPIError(t *testing.T) {
	sentinels := []error{chatinc.ErrUnauthorized, chatinc.ErrNotFound, chatinc.ErrRateLimited}
	for _, tt := range []struct {
		status int
		is     error // the sentinel it matches, nil for none
	}{
		{400, nil}, {401, chatinc.ErrUnauthorized}, {403, chatinc.ErrUnauthorized},
		{404, chatinc.ErrNotFound}, {429, chatinc.ErrRateLimited}, {500, nil},
	} {
		for name, call := range everyCall() {
			t.Run(fmt.Sprintf("%d/%s", tt.status, name), func(t *testing.T) {
				c, mock := newTestClient(t, chatinc.WithRetryMax(0))
				var seen requestOf
				answerAll(mock, &seen, tt.status, nil, func(r *http.Request) string {
					return `{"status":"error","message":"refused for ` + r.Header.Get("Authorization") + `"}`
				})
				err := call(context.Background(), c)
				var apiErr *chatinc.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.status, apiErr.StatusCode)
				assert.Equal(t, "refused for [redacted]", apiErr.Message)
				assert.Equal(t, seen.method, apiErr.Method)
				assert.Equal(t, seen.path, apiErr.Path)
				for _, s := range sentinels {
					assert.Equal(t, s == tt.is, errors.Is(err, s), "errors.Is(%v)", s)
				}
				assert.Equal(t, 1, mock.GetTotalCallCount())
				testNoKey(t, err)
			})
		}
	}
}

// TestErrorStatusInA2xxBody checks that a 2xx answer whose body says
// "status":"error" is an *APIError with the status it came with, for every
// call, the CSV export included.
func TestErrorStatusInA2xxBody(t *testing.T) {
	for _, body := range []string{
		`{"status":"error","message":"quota exceeded"}`,
		`[{"status":"error","message":"quota exceeded"}]`,
		`{"status":"ERROR","error":"quota exceeded"}`,
	} {
		for name, call := range everyCall() {
			t.Run(name+"/"+body, func(t *testing.T) {
				c, mock := newTestClient(t)
				var seen requestOf
				answerAll(mock, &seen, 200, nil, func(*http.Request) string { return body })
				err := call(context.Background(), c)
				var apiErr *chatinc.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 200, apiErr.StatusCode)
				assert.Equal(t, "quota exceeded", apiErr.Message)
				assert.Equal(t, seen.path, apiErr.Path)
				assert.Equal(t, 1, mock.GetTotalCallCount(), "a 200 is not retried")
			})
		}
	}
}

// TestErrorMessageFromTheBody checks the message an *APIError takes from
// bodies other than the documented JSON one.
func TestErrorMessageFromTheBody(t *testing.T) {
	long := strings.Repeat("upstream failure ", 100)
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"JSON message", 400, `{"status":"error","message":"title is required"}`, "title is required"},
		{"JSON error field", 400, `{"status":"error","error":"bad audience"}`, "bad audience"},
		{"JSON message without status", 422, `{"message":"unprocessable"}`, "unprocessable"},
		{"plain text", 502, "  Bad\n gateway  ", "Bad gateway"},
		{"long plain text, truncated", 500, long, strings.TrimSpace(long)[:512] + "…"},
		{"HTML page: its title", 503, "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>nginx</h1></body></html>",
			"503 Service Temporarily Unavailable"},
		{"HTML without a title", 502, "<html><body>oops</body></html>", "Bad Gateway"},
		{"binary", 500, "\x00\xff\xfe\x01", "Internal Server Error"},
		{"empty", 404, "", "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := answering(t, http.MethodGet, "/retrieve/audiences", tt.status, tt.body, chatinc.WithRetryMax(0))
			_, err := c.RetrieveAudiences(context.Background())
			var apiErr *chatinc.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.want, apiErr.Message)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	inAMinute := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		retryMax   int
		status     int
		retryAfter string
		want       time.Duration
		delta      time.Duration
	}{
		{"seconds", 0, 429, "7", 7 * time.Second, 0},
		{"HTTP date", 0, 503, inAMinute, 90 * time.Second, 2 * time.Second},
		{"on a 400", 0, 400, "3", 3 * time.Second, 0},
		{"unreadable", 0, 429, "soon", 0, 0},
		// Longer than the SDK will sleep: returned at once, not retried.
		{"too long to wait", 2, 429, "120", 120 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := newTestClient(t, chatinc.WithRetryMax(tt.retryMax))
			var seen requestOf
			answerAll(mock, &seen, tt.status, http.Header{"Retry-After": {tt.retryAfter}}, func(*http.Request) string {
				return `{"status":"error","message":"slow down"}`
			})
			_, err := c.RetrieveAudiences(context.Background())
			var apiErr *chatinc.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.InDelta(t, tt.want, apiErr.RetryAfter, float64(tt.delta))
			assert.Equal(t, 1, mock.GetTotalCallCount())
		})
	}
}

// TestMalformedSuccessIsDecodeError checks that a 2xx answer the SDK cannot
// read fails every decoding call with a *DecodeError, never a panic.
func TestMalformedSuccessIsDecodeError(t *testing.T) {
	for _, body := range []string{
		`{"status":"success",`,
		`"just a string"`,
		`42`,
		`[1,2]`,
		`{"status":{"code":1}}`,
		`<html>OK</html>`,
	} {
		for name, call := range everyCall() {
			if name == "RetrieveCampaignDetailsCSV" {
				continue // streams the body as it is
			}
			t.Run(name+"/"+body, func(t *testing.T) {
				c, mock := newTestClient(t)
				var seen requestOf
				answerAll(mock, &seen, 200, nil, func(*http.Request) string { return body })
				var err error
				require.NotPanics(t, func() { err = call(context.Background(), c) })
				var decErr *chatinc.DecodeError
				require.ErrorAs(t, err, &decErr)
				assert.Equal(t, 200, decErr.StatusCode)
				assert.Equal(t, seen.method, decErr.Method)
				assert.Equal(t, seen.path, decErr.Path)
				assert.Equal(t, body, decErr.Body)
				assert.Error(t, errors.Unwrap(decErr), "the decoding error")
				assert.Equal(t, 1, mock.GetTotalCallCount(), "a 200 is not retried")
				testNoKey(t, err)
			})
		}
	}
}

// TestContextCancelled checks that a call whose context is already done
// fails with the context's error and sends nothing. It runs over a real
// connection: httpmock may answer a request whose context is done.
func TestContextCancelled(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, okAnswer)
	}))
	defer srv.Close()
	c, err := chatinc.NewClient(testKey, chatinc.WithBaseURL(srv.URL+"/v1"))
	require.NoError(t, err)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for name, call := range everyCall() {
		assert.ErrorIs(t, call(cancelled, c), context.Canceled, name)
		assert.ErrorIs(t, call(expired, c), context.DeadlineExceeded, name)
	}
	assert.Zero(t, hits.Load())

	// A transport that ignores the context (httpmock does) must not get the
	// request either: the SDK checks the context before the first attempt.
	mc, mock := newTestClient(t)
	mock.RegisterNoResponder(respond(t, 200, okAnswer, nil))
	for name, call := range everyCall() {
		assert.ErrorIs(t, call(cancelled, mc), context.Canceled, name)
	}
	assert.Zero(t, mock.GetTotalCallCount(), "no request reached a context-blind transport")
}

// TestErrorStatusWithoutMessage checks that a 2xx answer saying
// "status":"error" with no message does not read as "200 OK: OK".
func TestErrorStatusWithoutMessage(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterNoResponder(respond(t, 200, `{"status":"error"}`, nil))
	_, err := c.RetrieveAudiences(context.Background())
	var apiErr *chatinc.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 200, apiErr.StatusCode)
	assert.Equal(t, "the API reported an error without a message", apiErr.Message)
}

func TestAPIErrorText(t *testing.T) {
	tests := []struct {
		err  *chatinc.APIError
		want string
	}{
		{&chatinc.APIError{StatusCode: 404, Message: "no such audience", Method: "POST", Path: "/retrieve/audience/contacts"},
			"chatinc: POST /retrieve/audience/contacts: 404 Not Found: no such audience"},
		{&chatinc.APIError{StatusCode: 429, Message: "slow down", Method: "GET", Path: "/retrieve/campaigns?active=true", RetryAfter: 90 * time.Second},
			"chatinc: GET /retrieve/campaigns?active=true: 429 Too Many Requests: slow down (retry after 1m30s)"},
		{&chatinc.APIError{StatusCode: 500}, "chatinc: 500 Internal Server Error"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

func TestAPIErrorIs(t *testing.T) {
	for status, want := range map[int]error{
		400: nil, 401: chatinc.ErrUnauthorized, 403: chatinc.ErrUnauthorized, 404: chatinc.ErrNotFound,
		409: nil, 429: chatinc.ErrRateLimited, 500: nil, 503: nil,
	} {
		wrapped := fmt.Errorf("syncing: %w", &chatinc.APIError{StatusCode: status})
		for _, s := range []error{chatinc.ErrUnauthorized, chatinc.ErrNotFound, chatinc.ErrRateLimited} {
			assert.Equal(t, s == want, errors.Is(wrapped, s), "%d is %v", status, s)
		}
	}
}

func TestValidationAndDecodeErrorText(t *testing.T) {
	cause := errors.New("no such file")
	ve := &chatinc.ValidationError{Field: "file", Reason: "cannot open the file", Err: cause}
	assert.Equal(t, "chatinc: invalid file: cannot open the file: no such file", ve.Error())
	assert.ErrorIs(t, ve, cause)
	assert.Equal(t, "chatinc: invalid title: required", (&chatinc.ValidationError{Field: "title", Reason: "required"}).Error())

	de := &chatinc.DecodeError{StatusCode: 200, Method: "GET", Path: "/retrieve/audiences", Err: cause}
	assert.Equal(t, "chatinc: GET /retrieve/audiences: cannot decode 200 response: no such file", de.Error())
	assert.ErrorIs(t, de, cause)
}
