package chatinc_test

import (
	"context"
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
		return newResponse(status, "application/json", body), nil
	}
}

// newResponse returns a response with status, Content-Type and body.
func newResponse(status int, contentType, body string) *http.Response {
	resp := httpmock.NewStringResponse(status, body)
	resp.Header.Set("Content-Type", contentType)
	return resp
}

// mustJSON encodes v.
func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return string(b)
}

// answering returns a test client whose mock answers every "method path"
// request with status and body.
func answering(t *testing.T, method, path string, status int, body string, opts ...chatinc.Option) (*chatinc.Client, *httpmock.MockTransport) {
	t.Helper()
	c, mock := newTestClient(t, opts...)
	mock.RegisterResponder(method, apiURL(path), respond(t, status, body, nil))
	return c, mock
}

// testNoBody checks that the request carries no body.
func testNoBody(t *testing.T, r *http.Request) {
	t.Helper()
	if r.Body == nil {
		return
	}
	got, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Empty(t, string(got), "no body")
}

// apiCall is a call of the client with fixed arguments, its result
// dropped.
type apiCall func(ctx context.Context, c *chatinc.Client) error

// callWith returns the call of method m, a method expression such as
// (*chatinc.Client).CreateAudience, with argument arg.
func callWith[A, R any](m func(*chatinc.Client, context.Context, A) (R, error), arg A) apiCall {
	return func(ctx context.Context, c *chatinc.Client) error {
		_, err := m(c, ctx, arg)
		return err
	}
}

// okAnswer is a success answer that every call accepts: a Result, or an
// empty list.
const okAnswer = `{"status":"success","data":[]}`

// wireCase is one call and the request it must make.
type wireCase struct {
	name   string
	method string
	path   string          // below the base URL, e.g. "/create/campaign"
	query  string          // the raw query string; "" for none
	body   string          // the JSON body; "" when the request has none
	parts  map[string]part // for an upload, instead of body: the multipart parts
	call   apiCall
}

// testWire runs each call against the mock and checks the one request it
// sends: method, exact path, query, headers and body.
func testWire(t *testing.T, tests []wireCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := newTestClient(t)
			mock.RegisterResponder(tt.method, apiURL(tt.path), respond(t, 200, okAnswer, func(r *http.Request) {
				testMethod(t, r, tt.method)
				testHeader(t, r)
				testQuery(t, r, tt.query)
				switch {
				case tt.parts != nil:
					assert.Equal(t, tt.parts, testMultipart(t, r))
				case tt.body != "":
					testJSONBody(t, r, tt.body)
				default:
					testNoBody(t, r)
				}
			}))
			require.NoError(t, tt.call(context.Background(), c))
			assert.Equal(t, 1, mock.GetTotalCallCount(), "one request")
		})
	}
}

// decodeCase is an answer's body and what a call must decode from it.
type decodeCase[T any] struct {
	name   string
	answer string
	want   T
}

// testDecode answers "method path" with each case's body and checks what
// call returns.
func testDecode[T any](t *testing.T, method, path string, call func(context.Context, *chatinc.Client) (T, error), tests []decodeCase[T]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := answering(t, method, path, 200, tt.answer)
			got, err := call(context.Background(), c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// inputCase is a call with some input, and the field a *ValidationError
// must name ("" when the input is valid).
type inputCase struct {
	name  string
	field string // the *ValidationError's Field; "" for valid input
	is    error  // when set, errors.Is(err, is) must hold too
	call  apiCall
}

// testInputs runs each call against a mock that answers (and counts) every
// request: invalid input must fail with a *ValidationError naming the field
// and send nothing; valid input must be sent, once.
func testInputs(t *testing.T, tests []inputCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := newTestClient(t)
			mock.RegisterNoResponder(respond(t, 200, okAnswer, nil))
			err := tt.call(context.Background(), c)
			if tt.field == "" {
				require.NoError(t, err)
				assert.Equal(t, 1, mock.GetTotalCallCount(), "sent once")
				return
			}
			var ve *chatinc.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field, "Field (%v)", err)
			assert.NotEmpty(t, ve.Reason)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Zero(t, mock.GetTotalCallCount(), "nothing sent")
		})
	}
}
