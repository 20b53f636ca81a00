package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mockBinary is a chatinc-mock built by go build and running on a free
// port.
type mockBinary struct {
	baseURL, apiKey string
	lines           []string // what it printed up to its API key line
}

// buildMock builds the command into a temporary directory.
func buildMock(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chatinc-mock")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// startBinary runs bin with args on a free port and stops it (SIGTERM) at
// the end of the test.
func startBinary(t *testing.T, bin string, args ...string) *mockBinary {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-api-key", "sk_test_flags"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	m := &mockBinary{}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		m.lines = append(m.lines, lines.Text())
		if v, ok := strings.CutPrefix(lines.Text(), "base URL: "); ok {
			m.baseURL = v
		}
		if v, ok := strings.CutPrefix(lines.Text(), "API key:  "); ok {
			m.apiKey = v
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	require.NotEmpty(t, m.baseURL, "printed: %q", m.lines)
	require.NotEmpty(t, m.apiKey, "printed: %q", m.lines)
	return m
}

// answer is what the binary answered.
type answer struct {
	status int
	header http.Header
	body   string
	err    error
	took   time.Duration
}

// do sends one request on a fresh connection (so that net/http never
// resends it after a dropped connection).
func (m *mockBinary) do(t *testing.T, method, path, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, m.baseURL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", m.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Close = true
	start := time.Now()
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b), err: err, took: time.Since(start)}
}

// campaign is a campaign as GET /retrieve/campaigns lists it.
type campaign struct {
	CampaignID              string            `json:"campaignId"`
	WhatsAppTemplatesStatus string            `json:"whatsAppTemplatesStatus"`
	Runs                    []json.RawMessage `json:"runs"`
}

// campaigns lists the campaigns, in the API's shape: an array of
// envelopes of one campaign each.
func (m *mockBinary) campaigns(t *testing.T) []campaign {
	t.Helper()
	a := m.do(t, http.MethodGet, "/retrieve/campaigns", "")
	require.NoError(t, a.err)
	require.Equal(t, http.StatusOK, a.status, a.body)
	var out []struct {
		Campaign campaign `json:"campaigns"`
	}
	require.NoError(t, json.Unmarshal([]byte(a.body), &out), a.body)
	camps := make([]campaign, len(out))
	for i := range out {
		camps[i] = out[i].Campaign
	}
	return camps
}

// createCampaign creates a campaign and returns its ID.
func (m *mockBinary) createCampaign(t *testing.T) string {
	t.Helper()
	a := m.do(t, http.MethodPost, "/create/campaign", `{"title":"T","message":"Hello"}`)
	require.NoError(t, a.err)
	require.Equal(t, http.StatusOK, a.status, a.body)
	var out struct {
		CampaignID string `json:"campaignId"`
	}
	require.NoError(t, json.Unmarshal([]byte(a.body), &out))
	require.NotEmpty(t, out.CampaignID, a.body)
	return out.CampaignID
}

// TestFlagsThroughTheBinary drives each fault flag, -rate-limit and
// -template-review through the built command, over HTTP.
func TestFlagsThroughTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildMock(t)

	t.Run("fault act-first", func(t *testing.T) {
		m := startBinary(t, bin, "-fault", "POST /run/campaign status=500 act-first times=1")
		assert.Contains(t, m.lines, "fault:    -fault POST /run/campaign status=500 act-first times=1")
		id := m.createCampaign(t)
		run := `{"campaignId":"` + id + `","audiences":["all"]}`
		a := m.do(t, http.MethodPost, "/run/campaign", run)
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusInternalServerError, a.status)
		assert.Contains(t, a.body, "injected fault")
		camps := m.campaigns(t)
		require.Len(t, camps, 1)
		assert.Len(t, camps[0].Runs, 1, "the run went out before the 500")
		a = m.do(t, http.MethodPost, "/run/campaign", run)
		assert.Equal(t, http.StatusOK, a.status, "times=1: the next run is answered: %s", a.body)
	})

	t.Run("fault answer and queue", func(t *testing.T) {
		m := startBinary(t, bin,
			"-fault", `GET /retrieve/audiences status=503 retry-after=7 body="busy, try later" content-type=text/plain times=2`,
			"-fault", "/retrieve/audiences status=429")
		for i := range 2 {
			a := m.do(t, http.MethodGet, "/retrieve/audiences", "")
			require.NoError(t, a.err)
			assert.Equal(t, http.StatusServiceUnavailable, a.status, i)
			assert.Equal(t, "7", a.header.Get("Retry-After"))
			assert.Equal(t, "text/plain", a.header.Get("Content-Type"))
			assert.Equal(t, "busy, try later", a.body)
		}
		assert.Equal(t, http.StatusTooManyRequests, m.do(t, http.MethodGet, "/retrieve/audiences", "").status, "the next fault queued")
		assert.Equal(t, http.StatusOK, m.do(t, http.MethodGet, "/retrieve/audiences", "").status, "then the API")
	})

	t.Run("drop", func(t *testing.T) {
		m := startBinary(t, bin, "-drop", "POST /create/audience")
		a := m.do(t, http.MethodPost, "/create/audience", `{"id":"aud-1","name":"A"}`)
		require.Error(t, a.err, "no answer")
		assert.Zero(t, a.status)
		a = m.do(t, http.MethodGet, "/retrieve/audiences", "")
		assert.JSONEq(t, `{"status":"success","audiences":[]}`, a.body, "a drop without act-first: nothing done")
		a = m.do(t, http.MethodPost, "/create/audience", `{"id":"aud-1","name":"A"}`)
		assert.Equal(t, http.StatusOK, a.status, a.body)
	})

	t.Run("delay", func(t *testing.T) {
		m := startBinary(t, bin, "-delay", "GET /retrieve/audiences 300ms times=2")
		for range 2 {
			a := m.do(t, http.MethodGet, "/retrieve/audiences", "")
			require.NoError(t, a.err)
			assert.Equal(t, http.StatusOK, a.status, "a delay alone, then the API's answer")
			assert.GreaterOrEqual(t, a.took, 300*time.Millisecond)
		}
	})

	t.Run("rate-limit", func(t *testing.T) {
		m := startBinary(t, bin, "-rate-limit", "2/1m")
		assert.Contains(t, m.lines, "rate limit: 2/1m")
		for range 2 {
			assert.Equal(t, http.StatusOK, m.do(t, http.MethodGet, "/retrieve/audiences", "").status)
		}
		a := m.do(t, http.MethodGet, "/retrieve/audiences", "")
		assert.Equal(t, http.StatusTooManyRequests, a.status)
		assert.NotEmpty(t, a.header.Get("Retry-After"))
	})

	t.Run("template-review", func(t *testing.T) {
		m := startBinary(t, bin, "-template-review", "1h")
		id := m.createCampaign(t)
		assert.Equal(t, "PENDING", m.campaigns(t)[0].WhatsAppTemplatesStatus)
		a := m.do(t, http.MethodPost, "/run/campaign", `{"campaignId":"`+id+`","audiences":["all"]}`)
		assert.Equal(t, http.StatusBadRequest, a.status, "a template not approved is not run: %s", a.body)

		m = startBinary(t, bin, "-template-review", "200ms:rejected")
		m.createCampaign(t)
		assert.Equal(t, "PENDING", m.campaigns(t)[0].WhatsAppTemplatesStatus)
		time.Sleep(250 * time.Millisecond)
		assert.Equal(t, "REJECTED", m.campaigns(t)[0].WhatsAppTemplatesStatus)
	})

	t.Run("help and bad specs", func(t *testing.T) {
		out, err := exec.Command(bin, "-h").CombinedOutput()
		require.NoError(t, err, "-h exits 0")
		for _, want := range []string{"-fault", "-drop", "-delay", "-rate-limit", "-template-review", "act-first", "times=N", "retry-after=V"} {
			assert.Contains(t, string(out), want)
		}
		for _, args := range [][]string{
			{"-fault", "POST run/campaign status=500"},
			{"-fault", "/run/campaign"},
			{"-fault", "/run/campaign status=99"},
			{"-fault", "/run/campaign status=500 later"},
			{"-fault", "/run/campaign drop status=500"},
			{"-delay", "/run/campaign"},
			{"-rate-limit", "ten"},
			{"-template-review", "soon"},
		} {
			cmd := exec.Command(bin, append(args, "-addr", "127.0.0.1:0")...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "%q: %s", args, out)
			assert.Equal(t, 1, exit.ExitCode(), "%q", args)
			assert.Contains(t, string(out), args[0], "the error names the flag: %s", out)
		}
	})
}
