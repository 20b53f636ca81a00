package chatinctest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// api is a plain net/http client of a simulator, for tests.
type api struct {
	t   *testing.T
	srv *chatinctest.Server
	hc  *http.Client
}

func newAPI(t *testing.T, opts ...chatinctest.Option) *api {
	t.Helper()
	srv := chatinctest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return &api{t: t, srv: srv, hc: &http.Client{Timeout: 20 * time.Second}}
}

// response is an answer of the simulator.
type response struct {
	t      *testing.T
	Status int
	Header http.Header
	Body   []byte
}

// object decodes the answer as a JSON object.
func (r response) object() map[string]any {
	r.t.Helper()
	var v map[string]any
	require.NoError(r.t, json.Unmarshal(r.Body, &v), "body: %s", r.Body)
	return v
}

// list decodes the answer as a JSON array of objects.
func (r response) list() []map[string]any {
	r.t.Helper()
	var v []map[string]any
	require.NoError(r.t, json.Unmarshal(r.Body, &v), "body: %s", r.Body)
	return v
}

// requireOK checks for a 200 with "status":"success" (or a bare array).
func (r response) requireOK() response {
	r.t.Helper()
	require.Equal(r.t, http.StatusOK, r.Status, "body: %s", r.Body)
	if bytes.HasPrefix(r.Body, []byte("{")) {
		require.Equal(r.t, "success", r.object()["status"], "body: %s", r.Body)
	}
	return r
}

// requireError checks for an error answer in the API's shape.
func (r response) requireError(status int, message string) {
	r.t.Helper()
	require.Equal(r.t, status, r.Status, "body: %s", r.Body)
	require.Equal(r.t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(r.t, map[string]any{"status": "error", "message": message}, r.object())
}

// send sends a request with the API key and returns the answer. body is
// sent as it is when it is a string or an io.Reader, else as JSON.
func (a *api) send(method, path string, body any, contentType string) response {
	a.t.Helper()
	return a.sendWith(method, path, body, contentType, a.srv.APIKey)
}

// withKey sends a request with key as the Authorization value.
func (a *api) withKey(key, method, path string, body any) response {
	a.t.Helper()
	return a.sendWith(method, path, body, "", key)
}

func (a *api) sendWith(method, path string, body any, contentType, key string) response {
	a.t.Helper()
	resp, err := a.roundTrip(context.Background(), method, path, body, contentType, key)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(a.t, err)
	return response{a.t, resp.StatusCode, resp.Header, data}
}

func (a *api) roundTrip(ctx context.Context, method, path string, body any, contentType, key string) (*http.Response, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case io.Reader:
		r = b
	default:
		data, err := json.Marshal(b)
		require.NoError(a.t, err)
		r = bytes.NewReader(data)
		if contentType == "" {
			contentType = "application/json"
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, a.srv.URL+path, r)
	require.NoError(a.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	return a.hc.Do(req)
}

func (a *api) post(path string, body any) response {
	a.t.Helper()
	return a.send(http.MethodPost, path, body, "")
}

func (a *api) get(path string) response {
	a.t.Helper()
	return a.send(http.MethodGet, path, nil, "")
}

// part is one part of a multipart body: a file part when file is set.
type part struct {
	name, file, content string
}

// multipartBody lays out parts in order and returns the body and its
// Content-Type.
func multipartBody(t *testing.T, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := make(textproto.MIMEHeader)
		if p.file != "" {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.file+`"`)
			h.Set("Content-Type", "text/csv")
		} else {
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"`)
		}
		w, err := mw.CreatePart(h)
		require.NoError(t, err)
		_, err = io.WriteString(w, p.content)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

func (a *api) upload(path string, parts ...part) response {
	a.t.Helper()
	body, ct := multipartBody(a.t, parts...)
	return a.send(http.MethodPost, path, body, ct)
}

// contacts is a contacts list of the numbers.
func contacts(numbers ...string) []map[string]any {
	out := make([]map[string]any, len(numbers))
	for i, n := range numbers {
		out[i] = map[string]any{"number": n}
	}
	return out
}

// numbersOf returns the numbers of audience id, in order.
func (a *api) numbersOf(id string) []string {
	a.t.Helper()
	var out []string
	for _, c := range a.post("/retrieve/audience/contacts", map[string]any{"id": id}).requireOK().object()["contacts"].([]any) {
		out = append(out, c.(map[string]any)["number"].(string))
	}
	return out
}
