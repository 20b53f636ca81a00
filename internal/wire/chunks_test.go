package wire

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestChunks checks that what Chunks holds is what was written, however it
// is read, and that its pieces hold at most a thirty-second more than that (and
// one piece of 64 KiB), whatever the first piece's guess was.
func TestChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 100, 8 << 10, 1 << 20, 5<<20 + 17} {
		for _, guess := range []int{0, 64, size, 2 << 20} {
			want := make([]byte, size)
			for i := range want {
				want[i] = byte(rng.Uint32())
			}
			c := NewChunks(guess)
			for rest := want; len(rest) > 0; {
				k := min(len(rest), rng.IntN(20<<10))
				c.Write(rest[:k])
				rest = rest[k:]
			}
			if c.Len() != size {
				t.Fatalf("size %d: Len %d", size, c.Len())
			}
			held := 0
			for _, p := range c.Pieces() {
				held += cap(p)
			}
			if limit := max(guess, size) + size/32 + minChunk; held > limit {
				t.Errorf("size %d, guess %d: the pieces hold %d bytes, more than %d", size, guess, held, limit)
			}
			if got, err := io.ReadAll(iotest.OneByteReader(NewChunkReader(c.Pieces()))); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("size %d, guess %d: read byte by byte: %d bytes, %v", size, guess, len(got), err)
			}
			if err := iotest.TestReader(NewChunkReader(c.Pieces()), want); err != nil {
				t.Fatalf("size %d, guess %d: %v", size, guess, err)
			}
			var w bytes.Buffer
			if n, err := NewChunkReader(c.Pieces()).WriteTo(&w); err != nil || n != int64(size) || !bytes.Equal(w.Bytes(), want) {
				t.Fatalf("size %d, guess %d: WriteTo: %d, %v", size, guess, n, err)
			}
		}
	}
}
