package wire

import "io"

// minChunk is the smallest piece Chunks allocates after its first.
const minChunk = 64 << 10

// Chunks is a body written once in pieces that are never copied to grow:
// each new piece is a thirty-second of what was written before it (at
// least 64 KiB), so that a body of any size costs its size once and at
// most a thirty-second more, however wrong a guess of its size would have
// been. A
// buffer grown by append is allocated again at each doubling: a 9 MB
// variable group cost 19 MB.
type Chunks struct {
	full [][]byte
	cur  []byte
	n    int
}

// NewChunks returns Chunks whose first piece holds size bytes: a guess,
// which costs nothing when it is short.
func NewChunks(size int) *Chunks {
	return &Chunks{cur: make([]byte, 0, max(size, 1))}
}

// Write appends p.
func (c *Chunks) Write(p []byte) {
	for len(p) > 0 {
		if len(c.cur) == cap(c.cur) {
			c.full = append(c.full, c.cur)
			c.cur = make([]byte, 0, max(minChunk, c.n/32))
		}
		k := copy(c.cur[len(c.cur):cap(c.cur)], p)
		c.cur, c.n, p = c.cur[:len(c.cur)+k], c.n+k, p[k:]
	}
}

// Len is the number of bytes written.
func (c *Chunks) Len() int { return c.n }

// Pieces returns what was written, in order; c is not written to after.
func (c *Chunks) Pieces() [][]byte {
	if len(c.cur) == 0 {
		return c.full
	}
	return append(c.full, c.cur)
}

// ChunkReader reads pieces one after the other, as one body.
type ChunkReader struct {
	pieces [][]byte
	off    int
}

// NewChunkReader returns a reader of pieces, which it does not modify.
func NewChunkReader(pieces [][]byte) *ChunkReader { return &ChunkReader{pieces: pieces} }

// Read reads the next bytes.
func (r *ChunkReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && len(r.pieces) > 0 {
		k := copy(p[n:], r.pieces[0][r.off:])
		n, r.off = n+k, r.off+k
		if r.off == len(r.pieces[0]) {
			r.pieces, r.off = r.pieces[1:], 0
		}
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// WriteTo writes the rest to w, a piece at a time.
func (r *ChunkReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for len(r.pieces) > 0 {
		piece := r.pieces[0][r.off:]
		k, err := w.Write(piece)
		total += int64(k)
		r.off += k
		if err == nil && k < len(piece) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return total, err
		}
		r.pieces, r.off = r.pieces[1:], 0
	}
	return total, nil
}
