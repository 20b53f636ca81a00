package chatinc

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// These tests need the SDK's own transport, which WithHTTPClient would
// replace: they take it from newDefaultTransport and only add the test
// server's certificate to its trusted roots.

// tlsServer starts an https server limited to TLS versions [min, max] that
// answers a success, and counts the connections it accepted.
func tlsServer(t *testing.T, min, max uint16) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"status":"success","audiences":[]}`)
	}))
	srv.TLS = &tls.Config{MinVersion: min, MaxVersion: max}
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// sdkTransportTrusting returns the SDK's default HTTP client, trusting srv's
// certificate and otherwise unchanged.
func sdkTransportTrusting(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	tr := newDefaultTransport() // a fresh one: sharedTransport is never changed
	hc := &http.Client{Transport: tr, CheckRedirect: checkRedirect}
	tr.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	t.Cleanup(tr.CloseIdleConnections)
	return hc
}

func TestDefaultTransportRequiresTLS12(t *testing.T) {
	if got := defaultHTTPClient().Transport.(*http.Transport).TLSClientConfig.MinVersion; got < tls.VersionTLS12 {
		t.Fatalf("MinVersion = %x, want TLS 1.2 or later", got)
	}

	old, oldConns := tlsServer(t, tls.VersionTLS10, tls.VersionTLS11)
	c, err := NewClient("sk_test_tls_key", WithBaseURL(old.URL+"/v1"), WithHTTPClient(sdkTransportTrusting(t, old)),
		WithRetryWait(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RetrieveAudiences(context.Background())
	var opErr *net.OpError
	if err == nil || !errors.As(err, &opErr) {
		t.Fatalf("TLS 1.1 server: err = %v, want a handshake failure", err)
	}
	if n := oldConns.Load(); n != 1 {
		t.Errorf("TLS 1.1 server: %d connections, want 1 (a refused handshake is not retried)", n)
	}

	// Control: the same server does speak TLS 1.1 to a client that allows it,
	// so MinVersion is what refused it.
	lax := sdkTransportTrusting(t, old)
	lax.Transport.(*http.Transport).TLSClientConfig.MinVersion = tls.VersionTLS10
	c, _ = NewClient("sk_test_tls_key", WithBaseURL(old.URL+"/v1"), WithHTTPClient(lax))
	if _, err := c.RetrieveAudiences(context.Background()); err != nil {
		t.Fatalf("TLS 1.1 server, client allowing TLS 1.0: %v", err)
	}

	// And the SDK's transport talks to a TLS 1.2 server.
	cur, _ := tlsServer(t, tls.VersionTLS12, tls.VersionTLS12)
	c, _ = NewClient("sk_test_tls_key", WithBaseURL(cur.URL+"/v1"), WithHTTPClient(sdkTransportTrusting(t, cur)))
	if _, err := c.RetrieveAudiences(context.Background()); err != nil {
		t.Fatalf("TLS 1.2 server: %v", err)
	}
}

func TestCheckRedirect(t *testing.T) {
	via := func(raw ...string) []*http.Request {
		var out []*http.Request
		for _, r := range raw {
			u, _ := url.Parse(r)
			out = append(out, &http.Request{URL: u})
		}
		return out
	}
	req := func(raw string) *http.Request {
		u, _ := url.Parse(raw)
		return &http.Request{URL: u}
	}
	ten := make([]string, 10)
	for i := range ten {
		ten[i] = "https://api.chatinc.com/v1/x"
	}
	tests := []struct {
		name string
		to   string
		via  []*http.Request
		want error
	}{
		{"same host and scheme", "https://api.chatinc.com/v1/y", via("https://api.chatinc.com/v1/x"), nil},
		{"host differs only in case", "https://API.chatinc.com/v1/y", via("https://api.chatinc.com/v1/x"), nil},
		{"https to http, same host", "http://api.chatinc.com/v1/y", via("https://api.chatinc.com/v1/x"), ErrRedirectRefused},
		{"another host", "https://evil.example/v1/y", via("https://api.chatinc.com/v1/x"), ErrRedirectRefused},
		{"a subdomain", "https://x.api.chatinc.com/v1/y", via("https://api.chatinc.com/v1/x"), ErrRedirectRefused},
		{"another port", "https://api.chatinc.com:8443/v1/y", via("https://api.chatinc.com/v1/x"), ErrRedirectRefused},
		{"back to the first host after leaving it", "https://api.chatinc.com/v1/z",
			via("https://api.chatinc.com/v1/x", "https://api.chatinc.com/v1/y"), nil},
		{"http loopback to http loopback", "http://127.0.0.1:8080/v1/y", via("http://127.0.0.1:8080/v1/x"), nil},
		{"ten redirects", "https://api.chatinc.com/v1/y", via(ten...), errTooManyRedirects},
	}
	for _, tt := range tests {
		err := checkRedirect(req(tt.to), tt.via)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: checkRedirect = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestResultRemoveKeyAllocatesNothing checks that taking the key out of a
// Result costs a call whose answer does not hold it no allocation (Raw is
// looked at, not copied), and that an answer that does hold it is changed.
func TestResultRemoveKeyAllocatesNothing(t *testing.T) {
	k := newCredentials("sk_test_abcdefghijkl")
	r := Result{Status: "success", Message: "Campaign created", CampaignID: "c1",
		Raw: json.RawMessage(`{"status":"success","message":"Campaign created","campaignId":"c1"}`)}
	if n := testing.AllocsPerRun(100, func() { r.removeKey(k) }); n != 0 {
		t.Errorf("removeKey of an answer without the key: %v allocations, want 0", n)
	}
	r.Raw = json.RawMessage(`{"echo":"sk_test_abcdefghijkl"}`)
	r.removeKey(k)
	if want := `{"echo":"[redacted]"}`; string(r.Raw) != want {
		t.Errorf("Raw = %s, want %s", r.Raw, want)
	}
}
