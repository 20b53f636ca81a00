package chatinc_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// testCSV is the file the upload tests send.
const testCSV = "number,first_name\n+15550000001,Ana\n+15550000002,\"Bo, Jr.\"\n"

// csvReader returns testCSV as a seekable upload named contacts.csv.
func csvReader() chatinc.File {
	return chatinc.FileFromReader("contacts.csv", strings.NewReader(testCSV))
}

// writeFile writes content to name in a temporary directory and returns its
// path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// pipeOf returns the read end of an OS pipe that yields content: an
// *os.File whose Seek fails.
func pipeOf(t *testing.T, content string) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	go func() {
		_, _ = io.WriteString(w, content)
		_ = w.Close()
	}()
	return r
}

// uploadSource is a File and what its upload must carry.
type uploadSource struct {
	name     string
	file     func(t *testing.T) chatinc.File
	fileName string // the file part's file name
	body     string // the file part's bytes
	sized    bool   // Content-Length is announced (else the body is chunked)
	replay   bool   // a failed upload can be sent again
}

func uploadSources() []uploadSource {
	return []uploadSource{
		{name: "FileFromPath", fileName: "contacts list.csv", body: testCSV, sized: true, replay: true,
			file: func(t *testing.T) chatinc.File {
				return chatinc.FileFromPath(writeFile(t, "contacts list.csv", testCSV))
			}},
		{name: "seekable reader", fileName: "contacts.csv", body: testCSV, sized: true, replay: true,
			file: func(*testing.T) chatinc.File { return csvReader() }},
		{name: "seekable reader, partly read", fileName: "rest.csv", body: testCSV, sized: true, replay: true,
			file: func(t *testing.T) chatinc.File {
				r := bytes.NewReader([]byte("read already\n" + testCSV))
				_, err := r.Seek(int64(len("read already\n")), io.SeekStart)
				require.NoError(t, err)
				return chatinc.FileFromReader("rest.csv", r)
			}},
		{name: "reader with a Len", fileName: "buf.csv", body: testCSV, sized: true,
			file: func(*testing.T) chatinc.File {
				return chatinc.FileFromReader("buf.csv", bytes.NewBufferString(testCSV))
			}},
		{name: "non-seekable reader", fileName: "stream.csv", body: testCSV,
			file: func(*testing.T) chatinc.File {
				return chatinc.FileFromReader("stream.csv", nonSeeker{strings.NewReader(testCSV)})
			}},
		{name: "pipe (an *os.File that cannot seek)", fileName: "stdin.csv", body: testCSV,
			file: func(t *testing.T) chatinc.File { return chatinc.FileFromReader("stdin.csv", pipeOf(t, testCSV)) }},
		{name: "file name with quotes and non-ASCII", fileName: `my "list" é.csv`, body: testCSV, sized: true, replay: true,
			file: func(*testing.T) chatinc.File {
				return chatinc.FileFromReader(`my "list" é.csv`, strings.NewReader(testCSV))
			}},
		{name: "header only", fileName: "header.csv", body: "number\n", sized: true, replay: true,
			file: func(t *testing.T) chatinc.File { return chatinc.FileFromPath(writeFile(t, "header.csv", "number\n")) }},
	}
}

// uploadCalls are the two upload calls, each with a File.
var uploadCalls = []struct {
	name  string
	path  string
	parts int
	call  func(f chatinc.File) apiCall
}{
	{"CreateAudienceFromFile", "/create/audience/from/file", 3, func(f chatinc.File) apiCall {
		return audienceFromFile(chatinc.AudienceFileParams{ID: "a", Name: "A", File: f})
	}},
	{"CreateVariableGroupFromFile", "/create/variable/group/from/file", 4, func(f chatinc.File) apiCall {
		return groupFromFile(chatinc.VariableGroupFileParams{ID: "g", Name: "users", AudienceID: "a", File: f})
	}},
}

// TestUploadSources checks, for each kind of File and both upload calls,
// the file part (name, type, exact bytes) and the Content-Length: exact
// when the size is known, unknown (-1) otherwise.
func TestUploadSources(t *testing.T) {
	for _, uc := range uploadCalls {
		for _, src := range uploadSources() {
			t.Run(uc.name+"/"+src.name, func(t *testing.T) {
				c, mock := newTestClient(t)
				mock.RegisterResponder(http.MethodPost, apiURL(uc.path), respond(t, 200, okAnswer, func(r *http.Request) {
					if src.sized {
						assert.Positive(t, r.ContentLength, "Content-Length announced")
					} else {
						assert.EqualValues(t, -1, r.ContentLength, "size unknown: chunked")
					}
					parts := testMultipart(t, r) // checks an announced length is exact
					assert.Len(t, parts, uc.parts)
					assert.Equal(t, part{FileName: src.fileName, ContentType: "text/csv", Body: src.body}, parts["file"])
				}))
				require.NoError(t, uc.call(src.file(t))(context.Background(), c))
				assert.Equal(t, 1, mock.GetTotalCallCount())
			})
		}
	}
}

// TestUploadFraming checks on a real connection that a sized upload carries
// its Content-Length and an unsized one goes chunked.
func TestUploadFraming(t *testing.T) {
	var (
		mu      sync.Mutex
		length  int64
		te      []string
		gotBody []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		mu.Lock()
		length, te, gotBody = r.ContentLength, r.TransferEncoding, body
		mu.Unlock()
		_, _ = io.WriteString(w, okAnswer)
	}))
	defer srv.Close()
	c, err := chatinc.NewClient(testKey, chatinc.WithBaseURL(srv.URL+"/v1"))
	require.NoError(t, err)
	for _, src := range uploadSources() {
		t.Run(src.name, func(t *testing.T) {
			_, err := c.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{ID: "a", Name: "A", File: src.file(t)})
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.Contains(t, string(gotBody), src.body)
			if src.sized {
				assert.Equal(t, int64(len(gotBody)), length, "exact Content-Length")
				assert.Empty(t, te)
			} else {
				assert.EqualValues(t, -1, length)
				assert.Equal(t, []string{"chunked"}, te)
			}
		})
	}
}

// TestUploadRetrySendsTheSameBytes checks that a retried upload sends the
// file again from where it began, and that one from a reader that cannot
// seek is not retried.
func TestUploadRetrySendsTheSameBytes(t *testing.T) {
	for _, src := range uploadSources() {
		t.Run(src.name, func(t *testing.T) {
			c, mock := newTestClient(t)
			var files []string
			mock.RegisterResponder(http.MethodPost, apiURL("/create/audience/from/file"), func(r *http.Request) (*http.Response, error) {
				files = append(files, testMultipart(t, r)["file"].Body)
				if len(files) == 1 {
					return newResponse(500, "application/json", `{"status":"error","message":"try again"}`), nil
				}
				return newResponse(200, "application/json", okAnswer), nil
			})
			_, err := c.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{ID: "a", Name: "A", File: src.file(t)})
			if !src.replay {
				var apiErr *chatinc.APIError
				require.ErrorAs(t, err, &apiErr, "a reader read once cannot be sent again")
				assert.Equal(t, 500, apiErr.StatusCode)
				assert.Equal(t, []string{src.body}, files)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{src.body, src.body}, files)
		})
	}
}

func TestUploadFileValidation(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.csv")
	var tests []inputCase
	for _, uc := range uploadCalls {
		tests = append(tests,
			inputCase{uc.name + "/no file", "file", nil, uc.call(chatinc.File{})},
			inputCase{uc.name + "/empty path", "file", nil, uc.call(chatinc.FileFromPath(""))},
			inputCase{uc.name + "/missing file", "file", fs.ErrNotExist, uc.call(chatinc.FileFromPath(missing))},
			inputCase{uc.name + "/directory", "file", nil, uc.call(chatinc.FileFromPath(dir))},
			inputCase{uc.name + "/reader without a name", "file", nil, uc.call(chatinc.FileFromReader("", strings.NewReader(testCSV)))},
		)
	}
	testInputs(t, tests)
}

func TestFileName(t *testing.T) {
	assert.Equal(t, "c.csv", chatinc.FileFromPath(filepath.Join("a", "b", "c.csv")).Name())
	assert.Equal(t, "x.csv", chatinc.FileFromReader("x.csv", strings.NewReader("")).Name())
	assert.Empty(t, chatinc.File{}.Name())
}
