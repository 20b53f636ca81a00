package chatinc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"
)

// How an upload reads its file: exactly the bytes measured for its
// Content-Length (or an error that fails the attempt), and, from a
// caller's reader, in a way its context can interrupt.

// unchanged reports whether the file now is the one measured before: the
// same file, size and modification time.
func unchanged(before, now fs.FileInfo) bool {
	return os.SameFile(before, now) && before.Size() == now.Size() && before.ModTime().Equal(now.ModTime())
}

// fileChanged is the error of an upload whose file changed after its size
// was measured.
func fileChanged(path, how string) error {
	return fmt.Errorf("%w: %s changed %s", ErrFileChanged, path, how)
}

// exactReader reads left bytes of r, the size measured when the call
// began, then io.EOF, or an error wrapping ErrFileChanged when r ends
// early or, by atEnd's check, has changed: grown past that size, or (for a
// file) been written to. The check at the end comes before the multipart
// tail, so the server never receives a complete upload of a changed file.
type exactReader struct {
	r     io.Reader
	left  int64
	what  string       // names r in errors
	atEnd func() error // nil: checkEnd(r)
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case err == io.EOF && e.left > 0:
		return n, fmt.Errorf("%w: %s ended %d bytes short of the size it had when the call began", ErrFileChanged, e.what, e.left)
	case err != nil && err != io.EOF:
		return n, err
	case e.left > 0:
		return n, nil
	}
	check := e.atEnd
	if check == nil {
		check = func() error { return checkEnd(e.r) }
	}
	if err := check(); err != nil {
		return n, fmt.Errorf("%s: %w", e.what, err)
	}
	return n, io.EOF
}

// openExact opens the file at path for one attempt: exactly the bytes it
// had when info was taken, or an error wrapping ErrFileChanged.
func openExact(path string, info fs.FileInfo) (io.ReadCloser, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if now, err := fh.Stat(); err != nil || !unchanged(info, now) {
		_ = fh.Close()
		return nil, fileChanged(path, "since the call began")
	}
	e := &exactReader{r: fh, left: info.Size(), what: path, atEnd: func() error {
		if err := checkEnd(fh); err != nil {
			return err
		}
		if now, err := fh.Stat(); err != nil || !unchanged(info, now) {
			return fmt.Errorf("%w: it was written to while it was sent", ErrFileChanged)
		}
		return nil
	}}
	return struct {
		io.Reader
		io.Closer
	}{e, fh}, nil
}

// checkEnd checks that r, read to the size it had when the call began, has
// nothing more: a reader that grew since is ErrFileChanged, not an upload
// cut at its old size.
func checkEnd(r io.Reader) error {
	var one [1]byte
	for range 3 { // a Reader may return 0, nil
		n, err := r.Read(one[:])
		if n > 0 {
			return fmt.Errorf("%w: it has grown past the size it had when the call began", ErrFileChanged)
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
	return nil
}

// callerBody is an attempt's reader of a caller's reader: Close leaves the
// caller's reader open, and callerReader lets deadlineOf find it.
type callerBody struct {
	io.Reader
	caller io.Reader
}

func (callerBody) Close() error              { return nil }
func (b callerBody) callerReader() io.Reader { return b.caller }

// newInterruptible returns r, an attempt's reader of a caller's io.Reader
// (which may block for ever: a pipe, stdin, a network body), read so that
// the attempt ends when ctx does: r is read by a goroutine of its own, one
// Read at a time, so that Read can return at once when ctx ends or the body
// is closed. If the caller's reader has a working SetReadDeadline (*os.File
// on a pipe, net.Conn), a deadline in the past also interrupts the Read of
// it under way, and Close waits for that Read to return: nothing reads the
// caller's reader once the call has returned. Otherwise a Read under way
// completes in the background, and its bytes are dropped.
func newInterruptible(ctx context.Context, r io.ReadCloser) io.ReadCloser {
	p := &pumpReader{ctx: ctx, r: r, done: make(chan struct{}), req: make(chan int),
		res: make(chan pumpResult, 1), sem: make(chan struct{}, 1)}
	if d, ok := deadlineOf(r); ok {
		p.d = d
		p.stop = context.AfterFunc(ctx, p.interrupt)
	}
	return p
}

// deadliner is a reader that can be interrupted.
type deadliner interface {
	SetReadDeadline(time.Time) error
}

// deadlineOf returns the SetReadDeadline of the caller's reader under r
// (seen through the SDK's own wrappers), if it has one that works.
func deadlineOf(r io.Reader) (deadliner, bool) {
	for {
		switch v := r.(type) {
		case deadliner:
			// A regular file has the method, but refuses deadlines.
			return v, v.SetReadDeadline(time.Time{}) == nil
		case interface{ callerReader() io.Reader }:
			r = v.callerReader()
		default:
			return nil, false
		}
	}
}

// longAgo is a deadline in the past: it makes a blocked Read return.
var longAgo = time.Unix(1, 0)

// closeWait bounds how long Close waits for an interrupted Read to return:
// a reader whose SetReadDeadline succeeds but does nothing must not hang
// the call.
const closeWait = 500 * time.Millisecond

// pumpReader reads a caller's reader from a goroutine of its own.
type pumpReader struct {
	ctx  context.Context
	r    io.ReadCloser
	d    deadliner   // nil: the caller's reader cannot be interrupted
	stop func() bool // stops the context's interrupt, when d is set

	once sync.Once
	req  chan int        // Read asks the pump for up to n bytes
	res  chan pumpResult // the pump's answer (buffered: it never waits)
	done chan struct{}   // closed by Close: the pump reads no more
	sem  chan struct{}   // held by the pump while it reads the caller's reader
	buf  []byte          // the pump's; Read copies out of it between requests

	closeOnce sync.Once
	dmu       sync.Mutex // orders interrupt and Close's clearing of the deadline
	cleared   bool
}

type pumpResult struct {
	n   int
	err error
}

func (p *pumpReader) pump() {
	for {
		select {
		case n := <-p.req:
			p.sem <- struct{}{}
			select {
			case <-p.done: // closed meanwhile: read no more
				<-p.sem
				return
			default:
			}
			k, err := p.r.Read(p.buf[:n])
			<-p.sem
			p.res <- pumpResult{k, err}
		case <-p.done:
			return
		}
	}
}

// interrupt makes a Read of the caller's reader under way, and any later
// one, return at once.
func (p *pumpReader) interrupt() {
	p.dmu.Lock()
	defer p.dmu.Unlock()
	if !p.cleared {
		_ = p.d.SetReadDeadline(longAgo)
	}
}

func (p *pumpReader) Read(b []byte) (int, error) {
	select {
	case <-p.done:
		return 0, errBodyClosed
	default:
	}
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	p.once.Do(func() {
		p.buf = make([]byte, 32<<10)
		go p.pump()
	})
	select {
	case p.req <- min(len(b), len(p.buf)):
	case <-p.done:
		return 0, errBodyClosed
	case <-p.ctx.Done():
		return 0, p.ctx.Err()
	}
	select {
	case r := <-p.res:
		if r.err != nil && errors.Is(r.err, os.ErrDeadlineExceeded) && p.ctx.Err() != nil {
			r.err = p.ctx.Err()
		}
		return copy(b, p.buf[:r.n]), r.err
	case <-p.done:
		return 0, errBodyClosed
	case <-p.ctx.Done():
		return 0, p.ctx.Err()
	}
}

// Close stops the pump. For a caller's reader that can be interrupted, it
// interrupts a Read under way, waits for it to return (up to closeWait),
// and leaves the reader without a deadline. It never closes the caller's
// reader.
func (p *pumpReader) Close() error {
	p.closeOnce.Do(func() {
		close(p.done)
		if p.d == nil {
			return
		}
		p.stop()
		p.interrupt()
		select {
		case p.sem <- struct{}{}: // no Read under way, and none to come
			<-p.sem
		case <-time.After(closeWait):
		}
		p.dmu.Lock()
		p.cleared = true
		_ = p.d.SetReadDeadline(time.Time{})
		p.dmu.Unlock()
	})
	return nil
}
