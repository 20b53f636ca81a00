package chatinc_test

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// testKey is the API key of test clients.
const testKey = "sk_test_helpers_0123456789"

// testBaseURL is the base URL of test clients; mocked paths hang below it,
// so a request that lost the /v1 prefix finds no responder.
const testBaseURL = "https://api.test.chatinc/v1"

// newTestClient returns a client whose transport is an httpmock transport
// (never the global default), with 1 ms retry waits.
func newTestClient(t *testing.T, opts ...chatinc.Option) (*chatinc.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	all := append([]chatinc.Option{
		chatinc.WithHTTPClient(&http.Client{Transport: mock}),
		chatinc.WithBaseURL(testBaseURL),
		chatinc.WithRetryWait(time.Millisecond, time.Millisecond),
	}, opts...)
	c, err := chatinc.NewClient(testKey, all...)
	require.NoError(t, err)
	return c, mock
}

// url returns the mocked URL of an API path such as "/create/campaign".
func apiURL(path string) string { return testBaseURL + path }

// calls returns how many requests reached "METHOD URL".
func calls(mock *httpmock.MockTransport, method, path string) int {
	return mock.GetCallCountInfo()[method+" "+apiURL(path)]
}

// testMethod checks the request's method.
func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	assert.Equal(t, want, r.Method, "method")
}

// testHeader checks the headers every request carries.
func testHeader(t *testing.T, r *http.Request) {
	t.Helper()
	assert.Equal(t, testKey, r.Header.Get("Authorization"), "Authorization is the raw key")
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "chatinc-go/"+chatinc.Version+" (go"),
		"User-Agent %q", r.Header.Get("User-Agent"))
}

// testQuery checks the raw query string.
func testQuery(t *testing.T, r *http.Request, want string) {
	t.Helper()
	assert.Equal(t, want, r.URL.RawQuery, "query")
}

// testJSONBody checks that the body is JSON equal to want (a JSON text).
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	got, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.JSONEq(t, want, string(got))
}

// part is one part of a multipart body.
type part struct {
	FileName    string
	ContentType string
	Body        string
}

// testMultipart reads a multipart/form-data body and returns its parts by
// name, checking that Content-Length is exact when it was announced.
func testMultipart(t *testing.T, r *http.Request) map[string]part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt)
	raw, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	if r.ContentLength >= 0 {
		assert.Equal(t, r.ContentLength, int64(len(raw)), "Content-Length is exact")
	}
	mr := multipart.NewReader(strings.NewReader(string(raw)), params["boundary"])
	parts := map[string]part{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, err := io.ReadAll(p)
		require.NoError(t, err)
		parts[p.FormName()] = part{FileName: p.FileName(), ContentType: p.Header.Get("Content-Type"), Body: string(b)}
	}
	return parts
}

// respond returns a responder that runs check on the request, then answers
// status with body (a JSON text, or "" for none).
func respond(t *testing.T, status int, body string, check func(r *http.Request)) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if check != nil {
			check(r)
		}
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
