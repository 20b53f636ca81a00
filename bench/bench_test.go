package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/internal/memtest"
)

// Each benchmark has two sub-benchmarks, sdk and baseline, run one after
// the other; with -count N they alternate N times, which is what
// scripts/bench-compare.sh takes the medians of.

const apiKey = "sk_bench_0123456789abcdef"

// userAgent is what the SDK sends, and so what the baseline sends too.
var userAgent = fmt.Sprintf("chatinc-go/%s (%s)", chatinc.Version, runtime.Version())

// tunedClient is the baseline's HTTP client: the transport the SDK builds
// for itself (a clone of the default one, 16 idle connections per host).
func tunedClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t}
}

// server answers every path of the API: reads with canned bodies, writes
// by reading the body and answering success.
type server struct {
	*httptest.Server
	bodies map[string][]byte
}

const okAnswer = `{"status":"success","message":"Audience created","id":"a"}` + "\n"

func newServer(tb testing.TB, bodies map[string][]byte) *server {
	s := &server{bodies: bodies}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := s.bodies[r.URL.Path]; ok {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			_, _ = w.Write(b)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, okAnswer)
	}))
	tb.Cleanup(s.Close)
	return s
}

func sdkClient(tb testing.TB, baseURL string, opts ...chatinc.Option) *chatinc.Client {
	c, err := chatinc.NewClient(apiKey, append([]chatinc.Option{chatinc.WithBaseURL(baseURL + "/v1"), chatinc.WithRetryMax(0)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// baseline is the hand-written client: the headers the SDK sends, one
// request, a status check, encoding/json.
type baseline struct {
	hc   *http.Client
	base string
}

func (bl *baseline) do(ctx context.Context, method, path string, body []byte, v any) error {
	return bl.send(ctx, method, path, body, func(r io.Reader) error {
		if v == nil {
			_, err := io.Copy(io.Discard, r)
			return err
		}
		return json.NewDecoder(r).Decode(v)
	})
}

// send makes the request and gives the body of a 2xx answer to read.
func (bl *baseline) send(ctx context.Context, method, path string, body []byte, read func(io.Reader) error) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, bl.base+"/v1/"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", apiKey)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := bl.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return read(resp.Body)
}

// sides runs a case's sdk and baseline sub-benchmarks one after the other:
// sdk first, or baseline first when CHATINC_BENCH_ORDER=baseline-first
// (scripts/bench-compare.sh flips it from run to run, so that neither side
// always runs first in a process).
func sides(b *testing.B, sdk, baseline func(b *testing.B)) {
	first, second := sdk, baseline
	names := [2]string{"sdk", "baseline"}
	if os.Getenv("CHATINC_BENCH_ORDER") == "baseline-first" {
		first, second = baseline, sdk
		names = [2]string{"baseline", "sdk"}
	}
	b.Run(names[0], first)
	b.Run(names[1], second)
}

// pair runs the sdk and baseline sub-benchmarks of one case (sides), each
// call once per iteration.
func pair(b *testing.B, sdk, baseline func() error) {
	loop := func(call func() error) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	sides(b, loop(sdk), loop(baseline))
}

// write is the baseline of a write: json.Marshal of body, POST, decode
// the answer.
func (bl *baseline) write(ctx context.Context, path string, body any) error {
	buf, err := json.Marshal(body)
	if err != nil {
		return err
	}
	var r plainResult
	return bl.do(ctx, http.MethodPost, path, buf, &r)
}

// memTransport answers every request in memory with body: no network, so
// that only the clients' own costs are compared.
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(m.body)), Body: io.NopCloser(bytes.NewReader(m.body)), Request: req}, nil
}

// groupsBody is the 54-byte answer of retrieve/variable/groups.
var groupsBody = []byte(`[{"id":"g1","name":"users","fields":["first_name"]}]` + "\n")

// plainGroup is the baseline's decode target for a variable group.
type plainGroup struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
}

func BenchmarkSmallRead(b *testing.B) {
	ctx := context.Background()
	for _, net := range []string{"loopback", "inmemory"} {
		b.Run(net, func(b *testing.B) {
			srv := newServer(b, map[string][]byte{"/v1/retrieve/variable/groups": groupsBody})
			var sdk *chatinc.Client
			bl := &baseline{base: srv.URL}
			if net == "inmemory" {
				hc := &http.Client{Transport: memTransport{groupsBody}}
				sdk = sdkClient(b, srv.URL, chatinc.WithHTTPClient(hc))
				bl.hc = hc
			} else {
				sdk = sdkClient(b, srv.URL)
				bl.hc = tunedClient()
			}
			pair(b, func() error {
				g, err := sdk.RetrieveVariableGroups(ctx)
				if err == nil && len(g) != 1 {
					err = fmt.Errorf("%d groups", len(g))
				}
				return err
			}, func() error {
				var g []plainGroup
				err := bl.do(ctx, http.MethodPost, "retrieve/variable/groups", nil, &g)
				if err == nil && len(g) != 1 {
					err = fmt.Errorf("%d groups", len(g))
				}
				return err
			})
		})
	}
}

// plainResult is the baseline's decode target for a write's answer.
type plainResult struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	ID      string `json:"id"`
}

func contacts(n int) []chatinc.Contact {
	cs := make([]chatinc.Contact, n)
	for i := range cs {
		cs[i].Number = fmt.Sprintf("+1555%07d", i)
	}
	return cs
}

func BenchmarkSmallWrite(b *testing.B) {
	ctx := context.Background()
	srv := newServer(b, nil)
	sdk := sdkClient(b, srv.URL)
	bl := &baseline{hc: tunedClient(), base: srv.URL}
	p := chatinc.AudienceParams{ID: "a", Name: "VIP", Description: "our best", Contacts: contacts(10)}
	pair(b, func() error {
		_, err := sdk.CreateAudience(ctx, p)
		return err
	}, func() error { return bl.write(ctx, "create/audience", p) })
}

func BenchmarkAddContacts100k(b *testing.B) {
	ctx := context.Background()
	srv := newServer(b, nil)
	sdk := sdkClient(b, srv.URL)
	bl := &baseline{hc: tunedClient(), base: srv.URL}
	cs := contacts(100_000)
	pair(b, func() error {
		_, err := sdk.AddContactsToAudience(ctx, "a", cs)
		return err
	}, func() error {
		return bl.write(ctx, "create/audience", struct {
			ID       string            `json:"id"`
			Contacts []chatinc.Contact `json:"contacts"`
		}{"a", cs})
	})
}

// plainRow is a variable group row as a plain struct, for json.Marshal.
type plainRow struct {
	Number    string `json:"number"`
	City      string `json:"city"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

func BenchmarkCreateVariableGroup100k(b *testing.B) {
	ctx := context.Background()
	srv := newServer(b, nil)
	sdk := sdkClient(b, srv.URL)
	bl := &baseline{hc: tunedClient(), base: srv.URL}
	const n = 100_000
	fields := []string{"first_name", "last_name", "city"}
	p := chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: fields, Values: make([]chatinc.Row, n)}
	plain := make([]plainRow, n)
	for i := range n {
		r := plainRow{fmt.Sprintf("+1555%07d", i), "Cape Town", "Name" + strconv.Itoa(i), "Doe"}
		plain[i] = r
		p.Values[i] = chatinc.Row{Number: r.Number, Values: map[string]string{"first_name": r.FirstName, "last_name": r.LastName, "city": r.City}}
	}
	pair(b, func() error {
		_, err := sdk.CreateVariableGroup(ctx, p)
		return err
	}, func() error {
		return bl.write(ctx, "create/variable/group", struct {
			ID     string     `json:"id"`
			Name   string     `json:"name"`
			Fields []string   `json:"fields"`
			Values []plainRow `json:"values"`
		}{"g", "users", fields, plain})
	})
}

// detailsBody is a campaign's results: n rows, about 93 bytes each.
func detailsBody(n int) []byte {
	var buf bytes.Buffer
	buf.Grow(n * 100)
	buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"number":"+1555%07d","action":"delivered","runId":"run_1","message":"Hi Ana","timestamp":%d}`, i, 1700000000+i)
	}
	buf.WriteString("]\n")
	return buf.Bytes()
}

// plainDetail is the baseline's decode target for a result row.
type plainDetail struct {
	Number    string `json:"number"`
	Action    string `json:"action"`
	RunID     string `json:"runId"`
	Message   string `json:"message"`
	Timestamp int64  `json:"timestamp"`
}

const millionRows = 1_000_000

// millionHandler answers with 1M rows (93 MiB) written as they go, from
// a block of 1,000 rows repeated: the server holds 93 KiB, not 93 MiB, so
// that the heap of the process (and the collector's pace, which follows
// it) is the clients'.
func millionHandler() http.HandlerFunc {
	block := detailsBody(1000)
	inner := block[1 : len(block)-2] // the rows, without "[" and "]\n"
	size := 1 + millionRows/1000*(len(inner)+1) - 1 + 2
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = w.Write([]byte("["))
		for i := range millionRows / 1000 {
			if i > 0 {
				_, _ = w.Write([]byte(","))
			}
			if _, err := w.Write(inner); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte("]\n"))
	}
}

func millionServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(millionHandler())
	tb.Cleanup(srv.Close)
	return srv
}

// peakHeap runs f and returns how far the heap in use grew above its
// start (sampled every millisecond).
func peakHeap(f func()) uint64 { return memtest.Measure(time.Millisecond, f).PeakHeap }

// reportPeak runs the benchmark's loop under peakHeap and reports the
// largest growth of one run as peak-heap-MiB.
func reportPeak(b *testing.B, one func() error) {
	b.ReportAllocs()
	var worst uint64
	for range b.N {
		var err error
		worst = max(worst, peakHeap(func() { err = one() }))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MiB")
}

func BenchmarkRetrieveCampaignDetails1M(b *testing.B) {
	ctx := context.Background()
	srv := millionServer(b)
	sdk := sdkClient(b, srv.URL)
	bl := &baseline{hc: tunedClient(), base: srv.URL}
	req := []byte(`{"campaignId":"cmp"}`)
	sides(b, func(b *testing.B) {
		reportPeak(b, func() error {
			rows, err := sdk.RetrieveCampaignDetails(ctx, "cmp")
			if err == nil && len(rows) != millionRows {
				err = fmt.Errorf("%d rows", len(rows))
			}
			return err
		})
	}, func(b *testing.B) {
		reportPeak(b, func() error {
			var rows []plainDetail
			err := bl.do(ctx, http.MethodPost, "retrieve/campaign", req, &rows)
			if err == nil && len(rows) != millionRows {
				err = fmt.Errorf("%d rows", len(rows))
			}
			return err
		})
	})
}

func BenchmarkCampaignDetailsIterator1M(b *testing.B) {
	ctx := context.Background()
	srv := millionServer(b)
	sdk := sdkClient(b, srv.URL)
	bl := &baseline{hc: tunedClient(), base: srv.URL}
	req := []byte(`{"campaignId":"cmp"}`)
	var sink int
	sides(b, func(b *testing.B) {
		reportPeak(b, func() error {
			n := 0
			for d, err := range sdk.CampaignDetails(ctx, "cmp") {
				if err != nil {
					return err
				}
				n += len(d.Number) + len(d.Columns)
			}
			sink = n
			return nil
		})
	}, func(b *testing.B) {
		reportPeak(b, func() error {
			n := 0
			err := bl.stream(ctx, "retrieve/campaign", req, func(d chatinc.CampaignDetail) {
				n += len(d.Number) + len(d.Columns)
			})
			sink = n
			return err
		})
	})
	_ = sink
}

// stream is the hand-written token-streaming loop: one json.Decoder over the
// body, '[' then a row at a time into a struct, turned into the same
// CampaignDetail the SDK yields.
func (bl *baseline) stream(ctx context.Context, path string, body []byte, f func(chatinc.CampaignDetail)) error {
	return bl.send(ctx, http.MethodPost, path, body, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			var r plainDetail
			if err := dec.Decode(&r); err != nil {
				return err
			}
			f(chatinc.CampaignDetail{Number: r.Number, Action: r.Action, Columns: map[string]string{
				"runId": r.RunID, "message": r.Message, "timestamp": strconv.FormatInt(r.Timestamp, 10)}})
		}
		_, err := dec.Token()
		return err
	})
}

// TestBaselinesAgree checks that each baseline does what the SDK does:
// the same bodies on the wire, the same rows out.
func TestBaselinesAgree(t *testing.T) {
	ctx := context.Background()
	body := detailsBody(1000)
	srv := newServer(t, map[string][]byte{"/v1/retrieve/campaign": body})
	sdk := sdkClient(t, srv.URL)
	bl := &baseline{hc: tunedClient(), base: srv.URL}
	var fromSDK, fromBaseline []chatinc.CampaignDetail
	for d, err := range sdk.CampaignDetails(ctx, "cmp") {
		if err != nil {
			t.Fatal(err)
		}
		fromSDK = append(fromSDK, d)
	}
	if err := bl.stream(ctx, "retrieve/campaign", []byte(`{"campaignId":"cmp"}`), func(d chatinc.CampaignDetail) {
		fromBaseline = append(fromBaseline, d)
	}); err != nil {
		t.Fatal(err)
	}
	if len(fromSDK) != 1000 || fmt.Sprint(fromSDK) != fmt.Sprint(fromBaseline) {
		t.Fatalf("the SDK and the baseline disagree: %d and %d rows", len(fromSDK), len(fromBaseline))
	}
	// The write baselines send the SDK's bytes.
	p := chatinc.AudienceParams{ID: "a", Name: "VIP", Contacts: contacts(3)}
	want, _ := json.Marshal(p)
	var got []byte
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		_, _ = io.WriteString(w, okAnswer)
	}))
	defer capture.Close()
	if _, err := sdkClient(t, capture.URL).CreateAudience(ctx, p); err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(string(got), string(want)) {
		t.Fatalf("SDK sent %s, baseline sends %s", got, want)
	}
}

// TestMillionHandler checks the generated answer: its length, and with
// CHATINC_SCALE_TESTS=1 its rows (a 93 MiB decode, slow under -race).
func TestMillionHandler(t *testing.T) {
	srv := millionServer(t)
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if os.Getenv("CHATINC_SCALE_TESTS") == "" {
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || n != resp.ContentLength {
			t.Fatalf("%d bytes of %d, %v", n, resp.ContentLength, err)
		}
		return
	}
	var rows []plainDetail
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil || len(rows) != millionRows {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}
