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
// the attempt ends when ctx does. A reader whose SetReadDeadline works
// (*os.File on a pipe, net.Conn) is interrupted by a deadline in the past,
// and Close waits for a Read under way to return: nothing reads it once
// the call has returned. Any other reader is read by a goroutine of its
// own, so that Read can return at once; a Read of it that was under way
// then completes in the background, and its bytes are dropped.
func newInterruptible(ctx context.Context, r io.ReadCloser) io.ReadCloser {
	if d, ok := deadlineOf(r); ok {
		dr := &deadlineReader{ctx: ctx, r: r, d: d}
		dr.idle = sync.NewCond(&dr.mu)
		dr.stop = context.AfterFunc(ctx, dr.interrupt)
		return dr
	}
	return &pumpReader{ctx: ctx, r: r, done: make(chan struct{}), req: make(chan int), res: make(chan pumpResult, 1)}
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

// deadlineReader reads a reader whose SetReadDeadline works.
type deadlineReader struct {
	ctx  context.Context
	r    io.ReadCloser
	d    deadliner
	stop func() bool

	mu      sync.Mutex
	idle    *sync.Cond // signalled when a Read returns
	reading bool
	closed  bool
}

// longAgo is a deadline in the past: it makes a blocked Read return.
var longAgo = time.Unix(1, 0)

// interrupt makes a Read under way, and any later one, return at once.
func (d *deadlineReader) interrupt() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		_ = d.d.SetReadDeadline(longAgo)
	}
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return 0, errBodyClosed
	}
	if err := d.ctx.Err(); err != nil {
		d.mu.Unlock()
		return 0, err
	}
	d.reading = true
	d.mu.Unlock()

	n, err := d.r.Read(p)

	d.mu.Lock()
	d.reading = false
	d.idle.Broadcast()
	closed := d.closed
	d.mu.Unlock()
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if ctxErr := d.ctx.Err(); ctxErr != nil {
			err = ctxErr
		} else if closed {
			err = errBodyClosed
		}
	}
	return n, err
}

// Close interrupts a Read under way, waits for it to return, and leaves the
// caller's reader without a deadline. It does not close the caller's
// reader.
func (d *deadlineReader) Close() error {
	d.stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	if d.reading {
		_ = d.d.SetReadDeadline(longAgo)
		for d.reading {
			d.idle.Wait()
		}
	}
	d.closed = true
	_ = d.d.SetReadDeadline(time.Time{})
	return nil
}

// pumpReader reads a reader that cannot be interrupted from a goroutine of
// its own, one Read at a time into its own buffer, so that Read can return
// when the context ends or the body is closed, while the Read of the
// caller's reader is still under way.
type pumpReader struct {
	ctx  context.Context
	r    io.ReadCloser
	once sync.Once
	req  chan int        // Read asks the pump for up to n bytes
	res  chan pumpResult // the pump's answer (buffered: it never waits)
	done chan struct{}   // closed by Close: the pump stops
	buf  []byte          // the pump's; Read copies out of it between requests

	closeOnce sync.Once
}

type pumpResult struct {
	n   int
	err error
}

func (p *pumpReader) pump() {
	for {
		select {
		case n := <-p.req:
			k, err := p.r.Read(p.buf[:n])
			p.res <- pumpResult{k, err}
		case <-p.done:
			return
		}
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
	n := min(len(b), len(p.buf))
	select {
	case p.req <- n:
	case <-p.done:
		return 0, errBodyClosed
	case <-p.ctx.Done():
		return 0, p.ctx.Err()
	}
	select {
	case r := <-p.res:
		return copy(b, p.buf[:r.n]), r.err
	case <-p.done:
		return 0, errBodyClosed
	case <-p.ctx.Done():
		return 0, p.ctx.Err()
	}
}

// Close stops the pump (once a Read of the caller's reader under way has
// returned). It does not close the caller's reader.
func (p *pumpReader) Close() error {
	p.closeOnce.Do(func() { close(p.done) })
	return nil
}
