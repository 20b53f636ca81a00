package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", "127.0.0.1:0", "-api-key", "k-123", "-seed", "9"}, pw, io.Discard)
		pw.Close()
		done <- err
	}()

	lines := bufio.NewScanner(pr)
	var baseURL, key string
	for lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), "base URL: "); ok {
			baseURL = v
		}
		if v, ok := strings.CutPrefix(lines.Text(), "API key:  "); ok {
			key = v
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/v1$`, baseURL)
	assert.Equal(t, "k-123", key)

	req, err := http.NewRequest(http.MethodGet, baseURL+"/retrieve/audiences", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"status":"success","audiences":[]}`, string(body))

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err, "a graceful shutdown")
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not shut down")
	}
}

func TestBadArguments(t *testing.T) {
	var stderr strings.Builder
	assert.Error(t, run(context.Background(), []string{"-seed", "x"}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "-seed")
	assert.Error(t, run(context.Background(), []string{"extra"}, io.Discard, io.Discard))
	assert.Error(t, run(context.Background(), []string{"-addr", "256.0.0.1:-1"}, io.Discard, io.Discard))
}

// TestRetention checks that -retention bounds the campaigns kept.
func TestRetention(t *testing.T) {
	for _, tt := range []struct {
		args []string
		kept int
	}{{nil, 3}, {[]string{"-retention", "2"}, 2}, {[]string{"-retention", "0"}, 3}} {
		m := startMock(t, tt.args...)
		do := func(method, path, body string) []byte {
			req, err := http.NewRequest(method, m.baseURL+path, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Authorization", m.apiKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
			return data
		}
		for range 3 {
			do(http.MethodPost, "/create/campaign", `{"title":"t","message":"m"}`)
		}
		assert.Equal(t, tt.kept, strings.Count(string(do(http.MethodGet, "/retrieve/campaigns", "")), `"campaignId"`), "%q", tt.args)
	}
}
