package chatinc_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// testKey is the API key of test clients.
const testKey = "sk_test_helpers_0123456789"

// testBaseURL is the base URL of test clients; mocked paths hang below it,
// so a request that lost the /v1 prefix finds no responder.
const testBaseURL = "https://api.test.chatinc/v1"

// newClientOf returns a client of the test server at baseURL (with its
// version prefix) that authenticates with key and waits 1–2 ms between
// attempts; opts come last, so they override. Every test client below is
// made here.
func newClientOf(t *testing.T, key, baseURL string, opts ...chatinc.Option) *chatinc.Client {
	t.Helper()
	c, err := chatinc.NewClient(key, append([]chatinc.Option{
		chatinc.WithBaseURL(baseURL),
		chatinc.WithRetryWait(time.Millisecond, 2*time.Millisecond),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// newTestClient returns a client whose transport is an httpmock transport
// (never the global default), with 1 ms retry waits.
func newTestClient(t *testing.T, opts ...chatinc.Option) (*chatinc.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	return newClientOf(t, testKey, testBaseURL, append([]chatinc.Option{
		chatinc.WithHTTPClient(&http.Client{Transport: mock}),
		chatinc.WithRetryWait(time.Millisecond, time.Millisecond),
	}, opts...)...), mock
}

// newSimClient starts a simulator and returns a client for it. The
// simulator is strict, so every test through it also checks that the SDK
// sends no JSON field the API does not know.
func newSimClient(t *testing.T, opts ...chatinctest.Option) (*chatinc.Client, *chatinctest.Server) {
	t.Helper()
	srv := chatinctest.NewServer(append([]chatinctest.Option{chatinctest.WithStrict()}, opts...)...)
	t.Cleanup(srv.Close)
	return newClientOf(t, srv.APIKey, srv.URL), srv
}

// newLoggedClient returns a client of srv (a fault server) that logs to a
// sink, the recorder of its log lines.
func newLoggedClient(t *testing.T, srv *faultServer, opts ...chatinc.Option) (*chatinc.Client, *logSink) {
	t.Helper()
	sink, logger := newLogSink()
	return newClientOf(t, faultKey, srv.URL+"/v1", append([]chatinc.Option{chatinc.WithLogger(logger)}, opts...)...), sink
}

// logSink collects a client's log lines as JSON objects.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// newLogSink returns a sink and a Debug-level logger writing to it.
func newLogSink() (*logSink, *slog.Logger) {
	s := &logSink{}
	return s, slog.New(slog.NewJSONHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// text returns everything logged so far.
func (s *logSink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// records returns the log lines, decoded.
func (s *logSink) records() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.text()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// count returns how many lines carry msg.
func (s *logSink) count(msg string) int {
	n := 0
	for _, rec := range s.records() {
		if rec["msg"] == msg {
			n++
		}
	}
	return n
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
// dropped: the one type for "a call" in these tests (the call table, the
// fault matrix's columns, the input and wire cases).
type apiCall func(ctx context.Context, c *chatinc.Client) error

// faultCSV is the file the upload calls send.
const faultCSV = "number\n+15550000001\n+15550000002\n"

// everyCall returns each of the client's thirteen calls, by name, with
// fixed, valid arguments.
func everyCall() map[string]apiCall {
	file := func() chatinc.File { return chatinc.FileFromReader("rows.csv", strings.NewReader(faultCSV)) }
	return map[string]apiCall{
		"CreateCampaign": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "M"}, chatinc.CampaignOptions{})
			return err
		},
		"RunCampaign": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "cmp-1", Audiences: []string{"all"}})
			return err
		},
		"RetrieveCampaigns": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{Active: true})
			return err
		},
		"RetrieveCampaignDetails": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveCampaignDetails(ctx, "cmp-1")
			return err
		},
		"RetrieveCampaignDetailsCSV": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveCampaignDetailsCSV(ctx, "cmp-1", &strings.Builder{})
			return err
		},
		"CreateAudience": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "aud-1", Name: "A"})
			return err
		},
		"AddContactsToAudience": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.AddContactsToAudience(ctx, "aud-1", []chatinc.Contact{{Number: "+15550000001"}})
			return err
		},
		"CreateAudienceFromFile": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "aud-1", Name: "A", File: file()})
			return err
		},
		"RetrieveAudiences": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveAudiences(ctx)
			return err
		},
		"RetrieveAudienceContacts": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveAudienceContacts(ctx, "aud-1")
			return err
		},
		"CreateVariableGroup": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "vg-1", Name: "contact", Fields: []string{"name"},
				Values: []chatinc.Row{{Number: "+15550000001", Values: map[string]string{"name": "Ana"}}}})
			return err
		},
		"CreateVariableGroupFromFile": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: "vg-1", Name: "contact", AudienceID: "aud-1", File: file()})
			return err
		},
		"RetrieveVariableGroups": func(ctx context.Context, c *chatinc.Client) error {
			_, err := c.RetrieveVariableGroups(ctx)
			return err
		},
	}
}

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
