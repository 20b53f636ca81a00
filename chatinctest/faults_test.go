package chatinctest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// statuses returns the status of each logged request to path.
func statuses(srv *chatinctest.Server, path string) []int {
	var out []int
	for _, r := range srv.Requests() {
		if r.Path == path {
			out = append(out, r.Status)
		}
	}
	return out
}

func TestFaultFailsThenSucceeds(t *testing.T) {
	a := newAPI(t)
	a.srv.InjectFault("/create/audience", 2, chatinctest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "3"})
	body := map[string]any{"id": "vip", "name": "VIP", "contacts": contacts("+15550100001")}
	for range 2 {
		r := a.post("/create/audience", body)
		r.requireError(http.StatusServiceUnavailable, "injected fault: Service Unavailable")
		assert.Equal(t, "3", r.Header.Get("Retry-After"))
		assert.Empty(t, a.get("/retrieve/audiences").object()["audiences"], "a faulted request is not acted upon")
	}
	got := a.post("/create/audience", body).requireOK().object()
	assert.Equal(t, "audience created", got["message"])
	assert.Empty(t, a.post("/create/audience", body).Header.Get("Retry-After"))

	assert.Equal(t, 4, a.srv.RequestCount("/create/audience"))
	assert.Equal(t, 4, a.srv.RequestCount("/v1/create/audience"))
	assert.Equal(t, 4, a.srv.RequestCount("create/audience"))
	assert.Equal(t, []int{503, 503, 200, 200}, statuses(a.srv, "/create/audience"))
	for _, r := range a.srv.Requests() {
		if r.Path == "/create/audience" {
			assert.JSONEq(t, `{"id":"vip","name":"VIP","contacts":[{"number":"+15550100001"}]}`, string(r.Body), "faulted bodies are logged too")
			assert.True(t, r.Authorized)
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "application/json", r.ContentType)
		}
	}
}

func TestFaultVariants(t *testing.T) {
	a := newAPI(t)
	// Faults for a path queue up, and touch no other path.
	a.srv.InjectFault("v1/retrieve/audiences", 1, chatinctest.Fault{Status: 502, Body: "<html>Bad gateway</html>", ContentType: "text/html"})
	a.srv.InjectFault("/retrieve/audiences", 1, chatinctest.Fault{Status: 429, RetryAfter: "Wed, 21 Oct 2037 07:28:00 GMT"})
	a.srv.InjectFault("/retrieve/audiences", 1, chatinctest.Fault{Status: 42})
	a.srv.InjectFault("/retrieve/audiences", 0, chatinctest.Fault{Status: 500})
	a.srv.InjectFault("/retrieve/audiences", -1, chatinctest.Fault{Status: 500})
	a.srv.InjectFault("/no/such/path", 1, chatinctest.Fault{Status: 418, Body: "teapot"})

	a.post("/retrieve/variable/groups", nil).requireOK()
	r := a.get("/retrieve/audiences")
	assert.Equal(t, 502, r.Status)
	assert.Equal(t, "text/html", r.Header.Get("Content-Type"))
	assert.Equal(t, "<html>Bad gateway</html>", string(r.Body))
	r = a.get("/retrieve/audiences")
	r.requireError(429, "injected fault: Too Many Requests")
	assert.Equal(t, "Wed, 21 Oct 2037 07:28:00 GMT", r.Header.Get("Retry-After"))
	a.get("/retrieve/audiences").requireError(500, "injected fault: Internal Server Error")
	a.get("/retrieve/audiences").requireOK()

	r = a.get("/no/such/path")
	assert.Equal(t, 418, r.Status, "faults come before routing")
	assert.Equal(t, "teapot", string(r.Body))
	assert.Equal(t, "text/plain; charset=utf-8", r.Header.Get("Content-Type"), "sniffed")
	a.get("/no/such/path").requireError(404, "no such endpoint: GET /v1/no/such/path")

	// Unauthorized requests do not use faults up.
	a.srv.InjectFault("/retrieve/audiences", 1, chatinctest.Fault{Status: 500})
	a.withKey("", http.MethodGet, "/retrieve/audiences", nil).requireError(401, "invalid or missing API key")
	a.get("/retrieve/audiences").requireError(500, "injected fault: Internal Server Error")
}

func TestFaultDrop(t *testing.T) {
	a := newAPI(t)
	a.post("/create/audience", map[string]any{"id": "vip", "name": "VIP", "contacts": contacts("+15550100001")}).requireOK()
	a.srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Drop: true})
	body := map[string]any{"title": "t", "message": "m", "runImmediately": true, "audiences": []string{"vip"}}
	resp, err := a.roundTrip(context.Background(), http.MethodPost, "/create/campaign", body, "", a.srv.APIKey)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the client sees a transport error, not a status")
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "[]\n", string(a.get("/retrieve/campaigns").Body), "a dropped request is not acted upon")
	assert.Equal(t, []int{0}, statuses(a.srv, "/create/campaign"))
	assert.JSONEq(t, `{"title":"t","message":"m","runImmediately":true,"audiences":["vip"]}`,
		string(a.srv.Requests()[1].Body), "the body was read before the drop")

	// An upload is read whole, then dropped; its parts are logged.
	a.srv.InjectFault("/create/audience/from/file", 1, chatinctest.Fault{Drop: true})
	parts, ct := multipartBody(t, part{name: "id", content: "up"}, part{name: "name", content: "Up"},
		part{name: "file", file: "f.csv", content: "number\n+15550100001\n"})
	resp, err = a.roundTrip(context.Background(), http.MethodPost, "/create/audience/from/file", parts, ct, a.srv.APIKey)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	reqs := a.srv.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, 0, last.Status)
	assert.Equal(t, []chatinctest.Part{
		{Name: "id", Size: 2, Value: "up"}, {Name: "name", Size: 2, Value: "Up"},
		{Name: "file", FileName: "f.csv", ContentType: "text/csv", Size: 20},
	}, last.Parts)
	a.post("/retrieve/audience/contacts", map[string]any{"id": "up"}).requireError(404, `audience "up" not found`)

	// The next request goes through.
	a.post("/create/campaign", body).requireOK()
}

func TestFaultDelay(t *testing.T) {
	a := newAPI(t)

	// A delay alone, then the request is handled.
	a.srv.InjectFault("/create/audience", 1, chatinctest.Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	a.post("/create/audience", map[string]any{"id": "vip", "name": "VIP"}).requireOK()
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	assert.Len(t, a.get("/retrieve/audiences").object()["audiences"], 1)

	// A delay and a status.
	a.srv.InjectFault("/retrieve/audiences", 1, chatinctest.Fault{Delay: 20 * time.Millisecond, Status: 504})
	a.get("/retrieve/audiences").requireError(504, "injected fault: Gateway Timeout")

	// A client that gives up during a long delay gets its context's error at
	// once, and the server stops waiting too.
	a.srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	resp, err := a.roundTrip(ctx, http.MethodPost, "/create/campaign", map[string]any{"title": "t", "message": "m"}, "", a.srv.APIKey)
	if err == nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Eventually(t, func() bool {
		return a.srv.RequestCount("/create/campaign") == 1 && len(a.get("/retrieve/campaigns").list()) == 0
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, []int{0}, statuses(a.srv, "/create/campaign"))
}

func TestCloseEndsDelays(t *testing.T) {
	srv := chatinctest.NewServer()
	srv.InjectFault("/retrieve/audiences", 1, chatinctest.Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/retrieve/audiences", nil)
		req.Header.Set("Authorization", srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.RequestCount("/retrieve/audiences") == 1 }, 5*time.Second, 5*time.Millisecond)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the delay")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the client is still waiting")
	}
}

func TestRateLimit(t *testing.T) {
	a := newAPI(t, chatinctest.WithRateLimit(3, time.Minute))
	for range 2 {
		a.withKey("bad", http.MethodGet, "/retrieve/audiences", nil).requireError(401, "invalid or missing API key")
	}
	for range 3 {
		a.get("/retrieve/audiences").requireOK()
	}
	for range 2 {
		r := a.post("/create/audience", map[string]any{"id": "x", "name": "X"})
		r.requireError(http.StatusTooManyRequests, "rate limit exceeded: at most 3 requests per 1m0s")
		assert.Equal(t, "60", r.Header.Get("Retry-After"))
	}
	assert.Equal(t, []int{429, 429}, statuses(a.srv, "/create/audience"))

	// The window slides.
	a = newAPI(t, chatinctest.WithRateLimit(2, 200*time.Millisecond))
	a.get("/retrieve/audiences").requireOK()
	a.get("/retrieve/audiences").requireOK()
	r := a.get("/retrieve/audiences")
	assert.Equal(t, http.StatusTooManyRequests, r.Status)
	assert.Equal(t, "1", r.Header.Get("Retry-After"))
	time.Sleep(250 * time.Millisecond)
	a.get("/retrieve/audiences").requireOK()

	// No limit.
	a = newAPI(t, chatinctest.WithRateLimit(0, time.Second))
	for range 20 {
		a.get("/retrieve/audiences").requireOK()
	}
}

func TestRequestsIsACopy(t *testing.T) {
	a := newAPI(t)
	a.post("/create/audience", map[string]any{"id": "a", "name": "A"}).requireOK()
	reqs := a.srv.Requests()
	reqs[0].Body[0] = 'X'
	reqs[0].Path = "/changed"
	assert.Equal(t, byte('{'), a.srv.Requests()[0].Body[0])
	assert.Equal(t, "/create/audience", a.srv.Requests()[0].Path)
}
