package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// mock is a chatinc-mock started in-process by startMock.
type mock struct {
	baseURL, apiKey, certPath string
	stderr                    *syncBuffer
}

// startMock runs chatinc-mock with args until the test ends, and returns
// what it printed.
func startMock(t *testing.T, args ...string) mock {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	m := mock{stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, m.stderr)
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Error("chatinc-mock did not shut down")
		}
	})
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		line := lines.Text()
		if v, ok := strings.CutPrefix(line, "base URL: "); ok {
			m.baseURL = v
		}
		if v, ok := strings.CutPrefix(line, "certificate: "); ok {
			m.certPath = v
		}
		if v, ok := strings.CutPrefix(line, "API key:  "); ok {
			m.apiKey = v
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	require.NotEmpty(t, m.apiKey, "chatinc-mock printed no API key; stderr: %s", m.stderr)
	return m
}

// trusting returns an HTTP client whose only trusted root is the PEM
// certificate in path.
func trusting(t *testing.T, path string) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(path)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pemBytes), "no certificate in %s", path)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// quickstart runs the documented flow through the SDK: audience, variable
// group, campaign, run, results.
func quickstart(t *testing.T, chat *chatinc.Client) {
	t.Helper()
	ctx := context.Background()
	_, err := chat.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP",
		Contacts: []chatinc.Contact{{Number: "+15550100001"}, {Number: "+15550100002"}}})
	require.NoError(t, err)
	_, err = chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "users", Name: "users",
		Fields: []string{"first_name"}, Values: []chatinc.Row{
			{Number: "+15550100001", Values: map[string]string{"first_name": "Ada"}},
			{Number: "+15550100002", Values: map[string]string{"first_name": "Grace"}},
		}})
	require.NoError(t, err)
	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Spring sale",
		Message: "Hi {users.first_name}!", Buttons: []chatinc.Button{chatinc.URLButton("Shop", "https://example.com")}},
		chatinc.CampaignOptions{})
	require.NoError(t, err)
	_, err = chat.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: created.CampaignID, Audiences: []string{"vip"}})
	require.NoError(t, err)
	campaigns, err := chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	require.NoError(t, err)
	require.Len(t, campaigns, 1)
	details, err := chat.RetrieveCampaignDetails(ctx, created.CampaignID)
	require.NoError(t, err)
	require.Len(t, details, 2)
	messages := []string{details[0].Columns["message"], details[1].Columns["message"]}
	assert.ElementsMatch(t, []string{"Hi Ada!", "Hi Grace!"}, messages)
}

// TestTLSQuickstart starts chatinc-mock -tls and runs the quickstart flow
// through the SDK, trusting only the certificate whose path it printed.
func TestTLSQuickstart(t *testing.T) {
	certPath := filepath.Join(t.TempDir(), "mock.pem")
	m := startMock(t, "-tls", "-cert-out", certPath)
	assert.Regexp(t, `^https://127\.0\.0\.1:\d+/v1$`, m.baseURL)
	assert.Equal(t, certPath, m.certPath)

	chat, err := chatinc.NewClient(m.apiKey, chatinc.WithBaseURL(m.baseURL), chatinc.WithHTTPClient(trusting(t, m.certPath)))
	require.NoError(t, err)
	quickstart(t, chat)

	// The same through localhost: the certificate names it too.
	chat, err = chatinc.NewClient(m.apiKey, chatinc.WithBaseURL(strings.Replace(m.baseURL, "127.0.0.1", "localhost", 1)),
		chatinc.WithHTTPClient(trusting(t, m.certPath)))
	require.NoError(t, err)
	_, err = chat.RetrieveAudiences(context.Background())
	require.NoError(t, err)

	// Without trusting the certificate, the SDK refuses the server.
	chat, err = chatinc.NewClient(m.apiKey, chatinc.WithBaseURL(m.baseURL), chatinc.WithRetryMax(0))
	require.NoError(t, err)
	_, err = chat.RetrieveAudiences(context.Background())
	var unknownAuthority x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknownAuthority)
}

// TestTLSDefaultCertFile checks that -tls alone writes the certificate to
// a new file in the temporary directory and prints its path.
func TestTLSDefaultCertFile(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	m := startMock(t, "-tls")
	require.NotEmpty(t, m.certPath)
	assert.Equal(t, os.Getenv("TMPDIR"), filepath.Dir(m.certPath))
	chat, err := chatinc.NewClient(m.apiKey, chatinc.WithBaseURL(m.baseURL), chatinc.WithHTTPClient(trusting(t, m.certPath)))
	require.NoError(t, err)
	_, err = chat.RetrieveVariableGroups(context.Background())
	require.NoError(t, err)
}

// TestTLSOwnCertificate serves with -cert and -key.
func TestTLSOwnCertificate(t *testing.T) {
	dir := t.TempDir()
	cert, pemBytes, err := selfSigned([]string{"127.0.0.1"}, time.Now())
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
	require.NoError(t, err)
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certPath, pemBytes, 0o600))
	require.NoError(t, os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))

	m := startMock(t, "-cert", certPath, "-key", keyPath, "-api-key", "k-tls")
	assert.Equal(t, "k-tls", m.apiKey)
	assert.Empty(t, m.certPath, "nothing generated")
	chat, err := chatinc.NewClient(m.apiKey, chatinc.WithBaseURL(m.baseURL), chatinc.WithHTTPClient(trusting(t, certPath)))
	require.NoError(t, err)
	quickstart(t, chat)
}

// TestStrictAndWarnings checks the mock's log line for an unknown field,
// and -strict's 400.
func TestStrictAndWarnings(t *testing.T) {
	send := func(m mock) *http.Response {
		req, err := http.NewRequest(http.MethodPost, m.baseURL+"/create/campaign",
			strings.NewReader(`{"title":"T","message":"M","runImediately":true}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", m.apiKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	m := startMock(t)
	resp := send(m)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	want := `unknown field "runImediately" (did you mean "runImmediately"?)`
	assert.Equal(t, want, resp.Header.Get("X-Chatinc-Mock-Warning"))
	assert.Contains(t, m.stderr.String(), "level=WARN")
	assert.Contains(t, m.stderr.String(), `runImediately`)
	assert.Contains(t, m.stderr.String(), "path=/v1/create/campaign")

	m = startMock(t, "-strict")
	assert.Equal(t, http.StatusBadRequest, send(m).StatusCode)
}

func TestUsableHosts(t *testing.T) {
	hostname, _ := os.Hostname()
	for _, tt := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "127.0.0.1"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "127.0.0.1"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "127.0.0.1"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "::1"},
		{&net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 8080}, "10.1.2.3"},
	} {
		hosts := usableHosts(tt.addr)
		require.NotEmpty(t, hosts)
		assert.Equal(t, tt.want, hosts[0], tt.addr)
		if tt.addr.(*net.TCPAddr).IP.IsUnspecified() && hostname != "" && hostname != "localhost" {
			assert.Equal(t, []string{"127.0.0.1", hostname}, hosts)
		}
	}
}

func TestTLSArguments(t *testing.T) {
	var stderr strings.Builder
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-key", "k-123"}, io.Discard, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-api-key", "an old -key KEY command line says what changed")
	assert.Error(t, run(context.Background(), []string{"-addr", "127.0.0.1:0", "-cert", "c.pem"}, io.Discard, io.Discard))
	assert.Error(t, run(context.Background(), []string{"-addr", "127.0.0.1:0", "-cert", "missing.pem", "-key", "missing.pem"}, io.Discard, io.Discard))
	assert.Error(t, run(context.Background(), []string{"-addr", "127.0.0.1:0", "-cert", "c.pem", "-key", "k.pem", "-san", "x"}, io.Discard, io.Discard))
}

// syncBuffer is a bytes buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
