package chatinc

import (
	"testing"
	"unsafe"
)

// TestCallSize: a call, allocated once per call, fits the 512-byte size
// class, and a small list answer's decoder the 256-byte one; a field added
// to either that pushes it into the next class costs every call 64 bytes
// or more (BENCHMARKS.md, the small read).
func TestCallSize(t *testing.T) {
	if n := unsafe.Sizeof(call{}); n > 512 {
		t.Errorf("a call is %d bytes, over 512", n)
	}
	if n := unsafe.Sizeof(listOf[VariableGroup]{}); n > 256 {
		t.Errorf("a list answer's decoder is %d bytes, over 256", n)
	}
}
