package chatinc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatinc/chatinc-go/internal/memtest"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// Tests of results and requests at scale: memory bounds that hold whatever
// the machine's speed (no timings), and bodies byte for byte.

// detailStream is a generated answer of POST /retrieve/campaign: a JSON
// array of n rows, made as it is read, so that the test itself holds none.
type detailStream struct {
	n, next int
	buf     []byte
	closed  atomic.Bool
	cut     bool // Read fails once cutAt rows have been read
	cutAt   int
}

func newDetailStream(n int) *detailStream { return &detailStream{n: n, buf: []byte("[")} }

func (s *detailStream) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) && s.next <= s.n {
		if s.cut && s.next == s.cutAt {
			if len(s.buf) == 0 {
				return 0, errors.New("connection reset by peer")
			}
			break
		}
		switch {
		case s.next == s.n:
			s.buf = append(s.buf, ']')
		default:
			if s.next > 0 {
				s.buf = append(s.buf, ',')
			}
			s.buf = append(s.buf, `{"number":"+1555`...)
			s.buf = appendPadded(s.buf, s.next)
			s.buf = append(s.buf, `","action":"delivered","runId":"run_1","message":"Hi Ana","timestamp":`...)
			s.buf = strconv.AppendInt(s.buf, int64(1700000000+s.next), 10)
			s.buf = append(s.buf, '}')
		}
		s.next++
	}
	if len(s.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.buf)
	s.buf = s.buf[:copy(s.buf, s.buf[n:])]
	return n, nil
}

// appendPadded appends n in at least 7 digits, as %07d does.
func appendPadded(b []byte, n int) []byte {
	d := strconv.Itoa(n)
	for range 7 - len(d) {
		b = append(b, '0')
	}
	return append(b, d...)
}

func (s *detailStream) Close() error { s.closed.Store(true); return nil }

// detailsClient answers POST /retrieve/campaign with the bodies next gives,
// one per attempt.
func detailsClient(t *testing.T, next func() io.ReadCloser, opts ...chatinc.Option) (*chatinc.Client, *httpmock.MockTransport) {
	c, mock := newTestClient(t, opts...)
	mock.RegisterResponder(http.MethodPost, apiURL("/retrieve/campaign"), func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: next()}, nil
	})
	return c, mock
}

// liveHeap is the heap in use by live objects, after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestCampaignDetailsConstantMemory ranges over a generated answer and
// checks, at ten points, that the live heap has not grown by more than 16
// MiB (the rows held would take 30 MiB). 100,000 rows by default;
// CHATINC_SCALE_TESTS=1 runs the full 1M rows (93 MiB of JSON).
func TestCampaignDetailsConstantMemory(t *testing.T) {
	rows := 100_000
	if os.Getenv("CHATINC_SCALE_TESTS") != "" {
		rows = 1_000_000
	}
	c, _ := detailsClient(t, func() io.ReadCloser { return newDetailStream(rows) })
	base := liveHeap()
	var peak uint64
	n := 0
	for d, err := range c.CampaignDetails(context.Background(), "cmp") {
		require.NoError(t, err)
		if n%(rows/10) == 0 {
			require.Equal(t, fmt.Sprintf("+1555%07d", n), d.Number)
			require.Equal(t, "delivered", d.Action)
			require.Equal(t, map[string]string{"runId": "run_1", "message": "Hi Ana", "timestamp": fmt.Sprint(1700000000 + n)}, d.Columns)
			if h := liveHeap(); h > base {
				peak = max(peak, h-base)
			}
		}
		n++
	}
	assert.Equal(t, rows, n)
	t.Logf("%d rows: live heap grew at most %.2f MiB", rows, float64(peak)/(1<<20))
	assert.Less(t, peak, uint64(16<<20), "the live heap grows with the rows")
}

// TestCampaignDetailsBreakClosesTheResponse stops after 1,000 rows of an
// answer too long to read (10^9 rows): the call returns, and the body is
// closed.
func TestCampaignDetailsBreakClosesTheResponse(t *testing.T) {
	body := newDetailStream(1_000_000_000)
	c, mock := detailsClient(t, func() io.ReadCloser { return body })
	n := 0
	for _, err := range c.CampaignDetails(context.Background(), "cmp") {
		require.NoError(t, err)
		if n++; n == 1000 {
			break
		}
	}
	assert.Equal(t, 1000, n)
	assert.True(t, body.closed.Load(), "the response body is closed")
	assert.Equal(t, 1, calls(mock, "POST", "/retrieve/campaign"))
}

// TestCampaignDetailsRetry checks the retry rule of the iterator: an answer
// cut off before its first row is retried like any read; one cut off after
// rows were yielded ends the sequence with the error, and is not retried.
func TestCampaignDetailsRetry(t *testing.T) {
	t.Run("cut before the first row", func(t *testing.T) {
		attempt := 0
		c, mock := detailsClient(t, func() io.ReadCloser {
			attempt++
			s := newDetailStream(5)
			if attempt == 1 {
				s.cut = true // "[" and then a reset
			}
			return s
		})
		n := 0
		for _, err := range c.CampaignDetails(context.Background(), "cmp") {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 5, n)
		assert.Equal(t, 2, calls(mock, "POST", "/retrieve/campaign"))
	})
	t.Run("cut after rows were yielded", func(t *testing.T) {
		c, mock := detailsClient(t, func() io.ReadCloser {
			s := newDetailStream(5000)
			s.cut, s.cutAt = true, 3000
			return s
		})
		n, errs := 0, 0
		var last error
		for d, err := range c.CampaignDetails(context.Background(), "cmp") {
			if err != nil {
				errs++
				last = err
				assert.Zero(t, d.Number, "an error comes with a zero row")
				continue
			}
			require.Zero(t, errs, "a row after the error")
			n++
		}
		assert.Equal(t, 1, errs, "the error is the last pair")
		assert.ErrorContains(t, last, "connection reset by peer")
		assert.Equal(t, 3000, n, "every row before the cut")
		assert.Equal(t, 1, calls(mock, "POST", "/retrieve/campaign"), "not retried after rows were yielded")
	})
}

// TestCampaignDetailsErrors checks that every failure is the one last pair.
func TestCampaignDetailsErrors(t *testing.T) {
	collect := func(seq func(func(chatinc.CampaignDetail, error) bool)) (rows int, errs []error) {
		for _, err := range seq {
			if err != nil {
				errs = append(errs, err)
			} else {
				rows++
			}
		}
		return rows, errs
	}
	t.Run("empty ID", func(t *testing.T) {
		c, mock := newTestClient(t)
		rows, errs := collect(c.CampaignDetails(context.Background(), ""))
		require.Len(t, errs, 1)
		var ve *chatinc.ValidationError
		assert.ErrorAs(t, errs[0], &ve)
		assert.Zero(t, rows)
		assert.Zero(t, mock.GetTotalCallCount(), "nothing is sent")
	})
	for _, tt := range []struct {
		name   string
		status int
		body   string
		check  func(*testing.T, error)
	}{
		{"404", 404, `{"status":"error","message":"Campaign not found"}`, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, chatinc.ErrNotFound)
		}},
		{"error envelope in a 200", 200, `[{"status":"error","message":"Invalid campaign"}]`, func(t *testing.T, err error) {
			var ae *chatinc.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "Invalid campaign", ae.Message)
		}},
		{"not JSON", 200, `<html>oops</html>`, func(t *testing.T, err error) {
			var de *chatinc.DecodeError
			assert.ErrorAs(t, err, &de)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := answering(t, "POST", "/retrieve/campaign", tt.status, tt.body)
			rows, errs := collect(c.CampaignDetails(context.Background(), "cmp"))
			assert.Zero(t, rows)
			require.Len(t, errs, 1)
			tt.check(t, errs[0])
		})
	}
}

// TestCampaignDetailsNotCapped checks that WithMaxResponseBytes does not
// apply to the iterator's answer as a whole (only to each row), but does
// to RetrieveCampaignDetails, which holds every row.
func TestCampaignDetailsNotCapped(t *testing.T) {
	c, _ := detailsClient(t, func() io.ReadCloser { return newDetailStream(1000) }, chatinc.WithMaxResponseBytes(1<<10))
	n := 0
	for _, err := range c.CampaignDetails(context.Background(), "cmp") {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1000, n)
	// RetrieveCampaignDetails holds every row: the cap applies to it.
	all, err := c.RetrieveCampaignDetails(context.Background(), "cmp")
	require.ErrorIs(t, err, chatinc.ErrResponseTooLarge)
	assert.Nil(t, all)
}

// TestRetrieveCampaignDetailsCollects checks the collected rows of an
// answer long enough to span many chunks: all of them, in order, in a
// slice of exactly their number (no room to spare held for the caller).
func TestRetrieveCampaignDetailsCollects(t *testing.T) {
	const rows = 150_000
	c, _ := detailsClient(t, func() io.ReadCloser { return newDetailStream(rows) })
	all, err := c.RetrieveCampaignDetails(context.Background(), "cmp")
	require.NoError(t, err)
	require.Len(t, all, rows)
	assert.Equal(t, rows, cap(all), "the slice's capacity")
	for i, d := range all {
		if d.Number != fmt.Sprintf("+1555%07d", i) || d.Columns["timestamp"] != strconv.Itoa(1700000000+i) {
			t.Fatalf("row %d: %+v", i, d)
		}
	}
	// No rows: an empty slice, not nil.
	c, _ = detailsClient(t, func() io.ReadCloser { return newDetailStream(0) })
	all, err = c.RetrieveCampaignDetails(context.Background(), "cmp")
	require.NoError(t, err)
	assert.NotNil(t, all)
	assert.Empty(t, all)
}

// TestListAnswerMemoryBounded sends 4 MiB of [{},{},...] (1.4 million
// empty objects) under a 4 MiB cap to each list call, and checks that
// what the call allocates stays within a small multiple of the cap, not
// hundreds of MiB, and that the answer is refused as too large. (The heap
// in use is sampled, so a short peak may be missed; before the item limit
// it grew by 850 MiB.)
func TestListAnswerMemoryBounded(t *testing.T) {
	const limit = 4 << 20
	body := "[" + strings.Repeat("{},", limit/3-1) + "{}]"
	require.LessOrEqual(t, len(body), limit)
	for _, name := range []string{"RetrieveCampaigns", "RetrieveAudiences", "RetrieveAudienceContacts", "RetrieveVariableGroups"} {
		call := everyCall()[name]
		t.Run(name, func(t *testing.T) {
			c, mock := newTestClient(t, chatinc.WithMaxResponseBytes(limit))
			mock.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
				return newResponse(200, "application/json", body), nil
			})
			var err error
			use := measure(func() { err = call(context.Background(), c) })
			t.Logf("%s: %v; %v", name, use, err)
			assert.ErrorIs(t, err, chatinc.ErrResponseTooLarge)
			assert.Less(t, use.PeakHeap, uint64(8*limit), "the heap grew by more than 8 times the cap")
		})
	}
}

// TestListUnderTheItemLimit checks that a real answer is far from the item
// limit: 20,000 audiences in a 4 MiB cap decode.
func TestListUnderTheItemLimit(t *testing.T) {
	items := make([]string, 20_000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":"a%d","name":"Audience %d"}`, i, i)
	}
	c, _ := answering(t, "GET", "/retrieve/audiences", 200, "["+strings.Join(items, ",")+"]", chatinc.WithMaxResponseBytes(4<<20))
	got, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)
	assert.Len(t, got, 20_000)
}

// oldRow is Row as it was encoded before bodies were written by hand:
// json.Marshal of each string, fields in name order.
type oldRow chatinc.Row

func (r oldRow) MarshalJSON() ([]byte, error) {
	keys := make([]string, 0, len(r.Values))
	for k := range r.Values {
		if k != "number" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	enc := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var b strings.Builder
	b.WriteString(`{"number":` + enc(r.Number))
	for _, k := range keys {
		b.WriteString("," + enc(k) + ":" + enc(r.Values[k]))
	}
	b.WriteString("}")
	return []byte(b.String()), nil
}

// TestBodiesAreWhatJSONMarshalWrites checks that the bodies written straight
// into one buffer (rows, contacts) are, byte for byte, what json.Marshal
// writes, for strings that need escaping of the kinds validation lets
// through (FuzzAppendString, in internal/wire, checks every string).
func TestBodiesAreWhatJSONMarshalWrites(t *testing.T) {
	tricky := []string{"Ana", "", `quo"te\back`, "<b>&amp;</b>", "line\u2028para\u2029", "émoji 👋", "number", "\u00e9\u0301"}
	var body []byte
	c, mock := newTestClient(t)
	mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		body, _ = io.ReadAll(r.Body)
		return newResponse(200, "application/json", `{"status":"success"}`), nil
	})
	ctx := context.Background()

	rows := make([]chatinc.Row, 0, len(tricky))
	old := make([]oldRow, 0, len(tricky))
	for i, s := range tricky {
		r := chatinc.Row{Number: fmt.Sprintf("+1555000%04d", i), Values: map[string]string{"first_name": s, "last_name": "x" + s}}
		rows = append(rows, r)
		old = append(old, oldRow(r))
	}
	for _, desc := range []string{"", "<desc>"} {
		p := chatinc.VariableGroupParams{ID: "g\u2028", Name: "users&", Description: desc, Fields: []string{"first_name", "last_name"}, Values: rows}
		_, err := c.CreateVariableGroup(ctx, p)
		require.NoError(t, err)
		want, err := json.Marshal(struct {
			ID          string   `json:"id"`
			Name        string   `json:"name"`
			Description string   `json:"description,omitempty"`
			Fields      []string `json:"fields"`
			Values      []oldRow `json:"values,omitempty"`
		}{p.ID, p.Name, p.Description, p.Fields, old})
		require.NoError(t, err)
		assert.Equal(t, string(want), string(body), "CreateVariableGroup")
		// Row.MarshalJSON, through encoding/json, writes the same too.
		viaRow, err := json.Marshal(p)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(viaRow), "json.Marshal(VariableGroupParams)")
	}

	contacts := []chatinc.Contact{{Number: "+15550000001"}, {Number: "+1 (555) 000-0002"}}
	for _, p := range []chatinc.AudienceParams{
		{ID: "a<1>", Name: "VIP & co"},
		{ID: "a", Name: "A", Description: "d\"\u2029", Contacts: contacts},
	} {
		_, err := c.CreateAudience(ctx, p)
		require.NoError(t, err)
		want, err := json.Marshal(p)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(body), "CreateAudience")
	}
	_, err := c.AddContactsToAudience(ctx, "a&b", contacts)
	require.NoError(t, err)
	want, err := json.Marshal(struct {
		ID       string            `json:"id"`
		Contacts []chatinc.Contact `json:"contacts"`
	}{"a&b", contacts})
	require.NoError(t, err)
	assert.Equal(t, string(want), string(body), "AddContactsToAudience")
}

// drainTransport answers every request with {"status":"success"} after
// reading its body to the end, allocating nothing per byte read.
type drainTransport struct{}

func (drainTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return nil, err
		}
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"status":"success"}`)), ContentLength: 20, Request: r}, nil
}

// TestLargeBodiesAllocateNothingPerRow checks that the calls that carry a
// row per contact allocate as much for 10,000 rows as for 10: checking and
// encoding a row allocates nothing (a field's name, e.g.
// contacts[3].number, is made only for its error). The slack is for the
// pieces of a variable group's body (wire.Chunks: 3 for 10,000 rows) and
// for the race detector, under which sync.Pool drops items at random; a
// row that allocated would add 10,000.
func TestLargeBodiesAllocateNothingPerRow(t *testing.T) {
	c := newClientOf(t, testKey, testBaseURL, chatinc.WithHTTPClient(&http.Client{Transport: drainTransport{}}))
	ctx := context.Background()
	contacts := func(n int) []chatinc.Contact {
		cs := make([]chatinc.Contact, n)
		for i := range cs {
			cs[i].Number = fmt.Sprintf("+1555%07d", i)
		}
		return cs
	}
	rows := func(n int) []chatinc.Row {
		rs := make([]chatinc.Row, n)
		for i := range rs {
			rs[i] = chatinc.Row{Number: fmt.Sprintf("+1 555 %07d", i),
				Values: map[string]string{"first_name": "Name" + strconv.Itoa(i), "last_name": "Doe", "city": "Cape Town"}}
		}
		return rs
	}
	calls := map[string]func(n int) func() error{
		"AddContactsToAudience": func(n int) func() error {
			cs := contacts(n)
			return func() error { _, err := c.AddContactsToAudience(ctx, "a", cs); return err }
		},
		"CreateAudience": func(n int) func() error {
			p := chatinc.AudienceParams{ID: "a", Name: "A", Contacts: contacts(n)}
			return func() error { _, err := c.CreateAudience(ctx, p); return err }
		},
		"CreateVariableGroup": func(n int) func() error {
			p := chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: []string{"first_name", "last_name", "city"}, Values: rows(n)}
			return func() error { _, err := c.CreateVariableGroup(ctx, p); return err }
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			allocs := func(n int) float64 {
				f := call(n)
				require.NoError(t, f())
				return testing.AllocsPerRun(20, func() { _ = f() })
			}
			few, many := allocs(10), allocs(10_000)
			t.Logf("%s: %.0f allocs for 10 rows, %.0f for 10,000", name, few, many)
			assert.LessOrEqual(t, many, few+10, "allocations grow with the rows")
		})
	}
}

// bodySizeTransport is drainTransport that keeps the Content-Length of the
// last request it read.
type bodySizeTransport struct{ size atomic.Int64 }

func (t *bodySizeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.size.Store(r.ContentLength)
	return drainTransport{}.RoundTrip(r)
}

// TestLargeBodiesAllocateTheirSize checks that a call carrying a row per
// contact allocates its body once, at about its size: contacts are measured
// before they are written, a variable group's rows are written into pieces
// that are never copied to grow. A buffer sized by a guess and grown as the
// rows came (a doubling when the guess fell short) allocated 1.25× the body
// for plain contacts and 4.2× it for rows that get longer, as a list sorted
// by name or by date does. The server's side is not counted (the
// transport reads the body into nothing); the slack is the call's own
// allocations, which do not grow with the body.
func TestLargeBodiesAllocateTheirSize(t *testing.T) {
	tr := &bodySizeTransport{}
	c := newClientOf(t, testKey, testBaseURL, chatinc.WithHTTPClient(&http.Client{Transport: tr}))
	ctx := context.Background()
	const n = 20_000
	contacts := make([]chatinc.Contact, n)
	formatted := make([]chatinc.Contact, n)
	plain := make([]chatinc.Row, n)
	growing := make([]chatinc.Row, n)
	for i := range n {
		contacts[i].Number = fmt.Sprintf("+1555%07d", i)
		formatted[i].Number = fmt.Sprintf("+1 (555) %03d-%04d", i/10000, i%10000)
		plain[i] = chatinc.Row{Number: contacts[i].Number,
			Values: map[string]string{"first_name": "Name" + strconv.Itoa(i), "last_name": "Doe", "city": "Cape Town"}}
		// The first rows short, the last ones long, some escaped.
		growing[i] = chatinc.Row{Number: contacts[i].Number,
			Values: map[string]string{"first_name": strings.Repeat("é<", i/1000), "city": strings.Repeat("Z", i/500)}}
	}
	fields := []string{"first_name", "last_name", "city"}
	calls := map[string]func() error{
		"AddContactsToAudience": func() error { _, err := c.AddContactsToAudience(ctx, "a", contacts); return err },
		"AddContactsToAudience/formatted": func() error {
			_, err := c.AddContactsToAudience(ctx, "a", formatted)
			return err
		},
		"CreateAudience": func() error {
			_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "a", Name: "A", Description: "d", Contacts: contacts})
			return err
		},
		"CreateVariableGroup": func() error {
			_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: fields, Values: plain})
			return err
		},
		"CreateVariableGroup/growing": func() error {
			_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: fields, Values: growing})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, call())
			size := tr.size.Load()
			// The fewest bytes of three calls: another test's goroutine
			// may allocate while one runs.
			least := uint64(math.MaxUint64)
			for range 3 {
				least = min(least, memtest.Measure(time.Hour, func() { _ = call() }).Alloc)
			}
			t.Logf("%s: body %d bytes, call allocated %d (%.2f×)", name, size, least, float64(least)/float64(size))
			assert.LessOrEqual(t, least, uint64(size)*11/10+32<<10, "allocated more than the body's size once")
		})
	}
}

// TestLargeGroupSentWhole checks that a variable group whose body is
// written in pieces (more than 8 KiB: wire.Chunks) reaches the server as
// json.Marshal writes it, over HTTP/1.1 and HTTP/2, on the first attempt
// and on the retry after a 503 alike.
func TestLargeGroupSentWhole(t *testing.T) {
	tricky := []string{"Ana", "", `quo"te\back`, "<b>&amp;</b>", "line\u2028para", "émoji 👋", "\u00e9\u0301"}
	rows := make([]chatinc.Row, 20_000)
	for i := range rows {
		rows[i] = chatinc.Row{Number: fmt.Sprintf("+1555%07d", i),
			Values: map[string]string{"first_name": tricky[i%len(tricky)] + strconv.Itoa(i), "city": strings.Repeat("x", i%300)}}
	}
	p := chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: []string{"first_name", "city"}, Values: rows}
	want, err := json.Marshal(p)
	require.NoError(t, err)
	for _, pr := range []proto{h1, h2TLS} {
		t.Run(protoNames[pr], func(t *testing.T) {
			fs := newFaultServerOver(t, once(answer(503, "0", `{"status":"error","message":"busy"}`)), pr)
			c := newClientOf(t, testKey, fs.URL+"/v1", chatinc.WithRetryWait(time.Millisecond, 2*time.Millisecond))
			_, err := c.CreateVariableGroup(context.Background(), p)
			require.NoError(t, err)
			require.Zero(t, fs.wrongProto.Load(), "requests over another protocol")
			fs.mu.Lock()
			defer fs.mu.Unlock()
			require.Equal(t, 2, len(fs.bodies), "the 503, then the retry")
			for i, body := range fs.bodies {
				assert.Equal(t, len(want), len(body), "attempt %d: length", i+1)
				assert.True(t, bytes.Equal(want, body), "attempt %d sends what json.Marshal writes", i+1)
			}
		})
	}
}
