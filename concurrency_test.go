package chatinc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	chatinc "github.com/chatinc/chatinc-go"
)

// echoServer answers each call with data derived from the request, so that
// an answer delivered to the wrong caller is caught. The first request for
// each ID ending in 7 gets a 503 with Retry-After: 0, so retries run
// concurrently with everything else.
type echoServer struct {
	*httptest.Server
	mu     sync.Mutex
	failed map[string]bool
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	es := &echoServer{failed: map[string]bool{}}
	es.Server = httptest.NewServer(http.HandlerFunc(es.serve))
	return es
}

// failFirst reports whether this is the first request for id and id is one
// of those that fail once.
func (es *echoServer) failFirst(id string) bool {
	if !strings.HasSuffix(id, "7") {
		return false
	}
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.failed[id] {
		return false
	}
	es.failed[id] = true
	return true
}

func (es *echoServer) serve(w http.ResponseWriter, r *http.Request) {
	var id, answer string
	switch r.URL.Path {
	case "/v1/create/audience/from/file":
		id, answer = echoUpload(r)
	default:
		var in struct {
			ID         string `json:"id"`
			CampaignID string `json:"campaignId"`
			Format     string `json:"format"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		switch r.URL.Path {
		case "/v1/retrieve/audience/contacts":
			id, answer = in.ID, fmt.Sprintf(`{"status":"success","contacts":[{"number":%q}]}`, numberOf(in.ID))
		case "/v1/create/audience":
			id, answer = in.ID, fmt.Sprintf(`{"status":"success","id":%q}`, in.ID)
		case "/v1/run/campaign":
			answer = fmt.Sprintf(`{"status":"success","runId":"run-%s"}`, in.CampaignID) // a send: never failed
		case "/v1/retrieve/campaign":
			id = in.CampaignID
			answer = "number,action,campaign\n" + numberOf(in.CampaignID) + ",read," + in.CampaignID + "\n"
		}
	}
	if id != "" && es.failFirst(r.URL.Path+id) {
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"status":"error","message":"busy"}`, http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, answer)
}

// echoUpload reads an upload and echoes its id and its file's content.
func echoUpload(r *http.Request) (id, answer string) {
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	mr := multipart.NewReader(r.Body, params["boundary"])
	var file []byte
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p)
		switch p.FormName() {
		case "id":
			id = string(b)
		case "file":
			file = b
		}
	}
	return id, fmt.Sprintf(`{"status":"success","id":%q,"message":%q}`, id, file)
}

// numberOf derives a phone number from an ID such as "aud-42".
func numberOf(id string) string {
	var n int
	_, _ = fmt.Sscanf(id[strings.LastIndexByte(id, '-')+1:], "%d", &n)
	return fmt.Sprintf("+1555%07d", n)
}

// TestConcurrentCalls makes 1,000 calls of five kinds from 64 goroutines
// through one client, some of them retried, and checks every answer is the
// caller's own; then that no goroutine is left behind.
func TestConcurrentCalls(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv := newEchoServer(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c := newClientOf(t, faultKey, srv.URL+"/v1", chatinc.WithHTTPClient(&http.Client{Transport: tr}))

	const calls, workers = 1000, 64
	jobs := make(chan int)
	errs := make(chan error, calls)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				errs <- echoCall(context.Background(), c, i)
			}
		}()
	}
	for i := 0; i < calls; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	failures := 0
	for err := range errs {
		if err != nil {
			failures++
			if failures <= 5 {
				t.Error(err)
			}
		}
	}
	assert.Zero(t, failures, "calls with a wrong or failed answer")
	srv.mu.Lock()
	assert.NotEmpty(t, srv.failed, "some calls were retried")
	srv.mu.Unlock()

	srv.Close()
	tr.CloseIdleConnections()
	goleak.VerifyNone(t, ignore)
}

// echoCall makes call number i, of the kind i%5, and checks its answer.
func echoCall(ctx context.Context, c *chatinc.Client, i int) error {
	id := fmt.Sprintf("aud-%d", i)
	switch i % 5 {
	case 0:
		got, err := c.RetrieveAudienceContacts(ctx, id)
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if len(got) != 1 || got[0].Number != numberOf(id) {
			return fmt.Errorf("call %d: contacts %v, want %s", i, got, numberOf(id))
		}
	case 1:
		res, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: id, Name: "A"})
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if res.ID != id {
			return fmt.Errorf("call %d: result for %q", i, res.ID)
		}
	case 2:
		csv := "number\n" + numberOf(id) + "\n"
		res, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: id, Name: "A",
			File: chatinc.FileFromReader("c.csv", strings.NewReader(csv))})
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if res.ID != id || res.Message != csv {
			return fmt.Errorf("call %d: upload echoed %q, %q", i, res.ID, res.Message)
		}
	case 3:
		res, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "cmp-" + id, Audiences: []string{id}})
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if res.RunID != "run-cmp-"+id {
			return fmt.Errorf("call %d: run %q", i, res.RunID)
		}
	case 4:
		var buf bytes.Buffer
		cmp := fmt.Sprintf("cmp-%d", i)
		if _, err := c.RetrieveCampaignDetailsCSV(ctx, cmp, &buf); err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		if want := "number,action,campaign\n" + numberOf(cmp) + ",read," + cmp + "\n"; buf.String() != want {
			return fmt.Errorf("call %d: CSV %q", i, buf.String())
		}
	}
	return nil
}

// endless is a non-seekable reader that never ends: rows of a CSV.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	const row = "+15550000000\n"
	for i := range p {
		p[i] = row[i%len(row)]
	}
	return len(p), nil
}

// TestNoGoroutineLeftAfterFailedOrCancelledUploads uploads from a path, a
// seekable reader and a reader that cannot seek, against a server that
// drops, refuses, answers before reading, or stalls until the caller's
// context ends, and checks that no goroutine outlives the calls.
func TestNoGoroutineLeftAfterFailedOrCancelledUploads(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	path := filepath.Join(t.TempDir(), "contacts.csv")
	require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("+15550000000\n", 50_000)), 0o600))

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.Header.Get("X-Test-Fault"), "drop"):
			_, _ = io.Copy(io.Discard, r.Body)
			hangUp(w, r, 0)
		case strings.HasPrefix(r.Header.Get("X-Test-Fault"), "early"):
			http.Error(w, `{"status":"error","message":"too big"}`, http.StatusRequestEntityTooLarge)
		default: // stall: read all there is, never answer, until the caller leaves
			if _, err := io.Copy(io.Discard, r.Body); err == nil {
				<-r.Context().Done()
			}
		}
	}))
	tr := http.DefaultTransport.(*http.Transport).Clone()

	files := map[string]func() chatinc.File{
		"path": func() chatinc.File { return chatinc.FileFromPath(path) },
		"seekable": func() chatinc.File {
			return chatinc.FileFromReader("c.csv", strings.NewReader(strings.Repeat("+15550000000\n", 50_000)))
		},
		"stream": func() chatinc.File {
			return chatinc.FileFromReader("c.csv", nonSeeker{io.LimitReader(endless{}, 8<<20)})
		},
		"endless": func() chatinc.File { return chatinc.FileFromReader("c.csv", endless{}) },
	}
	var wg sync.WaitGroup
	for _, fault := range []string{"drop", "early", "stall"} {
		c := newClientOf(t, faultKey, srv.URL+"/v1", chatinc.WithHTTPClient(&http.Client{Transport: faultHeader{tr, fault}}))
		for name, file := range files {
			if fault != "stall" && name == "endless" {
				continue // only a cancelled context ends an endless upload
			}
			for k := 0; k < 4; k++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(50+rand.IntN(150))*time.Millisecond)
					defer cancel()
					_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "a", Name: "A", File: file()})
					assert.Error(t, err, "%s upload, %s", name, fault)
				}()
			}
		}
	}
	wg.Wait()
	srv.Close()
	tr.CloseIdleConnections()
	goleak.VerifyNone(t, ignore)
}

// faultHeader tags each request with the fault the server should play.
type faultHeader struct {
	next  http.RoundTripper
	fault string
}

func (f faultHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Fault", f.fault)
	return f.next.RoundTrip(r)
}
