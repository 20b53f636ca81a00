package chatinc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chatinc/chatinc-go/internal/csvcheck"
	"github.com/chatinc/chatinc-go/internal/retry"
)

// File is a CSV file to upload, from a path or from a reader. Uploads stream:
// the file is never held in memory whole.
type File struct {
	name     string
	path     string
	r        io.Reader
	progress func(sent, total int64)
}

// FileFromPath uploads the file at path, under its base name. The file is
// opened afresh for each attempt, so the upload can be retried. A file that
// cannot be opened fails the call with a *ValidationError (Field "file")
// wrapping the os error, before anything is sent. The file must not change
// during the call: one that grows, shrinks or is written to after the call
// measured it fails the attempt with ErrFileChanged, before the server
// holds a complete upload.
func FileFromPath(path string) File {
	return File{name: filepath.Base(path), path: path}
}

// FileFromReader uploads what r holds under the file name name. If r is an
// io.Seeker, each attempt sends it from the offset it had when the call
// began, so the upload can be retried; otherwise (and for a Seeker that
// cannot seek, such as os.Stdin on a pipe) r is read once and the upload is
// never retried. A seekable r (or one with a Len method) must keep the
// size it had when the call began: one that grows or shrinks fails the
// call with ErrFileChanged.
//
// The call returns when its context ends even if a Read of r blocks (a
// pipe, stdin, a network body that stalls): r is read from a goroutine of
// the SDK's. If r has a working SetReadDeadline (an *os.File on a pipe or
// terminal, a net.Conn), the SDK interrupts the blocked Read with a
// deadline in the past and waits for it to return (up to half a second, in
// case the deadline is ignored), so nothing reads r once the call has
// returned; it clears r's read deadline when done, replacing any the
// caller had set. For any other r, a Read under way when the call returns
// (or a Seek
// under way when an attempt starts) runs to its end in the background, and
// what it reads is discarded; no further Read follows. The SDK never closes r.
func FileFromReader(name string, r io.Reader) File {
	return File{name: name, r: r}
}

// Name returns the file name the upload carries.
func (f File) Name() string { return f.name }

// WithProgress returns a copy of f that reports an upload's progress to fn:
// sent is how many bytes of the file have gone to the transport, total the
// file's size, or -1 when it is not known (a reader that cannot seek). fn is
// called when an attempt starts (sent 0), at least every 256 KiB, and once
// when the file has been sent; a retried attempt starts again at 0. Calls
// are made one at a time and in order, from a goroutine of the SDK's that
// holds no lock and never holds up the upload: a slow fn lags behind it.
// The call returns once fn has taken every report, or when its context
// ends, whatever fn is doing then; no call of fn starts after that.
//
// If fn panics, the upload stops (its body fails, and it is not retried),
// and once the call has cleaned up (its bodies closed, no lock held) the
// panic is raised again, with the same value, on the goroutine that made
// the call, as if fn had been called there.
//
// Progress changes nothing else: the upload is exactly as retryable as
// without it.
func (f File) WithProgress(fn func(sent, total int64)) File {
	f.progress = fn
	return f
}

// upload sends a from-file call to path: the text fields, then f as the
// "file" part, once f's header has been checked (newCSVUpload).
func (c *Client) upload(ctx context.Context, path string, f File, fields ...formField) (*Result, error) {
	body, err := newCSVUpload(fields, f)
	if err != nil {
		return nil, err
	}
	res, err := c.post(ctx, retry.IdempotentWrite, path, body)
	if body.panicked {
		// The call is over: its bodies closed, no lock held, the
		// connection given back or closed (see File.WithProgress).
		panic(body.panicVal)
	}
	return res, err
}

// newCSVUpload is the body of a from-file call: fields, then f as the
// "file" part, once f's header has been checked (checkCSVHeader).
func newCSVUpload(fields []formField, f File) (*multipartBody, error) {
	return newMultipartBody(fields, "file", f, checkCSVHeader)
}

// maxHeaderCheck is how much of a file the upload calls read to check its
// header.
const maxHeaderCheck = 1 << 20

var errHeaderTooLong = errors.New("chatinc: header longer than the check reads")

// headerLimit reads at most left bytes, then fails: a header cut short must
// not be judged as if it were whole.
type headerLimit struct {
	r    io.Reader
	left int64
}

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errHeaderTooLong
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// checkCSVHeader checks, before an upload, that the header of a file has
// a "number" column, reading at most maxHeaderCheck bytes of r. Errors are
// *ValidationError for field.
func checkCSVHeader(field string, r io.Reader) error {
	err := csvcheck.Header(&headerLimit{r: r, left: maxHeaderCheck})
	var he *csvcheck.HeaderError
	switch {
	case errors.As(err, &he):
		return invalid(field, "%s", he.Reason)
	case errors.Is(err, errHeaderTooLong):
		return nil // not a header to judge by: the API will
	case err != nil:
		return &ValidationError{Field: field, Reason: "cannot read the file", Err: err}
	}
	return nil
}

// openFile opens a file to upload (os.Open; tests make it fail).
var openFile = os.Open

// source is a File prepared for one call: how to open it for each attempt,
// and its size (-1 when unknown).
type source struct {
	open       func() (io.ReadCloser, error)
	size       int64
	replayable bool
	// callers is set for a caller's reader, which may block: each
	// attempt reads it through an interruptible reader, so that the
	// attempt ends with its context.
	callers bool
}

// prepare checks the file and returns how to read it: measured once, and
// opened once before the first attempt, when check (if not nil) reads its
// start. check is given a file at a path, or a seekable reader at its
// offset (put back there after); a reader that cannot seek is sent
// unchecked. Errors are *ValidationError for field.
func (f File) prepare(field string, check func(field string, r io.Reader) error) (*source, error) {
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
		// headers have gone out on each attempt; and its header is
		// checked on this opening.
		fh, err := openFile(f.path)
		if err != nil {
			return nil, &ValidationError{Field: field, Reason: "cannot open the file", Err: err}
		}
		if check != nil {
			err = check(field, fh)
		}
		_ = fh.Close()
		if err != nil {
			return nil, err
		}
		path := f.path
		return &source{
			size:       info.Size(),
			replayable: true,
			// Send exactly the file that was measured for Content-Length,
			// or fail the attempt.
			open: func() (io.ReadCloser, error) { return openExact(path, info) },
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
				if check != nil {
					err := check(field, f.r)
					if _, serr := s.Seek(start, io.SeekStart); err == nil && serr != nil {
						err = &ValidationError{Field: field, Reason: "cannot seek the reader", Err: serr}
					}
					if err != nil {
						return nil, err
					}
				}
				shared := &seekShared{r: f.r, s: s, start: start, size: end - start}
				return &source{size: end - start, replayable: true, open: shared.open, callers: true}, nil
			}
		}
		size := int64(-1)
		if l, ok := f.r.(interface{ Len() int }); ok {
			size = int64(l.Len())
		}
		r, used := f.r, false
		return &source{
			size:    size,
			callers: true,
			open: func() (io.ReadCloser, error) {
				if used {
					return nil, errors.New("chatinc: the upload's reader cannot be read twice")
				}
				used = true
				if size >= 0 {
					return callerBody{&exactReader{r: r, left: size, what: "the reader"}, r}, nil
				}
				return callerBody{r, r}, nil
			},
		}, nil
	}
	return nil, invalid(field, "required")
}

// seekShared is a caller's seekable reader shared by the attempts of one
// call. The attempts take turns with it: one Seek or Read of the caller's
// at a time, and an attempt superseded by a newer one (gen) reads no more.
// No lock is held while the caller's Seek or Read runs: busy says one is
// running, and idle wakes whoever waits for it to return.
type seekShared struct {
	mu          sync.Mutex
	idle        sync.Cond // on mu: busy became false
	busy        bool
	r           io.Reader
	s           io.Seeker
	start, size int64
	gen         int
}

// turn waits for the caller's reader to be free, then runs f with it, with
// no lock held; ok(gen) is checked, under the lock, once the reader is
// free: false runs nothing and returns errSuperseded.
func (sh *seekShared) turn(ok func() bool, f func() error) error {
	sh.mu.Lock()
	if sh.idle.L == nil {
		sh.idle.L = &sh.mu
	}
	for sh.busy {
		sh.idle.Wait()
	}
	if !ok() {
		sh.mu.Unlock()
		return errSuperseded
	}
	sh.busy = true
	sh.mu.Unlock()
	defer func() {
		sh.mu.Lock()
		sh.busy = false
		sh.idle.Broadcast()
		sh.mu.Unlock()
	}()
	return f()
}

// errSuperseded is the error of a read by an attempt that a newer attempt
// of the same call has replaced.
var errSuperseded = errors.New("chatinc: upload attempt superseded")

func (sh *seekShared) open() (io.ReadCloser, error) {
	var gen int
	err := sh.turn(func() bool { sh.gen++; gen = sh.gen; return true }, func() error {
		_, err := sh.s.Seek(sh.start, io.SeekStart)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Exactly the size measured, as for a file (exactReader); each Read
	// of the caller's reader takes its turn.
	a := &seekAttempt{sh: sh, gen: gen}
	return callerBody{&exactReader{r: a, left: sh.size, what: "the reader"}, sh.r}, nil
}

// seekAttempt reads a seekShared for one attempt, one turn per Read.
type seekAttempt struct {
	sh  *seekShared
	gen int
}

func (a *seekAttempt) Read(p []byte) (int, error) {
	var n int
	err := a.sh.turn(func() bool { return a.gen == a.sh.gen }, func() error {
		var err error
		n, err = a.sh.r.Read(p)
		return err
	})
	return n, err
}

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
	progress   *progress       // the reports to File.WithProgress's callback, or nil
	ctx        context.Context // the call's, set by begin

	mu     sync.Mutex
	bodies []*lazyBody // every attempt's, for closeAll

	// What the progress callback panicked with, set by end: the call
	// raises it again once it has cleaned up.
	panicVal any
	panicked bool
}

// newMultipartBody lays out fields, then the file under fileField with its
// original name and Content-Type text/csv, once check (see prepare) has
// passed. Text parts come first so that a
// server reading the stream knows the IDs before the rows.
func newMultipartBody(fields []formField, fileField string, f File, check func(string, io.Reader) error) (*multipartBody, error) {
	src, err := f.prepare(fileField, check)
	if err != nil {
		return nil, err
	}
	var prog *progress
	src.open, prog = withProgress(src.open, src.size, f.progress)
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
		progress: prog,
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

// replayable is false once the progress callback has panicked: the call
// then ends, and raises the panic again.
func (m *multipartBody) replayable() bool {
	return m.file.replayable && (m.progress == nil || !m.progress.broken())
}

// begin keeps the call's context, which ends a stalled read of a caller's
// reader.
func (m *multipartBody) begin(ctx context.Context) { m.ctx = ctx }

// end closes the body of every attempt (closeAll) and ends the progress
// reports, waiting (within the call's context) for the callback to take
// the last ones.
func (m *multipartBody) end() {
	m.closeAll()
	if m.progress != nil {
		m.panicVal, m.panicked = m.progress.finish(m.ctx)
	}
}

// open returns the body for one attempt. The file is opened on the first
// Read, not here: go-retryablehttp calls open once while building the
// request only to probe it, and closes what it gets unread.
func (m *multipartBody) open() io.ReadCloser {
	b := &lazyBody{m: m}
	m.mu.Lock()
	m.bodies = append(m.bodies, b)
	m.mu.Unlock()
	return b
}

// closeAll closes the body of every attempt. The call runs it before it
// returns, so that no attempt's body is read, nor its file left open,
// after that (the transport may not have closed a body it gave up on).
func (m *multipartBody) closeAll() {
	m.mu.Lock()
	bodies := m.bodies
	m.bodies = nil
	m.mu.Unlock()
	for _, b := range bodies {
		_ = b.Close()
	}
}

// errBodyClosed is the error of a Read of an upload body after its Close.
var errBodyClosed = errors.New("chatinc: upload body closed")

// lazyBody reads head, file and tail, opening the file on first Read. Read
// and Close may run at the same time (the HTTP/2 transport closes a request
// body from another goroutine than the one reading it); a body closed
// before its first Read never opens the file.
type lazyBody struct {
	m *multipartBody

	mu     sync.Mutex
	closed bool
	r      io.Reader     // head, file, tail, once opened; only Read uses it
	file   io.ReadCloser // the file's reader, closed by Close
	err    error         // the error of opening the file
}

func (b *lazyBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return 0, errBodyClosed
	case b.err != nil:
		b.mu.Unlock()
		return 0, b.err
	case b.r == nil:
		// Opened outside the lock: opening runs the caller's code (its
		// Seek), which must not hold up Close.
		b.mu.Unlock()
		f, err := b.open()
		b.mu.Lock()
		switch {
		case b.closed: // closed meanwhile
			b.mu.Unlock()
			if f != nil {
				_ = f.Close()
			}
			return 0, errBodyClosed
		case err != nil:
			b.err = fmt.Errorf("opening upload: %w", err)
			b.mu.Unlock()
			return 0, b.err
		}
		b.file = f
		b.r = io.MultiReader(bytes.NewReader(b.m.head), f, bytes.NewReader(b.m.tail))
	}
	r := b.r
	b.mu.Unlock()
	// Outside the lock, so that Close can interrupt a Read that blocks.
	return r.Read(p)
}

// open opens the file for this attempt. A caller's reader is opened (its
// Seek) on a goroutine of its own, so that the attempt ends with its
// context whatever Seek does (net/http's HTTP/1.1 transport waits for a
// body's Read to return), and read through an interruptible reader.
func (b *lazyBody) open() (io.ReadCloser, error) {
	if !b.m.file.callers {
		return b.m.file.open()
	}
	ctx := b.m.ctx
	if ctx == nil { // a body made outside a call (tests)
		ctx = context.Background()
	}
	type opened struct {
		f   io.ReadCloser
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := b.m.file.open()
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			return nil, o.err
		}
		return newInterruptible(ctx, o.f), nil
	case <-ctx.Done():
		go func() { // the Seek under way ends in the background
			if o := <-ch; o.f != nil {
				_ = o.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

func (b *lazyBody) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	f := b.file
	b.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.Close()
}
