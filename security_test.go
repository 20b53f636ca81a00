package chatinc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestKeyOnlyInAuthorizationHeader runs every call and checks that the key
// travels in the Authorization header, raw, and nowhere else: not in the
// URL, another header or the body.
func TestKeyOnlyInAuthorizationHeader(t *testing.T) {
	var (
		mu    sync.Mutex
		seen  int
		leaks []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen++
		if got := r.Header.Get("Authorization"); got != faultKey {
			leaks = append(leaks, fmt.Sprintf("%s: Authorization %q", r.URL.Path, got))
		}
		for name, values := range r.Header {
			if name != "Authorization" && strings.Contains(strings.Join(values, " "), faultKey) {
				leaks = append(leaks, r.URL.Path+": header "+name)
			}
		}
		if strings.Contains(r.URL.String(), faultKey) || strings.Contains(string(body), faultKey) {
			leaks = append(leaks, r.URL.Path+": URL or body")
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, faultOK)
	}))
	defer srv.Close()
	c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(srv.URL+"/v1"))
	require.NoError(t, err)
	for name, call := range everyCall() {
		require.NoError(t, call(context.Background(), c), name)
	}
	assert.Equal(t, len(everyCall()), seen)
	assert.Empty(t, leaks)
}

// redirectPair is a server that redirects every request to target, and the
// requests each saw, with the Authorization header they got.
type redirectPair struct {
	from, to         *httptest.Server
	mu               sync.Mutex
	fromHits, toHits int
	toAuth           []string
}

// newRedirectPair starts the target (TLS or not) and a server (TLS or not)
// that answers 307 to it.
func newRedirectPair(t *testing.T, fromTLS, toTLS bool) *redirectPair {
	t.Helper()
	p := &redirectPair{}
	start := func(tls bool, h http.HandlerFunc) *httptest.Server {
		if tls {
			return httptest.NewTLSServer(h)
		}
		return httptest.NewServer(h)
	}
	p.to = start(toTLS, func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.toHits++
		p.toAuth = append(p.toAuth, r.Header.Get("Authorization"))
		p.mu.Unlock()
		_, _ = io.WriteString(w, faultOK)
	})
	p.from = start(fromTLS, func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.fromHits++
		p.mu.Unlock()
		http.Redirect(w, r, p.to.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	t.Cleanup(p.from.Close)
	t.Cleanup(p.to.Close)
	return p
}

// TestRedirectToAnotherHostRefused checks that no redirect carries the key
// to another host, or from https down to http, whether the SDK's own HTTP
// client is used or the caller's, even one whose CheckRedirect allows
// everything; and that the refusal is not retried.
func TestRedirectToAnotherHostRefused(t *testing.T) {
	allowAll := func(*http.Request, []*http.Request) error { return nil }
	tests := []struct {
		name           string
		fromTLS, toTLS bool
		client         func(p *redirectPair) *http.Client // nil: the SDK's own
	}{
		{name: "http to another loopback port, SDK's client"},
		{name: "http to another host, caller's client allowing all redirects",
			client: func(*redirectPair) *http.Client { return &http.Client{CheckRedirect: allowAll} }},
		{name: "https to http", fromTLS: true,
			client: func(p *redirectPair) *http.Client { return p.from.Client() }},
		{name: "https to http, caller's client allowing all redirects", fromTLS: true,
			client: func(p *redirectPair) *http.Client {
				hc := p.from.Client()
				hc.CheckRedirect = allowAll
				return hc
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"RetrieveAudiences", "CreateCampaign"} {
				call := everyCall()[name]
				p := newRedirectPair(t, tt.fromTLS, tt.toTLS)
				opts := []chatinc.Option{chatinc.WithBaseURL(p.from.URL + "/v1"),
					chatinc.WithRetryWait(time.Millisecond, time.Millisecond)}
				if tt.client != nil {
					opts = append(opts, chatinc.WithHTTPClient(tt.client(p)))
				}
				c, err := chatinc.NewClient(faultKey, opts...)
				require.NoError(t, err)
				err = call(context.Background(), c)
				require.ErrorIs(t, err, chatinc.ErrRedirectRefused, name)
				assert.NotContains(t, err.Error(), faultKey)
				assert.Equal(t, 1, p.fromHits, "%s: not retried", name)
				assert.Zero(t, p.toHits, "%s: nothing reaches the other host", name)
			}
		})
	}
}

// TestRedirectOnTheSameHostFollowed checks that the redirect rule leaves a
// same-host redirect alone.
func TestRedirectOnTheSameHostFollowed(t *testing.T) {
	var auth []string
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/retrieve/audiences", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/retrieve/audiences/page", http.StatusFound)
	})
	mux.HandleFunc("/v1/retrieve/audiences/page", func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		_, _ = io.WriteString(w, faultOK)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(srv.URL+"/v1"))
	require.NoError(t, err)
	got, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)
	assert.Len(t, got, 1)
	assert.Equal(t, []string{faultKey}, auth)
}

// TestClearTextOnlyToLoopback checks which base URLs NewClient accepts: http
// only to a loopback host.
func TestClearTextOnlyToLoopback(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.chatinc.com/v1":        true,
		"http://localhost:8080/v1":          true,
		"http://LOCALHOST/v1":               true,
		"http://127.0.0.1:9/v1":             true,
		"http://127.8.9.10/v1":              true,
		"http://[::1]:8080/v1":              true,
		"http://api.chatinc.com/v1":         false,
		"http://localhost.example.com/v1":   false,
		"http://127.0.0.1.nip.io/v1":        false,
		"http://10.0.0.1/v1":                false,
		"http://192.168.1.10/v1":            false,
		"http://0.0.0.0:8080/v1":            false,
		"http://[::]:8080/v1":               false,
		"http://[fe80::1]/v1":               false,
		"ftp://127.0.0.1/v1":                false,
		"ws://127.0.0.1/v1":                 false,
		"https://user:pass@api.chatinc.com": false,
		"api.chatinc.com/v1":                false,
		"https:///v1":                       false,
	} {
		_, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(raw))
		if ok {
			assert.NoError(t, err, raw)
		} else if assert.Error(t, err, raw) {
			assert.NotContains(t, err.Error(), faultKey)
		}
	}
}

// TestKeyNeverFormatted checks every fmt verb on a Client and on a pointer
// to one.
func TestKeyNeverFormatted(t *testing.T) {
	c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL("http://127.0.0.1:1/v1"))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T", "%d", "%100v"} {
		for _, v := range []any{c, *c, []any{c}, map[string]any{"c": c}, struct{ C *chatinc.Client }{c}} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, faultKey, verb)
			assert.NotContains(t, out, fmt.Sprintf("%x", faultKey), verb)
		}
	}
	assert.Contains(t, fmt.Sprint(c), "[redacted]")
}

// TestKeyNeverInErrors checks that a server echoing the key back, in an
// error body or an undecodable success body, does not put it into the error.
func TestKeyNeverInErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		serve faultFunc
	}{
		{"error message", func(w http.ResponseWriter, r *http.Request, hit int) {
			answer(401, "", errBody("unknown key "+r.Header.Get("Authorization")))(w, r, hit)
		}},
		{"HTML page", func(w http.ResponseWriter, r *http.Request, hit int) {
			answer(403, "", "<html><title>Forbidden: "+r.Header.Get("Authorization")+"</title></html>")(w, r, hit)
		}},
		{"text body", func(w http.ResponseWriter, r *http.Request, hit int) {
			answer(400, "", "bad request from "+r.Header.Get("Authorization"))(w, r, hit)
		}},
		{"undecodable 200", func(w http.ResponseWriter, r *http.Request, hit int) {
			answer(200, "", `{"echo":"`+r.Header.Get("Authorization")+`",`)(w, r, hit)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, tt.serve)
			c, _ := newLoggedClient(t, srv)
			_, err := c.CreateAudience(context.Background(), chatinc.AudienceParams{ID: "a", Name: "A"})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), faultKey)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), faultKey)
			var apiErr *chatinc.APIError
			if errors.As(err, &apiErr) {
				assert.NotContains(t, apiErr.Message+apiErr.Body, faultKey)
			}
			var decErr *chatinc.DecodeError
			if errors.As(err, &decErr) {
				assert.NotContains(t, decErr.Body, faultKey)
			}
		})
	}
}

// TestUserAgentCannotForgeHeaders checks that WithUserAgent refuses line
// breaks and other control characters.
func TestUserAgentCannotForgeHeaders(t *testing.T) {
	for _, ua := range []string{"app/1.0\r\nX-Evil: 1", "app\n", "app\x00", "app\x7f"} {
		_, err := chatinc.NewClient(faultKey, chatinc.WithUserAgent(ua))
		assert.Error(t, err, "%q", ua)
	}
	_, err := chatinc.NewClient(faultKey, chatinc.WithUserAgent("shop-backend/1.4 (linux;\tamd64)"))
	assert.NoError(t, err)
}
