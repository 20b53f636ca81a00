package chatinctest_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// postTo sends body to url with key and returns the answer's status and body.
func postTo(t *testing.T, hc *http.Client, url, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(data)
}

// TestNewHandlerMounted checks the handler served from a server of the
// user's own, under a prefix: the API answers under <prefix>/v1, with its
// state, faults and log, and nothing else is taken over.
func TestNewHandlerMounted(t *testing.T) {
	h := chatinctest.NewHandler(chatinctest.WithAPIKey("sk_test_mounted"))
	t.Cleanup(h.Close)
	mux := http.NewServeMux()
	mux.Handle("/sim/", http.StripPrefix("/sim", h))
	mux.HandleFunc("/other", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "mine") })
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	base := ts.URL + "/sim/v1"
	assert.Equal(t, "sk_test_mounted", h.APIKey())

	status, body := postTo(t, ts.Client(), base+"/create/audience", h.APIKey(), `{"id":"a","name":"A","contacts":[{"number":"+15550100001"}]}`)
	assert.Equal(t, http.StatusOK, status, body)
	status, body = postTo(t, ts.Client(), base+"/retrieve/audience/contacts", "wrong", `{"id":"a"}`)
	assert.Equal(t, http.StatusUnauthorized, status, body)
	h.InjectFault("/retrieve/audience/contacts", 1, chatinctest.Fault{Status: http.StatusBadGateway})
	status, _ = postTo(t, ts.Client(), base+"/retrieve/audience/contacts", h.APIKey(), `{"id":"a"}`)
	assert.Equal(t, http.StatusBadGateway, status)
	status, body = postTo(t, ts.Client(), base+"/retrieve/audience/contacts", h.APIKey(), `{"id":"a"}`)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"status":"success","id":"a","contacts":[{"number":"+15550100001"}]}`, body)

	resp, err := ts.Client().Get(ts.URL + "/other")
	require.NoError(t, err)
	mine, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "mine", string(mine))

	assert.Equal(t, 3, h.RequestCount("/retrieve/audience/contacts"))
	var statuses []int
	for _, r := range h.Requests() {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{200, 401, 502, 200}, statuses)
	assert.Equal(t, `{"id":"a"}`, string(h.Requests()[3].Body))
}

// TestServerClient checks that Server.Client reaches the server, as
// httptest.Server.Client does.
func TestServerClient(t *testing.T) {
	srv := chatinctest.NewServer()
	t.Cleanup(srv.Close)
	status, body := postTo(t, srv.Client(), srv.URL+"/retrieve/variable/groups", srv.APIKey, ``)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "[]\n", body)
}

// TestWithLogger checks that each warning is logged with the request's
// method and path.
func TestWithLogger(t *testing.T) {
	var buf bytes.Buffer
	srv := chatinctest.NewServer(chatinctest.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	t.Cleanup(srv.Close)
	status, _ := postTo(t, srv.Client(), srv.URL+"/create/audience", srv.APIKey, `{"id":"a","name":"A","nmae":"x"}`)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, buf.String(), `level=WARN msg="unknown field \"nmae\" (did you mean \"name\"?)" method=POST path=/v1/create/audience`)
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"))
}

// TestNewTLSServer checks that the TLS server speaks HTTP/2 over https to
// its own Client, and answers as the plain one does.
func TestNewTLSServer(t *testing.T) {
	srv := chatinctest.NewTLSServer()
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "https://127.0.0.1:"), srv.URL)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/retrieve/audiences", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", srv.APIKey)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, 2, resp.ProtoMajor)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"status":"success","audiences":[]}`, string(body))
	assert.Equal(t, 1, srv.RequestCount("/retrieve/audiences"))
}
