package chatinctest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// TestFaultActFirst checks that an ActFirst fault lets the API act on the
// request, then answers as the fault says, and logs the fault's status.
func TestFaultActFirst(t *testing.T) {
	a := newAPI(t)
	a.post("/create/audience", map[string]any{"id": "vip", "name": "VIP", "contacts": contacts("+15550100001")}).requireOK()

	// A 502 after acting: the campaign exists and has run.
	a.srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Status: http.StatusBadGateway, ActFirst: true})
	body := map[string]any{"title": "t", "message": "m", "runImmediately": true, "audiences": []string{"vip"}}
	a.post("/create/campaign", body).requireError(http.StatusBadGateway, "injected fault: Bad Gateway")
	listed := a.get("/retrieve/campaigns").list()
	require.Len(t, listed, 1, "the API acted before the fault answered")
	camp := listed[0]["campaigns"].(map[string]any)
	assert.Equal(t, "t", camp["title"])
	assert.Len(t, camp["runs"], 1)

	// A drop after acting: the run happened, the client sees a transport error.
	a.srv.InjectFault("/run/campaign", 1, chatinctest.Fault{Drop: true, ActFirst: true})
	resp, err := a.roundTrip(context.Background(), http.MethodPost, "/run/campaign",
		map[string]any{"campaignId": camp["campaignId"], "audiences": []string{"vip"}}, "", a.srv.APIKey)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the answer is lost")
	camp = a.get("/retrieve/campaigns").list()[0]["campaigns"].(map[string]any)
	assert.Len(t, camp["runs"], 2, "the effect is not")

	// A custom body, after an act that failed: the fault's answer still wins,
	// and a failed act changes nothing.
	a.srv.InjectFault("/create/audience", 1, chatinctest.Fault{Status: 200, Body: `{"status":"success"}`, ActFirst: true})
	a.post("/create/audience", map[string]any{"id": "bad"}).requireOK()
	a.post("/retrieve/audience/contacts", map[string]any{"id": "bad"}).requireError(404, `audience "bad" not found`)

	assert.Equal(t, []int{502}, statuses(a.srv, "/create/campaign"))
	assert.Equal(t, []int{0}, statuses(a.srv, "/run/campaign"))
	assert.Equal(t, []int{200, 200}, statuses(a.srv, "/create/audience"))
	for _, r := range a.srv.Requests() {
		if r.Path == "/create/campaign" {
			assert.JSONEq(t, `{"title":"t","message":"m","runImmediately":true,"audiences":["vip"]}`, string(r.Body),
				"the body the API read is logged once")
		}
	}

	// Without ActFirst the same faults leave the state alone.
	a.srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Status: http.StatusBadGateway})
	a.post("/create/campaign", body).requireError(http.StatusBadGateway, "injected fault: Bad Gateway")
	assert.Len(t, a.get("/retrieve/campaigns").list(), 1)
}

// TestFaultActFirstUpload checks ActFirst on a multipart upload: the
// audience is created from the file, its parts are logged once.
func TestFaultActFirstUpload(t *testing.T) {
	a := newAPI(t)
	a.srv.InjectFault("/create/audience/from/file", 1, chatinctest.Fault{Status: 504, ActFirst: true, Delay: time.Millisecond})
	a.upload("/create/audience/from/file", part{name: "id", content: "up"}, part{name: "name", content: "Up"},
		part{name: "file", file: "f.csv", content: "number\n+15550100001\n"}).requireError(504, "injected fault: Gateway Timeout")
	assert.Equal(t, []string{"+15550100001"}, a.numbersOf("up"))
	reqs := a.srv.Requests()
	assert.Equal(t, 504, reqs[0].Status)
	assert.Len(t, reqs[0].Parts, 3)
}

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestWithClock checks that a scheduled run takes place when the server's
// clock says so, with no sleeping.
func TestWithClock(t *testing.T) {
	clk := &clock{now: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
	a := newAPI(t, chatinctest.WithClock(clk.Now))
	a.post("/create/audience", map[string]any{"id": "vip", "name": "VIP", "contacts": contacts("+15550100001", "+15550100002")}).requireOK()
	at := clk.Now().Add(time.Hour)
	created := a.post("/create/campaign", map[string]any{"title": "t", "message": "m", "runImmediately": true,
		"audiences": []string{"vip"}, "timeToRun": at.Unix()}).requireOK().object()
	id := created["campaignId"]

	details := func() []map[string]any {
		return a.post("/retrieve/campaign", map[string]any{"campaignId": id}).requireOK().list()
	}
	assert.Empty(t, details(), "scheduled: no results yet")
	assert.Len(t, a.get("/retrieve/campaigns?active=true").list(), 1, "active while its run is to come")

	clk.Add(59 * time.Minute)
	assert.Empty(t, details())
	clk.Add(time.Minute)
	rows := details()
	assert.Len(t, rows, 2, "the run took place at its time")
	assert.Empty(t, a.get("/retrieve/campaigns?active=true").list())
	for _, r := range rows {
		assert.GreaterOrEqual(t, int64(r["timestamp"].(float64)), at.Unix())
	}

	// A run with no timeToRun runs at the clock's now.
	clk.Add(24 * time.Hour)
	a.post("/run/campaign", map[string]any{"campaignId": id, "audiences": []string{"vip"}}).requireOK()
	runs := a.get("/retrieve/campaigns").list()[0]["campaigns"].(map[string]any)["runs"].([]any)
	require.Len(t, runs, 2)
	assert.Len(t, details(), 4)
}

// TestWithClockRateLimit checks that the rate limit's window follows the
// server's clock.
func TestWithClockRateLimit(t *testing.T) {
	clk := &clock{now: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
	a := newAPI(t, chatinctest.WithClock(clk.Now), chatinctest.WithRateLimit(1, time.Minute))
	a.get("/retrieve/audiences").requireOK()
	r := a.get("/retrieve/audiences")
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	assert.Equal(t, "60", r.Header.Get("Retry-After"))
	clk.Add(time.Minute)
	a.get("/retrieve/audiences").requireOK()
}

// TestRequestLogIsBounded checks that the log keeps the most recent
// requests only, counts all of them, and keeps at most 64 KiB of a body.
func TestRequestLogIsBounded(t *testing.T) {
	a := newAPI(t, chatinctest.WithRequestLog(3))
	for i := range 5 {
		a.post("/create/audience", map[string]any{"id": fmt.Sprint("a", i), "name": "A"}).requireOK()
	}
	a.get("/retrieve/audiences").requireOK()
	reqs := a.srv.Requests()
	require.Len(t, reqs, 3)
	assert.JSONEq(t, `{"id":"a3","name":"A"}`, string(reqs[0].Body))
	assert.JSONEq(t, `{"id":"a4","name":"A"}`, string(reqs[1].Body))
	assert.Equal(t, "/retrieve/audiences", reqs[2].Path)
	assert.Equal(t, 5, a.srv.RequestCount("/create/audience"), "counts cover requests that left the log")
	assert.Equal(t, 1, a.srv.RequestCount("/retrieve/audiences"))

	big := strings.Repeat("x", 200<<10)
	a.post("/create/audience", map[string]any{"id": "big", "name": "Big", "description": big}).requireOK()
	reqs = a.srv.Requests()
	assert.Len(t, reqs[len(reqs)-1].Body, 64<<10, "body capture is bounded")

	none := newAPI(t, chatinctest.WithRequestLog(0))
	none.get("/retrieve/audiences").requireOK()
	assert.Empty(t, none.srv.Requests())
	assert.Equal(t, 1, none.srv.RequestCount("/retrieve/audiences"))
}

// TestRequestLogDefault checks the default bound: the last 1000 requests.
func TestRequestLogDefault(t *testing.T) {
	a := newAPI(t)
	for range 1005 {
		a.get("/retrieve/audiences").requireOK()
	}
	assert.Len(t, a.srv.Requests(), 1000)
	assert.Equal(t, 1005, a.srv.RequestCount("/retrieve/audiences"))
}

// TestRequestLogBoundsParts checks that the log keeps at most 64 parts of
// one multipart request.
func TestRequestLogBoundsParts(t *testing.T) {
	a := newAPI(t)
	parts := []part{{name: "id", content: "up"}, {name: "name", content: "Up"}}
	for i := range 70 {
		parts = append(parts, part{name: fmt.Sprint("extra", i), content: "x"})
	}
	parts = append(parts, part{name: "file", file: "f.csv", content: "number\n+15550100001\n"})
	a.upload("/create/audience/from/file", parts...).requireOK()
	reqs := a.srv.Requests()
	assert.Len(t, reqs[len(reqs)-1].Parts, 64)
}

// TestUnknownPathsCountedBounded: a client probing random paths does not
// grow the server's counters without bound.
func TestUnknownPathsCountedBounded(t *testing.T) {
	srv := chatinctest.NewServer(chatinctest.WithRequestLog(-1))
	defer srv.Close()
	for i := range 500 {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/probe/%d", srv.URL, i), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	u := srv.Usage()
	if len(u) > 64+1 {
		t.Fatalf("Usage holds %d paths after 500 unknown ones, want at most %d", len(u), 64+1)
	}
	if got := srv.RequestCount("/probe/3"); got != 1 {
		t.Errorf("RequestCount(/probe/3) = %d, want 1 (among the first 64)", got)
	}
	if got := srv.RequestCount(chatinctest.OtherPaths); got != 500-64 {
		t.Errorf("RequestCount(chatinctest.OtherPaths) = %d, want %d", got, 500-64)
	}
	if got := u[chatinctest.OtherPaths].Requests; got != 500-64 {
		t.Errorf("Usage[chatinctest.OtherPaths].Requests = %d, want %d", got, 500-64)
	}
}
