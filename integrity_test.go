package chatinc_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// beforeSend is a RoundTripper that runs a hook before each request goes
// to the real transport: between the SDK's size probe and the send.
type beforeSend struct {
	hook func()
	next http.RoundTripper
}

func (b beforeSend) RoundTrip(r *http.Request) (*http.Response, error) {
	b.hook()
	return b.next.RoundTrip(r)
}

// uploadSink is a server that counts the uploads it received whole: a
// multipart body that parses to its end, with the file part's content.
type uploadSink struct {
	*httptest.Server
	mu       sync.Mutex
	attempts int
	complete []string // the file part of each complete upload
}

// seen returns how many attempts reached the sink, and the file of each
// complete upload.
func (s *uploadSink) seen() (int, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts, append([]string(nil), s.complete...)
}

func newUploadSink(t *testing.T) *uploadSink {
	t.Helper()
	s := &uploadSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.attempts++
		s.mu.Unlock()
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(r.Body, params["boundary"])
		file := ""
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return // not a complete upload
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return
			}
			if p.FormName() == "file" {
				file = string(b)
			}
		}
		s.mu.Lock()
		s.complete = append(s.complete, file)
		s.mu.Unlock()
		_, _ = io.WriteString(w, `{"status":"success"}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestUploadOfChangedFileFails checks that a file that changes between the
// SDK's size probe and the send is not cut at its old size and accepted:
// the attempt fails with ErrFileChanged, is not retried, and the server
// never receives a complete upload.
func TestUploadOfChangedFileFails(t *testing.T) {
	const rows = "number\n+15550000001\n+15550000002\n"
	for _, tt := range []struct {
		name   string
		change func(path string) error
	}{
		{"grows", func(path string) error {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			_, err = f.WriteString("+15550000003\n")
			return errors.Join(err, f.Close())
		}},
		{"shrinks", func(path string) error { return os.Truncate(path, int64(len(rows)-5)) }},
		{"rewritten at the same size", func(path string) error {
			return os.WriteFile(path, []byte(strings.Replace(rows, "0002", "0009", 1)), 0o600)
		}},
	} {
		for _, from := range []string{"path", "seekable reader"} {
			t.Run(tt.name+"/"+from, func(t *testing.T) {
				path := writeFile(t, "rows.csv", rows)
				sink := newUploadSink(t)
				var once sync.Once
				hc := &http.Client{Transport: beforeSend{next: http.DefaultTransport, hook: func() {
					once.Do(func() { require.NoError(t, tt.change(path)) })
				}}}
				c := newClientOf(t, faultKey, sink.URL+"/v1", chatinc.WithHTTPClient(hc), chatinc.WithRetryWait(1, 1))
				file := chatinc.FileFromPath(path)
				if from != "path" {
					fh, err := os.Open(path)
					require.NoError(t, err)
					defer fh.Close()
					file = chatinc.FileFromReader("rows.csv", fh)
				}
				_, err := c.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{ID: "a", Name: "A", File: file})
				if from != "path" && tt.name == "rewritten at the same size" {
					// A reader cannot tell a rewrite from the original: the
					// new bytes go out whole, never a mix cut at a size.
					require.NoError(t, err)
					_, complete := sink.seen()
					assert.Equal(t, []string{strings.Replace(rows, "0002", "0009", 1)}, complete)
					return
				}
				require.ErrorIs(t, err, chatinc.ErrFileChanged)
				attempts, complete := sink.seen()
				assert.Empty(t, complete, "no complete upload reached the server")
				assert.LessOrEqual(t, attempts, 1, "not retried")
			})
		}
	}
}

// rawServer answers every connection with the bytes of answer (a whole
// HTTP response, as written on the wire), then closes it.
func rawServer(t *testing.T, answer string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				_, _ = io.WriteString(conn, answer)
			}()
		}
	}()
	return "http://" + l.Addr().String() + "/v1"
}

// TestCSVExportCutOff checks that an export cut off is an error, never
// (n, nil): one without length framing (HTTP/1.0, Connection: close) that
// ends mid-row, and one shorter than its Content-Length, whose first read
// already failed.
func TestCSVExportCutOff(t *testing.T) {
	const rows = "number,action\n+15550000001,delivered\n+15550000002,read\n"
	for _, tt := range []struct {
		name    string
		answer  string
		wantErr bool
		want    string
	}{
		{"HTTP/1.0 cut mid-row", "HTTP/1.0 200 OK\r\nContent-Type: text/csv\r\n\r\n" + rows[:30], true, rows[:30]},
		{"Connection: close cut mid-row", "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n" + rows[:40], true, rows[:40]},
		{"unframed and empty", "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nConnection: close\r\n\r\n", true, ""},
		{"unframed and whole", "HTTP/1.0 200 OK\r\nContent-Type: text/csv\r\n\r\n" + rows, false, rows},
		{"shorter than its Content-Length", fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", len(rows)+100) + rows, true, ""},
		{"framed, no final line break", fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", len(rows)-1) + rows[:len(rows)-1], false, rows[:len(rows)-1]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := chatinc.NewClient(faultKey, chatinc.WithBaseURL(rawServer(t, tt.answer)), chatinc.WithRetryMax(0))
			require.NoError(t, err)
			var out bytes.Buffer
			n, err := c.RetrieveCampaignDetailsCSV(context.Background(), "cmp", &out)
			assert.Equal(t, tt.want, out.String())
			assert.Equal(t, int64(out.Len()), n)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		})
	}
}
