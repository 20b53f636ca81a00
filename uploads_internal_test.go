package chatinc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// uploadServer starts a server, over TLS with HTTP/2 when h2 is set (over
// plain HTTP/1.1 otherwise), that answers each request with handle, and a
// client of it on the SDK's own transport.
func uploadServer(t *testing.T, h2 bool, handle http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewUnstartedServer(handle)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut short by Close are expected
	var hc *http.Client
	if h2 {
		srv.EnableHTTP2 = true
		srv.StartTLS()
		hc = sdkTransportTrusting(t, srv)
	} else {
		srv.Start()
		hc = defaultHTTPClient()
		t.Cleanup(hc.CloseIdleConnections)
	}
	t.Cleanup(srv.Close)
	c, err := NewClient("sk_test_uploads_0123456789", WithBaseURL(srv.URL+"/v1"), WithHTTPClient(hc),
		WithRetryWait(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// protocols runs f over HTTP/1.1 and over HTTP/2.
func protocols(t *testing.T, f func(t *testing.T, h2 bool)) {
	t.Run("HTTP/1.1", func(t *testing.T) { f(t, false) })
	t.Run("HTTP/2", func(t *testing.T) { f(t, true) })
}

// openFDsOf counts this process's file descriptors open on path.
func openFDsOf(t *testing.T, path string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	n := 0
	for _, e := range entries {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && target == path {
			n++
		}
	}
	return n
}

// TestLazyBodyCloseBeforeRead checks that a body closed before its first
// Read never opens the file, and that Close and Read may race (the HTTP/2
// transport closes a request body from another goroutine).
func TestLazyBodyCloseBeforeRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(path, []byte("number\n+15550000001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := newMultipartBody(nil, "file", FileFromPath(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := m.open()
	if err := body.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := body.Read(make([]byte, 10)); err == nil {
		t.Fatal("Read after Close succeeded")
	}
	if n := openFDsOf(t, path); n != 0 {
		t.Fatalf("%d descriptors open on the file after Close then Read", n)
	}

	for range 50 {
		body := m.open()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = io.Copy(io.Discard, body)
		}()
		go func() {
			defer wg.Done()
			_ = body.Close()
		}()
		wg.Wait()
		_ = body.Close()
	}
	if n := openFDsOf(t, path); n != 0 {
		t.Fatalf("%d descriptors left open on the file by racing Read and Close", n)
	}
}

// TestUploadsLeakNoFile sends uploads to a server that answers at once,
// without reading them, 503 with Retry-After: 0 so that each is retried:
// the transport closes request bodies it has not (fully) read, over HTTP/2
// from another goroutine than the one reading them. No descriptor of the
// file may stay open, and under -race Read and Close must not race.
func TestUploadsLeakNoFile(t *testing.T) {
	protocols(t, func(t *testing.T, h2 bool) {
		path := filepath.Join(t.TempDir(), "rows.csv")
		rows := "number\n" + strings.Repeat("+15550000001\n", 64<<10)
		if err := os.WriteFile(path, []byte(rows), 0o600); err != nil {
			t.Fatal(err)
		}
		c := uploadServer(t, h2, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"status":"error","message":"busy"}`)
		})
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = c.CreateAudienceFromFile(context.Background(), AudienceFileParams{ID: "a", Name: "A", File: FileFromPath(path)})
			}()
		}
		wg.Wait()
		deadline := time.Now().Add(5 * time.Second)
		for openFDsOf(t, path) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // the transport closes bodies after the call returns
		}
		if n := openFDsOf(t, path); n != 0 {
			t.Fatalf("%d of 50 uploads left the file open", n)
		}
	})
}

// stalledServer reads request bodies until the client gives up.
func stalledServer(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
}

// pumps counts the goroutines reading a caller's reader for an upload.
func pumps() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "(*pumpReader).pump(")
}

// uploadReturnsWithContext uploads file, whose reader stalls, and checks that the
// call returns with ctx's deadline (well within 5 s of it).
func uploadReturnsWithContext(t *testing.T, ctx context.Context, c *Client, file File) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := c.CreateAudienceFromFile(ctx, AudienceFileParams{ID: "a", Name: "A", File: file})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the upload had not returned 5 s after its 200 ms deadline")
	}
}

// TestStalledReaderUploadEndsWithContext checks that an upload from a
// reader that never yields (a pipe, stdin) returns when its context ends.
func TestStalledReaderUploadEndsWithContext(t *testing.T) {
	protocols(t, func(t *testing.T, h2 bool) {
		pw := stalledPipeUpload(t, h2, func(r *io.PipeReader) io.Reader { return r })

		// The Read under way ends when the reader does; then nothing of
		// the SDK's is left reading it.
		_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		deadline := time.Now().Add(5 * time.Second)
		for pumps() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := pumps(); n > 0 {
			t.Fatalf("%d goroutines still read the reader after it ended", n)
		}
	})
}

// TestStalledPipeNotReadAfterReturn checks that an upload from an OS pipe
// (a reader with SetReadDeadline) is interrupted when its context ends, so
// that nothing reads the pipe once the call has returned, with progress
// reported or not.
func TestStalledPipeNotReadAfterReturn(t *testing.T) {
	for _, progress := range []bool{false, true} {
		t.Run(fmt.Sprint("progress=", progress), func(t *testing.T) { stalledPipe(t, progress) })
	}
}

func stalledPipe(t *testing.T, progress bool) {
	protocols(t, func(t *testing.T, h2 bool) {
		c := uploadServer(t, h2, stalledServer)
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		defer pw.Close()
		if _, err := io.WriteString(pw, "number\n"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		file := FileFromReader("rows.csv", pr)
		if progress {
			file = file.WithProgress(func(sent, total int64) {})
		}
		uploadReturnsWithContext(t, ctx, c, file)
		// What is written now stays in the pipe for its owner.
		const later = "+15550000001\n"
		if _, err := io.WriteString(pw, later); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // room for a stray reader to take it
		if err := pr.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		n, err := pr.Read(buf)
		if err != nil || string(buf[:n]) != later {
			t.Fatalf("read back %q, %v; want %q: the SDK read the pipe after the call returned", buf[:n], err, later)
		}
	})
}

// TestFileChangedWhileSent checks the checks at the end of a path's
// upload: a file that grows, shrinks or is written to after the attempt
// opened it fails the read before the multipart tail would go out.
func TestFileChangedWhileSent(t *testing.T) {
	const rows = "number\n+15550000001\n+15550000002\n"
	for name, change := range map[string]func(path string) error{
		"grows": func(path string) error {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			_, err = f.WriteString("+15550000003\n")
			return errors.Join(err, f.Close())
		},
		"shrinks": func(path string) error { return os.Truncate(path, 10) },
		"written to": func(path string) error {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			_, err = f.WriteAt([]byte("9"), int64(len(rows)-2))
			return errors.Join(err, f.Close())
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rows.csv")
			if err := os.WriteFile(path, []byte(rows), 0o600); err != nil {
				t.Fatal(err)
			}
			src, err := FileFromPath(path).prepare("file", nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := src.open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := io.ReadFull(r, make([]byte, 8)); err != nil {
				t.Fatal(err)
			}
			if err := change(path); err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(r)
			if !errors.Is(err, ErrFileChanged) {
				t.Fatalf("reading the rest: %v, want ErrFileChanged", err)
			}
		})
	}
}

// fakeDeadline stalls like a pipe, and claims to take read deadlines
// without honouring them.
type fakeDeadline struct{ *io.PipeReader }

func (fakeDeadline) SetReadDeadline(time.Time) error { return nil }

// TestStalledReaderWithFakeDeadline checks that a reader whose
// SetReadDeadline does nothing cannot hang the call: it returns with its
// context, having waited a bounded time for the Read under way.
func TestStalledReaderWithFakeDeadline(t *testing.T) {
	protocols(t, func(t *testing.T, h2 bool) {
		stalledPipeUpload(t, h2, func(r *io.PipeReader) io.Reader { return fakeDeadline{r} })
	})
}

// stalledPipeUpload uploads, to a server that waits for the whole body,
// from a pipe that never yields (seen through wrap), and checks that the
// call returns when its 200 ms context ends. It returns the pipe's writer,
// closed when the test ends.
func stalledPipeUpload(t *testing.T, h2 bool, wrap func(*io.PipeReader) io.Reader) *io.PipeWriter {
	t.Helper()
	c := uploadServer(t, h2, stalledServer)
	pr, pw := io.Pipe()
	t.Cleanup(func() { _ = pw.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	uploadReturnsWithContext(t, ctx, c, FileFromReader("rows.csv", wrap(pr)))
	return pw
}

// TestUploadUnreadableFile checks that a file that exists but cannot be
// read (its opening fails with fs.ErrPermission, injected, as a mode
// cannot deny root) is refused before anything is sent, like a missing
// one, by every from-file call.
func TestUploadUnreadableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(path, []byte("number\n+15550100001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	openFile = func(name string) (*os.File, error) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	t.Cleanup(func() { openFile = os.Open })
	var requests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests++ }))
	t.Cleanup(srv.Close)
	c, err := NewClient("sk_test_unreadable", WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"CreateAudienceFromFile": func() error {
			_, err := c.CreateAudienceFromFile(ctx, AudienceFileParams{ID: "a", Name: "A", File: FileFromPath(path)})
			return err
		},
		"CreateVariableGroupFromFile": func() error {
			_, err := c.CreateVariableGroupFromFile(ctx, VariableGroupFileParams{ID: "g", Name: "G", AudienceID: "a", File: FileFromPath(path)})
			return err
		},
	} {
		err := call()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "file" || !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: %v, want a *ValidationError for file matching fs.ErrPermission", name, err)
		}
	}
	if requests != 0 {
		t.Errorf("%d requests sent", requests)
	}
}
