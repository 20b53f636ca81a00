package chatinc

import (
	"io"
	"sync"
)

// progressEvery is the most file bytes sent between two progress reports.
const progressEvery = 256 << 10

// withProgress wraps open, the function that opens the file for each
// attempt of an upload, so that each attempt's reader reports to fn. It
// changes nothing but what fn sees: the same open is called as often, and
// what it returns is read as before. With fn nil it returns open.
func withProgress(open func() (io.ReadCloser, error), total int64, fn func(sent, total int64)) func() (io.ReadCloser, error) {
	if fn == nil {
		return open
	}
	p := &progress{fn: fn, total: total}
	return func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		return p.start(rc), nil
	}
}

// progress is the state shared by the attempts of one upload. Only the
// latest attempt reports: the transport may still be reading an older one.
type progress struct {
	mu    sync.Mutex
	fn    func(sent, total int64)
	total int64
	gen   int
}

func (p *progress) start(rc io.ReadCloser) *progressReader {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gen++
	p.fn(0, p.total)
	return &progressReader{ReadCloser: rc, p: p, gen: p.gen}
}

// report calls fn for an attempt's reader, unless a later attempt began.
func (p *progress) report(gen int, sent int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen == p.gen {
		p.fn(sent, p.total)
	}
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
