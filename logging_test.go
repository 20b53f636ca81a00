package chatinc_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestLogAttemptsAndRetries checks the fields of the attempt lines (Debug)
// and the retry lines (Info).
func TestLogAttemptsAndRetries(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit < 3 {
			answer(503, "0", errBody("maintenance"))(w, r, hit)
			return
		}
		answer(200, "", faultOK)(w, r, hit)
	})
	c, sink := newLoggedClient(t, srv)
	_, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)

	var attempts, retries []map[string]any
	for _, rec := range sink.records() {
		switch rec["msg"] {
		case "chatinc: attempt":
			attempts = append(attempts, rec)
		case "chatinc: retrying":
			retries = append(retries, rec)
		}
	}
	require.Len(t, attempts, 3)
	require.Len(t, retries, 2)
	for i, rec := range attempts {
		assert.Equal(t, "DEBUG", rec["level"])
		assert.Equal(t, "GET", rec["method"])
		assert.Equal(t, "/retrieve/audiences", rec["path"])
		assert.Equal(t, "read", rec["class"])
		assert.EqualValues(t, i+1, rec["attempt"])
		assert.EqualValues(t, []int{503, 503, 200}[i], rec["status"])
		assert.Contains(t, rec, "duration")
	}
	for i, rec := range retries {
		assert.Equal(t, "INFO", rec["level"])
		assert.EqualValues(t, i+1, rec["attempt"], "the attempt that is retried")
		assert.Equal(t, "503 Service Unavailable", rec["reason"])
		assert.EqualValues(t, 0, rec["wait"], "Retry-After: 0 is the wait")
	}
}

// TestLogBackoffWait checks that the logged wait is the backoff's, within
// the WithRetryWait bounds and growing with each retry.
func TestLogBackoffWait(t *testing.T) {
	srv := newFaultServer(t, answer(500, "", errBody("boom")))
	c, sink := newLoggedClient(t, srv, chatinc.WithRetryMax(4), chatinc.WithRetryWait(2*time.Millisecond, 20*time.Millisecond))
	_, err := c.RetrieveAudiences(context.Background())
	require.Error(t, err)
	n := 0
	for _, rec := range sink.records() {
		if rec["msg"] != "chatinc: retrying" {
			continue
		}
		wait := time.Duration(rec["wait"].(float64))
		ceil := min(2*time.Millisecond<<(n+1), 20*time.Millisecond)
		assert.GreaterOrEqual(t, wait, 2*time.Millisecond, "retry %d", n+1)
		assert.LessOrEqual(t, wait, ceil, "retry %d", n+1)
		assert.Equal(t, "500 Internal Server Error", rec["reason"])
		n++
	}
	assert.Equal(t, 4, n)
}

// TestLogTransportAndBodyErrors checks that an attempt's transport error,
// or its body's read error, is on its attempt line.
func TestLogTransportAndBodyErrors(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 1 {
			hangUp(w, r, hit)
			return
		}
		truncated(w, r, hit)
	})
	c, sink := newLoggedClient(t, srv, chatinc.WithRetryMax(1))
	_, err := c.RetrieveAudiences(context.Background())
	require.Error(t, err)
	var errs []string
	for _, rec := range sink.records() {
		if rec["msg"] == "chatinc: attempt" {
			msg, _ := rec["error"].(string)
			errs = append(errs, msg)
		}
	}
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0], "EOF")
	assert.Contains(t, errs[1], "unexpected EOF", "the body cut off mid-way")
}

// TestLogNeverHoldsKeyOrHeaders runs every call, failing in several ways,
// with a Debug logger, and checks that no line holds the key or a header.
func TestLogNeverHoldsKeyOrHeaders(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, hit int) {
		switch hit % 4 {
		case 0:
			answer(503, "0", errBody("echo: Authorization: "+r.Header.Get("Authorization")))(w, r, hit)
		case 1:
			hangUp(w, r, hit)
		case 2:
			answer(200, "", faultOK)(w, r, hit)
		default:
			answer(401, "", errBody("bad key "+r.Header.Get("Authorization")))(w, r, hit)
		}
	})
	c, sink := newLoggedClient(t, srv)
	for name, call := range everyCall() {
		err := call(context.Background(), c)
		if err != nil {
			assert.NotContains(t, err.Error(), faultKey, name)
		}
	}
	text := sink.text()
	require.NotEmpty(t, text)
	assert.NotContains(t, text, faultKey)
	for _, h := range []string{"Authorization", "User-Agent", "Content-Type", "Accept"} {
		assert.NotContains(t, strings.ToLower(text), strings.ToLower(h)+"\":", "no %s header field", h)
	}
}
