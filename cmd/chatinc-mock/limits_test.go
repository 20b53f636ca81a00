package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialMock opens a raw connection to the mock at baseURL.
func dialMock(t *testing.T, baseURL string) net.Conn {
	t.Helper()
	u, err := url.Parse(baseURL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// closedWithin reports how long the server took to close conn (reading
// and discarding whatever it sends), or fails after limit.
func closedWithin(t *testing.T, conn net.Conn, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(start.Add(limit)))
	_, err := io.Copy(io.Discard, conn)
	took := time.Since(start)
	var ne net.Error
	if err != nil && assert.ErrorAs(t, err, &ne) {
		require.False(t, ne.Timeout(), "the server still held the connection after %v", limit)
	}
	return took
}

// TestSlowClientCut: a client that sends its headers and part of a body,
// then nothing, is cut off after -read-timeout, so that it cannot hold the
// server.
func TestSlowClientCut(t *testing.T) {
	m := startMock(t, "-read-timeout", "300ms")
	conn := dialMock(t, m.baseURL)
	_, err := fmt.Fprintf(conn, "POST /v1/create/audience HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":", m.apiKey)
	require.NoError(t, err)
	took := closedWithin(t, conn, 5*time.Second)
	t.Logf("closed after %v", took)
	assert.GreaterOrEqual(t, took, 250*time.Millisecond)
}

// TestIdleConnectionClosed: a kept-alive connection left idle is closed
// after -idle-timeout.
func TestIdleConnectionClosed(t *testing.T) {
	m := startMock(t, "-idle-timeout", "300ms")
	conn := dialMock(t, m.baseURL)
	_, err := fmt.Fprintf(conn, "GET /v1/retrieve/audiences HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n", m.apiKey)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	took := closedWithin(t, conn, 5*time.Second)
	t.Logf("closed after %v idle", took)
}

// TestWriteTimeout: an answer not written within -write-timeout (here a
// -delay longer than it) is abandoned and its connection closed.
func TestWriteTimeout(t *testing.T) {
	m := startMock(t, "-write-timeout", "300ms", "-delay", "GET /retrieve/audiences 2s")
	conn := dialMock(t, m.baseURL)
	_, err := fmt.Fprintf(conn, "GET /v1/retrieve/audiences HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n", m.apiKey)
	require.NoError(t, err)
	took := closedWithin(t, conn, 5*time.Second)
	t.Logf("closed after %v", took)
}

// TestDefaultWriteTimeoutCoversDelays: without -write-timeout, a -delay
// longer than the default write timeout still gets its answer, and so
// does a request given longer than a minute to arrive (net/http's write
// deadline starts when the headers are read, so it covers the body too);
// -read-timeout 0 sets neither a write deadline nor drops the headers'
// 10 s.
func TestDefaultWriteTimeoutCoversDelays(t *testing.T) {
	assert.Equal(t, time.Minute+90*time.Second, writeTimeout(0, time.Minute, []time.Duration{time.Second, 90 * time.Second}))
	assert.Equal(t, 5*time.Second, writeTimeout(5*time.Second, time.Minute, []time.Duration{90 * time.Second}))
	assert.Equal(t, 5*time.Minute+time.Second, writeTimeout(0, 5*time.Minute, []time.Duration{time.Second}))
	assert.Equal(t, time.Duration(0), writeTimeout(0, 0, nil))
	assert.Equal(t, 10*time.Second, headerTimeout(0))
	assert.Equal(t, 10*time.Second, headerTimeout(time.Minute))
	assert.Equal(t, 3*time.Second, headerTimeout(3*time.Second))
}

// TestMaxRequests: past -max-requests requests being handled at once, a
// request is answered 503 with Retry-After at once, and those under way
// are answered as usual.
func TestMaxRequests(t *testing.T) {
	m := startMock(t, "-max-requests", "2", "-delay", "GET /retrieve/audiences 1s times=2")
	// get fails the test with assert, not require, as it also runs on
	// goroutines of its own; its answer is then empty, status 0.
	get := func() (*http.Response, string) {
		req, err := http.NewRequest(http.MethodGet, m.baseURL+"/retrieve/audiences", nil)
		if !assert.NoError(t, err) {
			return &http.Response{Header: http.Header{}}, ""
		}
		req.Header.Set("Authorization", m.apiKey)
		resp, err := http.DefaultClient.Do(req)
		if !assert.NoError(t, err) {
			return &http.Response{Header: http.Header{}}, ""
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := get()
			statuses[i] = resp.StatusCode
		}()
	}
	time.Sleep(300 * time.Millisecond) // both are held by the delay
	start := time.Now()
	resp, body := get()
	assert.Less(t, time.Since(start), 500*time.Millisecond, "answered at once")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Contains(t, body, "-max-requests")
	wg.Wait()
	assert.Equal(t, []int{http.StatusOK, http.StatusOK}, statuses)
	resp, _ = get()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a slot is free again")
}

// TestBodyMemoryFlag: -body-memory sets chatinctest.WithBodyMemory, in MiB.
func TestBodyMemoryFlag(t *testing.T) {
	m := startMock(t, "-body-memory", "1")
	body := `{"id":"a","name":"A","contacts":[` + strings.Repeat(`{"number":"+15550000001"},`, 100_000) + `{"number":"+15550000002"}]}`
	req, err := http.NewRequest(http.MethodPost, m.baseURL+"/create/audience", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", m.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s", msg)
	assert.Contains(t, string(msg), "1 MiB of request bodies")
}
