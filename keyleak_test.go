package chatinc_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// assertNoKey fails when text holds any 6 consecutive characters of the
// secret part of key (what follows "sk_test_" or "sk_live_"), as written or
// once JSON, HTML and URL escapes are undone.
func assertNoKey(t *testing.T, key, text, where string) {
	t.Helper()
	secret := key[len("sk_test_"):]
	for _, s := range []string{text, unescape(text)} {
		for i := 0; i+6 <= len(secret); i++ {
			if strings.Contains(s, secret[i:i+6]) {
				assert.Failf(t, "key leaked", "%s holds %q: %s", where, secret[i:i+6], text)
				return
			}
		}
	}
}

var uEscape = regexp.MustCompile(`\\u[0-9a-fA-F]{4}`)

// unescape undoes the JSON (\/, \uXXXX), HTML and URL escapes a server
// might have applied to an echoed key.
func unescape(s string) string {
	s = strings.ReplaceAll(s, `\/`, "/")
	s = uEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:], 16, 32)
		return string(rune(n))
	})
	s = html.UnescapeString(s)
	if u, err := url.QueryUnescape(s); err == nil {
		s = u
	}
	return s
}

// assertErrorHasNoKey checks err's text, every fmt form of it, and the
// fields of the *APIError / *DecodeError / *url.Error inside it.
func assertErrorHasNoKey(t *testing.T, key string, err error) {
	t.Helper()
	require.Error(t, err)
	assertNoKey(t, key, err.Error(), "err.Error()")
	assertNoKey(t, key, fmt.Sprintf("%v %+v %#v %s", err, err, err, err), "fmt of err")
	var apiErr *chatinc.APIError
	if errors.As(err, &apiErr) {
		assertNoKey(t, key, apiErr.Message, "APIError.Message")
		assertNoKey(t, key, apiErr.Body, "APIError.Body")
	}
	var decErr *chatinc.DecodeError
	if errors.As(err, &decErr) {
		assertNoKey(t, key, decErr.Body, "DecodeError.Body")
		assertNoKey(t, key, decErr.Error(), "DecodeError.Error()")
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		assertNoKey(t, key, urlErr.URL, "url.Error.URL")
		assertNoKey(t, key, urlErr.Error(), "url.Error.Error()")
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		assertNoKey(t, key, e.Error(), fmt.Sprintf("%T in the chain", e))
	}
}

// TestKeyNotLeakedByLocation checks that a Location header echoing the key
// reaches neither the error nor the log lines, whether the redirect is
// refused (another host) or followed to an address that drops the
// connection (a transport error naming that URL).
func TestKeyNotLeakedByLocation(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the other host was reached: %s", r.URL)
	}))
	defer other.Close()
	for _, tt := range []struct {
		name     string
		location func(srvURL, key string) string
	}{
		{"refused, key in the query", func(_, key string) string {
			return other.URL + "/v1/retrieve/audiences?key=" + url.QueryEscape(key)
		}},
		{"refused, key as a user name", func(_, key string) string {
			return "http://" + url.PathEscape(key) + "@" + strings.TrimPrefix(other.URL, "http://") + "/v1/x"
		}},
		{"followed, then dropped, key in the path", func(srvURL, key string) string {
			return srvURL + "/v1/drop/" + url.PathEscape(key)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
				if strings.HasPrefix(r.URL.Path, "/v1/drop/") {
					hijackClose(w)
					return
				}
				w.Header().Set("Location", tt.location("http://"+r.Host, r.Header.Get("Authorization")))
				w.WriteHeader(http.StatusFound)
			})
			c, sink := newLoggedClient(t, srv)
			_, err := c.RetrieveAudiences(context.Background())
			assertErrorHasNoKey(t, faultKey, err)
			assertNoKey(t, faultKey, sink.text(), "the log")
			assert.NotZero(t, sink.count("chatinc: attempt"))
		})
	}
}

// hijackClose closes the connection without answering.
func hijackClose(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// keyWithSlash is a key with the characters JSON encoders and URLs escape.
const keyWithSlash = "sk_live_Zm9v/YmFy+YmF6==0123456789abcdef"

// TestKeyNotLeakedByErrorBodies checks the error bodies that used to leak
// the key: one long enough to be cut mid-key (the message at 512 bytes, the
// body at 4 KiB), one that JSON-escapes it, one whose decoding error quotes
// the start of the body.
func TestKeyNotLeakedByErrorBodies(t *testing.T) {
	jsonEscaped := func(key string) string { // as PHP's json_encode writes it
		return strings.ReplaceAll(key, "/", `\/`)
	}
	uEscaped := func(key string) string { // every character as \u00XX
		var b strings.Builder
		for _, r := range key {
			fmt.Fprintf(&b, `\u%04X`, r)
		}
		return b.String()
	}
	pad := func(n int) string { return strings.Repeat("x", n) }
	for _, tt := range []struct {
		name   string
		status int
		body   func(key string) string
		read   bool // a list call, whose decoding errors quote the body
	}{
		{"message cut inside the key", 400, func(key string) string {
			return errBody(pad(500) + " " + key + " rejected")
		}, false},
		{"text body cut inside the key", 400, func(key string) string {
			return pad(512-len(key)) + " " + key + " rejected" // the message keeps 511 bytes of it
		}, false},
		{"body cut inside the key at 4 KiB", 400, func(key string) string {
			return errBody(pad(4096-len(`{"status":"error","message":"`)-20) + key)
		}, false},
		{"key escaped with \\/", 401, func(key string) string { return errBody("unknown key " + jsonEscaped(key)) }, false},
		{"key escaped with \\u", 401, func(key string) string { return errBody("unknown key " + uEscaped(key)) }, false},
		{"key escaped, body cut inside it", 400, func(key string) string {
			return errBody(pad(4096-len(`{"status":"error","message":"`)-6*(len(key)-2)) + uEscaped(key))
		}, false},
		{"key URL-escaped", 400, func(key string) string { return "bad key=" + url.QueryEscape(key) }, false},
		{"HTML entities", 403, func(key string) string {
			return "<html><title>" + strings.ReplaceAll(key, "/", "&#x2F;") + "</title></html>"
		}, false},
		{"decoding error on a field value", 200, func(key string) string {
			return `{"audiences":[{"id":"a","contactCount":"` + key + `"}]}`
		}, true},
		{"undecodable 200, key escaped", 200, func(key string) string { return `{"echo":"` + uEscaped(key) + `",` }, false},
	} {
		for _, key := range []string{faultKey, keyWithSlash} {
			t.Run(tt.name+"/"+key[:7], func(t *testing.T) {
				srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
					answer(tt.status, "", tt.body(r.Header.Get("Authorization")))(w, r, hit)
				})
				sink, logger := newLogSink()
				c, err := chatinc.NewClient(key, chatinc.WithBaseURL(srv.URL+"/v1"), chatinc.WithLogger(logger),
					chatinc.WithRetryMax(0))
				require.NoError(t, err)
				if tt.read {
					_, err = c.RetrieveAudiences(context.Background())
				} else {
					_, err = c.CreateAudience(context.Background(), chatinc.AudienceParams{ID: "a", Name: "A"})
				}
				assertErrorHasNoKey(t, key, err)
				assertNoKey(t, key, sink.text(), "the log")
			})
		}
	}
}

// keyHolder holds a Client where fmt cannot call its Format method: in an
// unexported field.
type keyHolder struct {
	name   string
	client chatinc.Client
	ptr    *chatinc.Client
	list   []chatinc.Client
}

// TestKeyNotPrintedFromUnexportedField checks that a Client value in an
// unexported field, printed by reflection, does not show its key.
func TestKeyNotPrintedFromUnexportedField(t *testing.T) {
	c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL("http://127.0.0.1:1/v1"))
	require.NoError(t, err)
	h := keyHolder{name: "h", client: *c, ptr: c, list: []chatinc.Client{*c}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{h, &h, []keyHolder{h}, struct{ h keyHolder }{h}} {
			out := fmt.Sprintf(verb, v)
			assertNoKey(t, faultKey, out, verb)
			assert.NotContains(t, out, fmt.Sprintf("%x", faultKey[8:20]), verb)
			assert.NotContains(t, out, fmt.Sprintf("%X", faultKey[8:20]), verb)
		}
	}
}

// TestClearTextNeverProxied checks that the key, sent in clear text to a
// loopback base URL however its host is spelt, never goes to an HTTP proxy
// (net/http bypasses the proxy only for "localhost" exactly and loopback
// IPs). The environment's proxy settings are read once per process, so the
// client runs in a child process of the test binary.
func TestClearTextNeverProxied(t *testing.T) {
	if os.Getenv("CHATINC_PROXY_CHILD") != "" {
		proxyChild(t)
		return
	}
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the proxy got the key for %s", r.URL)
		}
		http.Error(w, "proxy", http.StatusBadGateway)
	}))
	defer proxy.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, faultOK)
	}))
	defer api.Close()
	port := api.URL[strings.LastIndex(api.URL, ":")+1:]

	cmd := exec.Command(os.Args[0], "-test.run=^TestClearTextNeverProxied$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CHATINC_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL,
		"NO_PROXY=", "no_proxy=", "CHATINC_API_PORT="+port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", out)
	assert.Contains(t, string(out), "PASS")
	assert.Zero(t, proxied.Load(), "requests that went to the proxy")
}

// proxyChild is the client side of TestClearTextNeverProxied: every
// spelling of a loopback host, with the SDK's own transport and with one
// that follows the environment's proxy settings.
func proxyChild(t *testing.T) {
	port := os.Getenv("CHATINC_API_PORT")
	for _, host := range []string{"localhost", "LOCALHOST", "LocalHost", "127.0.0.1", "[::ffff:127.0.0.1]"} {
		base := "http://" + host + ":" + port + "/v1"
		for name, opts := range map[string][]chatinc.Option{
			"SDK transport":      nil,
			"http.DefaultClient": {chatinc.WithHTTPClient(http.DefaultClient)},
		} {
			c, err := chatinc.NewClient(faultKey, append([]chatinc.Option{chatinc.WithBaseURL(base), chatinc.WithRetryMax(0)}, opts...)...)
			if err != nil {
				continue // a spelling the SDK does not take as loopback: nothing is sent
			}
			_, err = c.RetrieveAudiences(context.Background())
			assert.NoError(t, err, "%s, %s", base, name)
		}
	}
}

// TestKeyMustBePrintable checks that NewClient refuses a key that could not
// go in a header (nor be found in an echo to redact), without quoting it.
func TestKeyMustBePrintable(t *testing.T) {
	for _, key := range []string{"sk_test_abc\r\nX-Evil: 1", "sk_test_\x00abc", "sk_test_\xffabc", "sk_test_\x7fabc"} {
		_, err := chatinc.NewClient(key)
		if assert.Error(t, err, "%q", key) {
			assert.NotContains(t, err.Error(), "sk_test_")
		}
	}
	_, err := chatinc.NewClient("sk_live_Zm9v/YmFy+YmF6==")
	assert.NoError(t, err)
}
