package chatinc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// File is a CSV file to upload, from a path or from a reader. Uploads stream:
// the file is never held in memory whole.
type File struct {
	name string
	path string
	r    io.Reader
}

// FileFromPath uploads the file at path, under its base name. The file is
// opened afresh for each attempt, so the upload can be retried. A file that
// cannot be opened fails the call with a *ValidationError (Field "file")
// wrapping the os error, before anything is sent.
func FileFromPath(path string) File {
	return File{name: filepath.Base(path), path: path}
}

// FileFromReader uploads what r holds under the file name name. If r is an
// io.Seeker, each attempt sends it from the offset it had when the call
// began, so the upload can be retried; otherwise (and for a Seeker that
// cannot seek, such as os.Stdin on a pipe) r is read once and the upload is
// never retried.
func FileFromReader(name string, r io.Reader) File {
	return File{name: name, r: r}
}

// Name returns the file name the upload carries.
func (f File) Name() string { return f.name }

// source is a File prepared for one call: how to open it for each attempt,
// and its size (-1 when unknown).
type source struct {
	open       func() (io.ReadCloser, error)
	size       int64
	replayable bool
}

// prepare checks the file and returns how to read it. Errors are
// *ValidationError for field.
func (f File) prepare(field string) (*source, error) {
	switch {
	case f.path != "":
		info, err := os.Stat(f.path)
		if err != nil {
			return nil, &ValidationError{Field: field, Reason: "cannot open the file", Err: err}
		}
		if !info.Mode().IsRegular() {
			return nil, invalid(field, "%s is not a regular file", f.path)
		}
		// Open it once here too (Stat first, so that a FIFO is never
		// opened): a file that exists but cannot be read (permissions) is
		// refused now, before anything is sent, not after the request's
		// headers have gone out on each attempt.
		fh, err := os.Open(f.path)
		if err != nil {
			return nil, &ValidationError{Field: field, Reason: "cannot open the file", Err: err}
		}
		_ = fh.Close()
		size, path := info.Size(), f.path
		return &source{
			size:       size,
			replayable: true,
			open: func() (io.ReadCloser, error) {
				fh, err := os.Open(path)
				if err != nil {
					return nil, err
				}
				// Send exactly the size announced in Content-Length.
				return struct {
					io.Reader
					io.Closer
				}{io.LimitReader(fh, size), fh}, nil
			},
		}, nil
	case f.r != nil:
		if f.name == "" {
			return nil, invalid(field, "a file name is required")
		}
		// A Seeker that cannot even report its offset, such as an *os.File
		// on a pipe or terminal (os.Stdin in "cat rows.csv | prog"), is
		// read like any other reader: once, and never retried.
		if s, ok := f.r.(io.Seeker); ok {
			if start, err := s.Seek(0, io.SeekCurrent); err == nil {
				end, err := s.Seek(0, io.SeekEnd)
				if err == nil {
					_, err = s.Seek(start, io.SeekStart)
				}
				if err != nil {
					return nil, &ValidationError{Field: field, Reason: "cannot seek the reader", Err: err}
				}
				shared := &seekShared{r: f.r, s: s, start: start, size: end - start}
				return &source{size: end - start, replayable: true, open: shared.open}, nil
			}
		}
		size := int64(-1)
		if l, ok := f.r.(interface{ Len() int }); ok {
			size = int64(l.Len())
		}
		r, used := f.r, false
		return &source{
			size: size,
			open: func() (io.ReadCloser, error) {
				if used {
					return nil, errors.New("chatinc: the upload's reader cannot be read twice")
				}
				used = true
				if size >= 0 {
					return io.NopCloser(io.LimitReader(r, size)), nil
				}
				return io.NopCloser(r), nil
			},
		}, nil
	}
	return nil, invalid(field, "required")
}

// seekShared is a caller's seekable reader shared by the attempts of one
// call. The transport may still be reading an attempt's body when the next
// attempt starts, so each open starts a new generation and a reader of an
// older one fails instead of moving the shared offset.
type seekShared struct {
	mu          sync.Mutex
	r           io.Reader
	s           io.Seeker
	start, size int64
	gen         int
}

func (sh *seekShared) open() (io.ReadCloser, error) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, err := sh.s.Seek(sh.start, io.SeekStart); err != nil {
		return nil, err
	}
	sh.gen++
	return &seekAttempt{sh: sh, gen: sh.gen, left: sh.size}, nil
}

// seekAttempt reads one attempt's bytes of a seekShared.
type seekAttempt struct {
	sh   *seekShared
	gen  int
	left int64
}

func (a *seekAttempt) Read(p []byte) (int, error) {
	a.sh.mu.Lock()
	defer a.sh.mu.Unlock()
	if a.gen != a.sh.gen {
		return 0, errors.New("chatinc: upload attempt superseded")
	}
	if a.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > a.left {
		p = p[:a.left]
	}
	n, err := a.sh.r.Read(p)
	a.left -= int64(n)
	if err == io.EOF && a.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (a *seekAttempt) Close() error { return nil }

// formField is one text part of a multipart form.
type formField struct{ name, value string }

// multipartBody is a multipart/form-data request body that streams its file:
// the text parts and the file part's header (head), the file, and the
// closing boundary (tail). The head and tail are built once per call, so
// every attempt sends the same bytes under the same boundary.
type multipartBody struct {
	boundary   string
	head, tail []byte
	file       *source
}

// newMultipartBody lays out fields, then the file under fileField with its
// original name and Content-Type text/csv. Text parts come first so that a
// server reading the stream knows the IDs before the rows.
func newMultipartBody(fields []formField, fileField string, f File) (*multipartBody, error) {
	src, err := f.prepare(fileField)
	if err != nil {
		return nil, err
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for _, fl := range fields {
		if err := mw.WriteField(fl.name, fl.value); err != nil {
			return nil, err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`,
		quoteEscaper.Replace(fileField), quoteEscaper.Replace(f.name)))
	h.Set("Content-Type", "text/csv")
	if _, err := mw.CreatePart(h); err != nil {
		return nil, err
	}
	return &multipartBody{
		boundary: mw.Boundary(),
		head:     head.Bytes(),
		tail:     []byte("\r\n--" + mw.Boundary() + "--\r\n"),
		file:     src,
	}, nil
}

// quoteEscaper escapes a name for a quoted Content-Disposition parameter:
// backslash and quote are backslash-escaped, and the bytes a header line
// cannot carry (control characters but tab) are percent-encoded, as
// browsers do CR and LF. An unescaped control character would make the
// part's header, and so the whole upload, unreadable to the server.
var quoteEscaper = strings.NewReplacer(headerEscapes()...)

func headerEscapes() []string {
	pairs := []string{"\\", "\\\\", `"`, "\\\"", "\x7f", "%7F"}
	for c := byte(0); c < 0x20; c++ {
		if c != '\t' {
			pairs = append(pairs, string(rune(c)), fmt.Sprintf("%%%02X", c))
		}
	}
	return pairs
}

func (m *multipartBody) contentType() string {
	return "multipart/form-data; boundary=" + m.boundary
}

// length is the exact Content-Length, or -1 when the file's size is unknown.
func (m *multipartBody) length() int64 {
	if m.file.size < 0 {
		return -1
	}
	return int64(len(m.head)) + m.file.size + int64(len(m.tail))
}

func (m *multipartBody) replayable() bool { return m.file.replayable }

// open returns the body for one attempt. The file is opened on the first
// Read, not here: go-retryablehttp calls open once while building the
// request only to probe it, and closes what it gets unread.
func (m *multipartBody) open() (io.Reader, error) {
	return &lazyBody{m: m}, nil
}

// lazyBody reads head, file and tail, opening the file on first Read. Read
// and Close may run at the same time: the HTTP/2 transport closes a request
// body from another goroutine than the one reading it.
type lazyBody struct {
	m    *multipartBody
	mu   sync.Mutex
	r    io.Reader
	file io.ReadCloser
	err  error
}

func (b *lazyBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	if b.r == nil {
		f, err := b.m.file.open()
		if err != nil {
			b.err = fmt.Errorf("opening upload: %w", err)
			return 0, b.err
		}
		b.file = f
		b.r = io.MultiReader(bytes.NewReader(b.m.head), f, bytes.NewReader(b.m.tail))
	}
	return b.r.Read(p)
}

func (b *lazyBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.err = errors.New("chatinc: upload body closed")
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	b.file = nil
	return err
}
