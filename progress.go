package chatinc

import (
	"context"
	"errors"
	"io"
	"sync"
)

// progressEvery is the most file bytes sent between two progress reports.
const progressEvery = 256 << 10

// errProgressPanicked fails the body of an upload whose progress callback
// panicked; the call then raises the panic again (see File.WithProgress).
var errProgressPanicked = errors.New("chatinc: the upload's progress callback panicked")

// withProgress wraps open, the function that opens the file for each
// attempt of an upload, so that each attempt's reader reports to fn, and
// returns the state of those reports (nil with fn nil, when open is
// returned as it is). It changes nothing but what fn sees: the same open is
// called as often, and what it returns is read as before.
func withProgress(open func() (io.ReadCloser, error), total int64, fn func(sent, total int64)) (func() (io.ReadCloser, error), *progress) {
	if fn == nil {
		return open, nil
	}
	p := &progress{fn: fn, total: total}
	return func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		return p.start(rc), nil
	}, p
}

// progress is the state shared by the attempts of one upload. Only the
// latest attempt reports: the transport may still be reading an older one.
//
// The caller's fn never runs on the goroutine that reads the body, nor
// under mu: a report is handed to a goroutine of its own (deliver), one at
// a time and in order (a queue of at most one report per 256 KiB sent, and
// one per attempt). So fn cannot stall the transport, nor hold a lock the call's clean-up
// needs; a panic in it is recovered there, stops the upload, and is raised
// again by the call (panicked).
type progress struct {
	fn    func(sent, total int64)
	total int64

	mu       sync.Mutex
	gen      int           // the latest attempt's
	queue    []int64       // the reports waiting to be delivered
	running  bool          // deliver runs; idle is closed when it is done
	idle     chan struct{} // made each time deliver starts
	ended    bool          // the call is over: nothing more is delivered
	failed   bool          // fn panicked, with value
	panicVal any
}

func (p *progress) start(rc io.ReadCloser) *progressReader {
	p.mu.Lock()
	p.gen++
	gen := p.gen
	p.mu.Unlock()
	p.report(gen, 0)
	return &progressReader{ReadCloser: rc, p: p, gen: gen}
}

// report hands sent to deliver, unless a later attempt began, the call is
// over, or fn has panicked.
func (p *progress) report(gen int, sent int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen != p.gen || p.ended || p.failed {
		return
	}
	p.queue = append(p.queue, sent)
	if !p.running {
		p.running, p.idle = true, make(chan struct{})
		go p.deliver()
	}
}

// deliver calls fn with each report in turn, until none is waiting.
func (p *progress) deliver() {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 || p.ended || p.failed {
			p.running = false
			close(p.idle)
			p.mu.Unlock()
			return
		}
		sent := p.queue[0]
		p.queue = p.queue[1:]
		p.mu.Unlock()
		if !p.call(sent) {
			return
		}
	}
}

// call runs fn once; false when it panicked (or called runtime.Goexit).
func (p *progress) call(sent int64) (ok bool) {
	defer func() {
		if ok {
			return
		}
		v := recover()
		p.mu.Lock()
		p.failed, p.panicVal = true, v
		p.running = false
		close(p.idle)
		p.mu.Unlock()
	}()
	p.fn(sent, p.total)
	return true
}

// broken reports whether fn has panicked.
func (p *progress) broken() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

// finish ends the reports when the call is over: it waits for fn to take
// the reports made (until ctx ends, whatever fn does), and returns the
// value fn panicked with, if it did.
func (p *progress) finish(ctx context.Context) (v any, panicked bool) {
	p.mu.Lock()
	idle, running := p.idle, p.running
	p.mu.Unlock()
	if running {
		select {
		case <-idle:
		case <-ctx.Done():
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended = true
	return p.panicVal, p.failed && p.panicVal != nil
}

// progressReader counts one attempt's file bytes.
type progressReader struct {
	io.ReadCloser
	p              *progress
	gen            int
	sent, reported int64
	done           bool
}

// callerReader lets deadlineOf find the caller's reader under the count,
// so that a stalled upload with progress is interrupted like one without.
func (r *progressReader) callerReader() io.Reader { return r.ReadCloser }

func (r *progressReader) Read(b []byte) (int, error) {
	if r.p.broken() {
		return 0, errProgressPanicked
	}
	n, err := r.ReadCloser.Read(b)
	r.sent += int64(n)
	switch {
	case r.done:
	case err == io.EOF:
		r.done = true
		r.p.report(r.gen, r.sent)
	case r.sent-r.reported >= progressEvery:
		r.reported = r.sent
		r.p.report(r.gen, r.sent)
	}
	return n, err
}
