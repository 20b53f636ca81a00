package chatinc_test

import (
	"context"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/internal/memtest"
)

// This file proves that uploads and CSV exports stream: 200 MB pass through
// the SDK while it allocates a few MiB in all. Its benchmarks measure the
// same paths at a smaller size (scripts/bench.sh runs them).

const (
	streamSize  = 200 << 20 // the memory tests' file and export
	streamLimit = 16 << 20  // what they may allocate in all, both ends included
	benchSize   = 10 << 20  // the benchmarks' file and export
	benchRows   = 30_000    // the benchmarks' variable group and results
)

// csvBlock is 1 MiB of contact rows; csvStream repeats it.
var csvBlock = func() []byte {
	var b strings.Builder
	b.WriteString("number,first_name,last_name,city\n")
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "+1555%07d,Name%d,Surname%d,City %d\n", i%10_000_000, i, i%977, i%101)
	}
	return []byte(b.String()[:1<<20])
}()

// writeCSVStream writes size bytes of CSV rows to w and returns their
// CRC-32.
func writeCSVStream(w io.Writer, size int64) (uint32, error) {
	h := crc32.NewIEEE()
	w = io.MultiWriter(w, h)
	for size > 0 {
		n := min(size, int64(len(csvBlock)))
		if _, err := w.Write(csvBlock[:n]); err != nil {
			return 0, err
		}
		size -= n
	}
	return h.Sum32(), nil
}

// writeCSVFile writes a CSV file of size bytes and returns its path and
// CRC-32.
func writeCSVFile(tb testing.TB, size int64) (string, uint32) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "contacts.csv")
	f, err := os.Create(path)
	require.NoError(tb, err)
	sum, err := writeCSVStream(f, size)
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
	return path, sum
}

// counter is an io.Writer that counts and checksums what it is given and
// keeps none of it.
type counter struct {
	n int64
	h hash.Hash32
}

func newCounter() *counter { return &counter{h: crc32.NewIEEE()} }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// localClient returns a client of a local server running handler, with
// retries off so that one failure does not send 200 MB again.
func localClient(tb testing.TB, handler http.HandlerFunc) *chatinc.Client {
	tb.Helper()
	srv := httptest.NewServer(handler)
	tb.Cleanup(srv.Close)
	c, err := chatinc.NewClient(testKey, chatinc.WithBaseURL(srv.URL+"/v1"), chatinc.WithRetryMax(0))
	require.NoError(tb, err)
	return c
}

// measure runs f and returns what it cost in memory, the heap sampled
// every 5 ms.
func measure(f func()) memtest.Use { return memtest.Measure(5*time.Millisecond, f) }

// TestUpload200MBStreams uploads a 200 MB CSV file to a server that reads
// the multipart stream part by part, counting the file's bytes, and checks
// that the whole exchange, client and server, allocated a small fraction
// of the file.
func TestUpload200MBStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB upload: skipped with -short")
	}
	path, wantSum := writeCSVFile(t, streamSize)

	type seen struct {
		n      int64
		sum    uint32
		fields map[string]string
		err    error
	}
	seenc := make(chan seen, 1)
	c := localClient(t, func(w http.ResponseWriter, r *http.Request) {
		got := seen{fields: map[string]string{}}
		mr, err := r.MultipartReader()
		for err == nil {
			var p *multipart.Part
			if p, err = mr.NextPart(); err != nil {
				break
			}
			if p.FormName() == "file" {
				h := newCounter()
				_, err = io.Copy(h, p)
				got.n, got.sum = h.n, h.h.Sum32()
				continue
			}
			var b strings.Builder
			_, err = io.Copy(&b, io.LimitReader(p, 1<<10))
			got.fields[p.FormName()] = b.String()
		}
		if err != io.EOF {
			got.err = err
		}
		seenc <- got
		_, _ = io.WriteString(w, `{"status":"success","id":"big"}`)
	})

	var (
		res *chatinc.Result
		err error
	)
	use := measure(func() {
		res, err = c.CreateAudienceFromFile(context.Background(),
			chatinc.AudienceFileParams{ID: "big", Name: "Big", File: chatinc.FileFromPath(path)})
	})
	require.NoError(t, err)
	got := <-seenc
	require.NoError(t, got.err)
	assert.Equal(t, "big", res.ID)
	assert.Equal(t, map[string]string{"id": "big", "name": "Big"}, got.fields)
	assert.EqualValues(t, streamSize, got.n, "every byte of the file arrived")
	assert.Equal(t, wantSum, got.sum, "and the same bytes")
	t.Logf("upload of %d MiB: %v", streamSize>>20, use)
	assert.Less(t, use.Alloc, uint64(streamLimit), "the upload streams")
}

// TestCSVExport200MBStreams streams a 200 MB CSV export to a writer that
// keeps nothing and checks the bytes and the memory the transfer took.
func TestCSVExport200MBStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB export: skipped with -short")
	}
	type sent struct {
		sum uint32
		err error
	}
	sentc := make(chan sent, 1)
	c := localClient(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", fmt.Sprint(streamSize))
		sum, err := writeCSVStream(w, streamSize)
		sentc <- sent{sum, err}
	})

	out := newCounter()
	var (
		n   int64
		err error
	)
	use := measure(func() { n, err = c.RetrieveCampaignDetailsCSV(context.Background(), "cmp", out) })
	require.NoError(t, err)
	srv := <-sentc
	require.NoError(t, srv.err)
	assert.EqualValues(t, streamSize, n, "bytes returned")
	assert.EqualValues(t, streamSize, out.n, "bytes written")
	assert.Equal(t, srv.sum, out.h.Sum32(), "the same bytes")
	t.Logf("CSV export of %d MiB: %v", streamSize>>20, use)
	assert.Less(t, use.Alloc, uint64(streamLimit), "the export streams")
}

// benchCall runs call b.N times against a local server running handler,
// counting size bytes moved by each.
func benchCall(b *testing.B, size int, handler http.HandlerFunc, call apiCall) {
	c := localClient(b, handler)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := call(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
}

// discard reads a request's body and answers success.
func discard(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, okAnswer)
}

func BenchmarkCreateAudienceFromFile(b *testing.B) {
	path, _ := writeCSVFile(b, benchSize)
	benchCall(b, benchSize, discard,
		audienceFromFile(chatinc.AudienceFileParams{ID: "a", Name: "A", File: chatinc.FileFromPath(path)}))
}

func BenchmarkRetrieveCampaignDetailsCSV(b *testing.B) {
	benchCall(b, benchSize, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = writeCSVStream(w, benchSize)
	}, csvExport("cmp", io.Discard))
}

func BenchmarkCreateVariableGroup30k(b *testing.B) {
	p := chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: []string{"first_name", "last_name"},
		Values: make([]chatinc.Row, benchRows)}
	for i := range p.Values {
		p.Values[i] = chatinc.Row{Number: fmt.Sprintf("+1555%07d", i),
			Values: map[string]string{"first_name": fmt.Sprint("Name", i), "last_name": "Doe"}}
	}
	benchCall(b, len(mustJSON(b, p)), discard, createGroup(p))
}

func BenchmarkRetrieveCampaignDetails(b *testing.B) {
	rows := make([]map[string]any, benchRows)
	for i := range rows {
		rows[i] = map[string]any{"number": fmt.Sprintf("+1555%07d", i), "action": "delivered",
			"runId": "run_1", "timestamp": 1700000000 + i}
	}
	body := mustJSON(b, rows)
	benchCall(b, len(body), func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}, func(ctx context.Context, c *chatinc.Client) error {
		got, err := c.RetrieveCampaignDetails(ctx, "cmp")
		if err == nil && len(got) != benchRows {
			err = fmt.Errorf("%d rows, want %d", len(got), benchRows)
		}
		return err
	})
}
